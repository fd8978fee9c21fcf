"""The app's session logic without a browser: setups, links, limits, uploads, downloads."""

import json
import math

import pytest

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
