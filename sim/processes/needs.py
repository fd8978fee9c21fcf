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
   committee's own service (hours permitting; hours short of a whole order or service go
   into the next one and are carried while needs wait) or to a functional department (capacity,
   delay).
4. The handler finishes after an exponential delay and succeeds with its success chance.
   Both are drawn from uniforms the need carries from the day it arose (``u_delay``,
   ``u_success``): in paired runs the same need has the same luck whoever handles it, so a
   lever changes outcomes only through the handler's mean delay and success chance.
5. The resident evaluates (a participation opportunity); satisfaction and trust move
   towards the outcome, and the handling organization's reputation moves with it.
Needs that wait longer than ``abandon_days`` unreported or undispatched are dropped and
count as unfulfilled; trust falls.

Why one long module: the need book, the day's pipeline (arrivals, reporting, the four orders,
collection into public issues) and the process are one rule set over one table of needs;
split, each part would reach into the others' columns.
"""

from __future__ import annotations

import math

import numpy as np

from ..params import NEED_TO_ORG, NEED_TYPES
from ..kernels import (NeedArrivals, NeedCommittees, NeedDay, NeedDepartment, NeedOrganizations,
                      NeedReporting, NeedResidents, need_outcomes, needs_day, sorted_unique)
from .base import Process
from .participation import decide
from .property import success_gain
from ..memo import LastSeen
from ..rng import bernoulli_positions

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
        self.org_fixed = None  # (list of groups, types served, ids): see organization_table

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


# the household factors (sim/scale.py) as Python floats and their sum, for the last array
# seen: the factors are fixed for a run, and numpy scalars made each group's capacity in
# organization_table cost several times a float's arithmetic (the same IEEE doubles)
_factors = LastSeen(lambda household_factor: (household_factor.tolist(), float(household_factor.sum())))


def organization_table(p, orgs: list, household_factor: np.ndarray,
                       book: NeedBook | None = None) -> tuple[np.ndarray, ...]:
    """For each organization: the need type it serves (-1: none), its service capacity a day
    and success chance (:meth:`SocialOrganization.service_capacity` and ``success_chance``,
    for all groups at once), its service credit and its id. With ``book``, the types served
    and the ids are kept there for as long as the model hands out the same list of groups
    (:meth:`CoGovModel.orgs_in_community_order` makes a new one when the groups change)."""
    ps, inc, po = p.purchased_services, p.incubation, p.organizations
    base, sw_capacity = p.needs.org_capacity_per_day, inc.social_worker_capacity_factor
    item_yuan, service_yuan_year = ps.budget_per_item_yuan, 365.0 * ps.yuan_per_service
    s0, w_rep, sw_gain = po.base_success, po.reputation_success_weight, inc.social_worker_success_gain
    # one pass over the groups (a few dozen: Python floats beat numpy calls) for the columns
    # that change from day to day (reputation, credit; contracts and social workers now and then)
    capacity, success, credit = [], [], []
    hf = _factors(household_factor)[0]  # contracts are sized to their community (ODD 7.15)
    for o in orgs:
        capacity.append(base * (sw_capacity if o.social_worker else 1.0)
                        + o.contract_items * item_yuan * hf[o.community] / service_yuan_year)
        success.append(s0 + w_rep * o.reputation + (sw_gain if o.social_worker else 0.0))
        credit.append(o.service_credit)
    capacity, success, credit = np.array([capacity, success, credit], np.float64).reshape(3, len(orgs))
    fixed = book.org_fixed if book is not None else None
    if fixed is None or fixed[0] is not orgs:
        fixed = (orgs, np.array([_SERVES.get(o.org_type, -1) for o in orgs], np.int64),
                 np.array([o.unique_id for o in orgs], np.int64))
        if book is not None:
            book.org_fixed = fixed
    return fixed[1], capacity, success, credit, fixed[2]


def step(model) -> None:
    """One day of the needs pipeline (see module docstring).

    The random draws and everything that touches model objects happen here; the pass over
    the open needs (reporting, dispatch, departments, completion, abandonment, compaction)
    is one compiled kernel, :func:`sim.kernels.needs_day`, which follows the numbered rules
    above in the same order; :func:`needs_day_reference` below is the same rule written
    plainly, and tests/test_kernels.py requires both to agree.
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
    committee_credit = np.array([c.need_credit for c in committees], np.float64)  # community x [dispatch, service]
    orgs, org_start = model.orgs_in_community_order()
    # one array of (need type served, capacity, success chance, credit, id) per organization
    org_serves, org_capacity, org_success, org_credit, org_uid = organization_table(p, orgs, model.household_factor, book)
    department = model.department
    dept_credit = np.array([department.credit])
    digital = p.smart.digital_ordering
    smart_factor = p.smart.digital_dispatch_factor if digital else 1.0
    (ints, floats, closed, n_reported, dispatched, dept_taken, n_collected, issue_comm, issue_grid,
     done_res, done_ok, done_org, old_res) = needs_day(book._ints, book._floats, *map(tuple, (
        NeedArrivals(new, ntype, luck),
        NeedResidents(pop.community, model.grid_of, pop.trust, model.process("grid_visits").visited,
                      model.is_representative),
        NeedReporting(pn.report_base, pn.report_trust_weight,
                      p.smart.digital_report_gain if digital else 0.0),
        NeedCommittees(free_hours, hours_used, committee_credit, p.committee.dispatch_hours_per_order * smart_factor,
                       p.committee.service_hours_per_need, pn.committee_delay_days,
                       pn.committee_success),
        NeedOrganizations(org_start, org_serves, org_capacity, org_success, org_credit, org_uid,
                          pn.org_delay_days),
        NeedDepartment(dept_credit, pn.department_capacity_per_day * _factors(model.household_factor)[1],
                       pn.department_delay_days, pn.department_success),
        NeedDay(day, PUBLIC, pn.abandon_days, success_gain(model)))))  # plain tuples: see needs_day
    book.advance(ints, floats, closed)
    for c, committee in enumerate(committees):
        committee.free_hours = free_hours[c]
        committee.hours_today["dispatch"] += hours_used[c, 0]
        committee.hours_today["service"] += hours_used[c, 1]
        committee.need_credit = committee_credit[c].tolist()
    for org, credit in zip(orgs, org_credit):
        org.service_credit = credit
    department.credit = dept_credit[0]
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
        evaluators = decide(model, sorted_unique(done_res), "evaluation")
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
                      beh.satisfaction_learning, beh.trust_learning, pn.abandon_trust_scale)


# ------------------------------------------------------------------ plain reference
def credited_units(free: float, credit: float, n_wanted: int, hours_each: float) -> tuple[int, float, float]:
    """The committee's need work (dispatching orders, serving needs) with a carried credit:
    how many units ``credit + free`` hours cover, the free hours booked today and the credit
    left. While needs still wait after today's units, every free hour goes into the next one
    and what does not complete it is carried to tomorrow (as the department's and the
    organizations' fractional capacity is); when all are covered only the hours they need
    are booked, and hours the committee has no waiting need for stay free. Whole units from
    the day's free hours alone wasted the remainder below one two-hour service, about an hour
    a day in any community (ODD 7.4)."""
    if n_wanted <= 0:
        return 0, 0.0, credit
    if hours_each <= 0:
        return n_wanted, 0.0, credit
    n = min(n_wanted, int(np.floor((credit + free) / hours_each + 1e-9)))
    if n < n_wanted:
        booked = max(free, 0.0)
    else:
        booked = min(max(n * hours_each - credit, 0.0), max(free, 0.0))
    return n, booked, max(credit + booked - n * hours_each, 0.0)


def _ln1p(x) -> np.ndarray:
    """ln(1 + x) element by element with the C library's log1p, as the compiled kernel
    computes it (numpy's vectorised log1p can differ in the last bit)."""
    return np.array([math.log1p(v) for v in np.ravel(x)], np.float64).reshape(np.shape(x))


def _due(day: int, mean_delay: float, u_delay: float) -> int:
    """The day a handler finishes: an exponential delay by inverse transform, rounded half
    to even."""
    return day + int(np.rint(-mean_delay * math.log1p(-u_delay)))


def needs_day_reference(ints, floats, arrivals, residents, reporting, committees, orgs,
                        department, today):
    """The day of ODD 7.6 written plainly (numpy and Python): the same arguments, in-place
    updates and results as the compiled :func:`sim.kernels.needs_day`, which
    tests/test_kernels.py requires to agree with it on random states."""
    day, gain = today.day, today.gain
    res = residents
    # 1. today's needs join the book with their luck and an Exp(1) reporting clock
    new = arrivals.resident
    add = np.zeros((len(FIELDS), new.size), np.int64)
    for f, v in (("resident", new), ("community", res.community[new]), ("grid", res.grid[new]),
                 ("ntype", arrivals.ntype), ("raised", day), ("reported", -1),
                 ("status", UNREPORTED), ("handler", H_NONE), ("org_id", -1), ("due", -1),
                 ("success", 0)):
        add[FIELDS.index(f)] = v
    luck = np.array(arrivals.luck, np.float64).reshape(3, -1).copy()
    luck[2] = -_ln1p(-luck[2])
    I = np.concatenate([ints, add], axis=1)
    F = np.concatenate([floats, luck], axis=1)
    need = {f: I[k] for k, f in enumerate(FIELDS)}  # views: writing need[...] writes I
    clock = F[2]
    to_issue: list[int] = []

    # 2. reporting: the clock runs down by -ln(1 - p_report); a visit reports for sure
    unreported = np.flatnonzero(need["status"] == UNREPORTED)
    who = need["resident"][unreported]
    p_report = np.minimum(1.0, reporting.base + reporting.trust_weight * res.trust[who] + reporting.gain)
    clock[unreported] += _ln1p(-p_report)
    now = unreported[(clock[unreported] <= 0.0) | res.visited[who]]
    need["status"][now] = QUEUED
    need["reported"][now] = day
    n_reported = now.size
    # shared needs found by a grid worker or raised by a representative are collected
    who = need["resident"][now]
    collected = now[(need["ntype"][now] == today.public_type) & (res.visited[who] | res.representative[who])]
    need["handler"][collected] = H_ISSUE
    to_issue += collected.tolist()
    n_collected = len(to_issue)

    def serve(i: int, handler: int, delay: float, chance: float) -> None:
        need["status"][i] = IN_SERVICE
        need["handler"][i] = handler
        need["due"][i] = _due(day, delay, F[0, i])
        need["success"][i] = int(F[1, i] < chance)

    # 3. dispatch per community, oldest report first, as far as the committee's hours go
    n_comm = committees.free_hours.size
    dispatched = np.zeros(n_comm, np.int64)
    for c in range(n_comm):
        waiting = np.flatnonzero((need["status"] == QUEUED) & (need["handler"] != H_ISSUE)
                                 & (need["community"] == c))
        if waiting.size == 0:
            continue
        waiting = waiting[np.argsort(need["reported"][waiting], kind="stable")]
        n, hours, committees.credit[c, 0] = credited_units(
            committees.free_hours[c], committees.credit[c, 0], waiting.size, committees.dispatch_hours)
        committees.free_hours[c] -= hours
        committees.hours_used[c, 0] += hours
        dispatched[c] = n
        go = waiting[:n]
        public = go[need["ntype"][go] == today.public_type]
        need["handler"][public] = H_ISSUE
        to_issue += public.tolist()
        for t in range(gain.shape[1]):
            of_type = go[need["ntype"][go] == t].tolist()
            if t == today.public_type or not of_type:
                continue
            # organizations of the type, in founding order, each adding a day's capacity
            for o in range(orgs.start[c], orgs.start[c + 1]):
                if orgs.serves[o] != t or not of_type:
                    continue
                orgs.credit[o] += orgs.capacity[o]
                k = min(len(of_type), int(np.floor(orgs.credit[o])))
                if k <= 0:
                    continue
                orgs.credit[o] -= k
                for i in of_type[:k]:
                    serve(i, H_ORG, orgs.delay, orgs.success[o] + gain[c, t])
                    need["org_id"][i] = orgs.uid[o]
                of_type = of_type[k:]
            # the committee itself, hours permitting; the rest to the department
            k, hours, committees.credit[c, 1] = credited_units(
                committees.free_hours[c], committees.credit[c, 1], len(of_type), committees.service_hours)
            committees.free_hours[c] -= hours
            committees.hours_used[c, 1] += hours
            for i in of_type[:k]:
                serve(i, H_COMMITTEE, committees.delay, committees.success + gain[c, t])
            for i in of_type[k:]:
                need["status"][i] = AT_DEPARTMENT
                need["handler"][i] = H_DEPT

    # 4. the department: a day's capacity credit (fractions carry over), oldest first
    waiting = np.flatnonzero(need["status"] == AT_DEPARTMENT)
    dept_taken = 0
    if waiting.size:
        department.credit[0] += department.per_day
        cap = int(department.credit[0])
        department.credit[0] -= cap
        for i in waiting[np.argsort(need["reported"][waiting], kind="stable")][:cap]:
            serve(i, H_DEPT, department.delay,
                  department.success + gain[need["community"][i], need["ntype"][i]])
            dept_taken += 1

    # 5-6. finished, abandoned (not in service, not an issue, too old), passed to issues
    in_service = need["status"] == IN_SERVICE
    issue = need["handler"] == H_ISSUE
    done = in_service & (need["due"] <= day) & ~issue
    old = ~in_service & (need["raised"] < day - today.abandon_days) & ~issue
    closing = done | old | issue
    outcome = np.where(issue, 2, np.where(done, need["success"], 0))
    log = np.stack([need["resident"], need["community"], need["ntype"], need["raised"],
                    need["reported"], need["handler"], np.full(I.shape[1], day), outcome])[:, closing]
    to_issue = np.array(to_issue, np.int64)
    return (I[:, ~closing].copy(), F[:, ~closing].copy(), log.astype(np.int64), n_reported,
            dispatched, dept_taken, n_collected, need["community"][to_issue], need["grid"][to_issue],
            need["resident"][done], need["success"][done] != 0, need["org_id"][done],
            need["resident"][old])


# ------------------------------------------------------------------ the process of the day
class FourOrders(Process):
    """Step 7: the needs pipeline of the day, :func:`step` (ODD 7.6). The need book is
    ``model.needs`` (:class:`NeedBook`)."""

    name = "needs"
    sections = ("needs", "smart")
    records = ("needs_reported", "orders_dispatched", "needs_fulfilled")
    hands_to = ("deliberation",)

    state = ("book",)

    def daily_outcomes(self) -> dict:
        """Needs reported and not yet closed."""
        return {"needs_open": self.book.n_open}

    def __init__(self, model):
        super().__init__(model)
        self.book = NeedBook()  # every need raised: the open ones and the closed log

    def step(self) -> None:
        step(self.model)

    def start_reporting(self) -> None:
        self.book.start_reporting()

    def results(self) -> dict:
        """How needs were reported, served and how long they took (since day 0)."""
        book = self.book
        log = book.log()
        o = book.open
        raised = book.raised
        out: dict = {}
        reported = int((log["reported"] >= 0).sum() + (o["reported"] >= 0).sum())
        served = log["outcome"] != 2  # needs aggregated into a public issue are counted there
        fulfilled = (log["outcome"] == 1)
        out["needs_raised"] = raised
        out["needs_reported_share"] = reported / raised if raised else float("nan")
        closed_individual = int(served.sum())
        out["needs_fulfilled_share"] = float(fulfilled.sum() / closed_individual) if closed_individual else float("nan")
        out["needs_to_public_issues"] = int((log["outcome"] == 2).sum())
        d = (log["closed"] - log["raised"])[fulfilled]
        out["needs_days_median"] = float(np.median(d)) if d.size else float("nan")
        wait = (log["closed"] - log["reported"])[fulfilled & (log["reported"] >= 0)]
        out["needs_wait_after_report_mean"] = float(wait.mean()) if wait.size else float("nan")
        for name, h in (("org", H_ORG), ("committee", H_COMMITTEE), ("department", H_DEPT)):
            out[f"needs_handled_by_{name}"] = int((log["handler"] == h).sum())
        out["needs_open_end"] = int(o["resident"].size)
        return out

    def policy_started(self, old, new) -> None:
        if new.grid.households_per_grid != old.grid.households_per_grid:
            self.model.needs.regrid(self.model.grid_of)

    def daily_costs(self) -> dict[str, float]:
        m = self.model
        sm = m.p.smart
        return {"smart": m.pop.n_communities * sm.cost_yuan_per_year * (1.0 / 365.0) * sm.digital_ordering}
