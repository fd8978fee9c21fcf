"""The EMA workbench's model of cogov, built from the schema (the ``ema`` extra).

:func:`build_model` returns an ``ema_workbench.ReplicatorModel`` whose

- uncertainties are parameters of role ``uncertainty`` and levers parameters of role
  ``lever`` (sim/params.py), each over its declared plausible range
  (:func:`sim.params.plausible_range`): ``RealParameter`` for a float,
  ``IntegerParameter`` for an int, ``BooleanParameter`` for a switch,
  ``CategoricalParameter`` for a choice; list- and text-valued parameters, and those
  declared to have no plausible range (``cogov params``: range ``none``), stay at the
  scenario's value;
- the schema's linked parameters (``LINKS`` in sim/params.py) hold in every experiment: the
  workbench samples a min/max pair independently, and each experiment reads the max as its
  position in what is left of its range above the min (:func:`sim.params.respect_links`); a
  pair of which only one key is sampled, over a range the other's value crosses, is refused;
- constants are the base scenario's values of the keys given in ``constants`` (any role,
  e.g. ``population.residents_per_community``), overridable;
- outcomes are summary outcomes declared in :mod:`sim.catalog` (default: the key outcomes
  of ``cogov compare``), each a ``ScalarOutcome`` of the mean over the replications
  (``per_replication=True``: an ``ArrayOutcome`` ``<outcome>_replications`` with every
  replication's value; another name, as the workbench keeps one class per outcome name in a
  process);
- replications are seeds ``seed, seed + 1, ...``: every experiment uses the same seeds
  (common random numbers, as ``cogov compare`` does), and replication *i* of an experiment
  is ``cogov run`` of that point with ``--seed seed+i``.

The workbench's names must be Python identifiers, so a key path's dot is written ``__``
(``committee__pushed_down_duty_items``; :func:`key_path` turns it back). A worked example
is in docs/ema.md.
"""

from __future__ import annotations

import copy
import math
import typing
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .. import catalog
from ..config import ScenarioError, load_scenario
from .paramlist import round_to_schema
from ..params import (Scenario, check_link_ranges, iter_parameters, link_violation, plausible_range,
                      range_status, respect_links)

INSTALL = "pip install 'cogov[ema]'   (in a checkout: .venv/bin/pip install -e '.[ema]')"
BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"


def _ema():
    try:
        import ema_workbench
    except ImportError:
        raise ScenarioError(f"the EMA workbench adapter needs the ema extra: {INSTALL}") from None
    return ema_workbench


def ema_name(path: str) -> str:
    """``section.key`` as a workbench name (``section__key``)."""
    return path.replace(".", "__")


def key_path(name: str) -> str:
    """A workbench name back as ``section.key``."""
    return name.replace("__", ".", 1)


def _fields() -> dict:
    return {p: f for p, f, _ in iter_parameters()}


def _role(field) -> str:
    return (field.json_schema_extra or {}).get("role", "")


def parameter_for(path: str, default=None):
    """The workbench parameter of ``path`` over its plausible range (None when the parameter
    cannot be sampled: a list, a mapping or text)."""
    ema = _ema()
    field = _fields()[path]
    ann, name = field.annotation, ema_name(path)
    if ann is bool:
        return ema.BooleanParameter(name, default=default)
    if typing.get_origin(ann) is typing.Literal:
        return ema.CategoricalParameter(name, list(typing.get_args(ann)), default=default)
    if ann not in (int, float):
        return None
    rng = plausible_range(path)
    if rng is None:
        return None
    lo, hi = rng
    if default is not None and not lo <= default <= hi:
        default = None  # the workbench refuses a default outside the range
    if ann is int:
        return ema.IntegerParameter(name, math.ceil(lo), math.floor(hi), default=default)
    return ema.RealParameter(name, lo, hi, default=default)


def _mean_defined(values) -> float:
    """Mean over the replications where the outcome is defined (NaN if in none)."""
    a = np.asarray(values, dtype=float)
    a = a[~np.isnan(a)]
    return float(a.mean()) if a.size else float("nan")


class CoGovRun:
    """The workbench's function: one replication of one experiment, as ``cogov run``."""

    def __init__(self, base: dict, outcomes: tuple[str, ...],
                 ranges: dict[str, tuple[float, float]] | None = None):
        self.base = base
        self.outcomes = outcomes
        self.ranges = ranges or {}  # sampled key path -> (low, high), for the links

    def __call__(self, seed: int, **values) -> dict:
        from ..config import apply_overrides, validate
        from .runner import run_one
        point = round_to_schema(respect_links({key_path(k): v for k, v in values.items()},
                                              self.ranges))
        data = apply_overrides(copy.deepcopy(self.base), point, origin="EMA workbench")
        summary = run_one(validate(data, "EMA workbench"), int(seed), record=False).summary
        return {k: summary[k] for k in self.outcomes}


def build_model(scenario: str | Path | None = None, *, uncertainties: Iterable[str] | None = None,
                levers: Iterable[str] | None = None, constants: dict | Iterable[str] = (),
                outcomes: Iterable[str] | None = None, replications: int = 3, seed: int = 1,
                per_replication: bool = False, name: str = "cogov"):
    """The workbench's ``ReplicatorModel`` of ``scenario`` (default scenarios/baseline.yaml).

    ``uncertainties`` / ``levers``: key paths of that role (default: every sampleable
    parameter of the role); a key of another role is an error, as in an experiment file.
    ``constants``: key paths fixed at the scenario's value, or a mapping of key path to
    value. ``outcomes``: summary outcome names (default ``catalog.KEY_OUTCOMES``).
    """
    ema = _ema()
    base = load_scenario(scenario or BASELINE)
    fields = _fields()
    data = base.model_dump()

    def value(path):
        section, key = path.split(".")
        return data[section][key]

    def pick(keys, role):
        if keys is None:
            keys = [p for p, f in fields.items() if _role(f) == role]
            chosen = [parameter_for(p, value(p)) for p in keys]
            return [c for c in chosen if c is not None]
        out = []
        for p in keys:
            if p not in fields:
                raise ScenarioError(f"{p!r} is not a scenario parameter (cogov params lists them)")
            if _role(fields[p]) != role:
                raise ScenarioError(f"{p!r} has role {_role(fields[p])!r}, not {role!r}")
            param = parameter_for(p, value(p))
            if param is None and range_status(p) == "none":
                raise ScenarioError(f"{p!r} is declared to have no plausible range (cogov params "
                                    "--format csv: range_source says why): it is not sampled")
            if param is None:
                raise ScenarioError(f"{p!r} is a list, mapping or text: it cannot be sampled")
            out.append(param)
        return out

    names = tuple(outcomes) if outcomes is not None else catalog.KEY_OUTCOMES
    for o in names:
        if o not in catalog.OUTCOMES or catalog.OUTCOMES[o].where not in ("summary", "both"):
            raise ScenarioError(f"{o!r} is not a summary outcome (sim/catalog.py declares them)")
    if replications < 1:
        raise ScenarioError("replications must be at least 1")
    sampled = pick(uncertainties, "uncertainty") + pick(levers, "lever")
    ranges = {key_path(q.name): (float(q.lower_bound), float(q.upper_bound)) for q in sampled
              if hasattr(q, "lower_bound")}
    fixed = dict(constants) if isinstance(constants, dict) else {p: None for p in constants}
    held = {p: value(p) for p in fields if p not in ranges}
    held.update({p: v for p, v in fixed.items() if v is not None and p in fields})
    try:
        check_link_ranges(ranges, held, "build_model")
    except ValueError as exc:
        raise ScenarioError(str(exc)) from None
    bad = link_violation({}, held)
    if bad:
        raise ScenarioError(f"build_model: the scenario's fixed values break a link: {bad}")
    model = ema.ReplicatorModel(name, function=CoGovRun(data, names, ranges))
    model.uncertainties = [q for q in sampled if _role(fields[key_path(q.name)]) == "uncertainty"]
    model.levers = [q for q in sampled if _role(fields[key_path(q.name)]) == "lever"]
    consts = []
    for p, v in fixed.items():
        if p not in fields:
            raise ScenarioError(f"{p!r} is not a scenario parameter (cogov params lists them)")
        consts.append(ema.Constant(ema_name(p), value(p) if v is None else v))
    model.constants = consts
    model.outcomes = [ema.ArrayOutcome(f"{o}_replications", variable_name=o) if per_replication
                      else ema.ScalarOutcome(o, function=_mean_defined) for o in names]
    model.replications = [{"seed": int(seed) + i} for i in range(int(replications))]
    return model


def experiments_for_analysis(experiments):
    """The workbench's experiments table ready for PRIM or feature scoring: integer and
    boolean columns as float (PRIM under pandas 3 fails on an integer column), the
    workbench's bookkeeping columns (scenario, policy, model) dropped."""
    x = experiments.drop(columns=[c for c in ("scenario", "policy", "model") if c in experiments])
    for c in x.columns:
        if x[c].dtype.kind in "iub":
            x[c] = x[c].astype(float)
    return x
