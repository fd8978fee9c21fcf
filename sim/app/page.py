"""The page (Solara components). Served by ``cogov app``; see :mod:`sim.app.server`.

Nothing is built at import: each visitor's :class:`~sim.app.session.Session` is made inside
:func:`Page`, and freed when the visitor's connection closes.

Why one long module: the page's components (controls, headline, charts, comparison, network, downloads) share one session and are laid out together.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from html import escape

import numpy as np
import reacton.core
import solara
import solara.server.kernel_context as kernel_context

from .. import catalog
from ..config import ScenarioError
from . import i18n, network, plots
from .assets import FONT_FAMILY, font_url
from .downloads import downloads
from .i18n import t
from .session import (MAX_DAY, MAX_RESIDENTS, MAX_SEED, UPLOAD, Budget, Session, Setup, admit,
                      levers, model_seconds, parse_number, parse_query, public_message,
                      resolve_setup, scenario_names)

REDRAW_SECONDS = 0.25       # the page redraws at most this often while the model runs
SPEEDS = (1.0, 10.0, 30.0, math.inf)  # days a second Play runs at (inf: as fast as possible)
GROUPS = [("participation_year_local", "locals"), ("participation_year_migrant", "migrants"),
          ("participation_year_age_18_29", "age 18-29"), ("participation_year_age_30_49", "age 30-49"),
          ("participation_year_age_50_59", "age 50-59"), ("participation_year_age_60_plus", "age 60+"),
          ("participation_year_party", "party members"), ("participation_year_nonparty", "non-members")]
SPINUP_SHOWN = 365          # days of the spin-up drawn before day 0
# seconds a spin-up takes per resident-day, measured at each Reset (a prior until then:
# 100,000 residents x 1,825 days in about 7 s on a 2-core server)
_RATE = {"s_per_resident_day": 4e-8}
CSS = """
@font-face { font-family: '%(font)s'; font-style: normal; font-weight: 400; font-display: swap;
  src: url('%(w400)s') format('woff2'); }
@font-face { font-family: '%(font)s'; font-style: normal; font-weight: 700; font-display: swap;
  src: url('%(w700)s') format('woff2'); }
.v-application, .v-application .body-1, .v-application .body-2, .v-application .caption,
.v-application .title, .v-application .headline, .cogov-chart, .cogov-network, body {
  font-family: Roboto, '%(font)s', sans-serif !important; }
.cogov-head h1 { font-size: 24px; margin: 0 0 4px 0; }
.cogov-head p { max-width: 980px; margin: 0 0 8px 0; color: #333; }
.cogov-lang button { min-width: 0 !important; }
.cogov-kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 6px; }
.cogov-kpi { border: 1px solid #ddd; border-radius: 4px; padding: 4px 8px; background: #fafafa; }
.cogov-kpi .v { font-size: 18px; font-weight: bold; }
.cogov-kpi .l { font-size: 12px; color: #444; }
.cogov-kpi .d { font-size: 12px; color: #a00; }
.cogov-kpi[title] { cursor: help; }
.cogov-charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 10px; }
.cogov-chart { width: 100%; height: auto; background: white; font-size: 13px; }
.cogov-chart .t { font-weight: bold; font-size: 14px; }
.cogov-chart .a { fill: #444; font-size: 12px; }
.cogov-chart .n { fill: #888; font-size: 11px; }
.cogov-chart .legend { font-size: 12px; }
.cogov-chart .hover rect { fill: #000; fill-opacity: 0; }
.cogov-chart .hover rect:hover { fill-opacity: 0.07; }
.cogov-network { max-width: 100%; height: auto; }
/* a field's label (meaning, unit, range) on lines of its own above the box, never cut off */
.v-text-field__slot { flex-wrap: wrap; }
.v-text-field__slot > label.v-label {
  position: static !important; transform: none !important; white-space: normal !important;
  max-width: 100% !important; width: 100%; height: auto !important; overflow: visible !important;
  text-overflow: clip !important; font-size: 12px; line-height: 1.35; }
.v-text-field:not(.v-select).v-input { padding-top: 4px; margin-top: 2px; }
/* Solara's badge sat over the downloads: it goes to the page's end, in the flow */
div:has(> b > a[href*="solara.dev"]) { position: static !important; text-align: right; }
.cogov-message { white-space: pre-wrap; }
.cogov-edits { overflow-wrap: anywhere; }
.cogov-reps-table { border-collapse: collapse; margin: 6px 0; }
.cogov-reps-table th, .cogov-reps-table td { padding: 2px 12px 2px 0; text-align: left; }
.cogov-reps-table tr:nth-child(even) td { background: #f6f6f6; }
"""
# in 中文 Solara's own badge ("This website runs on Solara") gives way to the page's line
CSS_ZH = """
div:has(> b > a[href*="solara.dev"]) { display: none !important; }
"""
CSS = CSS.replace("%(font)s", FONT_FAMILY).replace("%(w400)s", font_url(400)).replace(
    "%(w700)s", font_url(700))


def _kpis_html(summary: dict, other: dict | None = None, lang: str = "en") -> str:
    """The headline tiles; hovering one shows what it counts (the catalog's meaning)."""
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
            extra = (f'<div class="d">B: {_shown(o, b, lang)}; A - B: '
                     f'{plots.format_value(diff, o.kind, signed=True, lang=lang)}</div>')
        label = i18n.outcome_label(name, lang)
        unit = o.unit if lang != "zh" else {"yuan": "元", "days": "天"}.get(o.unit, o.unit)
        # the tile's definition on hover, declared in the catalog in both languages
        tip = i18n.outcome_meaning(name, lang)
        cells.append(f'<div class="cogov-kpi" data-name="{name}" title="{escape(tip)}">'
                     f'<div class="v">{_shown(o, value, lang)}</div>'
                     f'<div class="l">{escape(label)}{(f"（{unit}）" if lang == "zh" else f" ({unit})") if unit and unit not in label else ""}'
                     f'</div>{extra}</div>')
    return '<div class="cogov-kpis">' + "".join(cells) + "</div>"


def _shown(o, value, lang: str) -> str:
    """A tile's value (the catalog's format; "n/a" in the visitor's language)."""
    text = o.format(value)
    return i18n.t("na", lang) if text == "n/a" else text


def _speed_options(lang: str) -> dict[str, float]:
    return {(t("speed_max", lang) if r == math.inf else t("speed_days", lang, n=f"{r:g}")): r
            for r in SPEEDS}


def _seconds(s: float, lang: str) -> str:
    return t("under_second", lang) if s < 1 else t("seconds", lang, s=max(1.0, s))


def estimate_seconds(residents: int, spin_up_days: int) -> float:
    """The Reset's time at this server's measured speed (a fresh spin-up)."""
    return _RATE["s_per_resident_day"] * residents * max(spin_up_days, 1) + 0.05 * residents / 5000


def _learn_rate(residents: int, spin_up_days: int, seconds: float) -> None:
    """Keep the speed of a Reset that spun up (a kept spin-up is far quicker: not counted)."""
    if spin_up_days and seconds > 0.5:
        rate = seconds / (residents * spin_up_days)
        _RATE["s_per_resident_day"] = 0.5 * _RATE["s_per_resident_day"] + 0.5 * rate


def _lang_of(search: str | None) -> str:
    """The language the link asks for (``lang=zh``); English otherwise."""
    from urllib.parse import parse_qs
    try:
        wanted = parse_qs((search or "").lstrip("?")).get("lang", ["en"])[0]
    except ValueError:
        return "en"
    return wanted if wanted in i18n.LANGS else "en"


@solara.component
def Busy(lang: str):
    solara.Title(t("busy_title", lang))
    solara.Error(t("busy", lang), classes=["cogov-busy"])


@solara.component
def Page():
    router = solara.use_router()
    lang = solara.use_reactive(_lang_of(router.search))
    solara.Title(t("title", lang.value))
    solara.Style(CSS + (CSS_ZH if lang.value == "zh" else ""))
    context = kernel_context.get_current_context()
    admitted = solara.use_memo(lambda: admit(context), [])
    if admitted:
        App(lang)
    else:
        Busy(lang.value)


@solara.component
def App(lang_state):
    router = solara.use_router()
    lang = lang_state.value
    message = solara.use_reactive("")
    tick = solara.use_reactive(0)

    def say(text: str) -> None:
        """A message for the visitor: in their language, with no server path in it."""
        message.set(public_message(text) if not text or lang == "en"
                    else t("input_error", lang, error=i18n.message(public_message(text), lang)))

    def first_session():
        setup, day = Setup(), 0
        try:
            setup, day = parse_query(router.search)
        except ScenarioError as exc:
            message.set(t("bad_link", lang, error=i18n.message(public_message(str(exc)), lang)))
        s = Session(setup)
        s.step(day)
        return s

    session: Session = solara.use_memo(first_session, [])
    solara.use_memo(lambda: kernel_context.get_current_context().on_close(session.close), [])
    edits = solara.use_reactive({})          # lever and population values not yet applied
    seed = solara.use_reactive(session.setup.seed)
    running = solara.use_reactive("")        # "", "play" or "to"
    speed = solara.use_reactive(30.0)        # days a second (SPEEDS)
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
            say(str(exc))
            return False
        n = a.population.n_communities * a.population.residents_per_community
        d = a.run.spin_up_days
        est = _seconds(estimate_seconds(n, d) * (2 if setup.compare else 1), lang)
        years = t("years", lang, y=d / 365) if d >= 365 else ""
        with together():
            message.set("")
            spinning.set(t("spinning", lang, d=d, years=years, n=n, est=est,
                           each=t("each_side", lang) if setup.compare else "")
                         if d else t("building", lang, n=n, est=est))
            checked["setup"], checked["scenarios"] = setup, (a, b)
            checked["applied_edits"] = dict(edits.value)
            pending.set(setup)
        return True

    def builder(cancel: threading.Event):
        setup = pending.value
        if setup is None:
            return
        resolved = checked.get("scenarios") if checked.get("setup") is setup else None
        t0 = time.perf_counter()
        try:
            session.reset(setup, resolved)
        except (ScenarioError, Budget) as exc:
            failed = str(exc)
        except Exception as exc:  # noqa: BLE001 - a message, never a page stuck "spinning up"
            failed = t("failed", lang, error=type(exc).__name__)
        else:
            failed = None
            a = session.scenario
            _learn_rate(a.population.n_communities * a.population.residents_per_community,
                        a.run.spin_up_days, time.perf_counter() - t0)
        with together():  # one redraw shows the new model and its controls
            if failed is not None:
                say(failed)
            else:
                # only the changes this Reset applied: one typed while it ran stays pending
                applied = checked.get("applied_edits", {})
                edits.set({k: v for k, v in edits.value.items()
                           if k not in applied or applied[k] != v})
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

    def switch_scenario(name: str) -> None:
        """Another scenario: at once when nothing typed would be lost; else ask first."""
        if name == session.setup.scenario:
            return
        if edits.value:
            asking.set(name)
            return
        rebuild(Setup(name, (), int(seed.value), session.setup.compare))

    def confirm_switch(ok: bool) -> None:
        name = asking.value
        with together():
            asking.set(None)
            if ok and name:
                edits.set({})
                rebuild(Setup(name, (), int(seed.value), session.setup.compare))
            # (the scenario list shows the one asked about while asking, then the current one)

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
    asking = solara.use_reactive(None)       # the scenario a switch would load, if confirmed

    def step_once():
        try:
            session.step(1)
        except Budget as exc:
            say(str(exc))
        tick.set(tick.value + 1)

    def runner(cancel: threading.Event):
        mode = running.value
        if not mode:
            return
        goal = int(target_day.value) if mode == "to" else MAX_DAY
        rate = speed.value if mode == "play" else math.inf
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
            say(str(exc))
        if not cancel.is_set():
            running.set("")
        tick.set(tick.value + 1)

    solara.use_thread(runner, dependencies=[running.value], intrusive_cancel=False)

    names = scenario_names()
    setup = session.setup
    busy = pending.value is not None

    def set_lang(code: str) -> None:
        lang_state.set(code)
        try:  # the address bar keeps the language (a reload or a shared link opens in it)
            query = session.setup.query(session.day)
            router.push(f"?{query}&lang={code}" if code != "en" else f"?{query}")
        except Exception:  # noqa: BLE001 - an upload has no link; the language still switches
            pass

    # the grey band before day 0 is drawn where the model keeps its spin-up's last year
    spinup_note = t("intro_spinup", lang) if hasattr(session.model, "spinup_timeseries") else ""
    with solara.Row(style={"align-items": "flex-start", "justify-content": "space-between"}):
        _html(f"<h1>{escape(t('heading', lang))}</h1><p>"
              f"{escape(t('intro', lang, spin=session.scenario.run.spin_up_days, spinup=spinup_note))}</p>",
              "cogov-head")
        with solara.Row(classes=["cogov-lang"], gap="2px"):
            for code in i18n.LANGS:
                solara.Button(i18n.LANG_NAMES[code], on_click=lambda code=code: set_lang(code),
                              text=code != lang, color="primary" if code == lang else None,
                              classes=[f"cogov-lang-{code}"])
    with solara.Columns([1, 3]):
        with solara.Column():
            # the setup (not the version) so that the controls, a widget per lever, redraw
            # at a Reset and not at every step; the callbacks compare equal from render to
            # render (same code, same reactive variables in their closures)
            _Controls(session, names, edits, seed, rebuild, apply_and_reset, upload_text, say,
                      setup, lang, switch_scenario, asking.value)
            with solara.Column(gap="0px"):  # always there: see below
                if asking.value:
                    n = len(edits.value)
                    asked = i18n.scenario(asking.value, names.get(asking.value, (asking.value, "")),
                                          lang)[0]
                    solara.Warning(t("switch_body", lang, name=asked, n=n,
                                     changes=", ".join(f"{k}={v}" for k, v in edits.value.items())),
                                   classes=["cogov-switch"])
                    with solara.Row():
                        solara.Button(t("switch_ok", lang), on_click=lambda: confirm_switch(True),
                                      classes=["cogov-switch-ok"])
                        solara.Button(t("switch_cancel", lang), on_click=lambda: confirm_switch(False),
                                      classes=["cogov-switch-cancel"])
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
                solara.Text(t("day", lang, day=session.day), classes=["cogov-day"],
                            style={"font-size": "20px", "font-weight": "bold"})
                solara.Button(t("step", lang), on_click=step_once,
                              disabled=bool(running.value) or busy, classes=["cogov-step"])
                if running.value == "play":
                    solara.Button(t("pause", lang), on_click=lambda: running.set(""),
                                  classes=["cogov-pause"])
                else:
                    solara.Button(t("play", lang), on_click=lambda: running.set("play"),
                                  disabled=bool(running.value) or busy, classes=["cogov-play"])
                speeds = _speed_options(lang)
                solara.Select(t("speed", lang), values=list(speeds),
                              value=next(k for k, r in speeds.items() if r == speed.value),
                              on_value=lambda k: speed.set(speeds[k]), style={"max-width": "160px"})
                NumberField(t("run_to", lang), target_day.value, "int", 0, MAX_DAY,
                            lambda v: target_day.set(v), lang, style={"max-width": "130px"},
                            classes=["cogov-target"])

                def run_to():
                    running.set("to")
                solara.Button(t("run", lang), on_click=run_to,
                              disabled=bool(running.value) or busy, classes=["cogov-run-to"])
                a = session.scenario
                n_res = a.population.n_communities * a.population.residents_per_community
                est = estimate_seconds(n_res, a.run.spin_up_days) * (2 if setup.compare else 1)
                solara.Button(t("reset", lang), on_click=apply_and_reset, color="primary",
                              disabled=busy, classes=["cogov-reset"])
                solara.Text(t("reset_estimate", lang, s=_seconds(est, lang)),
                            classes=["cogov-reset-estimate"], style={"color": "#666"})
            if setup.scenario != UPLOAD:
                who = i18n.scenario(setup.scenario, names.get(setup.scenario, (setup.scenario, "")),
                                    lang)[0]
            else:
                who = t("uploaded", lang)
            vs = (t("vs", lang, name=i18n.scenario(setup.compare, names.get(
                setup.compare, (setup.compare, "")), lang)[0]) if setup.compare else "")
            _html(t("setup_line", lang, who=f"<b>{escape(who)}</b>", vs=escape(vs), seed=setup.seed,
                    n=session.model.pop.n)
                  + (t("changed", lang) + ", ".join(f"<code>{escape(f'{k}={v}')}</code>"
                                                    for k, v in setup.overrides)
                     if setup.overrides else ""), "cogov-setup")
            # the version makes these redraw when the model moved (Solara re-renders a
            # component only when its arguments change, and the session object stays the same)
            _Outcomes(session, session.version, lang)
            _Replications(session, say, session.version, lang)
            _Network(session, ego, show_network, session.version, lang)
            _Share(session, session.version, lang)


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
def NumberField(label: str, value, kind: str, lo, hi, on_value, lang: str, what: str | None = None,
                unit: str = "", classes: list | None = None, style: dict | None = None):
    """A number typed as text and checked by :func:`~sim.app.session.parse_number` (the rules
    of the schema): a mistake stays in the box with its message under it, in the visitor's
    language, and nothing is applied. Solara's own number boxes showed Python's wording
    ("could not convert string to float") and passed ``inf`` on to the model."""
    shown = "" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))
    text = solara.use_reactive(shown)
    error = solara.use_reactive("")
    last = solara.use_reactive(shown)
    if shown != last.value:  # the value changed from outside (a Reset): show it
        last.set(shown)
        text.set(shown)
        error.set("")

    def typed(new: str | None) -> None:
        text.set(new or "")
        try:
            v = parse_number(new or "", kind, lo, hi, what or label, lang, unit)
        except ScenarioError as exc:
            error.set(i18n.message(public_message(str(exc)), lang))
            return
        error.set("")
        on_value(v)

    solara.InputText(label, value=text.value, on_value=typed, error=error.value or False,
                     classes=["cogov-number", *(classes or [])], style=style)


@solara.component
def _Controls(session, names, edits, seed, rebuild, apply_and_reset, upload_text, say,
              setup, lang, switch_scenario, asking):
    current = session.scenario.model_dump(mode="json")

    def value_of(key):
        return edits.value[key] if key in edits.value else _get(current, key)

    def set_edit(key, value):
        say("")
        edits.set({**edits.value, key: value})

    options = list(names) + ([UPLOAD] if setup.scenario == UPLOAD else [])
    # while the page asks whether to drop the changes the list shows the scenario asked
    # about; refused, it shows the current one again
    solara.Select(t("scenario", lang), values=options, value=asking or setup.scenario,
                  on_value=switch_scenario)
    if setup.scenario in names:
        _html(f"<small>{escape(i18n.scenario(setup.scenario, names[setup.scenario], lang)[1])}</small>",
              "cogov-description")
    else:
        _html("")
    none = t("none", lang)
    compare_options = [none] + list(names)
    solara.Select(t("compare", lang), values=compare_options,
                  value=setup.compare or none,
                  on_value=lambda name: rebuild(Setup(setup.scenario, setup.overrides, setup.seed,
                                                      None if name == none else name,
                                                      setup.upload)))
    NumberField(t("seed", lang), seed.value, "int", 0, MAX_SEED, lambda v: seed.set(v), lang,
                classes=["cogov-seed"])

    def set_population(key, value):
        other = "population.residents_per_community" if key == "population.n_communities" \
            else "population.n_communities"
        n = int(value) * int(value_of(other))
        if n > MAX_RESIDENTS or int(value) < 1:
            say(t("population", lang, n=f"{n:,}", max=MAX_RESIDENTS))
            return
        set_edit(key, int(value))

    with solara.Row():
        # no upper bound here: set_population names the limit of their product
        NumberField(t("communities", lang), int(value_of("population.n_communities")), "int",
                    None, None, lambda v: set_population("population.n_communities", v), lang,
                    classes=["cogov-communities"])
        NumberField(t("residents", lang), int(value_of("population.residents_per_community")),
                    "int", None, None,
                    lambda v: set_population("population.residents_per_community", v), lang,
                    classes=["cogov-residents"])
    with solara.Column(gap="0px"):  # always there: see App
        if edits.value:
            solara.Info(t("changes", lang, n=len(edits.value))
                        + ", ".join(f"{k}={v}" for k, v in edits.value.items()),
                        classes=["cogov-edits"])
    _html(t("levers", lang))
    by_section: dict[str, list] = {}
    for lever in levers():
        by_section.setdefault(lever.section, []).append(lever)
    for section, items in by_section.items():
        _LeverSection(i18n.section(section, lang), items, [value_of(lv.key) for lv in items],
                      set_edit, lang)
    with solara.Details(summary=t("upload", lang)):
        solara.InputTextArea(t("upload_box", lang), value=upload_text, rows=6)

        def use_upload():
            from .session import read_upload
            try:
                read_upload(upload_text.value)
            except ScenarioError as exc:
                say(str(exc))
                return
            rebuild(Setup(UPLOAD, (), int(seed.value), None, upload_text.value))
        solara.Button(t("use_upload", lang), on_click=use_upload, classes=["cogov-upload"])


@solara.component
def _LeverSection(title: str, items: list, values: list, set_edit, lang: str):
    """One section of levers, folded; its controls are made only when it is opened (forty
    lever widgets in folded sections slowed every visitor's first page)."""
    from solara.alias import rv
    opened = solara.use_reactive(False)

    def on_v_model(v):
        opened.set(v == 0)

    with rv.ExpansionPanels(v_model=0 if opened.value else None, on_v_model=on_v_model):
        with rv.ExpansionPanel():
            rv.ExpansionPanelHeader(children=[title])
            with rv.ExpansionPanelContent():
                if opened.value:
                    for lever, value in zip(items, values):
                        _LeverInput(lever, value, set_edit, lang)


@solara.component
def _LeverInput(lever, value, set_edit, lang):
    label = lever.label_in(lang)
    if lever.kind == "bool":
        solara.Checkbox(label=label, value=bool(value), on_value=lambda v: set_edit(lever.key, v))
    elif lever.kind in ("choice", "choices"):
        # each option by its name in the visitor's language; the schema's option is applied
        shown = {lever.option_label(o, lang): o for o in lever.options}
        name = {o: k for k, o in shown.items()}
        if lever.kind == "choice":
            solara.Select(label, values=list(shown), value=name.get(value, value),
                          on_value=lambda v: set_edit(lever.key, shown.get(v, v)))
        else:
            solara.SelectMultiple(label, values=[name.get(o, o) for o in value],
                                  all_values=list(shown),
                                  on_value=lambda v: set_edit(lever.key, [shown.get(k, k) for k in v]))
    else:
        NumberField(label, value, lever.kind, lever.lo, lever.hi,
                    lambda v: set_edit(lever.key, v), lang, what=lever.key,
                    unit=i18n.unit(lever.unit, lang),
                    classes=[f"lever-{lever.key.replace('.', '-')}"])


def _with_spinup(model, days, series: dict, names) -> tuple:
    """The spin-up's last year before day 0 (``model.spinup_timeseries()``, negative days)
    joined to the reported days; without it (an older model) day 0's own values from the
    summary, so that no chart is empty at day 0."""
    get = getattr(model, "spinup_timeseries", None)
    pre = None
    if get is not None:
        try:
            pre = get()
        except Exception:  # noqa: BLE001 - the reported days are drawn all the same
            pre = None
    if pre is not None and len(pre):
        pre = pre[pre["day"] >= -SPINUP_SHOWN]
        d = np.concatenate([np.asarray(pre["day"], float), days])
        return d, {n: np.concatenate([np.asarray(pre[n], float) if n in pre else
                                      np.full(len(pre), np.nan), series[n]]) for n in names}
    if len(days) == 0:
        summary = model.summary()
        return np.array([0.0]), {n: np.array([float(summary.get(n, np.nan))]) for n in names}
    return days, series


SPANS = (None, 365, 90, 30)  # days the charts show back from today (None: all)


def _span_options(lang: str) -> dict[str, int | None]:
    return {(t("span_all", lang) if n is None else t("span_days", lang, n=n)): n for n in SPANS}


def _last(days: np.ndarray, series: dict, span: int | None, today: int) -> tuple:
    """The days (and values) of the last ``span`` days before ``today`` (all for None)."""
    if span is None or len(days) == 0:
        return days, series
    keep = days >= today - span
    return days[keep], {k: np.asarray(v)[keep] for k, v in series.items()}


@solara.component
def _Outcomes(session: Session, version: int, lang: str):
    names = catalog.KEY_SERIES
    span = solara.use_reactive(None)
    with session.lock:
        summary = session.summary()
        other = session.summary("B") if session.model_b is not None else None
        days, series = session.series(names)
        days_a, series = _with_spinup(session.model, days, series, names)
        diff = session.differences(names) if other is not None else None
        if other is not None:
            _, series_b = session.series(names, "B")
            days_b, series_b = _with_spinup(session.model_b, days, series_b, names)
    setup = session.setup
    scenario_names_ = scenario_names()

    def name_of(stem):
        if stem == UPLOAD:
            return t("uploaded", lang)
        return i18n.scenario(stem, scenario_names_.get(stem, (stem, "")), lang)[0]

    head = "headline_ab" if other else "headline"
    # data-day: the day these numbers and charts are of (tests wait on it)
    _html(f'<h3 class="cogov-headline-day" data-day="{session.day}">'
          f"{escape(t(head, lang, day=session.day))}</h3>")
    solara.HTML(unsafe_innerHTML=_kpis_html(summary, other, lang))
    options = _span_options(lang)
    chosen = next((k for k, v in options.items() if v == span.value), t("span_all", lang))
    days_a, series = _last(days_a, series, span.value, session.day)
    if other is not None:
        _, series_b = _last(days_b, series_b, span.value, session.day)
    charts = []
    for name in names:
        if other is not None:
            lines = {f"A: {name_of(setup.scenario)}": series[name],
                     f"B: {name_of(setup.compare)}": series_b[name]}
        else:
            lines = {"": series[name]}
        charts.append(plots.line_chart(name, days_a, lines, lang))
    bars = [(i18n.outcome_label(key, lang).split("：")[-1].split(": ")[-1], summary.get(key, math.nan))
            for key, _ in GROUPS]
    charts.append(plots.bar_chart(t("by_group", lang), bars, lang=lang))
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        _html(f"<h3>{escape(t('over_time', lang))}</h3>")
        solara.Select(t("shown", lang), values=list(options), value=chosen,
                      on_value=lambda k: span.set(options.get(k)), style={"max-width": "200px"},
                      classes=["cogov-span"])
        _html(f"<small>{escape(t('hover_hint', lang))}</small>")
    solara.HTML(unsafe_innerHTML='<div class="cogov-charts">' + "".join(charts) + "</div>")
    if diff is not None:
        d_days, d = diff
        d_days, d = _last(np.asarray(d_days, float), d, span.value, session.day)
        zero = all((abs(v) == 0).all() for v in d.values())
        _html(f"<h3>{escape(t('diff_head', lang))}</h3>")
        solara.HTML(unsafe_innerHTML=f'<div class="cogov-diff" data-all-zero="{str(zero).lower()}">'
                    + (f"<b>{escape(t('identical', lang))}</b>" if zero else "")
                    + '<div class="cogov-charts">'
                    + "".join(plots.line_chart(n, d_days, {"A - B": d[n]}, lang,
                                               title=f"A - B: {i18n.outcome_label(n, lang)}",
                                               zero_line=True, difference=True)
                              for n in names) + "</div></div>")


@solara.component
def _Replications(session: Session, say, version: int, lang: str):
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
                say(t("reps_stopped", lang, s=model_seconds()))
                done = True
            tick.set(tick.value + 1)
            if done:
                break
            cancel.wait(0.5)
    solara.use_thread(watch, dependencies=[id(job)], intrusive_cancel=False)

    _html(f"<h3>{t('replications', lang)}</h3>")
    if session.model_b is None:
        _html(f"<small>{escape(t('reps_none', lang))}</small>", "cogov-reps-none")
        return

    def start():
        try:
            session.start_replications(int(reps.value or 0), int(days.value or 0), lang)
        except (ValueError, Budget) as exc:
            say(str(exc))
            return
        say("")
        tick.set(tick.value + 1)

    def cancel():
        session.cancel_replications()
        tick.set(tick.value + 1)

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        NumberField(t("reps_n", lang, lo=MIN_REPS, hi=MAX_REPS), reps.value, "int", MIN_REPS, MAX_REPS,
                    lambda v: reps.set(v), lang, style={"max-width": "170px"},
                    classes=["cogov-reps-n"])
        NumberField(t("reps_days", lang, hi=MAX_DAY), days.value, "int", 1, MAX_DAY,
                    lambda v: days.set(v), lang, style={"max-width": "210px"},
                    classes=["cogov-reps-days"])
        if state == "running":
            solara.Button(t("reps_cancel", lang), on_click=cancel, classes=["cogov-reps-cancel"])
        else:
            solara.Button(t("reps_run", lang), on_click=start, classes=["cogov-reps"])
    if job is None:
        _html(f"<small>{escape(t('reps_note', lang, seed=session.setup.seed, spin=session.scenario.run.spin_up_days))}</small>")
        return
    if state == "running":
        done, total = job.progress()
        _html(f'<span class="cogov-reps-progress">'
              f'{escape(t("reps_progress", lang, done=done, total=total, s=job.seconds()))}</span>')
        solara.ProgressLinear(value=100 * done / max(1, total))
    elif state == "failed":
        solara.Error(t("reps_failed", lang, error=public_message(str(job.error()))),
                     classes=["cogov-reps-error"])
    elif state == "done":
        import base64
        _html(f"<small>{escape(t('reps_done', lang, reps=job.reps, days=job.days, s=job.seconds()))}"
              "</small>")
        solara.HTML(unsafe_innerHTML=table_html(job.effects(), job.names, job.reps, lang))
        png = base64.b64encode(job.figure()).decode()
        solara.HTML(unsafe_innerHTML=f'<img class="cogov-forest" style="max-width: 100%" '
                    f'src="data:image/png;base64,{png}">')


@solara.component
def _Network(session: Session, ego, show, version: int, lang: str):
    _html(f"<h3>{escape(t('network', lang))}</h3>")
    solara.Checkbox(label=t("show_network", lang), value=show)
    if not show.value:
        return
    n = session.model.pop.n
    with solara.Row():
        NumberField(t("resident", lang, hi=n - 1),
                    ego.value, "int", 0, n - 1, lambda v: ego.set(v), lang,
                    style={"max-width": "220px"}, classes=["cogov-ego"])
    who = int(ego.value or 0)
    with session.lock:
        grid_svg = network.grid_graph(session.model, lang=lang)
        ego_svg = network.ego_network(session.model, who, lang) if 0 <= who < n else None
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.HTML(unsafe_innerHTML=grid_svg)
        if ego_svg is None:
            solara.Error(t("ego_range", lang, max=n - 1))
        else:
            solara.HTML(unsafe_innerHTML=ego_svg)


@solara.component
def _Share(session: Session, version: int, lang: str):
    _html(f"<h3>{escape(t('share', lang))}</h3>")
    files = downloads(session)
    with solara.Row(style={"flex-wrap": "wrap"}):
        for filename, make in files.items():
            solara.FileDownload(make, filename=filename, label=filename)
    try:
        query = session.setup.query(session.day)
    except ScenarioError as exc:
        solara.Text(i18n.message(str(exc), lang))
        return
    if lang != "en":
        query += f"&lang={lang}"
    solara.HTML(tag="div", unsafe_innerHTML=f'{escape(t("link", lang))}<a class="cogov-link" '
                f'href="?{query}">?{escape(query)}</a>')
    if lang == "zh":  # Solara's badge, hidden in 中文 (CSS_ZH), in the visitor's language
        before, after = t("solara_badge", lang).split("Solara")
        _html(f'<small>{escape(before)}<a href="https://solara.dev">Solara</a>{escape(after)}</small>',
              "cogov-solara")
