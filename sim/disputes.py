"""Neighbour disputes and their resolution (矛盾纠纷化解).

Arrival: each day, disputes of each type arrive per community as Poisson(rate/1000/365 x
residents); one party is a random resident, the other a close tie (household for family
disputes, household or building neighbour otherwise). Collective disputes (parking,
renovation, property rights with the property company or a unit) arrive per community
and also raise a public issue for deliberation.

Direct settlement: on the day it arises a dispute is settled between the parties with chance
direct_settle_strong x tie_weight x (1 - severity).

Detection: an unsettled dispute is reported with daily chance report_prob_day x mean trust of
the parties (+0.1 with an online platform, whose reporting is cheap), or found when a grid
worker visits a party's household.

Channels: a detected dispute tries the channels of its type's preference list in order
(building head / volunteer mediator / party member; the committee's people's mediation; a
professional mediator or community lawyer; the community police; the online platform; the
street and departments). A channel takes a case if it has capacity today (committee: free
staff hours; police: only on days present; lawyer: hours a week); a case that waits more
than ``max_wait_days`` for a busy channel moves on. An attempt takes an exponential delay
and succeeds with chance

    p = skill_channel x (1 - severity_weight x severity) x (0.8 + 0.4 x trust_parties)

A failed attempt escalates to the next channel (severity +0.05). Open disputes fester:
severity grows by ``severity_growth_day``; the parties lose ``trust_erosion`` trust a day and
their ties half that. A dispute still open after ``give_up_days``, or with no channel left,
closes unresolved. "Escalated" means it reached the street and departments.
"""

from __future__ import annotations

import numpy as np

CHANNELS = ("direct", "volunteer", "committee", "professional", "police", "online", "street")
# besides these, a collective dispute can close through a carried-out public issue ("deliberation")
DISPUTE_TYPES = ("noise_leak", "parking", "pets", "renovation_property", "family", "collective")
PREFERENCE = {
    "noise_leak": ("volunteer", "committee", "police", "professional", "street"),
    "parking": ("police", "committee", "volunteer", "street"),
    "pets": ("volunteer", "committee", "police", "street"),
    "renovation_property": ("committee", "professional", "street"),
    "family": ("committee", "volunteer", "professional", "street"),
    "collective": ("committee", "professional", "street"),
}
OPEN, CLOSED = 0, 1


class Dispute:
    __slots__ = ("id", "dtype", "a", "b", "community", "severity", "opened", "detected",
                 "chain", "pos", "channel", "waiting_since", "due", "attempts", "escalated",
                 "status", "resolved", "closed", "households", "strong")

    def __init__(self, id_, dtype, a, b, community, severity, opened, chain, households=1, strong=1.0):
        self.id, self.dtype, self.a, self.b = id_, dtype, a, b
        self.community, self.severity, self.opened = community, severity, opened
        self.detected = -1
        self.chain, self.pos = chain, 0
        self.channel = None  # channel currently handling it (attempt under way)
        self.waiting_since = -1
        self.due = -1
        self.attempts = 0
        self.escalated = False
        self.status = OPEN
        self.resolved = False
        self.closed = -1
        self.households = households
        self.strong = strong


class DisputeSystem:
    """All disputes of the run, the channels' capacities, and the outcome log."""

    def __init__(self, model):
        self.model = model
        self.open: list[Dispute] = []
        self.log: list[Dispute] = []
        self.next_id = 0
        self.opened_total = 0
        n_c = model.pop.n_communities
        self.credit = {ch: np.zeros(n_c) for ch in CHANNELS}
        self.mediated = 0  # cases taken up by any channel other than direct settlement
        self.issue_dispute: dict[int, Dispute] = {}  # public issue id -> its collective dispute
        self.first_take: dict[int, tuple[str, int]] = {}  # dispute id -> (channel, days waited)

    # ------------------------------------------------------------------- arrival
    def chain_for(self, dtype: str) -> tuple[str, ...]:
        chain = PREFERENCE[dtype]
        if self.model.p.smart.online_mediation and dtype not in ("collective", "family"):
            chain = ("online",) + chain
        return chain

    def arrive(self, rng) -> list[Dispute]:
        m = self.model
        pd = m.p.disputes
        pop = m.pop
        new = []
        per = m.p.population.residents_per_community
        types = [t for t in DISPUTE_TYPES if t != "collective"]
        counts = rng.poisson([[pd.per_1000_year.get(t, 0.0) / 1000 / 365 * per for t in types]
                              for _ in range(pop.n_communities)])
        for c in range(pop.n_communities):
            members = m.community_members[c]
            for ti, t in enumerate(types):
                for _ in range(counts[c, ti]):
                    a = int(members[rng.integers(0, members.size)])
                    b, w = m.close_tie(a, rng, household_only=(t == "family"))
                    if b < 0:
                        continue
                    sev = float(rng.beta(2, 5) + (0.05 if t == "family" else 0.0))
                    new.append(self._make(t, a, b, c, min(sev, 1.0), 1, w))
            for _ in range(rng.poisson(pd.collective_per_year / 365)):
                a = int(members[rng.integers(0, members.size)])
                hh = max(2, int(rng.poisson(pd.collective_households)))
                d = self._make("collective", a, -1, c, float(rng.beta(4, 4)), hh, 0.0)
                new.append(d)
                issue = m.deliberation.new_issue(c, int(m.grid_of[a]), "collective",
                                                 rng.normal(0.5, 0.12), households=hh,
                                                 building=int(pop.building[a]))
                self.issue_dispute[issue.uid] = d
        return new

    def _make(self, dtype, a, b, c, sev, households, strong) -> Dispute:
        d = Dispute(self.next_id, dtype, a, b, c, sev, self.model.day, self.chain_for(dtype),
                    households, strong)
        self.next_id += 1
        self.opened_total += 1
        self.model.today["disputes_opened"] += 1
        return d

    def parties(self, d: Dispute) -> np.ndarray:
        return np.array([d.a] if d.b < 0 else [d.a, d.b], np.int64)

    def trust_of(self, d: Dispute) -> float:
        return float(self.model.pop.trust[self.parties(d)].mean())

    # ---------------------------------------------------------------------- a day
    def step(self) -> None:
        m = self.model
        rng = m.streams.disputes
        pd = m.p.disputes
        day = m.day
        new = self.arrive(rng)
        # direct settlement between the parties, the same day
        for d in new:
            if d.dtype != "collective" and rng.random() < pd.direct_settle_strong * d.strong * (1 - d.severity):
                self._close(d, True, "direct")
            else:
                self.open.append(d)
        # detection
        report_extra = 0.1 if m.p.smart.online_mediation else 0.0
        for d in self.open:
            if d.detected < 0:
                visited = m.visited_today[m.pop.household[d.a]] or (
                    d.b >= 0 and m.visited_today[m.pop.household[d.b]])
                if visited or d.dtype == "collective" or \
                        rng.random() < pd.report_prob_day * self.trust_of(d) + report_extra:
                    d.detected = day
                    d.waiting_since = day
        self._capacities(rng)
        # attempts that finish today
        for d in self.open:
            if d.channel is not None and d.due <= day:
                self._finish(d, rng)
        # routing of waiting cases, oldest first
        for d in sorted((d for d in self.open if d.detected >= 0 and d.channel is None
                         and d.status == OPEN), key=lambda d: d.opened):
            self._route(d, rng)
        # attempts that start and finish today (same-day mediation)
        for d in self.open:
            if d.channel is not None and d.due <= day and d.status == OPEN:
                self._finish(d, rng)
        self._fester()
        for d in self.open:
            if d.status == OPEN and day - d.opened >= pd.give_up_days:
                self._close(d, False, d.channel or "none")
        self.open = [d for d in self.open if d.status == OPEN]

    def _capacities(self, rng) -> None:
        m, pd, lg = self.model, self.model.p.disputes, self.model.p.legal
        n_res = m.p.population.residents_per_community
        n_c = m.pop.n_communities
        c = self.credit
        c["volunteer"] += lg.volunteer_mediators_per_1000 * n_res / 1000 * pd.volunteer_cases_per_mediator_day
        c["professional"] += lg.lawyer_hours_per_week / 7 / pd.lawyer_hours_per_case
        present = rng.random(n_c) < lg.police_days_per_week / 7
        c["police"] = np.where(present, pd.police_cases_per_day, 0.0)
        c["online"] = np.full(n_c, pd.online_cases_per_day if m.p.smart.online_mediation else 0.0)
        c["street"] += pd.street_cases_per_day
        # unused credit of the slow channels does not pile up beyond a week's worth
        for ch, daily in (("volunteer", lg.volunteer_mediators_per_1000 * n_res / 1000
                           * pd.volunteer_cases_per_mediator_day),
                          ("professional", lg.lawyer_hours_per_week / 7 / pd.lawyer_hours_per_case),
                          ("street", pd.street_cases_per_day)):
            np.minimum(c[ch], max(7 * daily, 1.0), out=c[ch])

    def _route(self, d: Dispute, rng) -> None:
        m = self.model
        pd = m.p.disputes
        day = m.day
        while d.pos < len(d.chain):
            ch = d.chain[d.pos]
            if self._take(ch, d):
                d.channel = ch
                d.attempts += 1
                if d.attempts == 1:
                    self.mediated += 1
                    self.first_take[d.id] = (ch, day - d.detected)
                if ch == "street" and not d.escalated:
                    d.escalated = True
                    m.street.escalations_received += 1
                    m.street.whistles_blown += 1
                delay = rng.exponential(pd.channel_delay_days[ch])
                d.due = day + int(delay)  # floor: a short attempt finishes the same day
                m.today[f"disputes_to_{ch}"] += 1
                return
            if day - d.waiting_since >= pd.max_wait_days:
                d.pos += 1  # waited too long for a busy channel: try the next one
                d.waiting_since = day
                continue
            return  # keep waiting for this channel
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

    def _finish(self, d: Dispute, rng) -> None:
        pd = self.model.p.disputes
        p = pd.channel_skill[d.channel] * (1 - pd.severity_weight * d.severity) * \
            (0.8 + 0.4 * self.trust_of(d))
        if rng.random() < min(p, 0.999):
            self._close(d, True, d.channel)
        else:
            d.severity = min(1.0, d.severity + 0.05)
            d.pos += 1
            d.channel = None
            d.waiting_since = self.model.day
            if d.pos >= len(d.chain):
                self._close(d, False, "none")

    def _close(self, d: Dispute, resolved: bool, channel: str) -> None:
        m = self.model
        d.status = CLOSED
        d.resolved = resolved
        d.closed = m.day
        d.channel = channel
        self.log.append(d)
        parties = self.parties(d)
        from .participation import update_satisfaction, update_trust
        update_trust(m, parties, 1.0 if resolved else 0.0)
        update_satisfaction(m, parties, 1.0 if resolved else 0.0)
        m.today["disputes_resolved" if resolved else "disputes_failed"] += 1
        if d.dtype == "collective":
            for issue_id, disp in list(self.issue_dispute.items()):
                if disp is d:
                    del self.issue_dispute[issue_id]

    def resolve_by_deliberation(self, issue) -> None:
        d = self.issue_dispute.pop(issue.uid, None)
        if d is not None and d.status == OPEN:
            self._close(d, True, "deliberation")

    def _fester(self) -> None:
        m = self.model
        pd = m.p.disputes
        open_ = [d for d in self.open if d.status == OPEN]
        if not open_:
            return
        for d in open_:
            d.severity = min(1.0, d.severity + pd.severity_growth_day)
        parties = np.concatenate([self.parties(d) for d in open_])
        pop = m.pop
        pop.trust[parties] = np.maximum(0.0, pop.trust[parties] - pd.trust_erosion)
        pop.satisfaction[parties] = np.maximum(0.0, pop.satisfaction[parties] - pd.trust_erosion)
        # their ties feel it too, half as much: one sparse product over the parties' indicator
        ind = np.zeros(pop.n, np.float32)
        ind[parties] = 1.0
        touched = np.flatnonzero(m.adj_bin @ ind)
        pop.trust[touched] = np.maximum(0.0, pop.trust[touched] - pd.trust_erosion / 2)

    # ------------------------------------------------------------------- outcomes
    def summary(self, days: int) -> dict:
        log = self.log
        out: dict = {}
        res = [d for d in log if d.resolved]
        mediated = [d for d in log if d.channel != "direct" and d.attempts > 0]
        dur = np.array([d.closed - d.opened for d in res], float)
        n_res_total = self.model.pop.n
        out["disputes_opened"] = self.opened_total
        out["disputes_closed"] = len(log)
        out["disputes_resolved"] = len(res)
        out["disputes_resolved_share"] = len(res) / self.opened_total if self.opened_total else float("nan")
        out["disputes_days_median"] = float(np.median(dur)) if dur.size else float("nan")
        out["disputes_days_p90"] = float(np.percentile(dur, 90)) if dur.size else float("nan")
        out["disputes_same_day_share"] = float((dur == 0).sum() / self.opened_total) if self.opened_total else float("nan")
        out["disputes_within_30d_share_of_resolved"] = float((dur <= 30).mean()) if dur.size else float("nan")
        esc = sum(d.escalated for d in log) + sum(d.escalated for d in self.open)
        out["disputes_escalated_share"] = esc / self.opened_total if self.opened_total else float("nan")
        out["disputes_backlog"] = len(self.open)
        out["disputes_mediated"] = self.mediated
        out["disputes_mediated_per_1000_year"] = self.mediated / n_res_total * 1000 * 365 / max(days, 1)
        out["mediation_success_share"] = (sum(d.resolved for d in mediated) / len(mediated)
                                          if mediated else float("nan"))
        for ch in CHANNELS + ("deliberation", "none"):
            out[f"disputes_resolved_by_{ch}"] = sum(1 for d in res if d.channel == ch)
        for t in DISPUTE_TYPES:
            of_t = [d for d in log if d.dtype == t]
            opened_t = len(of_t) + sum(1 for d in self.open if d.dtype == t)
            out[f"disputes_opened_{t}"] = opened_t
            out[f"disputes_resolved_share_{t}"] = (sum(d.resolved for d in of_t) / opened_t
                                                   if opened_t else float("nan"))
        out["disputes_committee_wait_days_mean"] = self.mean_wait("committee")
        return out

    def mean_wait(self, channel: str) -> float:
        """Mean days from detection to a channel taking the case, over cases it took."""
        waits = [w for ch, w in self.first_take.values() if ch == channel]
        return float(np.mean(waits)) if waits else float("nan")

