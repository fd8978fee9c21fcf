"""Needs and the four orders (四单): a resident places an order, the community dispatches it,
a unit accepts it, and the result is jointly evaluated.

1. Each resident raises a need with probability ``per_resident_year/365`` a day, typed.
2. An unreported need is reported with daily chance report_base + report_trust_weight*trust
   (+ digital_report_gain with digital ordering), or for sure when a grid worker visits the
   household. The need carries its own reporting clock, an Exp(1) threshold drawn when it
   arises, which each day runs down by -ln(1 - chance): it runs out on a day with exactly
   that chance, and in paired runs the same need has the same patience.
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
from .kernels import need_outcomes, needs_day
from .participation import decide
from .property import success_gain
from .rng import bernoulli_positions

PUBLIC = NEED_TYPES.index("public")
# status codes of an open need
UNREPORTED, QUEUED, AT_DEPARTMENT, IN_SERVICE = 0, 1, 2, 3
# handler kinds
H_NONE, H_ORG, H_COMMITTEE, H_DEPT, H_ISSUE = 0, 1, 2, 3, 4
FIELDS = ("resident", "community", "grid", "ntype", "raised", "reported", "status", "handler",
          "org_id", "due", "success")
# a need's own luck, drawn when it arises: the uniforms of its service delay and success,
# and its reporting clock (an Exp(1) threshold that the daily reporting hazard runs down)
FLOATS = ("u_delay", "u_success", "report_clock")
LOGGED = ("resident", "community", "ntype", "raised", "reported", "handler")  # kept when closed


LOG_FIELDS = LOGGED + ("closed", "outcome")
# the need type each organization type serves (an organization serves at most one)
_SERVES = {org: NEED_TYPES.index(t) for t, org in NEED_TO_ORG.items() if org is not None}


class NeedBook:
    """Open needs as parallel arrays, and a log of closed ones.

    The integer fields are the rows of one 2-D array and the uniforms of another, so that
    adding a day's needs or closing some is one array operation each, not one per field;
    ``open`` maps each field name to a view of its row."""

    def __init__(self):
        self._ints = np.empty((len(FIELDS), 0), np.int64)
        self._floats = np.empty((len(FLOATS), 0), np.float64)
        self._open = None
        self.closed: list[np.ndarray] = []  # blocks of LOG_FIELDS rows
        self.type_edges = None  # cumulative shares of the need types (set on the first day)
        self.raised = 0

    @property
    def open(self) -> dict[str, np.ndarray]:
        """The open needs: each field's row (views, made when first asked for after a day)."""
        if self._open is None:
            self._open = {f: self._ints[k] for k, f in enumerate(FIELDS)}
            self._open.update({f: self._floats[k] for k, f in enumerate(FLOATS)})
        return self._open

    @property
    def n_open(self) -> int:
        return self._ints.shape[1]

    def advance(self, ints: np.ndarray, floats: np.ndarray, closed: np.ndarray) -> None:
        """Take the day's book (open needs) and log block (needs closed today)."""
        self._ints, self._floats = ints, floats
        self._open = None
        if closed.shape[1]:
            self.closed.append(closed)

    def start_reporting(self) -> None:
        """Day 0: the log of closed needs starts empty; open needs carry on (and count as
        raised in the report, which is about what happens to them)."""
        self.closed = []
        self.raised = self.n_open

    def regrid(self, grid_of: np.ndarray) -> None:
        """The grid lever changed the grids: open needs belong to their resident's new grid."""
        if self.n_open:
            k = FIELDS.index("grid")
            self._ints[k] = grid_of[self._ints[FIELDS.index("resident")]]
            self._open = None

    def log(self) -> dict[str, np.ndarray]:
        """Every closed need: a dict of arrays (``LOG_FIELDS``)."""
        if not self.closed:
            return {f: np.empty(0, np.int64) for f in LOG_FIELDS}
        if len(self.closed) > 1:
            self.closed = [np.concatenate(self.closed, axis=1)]
        return {f: self.closed[0][k] for k, f in enumerate(LOG_FIELDS)}


def step(model) -> None:
    """One day of the needs pipeline (see module docstring).

    The random draws and everything that touches model objects happen here; the pass over
    the open needs (reporting, dispatch, departments, completion, abandonment, compaction)
    is one compiled kernel, :func:`sim.kernels.needs_day`, which follows the numbered rules
    above in the same order.
    """
    p, pop, book, day = model.p, model.pop, model.needs, model.clock
    rng = model.streams.need_arrivals
    pn = p.needs

    # 1. new needs: each resident raises one with probability per_resident_year/365 a day,
    # drawn as geometric gaps between the residents who do (the same Bernoulli trials, a
    # draw per need instead of per resident); the stream serves arrivals only, so paired
    # runs draw the same needs
    new = bernoulli_positions(rng, pop.n, pn.per_resident_year / 365.0)
    # the type by inverse transform on the cumulative shares (cheaper than rng.choice with p)
    if book.type_edges is None:
        book.type_edges = np.cumsum(pn.type_shares)[:-1]
    ntype = np.searchsorted(book.type_edges, rng.random(new.size), side="right")
    luck = rng.random((3, new.size))  # the need's own u_delay, u_success and reporting uniform
    book.raised += new.size

    # what the kernel needs of the committees, organizations, property companies and
    # departments: the property company's effort (raised by satisfaction-linked payment)
    # adds to the success of environment/property needs whoever handles them
    committees = model.committees
    free_hours = np.array([c.free_hours for c in committees])
    hours_used = np.zeros((len(committees), 2))
    orgs, org_start = model.orgs_in_community_order()
    # one array of (need type served, capacity, success chance, credit, id) per organization
    org_table = np.array([(_SERVES.get(org.org_type, -1), org.service_capacity(), org.success_chance(),
                           org.service_credit, org.unique_id) for org in orgs], np.float64).reshape(-1, 5).T
    org_serves, org_uid = org_table[0].astype(np.int64), org_table[4].astype(np.int64)
    org_capacity, org_success, org_credit = org_table[1], org_table[2], org_table[3].copy()
    department = model.departments[0]
    dept_credit = np.array([getattr(department, "_credit", 0.0)])
    digital = p.smart.digital_ordering
    (ints, floats, closed, n_reported, dispatched, dept_taken, n_collected, issue_comm, issue_grid,
     done_res, done_ok, done_org, old_res) = needs_day(
        book._ints, book._floats, new, ntype, luck, pop.community, model.grid_of, day,
        pop.trust, pn.report_base, pn.report_trust_weight,
        p.smart.digital_report_gain if digital else 0.0, model.visited_residents,
        model.is_representative, PUBLIC,
        free_hours, hours_used,
        p.committee.dispatch_hours_per_order * (p.smart.digital_dispatch_factor if digital else 1.0),
        p.committee.service_hours_per_need,
        org_start, org_serves, org_capacity, org_success, org_credit, org_uid,
        success_gain(model), pn.org_delay_days, pn.committee_delay_days, pn.committee_success,
        dept_credit, pn.department_capacity_per_day * pop.n_communities, pn.department_delay_days,
        pn.department_success, pn.abandon_days)
    book.advance(ints, floats, closed)
    for c, committee in enumerate(committees):
        committee.free_hours = free_hours[c]
        committee.hours_today["dispatch"] += hours_used[c, 0]
        committee.hours_today["service"] += hours_used[c, 1]
    for org, credit in zip(orgs, org_credit):
        org.service_credit = credit
    department._credit = dept_credit[0]
    department.cases_taken += dept_taken
    model.today["needs_reported"] += n_reported
    model.today["orders_dispatched"] += int(dispatched.sum())
    # shared needs collected by grid workers and representatives, then those dispatched,
    # pool into public issues for deliberation
    if n_collected:
        model.deliberation.add_needs(issue_comm[:n_collected], issue_grid[:n_collected])
    if issue_comm.size > n_collected:
        model.deliberation.add_needs(issue_comm[n_collected:], issue_grid[n_collected:])

    # 4-5. joint evaluation of finished needs (the evaluators decide on the state before the
    # outcomes move it), then satisfaction and trust move towards the outcomes, and trust
    # falls for abandoned needs (too long unreported, or reported but never taken up)
    if done_res.size:
        evaluators = decide(model, np.unique(done_res), "evaluation")
        by_org = np.flatnonzero(done_org >= 0)
        if by_org.size:
            index, learn = model.org_index, p.organizations.reputation_learning
            ev_set = set(evaluators.tolist())  # a set: np.isin costs more at this size
            evaluated = [r in ev_set for r in done_res[by_org].tolist()]
            for oid, ok, ev in zip(done_org[by_org].tolist(), done_ok[by_org].tolist(), evaluated):
                org = index.get(oid)
                if org is not None:
                    org.services_delivered += 1
                    if ev:  # only evaluated services move an organization's reputation
                        org.reputation += learn * (float(ok) - org.reputation)
        model.today["needs_fulfilled"] += int(np.count_nonzero(done_ok))
    if done_res.size or old_res.size:
        beh = p.behaviour
        need_outcomes(done_res, done_ok, old_res, pop.satisfaction, pop.trust,
                      beh.satisfaction_learning, beh.trust_learning, 0.5)
