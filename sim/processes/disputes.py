"""Neighbour disputes and their resolution (矛盾纠纷化解).

Arrival: each day, disputes of each type arrive per community as Poisson(rate/1000/365 x
residents); one party is a random resident, the other a close tie (household for family
disputes, household or building neighbour otherwise). Collective disputes (parking,
renovation, property rights with the property company or a unit; seed 004: 170 households)
arrive per community: their parties are ``households`` neighbouring households of the first
party, and they also raise a public issue for deliberation (see :mod:`sim.processes.deliberation`).

Randomness: every dispute carries its own random generator, seeded from the disputes stream
when it arrives, and the arrivals have their own generator. Two paired runs (same seed,
different levers) therefore see the same disputes with the same luck; a lever changes only
what the mechanisms do with them.

Direct settlement: on the day it arises a dispute is settled between the parties with chance
``direct_settle_strong`` x tie_weight x (1 - severity) (strong ties settle more often).

Detection: an unsettled dispute is reported with daily chance report_prob_day x mean trust of
the parties (+ ``smart.digital_report_gain`` where a digital channel, the mini-program or the
online platform, is on), or found when a grid worker visits a party's household (more
households per grid worker: fewer found early).

Channels: a detected dispute tries the channels of its type's preference list in order
(building head / volunteer mediator / party member; the committee's people's mediation; a
professional mediator or community lawyer; the community police; the online platform; the
street and departments; last the court). A channel takes a case if it has capacity today
(committee: free staff hours left after pushed-down duties; police: only on days present;
lawyer: hours a week; online: platform capacity); a case that waits more than
``max_wait_days`` for a busy channel moves on. The court (诉讼) takes every case the parties
file: after the street fails they sue with chance ``court_filing_prob`` (else the dispute
closes unresolved); a case before the court is pending and exempt from ``give_up_days``.
An attempt takes an exponential delay (rounded down: short attempts end the same day),
counted for the police in days they are present (its follow-up sessions fall on those days,
so fewer days a week make a longer attempt), and succeeds with chance

    p = skill_channel x type_factor x (1 - severity_weight x severity) x (0.8 + 0.4 x trust_parties)

A failed attempt raises severity by 0.05; then with chance ``abandon_after_failure`` the
parties stop seeking help and the dispute festers, otherwise it goes to the next channel.
Open disputes fester: severity grows by ``severity_growth_day``; the parties lose
``trust_erosion`` trust and satisfaction a day and their ties half that. A dispute still open
after ``give_up_days``, or with no channel left, closes unresolved. Channels absent from the
scenario (no lawyer hours, no police days, no volunteer mediators, no online platform) are
left out of the chain rather than waited for.

Same-day mediation (``legal.same_day_mediation``, 调解矛盾不过夜, seed 003): cases reported
today are routed before older waiting ones; a case reported today goes to the first channel
of its chain that is in the community (volunteer, committee, police) and can take it today,
ahead of a busy, absent or remote (online, lawyer) first channel; and that attempt holds its
session today (no scheduling delay). Where no community channel has capacity today the case
follows its ordinary chain, so the commitment raises the same-day share only where capacity
allows.

Collective disputes are settled through deliberation first (seed 004: hearings over a year):
while their public issue is in deliberation (and a deliberation platform exists) they wait for
it, exempt from ``give_up_days``; a carried-out issue resolves them ("deliberation"); if the
issue is rejected or stalls they go to a lawyer, then the street (街道吹哨). Every attempt on
a collective dispute has its type's lower chance (``type_success_factor``).
"Escalated" means it reached the street and departments; "court" that the parties sued.

Why one long module: arrival, detection, the channel chain, festering and the outcome log are one process whose parts share each dispute's state.
"""

from __future__ import annotations

import math

import numpy as np

from ..kernels import accrue_channels, erode, gather_ties, sorted_unique, ties_outside
from .base import Process
from ..params import CHANNELS, DISPUTE_TYPES

PREFERENCE = {
    "noise_leak": ("volunteer", "committee", "police", "professional", "street", "court"),
    "parking": ("police", "committee", "volunteer", "street", "court"),
    "pets": ("volunteer", "committee", "police", "street", "court"),
    "renovation_property": ("committee", "professional", "street", "court"),
    "family": ("committee", "volunteer", "professional", "street", "court"),
    "collective": ("professional", "street", "court"),  # after deliberation fails (see module doc)
}
#: channels in the community that can hold a session the day a case is reported (调解矛盾不过夜)
IN_COMMUNITY = ("volunteer", "committee", "police")
#: channels present on some days only: their attempts count their length in days present
PART_TIME = ("police",)
THIRD_PARTY = CHANNELS[1:]
OPEN, CLOSED = 0, 1
#: per-day dispute columns of the time series (read by :mod:`sim.outcomes`)
TIMESERIES = (("disputes_detected", "disputes_escalated", "disputes_festering",
               "disputes_queue_committee")
              + tuple(f"disputes_taken_{ch}" for ch in THIRD_PARTY)
              + tuple(f"disputes_resolved_{ch}" for ch in CHANNELS + ("deliberation",))
              + tuple(f"disputes_opened_{t}" for t in DISPUTE_TYPES)
              + tuple(f"disputes_resolved_{t}" for t in DISPUTE_TYPES))


def _poisson(u: float, lam: float) -> int:
    """The Poisson(lam) count whose distribution function first reaches ``u`` (inversion)."""
    k, p = 0, math.exp(-lam)
    cdf = p
    while u > cdf and p > 0.0:
        k += 1
        p *= lam / k
        cdf += p
    return k


def _rng_from(parent: np.random.Generator) -> np.random.Generator:
    return np.random.Generator(np.random.SFC64(int(parent.integers(0, 2**63 - 1))))


class Dispute:
    __slots__ = ("id", "dtype", "a", "b", "community", "severity", "opened", "detected",
                 "chain", "pos", "channel", "waiting_since", "due", "attempts", "escalated",
                 "status", "resolved", "closed", "households", "strong", "rng", "parties",
                 "festering", "issue", "taken_by", "started", "due_present", "escalated_on",
                 "sued_on")

    def __init__(self, id_, dtype, a, b, community, severity, opened, chain, rng, parties,
                 households=1, strong=1.0):
        self.id, self.dtype, self.a, self.b = id_, dtype, a, b
        self.community, self.severity, self.opened = community, severity, opened
        self.detected = -1
        self.chain, self.pos = chain, 0
        self.channel = None  # channel currently handling it (attempt under way)
        self.waiting_since = -1
        self.due = -1  # the calendar day the attempt ends
        self.due_present = -1  # a part-time channel: the count of its days present it ends at
        self.started = -1  # the day the attempt under way started
        self.attempts = 0
        self.escalated = False
        self.escalated_on = -1  # the clock day it reached the street
        self.sued_on = -1  # the clock day the parties filed in court
        self.status = OPEN
        self.resolved = False
        self.closed = -1
        self.households = households
        self.strong = strong
        self.rng = rng
        self.parties = parties
        self.festering = False  # parties gave up seeking help after a failure
        self.issue = None  # the public issue of a collective dispute
        self.taken_by: list[str] = []


class DisputeSystem(Process):
    """All disputes of the run, the channels' capacities, and the outcome log."""
    name, sections = "disputes", ("disputes", "legal", "smart")
    records = ("disputes_opened", "disputes_resolved", "disputes_failed") + TIMESERIES
    hands_to = ("deliberation",)
    state = ("next_id", "open", "log", "opened_total", "credit", "mediated", "rng_arrival",
             "rng_capacity", "waits", "attempts_by_channel", "queue_days", "attempts_done",
             "attempt_days", "days_present", "days")
    caches = ("_accrual", "_fester_key", "_open_version", "_volunteer", "_arrival_rates",
              "_chains", "_online", "_fester_sets")

    def __init__(self, model):
        self.model = model
        self.open: list[Dispute] = []
        self.log: list[Dispute] = []
        self.next_id = 0
        self.opened_total = 0
        n_c = model.pop.n_communities
        self.credit = {ch: np.zeros(n_c) for ch in CHANNELS}
        self.mediated = 0  # cases taken up by any channel other than direct settlement
        # sub-streams of the disputes stream: arrivals, and the channels' daily capacities
        self.rng_arrival = _rng_from(model.streams.disputes)
        self.rng_capacity = _rng_from(model.streams.disputes)
        # every stay of a case in a channel's queue: (channel, days waited, taken?)
        self.waits: list[tuple[str, int, bool]] = []
        self.attempts_by_channel = dict.fromkeys(THIRD_PARTY, 0)
        self.queue_days = dict.fromkeys(THIRD_PARTY, 0)  # sum over days of queue lengths
        # finished attempts by channel: how many, and their days from start to end summed
        self.attempts_done = dict.fromkeys(THIRD_PARTY, 0)
        self.attempt_days = dict.fromkeys(THIRD_PARTY, 0)
        # a part-time channel's days present so far, by community (the clock of its attempts)
        self.days_present = {ch: np.zeros(n_c, np.int64) for ch in PART_TIME}
        self.days = 0
        self._accrual = None  # the slow channels' daily capacity and credit cap (see _capacities)
        self._fester_key = None  # (open-set version, network version) of the cached parties and ties
        self._open_version = 0  # bumped whenever a dispute joins the open list or closes
        self._volunteer = None  # the volunteer channel's daily capacity (see _volunteer_capacity)
        self._arrival_rates = None  # (types, expected disputes a day by type, per community)
        self._chains: dict[str, tuple[str, ...]] = {}  # channels tried, by dispute type
        self._online = None  # the online platform's daily capacity (set with _accrual)
        self._fester_sets = None

    def start_reporting(self) -> None:
        """Day 0: the log and the report's counters start from zero; open disputes carry on
        (and count as opened in the report)."""
        self.log = []
        self.opened_total = len(self.open)
        self.mediated = 0
        self.waits = []
        self.attempts_by_channel = dict.fromkeys(THIRD_PARTY, 0)
        self.queue_days = dict.fromkeys(THIRD_PARTY, 0)
        self.attempts_done = dict.fromkeys(THIRD_PARTY, 0)
        self.attempt_days = dict.fromkeys(THIRD_PARTY, 0)
        self.days = 0

    def parameters_changed(self) -> None:
        """The policy started: drop every cache computed from the parameters."""
        self._accrual = None
        self._volunteer = None
        self._arrival_rates = None
        self._chains = {}
        self._online = None
        # open disputes keep the chain they started on; new ones take the new channels

    # ------------------------------------------------------------------- arrival
    def present(self, ch: str) -> bool:
        """Whether a channel exists in the scenario at all (a busy one still exists)."""
        p = self.model.p
        lg, pd = p.legal, p.disputes
        return {"volunteer": float(self._volunteer_capacity().sum()) > 0,
                "committee": True,
                "professional": lg.lawyer_hours_per_week > 0,
                "police": lg.police_days_per_week > 0 and pd.police_cases_per_day > 0,
                "online": p.smart.online_mediation and pd.online_cases_per_day > 0,
                "street": pd.street_cases_per_day > 0,
                "court": pd.court_filing_prob > 0}[ch]

    def chain_for(self, dtype: str) -> tuple[str, ...]:
        """The channels a dispute of this type tries, in order, among those present (fixed
        for the run: the scenario decides which channels exist)."""
        chain = self._chains.get(dtype)
        if chain is None:
            chain = self._chains[dtype] = self._chain_for(dtype)
        return chain

    def _chain_for(self, dtype: str) -> tuple[str, ...]:
        chain = PREFERENCE[dtype]
        if self.model.p.smart.online_mediation and dtype not in ("collective", "family"):
            chain = ("online",) + chain
        return tuple(ch for ch in chain if self.present(ch))

    def arrive(self, rng) -> list[Dispute]:
        m = self.model
        pd = m.p.disputes
        pop = m.pop
        new = []
        if self._arrival_rates is None:  # expected disputes a day by type and community
            types = [t for t in DISPUTE_TYPES if t != "collective"]
            per_resident = np.array([pd.per_1000_year.get(t, 0.0) / 1000 / 365 for t in types])
            # cumulative over types, by community
            self._arrival_rates = (types, [np.cumsum(per_resident * mm.size) for mm in m.community_members])
        types, rates = self._arrival_rates
        for c in range(pop.n_communities):
            members = m.community_members[c]
            # independent Poisson counts by type, drawn as the day's total (Poisson, by
            # inversion of one uniform: a numpy call costs more at these rates) and each
            # dispute's type by its share of the rate
            total = float(rates[c][-1])
            k = _poisson(rng.random(), total)
            for ti in (np.searchsorted(rates[c], rng.random(k) * total, side="right") if k else ()):
                t = types[min(int(ti), len(types) - 1)]
                a = int(members[rng.integers(0, members.size)])
                b, w = m.close_tie(a, rng, household_only=(t == "family"))
                sev = float(rng.beta(*pd.severity_beta))
                drng = _rng_from(rng)
                if b < 0:
                    continue
                new.append(self._make(t, a, b, c, sev, drng, np.array([a, b], np.int64), 1, w))
            # per 5,000 adults: a small community has fewer parking lots and property rows
            # to fight over (a fixed number per community would sweep up most of a small one)
            for _ in range(rng.poisson(pd.collective_per_year * members.size / 5000 / 365)):
                a = int(members[rng.integers(0, members.size)])
                hh = max(pd.collective_households_min, int(rng.poisson(pd.collective_households)))
                sev = float(rng.beta(*pd.collective_severity_beta))
                drng = _rng_from(rng)
                parties = self._neighbour_households(a, hh)
                d = self._make("collective", a, -1, c, sev, drng, parties, hh, 0.0)
                new.append(d)
                bld = np.unique(pop.building[parties])
                issue = m.deliberation.new_issue(
                    c, int(m.grid_of[a]), "collective",
                    drng.normal(pd.collective_support, m.p.deliberation.issue_support_sd),
                    households=hh, building=int(bld[0]) if bld.size == 1 else -1,
                    affected=parties)
                issue.dispute = d
                d.issue = issue
        return new

    def _neighbour_households(self, a: int, hh: int) -> np.ndarray:
        """Residents of ``hh`` consecutive households of a's community around a's household."""
        m, pop = self.model, self.model.pop
        members = m.community_members[pop.community[a]]
        hhs = pop.household[members]
        lo_h, hi_h = int(hhs.min()), int(hhs.max())
        start = max(lo_h, min(int(pop.household[a]) - hh // 2, hi_h - hh + 1))
        sel = (hhs >= start) & (hhs < start + hh)
        return members[sel]

    def _make(self, dtype, a, b, c, sev, drng, parties, households, strong) -> Dispute:
        sev = min(1.0, sev)
        d = Dispute(self.next_id, dtype, a, b, c, sev, self.model.clock, self.chain_for(dtype),
                    drng, parties, households, strong)
        self.next_id += 1
        self.opened_total += 1
        self.model.today["disputes_opened"] += 1
        self.model.today[f"disputes_opened_{dtype}"] += 1
        return d

    def trust_of(self, d: Dispute) -> float:
        trust = self.model.pop.trust[d.parties]
        return float(np.add.reduce(trust)) / trust.size

    # ---------------------------------------------------------------------- a day
    def step(self) -> None:
        m = self.model
        pd = m.p.disputes
        sm = m.p.smart
        day = m.clock
        new = self.arrive(self.rng_arrival)
        # direct settlement between the parties, the same day
        for d in new:
            u = d.rng.random()
            if d.dtype != "collective" and u < pd.direct_settle_strong * d.strong * (1 - d.severity):
                self._close(d, True, "direct")
            else:
                self.open.append(d)
                self._open_version += 1
        # detection: the parties report, or a grid worker finds it on a visit
        report_extra = sm.digital_report_gain if (sm.online_mediation or sm.digital_ordering) else 0.0
        visited_res = m.process("grid_visits").visited
        for d in self.open:
            if d.detected < 0:
                u = d.rng.random()  # drawn every day, so paired runs stay aligned
                visited = bool(visited_res[d.parties].any())
                if visited or d.dtype == "collective" or \
                        u < pd.report_prob_day * self.trust_of(d) + report_extra:
                    d.detected = day
                    d.waiting_since = day
                    m.today["disputes_detected"] += 1
        self._capacities(self.rng_capacity)
        # attempts that finish today
        for d in self.open:
            if d.channel is not None and d.status == OPEN and self._due(d, day):
                self._finish(d)
        # routing of waiting cases, oldest first; under 调解矛盾不过夜 today's reports first,
        # so that today's free capacity goes to the disputes that have not yet lasted a night
        same_day = m.p.legal.same_day_mediation
        waiting = [d for d in self.open if d.detected >= 0 and d.channel is None
                   and d.status == OPEN and not d.festering and d.pos < len(d.chain)
                   and not self._in_deliberation(d)]
        if len(waiting) > 1:  # most days none or one waits
            waiting.sort(key=lambda d: (same_day and d.detected != day, d.opened, d.id))
        for d in waiting:
            self._route(d)
        # attempts that start and finish today (same-day mediation, 调解矛盾不过夜)
        for d in self.open:
            if d.channel is not None and d.status == OPEN and self._due(d, day):
                self._finish(d)
        self._fester()
        # give-up, then the queues of those still open, in one pass (closing a dispute
        # touches no other dispute's state)
        still_open = []
        # queues: cases detected, waiting for a channel (counted here and booked once: a
        # day's counter update costs more than the loop)
        at_committee = festering = 0
        for d in self.open:
            if d.status != OPEN:
                continue
            # a case before the court is pending: the parties wait for the judgment
            if day - d.opened >= pd.give_up_days and not self._in_deliberation(d) and d.channel != "court":
                self._close(d, False, d.channel or "none")
                continue
            still_open.append(d)
            if d.festering:
                festering += 1
            elif d.channel is None and d.detected >= 0 and d.pos < len(d.chain) \
                    and not self._in_deliberation(d):
                self.queue_days[d.chain[d.pos]] += 1
                if d.chain[d.pos] == "committee":
                    at_committee += 1
        self.open = still_open
        if at_committee:
            m.today["disputes_queue_committee"] += at_committee
        if festering:
            m.today["disputes_festering"] += festering
        self.days += 1

    def _in_deliberation(self, d: Dispute) -> bool:
        """A collective dispute waits for its public issue while a deliberation platform exists."""
        return d.issue is not None and not d.issue.closed and self.model.p.deliberation.meetings_per_year > 0

    def _accruals(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per slow channel: (capacity gained a day, most credit kept) by community. Unused
        credit does not pile up beyond a week's worth (at least one case)."""
        m, pd, lg = self.model, self.model.p.disputes, self.model.p.legal
        n_c = m.pop.n_communities
        daily = {"volunteer": self._volunteer_capacity(),
                 "professional": np.full(n_c, lg.lawyer_hours_per_week / 7 / pd.lawyer_hours_per_case),
                 "street": pd.street_cases_per_day * m.household_factor}
        return {ch: (dly, np.where(dly > 0, np.maximum(7 * dly, 1.0), 0.0)) for ch, dly in daily.items()}

    def _volunteer_capacity(self) -> np.ndarray:
        """Cases a day of the volunteer channel by community: building heads and volunteer
        mediators, plus the party members who serve (registered in-service and retired).
        Fixed for the run (registration is)."""
        if self._volunteer is not None:
            return self._volunteer
        m = self.model
        lg, pd, party = m.p.legal, m.p.disputes, m.p.party
        pop = m.pop
        sizes = np.array([mm.size for mm in m.community_members], float)
        serving = np.bincount(pop.community[pop.registered | (pop.party & pop.retired)],
                              minlength=pop.n_communities)
        self._volunteer = (lg.volunteer_mediators_per_1000 * sizes / 1000 * pd.volunteer_cases_per_mediator_day
                           + serving * party.mediation_cases_per_member_day)
        return self._volunteer

    def _capacities(self, rng) -> None:
        m, pd, lg = self.model, self.model.p.disputes, self.model.p.legal
        n_c = m.pop.n_communities
        c = self.credit
        if self._accrual is None:  # fixed for the run
            acc = self._accruals()
            # the slow channels' credits as the rows of one array, so that a day's accrual is
            # two operations (the credit dict keeps views of the rows)
            self._accrual = (np.array([acc[ch][0] for ch in acc]), np.array([acc[ch][1] for ch in acc]),
                             np.array([c[ch] for ch in acc]))
            for k, ch in enumerate(acc):
                c[ch] = self._accrual[2][k]
            self._online = (pd.online_cases_per_day if m.p.smart.online_mediation else 0.0) * m.household_factor
        daily, cap, credit = self._accrual
        accrue_channels(rng.random(n_c), lg.police_days_per_week / 7, pd.police_cases_per_day,
                        c["police"], self.days_present["police"], self._online, c["online"],
                        daily, cap, credit)

    def _capacities_reference(self, rng) -> None:
        """:meth:`_capacities`'s day in numpy (after its first day, which sets the accruals):
        the police are present with chance police_days_per_week / 7 and take
        police_cases_per_day; the online platform takes online_cases_per_day; the slow
        channels' credits gain a day's capacity and keep at most a week's (tests/test_disputes.py
        ties the compiled :func:`sim.kernels.accrue_channels` to it)."""
        m, pd, lg = self.model, self.model.p.disputes, self.model.p.legal
        c = self.credit
        present = rng.random(m.pop.n_communities) < lg.police_days_per_week / 7
        c["police"] = present * pd.police_cases_per_day
        self.days_present["police"] += present
        c["online"] = self._online.copy()
        daily, cap, credit = self._accrual
        credit += daily
        np.minimum(credit, cap, out=credit)

    def _route(self, d: Dispute) -> None:
        m = self.model
        pd = m.p.disputes
        day = m.clock
        # 调解矛盾不过夜: a case reported today, not yet tried by anyone
        same_day = m.p.legal.same_day_mediation and d.detected == day and d.attempts == 0
        if same_day:
            # the first community channel of its chain that can hold a session today takes
            # it (the case's own first channel may be busy, absent, or not in the community)
            rest = d.chain[d.pos:]
            for ch in rest:
                if ch in IN_COMMUNITY and self._take(ch, d):
                    d.chain = d.chain[:d.pos] + (ch,) + tuple(c for c in rest if c != ch)
                    self._start(d, ch, True)
                    return
        while d.pos < len(d.chain):
            ch = d.chain[d.pos]
            if ch == "court":
                # the court takes every case filed; the parties decide whether to sue
                if d.rng.random() < pd.court_filing_prob:
                    self._start(d, ch, False)
                    return
                d.pos += 1
                continue
            if self._take(ch, d):
                self._start(d, ch, False)
                return
            if day - d.waiting_since >= pd.max_wait_days:
                self.waits.append((ch, day - d.waiting_since, False))
                d.pos += 1  # waited too long for a busy channel: try the next one
                d.waiting_since = day
                continue
            return  # keep waiting for this channel
        self._exhausted(d)

    def _due(self, d: Dispute, day: int) -> bool:
        """Whether the attempt under way ends today: on its calendar day, or, by a part-time
        channel still in the scenario, on the day it is present for the drawn number of days."""
        # (the police are the one part-time channel; with no days left in the scenario their
        # open attempts end on the calendar)
        if d.due_present >= 0 and self.model.p.legal.police_days_per_week > 0:
            return self.days_present[d.channel][d.community] >= d.due_present
        return d.due <= day

    def _start(self, d: Dispute, ch: str, same_day: bool) -> None:
        """An attempt by ``ch`` starts today and lasts ``k = floor(Exp(mean))`` more days (a
        short attempt ends the same day); a part-time channel (the police) counts them in days
        it is present, so its follow-up sessions fall on those days and fewer days a week make
        a longer attempt. Under 调解矛盾不过夜 a community channel that takes a case on the day
        of its report holds the session that day."""
        m = self.model
        day = m.clock
        mean = m.p.disputes.channel_delay_days[ch]
        delay = d.rng.exponential(mean) if mean > 0 else 0.0  # drawn always: paired runs stay aligned
        if same_day and ch in IN_COMMUNITY:
            delay = 0.0
        self.waits.append((ch, day - d.waiting_since, True))
        if ch == "court" and d.sued_on < 0:
            d.sued_on = day
        d.channel = ch
        d.attempts += 1
        d.taken_by.append(ch)
        self.attempts_by_channel[ch] += 1
        if d.attempts == 1:
            self.mediated += 1
        if ch == "street" and not d.escalated:
            d.escalated = True
            d.escalated_on = day
            m.today["disputes_escalated"] += 1
        d.due = day + int(delay)
        d.due_present = self.days_present[ch][d.community] + int(delay) if ch in PART_TIME else -1
        d.started = day
        m.today[f"disputes_taken_{ch}"] += 1

    def _exhausted(self, d: Dispute) -> None:
        """No channel left: closes unresolved, unless its public issue is still in deliberation."""
        if self._in_deliberation(d):
            d.channel = None
            return
        self._close(d, False, "none")

    def _take(self, ch: str, d: Dispute) -> bool:
        m = self.model
        c = d.community
        if ch == "committee":
            hours = m.p.disputes.committee_hours_per_case
            return m.committees[c].units("mediation", 1, hours) == 1
        if self.credit[ch][c] >= 1.0:
            self.credit[ch][c] -= 1.0
            return True
        return False

    def success_prob(self, d: Dispute) -> float:
        pd = self.model.p.disputes
        return (pd.channel_skill[d.channel] * pd.type_success_factor.get(d.dtype, 1.0)
                * (1 - pd.severity_weight * d.severity)
                * (1 - pd.trust_success_weight / 2 + pd.trust_success_weight * self.trust_of(d)))

    def _finish(self, d: Dispute) -> None:
        pd = self.model.p.disputes
        self.attempts_done[d.channel] += 1
        self.attempt_days[d.channel] += self.model.clock - d.started
        u_success, u_abandon = d.rng.random(2)
        if u_success < min(self.success_prob(d), pd.success_cap):
            self._close(d, True, d.channel)
            return
        d.severity = min(1.0, d.severity + pd.severity_per_failure)
        d.pos += 1
        d.channel = None
        d.waiting_since = self.model.clock
        if u_abandon < pd.abandon_after_failure and not self._in_deliberation(d):
            d.festering = True  # the parties stop seeking help; it festers until give-up
        elif d.pos >= len(d.chain):
            self._exhausted(d)

    def _close(self, d: Dispute, resolved: bool, channel: str) -> None:
        m = self.model
        d.status = CLOSED
        self._open_version += 1
        d.resolved = resolved
        d.closed = m.clock
        d.channel = channel
        self.log.append(d)
        parties = d.parties
        from .participation import update_satisfaction, update_trust
        update_trust(m, parties, 1.0 if resolved else 0.0)
        update_satisfaction(m, parties, 1.0 if resolved else 0.0)
        m.today["disputes_resolved" if resolved else "disputes_failed"] += 1
        if resolved:
            m.today[f"disputes_resolved_{channel}"] += 1
            m.today[f"disputes_resolved_{d.dtype}"] += 1
        if d.issue is not None and not d.issue.closed:
            # settled (or abandoned) outside deliberation: the public issue is withdrawn
            m.deliberation.withdraw(d.issue, "settled" if resolved else "abandoned")

    def issue_closed(self, issue, carried_out: bool) -> None:
        """Deliberation reports the end of a collective dispute's public issue."""
        d = getattr(issue, "dispute", None)
        if d is None or d.status != OPEN:
            return
        if carried_out:
            self._close(d, True, "deliberation")
        elif d.channel is None and (d.pos >= len(d.chain) or d.festering):
            self._close(d, False, "none")
        elif d.channel is None:
            d.waiting_since = self.model.clock  # deliberation failed: on to the channels

    def _fester(self) -> None:
        m = self.model
        pd = m.p.disputes
        open_ = [d for d in self.open if d.status == OPEN]
        if not open_:
            return
        for d in open_:
            d.severity = min(1.0, d.severity + pd.severity_growth_day)
        parties, touched = self._parties_and_ties(open_)
        pop = m.pop
        erode(parties, pop.trust, pop.satisfaction, pd.trust_erosion)
        erode(touched, pop.trust, pop.satisfaction, pd.trust_erosion * pd.tie_erosion_share)

    def _parties_and_ties(self, open_: list[Dispute]) -> tuple[np.ndarray, np.ndarray]:
        """Parties of the open disputes, and their ties who are not parties. Recomputed only
        when the set of open disputes (or the network, monthly) changes: a dispute joins it
        only in :meth:`step` and leaves it only by :meth:`_close`, which bump a version (a
        tuple of the open disputes' ids as the key was built every day)."""
        key = (self._open_version, self.model.network_version)
        if self._fester_key != key:
            parties = sorted_unique(np.concatenate([d.parties for d in open_]))
            # a collective dispute's parties are the affected households themselves: its
            # grievance is theirs and does not spread through each party's ties (a hundred
            # parties' ties are most of a small community; their erosion had a single
            # unresolved parking dispute pull a 2,000-adult community's trust from 0.46 to 0.2)
            personal = [d.parties for d in open_ if d.dtype != "collective"]
            spreading = np.concatenate(personal) if personal else parties[:0]
            # the parties are few: gather their rows of the network rather than a product
            # over every resident, then their distinct ties who are not parties themselves
            # (a resident who is party to two disputes, or a tie of two parties, counts once)
            adj = self.model.adj  # its structure: who is tied to whom
            touched = ties_outside(gather_ties(adj.indptr, adj.indices, spreading), parties)
            self._fester_key, self._fester_sets = key, (parties, touched)
        return self._fester_sets

    # ------------------------------------------------------------------- outcomes
    def cohort(self, first: int | None = None, last: int | None = None) -> list[Dispute]:
        """The disputes opened on report days ``first`` .. ``last`` (default: day 0 to the
        last day whose disputes have been followed for the whole horizon, today minus
        ``disputes.cohort_horizon_days``). Disputes carried over from the spin-up are not in
        it: they were opened before day 0."""
        m = self.model
        h = m.p.disputes.cohort_horizon_days
        first = 0 if first is None else first
        last = m.reported_day - h if last is None else last
        lo, hi = m.day0 + first, m.day0 + last
        return [d for d in self.log + self.open if lo <= d.opened <= hi]

    def daily_outcomes(self) -> dict:
        """Disputes open today (the backlog)."""
        return {"disputes_backlog": len(self.open)}

    def results(self) -> dict:
        """How disputes were opened, handled and closed since day 0; the shares of disputes
        on the cohort of :meth:`cohort`, each followed for ``cohort_horizon_days`` (ODD 7.9)."""
        days = self.model.reported_day
        log = self.log
        everyone = log + self.open
        out: dict = {}
        res = [d for d in log if d.resolved]
        mediated = [d for d in log if d.attempts > 0]
        dur = np.array([d.closed - d.opened for d in res], float)
        n_res_total = self.model.pop.n
        opened = self.opened_total
        nan = float("nan")
        out["disputes_opened"] = opened
        out["disputes_closed"] = len(log)
        out["disputes_resolved"] = len(res)
        # the shares of disputes: on the cohort followed to the horizon (year 1 and year 5
        # mean the same; a dispute opened on day 360 is not counted unresolved on day 364)
        out.update(cohort_counts(self.cohort(), self.model.p.disputes.cohort_horizon_days))
        out.update(kaplan_meier_summary(self.survival()))
        out["disputes_days_median"] = float(np.median(dur)) if dur.size else nan
        out["disputes_days_p90"] = float(np.percentile(dur, 90)) if dur.size else nan
        # the counts behind the shares, so that comparisons can pool cases over replications
        out["disputes_resolved_same_day"] = int((dur == 0).sum())
        out["disputes_same_day_share_of_resolved"] = float((dur == 0).mean()) if dur.size else nan
        # 调解矛盾不过夜: of the disputes reported (or found), those resolved the day of the report
        reported = [d for d in everyone if d.detected >= 0]
        out["disputes_reported"] = len(reported)
        day_reported = sum(1 for d in reported if d.resolved and d.closed == d.detected)
        out["disputes_resolved_day_reported"] = day_reported
        out["disputes_resolved_within_30d"] = int((dur <= 30).sum())
        out["disputes_within_30d_share_of_resolved"] = float((dur <= 30).mean()) if dur.size else nan
        out["disputes_reached_street"] = sum(d.escalated for d in everyone)
        sued = sum("court" in d.taken_by for d in everyone)
        out["disputes_court"] = sued
        out["disputes_court_fees_yuan"] = sued * self.model.p.disputes.court_fee_yuan_per_case
        out["disputes_backlog"] = len(self.open)
        out["disputes_festering_end"] = sum(d.festering for d in self.open)
        det = [d.detected - d.opened for d in everyone if d.detected >= 0]
        out["disputes_detected_share"] = (len(det) + sum(1 for d in log if d.channel == "direct")) / opened \
            if opened else nan
        out["disputes_detect_days_mean"] = float(np.mean(det)) if det else nan
        out["disputes_mediated"] = self.mediated
        out["disputes_mediated_per_1000_year"] = self.mediated / n_res_total * 1000 * 365 / max(days, 1)
        out["mediation_success_share"] = (sum(d.resolved for d in mediated) / len(mediated)
                                          if mediated else nan)
        for ch in CHANNELS + ("deliberation",):
            out[f"disputes_resolved_by_{ch}"] = sum(1 for d in res if d.channel == ch)
        for ch in THIRD_PARTY:
            att = self.attempts_by_channel[ch]
            out[f"disputes_taken_{ch}"] = att
            out[f"disputes_success_share_{ch}"] = out[f"disputes_resolved_by_{ch}"] / att if att else nan
            w = [x for c, x, _ in self.waits if c == ch]
            out[f"disputes_{ch}_wait_days_mean"] = float(np.mean(w)) if w else nan
            out[f"disputes_{ch}_queue_mean"] = self.queue_days[ch] / max(self.days, 1)
            done = self.attempts_done[ch]
            out[f"disputes_{ch}_attempt_days_mean"] = self.attempt_days[ch] / done if done else nan
        for t in DISPUTE_TYPES:
            of_t = [d for d in everyone if d.dtype == t]
            res_t = [d for d in of_t if d.resolved]
            dur_t = [d.closed - d.opened for d in res_t]
            out[f"disputes_opened_{t}"] = len(of_t)
            out[f"disputes_resolved_{t}"] = len(res_t)
            out[f"disputes_days_median_{t}"] = float(np.median(dur_t)) if dur_t else nan
            med_t = [d for d in of_t if d.attempts > 0 and d.status == CLOSED]
            out[f"mediation_success_share_{t}"] = (sum(d.resolved for d in med_t) / len(med_t)
                                                   if med_t else nan)
        return out

    def survival(self, first: int = 0, last: int | None = None) -> "pd.DataFrame":
        """Time to resolution of the disputes opened on report days ``first`` .. ``last``
        (default: every one opened since day 0) as a Kaplan-Meier curve: a dispute resolved
        is an event at its days from opening to closing; one still open, or closed
        unresolved, is censored today (the run's end: a dispute closed unresolved is known
        not to have been resolved up to today)."""
        m = self.model
        last = m.reported_day if last is None else last
        lo, hi = m.day0 + first, m.day0 + last
        ds = [d for d in self.log + self.open if lo <= d.opened <= hi]
        t = np.array([(d.closed if d.resolved else m.clock) - d.opened for d in ds], np.int64)
        event = np.array([d.resolved for d in ds], bool)
        return kaplan_meier(t, event)

    # ------------------------------------------------------------------- the process
    def policy_started(self, old, new) -> None:
        self.parameters_changed()

    def daily_costs(self) -> dict[str, float]:
        m = self.model
        lg, sm, n_c, yr = m.p.legal, m.p.smart, m.pop.n_communities, 1.0 / 365.0
        return {"legal": (n_c * lg.lawyer_hours_per_week * 52 * lg.lawyer_cost_yuan_per_hour
                          + n_c * lg.police_days_per_week * 52 * lg.police_cost_yuan_per_day
                          + lg.volunteer_mediators_per_1000 * m.pop.n / 1000
                          * lg.mediator_stipend_yuan_per_year) * yr,
                "smart": n_c * sm.cost_yuan_per_year * yr * sm.online_mediation}


def cohort_counts(cohort: list, horizon: int) -> dict:
    """Counts and shares of a cohort of disputes, each followed ``horizon`` days from its
    opening: resolved within the horizon, closed unresolved within it, resolved the day it
    arose, reached the street, taken to court; of those reported, resolved the day reported;
    and by type. The counts let comparisons pool cohorts over replications."""
    nan = float("nan")

    def within(day: int, d) -> bool:
        return 0 <= day - d.opened <= horizon if day >= 0 else False

    out: dict = {}
    n = len(cohort)
    res = [d for d in cohort if d.resolved and within(d.closed, d)]
    failed = sum(1 for d in cohort if not d.resolved and d.status == CLOSED and within(d.closed, d))
    same_day = sum(1 for d in res if d.closed == d.opened)
    reported = [d for d in cohort if d.detected >= 0 and within(d.detected, d)]
    day_reported = sum(1 for d in reported if d.resolved and d.closed == d.detected)
    esc = sum(1 for d in cohort if within(d.escalated_on, d))
    sued = sum(1 for d in cohort if within(d.sued_on, d))
    out["disputes_cohort"] = n
    out["disputes_cohort_resolved"] = len(res)
    out["disputes_cohort_same_day"] = same_day
    out["disputes_cohort_reported"] = len(reported)
    out["disputes_cohort_day_reported"] = day_reported
    out["disputes_cohort_escalated"] = esc
    out["disputes_cohort_court"] = sued
    out["disputes_resolved_share"] = len(res) / n if n else nan
    out["disputes_unresolved_share"] = failed / n if n else nan
    out["disputes_same_day_share"] = same_day / n if n else nan
    out["disputes_same_day_of_report_share"] = day_reported / len(reported) if reported else nan
    out["disputes_escalated_share"] = esc / n if n else nan
    out["disputes_court_share"] = sued / n if n else nan
    for t in DISPUTE_TYPES:
        of_t = [d for d in cohort if d.dtype == t]
        n_t = len(of_t)
        r_t = sum(1 for d in of_t if d.resolved and within(d.closed, d))
        out[f"disputes_cohort_{t}"] = n_t
        out[f"disputes_cohort_resolved_{t}"] = r_t
        out[f"disputes_resolved_share_{t}"] = r_t / n_t if n_t else nan
        out[f"disputes_escalated_share_{t}"] = (sum(1 for d in of_t if within(d.escalated_on, d)) / n_t
                                                if n_t else nan)
        out[f"disputes_court_share_{t}"] = (sum(1 for d in of_t if within(d.sued_on, d)) / n_t
                                            if n_t else nan)
    return out


def kaplan_meier(t: np.ndarray, event: np.ndarray) -> "pd.DataFrame":
    """The Kaplan-Meier estimate of the share not yet resolved after ``day`` days: one row
    per day from 0 to the longest follow-up, with the disputes at risk that day (followed at
    least that long and not resolved before it) and those resolved on it. A dispute censored
    on day k counts as at risk on day k (it was followed through it)."""
    import pandas as pd
    t = np.asarray(t, np.int64)
    event = np.asarray(event, bool)
    if t.size == 0:
        return pd.DataFrame({"day": [], "at_risk": [], "resolved": [], "survival": []})
    horizon = int(t.max())
    resolved = np.bincount(t[event], minlength=horizon + 1)[:horizon + 1]
    leaving = np.bincount(t, minlength=horizon + 1)[:horizon + 1]  # resolved or censored that day
    at_risk = t.size - np.concatenate([[0], np.cumsum(leaving)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(at_risk > 0, 1.0 - resolved / np.maximum(at_risk, 1), 1.0)
    return pd.DataFrame({"day": np.arange(horizon + 1), "at_risk": at_risk, "resolved": resolved,
                         "survival": np.cumprod(step)})


def kaplan_meier_summary(curve) -> dict:
    """The median days to resolution (the first day the curve is at or below one half; NaN
    if it never is) and the share resolved within 30 days (NaN if none was followed so long)."""
    nan = float("nan")
    if not len(curve):
        return {"disputes_km_days_median": nan, "disputes_km_resolved_30d_share": nan}
    s = curve["survival"].to_numpy()
    below = np.flatnonzero(s <= 0.5)
    return {"disputes_km_days_median": float(below[0]) if below.size else nan,
            "disputes_km_resolved_30d_share": float(1.0 - s[30]) if s.size > 30 else nan}
