"""Migrants' constraints and renters' tenure (ODD 7.16, sim/processes/migrants.py): each
switch against a paired run without it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim import snapshot, spinup
from sim.model import CoGovModel
from sim.processes.migrants import eligible, notice_reached

SMALL = {"population.residents_per_community": 800, "run.spin_up_days": 200, "run.days": 300}


def build(seed=4, **over):
    with spinup.disabled():
        return CoGovModel(rng=seed, collect=False, **{**SMALL, **over})


def same(x: dict, y: dict) -> bool:
    """Equal summaries (NaN equal to NaN)."""
    return json.dumps(x, sort_keys=True, default=float) == json.dumps(y, sort_keys=True, default=float)


def run(seed=4, **over):
    m = build(seed, **over)
    m.run()
    return m


def test_renters_are_drawn_per_household_by_hukou():
    m = build(**{"population.residents_per_community": 3000, "run.spin_up_days": 0,
                 "population.renter_share_local": 0.1, "population.renter_share_migrant": 0.7})
    pop = m.pop
    # a household rents as a whole
    first = np.flatnonzero(np.r_[True, pop.household[1:] != pop.household[:-1]])
    per_hh = np.add.reduceat(pop.renter.astype(int), first)
    size = np.diff(np.r_[first, pop.n])
    assert np.all((per_hh == 0) | (per_hh == size))
    assert 0.55 < pop.renter[pop.migrant].mean() < 0.85
    assert 0.05 < pop.renter[~pop.migrant].mean() < 0.15
    # owners have lived here far longer than renters
    assert (-pop.arrival_day[~pop.renter]).mean() > 3 * (-pop.arrival_day[pop.renter]).mean()


def test_working_hours_lower_migrants_participation_relative_to_locals():
    """Paired runs at the calibrated size with the default spin-up, two seeds pooled: the
    effect works through the decision's free-time term and builds over the spin-up (in an
    800-adult community after 200 days it is smaller than one seed's noise)."""
    on, off = build(**{"migrants.working_hours": True}), build(**{"migrants.working_hours": False})
    work = ~on.pop.retired & on.pop.migrant
    assert np.allclose(on.free_time[work], off.free_time[work] * on.p.migrants.working_free_time_factor)
    ratios = {}
    for wh in (True, False):
        migrant = local = 0.0
        for seed in (1, 2):
            m = CoGovModel("scenarios/baseline.yaml", rng=seed, collect=False,
                           **{"migrants.working_hours": wh, "run.days": 365})
            m.run()
            s = m.summary()
            migrant += s["participation_year_migrant"]
            local += s["participation_year_local"]
        ratios[wh] = migrant / local
    assert ratios[True] < ratios[False] - 0.03  # measured 0.54 against 0.62


@pytest.fixture(scope="module")
def turnover_pair():
    return run(**{"migrants.turnover": True}), run(**{"migrants.turnover": False})


def test_turnover_gives_renters_fewer_ties_shorter_tenure_and_fewer_memberships(turnover_pair):
    on, off = (m.summary() for m in turnover_pair)
    assert on["tenure_moves_per_year"] > 0 and off["tenure_moves_per_year"] == 0
    gap_on = on["ties_mean_renters"] / on["ties_mean_owners"]
    gap_off = off["ties_mean_renters"] / off["ties_mean_owners"]
    assert gap_on < gap_off - 0.1
    assert on["tenure_years_mean_renters"] < off["tenure_years_mean_renters"]
    assert on["memberships_mean_renters"] < off["memberships_mean_renters"]


def test_turnover_keeps_memberships_and_offices_consistent(turnover_pair):
    m = turnover_pair[0]
    pop = m.pop
    counted = np.zeros(pop.n, np.int64)
    for org in m.orgs:
        counted[org.members] += 1
    assert np.array_equal(counted, pop.memberships)
    offices = np.zeros(pop.n, np.int64)
    offices[m.is_representative] += 1
    for org in m.orgs:
        if org.founder >= 0:
            offices[org.founder] += 1
    assert np.array_equal(offices, pop.offices)
    # the network stays symmetric and the newcomers have moved in since the start
    assert m.adj_symmetric
    assert (pop.arrival_day[pop.renter] > 0).any()


def test_representatives_are_eligible_and_fewer_are_migrants():
    on = run(**{"migrants.eligibility": True})
    off = run(**{"migrants.eligibility": False})
    reps_on = np.concatenate(on.representatives)
    assert eligible(on)[reps_on].all()
    reps_off = np.concatenate(off.representatives)
    assert on.pop.migrant[reps_on].mean() < off.pop.migrant[reps_off].mean()


def test_notices_reach_migrants_less_and_through_ties():
    m = build(**{"run.spin_up_days": 0})
    members = m.community_members[0]
    u = np.random.default_rng(0).random(members.size)
    with_notices = notice_reached(m, members, u, 0.3)
    m.p.migrants.notices = False
    without = notice_reached(m, members, u, 0.3)
    mig = m.pop.migrant
    assert mig[with_notices].mean() < mig[without].mean()
    assert not mig[without].all() and mig[without].any()
    # with no direct reach, migrants hear only through ties the notice reached directly
    m.p.migrants.notices = True
    m.p.migrants.notice_reach_migrant = 0.0
    reached = notice_reached(m, members, u, 0.3)
    heard = reached[mig[reached]]
    assert heard.size > 0
    direct = np.zeros(m.pop.n, bool)
    direct[members[(u < 0.3) & ~mig[members]]] = True
    assert all(direct[m.ties_of(int(i))].any() for i in heard)
    # and more of them hear when more of their ties were reached (a larger notice share)
    assert mig[notice_reached(m, members, u, 0.6)].sum() > heard.size


def test_turnover_snapshot_round_trip(turnover_pair):
    a = snapshot.copy(turnover_pair[0])
    b = snapshot.copy(turnover_pair[0])
    a.run(40)  # a month's end with moves in it
    b.run(40)
    assert same(a.summary(), b.summary())
    assert np.array_equal(a.pop.renter, b.pop.renter) and np.array_equal(a.pop.arrival_day, b.pop.arrival_day)
