"""The page (Solara components). Served by ``cogov app``; see :mod:`sim.app.server`.

Nothing is built at import: each visitor's :class:`~sim.app.session.Session` is made inside
:func:`Page`, and freed when the visitor's connection closes.

Why one long module: the page's components (controls, headline, charts, comparison, network, downloads) share one session and are laid out together.
"""

from __future__ import annotations

import contextlib
import math
from html import escape
import threading
import time

import reacton.core
import solara
import solara.server.kernel_context as kernel_context

from .. import catalog
from ..config import ScenarioError
from . import network, plots
from .downloads import downloads
from .session import (MAX_DAY, MAX_RESIDENTS, UPLOAD, Budget, Session, Setup, admit, levers,
                      model_seconds, parse_query, resolve_setup, scenario_names)

REDRAW_SECONDS = 0.25       # the page redraws at most this often while the model runs
SPEEDS = {"1 day/s": 1.0, "10 days/s": 10.0, "30 days/s": 30.0, "as fast as possible": math.inf}
GROUPS = [("participation_year_local", "locals"), ("participation_year_migrant", "migrants"),
          ("participation_year_age_18_29", "age 18-29"), ("participation_year_age_30_49", "age 30-49"),
          ("participation_year_age_50_59", "age 50-59"), ("participation_year_age_60_plus", "age 60+"),
          ("participation_year_party", "party members"), ("participation_year_nonparty", "non-members")]
CSS = """
.cogov-kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 6px; }
.cogov-kpi { border: 1px solid #ddd; border-radius: 4px; padding: 4px 8px; background: #fafafa; }
.cogov-kpi .v { font-size: 18px; font-weight: bold; }
.cogov-kpi .l { font-size: 12px; color: #444; }
.cogov-kpi .d { font-size: 12px; color: #a00; }
.cogov-charts { display: flex; flex-wrap: wrap; gap: 8px; }
.cogov-message { white-space: pre-wrap; }
.cogov-edits { overflow-wrap: anywhere; }
.cogov-reps-table { border-collapse: collapse; margin: 6px 0; }
.cogov-reps-table th, .cogov-reps-table td { padding: 2px 12px 2px 0; text-align: left; }
.cogov-reps-table tr:nth-child(even) td { background: #f6f6f6; }
"""


def _kpis_html(summary: dict, other: dict | None = None) -> str:
    names = list(catalog.KEY_OUTCOMES) + sorted(
        k for k in summary if k.startswith("spend_") and k != "spend_total" and summary.get(k))
    cells = []
    for name in names:
        o = catalog.get(name)
        value = summary.get(name)
        extra = ""
        if other is not None:
            b = other.get(name)
            diff = (value - b) if isinstance(value, (int, float)) and isinstance(b, (int, float)) else math.nan
            shown = "n/a" if diff != diff else (f"{100 * diff:+.1f} pts" if o.kind == "share" else f"{diff:+,.2f}")
            extra = f'<div class="d">B: {o.format(b)}; A - B: {shown}</div>'
        cells.append(f'<div class="cogov-kpi" data-name="{name}"><div class="v">{o.format(value)}</div>'
                     f'<div class="l">{o.label}{" (" + o.unit + ")" if o.unit and o.unit not in o.label else ""}'
                     f'</div>{extra}</div>')
    return '<div class="cogov-kpis">' + "".join(cells) + "</div>"


@solara.component
def Busy():
    solara.Title("cogov: server busy")
    solara.Error("Server busy: the most visitors this server serves at once are using it. "
                 "Please try again in a few minutes.", classes=["cogov-busy"])


@solara.component
def Page():
    solara.Title("cogov: co-governance simulation")
    solara.Style(CSS)
    context = kernel_context.get_current_context()
    admitted = solara.use_memo(lambda: admit(context), [])
    if admitted:
        App()
    else:
        Busy()


@solara.component
def App():
    router = solara.use_router()
    message = solara.use_reactive("")
    tick = solara.use_reactive(0)

    def first_session():
        setup, day = Setup(), 0
        try:
            setup, day = parse_query(router.search)
        except ScenarioError as exc:
            message.set(f"The link could not be used: {exc}\nShowing the baseline scenario instead.")
        s = Session(setup)
        s.step(day)
        return s

    session: Session = solara.use_memo(first_session, [])
    solara.use_memo(lambda: kernel_context.get_current_context().on_close(session.close), [])
    edits = solara.use_reactive({})          # lever and population values not yet applied
    seed = solara.use_reactive(session.setup.seed)
    running = solara.use_reactive("")        # "", "play" or "to"
    speed = solara.use_reactive("30 days/s")
    target_day = solara.use_reactive(365)
    ego = solara.use_reactive(0)
    show_network = solara.use_reactive(False)
    upload_text = solara.use_reactive("")
    _ = tick.value  # redraw when the model moved

    pending = solara.use_reactive(None)      # the setup a Reset is building, in the background
    spinning = solara.use_reactive("")       # what the page says meanwhile
    # each change of a reactive variable redraws the page at once; inside ``together()``
    # several changes make one redraw
    render_context = reacton.core.get_render_context(required=False)

    def together():
        return render_context if render_context is not None else contextlib.nullcontext()

    checked = solara.use_memo(dict, [])  # the scenarios rebuild() resolved, for the builder

    def rebuild(setup: Setup) -> bool:
        """Check a setup at once (a mistake is a message), then build it in the background:
        the spin-up before day 0 can take a while at a large population."""
        running.set("")
        try:
            a = resolve_setup(setup)
            b = resolve_setup(setup, "B") if setup.compare else None
        except ScenarioError as exc:
            message.set(str(exc))
            return False
        n = a.population.n_communities * a.population.residents_per_community
        d = a.run.spin_up_days
        years = f" ({d / 365:.1f} years)" if d >= 365 else ""
        with together():
            message.set("")
            spinning.set(f"Reset: spinning up {d:,} days{years} before day 0 at "
                         f"{n:,} residents{' on each side' if setup.compare else ''}; the page "
                         "shows day 0 when it is done." if d else f"Reset: building {n:,} residents.")
            checked["setup"], checked["scenarios"] = setup, (a, b)
            pending.set(setup)
        return True

    def builder(cancel: threading.Event):
        setup = pending.value
        if setup is None:
            return
        resolved = checked.get("scenarios") if checked.get("setup") is setup else None
        try:
            session.reset(setup, resolved)
        except (ScenarioError, Budget) as exc:
            failed = str(exc)
        else:
            failed = None
        with together():  # one redraw shows the new model, its controls and its seed
            if failed is not None:
                message.set(failed)
            else:
                edits.set({})
                seed.set(setup.seed)
            pending.set(None)
            tick.set(tick.value + 1)

    solara.use_thread(builder, dependencies=[pending.value], intrusive_cancel=False)

    def wanted() -> Setup:
        """The setup the controls show: the current one with the changes not yet applied."""
        setup = session.setup
        overrides = dict(setup.overrides)
        which = (setup.scenario, setup.upload)
        if checked.get("base_of") != which:  # read once per scenario, not at every Reset
            checked["base_of"], checked["base"] = which, _base_values(setup)
        base = checked["base"]
        for key, value in edits.value.items():
            if value == _get(base, key):
                overrides.pop(key, None)
            else:
                overrides[key] = value
        return Setup(setup.scenario, tuple(overrides.items()), int(seed.value), setup.compare,
                     setup.upload)

    def apply_and_reset():
        rebuild(wanted())

    def spin_up_ahead():
        """A new seed needs a new spin-up at Reset: start it now, in the background, so that
        the Reset finds it done (or under way). Only at a new seed: a population is typed
        in two boxes, and a spin-up for the first box alone would slow the Reset down
        (measured: 16 s instead of 6 s at 100,000 residents), as nothing can stop it."""
        if seed.value is None or seed.value == session.setup.seed:
            return
        session.prepare(wanted())

    solara.use_effect(spin_up_ahead, [seed.value])

    def step_once():
        try:
            session.step(1)
        except Budget as exc:
            message.set(str(exc))
        tick.set(tick.value + 1)

    def runner(cancel: threading.Event):
        mode = running.value
        if not mode:
            return
        goal = int(target_day.value) if mode == "to" else MAX_DAY
        rate = SPEEDS.get(speed.value, math.inf) if mode == "play" else math.inf
        start, shown, done = time.perf_counter(), time.perf_counter(), 0
        gap = REDRAW_SECONDS
        try:
            while not cancel.is_set() and session.day < goal and not session.at_horizon():
                session.step(1)
                done += 1
                now = time.perf_counter()
                if rate != math.inf:
                    wait = start + done / rate - now
                    if wait > 0:
                        cancel.wait(wait)
                if now - shown >= gap:
                    tick.set(tick.value + 1)  # renders the page in this thread
                    shown = time.perf_counter()
                    # a redraw sends every chart to the browser: leave it time to draw them,
                    # or the page falls behind the model (and Pause looks late)
                    gap = max(REDRAW_SECONDS, 3 * (shown - now))
        except Budget as exc:
            message.set(str(exc))
        if not cancel.is_set():
            running.set("")
        tick.set(tick.value + 1)

    solara.use_thread(runner, dependencies=[running.value], intrusive_cancel=False)

    names = scenario_names()
    setup = session.setup
    busy = pending.value is not None
    with solara.Columns([1, 3]):
        with solara.Column():
            # the setup (not the version) so that the controls, a widget per lever, redraw
            # at a Reset and not at every step; the callbacks compare equal from render to
            # render (same code, same reactive variables in their closures)
            _Controls(session, names, edits, seed, rebuild, apply_and_reset, upload_text, message,
                      setup)
        with solara.Column():
            # the messages sit in a column of their own, always there: a widget that comes
            # and goes among the page's children would shift the ones after it, and Solara
            # (matching children by position) would rebuild every widget below
            with solara.Column(gap="0px"):
                if message.value:
                    solara.Error(message.value, classes=["cogov-message"])
                if pending.value is not None:
                    solara.Info(spinning.value, classes=["cogov-spinning"])
                    solara.ProgressLinear(True)
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
                solara.Text(f"Day {session.day}", classes=["cogov-day"],
                            style={"font-size": "20px", "font-weight": "bold"})
                solara.Button("Step", on_click=step_once, disabled=bool(running.value) or busy,
                              classes=["cogov-step"])
                if running.value == "play":
                    solara.Button("Pause", on_click=lambda: running.set(""), classes=["cogov-pause"])
                else:
                    solara.Button("Play", on_click=lambda: running.set("play"),
                                  disabled=bool(running.value) or busy, classes=["cogov-play"])
                solara.Select("speed", values=list(SPEEDS), value=speed, style={"max-width": "160px"})
                solara.InputInt("run to day", value=target_day, style={"max-width": "110px"})

                def run_to():
                    if not 0 <= int(target_day.value or 0) <= MAX_DAY:
                        message.set(f"run to day: between 0 and {MAX_DAY:,}")
                        return
                    running.set("to")
                solara.Button("Run", on_click=run_to, disabled=bool(running.value) or busy,
                              classes=["cogov-run-to"])
                solara.Button("Reset (apply changes)", on_click=apply_and_reset, color="primary",
                              disabled=busy, classes=["cogov-reset"])
            who = f"{names.get(setup.scenario, (setup.scenario,))[0]}" if setup.scenario != UPLOAD \
                else "uploaded scenario"
            vs = f" vs {names[setup.compare][0]} (B)" if setup.compare else ""
            _html(f"<b>{escape(who)}</b>{escape(vs)}, seed {setup.seed}, "
                  f"{session.model.pop.n:,} residents"
                  + (", changed: " + ", ".join(f"<code>{escape(f'{k}={v}')}</code>"
                                               for k, v in setup.overrides)
                     if setup.overrides else ""), "cogov-setup")
            # the version makes these redraw when the model moved (Solara re-renders a
            # component only when its arguments change, and the session object stays the same)
            _Outcomes(session, session.version)
            _Replications(session, message, session.version)
            _Network(session, ego, show_network, session.version)
            _Share(session, session.version)


def _html(text: str, cls: str = "") -> None:
    """Static text (solara.Markdown would load a diagram library from the CDN)."""
    solara.HTML(tag="div", unsafe_innerHTML=text, classes=[cls] if cls else [])


def _base_values(setup: Setup) -> dict:
    """The scenario's values before the visitor's changes (what an unchanged control shows)."""
    from .session import resolve_setup
    plain = Setup(setup.scenario, (), setup.seed, None, setup.upload)
    return resolve_setup(plain).model_dump(mode="json")


def _get(data: dict, key: str):
    for part in key.split("."):
        data = data.get(part, {}) if isinstance(data, dict) else {}
    return data


@solara.component
def _Controls(session, names, edits, seed, rebuild, apply_and_reset, upload_text, message,
              setup):
    current = session.scenario.model_dump(mode="json")

    def value_of(key):
        return edits.value[key] if key in edits.value else _get(current, key)

    def set_edit(key, value, lever=None):
        try:
            value = lever.check(value) if lever is not None else value
        except ScenarioError as exc:
            message.set(str(exc))
            return
        message.set("")
        edits.set({**edits.value, key: value})

    options = list(names) + ([UPLOAD] if setup.scenario == UPLOAD else [])
    solara.Select("scenario", values=options, value=setup.scenario,
                  on_value=lambda name: rebuild(Setup(name, (), int(seed.value), setup.compare)))
    _html(f"<small>{escape(names[setup.scenario][1])}</small>" if setup.scenario in names else "")
    compare_options = ["(none)"] + list(names)
    solara.Select("compare with (B: same seed, population and run settings)", values=compare_options,
                  value=setup.compare or "(none)",
                  on_value=lambda name: rebuild(Setup(setup.scenario, setup.overrides, setup.seed,
                                                      None if name == "(none)" else name,
                                                      setup.upload)))
    solara.InputInt("seed", value=seed, classes=["cogov-seed"])

    def set_population(key, value):
        if value is None:
            return
        other = "population.residents_per_community" if key == "population.n_communities" \
            else "population.n_communities"
        n = int(value) * int(value_of(other))
        if n > MAX_RESIDENTS or int(value) < 1:
            message.set(f"population: {n:,} residents; the app runs 1 to {MAX_RESIDENTS:,} "
                        "(communities x residents per community)")
            return
        set_edit(key, int(value))

    with solara.Row():
        solara.InputInt("communities", value=int(value_of("population.n_communities")),
                        on_value=lambda v: set_population("population.n_communities", v))
        solara.InputInt("residents per community",
                        value=int(value_of("population.residents_per_community")),
                        on_value=lambda v: set_population("population.residents_per_community", v),
                        classes=["cogov-residents"])
    with solara.Column(gap="0px"):  # always there: see App
        if edits.value:
            solara.Info(f"{len(edits.value)} change(s) take effect at Reset: "
                        + ", ".join(f"{k}={v}" for k, v in edits.value.items()),
                        classes=["cogov-edits"])
    _html("<b>Levers</b> (each bounded by its plausible range)")
    by_section: dict[str, list] = {}
    for lever in levers():
        by_section.setdefault(lever.section, []).append(lever)
    for section, items in by_section.items():
        with solara.Details(summary=section.replace("_", " "), expand=False):
            for lever in items:
                _LeverInput(lever, value_of(lever.key), set_edit)
    with solara.Details(summary="upload a scenario (YAML, at most 64 KB)"):
        solara.InputTextArea("scenario YAML (extends: may name a file of scenarios/)",
                             value=upload_text, rows=6)

        def use_upload():
            from .session import read_upload
            try:
                read_upload(upload_text.value)
            except ScenarioError as exc:
                message.set(str(exc))
                return
            rebuild(Setup(UPLOAD, (), int(seed.value), None, upload_text.value))
        solara.Button("Use this scenario", on_click=use_upload, classes=["cogov-upload"])


@solara.component
def _LeverInput(lever, value, set_edit):
    label = lever.label
    if lever.kind == "bool":
        solara.Checkbox(label=label, value=bool(value), on_value=lambda v: set_edit(lever.key, v))
    elif lever.kind == "choice":
        solara.Select(label, values=list(lever.options), value=value,
                      on_value=lambda v: set_edit(lever.key, v))
    elif lever.kind == "choices":
        solara.SelectMultiple(label, values=list(value), all_values=list(lever.options),
                              on_value=lambda v: set_edit(lever.key, list(v)))
    elif lever.kind == "int":
        solara.InputInt(label, value=int(value), on_value=lambda v: set_edit(lever.key, v, lever),
                        classes=[f"lever-{lever.key.replace('.', '-')}"])
    else:
        solara.InputFloat(label, value=float(value), on_value=lambda v: set_edit(lever.key, v, lever),
                          classes=[f"lever-{lever.key.replace('.', '-')}"])


@solara.component
def _Outcomes(session: Session, version: int):
    with session.lock:
        summary = session.summary()
        other = session.summary("B") if session.model_b is not None else None
        days, series = session.series(catalog.KEY_SERIES)
        diff = session.differences(catalog.KEY_SERIES) if other is not None else None
        if other is not None:
            _, series_b = session.series(catalog.KEY_SERIES, "B")
    _html("<h3>Headline numbers" + (" (A; B and A - B below each)" if other else "") + f" at day {session.day}</h3>")
    solara.HTML(unsafe_innerHTML=_kpis_html(summary, other))
    charts = []
    for name in catalog.KEY_SERIES:
        lines = {"A": series[name], "B": series_b[name]} if other is not None else {"": series[name]}
        charts.append(plots.line_chart(name, days, lines))
    bars = [(label, summary.get(key, math.nan)) for key, label in GROUPS]
    charts.append(plots.bar_chart("took part in the last year, by group", bars))
    _html("<h3>Over time</h3>")
    solara.HTML(unsafe_innerHTML='<div class="cogov-charts">' + "".join(charts) + "</div>")
    if diff is not None:
        d_days, d = diff
        zero = all((abs(v) == 0).all() for v in d.values())
        _html("<h3>Difference A - B (same seed: common random numbers)</h3>")
        solara.HTML(unsafe_innerHTML=f'<div class="cogov-diff" data-all-zero="{str(zero).lower()}">'
                    + ("<b>identical: every difference is exactly zero</b>" if zero else "")
                    + '<div class="cogov-charts">'
                    + "".join(plots.line_chart(n, d_days, {"A - B": d[n]},
                                               title=f"A - B: {catalog.axis_label(n)}", zero_line=True)
                              for n in catalog.KEY_SERIES) + "</div></div>")


@solara.component
def _Replications(session: Session, message, version: int):
    """The paired comparison of ``cogov compare`` for A and B, in a background process."""
    from .replications import MAX_REPS, MIN_REPS, table_html
    reps = solara.use_reactive(5)
    days = solara.use_reactive(365)
    tick = solara.use_reactive(0)
    job = session.replications
    state = job.state() if job is not None else ""
    _ = tick.value

    def watch(cancel: threading.Event):
        # redraw while the background process works; the model's thread is not involved
        while job is not None and not cancel.is_set():
            done = job.state() != "running"
            if not done and session.used_seconds() > model_seconds():
                session.cancel_replications()  # the session's model time is used up
                message.set(f"replications stopped: this session has used its "
                            f"{model_seconds():g} s of model time")
                done = True
            tick.set(tick.value + 1)
            if done:
                break
            cancel.wait(0.5)
    solara.use_thread(watch, dependencies=[id(job)], intrusive_cancel=False)

    _html("<h3>Replications (the paired comparison of <code>cogov compare</code>)</h3>")
    if session.model_b is None:
        _html("<small>Choose a scenario to compare with (B) to run paired replications of "
              "A and B.</small>", "cogov-reps-none")
        return

    def start():
        try:
            session.start_replications(int(reps.value or 0), int(days.value or 0))
        except (ValueError, Budget) as exc:
            message.set(str(exc))
            return
        message.set("")
        tick.set(tick.value + 1)

    def cancel():
        session.cancel_replications()
        tick.set(tick.value + 1)

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.InputInt(f"replications ({MIN_REPS}-{MAX_REPS})", value=reps,
                        style={"max-width": "150px"})
        solara.InputInt(f"days per replication (1-{MAX_DAY:,})", value=days,
                        style={"max-width": "190px"})
        if state == "running":
            solara.Button("Cancel replications", on_click=cancel, classes=["cogov-reps-cancel"])
        else:
            solara.Button("Run replications", on_click=start, classes=["cogov-reps"])
    if job is None:
        _html(f"<small>Replication i of both sides uses seed {session.setup.seed} + i (the page's "
              f"seed is the root); each run spins up {session.scenario.run.spin_up_days:,} days "
              "before day 0.</small>")
        return
    if state == "running":
        done, total = job.progress()
        _html(f'<span class="cogov-reps-progress">running in the background: {done} of {total} '
              f"replications done ({job.seconds():.0f} s)</span>")
        solara.ProgressLinear(value=100 * done / max(1, total))
    elif state == "failed":
        solara.Error(f"replications failed: {job.error()}", classes=["cogov-reps-error"])
    elif state == "done":
        import base64
        _html(f"<small>{job.reps} paired replications of {job.days:,} days in "
              f"{job.seconds():.1f} s; differences are A - B with 95% t-intervals over the "
              "pairs.</small>")
        solara.HTML(unsafe_innerHTML=table_html(job.effects(), job.names, job.reps))
        png = base64.b64encode(job.figure()).decode()
        solara.HTML(unsafe_innerHTML=f'<img class="cogov-forest" style="max-width: 850px" '
                    f'src="data:image/png;base64,{png}">')


@solara.component
def _Network(session: Session, ego, show, version: int):
    _html("<h3>Network</h3>")
    solara.Checkbox(label="show the network (grid level and one resident's ties)", value=show)
    if not show.value:
        return
    n = session.model.pop.n
    with solara.Row():
        solara.InputInt(f"resident (0-{n - 1:,})", value=ego, style={"max-width": "200px"})
    who = int(ego.value or 0)
    with session.lock:
        grid_svg = network.grid_graph(session.model)
        ego_svg = network.ego_network(session.model, who) if 0 <= who < n else None
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.HTML(unsafe_innerHTML=grid_svg)
        if ego_svg is None:
            solara.Error(f"resident: between 0 and {n - 1:,}")
        else:
            solara.HTML(unsafe_innerHTML=ego_svg)


@solara.component
def _Share(session: Session, version: int):
    _html("<h3>Download and share</h3>")
    files = downloads(session)
    with solara.Row(style={"flex-wrap": "wrap"}):
        for filename, make in files.items():
            solara.FileDownload(make, filename=filename, label=filename)
    try:
        query = session.setup.query(session.day)
    except ScenarioError as exc:
        solara.Text(str(exc))
        return
    solara.HTML(tag="div", unsafe_innerHTML=f'Link to this state: <a class="cogov-link" '
                f'href="?{query}">?{query}</a>')
