"""Browser view (Mesa SolaraViz): kept apart from the model and agents.

    pip install -e ".[app]"  &&  solara run sim/app.py

``model_params`` is built from the schema's levers, so every slider is a declared parameter
with its bounds; SolaraViz constructs ``CoGovModel(**{key: value, ..., "rng": seed})``.
"""

from __future__ import annotations

from .model import CoGovModel
from .params import iter_parameters

APP_LEVERS = (
    "committee.pushed_down_duty_items", "committee.staff_per_10k", "grants.contests_per_year",
    "purchased_services.items", "party.double_registration_share", "deliberation.meetings_per_year",
    "grid.workers_per_grid", "legal.lawyer_hours_per_week", "smart.online_mediation",
    "incubation.hub",
)


def _slider(key, field) -> dict:
    bounds = {}
    for m in field.metadata:
        for k in ("ge", "le"):
            if getattr(m, k, None) is not None:
                bounds[k] = getattr(m, k)
    if field.annotation is bool:
        return {"type": "Checkbox", "value": field.default, "label": key}
    is_int = field.annotation is int
    lo = bounds.get("ge", 0)
    hi = bounds.get("le", max(1, 4 * (field.default or 1)))
    hi = min(hi, max(4 * (field.default or 1), 10))
    return {"type": "SliderInt" if is_int else "SliderFloat", "value": field.default, "label": key,
            "min": lo, "max": hi, "step": 1 if is_int else (hi - lo) / 100}


def model_params() -> dict:
    """SolaraViz model_params: the app's levers plus the seed."""
    fields = {k: f for k, f, _ in iter_parameters()}
    params = {"rng": {"type": "InputText", "value": 1, "label": "seed"},
              "population.residents_per_community": {"type": "SliderInt", "value": 3000,
                                                     "label": "residents", "min": 500,
                                                     "max": 10000, "step": 500}}
    for key in APP_LEVERS:
        params[key] = _slider(key, fields[key])
    return params


def make_page():  # pragma: no cover - needs solara and a browser
    from mesa.visualization import SolaraViz, make_plot_component

    model = CoGovModel(rng=1, **{"population.residents_per_community": 3000})
    return SolaraViz(model, components=[
        make_plot_component(["participation_30d", "participation_30d_migrant"]),
        make_plot_component(["disputes_backlog"]),
        make_plot_component(["committee_hours_duty", "committee_self_governance_hours"]),
    ], model_params=model_params(), name="cogov")


try:  # solara run sim/app.py looks for `page`
    import solara  # noqa: F401
    page = make_page()
except ModuleNotFoundError:
    page = None
