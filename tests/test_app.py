"""The app's session logic without a browser: setups, links, limits, uploads, downloads."""

import json
import math

import pytest

from sim.app.downloads import downloads
from sim.app.network import EGO_MAX, ego_nodes, grid_graph
from sim.app.session import (MAX_RESIDENTS, Session, Setup, levers, parse_query, read_upload,
                             resolve_setup, scenario_names)
from sim.config import ScenarioError, load_scenario
from sim.params import iter_parameters
from sim.study.results import json_text
from sim.study.runner import run_one

SMALL = (("population.residents_per_community", 600),)


def test_every_lever_of_the_schema_has_a_control():
    keys = {lv.key for lv in levers()}
    declared = {p for p, f, _ in iter_parameters() if (f.json_schema_extra or {}).get("role") == "lever"}
    assert keys == declared
    duty = next(lv for lv in levers() if lv.key == "committee.pushed_down_duty_items")
    assert duty.kind == "int" and duty.lo == 0 and "items" in duty.label
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
