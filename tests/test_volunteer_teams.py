"""Volunteer teams (ODD 7.17, sim/processes/volunteers.py): paired runs with and without them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim import snapshot, spinup
from sim.model import CoGovModel
from sim.processes.volunteers import VOL, teams_per_community

SMALL = {"population.residents_per_community": 800, "run.spin_up_days": 200, "run.days": 300}


def same(x: dict, y: dict) -> bool:
    """Equal summaries (NaN equal to NaN)."""
    return json.dumps(x, sort_keys=True, default=float) == json.dumps(y, sort_keys=True, default=float)


def run(seed=5, **over):
    with spinup.disabled():
        m = CoGovModel(rng=seed, collect=False, **{**SMALL, **over})
    m.run()
    return m


@pytest.fixture(scope="module")
def paired():
    return run(), run(**{"volunteers.teams": False})


def test_teams_bring_volunteers_back_and_invitations_matter_less(paired):
    on, off = (m.summary() for m in paired)
    assert on["team_members"] > 0 and off["team_members"] == 0
    assert on["volunteering_acts_team"] > 0 and off["volunteering_acts_team"] == 0
    # repeat volunteering per volunteer rises; the share of acts from invitations falls
    assert on["volunteering_acts_per_volunteer"] > 1.3 * off["volunteering_acts_per_volunteer"]
    assert on["volunteering_invitation_share"] < off["volunteering_invitation_share"] - 0.2
    # without teams nearly all volunteering comes from party members' invitations
    assert off["volunteering_invitation_share"] > 0.6


def test_rosters_are_bounded_and_members_come_from_volunteers(paired):
    m = paired[0]
    proc = m.process("volunteer_teams")
    pv = m.p.volunteers
    sizes = np.bincount(proc.team_of[proc.team_of >= 0], minlength=proc.team_community.size)
    assert sizes.max() <= pv.roster_size
    assert proc.team_community.size == teams_per_community(m).sum() >= 1
    members = np.flatnonzero(proc.team_of >= 0)
    # a member joined after volunteering: every member has volunteered at least once
    assert (m.pop.acts[VOL, members] > 0).all()


def test_members_who_keep_missing_leave():
    # a call that hardly anyone answers: members leave after max_missed_calls misses
    m = run(**{"volunteers.call_logit": 0.0, "volunteers.max_missed_calls": 2})
    s = m.summary()
    assert s["team_joins"] > 0 and s["team_leaves"] > 0
    keep = run(**{"volunteers.call_logit": 0.0, "volunteers.max_missed_calls": 50}).summary()
    assert keep["team_leaves"] == 0
    assert keep["team_members"] > s["team_members"]


def test_duties_decide_through_the_volunteering_decision():
    # with a weekly time budget below one act's hours nobody can turn up, called or not:
    # the duty's acts go through participation.decide and its time-budget rule
    over = {"behaviour.time_budget_hours_week": 1.0, "behaviour.time_budget_floor_hours_week": 0.0}
    m = run(**over)
    proc = m.process("volunteer_teams")
    proc.team_of[:40] = 0  # a roster placed by hand: the duty calls go out, none is answered
    proc._members = None   # (the members kept between changes are read afresh)
    calls = proc.duty_calls
    m.run(14)
    assert proc.duty_calls > calls
    assert proc.acts_by_source["team"] == 0


def test_teams_are_reproducible_and_snapshot_complete():
    a = run(seed=9)
    b = run(seed=9)
    assert same(a.summary(), b.summary())
    copy = snapshot.from_bytes(snapshot.to_bytes(a))
    a.run(30)
    copy.run(30)
    pa, pc = a.process("volunteer_teams"), copy.process("volunteer_teams")
    assert np.array_equal(pa.team_of, pc.team_of) and pa.acts_by_source == pc.acts_by_source
