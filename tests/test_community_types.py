"""Community types (sim/communities.py): presets fill what a scenario leaves unset, a street
mixes types community by community, and the types differ the way the literature says."""

from __future__ import annotations

import numpy as np
import pytest

from sim.communities import (DEFAULT_TYPE, PER_COMMUNITY_KEYS, TYPES, check_preset,
                             community_scenarios, value_under)
from sim.config import ScenarioError, load_scenario, scenario_from_kwargs
from sim.model import CoGovModel
from sim.params import Scenario, iter_parameters
from sim.residents import Population

SMALL = {"population.residents_per_community": 600, "run.spin_up_days": 20, "run.days": 30}


def _same(a: dict, b: dict) -> bool:
    """Summaries equal value for value (NaN equals NaN: an outcome with nothing to measure)."""
    return a.keys() == b.keys() and all(
        a[k] == b[k] or (isinstance(a[k], float) and np.isnan(a[k]) and np.isnan(b[k])) for k in a)


def _by_rule(m, c: int, per_10k: float) -> float:
    """Community ``c``'s staff by the staffing rule (ODD 7.15), without its type's floor."""
    h = m.p.committee.duty_household_share
    return per_10k * 5000 / 10_000 * ((1 - h) + h * m.household_factor[c])


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_preset_fills_only_the_keys_the_scenario_leaves_unset(tmp_path):
    f = _write(tmp_path / "v.yaml", "population:\n  community_type: urban_village\n  migrant_share: 0.4\n")
    sc = load_scenario(f)
    uv = TYPES["urban_village"].preset
    assert sc.population.migrant_share == 0.4                       # the scenario's own
    assert sc.population.households_per_building == uv["population.households_per_building"]
    assert sc.population.age_shares == uv["population.age_shares"]
    assert sc.committee.staff_minimum == uv["committee.staff_minimum"]
    assert sc.population.property_company is False
    # a key no preset names keeps the schema default
    assert sc.behaviour.initial_trust == Scenario().behaviour.initial_trust


def test_the_scenario_wins_through_extends_and_set(tmp_path):
    _write(tmp_path / "parent.yaml", "population:\n  migrant_share: 0.5\n")
    child = _write(tmp_path / "child.yaml",
                   "extends: parent.yaml\npopulation:\n  community_type: work_unit\n")
    sc = load_scenario(child)
    assert sc.population.migrant_share == 0.5                       # the parent set it
    assert sc.population.party_member_share == TYPES["work_unit"].preset["population.party_member_share"]
    sc = load_scenario(child, ["population.party_member_share=0.02"])
    assert sc.population.party_member_share == 0.02                 # --set wins too
    # the type named in the parent applies to the child
    _write(tmp_path / "typed.yaml", "population:\n  community_type: commodity\n")
    kid = _write(tmp_path / "kid.yaml", "extends: typed.yaml\ncommittee:\n  pushed_down_duty_items: 80\n")
    sc = load_scenario(kid)
    assert sc.population.owners_committee is True and sc.committee.pushed_down_duty_items == 80


def test_presets_never_name_a_lever_or_an_unknown_key():
    levers = [p for p, f, _ in iter_parameters() if (f.json_schema_extra or {}).get("role") == "lever"]
    for t in TYPES.values():
        assert not set(t.preset) & set(levers), t.key
        assert set(t.preset) <= set(PER_COMMUNITY_KEYS), t.key
    # the guard the import runs on every preset refuses each kind of key
    with pytest.raises(ValueError, match="is a lever"):
        check_preset("bad", {"committee.staff_per_10k": 20.0})
    with pytest.raises(ValueError, match="not a parameter"):
        check_preset("bad", {"population.no_such_key": 1})
    with pytest.raises(ValueError, match="not read per community"):
        check_preset("bad", {"behaviour.initial_trust": 0.4})


def test_every_preset_value_is_valid_and_sourced():
    for t in TYPES.values():
        sc = scenario_from_kwargs(None, {"population.community_type": t.key})
        for key, value in t.preset.items():
            section, name = key.split(".")
            assert getattr(getattr(sc, section), name) == value, (t.key, key)
            assert t.notes.get(key), f"{t.key}: {key} has no source note"
        assert t.sources and t.label and t.label_zh and t.description


def test_unknown_type_is_refused_with_the_valid_ones(tmp_path):
    f = _write(tmp_path / "x.yaml", "population:\n  community_type: gated\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(f)
    msg = str(exc.value)
    assert "population.community_type" in msg and "'gated'" in msg
    assert all(k in msg for k in TYPES)
    with pytest.raises(ScenarioError, match="community_types.1: Input should be 'mixed_old'.*got 'villa'"):
        scenario_from_kwargs(None, {"population.n_communities": 2,
                                    "population.community_types": ["work_unit", "villa"]})


def test_a_list_of_the_wrong_length_is_refused_naming_n_communities(tmp_path):
    f = _write(tmp_path / "x.yaml", "population:\n  n_communities: 3\n"
                                    "  community_types: [work_unit, commodity]\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(f)
    msg = str(exc.value)
    assert "population.community_types" in msg and "n_communities is 3" in msg and "2 given" in msg


def test_the_default_type_is_bit_identical_to_naming_no_type():
    plain = CoGovModel(rng=5, **SMALL)
    named = CoGovModel(rng=5, **SMALL, **{"population.community_type": DEFAULT_TYPE})
    assert named.community_params == (named.p,)
    for a in ("migrant", "age_group", "party", "household", "building", "disposition", "renter"):
        assert np.array_equal(getattr(plain.pop, a), getattr(named.pop, a)), a
    plain.run()
    named.run()
    assert _same(plain.summary(), named.summary())


def test_a_street_of_one_type_listed_per_community_is_the_same_street():
    kw = {**SMALL, "population.n_communities": 2}
    one = CoGovModel(rng=3, **kw, **{"population.community_type": "work_unit"})
    listed = CoGovModel(rng=3, **kw, **{"population.community_type": "work_unit",
                                        "population.community_types": ["work_unit", "work_unit"]})
    assert all(cp is listed.p for cp in listed.community_params)
    for a in ("migrant", "age_group", "party", "renter"):
        assert np.array_equal(getattr(one.pop, a), getattr(listed.pop, a)), a


def test_population_draws_follow_each_community_params():
    """A list of identical sections draws what the run's section draws (same order)."""
    sc = scenario_from_kwargs(None, {"population.n_communities": 3})
    a = Population(np.random.default_rng(9), sc.population, sc.behaviour, sc.party)
    b = Population(np.random.default_rng(9), sc.population, sc.behaviour, sc.party, [sc.population] * 3)
    for attr in ("migrant", "age_group", "party", "renter", "building", "trust"):
        assert np.array_equal(getattr(a, attr), getattr(b, attr)), attr


def test_a_street_of_two_types_draws_each_communitys_composition():
    m = CoGovModel(rng=11, **{**SMALL, "population.residents_per_community": 2000,
                              "population.n_communities": 2,
                              "population.community_types": ["work_unit", "urban_village"]})
    assert m.community_types == ("work_unit", "urban_village")
    wu, uv = m.community_params
    assert wu.population.community_type == "work_unit" and uv.population.community_type == "urban_village"
    pop = m.pop
    share = [pop.migrant[pop.community == c].mean() for c in range(2)]
    old = [pop.retired[pop.community == c].mean() for c in range(2)]
    assert share[0] == pytest.approx(value_under("work_unit", "population.migrant_share"), abs=0.05)
    assert share[1] == pytest.approx(value_under("urban_village", "population.migrant_share"), abs=0.05)
    assert old[0] == pytest.approx(0.38, abs=0.04) and old[1] == pytest.approx(0.10, abs=0.03)
    party = [pop.party[pop.community == c].mean() for c in range(2)]
    assert party[0] > 2 * party[1]
    # buildings: walk-ups of 24 households against blocks of 30 smaller households
    per_bld = [np.bincount(pop.building[pop.community == c]).size for c in range(2)]
    assert per_bld[0] != per_bld[1]
    # tenure: migrants of the village nearly all rent
    uv_rows = (pop.community == 1) & pop.migrant
    assert pop.renter[uv_rows].mean() > 0.9
    # structure: the village's committee keeps its minimum (7 against 3.1 by the rule for 2,000
    # adults) and has no property company
    assert m.committees[0].staff == pytest.approx(_by_rule(m, 0, 12.0)) and m.committees[1].staff == 7.0
    assert [pc.present for pc in m.property_companies] == [True, False]
    first = {c: sum(1 for o in m.orgs if o.community == c and o.origin == "initial") for c in range(2)}
    assert first[0] > first[1]


def test_retyping_a_resolved_scenario_keeps_what_it_set_itself():
    sc = scenario_from_kwargs(None, {"population.community_type": "work_unit",
                                     "population.migrant_share": 0.2})
    uv = scenario_from_kwargs(sc, {"population.community_type": "urban_village"})
    assert uv.population.migrant_share == 0.2      # set by the scenario: kept
    assert uv.population.households_per_building == 30  # left to the type: the new type's
    street = scenario_from_kwargs(sc, {"population.n_communities": 2,
                                       "population.community_types": ["work_unit", "commodity"]})
    own = community_scenarios(street)
    assert own[0] is street and own[1].population.owners_committee is True
    assert own[1].population.migrant_share == 0.2


def test_an_owners_committee_tests_the_company_without_the_lever():
    kw = {**SMALL, "run.days": 90, "population.community_type": "commodity"}
    with_oc = CoGovModel(rng=2, **kw)
    without = CoGovModel(rng=2, **kw, **{"population.owners_committee": False})
    with_oc.run()
    without.run()
    tested = with_oc.summary()
    assert tested["property_tests_passed"] + tested["property_tests_failed"] > 0
    assert without.summary()["property_tests_passed"] + without.summary()["property_tests_failed"] == 0


def test_no_company_no_tests_even_under_linked_payment():
    m = CoGovModel(rng=2, **{**SMALL, "run.days": 95, "population.community_type": "urban_village",
                             "transparency.satisfaction_linked_payment": True})
    m.run()
    s = m.summary()
    assert s["property_tests_passed"] + s["property_tests_failed"] == 0
    assert s["property_payment_withheld_yuan"] == 0.0


@pytest.mark.parametrize("type_key", list(TYPES))
def test_each_type_runs_a_month(type_key):
    m = CoGovModel(rng=1, **SMALL, **{"population.community_type": type_key})
    m.run()
    s = m.summary()
    assert 0.0 <= s["participation_year"] <= 1.0
    assert abs(m.pop.migrant.mean() - value_under(type_key, "population.migrant_share")) < 0.1


def test_an_urban_village_has_more_migrants_and_less_participation_than_a_work_unit():
    """Paired seeds: migrants outnumber villagers (Liu et al. 2010) and take part less, and a
    work unit's retirees and members are its activists (Read 2012): lower participation."""
    kw = {"population.residents_per_community": 1500, "run.spin_up_days": 180, "run.days": 90}
    for seed in (1, 2, 3):
        wu = CoGovModel(rng=seed, **kw, **{"population.community_type": "work_unit"})
        uv = CoGovModel(rng=seed, **kw, **{"population.community_type": "urban_village"})
        wu.run()
        uv.run()
        assert uv.pop.migrant.mean() > wu.pop.migrant.mean() + 0.4
        assert uv.summary()["participation_year"] < wu.summary()["participation_year"], seed


def test_cogov_types_lists_every_type_and_shows_one_with_its_sources(capsys):
    from sim.cli import main
    assert main(["types"]) == 0
    out = capsys.readouterr().out
    assert all(k in out for k in TYPES)
    assert main(["types", "urban_village"]) == 0
    out = capsys.readouterr().out
    assert "population.migrant_share = 0.75" in out and "Liu et al. 2010" in out


def test_the_odd_type_table_is_current():
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parents[1] / "docs" / "gen_types.py"
    spec = importlib.util.spec_from_file_location("gen_types", path)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    text = (path.parent / "ODD.md").read_text(encoding="utf-8")
    assert gen.current_block(text) == gen.render_block(), "run `python docs/gen_types.py`"


def test_a_street_of_two_types_restored_from_the_spin_up_cache_runs_the_same(tmp_path):
    from sim import spinup
    kw = {**SMALL, "run.days": 40, "population.n_communities": 2,
          "population.community_types": ["commodity", "urban_village"],
          "transparency.satisfaction_linked_payment": True}
    old = spinup.configure().directory
    spinup.clear(memory=True, disk=False)
    spinup.configure(directory=tmp_path / "cache")
    try:
        with spinup.disabled():
            reference = CoGovModel(rng=6, **kw)
        cold = CoGovModel(rng=6, **kw)
        spinup.clear(memory=True, disk=False)
        warm = CoGovModel(rng=6, **kw)  # restored from the disk cache
        assert spinup.stats["disk_hits"] >= 1
        for m in (reference, cold, warm):
            m.run()
        assert warm.community_types == reference.community_types
        assert [pc.present for pc in warm.property_companies] == [True, False]
        assert _same(warm.summary(), reference.summary()) and _same(cold.summary(), reference.summary())
    finally:
        spinup.configure(directory=old)
        spinup.clear(memory=True, disk=False)


def test_each_committee_keeps_its_types_minimum_after_the_staffing_lever_starts():
    kw = {**SMALL, "run.spin_up_days": 0, "population.n_communities": 2,
          "population.community_types": ["mixed_old", "urban_village"]}
    low = CoGovModel(rng=1, **kw, **{"committee.staff_per_10k": 3.0})     # below the village's minimum
    high = CoGovModel(rng=1, **kw, **{"committee.staff_per_10k": 100.0})  # above it
    assert low.committees[0].staff == pytest.approx(_by_rule(low, 0, 3.0)) and low.committees[1].staff == 7.0
    assert [c.staff for c in high.committees] == pytest.approx([_by_rule(high, c, 100.0) for c in range(2)])
    assert high.committees[1].staff > 7.0
    assert all(cp.committee.staff_per_10k == 100.0 for cp in high.community_params)


def test_grid_workers_are_paid_for_each_communitys_own_grids():
    """A street of two types has communities of different household counts, hence different
    numbers of grids; the grid lever pays its workers per grid that exists in each (the cost
    once counted the larger community's grids in both)."""
    from sim.processes.grid import GridVisits
    m = CoGovModel(rng=5, **{**SMALL, "population.n_communities": 2,
                             "population.community_types": ["work_unit", "urban_village"],
                             "grid.workers_per_grid": 1.0})
    hh_per_grid = m.p.grid.households_per_grid
    own = [int(np.ceil(np.unique(m.pop.household[mem]).size / hh_per_grid)) for mem in m.community_members]
    assert own[0] != own[1]  # the test needs two communities with different grid counts
    assert list(m.grids_per_community) == own
    g = m.p.grid
    cost = next(p for p in m.processes if isinstance(p, GridVisits)).daily_costs()["grid"]
    assert cost == pytest.approx(sum(own) * g.workers_per_grid * g.worker_cost_yuan_per_year / 365.0)
