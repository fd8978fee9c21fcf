"""Needs and the four orders (四单): a resident places an order, the community dispatches it,
a unit accepts it, and the result is jointly evaluated.

1. Each resident raises a need with probability ``per_resident_year/365`` a day, typed.
2. An unreported need is reported with daily chance report_base + report_trust_weight*trust
   (+ digital_report_gain with digital ordering), or for sure when a grid worker visits the
   household. The draw is one uniform per resident a day (a resident who goes to the
   committee reports all their open needs).
3. The committee dispatches reported needs first-in-first-out, each costing
   ``dispatch_hours_per_order`` of free committee time: to an organization of the matching
   type with capacity left today; shared ("public") needs are aggregated into public issues
   for deliberation; administrative needs, and needs no organization can take, go to the
   committee's own service (hours permitting) or to a functional department (capacity,
   delay).
4. The handler finishes after an exponential delay and succeeds with its success chance.
   Both are drawn from uniforms the need carries from the day it arose (``u_delay``,
   ``u_success``): in paired runs the same need has the same luck whoever handles it, so a
   lever changes outcomes only through the handler's mean delay and success chance.
5. The resident evaluates (a participation opportunity); satisfaction and trust move
   towards the outcome, and the handling organization's reputation moves with it.
Needs that wait longer than ``abandon_days`` unreported or undispatched are dropped and
count as unfulfilled; trust falls.
"""

from __future__ import annotations

import numpy as np

from .params import NEED_TO_ORG, NEED_TYPES
from .participation import decide, update_satisfaction, update_trust
from .property import success_gain

PUBLIC = NEED_TYPES.index("public")
# status codes of an open need
UNREPORTED, QUEUED, AT_DEPARTMENT, IN_SERVICE = 0, 1, 2, 3
# handler kinds
H_NONE, H_ORG, H_COMMITTEE, H_DEPT, H_ISSUE = 0, 1, 2, 3, 4
FIELDS = ("resident", "community", "grid", "ntype", "raised", "reported", "status", "handler",
          "org_id", "due", "success")
UNIFORMS = ("u_delay", "u_success")  # a need's own luck, drawn when it arises
LOGGED = ("resident", "community", "ntype", "raised", "reported", "handler")  # kept when closed


LOG_FIELDS = LOGGED + ("closed", "outcome")
_ROW = {f: k for k, f in enumerate(FIELDS)}
_LOGGED_ROWS = [_ROW[f] for f in LOGGED]


class NeedBook:
    """Open needs as parallel arrays, and a log of closed ones.

    The integer fields are the rows of one 2-D array and the uniforms of another, so that
    adding a day's needs or closing some is one array operation each, not one per field;
    ``open`` maps each field name to a view of its row."""

    def __init__(self):
        self._ints = np.empty((len(FIELDS), 0), np.int64)
        self._floats = np.empty((len(UNIFORMS), 0), np.float64)
        self._views()
        self.closed: list[np.ndarray] = []  # blocks of LOG_FIELDS rows
        self.type_edges = None  # cumulative shares of the need types (set on the first day)
        self.raised = 0

    def _views(self) -> None:
        self.open = {f: self._ints[k] for k, f in enumerate(FIELDS)}
        self.open.update({f: self._floats[k] for k, f in enumerate(UNIFORMS)})

    def add(self, **cols) -> None:
        n = len(cols["resident"])
        if n == 0:
            return
        block = np.empty((len(FIELDS), n), np.int64)
        for k, f in enumerate(FIELDS):
            block[k] = cols.get(f, -1)  # a scalar fills the row
        self._ints = np.concatenate((self._ints, block), axis=1)
        self._floats = np.concatenate((self._floats, np.stack([cols[f] for f in UNIFORMS])), axis=1)
        self._views()

    def close(self, mask: np.ndarray, day: int, outcome: np.ndarray) -> None:
        """Move needs under ``mask`` to the log with outcome 1 fulfilled / 0 not / 2 to an issue."""
        if not mask.any():
            return
        gone = self._ints[:, mask]
        rec = np.empty((len(LOG_FIELDS), gone.shape[1]), np.int64)
        rec[:len(LOGGED)] = gone[_LOGGED_ROWS]
        rec[len(LOGGED)] = day
        rec[len(LOGGED) + 1] = outcome
        self.closed.append(rec)
        keep = ~mask
        self._ints = self._ints[:, keep]
        self._floats = self._floats[:, keep]
        self._views()

    def log(self) -> dict[str, np.ndarray]:
        """Every closed need: a dict of arrays (``LOG_FIELDS``)."""
        if not self.closed:
            return {f: np.empty(0, np.int64) for f in LOG_FIELDS}
        if len(self.closed) > 1:
            self.closed = [np.concatenate(self.closed, axis=1)]
        return {f: self.closed[0][k] for k, f in enumerate(LOG_FIELDS)}


def _delay(mean: float, u: np.ndarray) -> np.ndarray:
    """Exponential delays of the given mean from the needs' own uniforms (rounded days)."""
    return (-mean * np.log1p(-u)).round().astype(np.int64)


def step(model) -> None:
    """One day of the needs pipeline (see module docstring)."""
    p, pop, book, day = model.p, model.pop, model.needs, model.day
    rng = model.streams.need_arrivals
    pn = p.needs

    # 1. new needs (one uniform per resident a day: paired runs draw the same needs)
    u = rng.random(pop.n)
    new = np.flatnonzero(u < pn.per_resident_year / 365.0)
    # the type by inverse transform on the cumulative shares (cheaper than rng.choice with p)
    if book.type_edges is None:
        book.type_edges = np.cumsum(pn.type_shares)[:-1]
    ntype = np.searchsorted(book.type_edges, rng.random(new.size), side="right")
    luck = rng.random((2, new.size))
    book.add(resident=new, community=pop.community[new], grid=model.grid_of[new], ntype=ntype,
             raised=day, reported=-1, status=UNREPORTED, handler=H_NONE, org_id=-1, due=-1, success=0,
             u_delay=luck[0], u_success=luck[1])
    book.raised += new.size
    o = book.open

    # 2. reporting: trust, digital ordering, grid visits (one uniform per resident a day)
    u_report = model.streams.need_reporting.random(pop.n)
    unrep = o["status"] == UNREPORTED
    p_report = pn.report_base + pn.report_trust_weight * pop.trust[o["resident"]]
    if p.smart.digital_ordering:
        p_report = p_report + p.smart.digital_report_gain
    visited = model.visited_residents[o["resident"]]
    rep = unrep & ((u_report[o["resident"]] < p_report) | visited)
    o["status"][rep] = QUEUED
    o["reported"][rep] = day
    model.today["needs_reported"] += int(rep.sum())
    # grid workers and resident representatives collect shared needs themselves: those go
    # straight to the pool of public issues, without the committee's dispatch
    collected = np.flatnonzero(rep & (o["ntype"] == PUBLIC)
                               & (visited | model.is_representative[o["resident"]]))
    if collected.size:
        o["handler"][collected] = H_ISSUE  # leaves the book today (see the compaction below)
        model.deliberation.add_needs(o["community"][collected], o["grid"][collected])

    # 3. dispatch, community by community, oldest first
    # the property company's effort (raised by satisfaction-linked payment, 004) adds to the
    # success of environment/property needs whoever handles them: it does the work behind an
    # organization, the committee or a department (see sim.property)
    property_gain = success_gain(model)
    dispatch_hours = p.committee.dispatch_hours_per_order * (
        p.smart.digital_dispatch_factor if p.smart.digital_ordering else 1.0)
    queued = np.flatnonzero((o["status"] == QUEUED) & (o["handler"] != H_ISSUE))
    to_issue = []
    for c in np.unique(o["community"][queued]):
        cq = queued[o["community"][queued] == c]
        cq = cq[np.argsort(o["reported"][cq], kind="stable")]
        committee = model.committees[c]
        linked_gain = property_gain[c]
        n = committee.units("dispatch", cq.size, dispatch_hours)
        go = cq[:n]
        model.today["orders_dispatched"] += n
        types = o["ntype"][go]
        # public needs become public issues for deliberation
        pub = go[types == PUBLIC]
        o["handler"][pub] = H_ISSUE
        to_issue.append(pub)
        rest = go[types != PUBLIC]
        # organizations of the matching type, while they have capacity today
        for t in np.unique(o["ntype"][rest]):
            tn = rest[o["ntype"][rest] == t]
            taken = 0
            if NEED_TO_ORG[NEED_TYPES[t]] is not None:
                for org in model.orgs_by_comm.get(int(c), []):
                    if org.org_type != NEED_TO_ORG[NEED_TYPES[t]] or taken >= tn.size:
                        continue
                    org.service_credit += org.service_capacity()
                    k = int(min(tn.size - taken, np.floor(org.service_credit)))
                    if k <= 0:
                        continue
                    org.service_credit -= k
                    sel = tn[taken:taken + k]
                    taken += k
                    o["status"][sel] = IN_SERVICE
                    o["handler"][sel] = H_ORG
                    o["org_id"][sel] = org.unique_id
                    o["due"][sel] = day + _delay(pn.org_delay_days, o["u_delay"][sel])
                    o["success"][sel] = o["u_success"][sel] < org.success_chance() + linked_gain[t]
            left = tn[taken:]
            # the committee serves what it can itself; the rest goes to a department
            k = committee.units("service", left.size, p.committee.service_hours_per_need)
            sel = left[:k]
            o["status"][sel] = IN_SERVICE
            o["handler"][sel] = H_COMMITTEE
            o["due"][sel] = day + _delay(pn.committee_delay_days, o["u_delay"][sel])
            o["success"][sel] = o["u_success"][sel] < pn.committee_success + linked_gain[t]
            dept = left[k:]
            o["status"][dept] = AT_DEPARTMENT
            o["handler"][dept] = H_DEPT
    for pub in to_issue:
        if pub.size:
            model.deliberation.add_needs(o["community"][pub], o["grid"][pub])

    # departments take waiting needs up to their capacity, oldest first
    waiting = np.flatnonzero(o["status"] == AT_DEPARTMENT)
    if waiting.size:
        cap = model.departments[0].capacity_today(pn.department_capacity_per_day, pop.n_communities)
        take = waiting[np.argsort(o["reported"][waiting], kind="stable")][:cap]
        o["status"][take] = IN_SERVICE
        o["due"][take] = day + _delay(pn.department_delay_days, o["u_delay"][take])
        o["success"][take] = o["u_success"][take] < pn.department_success + \
            property_gain[o["community"][take], o["ntype"][take]]
        model.departments[0].cases_taken += take.size

    # 4-5. completion and joint evaluation
    done = (o["status"] == IN_SERVICE) & (o["due"] <= day)
    if done.any():
        idx = np.flatnonzero(done)
        who = o["resident"][idx]
        ok = o["success"][idx].astype(bool)
        evaluators = decide(model, np.unique(who), "evaluation")
        mark = np.zeros(pop.n, bool)
        mark[evaluators] = True
        evaluated = mark[who]
        update_satisfaction(model, who[ok], 1.0)
        update_satisfaction(model, who[~ok], 0.0)
        update_trust(model, who[ok], 1.0)
        update_trust(model, who[~ok], 0.0)
        orgs = model.org_index
        for i, oid, s, ev in zip(idx, o["org_id"][idx], ok, evaluated):
            if oid >= 0 and oid in orgs:
                org = orgs[oid]
                org.services_delivered += 1
                if ev:  # only evaluated services move an organization's reputation
                    org.reputation += p.organizations.reputation_learning * (float(s) - org.reputation)
        model.today["needs_fulfilled"] += int(ok.sum())

    # abandonment: too long unreported, or reported but never taken up
    old = (o["status"] != IN_SERVICE) & (o["raised"] < day - pn.abandon_days) & (o["handler"] != H_ISSUE)
    if old.any():
        update_trust(model, o["resident"][old], 0.0, scale=0.5)

    # one compaction a day: needs passed to public issues (outcome 2), finished (1 or 0 by
    # success) and abandoned (0) move to the log
    to_pub = o["handler"] == H_ISSUE
    closing = to_pub | done | old
    if closing.any():
        outcome = np.where(to_pub, 2, np.where(done, o["success"], 0))[closing]
        book.close(closing, day, outcome)
