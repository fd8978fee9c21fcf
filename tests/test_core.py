"""Mechanisms on paired runs (same seed, with and without the mechanism), reproducibility,
and Mesa's own tools (keyword parameters, batch_run) driving the model."""

import json
import random

import mesa
import numpy as np
import pandas as pd
import pytest
from conftest import small

from sim.processes import organizations as orgs_mod
from sim.config import ScenarioError
from sim.model import CoGovModel
from sim.outcomes import TIMESERIES_COLUMNS

SELF_GOVERNANCE = ("mediation", "dispatch", "service", "deliberation", "org_support", "volunteers")


def run(scenario, seed=1, days=None):
    m = CoGovModel(scenario, rng=seed)
    m.run(days)
    return m


# ------------------------------------------------------------------- duties vs self-governance
def test_a_committee_under_duty_load_triages_instead_of_stopping_self_governance():
    """1,500 residents: a committee staffed for its work (about 2.6 staff, 21 h a day) against
    ~22 h of duties (200 items, 70 plaques, inspections). The committee serves duties up to a smooth
    ceiling, leaves the rest undone (an outcome) and keeps some hours for residents; paired
    with the same community without duties, which spends nothing on them."""
    m = run(small(), seed=3)
    ts = m.timeseries()
    c = m.committees[0]
    cap = c.staff * m.p.committee.staff_hours_per_day
    h = m.p.committee.duty_household_share  # staffed for its work: a core, the rest by households
    assert c.staff == pytest.approx(6.0 * ((1 - h) + h * m.household_factor[0]))  # about 2.6
    assert (ts["committee_hours_duty"] < m.p.committee.max_duty_share * cap + 1e-9).all()
    assert (ts["committee_duty_hours_dropped"] > 0).all()
    assert (ts["committee_self_governance_hours"] > 0).all()
    assert ts["orders_dispatched"].sum() > 0
    s = m.summary()
    assert 0.7 < s["committee_duty_share"] < m.p.committee.max_duty_share
    assert s["committee_duty_hours_dropped"] == pytest.approx(ts["committee_duty_hours_dropped"].sum())

    # paired at the calibrated 5,000 adults: at 1,500 the duties follow the households down
    # and the residents' own work, not the committee's hours, bounds self-governance
    size = {"residents_per_community": 5000}
    loaded = run(small(population=size), seed=3).timeseries()
    free = run(small(population=size, committee={"pushed_down_duty_items": 0, "plaques": 0,
                                                 "inspections_per_month": 0, "duty_rebound_per_year": 0}), seed=3)
    fts = free.timeseries()
    assert (fts["committee_hours_duty"] == 0).all()
    assert (fts["committee_duty_hours_dropped"] == 0).all()
    # the freed hours go to residents as far as there is work (volunteer tasks are bounded
    # by the community's size)
    assert fts["committee_self_governance_hours"].sum() > 1.3 * loaded["committee_self_governance_hours"].sum()


def test_served_duty_hours_vary_smoothly_with_the_load():
    """No knife edge: served duty hours rise with demand, stay below the ceiling, and the
    free hours left fall smoothly (no step between neighbouring loads)."""
    from sim.processes.committee import served_duty_hours
    demand = np.linspace(0, 200, 2001)
    served = np.array([served_duty_hours(d, 40.0, 0.9, 6.0) for d in demand])
    assert (np.diff(served) > 0).all() and (served < 36.0).all()
    assert served[10] == pytest.approx(demand[10], rel=1e-3)  # light load: all served
    assert np.abs(np.diff(40.0 - served)).max() < 0.11  # 0.1 h steps of demand


def test_duty_reduction_frees_hours_for_self_governance():
    """Paired on the seed: cutting 200 items to 97 (Jiayuguan) with enough staff to have some
    hours left either way gives more self-governance hours and fewer duty hours."""
    staff = {"staff_per_10k": 16}  # 8 staff: hours left either way, short of the residents' work
    size = {"residents_per_community": 5000}  # at 1,500 the residents' work bounds the freed hours
    before = run(small(population=size, committee={**staff, "pushed_down_duty_items": 200}), seed=2).summary()
    after = run(small(population=size, committee={**staff, "pushed_down_duty_items": 97}), seed=2).summary()
    assert before["committee_self_governance_hours"] > 0
    assert after["committee_hours_duty"] < before["committee_hours_duty"]
    assert after["committee_self_governance_hours"] > 1.1 * before["committee_self_governance_hours"]
    assert after["committee_duty_share"] < before["committee_duty_share"]


def test_electronic_ledgers_cut_duty_hours():
    c = {"staff_per_10k": 16}  # 8 staff: hours left, short of the residents' work
    size = {"residents_per_community": 5000}  # at 1,500 the residents' work bounds the freed hours
    paper = run(small(population=size, committee=c), seed=4).summary()
    ledger = run(small(population=size, committee={**c, "electronic_ledgers": True}), seed=4).summary()
    assert ledger["committee_hours_duty"] < paper["committee_hours_duty"]
    assert ledger["committee_self_governance_hours"] > paper["committee_self_governance_hours"]


# ------------------------------------------------------------------------- invitations
@pytest.mark.parametrize("seed", [1, 2])
def test_switching_off_party_invitations_lowers_participation(seed):
    on = run(small(), seed=seed).summary()
    off = run(small(party={"invitations_per_hour": 0}), seed=seed).summary()
    assert on["party_invitations"] > 0
    assert off["party_invitations"] == 0
    assert off["participation_year"] < on["participation_year"]
    # the invitees are the members' ties, mostly not party members themselves
    assert off["participation_year_nonparty"] < on["participation_year_nonparty"]


def test_invitations_without_effect_lower_participation():
    """behaviour.w_invited=0 switches off the effect of every invitation (party members' and
    organization members'): participation falls although the invitations are still sent."""
    on = run(small(), seed=1).summary()
    off = run(small(behaviour={"w_invited": 0}), seed=1).summary()
    assert off["party_invitations"] > 0
    assert off["participation_year"] < on["participation_year"]


def test_more_registered_party_members_send_more_invitations():
    lo = run(small(party={"double_registration_share": 0.0}), seed=5).summary()
    hi = run(small(party={"double_registration_share": 1.0}), seed=5).summary()
    assert hi["party_invitations"] > lo["party_invitations"]
    assert hi["participation_year"] > lo["participation_year"]


# ---------------------------------------------------------------------- organizations
def test_organization_without_funds_or_members_dissolves():
    m = CoGovModel(small(organizations={"fold_per_year": 0.0}), rng=7)
    n0 = m.process("org_life_cycle").dissolutions
    empty = orgs_mod.SocialOrganization(m, 0, "charity", "resident", np.empty(0, np.int64), 0.0)
    broke = orgs_mod.SocialOrganization(m, 0, "culture", "resident", np.arange(3), -500.0)
    funded_few = orgs_mod.SocialOrganization(m, 0, "legal", "resident", np.arange(10, 13), 5000.0)
    # a group with money and enough members that will keep taking part
    healthy = orgs_mod.SocialOrganization(m, 0, "elderly", "resident", np.arange(20, 60), 5000.0)
    funded_few.set_founder(10)
    healthy.set_founder(20)
    m.orgs += [empty, broke, funded_few, healthy]
    m.refresh_org_lookup()
    for _ in range(29):
        m.step()
    assert empty.alive and broke.alive  # dissolution is a monthly event
    m.step()  # day 29: the monthly bookkeeping
    assert not empty.alive and not broke.alive
    assert empty not in m.orgs and broke not in m.orgs
    assert empty not in m.agents and broke not in m.agents
    assert m.process("org_life_cycle").dissolutions >= n0 + 2
    assert broke.members.size == 0
    assert m.pop.memberships.min() >= 0
    assert funded_few.alive and healthy.alive
    assert funded_few in m.orgs and healthy in m.agents


def test_members_without_money_keep_an_organization_alive():
    """Paired with the test above: no funds alone is not enough, members must also run out."""
    m = CoGovModel(small(organizations={"fold_per_year": 0.0}), rng=7)
    poor = orgs_mod.SocialOrganization(m, 0, "culture", "resident", np.arange(100, 140), 0.0)
    poor.set_founder(100)
    m.orgs.append(poor)
    m.refresh_org_lookup()
    m.run(30)
    assert poor.alive


# ----------------------------------------------------------------- grid and migrant gaps
def test_grid_visits_raise_reporting():
    none = run(small(grid={"workers_per_grid": 0}), seed=2).summary()
    many = run(small(grid={"workers_per_grid": 3}), seed=2).summary()
    assert none["grid_visits"] == 0
    assert many["needs_reported_share"] > none["needs_reported_share"]


def test_migrants_start_with_less_trust_and_fewer_ties():
    m = CoGovModel(small(), rng=1)
    mig = m.pop.migrant
    assert m.pop.trust[mig].mean() < m.pop.trust[~mig].mean()
    assert m.initial_degree[mig].mean() < m.initial_degree[~mig].mean()
    flat = CoGovModel(small(behaviour={"migrant_gap": 0}), rng=1)
    assert flat.pop.trust[flat.pop.migrant].mean() == pytest.approx(
        flat.pop.trust[~flat.pop.migrant].mean(), abs=0.02)


# ------------------------------------------------------------------------ reproducibility
def test_same_seed_same_output_different_seed_differs():
    a, b, c = run(small(), seed=5), run(small(), seed=5), run(small(), seed=6)
    ta, tb, tc = a.timeseries(), b.timeseries(), c.timeseries()
    assert list(ta.columns) == list(TIMESERIES_COLUMNS)
    assert len(ta) == 120
    pd.testing.assert_frame_equal(ta, tb)
    assert json.dumps(a.summary(), sort_keys=True) == json.dumps(b.summary(), sort_keys=True)
    assert not ta.equals(tc)
    assert json.dumps(a.summary(), sort_keys=True) != json.dumps(c.summary(), sort_keys=True)


def test_randomness_flows_only_from_the_seed():
    """The global random and numpy states are neither used nor needed: scrambling them between
    two runs with one seed changes nothing, and a run leaves them untouched."""
    random.seed(123)
    np.random.seed(123)
    before = (random.getstate(), np.random.get_state()[1].copy())
    a = run(small(run={"days": 40}), seed=5).timeseries()
    assert random.getstate() == before[0]
    assert (np.random.get_state()[1] == before[1]).all()
    random.seed(999)
    np.random.seed(999)
    random.random()
    np.random.random(10)
    b = run(small(run={"days": 40}), seed=5).timeseries()
    pd.testing.assert_frame_equal(a, b)


def test_seed_is_recorded_and_generator_rng_is_accepted():
    m = CoGovModel(small(run={"days": 5}), rng=42)
    m.run()
    assert m.summary()["seed"] == 42
    g1 = CoGovModel(small(run={"days": 5}), rng=np.random.default_rng(3))
    g2 = CoGovModel(small(run={"days": 5}), rng=np.random.default_rng(3))
    assert g1.seed == g2.seed


# ------------------------------------------------------------------ Mesa's tools drive it
def test_keyword_parameters_by_key_path():
    dotted = CoGovModel(rng=1, **{"committee.pushed_down_duty_items": 97,
                                  "population.residents_per_community": 300, "run.days": 3})
    under = CoGovModel(rng=1, committee__pushed_down_duty_items=97,
                       population__residents_per_community=300, run__days=3)
    for m in (dotted, under):
        assert m.p.committee.pushed_down_duty_items == 97
        assert m.pop.n == 300
        # unset keys keep the schema's defaults
        assert m.p.committee.plaques == 70
    # keyword overrides go on top of a scenario
    over = CoGovModel(small(), rng=1, **{"committee.plaques": 27})
    assert over.p.committee.plaques == 27 and over.pop.n == 1500


def test_bad_keyword_parameters_are_scenario_errors():
    with pytest.raises(ScenarioError, match="pushed_down_items.*unknown key.*pushed_down_duty_items"):
        CoGovModel(rng=1, **{"committee.pushed_down_items": 97})
    with pytest.raises(ScenarioError, match=r"committee.pushed_down_duty_items.*<= 1000"):
        CoGovModel(rng=1, **{"committee.pushed_down_duty_items": 5000})


def test_running_turns_false_at_the_end_of_the_horizon():
    m = CoGovModel(small(run={"days": 7}), rng=1)
    steps = 0
    while m.running:
        m.step()
        steps += 1
        assert steps <= 7
    assert steps == 7 and m.day == 7


def test_batch_run_in_process():
    results = mesa.batch_run(
        CoGovModel,
        parameters={"population.residents_per_community": 300, "run.days": 10,
                    "run.spin_up_days": 30, "committee.pushed_down_duty_items": [97, 200]},
        rng=[1, 2], number_processes=1, data_collection_period=-1, max_steps=1000,
        display_progress=False)
    assert len(results) == 4
    assert {(r["committee.pushed_down_duty_items"], r["rng"]) for r in results} == \
        {(97, 1), (97, 2), (200, 1), (200, 2)}
    for r in results:
        assert r["Step"] == 10  # stopped by model.running, not by max_steps
        assert r["day"] == 9
        assert 0 <= r["participation_30d"] <= 1
    # the same seed gives the same outcome inside batch_run as outside it
    by = {(r["committee.pushed_down_duty_items"], r["rng"]): r for r in results}
    m = CoGovModel(rng=1, **{"population.residents_per_community": 300, "run.days": 10,
                             "run.spin_up_days": 30, "committee.pushed_down_duty_items": 97})
    m.run()
    last = m.timeseries().iloc[-1]
    assert by[(97, 1)]["trust_mean"] == last["trust_mean"]
    assert by[(97, 1)]["participation_30d"] == last["participation_30d"]


def test_batch_run_with_processes():
    """batch_run with several processes uses the spawn start method: the model class and its
    keyword parameters must survive pickling into fresh interpreters."""
    results = mesa.batch_run(
        CoGovModel,
        parameters={"population.residents_per_community": 200, "run.days": 5,
                    "run.spin_up_days": 30, "committee__pushed_down_duty_items": [97, 200]},
        rng=[1], number_processes=2, data_collection_period=-1, display_progress=False)
    assert len(results) == 2
    assert sorted(r["committee__pushed_down_duty_items"] for r in results) == [97, 200]
    assert all(r["Step"] == 5 for r in results)


# ------------------------------------------------------------ common random numbers
def _arrivals_and_draws(scenario, seed=5, days=90):
    """Every need that arose (day, resident, type) and a fingerprint of each day's
    participation uniforms."""
    m = CoGovModel(scenario, rng=seed, collect=False)
    fingerprints = []
    for _ in range(days):
        m.step()
        fingerprints.append(float(m.process("day_start").draws[:, ::7].sum(dtype=np.float64)))
    log, o = m.needs.log(), m.needs.open
    needs = sorted(zip(np.r_[log["raised"], o["raised"]].tolist(),
                       np.r_[log["resident"], o["resident"]].tolist(),
                       np.r_[log["ntype"], o["ntype"]].tolist()))
    return needs, fingerprints, m.summary()


@pytest.mark.parametrize("lever", [
    {"committee": {"pushed_down_duty_items": 40, "plaques": 10, "staff_per_10k": 40}},
    {"grants": {"contests_per_year": 4}, "incubation": {"hub": True, "social_workers": 2}},
    {"purchased_services": {"items": 6}, "party": {"double_registration_share": 0.8}},
])
def test_paired_runs_of_different_levers_share_needs_and_decision_draws(lever):
    """Common random numbers across scenarios: a lever that changes how much the committee,
    the organizations or the party members do must not reshuffle which needs arise or the
    residents' daily decision uniforms (each process draws from its own stream, a fixed
    number of uniforms a day)."""
    needs_a, draws_a, sa = _arrivals_and_draws(small())
    needs_b, draws_b, sb = _arrivals_and_draws(small(**lever))
    assert len(needs_a) > 100
    assert needs_a == needs_b
    assert draws_a == draws_b
    # the lever did act: the runs' outcomes differ
    assert any(sa[k] != sb[k] for k in ("participation_year", "needs_fulfilled_share",
                                         "committee_self_governance_hours", "organizations"))



def test_free_time_by_age_makes_participation_rise_with_age():
    """Paired: with the same free time at every working age the three working age groups take
    part alike; with free time rising by age group, so does participation (5,000 residents:
    the youngest group is about 750 of them)."""
    sized = {"population": {"residents_per_community": 5000}, "run": {"days": 365}}
    flat = run(small(behaviour={"free_time_by_age": [0.2, 0.2, 0.2, 1.0]}, **sized), seed=2).summary()
    rising = run(small(behaviour={"free_time_by_age": [0.1, 0.2, 0.4, 1.0]}, **sized), seed=2).summary()
    ages = ("18_29", "30_49", "50_59", "60_plus")
    r = [rising[f"participation_year_age_{a}"] for a in ages]
    assert r[0] < r[1] < r[2] < r[3]
    gap = lambda s: s["participation_year_age_50_59"] - s["participation_year_age_18_29"]  # noqa: E731
    assert gap(rising) > gap(flat) + 0.03


def test_residents_are_a_mesa_agentset_whose_attributes_write_through():
    """Setting a resident's trust in a notebook is what the model sees; party members are
    residents too; agents print readably."""
    from sim.residents import PartyMember, Resident
    m = CoGovModel(small(), rng=2)
    assert len(m.residents) == m.pop.n
    members = [r for r in m.residents if isinstance(r, PartyMember)]
    assert len(members) == int(m.pop.party.sum()) > 0
    assert all(isinstance(r, Resident) for r in members)
    r = list(m.residents)[10]
    r.trust = 0.99
    assert m.pop.trust[10] == 0.99
    with pytest.raises(ValueError):
        r.trust = 1.5
    with pytest.raises(AttributeError):
        r.migrant = True  # structure, not state
    assert repr(r).startswith(f"<{type(r).__name__} 10: community 0")
    assert "members" in repr(m.orgs[0]) and "staff" in repr(m.committees[0])
    # the model sees the change: paired with an untouched twin, the state differs
    twin = CoGovModel(small(), rng=2)
    assert twin.pop.trust[10] != m.pop.trust[10]


# ------------------------------------------------------------------- declared daily counts
def test_a_misspelt_daily_counter_is_an_error():
    import pickle

    from sim.catalog import DeclaredCounter, UndeclaredOutcome
    m = CoGovModel(small(), rng=1, collect=False)
    m.run(3)
    assert isinstance(m.today, DeclaredCounter)
    m.today["needs_reported"] += 1  # declared: counts
    with pytest.raises(UndeclaredOutcome, match="needs_reportd"):
        m.today["needs_reportd"] += 1
    with pytest.raises(UndeclaredOutcome):
        m.today["needs_reportd"]
    copy = pickle.loads(pickle.dumps(m.today))
    assert copy == m.today and copy.keys_declared == m.today.keys_declared
    with pytest.raises(UndeclaredOutcome):
        copy["nope"] = 1


def test_the_functional_department_serves_with_its_shared_capacity():
    """One department agent: with no organizations and the committee's own service too dear
    (40 hours a need), administrative and unmatched needs go to the department, which takes
    needs.department_capacity_per_day x communities a day while a backlog waits (fractions
    carry over): over 50 days it takes that many, less the first days before a need waits."""
    days = 50
    taken = {}
    for cap in (0.3, 1.0):
        m = CoGovModel(small(needs={"department_capacity_per_day": cap, "per_resident_year": 6.0},
                             committee={"service_hours_per_need": 40.0},
                             organizations={"initial_per_1000_adults": [0, 0, 0, 0, 0, 0]}),
                       rng=2, collect=False)
        m.run(days)
        log, book = m.needs.log(), m.needs.open
        dept = 3  # sim.processes.needs.H_DEPT
        in_service = (book["handler"] == dept) & (book["status"] == 3)
        taken[cap] = int((log["handler"] == dept).sum() + in_service.sum())
        assert (book["status"] == 2).sum() > 0  # a backlog waits at the department
        assert 0 <= m.department.credit < 1
        # the capacity is stated for the reference community and follows the households
        expected = cap * float(m.household_factor.sum()) * days
        assert 0.9 * expected - 1 <= taken[cap] <= expected + 1
    assert not hasattr(m, "departments")
    assert taken[1.0] > taken[0.3] > 0


def test_the_reporting_groups_are_the_residents_masks():
    """One list of reporting groups (sim.residents.GROUPS): the population's masks, the
    catalog's outcomes and the deliberation's attendance use it."""
    from sim import catalog
    from sim.processes import deliberation
    from sim.residents import GROUPS
    m = CoGovModel(small(), rng=1, collect=False)
    assert tuple(m.pop.groups()) == GROUPS
    assert catalog.GROUPS is GROUPS and tuple(deliberation.GROUPS) == GROUPS
    assert all(f"participation_30d_{g}" in catalog.OUTCOMES for g in GROUPS)


def test_last_seen_derives_again_only_for_other_objects():
    """sim.memo.LastSeen: the value for the same objects (by identity) is kept; an equal but
    other object (another run's arrays) is derived again."""
    import numpy as np

    from sim.memo import LastSeen
    calls = []
    sums = LastSeen(lambda a, b: calls.append(1) or float(a.sum() + b.sum()))
    a, b = np.arange(3.0), np.ones(2)
    assert sums(a, b) == 5.0 and sums(a, b) == 5.0 and len(calls) == 1
    assert sums(a.copy(), b) == 5.0 and len(calls) == 2
    assert sums(a, b) == 5.0 and len(calls) == 3  # one slot: the last objects only
