"""The app's session logic without a browser: setups, links, limits, uploads, downloads."""

import json
import math
from html import escape

import pytest

from sim import catalog
from sim.app.downloads import downloads
from sim.app.network import EGO_MAX, ego_nodes, grid_graph
from sim.app.session import (MAX_RESIDENTS, Session, Setup, levers, parse_query, read_upload,
                             resolve_setup, scenario_names)
from sim.config import ScenarioError, load_scenario
from sim.params import iter_parameters, plausible_range
from sim.study.results import json_text
from sim.study.runner import run_one
from sim.spinup import disabled as shared_off

SMALL = (("population.residents_per_community", 600),)


def test_every_lever_of_the_schema_has_a_control():
    keys = {lv.key for lv in levers()}
    declared = {p for p, f, _ in iter_parameters() if (f.json_schema_extra or {}).get("role") == "lever"}
    assert keys == declared
    duty = next(lv for lv in levers() if lv.key == "committee.pushed_down_duty_items")
    assert duty.kind == "int" and "items" in duty.label
    assert (duty.lo, duty.hi) == plausible_range("committee.pushed_down_duty_items")  # not 0-1,000
    with pytest.raises(ScenarioError, match="outside"):
        duty.check(duty.hi + 1)


def test_scenarios_are_offered_by_name_and_no_path_is_accepted():
    names = scenario_names()
    assert names["baseline"][0] == "baseline" and names["baseline"][1]
    for bad in ("../../etc/passwd", "/etc/passwd", "baseline.yaml", "nope"):
        with pytest.raises(ScenarioError, match="unknown scenario"):
            parse_query(f"scenario={bad}")


def test_link_round_trips_and_stepping_matches_run_one():
    setup = Setup("lever_grid", SMALL + (("grid.workers_per_grid", 1.5),), 4)
    again, day = parse_query(setup.query(9))
    assert again == setup and day == 9
    s = Session(again)
    s.step(9)
    ref = run_one(load_scenario("scenarios/lever_grid.yaml", setup.set_args()), 4, days=9)
    assert json_text(s.summary()) == json_text(ref.summary)


def test_limits_give_messages():
    with pytest.raises(ScenarioError, match=f"{MAX_RESIDENTS:,}"):
        resolve_setup(Setup("baseline", (("population.n_communities", 40),
                                         ("population.residents_per_community", 3000))))
    with pytest.raises(ScenarioError, match="unknown key"):
        parse_query("set=committee.nope%3D1")
    with pytest.raises(ScenarioError, match="day must be between"):
        parse_query("day=5000")


def test_uploads_are_checked_and_extend_only_scenarios():
    data = read_upload("extends: baseline.yaml\npopulation:\n  residents_per_community: 700\n")
    assert data["population"]["residents_per_community"] == 700
    assert data["committee"]["pushed_down_duty_items"] == 200  # from baseline.yaml
    for text, msg in [("extends: ../../etc/passwd\n", "may only name"),
                      ("committee:\n  nope: 1\n", "unknown key"),
                      ("x" * 70_000, "bytes"), ("[1, 2", "not valid YAML")]:
        with pytest.raises(ScenarioError, match=msg):
            read_upload(text)


def test_same_scenario_both_sides_is_exactly_zero_and_downloads_reproduce():
    s = Session(Setup("baseline", SMALL, 2, compare="baseline"))
    s.step(6)
    _, diff = s.differences(["participation_30d", "trust_mean"])
    assert all((v == 0).all() and len(v) == 6 for v in diff.values())
    files = {k: f() for k, f in downloads(s).items()}
    manifest = json.loads(files["manifest.json"])
    assert manifest["scenario"]["run"]["days"] == 6 and manifest["seed"] == 2
    assert manifest["overrides"] == ["population.residents_per_community=600"]
    assert files["summary.json"].decode() == json_text(s.summary())
    assert files["timeseries.csv"].decode().startswith("day,")


def test_network_views_stay_small():
    s = Session(Setup("baseline", (("population.residents_per_community", 3000),), 1))
    s.step(2)
    nodes = ego_nodes(s.model.adj, 0, limit=EGO_MAX)
    assert len(nodes) <= EGO_MAX and nodes[0] == (0, 0) and max(d for _, d in nodes) <= 2
    assert 'class="cogov-network"' in grid_graph(s.model)
    assert math.isfinite(s.summary()["participation_year"])


def _trace(model, days):
    out = []
    for _ in range(days):
        model.step()
        out.append(json_text(model.summary()))
    return out, model.datacollector.model_vars


@pytest.mark.parametrize("overrides", [
    {},                                                       # the baseline's own levers
    {"committee.pushed_down_duty_items": 97},                 # a lever from day 0
    {"committee.pushed_down_duty_items": 97, "run.policy_start_day": 3},  # from day 3
])
def test_a_kept_spin_up_gives_the_model_the_constructor_gives(overrides):
    from sim.app import spinup
    from sim.model import CoGovModel
    base = {"population.residents_per_community": 400, "run.spin_up_days": 40}
    from sim import spinup as shared
    spinup.clear()
    first = spinup.build(load_scenario("scenarios/lever_grid.yaml", base), 3)  # fills the cache
    sc = load_scenario("scenarios/lever_grid.yaml", {**base, **overrides})
    hits = shared.stats["memory_hits"]
    kept = spinup.build(sc, 3)
    # a lever, or a run setting that acts from day 0 only, shares the spun-up state
    assert shared.stats["memory_hits"] == hits + 1
    assert len(shared.memory_keys()) == 1
    with shared_off():
        fresh = CoGovModel(sc, rng=3)
    assert kept.day == fresh.day == 0
    assert _trace(kept, 8) == _trace(fresh, 8)
    assert first.day == 0  # copies do not share state


def test_a_spin_up_prepared_ahead_is_the_one_the_reset_uses():
    from sim.app import spinup
    from sim.model import CoGovModel
    from sim import spinup as shared
    tiny = SMALL + (("run.spin_up_days", 30),)
    spinup.clear()
    s = Session(Setup("baseline", tiny, 1))
    before = s.used_seconds()
    wish = Setup("baseline", tiny + (("committee.pushed_down_duty_items", 97),), 2)


    def prepare(setup):
        s.prepare(setup)
        thread = s._preparing
        if thread is not None:
            thread.join(120)
        assert s._preparing is None

    prepare(Setup("baseline", (("population.unknown_key", 1),), 2))  # a mistake is skipped
    assert len(shared.memory_keys()) == 1
    sc = resolve_setup(wish)
    assert not spinup.is_warm(sc, 2)
    prepare(wish)
    assert spinup.is_warm(sc, 2)     # spun up (at baseline levers) before the Reset
    assert s.used_seconds() > before  # and counted as the session's model time
    s.reset(wish)
    with shared_off():
        fresh = CoGovModel(sc, rng=2)
    assert _trace(s.model, 5) == _trace(fresh, 5)


def test_session_limits_count_the_spin_up_and_replications(monkeypatch):
    from sim.app import session as session_mod
    s = Session(Setup("baseline", SMALL + (("run.spin_up_days", 30),), 1))
    assert s.used_seconds() > 0  # building (with its spin-up) is model time
    monkeypatch.setenv("COGOV_APP_MODEL_SECONDS", str(s.used_seconds() / 2))
    with pytest.raises(session_mod.Budget, match="model time"):
        s.step(1)
    with pytest.raises(session_mod.Budget, match="model time"):
        s.reset(Setup("baseline", SMALL, 2))
    assert s.day == 0


def test_replications_match_cogov_compare(tmp_path):
    import pandas as pd
    from sim.cli import main
    tiny = SMALL + (("run.spin_up_days", 10),)
    s = Session(Setup("lever_grid", tiny, 4, compare="baseline"))
    with pytest.raises(ValueError, match="between 2 and 20"):
        s.start_replications(21, 10)
    job = s.start_replications(3, 10)
    job.process.join(300)
    assert job.state() == "done", job.error()
    mine = pd.DataFrame(job.effects()).set_index("outcome")
    code = main(["compare", "scenarios/baseline.yaml", "scenarios/lever_grid.yaml", "--reps", "3",
                 "--seed", "4", "--days", "10", "--set", "population.residents_per_community=600",
                 "--set", "run.spin_up_days=10", "--out", str(tmp_path / "c"), "--no-figures"])
    assert code == 0
    ref = pd.read_parquet(tmp_path / "c" / "effects.parquet").set_index("outcome")
    for col in ("base_mean", "alt_mean", "diff", "ci_low", "ci_high"):
        pd.testing.assert_series_equal(mine[col], ref[col], check_names=False)
    folder = job.folder
    s.close()
    assert not folder.exists() and s.replications is None


# ------------------------------------------------------------------ two languages
def test_every_lever_scenario_and_shown_outcome_has_its_chinese():
    from pathlib import Path
    from sim import catalog
    from sim.app import i18n
    from sim.app.page import GROUPS
    for lv in levers():
        assert lv.zh and any("\u4e00" <= c <= "\u9fff" for c in lv.zh), lv.key
        if lv.unit not in ("switch", "rule", "format"):
            assert lv.unit in i18n.UNITS_ZH, lv.unit  # the label shows the unit in Chinese
            assert i18n.UNITS_ZH[lv.unit] in lv.label_in("zh")
        assert i18n.section(lv.section, "zh") in i18n.SECTIONS_ZH.values()
    stems = {p.stem for p in Path("scenarios").glob("*.yaml")}
    assert stems == set(i18n.SCENARIOS_ZH)  # every scenario file, and no stale entry
    shown = set(catalog.KEY_OUTCOMES) | set(catalog.KEY_SERIES) | {k for k, _ in GROUPS} | {
        k for k in catalog.OUTCOMES if k.startswith("spend_")}
    assert all(catalog.OUTCOMES[k].zh for k in shown), [k for k in shown if not catalog.OUTCOMES[k].zh]
    assert set(catalog.LABEL_ZH) <= set(catalog.OUTCOMES)
    for key, (en, zh) in i18n.TEXT.items():  # the same fields in both languages
        import string
        fields = lambda s: sorted(f for _, f, _, _ in string.Formatter().parse(s) if f)  # noqa: E731
        assert fields(en) == fields(zh), key


def test_typed_numbers_are_checked_in_the_visitors_language():
    from sim.app.session import MAX_SEED, parse_number
    duty = next(lv for lv in levers() if lv.key == "committee.pushed_down_duty_items")
    budget = next(lv for lv in levers() if lv.key == "committee.office_budget_yuan")
    for bad in ("inf", "-inf", "nan", "1e400", "text", "9" * 60, "", "1.5", "-1", 1e400, None):
        for lever in (duty, budget):
            if bad == "1.5" and lever is budget:
                continue
            for lang in ("en", "zh"):
                with pytest.raises(ScenarioError) as info:
                    lever.check(bad, lang)
                msg = str(info.value)
                assert "Traceback" not in msg and "could not convert" not in msg
                assert lever.key in msg
                if lang == "zh":
                    assert any("\u4e00" <= c <= "\u9fff" for c in msg)
    assert duty.check("97") == 97 and budget.check("2e5") == 200000.0
    assert parse_number(str(MAX_SEED), "int", 0, MAX_SEED, "seed") == MAX_SEED
    with pytest.raises(ScenarioError):
        parse_number(str(MAX_SEED + 1), "int", 0, MAX_SEED, "seed")
    # a seed the page would not take is refused before any model is built
    with pytest.raises(ScenarioError, match="seed"):
        resolve_setup(Setup("baseline", SMALL, -1))


def test_uploads_are_refused_as_cogov_run_refuses_them():
    cases = {"": "empty", "# only a comment\n": "empty",
             "meta: {name: a}\nmeta: {name: b}\n": "duplicate key",
             "a: " + "[" * 15_000 + "]" * 15_000 + "\n": "nested",
             "a:\n" + "".join(" " * (2 * i) + f"k{i}:\n" for i in range(1, 15_000)): "nested|bytes",  # 15,000 levels of indentation pass 64 KB
             "population:\n  residents_per_community: many\n": "valid integer",
             "committee: 5\n": "committee", "- 1\n- 2\n": "mapping"}
    for text, expected in cases.items():
        with pytest.raises(ScenarioError, match=expected):
            read_upload(text)


def test_messages_never_show_the_servers_paths():
    from sim.app.session import SCENARIOS, public_message
    text = f"{SCENARIOS}/baseline.yaml: bad key; see /usr/lib/python3/x.py"
    shown = public_message(text)
    assert str(SCENARIOS.parent) not in shown and "/usr/lib" not in shown
    assert "scenarios/baseline.yaml" in shown and "x.py" in shown


def test_the_manifests_command_line_has_every_setting():
    import shlex
    s = Session(Setup("lever_grid", SMALL + (("grid.workers_per_grid", 1.5),), 7))
    s.step(4)
    manifest = json.loads(downloads(s)["manifest.json"]())
    line = shlex.split(manifest["command_line"])
    assert line[:3] == ["cogov", "run", "scenarios/lever_grid.yaml"]
    assert line[line.index("--seed") + 1] == "7" and line[line.index("--days") + 1] == "4"
    assert "population.residents_per_community=600" in line and "grid.workers_per_grid=1.5" in line
    # an upload is saved beside the files it produced, and the command reruns the resolved file
    text = "extends: baseline.yaml\npopulation:\n  residents_per_community: 600\n"
    u = Session(Setup("upload", (), 3, None, text))
    u.step(2)
    files = downloads(u)
    assert files["uploaded.yaml"]().decode() == text
    m = json.loads(files["manifest.json"]())
    assert shlex.split(m["command_line"])[2] == "scenario.yaml" and "--days" in m["command_line"]
    assert m["uploaded_file"] == "uploaded.yaml"


@pytest.mark.parametrize("lo, hi, kind", [
    (0.27, 0.2704, "share"), (0.48, 0.4801, "index"), (11, 16, "count"), (0, 3, "count"),
    (13, 14, "count"), (0, 357_763.95, "yuan"), (-0.001, 0.002, "share"), (-365, 45, "count"),
    (0, 0.75, "index"), (5.4, 5.6, "days"), (1e-7, 3e-7, "index"), (0, 1, "count")])
def test_tick_labels_never_repeat_and_counts_are_whole(lo, hi, kind):
    from sim.app.plots import tick_labels, ticks
    values = ticks(lo, hi, 5, integer=kind == "count")
    labels = tick_labels(values, kind)
    assert len(values) >= 1 and len(set(labels)) == len(labels), labels
    if kind == "count":
        assert all(v == int(v) for v in values), values
        assert all("." not in lab for lab in labels), labels


def test_charts_name_axes_and_scenarios_and_draw_the_day_0_state():
    import re
    import numpy as np
    from sim.app import plots
    svg = plots.line_chart("organizations", np.arange(-3, 3), {"A: baseline": np.array([3, 3, 4, 4, 5, 5]),
                                                              "B: lever_grid": np.array([3, 3, 4, 5, 6, 6])})
    assert "organizations" in svg and "A: baseline" in svg and "B: lever_grid" in svg
    assert "spin-up" in svg and "<title>Day 2: A: baseline 5; B: lever_grid 6</title>" in svg
    ticks = re.findall(r'class="ytick">([^<]*)<', svg)
    assert ticks and len(set(ticks)) == len(ticks) and all(t.isdigit() for t in ticks)
    one = plots.line_chart("trust_mean", np.array([0.0]), {"": np.array([0.49])}, "zh")
    assert "<circle" in one and "信任" in one
    assert plots.format_value(6.0, "count", signed=True) == "+6"
    assert plots.format_value(357763.95, "yuan", signed=True) == "+357,764"
    assert plots.format_value(0.012, "share", signed=True) == "+1.2 pts"


def test_the_grid_graph_draws_each_community_apart():
    import re
    s = Session(Setup("baseline", (("population.n_communities", 3),
                                   ("population.residents_per_community", 600),
                                   ("run.spin_up_days", 20)), 1))
    svg = grid_graph(s.model)
    assert 'data-communities="3"' in svg
    panels = [tuple(map(float, m)) for m in re.findall(
        r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"[^>]*class="cogov-community"', svg)]
    assert len(panels) == 3
    for cx, cy, comm in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"[^>]*><title>community (\d+),', svg):
        x, y, w, h = panels[int(comm) - 1]
        assert x <= float(cx) <= x + w and y <= float(cy) <= y + h  # every grid in its own panel


def test_matplotlib_draws_chinese_with_the_shipped_font(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager
    from sim.app.assets import FONT_FAMILY, missing, use_font_in_matplotlib
    assert missing() == [], "fetch the front-end files: python -m sim.app.assets"
    assert use_font_in_matplotlib()
    found = font_manager.findfont(font_manager.FontProperties(family=FONT_FAMILY), fallback_to_default=False)
    assert found.endswith(".ttf")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would be a warning
        fig, ax = plt.subplots()
        ax.set_title("court (诉讼) 调解矛盾不过夜")
        fig.savefig(tmp_path / "zh.png")
        plt.close(fig)


def test_the_charts_zoom_to_the_last_days():
    import numpy as np
    from sim.app.page import _last, _span_options
    days = np.arange(-365, 100, dtype=float)
    d, s = _last(days, {"x": days * 2}, 90, 99)
    assert d[0] == 9 and d[-1] == 99 and (s["x"] == d * 2).all()
    assert _last(days, {"x": days}, None, 99)[0] is days
    assert list(_span_options("zh"))[0] == "全部" and list(_span_options("en").values()) == [None, 365, 90, 30]


def test_the_spin_ups_last_year_is_drawn_before_day_0_where_the_model_keeps_it():
    import numpy as np
    import pandas as pd
    from sim.app.page import SPINUP_SHOWN, _with_spinup

    class Kept:  # a model that offers its spin-up's daily rows (negative days)
        def spinup_timeseries(self):
            return pd.DataFrame({"day": np.arange(-500, 0), "trust_mean": np.full(500, 0.4)})

        def summary(self):
            return {"trust_mean": 0.5}

    class Older(Kept):  # an older model without them
        spinup_timeseries = None

    days, series = np.array([0.0, 1.0]), {"trust_mean": np.array([0.5, 0.6])}
    d, s = _with_spinup(Kept(), days, series, ["trust_mean"])
    assert d[0] == -SPINUP_SHOWN and d[-1] == 1 and len(d) == SPINUP_SHOWN + 2
    assert s["trust_mean"][0] == 0.4 and s["trust_mean"][-1] == 0.6
    # without it: the reported days as they are, and day 0's own value before any step
    assert _with_spinup(Older(), days, series, ["trust_mean"])[0] is days
    d, s = _with_spinup(Older(), np.array([]), {"trust_mean": np.array([])}, ["trust_mean"])
    assert list(d) == [0.0] and list(s["trust_mean"]) == [0.5]


def test_every_community_type_has_its_colour_and_chinese_name():
    from sim.app.network import TYPE_COLOURS
    from sim.communities import TYPES
    assert set(TYPES) <= set(TYPE_COLOURS)
    assert len(set(TYPE_COLOURS[k] for k in TYPES)) == len(TYPES)  # told apart
    assert all(any("\u4e00" <= c <= "\u9fff" for c in t.label_zh) for t in TYPES.values())


def _street(types):
    from sim.model import CoGovModel
    return CoGovModel(rng=3, **{"population.residents_per_community": 400,
                                "population.n_communities": len(types),
                                "population.community_types": list(types),
                                "run.spin_up_days": 0})


def test_the_network_is_coloured_by_community_type():
    """Each community's panel and its grids' rims take its type's colour (from
    model.community_types), and the legend names the types in the visitor's language;
    swapping the street's types swaps the colours."""
    import re

    from sim.app.network import TYPE_COLOURS, grid_graph
    from sim.communities import TYPES
    for types in (("work_unit", "urban_village"), ("urban_village", "work_unit")):
        model = _street(types)
        assert model.community_types == types
        for lang in ("en", "zh"):
            svg = grid_graph(model, lang=lang)
            panels = re.findall(r'<rect [^>]*stroke="(#\w+)"[^>]*data-community="(\d)" '
                                r'data-type="(\w+)"', svg)
            assert [(int(c), k) for _, c, k in panels] == list(enumerate(types))
            assert [colour for colour, _, _ in panels] == [TYPE_COLOURS[k] for k in types]
            legend = re.findall(r'class="cogov-type-legend" data-type="(\w+)">.*?<text[^>]*>([^<]+)'
                                r'</text></g>', svg)
            names = {k: (TYPES[k].label_zh if lang == "zh" else TYPES[k].label) for k in types}
            assert dict(legend) == {k: names[k].replace("'", "&#x27;") for k in types}
            # the grids of community c have their type's rim
            rims = re.findall(r'<circle [^>]*stroke="(#\w+)"[^>]*><title>[^<]*?(\d+)[,，]', svg)
            assert rims and all(colour == TYPE_COLOURS[types[int(c) - 1]] for colour, c in rims)


def test_a_street_of_the_default_type_names_its_one_type():
    from sim.app.network import grid_graph
    s = Session(Setup("baseline", (("population.residents_per_community", 400),
                                   ("run.spin_up_days", 0)), 1))
    svg = grid_graph(s.model)
    assert svg.count('class="cogov-type-legend"') == 1  # the street's one type, named


def test_the_first_pages_files_are_compressed_before_the_server_listens():
    """Every file of assets.FIRST_PAGE_FILES is served (200, gzip) and then sits in Solara's
    cache of compressed files: the first visitor does not wait for its compression."""
    import os

    from sim.app import server
    saved = dict(os.environ)
    try:
        server.configure()  # Solara's settings come from the environment
        from solara.server import compress
        from solara.server.starlette import app

        from sim.app.assets import FIRST_PAGE_FILES
        compress.clear()
        got = server.compress_first_page(app)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert got == {path: (200, "gzip") for path in FIRST_PAGE_FILES}
    assert len(compress._cache) == len(FIRST_PAGE_FILES)


def _english_words(text: str) -> list[str]:
    """ASCII words that are not key names, file names, quoted values or type/format names."""
    import re
    text = re.sub(r"(有效的键|可选)：[^\n]*", "", text)  # lists of key or file names
    words = []
    for m in re.finditer(r"[A-Za-z][A-Za-z0-9_./\-]*", text):
        w = m.group().rstrip(".-")
        if len(w) > 1 and not re.search(r"[_./]", w) and text[max(0, m.start() - 1)] not in "'`\"" \
                and w.lower() not in {"yaml", "cogov", "run", "true", "false", "utf-8", "utf", "extends"} \
                and w not in scenario_names():
            words.append(w)
    return words


@pytest.mark.parametrize("text", [
    "extends: baseline.yaml\ndeliberation:\n  meetings_per_year: -3\n  format: pub\n"
    "grants:\n  amount_min_yuan: 50000\ngrid:\n  households_per_gird: 300\n",
    "grid:\n  households_per_grid: abc\nparty:\n  double_registration: maybe\n",
    "committee:\n  staff_per_10000: 1e400\nlegal:\n  lawyer_hours_per_week: [1]\n",
    "a: [1", "[1, 2]", "extends: ../../etc/passwd\n", "# nothing\n",
    "population:\n  n_communities: 20\n  residents_per_community: 10000\n",
])
def test_the_checks_messages_read_in_chinese_with_their_key_names(text):
    """An upload's mistake, translated for the page in 中文: no English word left but key
    names, file names and the values typed; the key names are kept."""
    from sim.app import i18n
    from sim.app.session import UPLOAD, resolve_setup
    with pytest.raises(ScenarioError) as err:
        read_upload(text)
        resolve_setup(Setup(UPLOAD, (), 1, None, text))
    english = str(err.value)
    zh = i18n.message(english, "zh")
    assert _english_words(zh) == [], zh
    keys = [k for k in ("deliberation.meetings_per_year", "grid.households_per_grid",
                        "grid.households_per_gird", "committee.staff_per_10000") if k in english]
    assert all(k in zh for k in keys)
    assert i18n.message(english, "en") == english


def test_each_headline_tile_has_its_definition_in_both_languages():
    from sim.app.page import _kpis_html
    s = Session(Setup("baseline", (("population.residents_per_community", 400),
                                   ("run.spin_up_days", 0)), 1))
    summary = s.summary()
    for name in catalog.KEY_OUTCOMES:
        o = catalog.OUTCOMES[name]
        assert o.meaning and any("\u4e00" <= c <= "\u9fff" for c in o.meaning_zh), name
    html_zh = _kpis_html(summary, None, "zh")
    for name in catalog.KEY_OUTCOMES:
        assert f'data-name="{name}" title="{escape(catalog.OUTCOMES[name].meaning_zh)}"' in html_zh
    assert escape(catalog.OUTCOMES["trust_mean"].meaning) in _kpis_html(summary, None, "en")


def test_the_replications_forest_plot_speaks_chinese(tmp_path, monkeypatch):
    """The background process draws the forest plot with the page's words in 中文 (every
    label in Chinese, no glyph missing), and its figure is written."""
    import warnings

    import matplotlib

    from sim.app import i18n
    from sim.app.replications import work
    from sim.study import compare
    drawn = {}
    real = compare.plot_forest

    def spy(effects, names, path, dpi=200, words=None):
        drawn["words"] = words
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=r".*[Gg]lyph .* missing")
            return real(effects, names, path, dpi, words)
    monkeypatch.setattr(compare, "plot_forest", spy)
    monkeypatch.setitem(matplotlib.rcParams, "font.family", ["sans-serif"])
    over = {"population.residents_per_community": 400, "run.spin_up_days": 5, "run.days": 10}
    data = [load_scenario(f"scenarios/{n}.yaml", over).model_dump(mode="json")
            for n in ("baseline", "lever_grid")]
    work(["B: baseline", "A: lever_grid"], data, [1, 2], str(tmp_path), "zh")
    assert not (tmp_path / "failed.json").exists(), (tmp_path / "failed.json").read_text()
    assert (tmp_path / "effects.png").stat().st_size > 0
    words = drawn["words"]
    assert words == i18n.forest_words("zh") and i18n.forest_words("en") is None
    assert all(words["labels"].get(k) for k in catalog.KEY_OUTCOMES)


def test_every_choice_lever_names_its_options_in_chinese():
    choices = [lv for lv in levers() if lv.kind in ("choice", "choices")]
    assert {lv.key for lv in choices} >= {"deliberation.format", "deliberation.decision_rule",
                                          "grants.scoring", "purchased_services.item_types"}
    for lv in choices:
        names = dict(lv.options_zh)
        assert set(names) == set(lv.options), lv.key
        assert all(any("\u4e00" <= c <= "\u9fff" for c in n) for n in names.values()), lv.key
        assert len(set(names.values())) == len(names), lv.key  # told apart
        assert [lv.option_label(o, "en") for o in lv.options] == list(lv.options)
