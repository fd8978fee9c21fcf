"""Community volunteer teams (志愿服务队): rosters and regular duties (ODD 7.17).

Each community keeps ``max(1, round(households / volunteers.households_per_team))`` teams.
A team has a roster of at most ``roster_size`` members and holds ``duties_per_week`` regular
duties (a patrol, a round of elderly visits, a clean-up). To each duty it calls the
``members_per_duty`` members called least recently; a called member decides through the
same volunteering decision as anyone offered a task (:func:`decide`, with ``call_logit``
added), so fatigue, the week's time budget and efficacy act alike. A member who misses
``max_missed_calls`` calls in a row leaves the roster. Residents who volunteered today (an
offered task or a party member's invitation, step 8) and are on no team join one with room
with chance ``join_probability``.

Sources: doc002 (the provincial guideline: 发挥社区志愿者…关爱帮助…引导社区居民开展自助互助服务),
doc004 (Chaoyangmen: 社区志愿者联盟; migrants' 环境美化、安全检查…为老服务等志愿活动); T: 13.85 hours a
year per registered volunteer (China Volunteer Service Federation, 2017).
"""

from __future__ import annotations

import math

from collections import Counter

import numpy as np

from ..kernels import team_calls
from ..residents import ACT_TYPES, NEVER
from .base import Process
from .participation import decide

VOL = ACT_TYPES.index("volunteering")
SOURCES = ("invitation", "task", "team")  # where a volunteering act came from


def teams_per_community(model) -> np.ndarray:
    """Teams of each community: one per ``households_per_team`` households, at least one."""
    pop = model.pop
    first = np.flatnonzero(np.r_[True, pop.household[1:] != pop.household[:-1]])
    households = np.bincount(pop.community[first], minlength=pop.n_communities)
    return np.maximum(1, np.round(households / model.p.volunteers.households_per_team)).astype(np.int64)


class VolunteerTeams(Process):
    """Step 9: today's volunteers may join a team; teams whose duty falls today call their
    members in turn, who decide whether to turn up; members who keep missing leave."""

    name = "volunteer_teams"
    sections = ("volunteers",)
    state = ("team_of", "team_community", "last_called", "missed", "acts_at_day0",
             "acts_by_source", "duty_calls", "joins", "leaves", "member_days")
    caches = ("_members",)

    def __init__(self, model):
        super().__init__(model)
        n = model.pop.n
        counts = teams_per_community(model)
        self.team_community = np.repeat(np.arange(model.pop.n_communities), counts)
        self.team_of = np.full(n, -1, np.int64)       # each resident's team (-1: none)
        self.last_called = np.full(n, NEVER, np.int64)
        self.missed = np.zeros(n, np.int32)          # calls missed in a row
        self.acts_at_day0 = np.zeros(n, np.int64)    # volunteering acts before day 0
        self._members = None  # the residents on a team, by index (see members())
        self._reset_totals()

    def members(self) -> np.ndarray:
        """The residents on a team, by index: kept until a join, a leave or a move changes
        ``team_of`` (a few days a month), so that a day's duties and counts look at the
        hundred-odd members rather than pass over every resident."""
        if self._members is None:
            self._members = np.flatnonzero(self.team_of >= 0)
        return self._members

    def _reset_totals(self) -> None:
        self.acts_by_source = Counter(dict.fromkeys(SOURCES, 0))  # since day 0
        self.duty_calls = 0
        self.joins = 0
        self.leaves = 0
        self.member_days = 0  # team members summed over the days since day 0

    def step(self) -> None:
        m = self.model
        pop, day = m.pop, m.clock
        # today's volunteers so far: step 8 decides every volunteering act of the day before
        # this step (party invitees and those offered a task), and hands its takers on
        on, today = m.process("committee_support").volunteered
        assert on == day, "step 8 (committee_support) runs before the volunteer teams each day"
        if today.size:
            # the invitees (each once) who volunteered today
            invitees = m.process("party_service").invitees_today
            n_inv = int(np.count_nonzero(pop.last_act[VOL][invitees] == day))  # (row, then take: cheaper)
            self.acts_by_source["invitation"] += n_inv
            self.acts_by_source["task"] += today.size - n_inv
        pv = m.p.volunteers
        if not pv.teams:
            return
        rng = m.streams.volunteer_teams
        self.recruit(rng, today[self.team_of[today] < 0])
        self.duties(day)
        self.member_days += self.members().size

    def recruit(self, rng: np.random.Generator, asked: np.ndarray) -> None:
        """Each of ``asked`` joins with chance ``join_probability`` the team of their
        community with the most room (none when every team is full)."""
        if asked.size == 0:
            return
        pv = self.model.p.volunteers
        joiners = asked[rng.random(asked.size) < pv.join_probability]
        if joiners.size == 0:
            return
        # a handful of joiners and of teams: Python lists (min() takes the first of the
        # smallest, as argmin does)
        size = np.bincount(self.team_of[self.members()], minlength=self.team_community.size).tolist()
        team_community = self.team_community.tolist()
        comm = self.model.pop.community
        for r in joiners.tolist():
            c = comm[r]
            t = min((t for t, tc in enumerate(team_community) if tc == c), key=size.__getitem__)
            if size[t] >= pv.roster_size:
                continue
            self.team_of[r] = t
            self.missed[r] = 0
            self._members = None
            size[t] += 1
            self.joins += 1

    def duties(self, day: int) -> None:
        """Teams whose duty falls today (team t holds its k-th duty on the day
        floor((day + t) x duties_per_week / 7) reaches k) call members; they decide."""
        m = self.model
        pv = m.p.volunteers
        rate = pv.duties_per_week / 7.0
        # a few teams: Python floats (the same products and floors as numpy's) beat five
        # numpy calls on a handful of elements
        on_duty = [math.floor((day + t) * rate) > math.floor((day - 1 + t) * rate)
                   for t in range(self.team_community.size)]
        if not any(on_duty):
            return
        on_duty = np.array(on_duty)
        # in turn: within each team, those called least recently first (compiled; the
        # plain rule is team_calls_reference), among the members only: their positions in
        # the sorted members array keep the residents' order, so the same are called
        members = self.members()
        called = members[team_calls(self.team_of[members], self.last_called[members],
                                    m.pop.last_act[VOL][members], on_duty, pv.members_per_duty, day)]
        if called.size == 0:
            return
        self.duty_calls += called.size
        self.last_called[called] = day
        came = decide(m, called, "volunteering", extra_logit=pv.call_logit)
        self.acts_by_source["team"] += came.size
        self.missed[called] += 1
        self.missed[came] = 0
        gone = called[self.missed[called] >= pv.max_missed_calls]
        if gone.size:
            self.team_of[gone] = -1
            self.missed[gone] = 0
            self._members = None
            self.leaves += gone.size

    def residents_moved(self, idx: np.ndarray) -> None:
        """Residents who moved out (ODD 7.16) leave their teams; the newcomers start afresh."""
        self.team_of[idx] = -1
        self._members = None
        self.missed[idx] = 0
        self.last_called[idx] = NEVER
        self.acts_at_day0[idx] = 0

    def start_reporting(self) -> None:
        self.acts_at_day0 = self.model.pop.acts[VOL].copy()
        self._reset_totals()

    def results(self) -> dict:
        m = self.model
        pv = m.p.volunteers
        days = max(1, m.clock - m.day0)
        total = sum(self.acts_by_source.values())
        out: dict = {f"volunteering_acts_{s}": int(v) for s, v in self.acts_by_source.items()}
        out["volunteering_invitation_share"] = self.acts_by_source["invitation"] / total if total else float("nan")
        acts = m.pop.acts[VOL] - self.acts_at_day0
        volunteers = int((acts > 0).sum())
        out["volunteers"] = volunteers
        out["volunteering_acts_per_volunteer"] = float(acts.sum() / volunteers) if volunteers else float("nan")
        members = self.team_of >= 0
        out["volunteer_teams"] = int(self.team_community.size) if pv.teams else 0
        out["team_members"] = int(members.sum())
        out["team_members_migrant_share"] = float(m.pop.migrant[members].mean()) if members.any() else float("nan")
        out["team_duty_calls"] = int(self.duty_calls)
        out["team_joins"] = int(self.joins)
        out["team_leaves"] = int(self.leaves)
        # hours a year a team member gives on duties (T: 13.85 h per registered volunteer)
        mean_members = self.member_days / days
        out["team_member_hours_year"] = (self.acts_by_source["team"] * m.p.behaviour.hours_per_act
                                         / mean_members * 365.0 / days) if mean_members else float("nan")
        return out


def team_calls_reference(team_of: np.ndarray, last_called: np.ndarray, last_volunteered: np.ndarray,
                         on_duty: np.ndarray, per_duty: int, day: int) -> np.ndarray:
    """The members teams on duty call today, written plainly (:func:`sim.kernels.team_calls`
    must agree): members of teams on duty who did not volunteer today, in each team those
    called least recently first (ties: the lower index), ``per_duty`` of them; by index."""
    on_team = np.flatnonzero(team_of >= 0)
    on_team = on_team[on_duty[team_of[on_team]]]
    on_team = on_team[last_volunteered[on_team] != day]
    if on_team.size == 0:
        return on_team
    order = np.lexsort((on_team, last_called[on_team], team_of[on_team]))
    ranked = on_team[order]
    team = team_of[ranked]
    start = np.concatenate(([0], np.flatnonzero(team[1:] != team[:-1]) + 1))
    rank = np.arange(ranked.size) - np.repeat(start, np.diff(np.append(start, ranked.size)))
    return np.sort(ranked[rank < per_duty])
