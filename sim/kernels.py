"""Compiled inner loops (numba), where a measurement showed that one fused pass over the
residents or needs beats a chain of numpy calls.

At 10,000 residents the model's day is a few hundred small array operations; each numpy
call costs microseconds of overhead however few elements it touches, and the chains that
index the same residents ten times over were the largest share of a day
(``benchmarks/README.md``). Each kernel here is the same rule as the numpy code it
replaced, written once as a loop: the rules are documented where they are called from.
Why one long module: numba's compiled kernels share private helpers (``_delay``,
``_credit_units``, ``_move_once``) and named records, and are warmed and cached together; each
is checked against its plain reference (here or beside its caller) in tests/test_kernels.py.
Kernels take arrays and scalars only (no model objects), and every uniform they use comes
from the model's named numpy streams: passed in as arrays, as a block of which the kernel
uses the first (:func:`sim.rng.first_uniforms`), or, for the monthly :func:`members_round`,
as the stream's Generator itself (numba draws through the bit generator's own functions, so
the numbers are numpy's; tests/test_kernels.py checks it against its plain reference). The
day's decision uniforms are the stream's raw output computed here from its state words
(:func:`sfc64_raw`, numpy's SFC64 step; numpy takes the state back, tests/test_kernels.py
checks numbers and position).

``cache=True`` keeps the compiled code beside the source (``__pycache__``), so only the
first run after a change pays the compilation (about half a minute on a slow machine;
``make`` does it at set-up, see :func:`sim.model.warm_up`).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import config as numba_config
from numba import njit


# The decision kernels' arguments (decide_and_record, org_activities), one record per concern,
# as for the needs kernel below: filled by name in one place (:func:`decision`, called by
# sim.processes.participation) and handed to the kernels as plain tuples, which the kernels
# unpack in field order; the plain rule (sim.processes.participation.take_part_probability)
# reads the fields by name, so a field out of order in a kernel shows in tests/test_kernels.py.
class DecisionWeights(NamedTuple):
    """The weights of the decision's logit (ODD 7.2)."""
    disposition: float
    efficacy: float
    trust: float
    free_time: float
    social: float
    invited: float
    cross_group_ties: float
    fatigue: float
    time_load: float


class Deciders(NamedTuple):
    """What the decision reads of the residents (arrays over residents); ``disposition``,
    ``fatigue`` and ``act_hours`` are updated in place for those who take part."""
    disposition: np.ndarray
    efficacy: np.ndarray
    trust: np.ndarray
    free_time: np.ndarray
    social_share: np.ndarray
    last_invited: np.ndarray
    local_tie_share: np.ndarray
    migrant: np.ndarray
    fatigue: np.ndarray
    time_budget: np.ndarray
    act_hours: np.ndarray
    commitment: np.ndarray


class Booking(NamedTuple):
    """How an act is booked: its type's row, the day, the 30-day block of the yearly count,
    and what an act adds to fatigue, disposition and the week's hours."""
    act: int
    day: int
    ring_block: int
    fatigue_per_act: float
    reinforcement: float
    hours_per_act: float


class ActRecord(NamedTuple):
    """The residents' act record, updated in place."""
    last_act: np.ndarray
    last_any: np.ndarray
    acts: np.ndarray
    acts_year_ring: np.ndarray


class Decision(NamedTuple):
    """:func:`decide_and_record`'s arguments after the candidates and their uniforms, as the
    kernels take them (plain tuples: see :func:`decision`)."""
    logit_base: float
    weights: tuple
    invited_after: int
    who: tuple
    booking: tuple
    record: tuple


def decision(logit_base: float, weights: DecisionWeights, invited_after: int, who: Deciders,
             booking: Booking, record: ActRecord) -> Decision:
    """The decision kernels' arguments from the named records (numba types a named tuple
    in Python on every call, a plain tuple in C: the records cross as plain tuples)."""
    return Decision(float(logit_base), tuple(float(x) for x in weights), int(invited_after),
                    tuple(who), tuple(booking), tuple(record))


@njit(cache=True, nogil=True)
def decide_and_record(cand, u, logit_base, w, invited_after, who, booking, record):
    """Participation decisions of ``cand`` (unique residents) for one act type, booking the
    acts of those who take part; returns the takers. The rule, written plainly, is
    :func:`sim.processes.participation.decide_reference`; the arguments after the uniforms
    are a :class:`Decision`: ``w`` the :class:`DecisionWeights`, ``who`` the
    :class:`Deciders`, ``booking`` the :class:`Booking`, ``record`` the :class:`ActRecord`."""
    (w_disposition, w_efficacy, w_trust, w_free_time, w_social, w_invited, w_cross_group_ties,
     w_fatigue, w_time_load) = w
    (disposition, efficacy, trust, free_time, social_share, last_invited, local_tie_share,
     migrant, fatigue, budget, act_hours, commitment) = who
    act, day, ring_block, fatigue_per_act, reinforcement, hours_per_act = booking
    last_act, last_any, acts, acts_year_ring = record
    out = np.empty(cand.size, np.int64)
    k = 0
    for j in range(cand.size):
        i = cand[j]
        used = commitment[i] + act_hours[i]
        # an act that would overrun the week's budget is declined whatever the wish
        if used + hours_per_act > budget[i]:
            continue
        logit = (logit_base + w_disposition * disposition[i] + w_efficacy * efficacy[i]
                 + w_trust * trust[i] + w_free_time * free_time[i]
                 + w_social * social_share[i]
                 - w_fatigue * fatigue[i] - w_time_load * used / budget[i])
        if last_invited[i] > invited_after:
            logit += w_invited
        if migrant[i]:
            logit += w_cross_group_ties * local_tie_share[i]
        # u is a 32-bit integer: the uniform u / 2**32 is below p exactly when u < p * 2**32
        if u[i] < 4294967296.0 / (1.0 + math.exp(-logit)):
            out[k] = i
            k += 1
    # book after deciding: a resident's own act does not feed into another's decision
    # today, and every candidate is decided on the state before any act
    for j in range(k):
        i = out[j]
        last_act[act, i] = day
        last_any[i] = day
        acts[act, i] += 1
        acts_year_ring[ring_block, i] += 1
        fatigue[i] = min(1.0, fatigue[i] + fatigue_per_act)
        disposition[i] = min(1.0, disposition[i] + reinforcement)
        act_hours[i] += hours_per_act
    return out[:k]


# status codes and handler kinds of an open need, and the rows of the need book's integer
# block: copies of sim.processes.needs's (which imports this module), checked equal by
# tests/test_kernels.py
_UNREPORTED, _QUEUED, _AT_DEPARTMENT, _IN_SERVICE = 0, 1, 2, 3
_H_NONE, _H_ORG, _H_COMMITTEE, _H_DEPT, _H_ISSUE = 0, 1, 2, 3, 4
_RES, _COMM, _GRID, _TYPE, _RAISED, _REPORTED, _STATUS, _HANDLER, _ORG, _DUE, _SUCCESS = range(11)


@njit(cache=True, nogil=True)
def _delay(mean, u):
    # exponential by inverse transform, rounded half to even as numpy's round
    return np.int64(np.rint(-mean * math.log1p(-u)))


@njit(cache=True, nogil=True)
def _credit_units(free, credit, n_wanted, hours_each):
    """The committee's need work with a carried credit (``needs.credited_units``, the plain
    rule): how many units ``credit + free`` hours cover, the free hours booked today, and the
    credit left. While needs still wait after today's units, every free hour goes into the
    next one and what does not complete it is carried to tomorrow; when all are covered only
    the hours they need are booked."""
    if n_wanted <= 0:
        return 0, 0.0, credit
    if hours_each <= 0:
        return n_wanted, 0.0, credit
    n = min(n_wanted, np.int64(math.floor((credit + free) / hours_each + 1e-9)))
    if n < n_wanted:
        booked = max(free, 0.0)
    else:
        booked = min(max(n * hours_each - credit, 0.0), max(free, 0.0))
    return n, booked, max(credit + booked - n * hours_each, 0.0)


@njit(cache=True, nogil=True)
def _oldest_first(idx, reported):
    """``idx`` stably ordered by ``reported`` (as ``idx[argsort(reported[idx], "mergesort")]``):
    a counting sort when the days span little more than the queue (they span at most the
    days a need waits), which is one pass instead of a merge sort of a few hundred needs."""
    n = idx.size
    if n == 0:
        return idx.copy()
    lo = hi = reported[idx[0]]
    for i in idx:
        lo = min(lo, reported[i])
        hi = max(hi, reported[i])
    span = hi - lo + 1
    if span > 4 * n + 64:
        return idx[np.argsort(reported[idx], kind="mergesort")]
    start = np.zeros(span + 1, np.int64)  # start[k]: where day lo + k begins in the result
    for i in idx:
        start[reported[i] - lo + 1] += 1
    for k in range(span):
        start[k + 1] += start[k]
    out = np.empty(n, idx.dtype)
    for i in idx:  # in idx's order within a day: stable
        k = reported[i] - lo
        out[start[k]] = i
        start[k] += 1
    return out


@njit(cache=True, nogil=True)
def _open_columns(block, keep):
    # the columns (needs) ``keep``, row by row: each row of the block is contiguous (a
    # gather by index, found once for both blocks, not a test of every element)
    out = np.empty((block.shape[0], keep.size), block.dtype)
    for r in range(block.shape[0]):
        row, dst = block[r], out[r]
        for d in range(keep.size):
            dst[d] = row[keep[d]]
    return out


# The needs kernel's arguments, one small record per concern (named tuples: the caller
# fills them by name, so two swapped numbers are a wrong name, not a silent swap; the model
# hands them to the kernel as plain tuples, see needs_day).
class NeedArrivals(NamedTuple):
    """Today's new needs: resident, type, and their luck (3 x n uniforms: delay, success,
    reporting)."""
    resident: np.ndarray
    ntype: np.ndarray
    luck: np.ndarray


class NeedResidents(NamedTuple):
    """What the needs rules read of the residents (arrays over residents)."""
    community: np.ndarray
    grid: np.ndarray
    trust: np.ndarray
    visited: np.ndarray          # a grid worker visited the household today
    representative: np.ndarray   # resident representative (collects shared needs)


class NeedReporting(NamedTuple):
    """p_report = min(1, base + trust_weight x trust + gain) (ODD 7.6 step 2)."""
    base: float
    trust_weight: float
    gain: float


class NeedCommittees(NamedTuple):
    """The committees' side, by community: ``free_hours``, ``hours_used`` and ``credit``
    (community x [dispatch, service]: hours put into an order or a service not yet complete,
    carried between days) are updated in place."""
    free_hours: np.ndarray
    hours_used: np.ndarray
    credit: np.ndarray
    dispatch_hours: float
    service_hours: float
    delay: float
    success: float


class NeedOrganizations(NamedTuple):
    """The organizations community by community (``start``: offsets, n_communities + 1);
    ``credit`` is updated in place."""
    start: np.ndarray
    serves: np.ndarray
    capacity: np.ndarray
    success: np.ndarray
    credit: np.ndarray
    uid: np.ndarray
    delay: float


class NeedDepartment(NamedTuple):
    """The functional department: ``credit`` (one element) is updated in place."""
    credit: np.ndarray
    per_day: float
    delay: float
    success: float


class NeedDay(NamedTuple):
    """The day and the rules' constants; ``gain``: added success by (community, need type)."""
    day: int
    public_type: int
    abandon_days: int
    gain: np.ndarray


@njit(cache=True, nogil=True)
def needs_day(ints, floats, arrivals, residents, reporting, committees, orgs, department, today):
    """One day of the needs pipeline over the open-need book (rules: :mod:`sim.processes.needs`,
    written plainly in :func:`sim.processes.needs.needs_day_reference`).

    ``ints``/``floats`` are the book's blocks; today's new needs are appended. The other
    arguments are the records above (:class:`NeedArrivals` ... :class:`NeedDay`). Updated in
    place: ``committees.free_hours``, ``committees.hours_used``, ``committees.credit``, ``orgs.credit``,
    ``department.credit``. Returns the compacted book, the log block of needs closed today,
    and what the model books outside: counts (reported, dispatched, department cases), the
    (community, grid) of needs passed to public issues (the first ``n_collected`` collected
    by grid workers and representatives, then the dispatched), and the resident, success and
    organization of each finished need, and the residents of abandoned ones.
    """
    # each record unpacked in its fields' order, so that the caller may pass the records as
    # plain tuples (numba types a named tuple in Python, about 4 us a call; a plain tuple in
    # C); tests/test_kernels.py passes named ones and compares with the plain rule, which
    # reads the fields by name, so a field out of order here shows there
    new_res, new_type, new_luck = arrivals
    community, grid_of, trust, visited, is_representative = residents
    report_base, report_trust_weight, report_gain = reporting
    (free_hours, hours_used, committee_credit, dispatch_hours, service_hours, committee_delay,
     committee_success) = committees
    org_start, org_serves, org_capacity, org_success, org_credit, org_uid, org_delay = orgs
    dept_credit, dept_per_day, department_delay, department_success = department
    day, public_type, abandon_days, gain = today
    m_old = ints.shape[1]
    k_new = new_res.size
    m = m_old + k_new
    I = np.empty((ints.shape[0], m), np.int64)
    F = np.empty((floats.shape[0], m), np.float64)
    I[:, :m_old] = ints
    F[:, :m_old] = floats
    for j in range(k_new):
        i, r = m_old + j, new_res[j]
        I[_RES, i] = r
        I[_COMM, i] = community[r]
        I[_GRID, i] = grid_of[r]
        I[_TYPE, i] = new_type[j]
        I[_RAISED, i] = day
        I[_REPORTED, i] = -1
        I[_STATUS, i] = _UNREPORTED
        I[_HANDLER, i] = _H_NONE
        I[_ORG, i] = -1
        I[_DUE, i] = -1
        I[_SUCCESS, i] = 0
        F[0, i] = new_luck[0, j]
        F[1, i] = new_luck[1, j]
        F[2, i] = -math.log1p(-new_luck[2, j])  # the reporting clock: an Exp(1) threshold

    # 2. reporting; shared needs found by grid workers or representatives go to issues
    n_reported = 0
    to_issue = np.empty(m, np.int64)
    n_issue = 0
    for i in range(m):
        if I[_STATUS, i] != _UNREPORTED:
            continue
        r = I[_RES, i]
        # the clock runs down by -ln(1 - p_report) a day: it reaches 0 on a day with chance
        # p_report given that it has not before (a daily Bernoulli trial of chance p_report)
        p_report = min(1.0, report_base + report_trust_weight * trust[r] + report_gain)
        F[2, i] += math.log1p(-p_report)
        if F[2, i] <= 0.0 or visited[r]:
            I[_STATUS, i] = _QUEUED
            I[_REPORTED, i] = day
            n_reported += 1
            if I[_TYPE, i] == public_type and (visited[r] or is_representative[r]):
                I[_HANDLER, i] = _H_ISSUE
                to_issue[n_issue] = i
                n_issue += 1

    n_collected = n_issue

    # 3. dispatch, community by community, oldest first
    n_comm = free_hours.size
    dispatched = np.zeros(n_comm, np.int64)
    n_types = gain.shape[1]
    queued = np.empty(m, np.int64)
    for c in range(n_comm):
        nq = 0
        for i in range(m):
            if I[_STATUS, i] == _QUEUED and I[_HANDLER, i] != _H_ISSUE and I[_COMM, i] == c:
                queued[nq] = i
                nq += 1
        if nq == 0:
            continue
        cq = _oldest_first(queued[:nq], I[_REPORTED])
        n, granted, committee_credit[c, 0] = _credit_units(free_hours[c], committee_credit[c, 0], nq,
                                                           dispatch_hours)
        free_hours[c] -= granted
        hours_used[c, 0] += granted
        dispatched[c] = n
        go = cq[:n]
        for i in go:
            if I[_TYPE, i] == public_type:
                I[_HANDLER, i] = _H_ISSUE
                to_issue[n_issue] = i
                n_issue += 1
        for t in range(n_types):
            tn = go[I[_TYPE][go] == t]
            if t == public_type or tn.size == 0:
                continue
            taken = 0
            for o in range(org_start[c], org_start[c + 1]):
                if org_serves[o] != t or taken >= tn.size:
                    continue
                org_credit[o] += org_capacity[o]
                k = min(tn.size - taken, np.int64(math.floor(org_credit[o])))
                if k <= 0:
                    continue
                org_credit[o] -= k
                for i in tn[taken:taken + k]:
                    I[_STATUS, i] = _IN_SERVICE
                    I[_HANDLER, i] = _H_ORG
                    I[_ORG, i] = org_uid[o]
                    I[_DUE, i] = day + _delay(org_delay, F[0, i])
                    I[_SUCCESS, i] = 1 if F[1, i] < org_success[o] + gain[c, t] else 0
                taken += k
            left = tn[taken:]
            k, granted, committee_credit[c, 1] = _credit_units(free_hours[c], committee_credit[c, 1],
                                                               left.size, service_hours)
            free_hours[c] -= granted
            hours_used[c, 1] += granted
            for i in left[:k]:
                I[_STATUS, i] = _IN_SERVICE
                I[_HANDLER, i] = _H_COMMITTEE
                I[_DUE, i] = day + _delay(committee_delay, F[0, i])
                I[_SUCCESS, i] = 1 if F[1, i] < committee_success + gain[c, t] else 0
            for i in left[k:]:
                I[_STATUS, i] = _AT_DEPARTMENT
                I[_HANDLER, i] = _H_DEPT

    # departments take waiting needs up to their capacity, oldest first
    nw = 0
    for i in range(m):
        if I[_STATUS, i] == _AT_DEPARTMENT:
            queued[nw] = i
            nw += 1
    dept_taken = 0
    if nw:
        dept_credit[0] += dept_per_day
        cap = np.int64(dept_credit[0])
        dept_credit[0] -= cap
        for i in _oldest_first(queued[:nw], I[_REPORTED])[:cap]:
            I[_STATUS, i] = _IN_SERVICE
            I[_DUE, i] = day + _delay(department_delay, F[0, i])
            I[_SUCCESS, i] = 1 if F[1, i] < department_success + gain[I[_COMM, i], I[_TYPE, i]] else 0
            dept_taken += 1

    # 4-5. finished needs, abandoned ones, and the compaction
    closing = np.zeros(m, np.bool_)
    done = np.zeros(m, np.bool_)
    n_done = n_old = n_close = 0
    for i in range(m):
        st = I[_STATUS, i]
        if st == _IN_SERVICE and I[_DUE, i] <= day:
            done[i] = True
            n_done += 1
        elif st != _IN_SERVICE and I[_RAISED, i] < day - abandon_days and I[_HANDLER, i] != _H_ISSUE:
            n_old += 1
        elif I[_HANDLER, i] != _H_ISSUE:
            continue
        closing[i] = True
        n_close += 1
    done_res = np.empty(n_done, np.int64)
    done_ok = np.empty(n_done, np.bool_)
    done_org = np.empty(n_done, np.int64)
    old_res = np.empty(n_old, np.int64)
    log = np.empty((8, n_close), np.int64)
    keep = np.empty(m - n_close, np.int64)
    d = 0
    for i in range(m):
        if not closing[i]:
            keep[d] = i
            d += 1
    keep_I = _open_columns(I, keep)
    keep_F = _open_columns(F, keep)
    a = b = c_ = 0
    for i in range(m):
        if not closing[i]:
            continue
        if I[_HANDLER, i] == _H_ISSUE:
            outcome = 2
        elif done[i]:
            outcome = I[_SUCCESS, i]
            done_res[a] = I[_RES, i]
            done_ok[a] = I[_SUCCESS, i] != 0
            done_org[a] = I[_ORG, i]
            a += 1
        else:
            outcome = 0
            old_res[b] = I[_RES, i]
            b += 1
        log[0, c_] = I[_RES, i]
        log[1, c_] = I[_COMM, i]
        log[2, c_] = I[_TYPE, i]
        log[3, c_] = I[_RAISED, i]
        log[4, c_] = I[_REPORTED, i]
        log[5, c_] = I[_HANDLER, i]
        log[6, c_] = day
        log[7, c_] = outcome
        c_ += 1
    issue_comm = np.empty(n_issue, np.int64)
    issue_grid = np.empty(n_issue, np.int64)
    for j in range(n_issue):
        issue_comm[j] = I[_COMM, to_issue[j]]
        issue_grid[j] = I[_GRID, to_issue[j]]
    return (keep_I, keep_F, log, n_reported, dispatched, dept_taken, n_collected, issue_comm,
            issue_grid, done_res, done_ok, done_org, old_res)


@njit(cache=True, nogil=True, fastmath=True)
def daily_means(last_act, last_any, day, trust, efficacy, satisfaction, migrant, retired, party):
    """One pass over the residents for the daily row. Returns, in this order: the share
    active in the last 30 days and in the last year; the share active in 30 days by act
    type; then for local, migrant, working, retired, nonparty and party residents the share
    active in 30 days and mean trust, efficacy and satisfaction; then the three means over
    everyone (the keys: ``sim.outcomes._MEANS_KEYS``).
    (Reassociated sums: the last bits may differ from numpy's; these are reported, never
    fed back into the model.)"""
    n = last_any.size
    n_types = last_act.shape[0]
    recent, year = day - 30, day - 365
    by_type = np.zeros(n_types)
    for a in range(n_types):  # row by row: each row is contiguous
        k = 0.0
        for i in range(n):
            k += last_act[a, i] > recent
        by_type[a] = k
    # sums[q, g]: q = active30, trust, efficacy, satisfaction; g = all, migrant, retired, party
    active_year = 0.0
    a0 = t0 = e0 = s0 = 0.0
    a1 = t1 = e1 = s1 = n1 = 0.0
    a2 = t2 = e2 = s2 = n2 = 0.0
    a3 = t3 = e3 = s3 = n3 = 0.0
    for i in range(n):
        act = 1.0 if last_any[i] > recent else 0.0
        active_year += last_any[i] > year
        tr, ef, sa = trust[i], efficacy[i], satisfaction[i]
        a0 += act
        t0 += tr
        e0 += ef
        s0 += sa
        w1, w2, w3 = 1.0 * migrant[i], 1.0 * retired[i], 1.0 * party[i]
        n1 += w1
        a1 += w1 * act
        t1 += w1 * tr
        e1 += w1 * ef
        s1 += w1 * sa
        n2 += w2
        a2 += w2 * act
        t2 += w2 * tr
        e2 += w2 * ef
        s2 += w2 * sa
        n3 += w3
        a3 += w3 * act
        t3 += w3 * tr
        e3 += w3 * ef
        s3 += w3 * sa
    out = np.empty(2 + n_types + 4 * 6 + 3)
    nn = max(1.0, n)
    out[0] = a0 / nn
    out[1] = active_year / nn
    for a in range(n_types):
        out[2 + a] = by_type[a] / nn
    k = 2 + n_types
    total = (a0, t0, e0, s0)
    for g_sums, g_n in (((a1, t1, e1, s1), n1), ((a2, t2, e2, s2), n2), ((a3, t3, e3, s3), n3)):
        # the first group of a split is everyone minus the second
        for q in range(4):
            out[k + q] = (total[q] - g_sums[q]) / max(1.0, n - g_n)
            out[k + 4 + q] = g_sums[q] / max(1.0, g_n)
        k += 8
    out[k] = t0 / nn
    out[k + 1] = e0 / nn
    out[k + 2] = s0 / nn
    return out


@njit(cache=True, nogil=True)
def need_outcomes(done_res, done_ok, old_res, satisfaction, trust, satisfaction_learning,
                  trust_learning, abandon_scale):
    """Satisfaction and trust move towards the outcomes of finished needs (fulfilled ones
    first, then the others), then trust falls for abandoned needs."""
    failed = ~done_ok
    _move_once(satisfaction, done_res, done_ok, 1.0, satisfaction_learning)
    _move_once(trust, done_res, done_ok, 1.0, trust_learning)
    _move_once(satisfaction, done_res, failed, 0.0, satisfaction_learning)
    _move_once(trust, done_res, failed, 0.0, trust_learning)
    _move_once(trust, old_res, np.ones(old_res.size, np.bool_), 0.0, abandon_scale * trust_learning)


@njit(cache=True, nogil=True)
def _move_once(values, res, selected, target, rate):
    # values move rate of the way to target for the selected residents, each once however
    # many of its entries are selected (as numpy's fancy-index update does)
    for j in range(res.size):
        if not selected[j]:
            continue
        r = res[j]
        seen = False
        for jj in range(j):
            if selected[jj] and res[jj] == r:
                seen = True
                break
        if not seen:
            values[r] += rate * (target - values[r])


@njit(cache=True, nogil=True)
def grid_visits(u, visits_per_household, household, trust, visit_trust_gain):
    """Households whose uniform falls below the visit chance are visited today; their
    residents' trust moves ``visit_trust_gain`` of the way to 1. Returns (visited residents
    as a mask, households visited)."""
    visited = np.empty(u.size, np.bool_)
    n = 0
    for h in range(u.size):
        visited[h] = u[h] < visits_per_household
        if visited[h]:
            n += 1  # not n += visited[h]: run as Python (NUMBA_DISABLE_JIT) n became a numpy integer
    residents = np.empty(household.size, np.bool_)
    for i in range(household.size):
        residents[i] = visited[household[i]]
        if residents[i]:
            trust[i] += visit_trust_gain * (1 - trust[i])
    return residents, n


@njit(cache=True, nogil=True)
def erode(who, trust, satisfaction, erosion):
    """Trust and satisfaction of ``who`` (unique residents) fall by ``erosion``, not below 0."""
    for r in who:
        trust[r] = max(0.0, trust[r] - erosion)
        satisfaction[r] = max(0.0, satisfaction[r] - erosion)


@njit(cache=True, nogil=True)
def gather_ties(indptr, indices, rows):
    """The ties of ``rows`` (residents) in a CSR network, row after row in stored order:
    ``adj[rows].indices`` without building the sub-matrix."""
    total = 0
    for r in rows:
        total += indptr[r + 1] - indptr[r]
    out = np.empty(total, np.int64)
    k = 0
    for r in rows:
        for j in range(indptr[r], indptr[r + 1]):
            out[k] = indices[j]
            k += 1
    return out


@njit(cache=True, nogil=True)
def update_social_share(indptr, indices, data, t_indptr, t_indices, t_data, last_any,
                        active_after, weighted_degree, active, numerator, share, full):
    """Tie-weighted share of each resident's ties who acted after day ``active_after``:
    ``share = (adj @ active) / weighted_degree``.

    With ``full`` the product is computed over the whole network (``indptr``/``indices``/
    ``data``: the CSR network). Otherwise only the residents whose activity flag changed
    since the last call move their ties' numerators (``t_*``: the CSR of the transpose,
    i.e. who counts whom), which is the same sum: the weights are float32 values added in
    float64, so every partial sum is exact and the order does not matter. ``active``,
    ``numerator`` and ``share`` are the state kept between calls (updated in place)."""
    n = active.size
    if full:
        for i in range(n):
            active[i] = last_any[i] > active_after
        for i in range(n):
            s = 0.0
            for k in range(indptr[i], indptr[i + 1]):
                s += data[k] * active[indices[k]]
            numerator[i] = s
            share[i] = s / weighted_degree[i]
        return
    for j in range(n):
        now = 1 if last_any[j] > active_after else 0
        if now != active[j]:
            active[j] = now
            sign = 1.0 if now else -1.0
            for k in range(t_indptr[j], t_indptr[j + 1]):
                i = t_indices[k]
                numerator[i] += sign * t_data[k]
                share[i] = numerator[i] / weighted_degree[i]


@njit(cache=True, nogil=True)
def invite(servers, cumulative, u_sender, u_tie, indptr, indices, day, last_invited,
           invitations_sent_year):
    """Party members' invitations of the day (rules: :func:`sim.processes.party.send_invitations`):
    each invitation goes to a server with chance rate / sum of rates (``u_sender``) and to
    one of that server's ties drawn uniformly (``u_tie``); servers without ties send none.
    Books the invitees' ``last_invited`` and the senders' yearly count; returns (number of
    invitations sent, the invitees, each once)."""
    total = cumulative[-1]
    senders = np.empty(u_sender.size, np.int64)
    for j in range(u_sender.size):
        k = np.searchsorted(cumulative, u_sender[j] * total, side="right")
        senders[j] = servers[min(k, servers.size - 1)]
    senders.sort()
    invitees = np.empty(senders.size, np.int64)
    n = 0
    for s in senders:
        deg = indptr[s + 1] - indptr[s]
        if deg == 0:
            continue
        invitees[n] = indices[indptr[s] + np.int64(u_tie[n] * deg)]
        last_invited[invitees[n]] = day
        invitations_sent_year[s] += 1
        n += 1
    return n, np.unique(invitees[:n])


@njit(cache=True, nogil=True)
def csr_maximum(indptr, indices, data, l_indptr, l_indices, l_data):
    """Elementwise maximum of two CSR arrays with sorted indices (``a.maximum(layer)``, for
    a layer much sparser than the network): returns (indptr, indices, data)."""
    n = indptr.size - 1
    out_ptr = np.empty(n + 1, np.int64)
    out_idx = np.empty(indices.size + l_indices.size, np.int64)
    out_dat = np.empty(indices.size + l_indices.size, data.dtype)
    k = 0
    for i in range(n):
        out_ptr[i] = k
        a, a_end = indptr[i], indptr[i + 1]
        b, b_end = l_indptr[i], l_indptr[i + 1]
        while a < a_end or b < b_end:
            if b >= b_end or (a < a_end and indices[a] < l_indices[b]):
                out_idx[k], out_dat[k] = indices[a], data[a]
                a += 1
            elif a >= a_end or l_indices[b] < indices[a]:
                out_idx[k], out_dat[k] = l_indices[b], l_data[b]
                b += 1
            else:
                out_idx[k], out_dat[k] = indices[a], max(data[a], l_data[b])
                a += 1
                b += 1
            k += 1
    out_ptr[n] = k
    return out_ptr, out_idx[:k].copy(), out_dat[:k].copy()


@njit(cache=True, nogil=True)
def csr_without(indptr, indices, data, moving, below):
    """A CSR array without the entries under ``below`` in a row or column of ``moving`` (a
    mask): the rows' order and sorted indices kept; returns (indptr, indices, data). The
    plain rule: :func:`sim.network.without_ties_of_reference`."""
    n = indptr.size - 1
    out_ptr = np.empty(n + 1, np.int64)
    out_idx = np.empty(indices.size, indices.dtype)
    out_dat = np.empty(data.size, data.dtype)
    k = 0
    for i in range(n):
        out_ptr[i] = k
        row_moves = moving[i]
        for e in range(indptr[i], indptr[i + 1]):
            if (row_moves or moving[indices[e]]) and data[e] < below:
                continue
            out_idx[k] = indices[e]
            out_dat[k] = data[e]
            k += 1
    out_ptr[n] = k
    return out_ptr, out_idx[:k].copy(), out_dat[:k].copy()


@njit(cache=True, nogil=True)
def row_sums(indptr, data):
    """Row sums of a CSR array, accumulated in float64 (exact for the model's tie weights,
    which are float32 values)."""
    out = np.zeros(indptr.size - 1)
    for i in range(indptr.size - 1):
        s = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            s += data[k]
        out[i] = s
    return out


@njit(cache=True, nogil=True)
def daily_decay(state, baselines, rates, memberships, offices, hours_membership, hours_office,
                commitment):
    """ODD 7.2 in one pass over the residents (the plain rule: :func:`daily_decay_reference`).

    ``state`` = (fatigue, act hours, disposition, trust, efficacy, satisfaction), moved in
    place; ``baselines`` = (disposition trait, trust, efficacy, satisfaction baselines);
    ``rates`` = (fatigue factor, act-hours factor, disposition reversion a day, attitude
    reversion a day); ``commitment`` receives the standing weekly hours."""
    fatigue, act_hours, disposition, trust, efficacy, satisfaction = state
    trait, trust_base, efficacy_base, satisfaction_base = baselines
    fatigue_factor, hours_factor, r, a = rates
    for i in range(fatigue.size):
        fatigue[i] *= fatigue_factor
        act_hours[i] *= hours_factor
        disposition[i] += r * (trait[i] - disposition[i])
        trust[i] += a * (trust_base[i] - trust[i])
        efficacy[i] += a * (efficacy_base[i] - efficacy[i])
        satisfaction[i] += a * (satisfaction_base[i] - satisfaction[i])
        commitment[i] = memberships[i] * hours_membership + offices[i] * hours_office


def daily_decay_reference(state, baselines, rates, memberships, offices, hours_membership,
                          hours_office, commitment) -> None:
    """:func:`daily_decay` in numpy, as ODD 7.2 writes it."""
    fatigue, act_hours, disposition, trust, efficacy, satisfaction = state
    trait, trust_base, efficacy_base, satisfaction_base = baselines
    fatigue_factor, hours_factor, r, a = rates
    fatigue *= fatigue_factor
    act_hours *= hours_factor
    disposition += r * (trait - disposition)
    trust += a * (trust_base - trust)
    efficacy += a * (efficacy_base - efficacy)
    satisfaction += a * (satisfaction_base - satisfaction)
    commitment[:] = memberships * hours_membership + offices * hours_office


# ------------------------------------------------------------------ plain references
# Each rule of a compiled kernel above written plainly in numpy, as the ODD states it;
# tests/test_kernels.py requires equal results on random states (the decision rule's
# reference is sim.processes.participation.decide_reference, beside its caller).
def daily_means_reference(last_act, last_any, day, trust, efficacy, satisfaction, migrant,
                          retired, party) -> np.ndarray:
    """:func:`daily_means` in numpy (ODD 8: the daily row's shares and means)."""
    act30 = last_any > day - 30
    out = [act30.mean(), (last_any > day - 365).mean()]
    out += [(row > day - 30).mean() for row in last_act]
    for split in (migrant, retired, party):
        for mask in (~split, split):
            if mask.any():
                out += [act30[mask].mean(), trust[mask].mean(), efficacy[mask].mean(),
                        satisfaction[mask].mean()]
            else:
                out += [np.nan] * 4
    out += [trust.mean(), efficacy.mean(), satisfaction.mean()]
    return np.array(out, float)


def grid_visits_reference(u, visits_per_household, household, trust, visit_trust_gain):
    """:func:`grid_visits` in numpy (ODD 7.5)."""
    visited = u < visits_per_household
    residents = visited[household]
    trust[residents] += visit_trust_gain * (1 - trust[residents])
    return residents, int(visited.sum())


def invite_reference(servers, cumulative, u_sender, u_tie, indptr, indices, day, last_invited,
                     invitations_sent_year) -> tuple[int, np.ndarray]:
    """:func:`invite` in numpy: each invitation's sender by its uniform on the cumulative
    rates, the senders in order, those without ties dropped, and the i-th remaining sender's
    invitee the tie that ``u_tie[i]`` picks uniformly."""
    k = np.searchsorted(cumulative, u_sender * cumulative[-1], side="right")
    senders = np.sort(servers[np.minimum(k, servers.size - 1)])
    senders = senders[indptr[senders + 1] > indptr[senders]]
    deg = indptr[senders + 1] - indptr[senders]
    invitees = indices[indptr[senders] + (u_tie[:senders.size] * deg).astype(np.int64)]
    last_invited[invitees] = day
    np.add.at(invitations_sent_year, senders, 1)
    return int(senders.size), np.unique(invitees)


def erode_reference(who, trust, satisfaction, erosion) -> None:
    """:func:`erode` in numpy (ODD 7.9: festering disputes)."""
    trust[who] = np.maximum(0.0, trust[who] - erosion)
    satisfaction[who] = np.maximum(0.0, satisfaction[who] - erosion)


# ------------------------------------------------------------------ organizations' month
@njit(cache=True, nogil=True)
def _successor(members, n, time_budget, committed, act_hours, acts_year, hours_office,
               activist_acts):
    """The first of ``members[:n]`` with the most acts in the year among those with an
    office's weekly hours to spare and at least ``activist_acts`` acts; -1 when none."""
    best, best_acts = -1, 0
    for t in range(n):
        r = members[t]
        spare = time_budget[r] - committed[r] - act_hours[r]
        if spare >= hours_office and acts_year[r] >= activist_acts:
            if best < 0 or acts_year[r] > best_acts:
                best, best_acts = r, acts_year[r]
    return best


@njit(cache=True, nogil=True)
def members_round(rng, ptr, members, comm, p_join, p_idle, founder, indptr, indices, community,
                  committed, act_hours, time_budget, last_org_act, acts_year, memberships,
                  hours_membership, hours_office, activist_acts, ties_per_join, idle_before,
                  p_leave_base, p_over):
    """The month's recruiting and leaving of every organization, in list order, with the
    draws of :func:`sim.processes.organizations.members_round_reference` (the rule, ODD 7.7)
    from the stream's Generator in the same order: per group with members, one uniform per
    same-community tie of a member, the new members' tie partners, one uniform per member
    after recruiting; then one uniform per group (its fold). Groups' members come as CSR
    (``ptr``, sorted ``members``); ``memberships`` is updated in place. Returns the new
    members (CSR), the pairs of new ties, each group's leader and the last organization act
    of its remaining members (-1 with none), and the fold uniforms."""
    n_org = comm.size
    out_ptr = np.zeros(n_org + 1, np.int64)
    out = np.empty(members.size + 64, np.int64)
    pair_i = np.empty(64, np.int64)
    pair_j = np.empty(64, np.int64)
    n_pairs = 0
    new_founder = founder.copy()
    last = np.full(n_org, -1, np.int64)
    u_fold = np.empty(n_org)
    for g in range(n_org):
        cur = members[ptr[g]:ptr[g + 1]].copy()
        n = cur.size
        if n:
            # recruiting through members' ties in the group's community
            ties = gather_ties(indptr, indices, cur)
            joins = np.empty(ties.size, np.int64)
            n_join = 0
            for c in ties:
                if community[c] != comm[g]:
                    continue
                u = rng.random()
                load = (committed[c] + act_hours[c]) / max(time_budget[c], 1e-9)
                free = min(max(1.0 - load, 0.0), 1.0)
                if u < p_join[g] * free and committed[c] + hours_membership <= time_budget[c]:
                    joins[n_join] = c
                    n_join += 1
            if n_join:
                joins = np.unique(joins[:n_join])
                new = np.empty(joins.size, np.int64)  # joiners not yet members (both sorted)
                n_new, t = 0, 0
                for c in joins:
                    while t < n and cur[t] < c:
                        t += 1
                    if t == n or cur[t] != c:
                        new[n_new] = c
                        n_new += 1
                if n_new:
                    if ties_per_join:
                        while pair_i.size < n_pairs + n_new * ties_per_join:
                            pair_i = np.concatenate((pair_i, np.empty(pair_i.size, np.int64)))
                            pair_j = np.concatenate((pair_j, np.empty(pair_j.size, np.int64)))
                        for a in range(n_new):
                            for _ in range(ties_per_join):
                                pair_i[n_pairs] = new[a]
                                pair_j[n_pairs] = cur[rng.integers(0, n)]
                                n_pairs += 1
                    for a in range(n_new):
                        memberships[new[a]] += 1
                    cur = np.sort(np.concatenate((cur, new[:n_new])))
                    n = cur.size
            # leaving: everyone may, the idle and the overcommitted more often
            keep = np.empty(n, np.bool_)
            founder_left = False
            for t in range(n):
                r = cur[t]
                u = rng.random()
                p = p_leave_base + (p_idle[g] if last_org_act[r] < idle_before else 0.0)
                p = p + (p_over if committed[r] > time_budget[r] else 0.0)
                keep[t] = not u < p
                if not keep[t]:
                    memberships[r] -= 1
                    if r == founder[g]:
                        founder_left = True
            cur = cur[keep]
            n = cur.size
            if founder_left:
                new_founder[g] = _successor(cur, n, time_budget, committed, act_hours, acts_year,
                                            hours_office, activist_acts)
            for r in cur:
                last[g] = max(last[g], last_org_act[r])
        u_fold[g] = rng.random()
        if out.size < out_ptr[g] + n:
            out = np.concatenate((out, np.empty(out.size + n, np.int64)))
        out[out_ptr[g]:out_ptr[g] + n] = cur
        out_ptr[g + 1] = out_ptr[g] + n
    return out_ptr, out[:out_ptr[n_org]], pair_i[:n_pairs], pair_j[:n_pairs], new_founder, last, u_fold


@njit(cache=True, nogil=True)
def org_activities(uniforms, ptr, members, comm, holds, recent_after, guest_invite_share,
                   indptr, indices, community, day, last_invited, u, logit_base, logit_guest, w,
                   invited_after, who, booking, record):
    """The day's activities of the groups that hold one (``holds``; members as CSR, sorted),
    in list order, with the draws of :func:`sim.processes.organizations.hold_activities_reference`
    (the rule, ODD 7.7), taking ``uniforms`` in the order it draws them (at most two per
    member: see :func:`sim.rng.first_uniforms`): each member active in
    the group's act type after ``recent_after`` invites a guest with ``guest_invite_share``
    (one uniform each), then each inviting member with ties picks one uniformly (one uniform
    each); guests in the group's community are marked invited today; members decide
    (:func:`decide_and_record` with ``logit_base``), then the guests who are not members
    (``logit_guest``). ``who``, ``booking`` and ``record`` as :func:`decide_and_record`
    takes them (``last_invited`` is the same array as ``who``'s). Returns the acts taken, the
    invitations (guests counted per invitation) and the uniforms used."""
    last_act = record[0]  # ActRecord.last_act
    act = booking[0]      # Booking.act
    taken, invitations, n_u = 0, 0, 0
    for g in range(comm.size):
        if not holds[g]:
            continue
        cur = members[ptr[g]:ptr[g + 1]]
        inviting = np.empty(cur.size, np.int64)
        n_inv = 0
        for r in cur:
            if last_act[act, r] > recent_after:
                n_u += 1
                if uniforms[n_u - 1] < guest_invite_share:
                    inviting[n_inv] = r
                    n_inv += 1
        guests = np.empty(n_inv, np.int64)
        n_guests = 0
        for t in range(n_inv):
            s = inviting[t]
            deg = indptr[s + 1] - indptr[s]
            if deg > 0:
                c = indices[indptr[s] + np.int64(uniforms[n_u] * deg)]
                n_u += 1
                if community[c] == comm[g]:
                    last_invited[c] = day
                    guests[n_guests] = c
                    n_guests += 1
        invitations += n_guests
        taken += decide_and_record(cur, u, logit_base, w, invited_after, who, booking,
                                   record).size
        if n_guests:
            guests = np.unique(guests[:n_guests])
            keep = np.ones(guests.size, np.bool_)
            t = 0
            for k in range(guests.size):
                while t < cur.size and cur[t] < guests[k]:
                    t += 1
                keep[k] = t == cur.size or cur[t] != guests[k]
            guests = guests[keep]
            if guests.size:
                taken += decide_and_record(guests, u, logit_guest, w, invited_after, who,
                                           booking, record).size
    return (taken, invitations), n_u


@njit(cache=True, nogil=True)
def sfc64_raw(state, out):
    """Fill ``out`` with the next raw 64-bit outputs of an SFC64 generator whose four state
    words are ``state`` (advanced in place): numpy's own ``sfc64_next``, inlined. numpy's
    ``random_raw`` calls the bit generator through a function pointer per number, which
    costs about as much again as the arithmetic (:func:`sim.rng.raw_uint32` wraps this)."""
    a, b, c, w = state[0], state[1], state[2], state[3]
    one, r11, r3, r24, r40 = np.uint64(1), np.uint64(11), np.uint64(3), np.uint64(24), np.uint64(40)
    for i in range(out.size):
        tmp = a + b + w
        w += one
        a = b ^ (b >> r11)
        b = c + (c << r3)
        c = ((c << r24) | (c >> r40)) + tmp  # rotl(c, 24)
        out[i] = tmp
    state[0], state[1], state[2], state[3] = a, b, c, w


if numba_config.DISABLE_JIT:
    # run as Python the loop adds numpy uint64 scalars, which warn when they wrap around; the
    # wrap-around (arithmetic modulo 2**64) is SFC64's, as it is in C and compiled
    _sfc64_raw_python = sfc64_raw

    def sfc64_raw(state, out):  # noqa: F811 (the same function, quiet)
        with np.errstate(over="ignore"):
            _sfc64_raw_python(state, out)

    sfc64_raw.__doc__ = _sfc64_raw_python.__doc__


@njit(cache=True, nogil=True)
def sorted_unique(values):
    """The sorted distinct values of an integer array (``np.unique``, without its Python-level
    work: a few microseconds a call at the sizes of a day's candidates)."""
    s = np.sort(values)
    out = np.empty(s.size, s.dtype)
    k = 0
    for i in range(s.size):
        if k == 0 or s[i] != out[k - 1]:
            out[k] = s[i]
            k += 1
    return out[:k]


@njit(cache=True, nogil=True, inline="always")
def _pairwise_block(a, lo, n):
    # a leaf of numpy's pairwise summation: under 8 in a row, up to 128 with 8 accumulators
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    while i < n - (n % 8):
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True, nogil=True, inline="always")
def _pairwise_sum(a):
    """numpy's summation of a contiguous float64 array, step for step: halves (the first a
    multiple of 8) down to blocks of at most 128, each half's sum added left + right, so
    that a kernel's mean equals ``a.mean()`` to the last bit (tests/test_kernels.py checks
    it on many sizes). numpy recurses; this walks the same tree with an explicit stack
    (numba's cache cannot hold a recursive kernel safely)."""
    if a.size <= 128:
        return _pairwise_block(a, 0, a.size)
    frame_lo = np.empty(64, np.int64)   # the halves being summed, deepest last
    frame_n = np.empty(64, np.int64)
    frame_stage = np.empty(64, np.int64)  # 0: left half next, 1: right half next, 2: add them
    sums = np.empty(64)
    depth, n_sums = 1, 0
    frame_lo[0], frame_n[0], frame_stage[0] = 0, a.size, 0
    while depth:
        f = depth - 1
        lo, n = frame_lo[f], frame_n[f]
        if n <= 128:
            sums[n_sums] = _pairwise_block(a, lo, n)
            n_sums += 1
            depth -= 1
            continue
        half = n // 2
        half -= half % 8
        stage = frame_stage[f]
        if stage == 2:
            sums[n_sums - 2] = sums[n_sums - 2] + sums[n_sums - 1]
            n_sums -= 1
            depth -= 1
            continue
        frame_stage[f] = stage + 1
        frame_lo[depth] = lo if stage == 0 else lo + half
        frame_n[depth] = half if stage == 0 else n - half
        frame_stage[depth] = 0
        depth += 1
    return sums[0]


@njit(cache=True, nogil=True)
def pairwise_mean(a):
    """``a.mean()`` of a contiguous float64 array, the same bits (see :func:`_pairwise_sum`)."""
    return _pairwise_sum(a) / a.size


@njit(cache=True, nogil=True, error_model="numpy")  # x / 0 is inf or NaN, as in numpy
def time_used_share(commitment, act_hours, budget):
    """The mean share of the week's time budget in use, each resident's share at most 1:
    ``minimum((commitment + act_hours) / budget, 1).mean()`` (the daily row), in one pass and
    numpy's own summation (:func:`pairwise_mean`)."""
    out = np.empty(budget.size)
    for i in range(out.size):
        v = (commitment[i] + act_hours[i]) / budget[i]
        out[i] = 1.0 if v > 1.0 else v  # np.minimum's: NaN stays NaN
    return pairwise_mean(out)


@njit(cache=True, nogil=True)
def gap_positions(gaps, start, n):
    """Positions ``start - 1 + cumsum(gaps)`` that fall below ``n`` (a prefix: the gaps are
    at least 1), and the position after the last one, where the next round of gaps starts
    (:func:`sim.rng.bernoulli_positions`)."""
    out = np.empty(gaps.size, np.int64)
    k = 0
    pos = np.int64(start) - 1
    for g in gaps:
        pos += g
        if pos < n:
            out[k] = pos
            k += 1
    return out[:k], pos + 1


@njit(cache=True, nogil=True)
def symmetric_pattern(rows, cols, n):
    """The CSR pattern (indptr, sorted indices) of the symmetric n x n array with a tie for
    each pair (rows[k], cols[k]) both ways, self-pairs dropped and repeated pairs once: the
    structure :func:`sim.network._sym` builds through scipy, in one counting pass (scipy's
    conversion and duplicate sum cost most of the month's merge of organization ties)."""
    count = np.zeros(n + 1, np.int64)
    for k in range(rows.size):
        if rows[k] != cols[k]:
            count[rows[k] + 1] += 1
            count[cols[k] + 1] += 1
    ptr = np.cumsum(count)
    fill = ptr[:-1].copy()
    idx = np.empty(ptr[n], np.int64)
    for k in range(rows.size):
        r, c = rows[k], cols[k]
        if r != c:
            idx[fill[r]] = c
            fill[r] += 1
            idx[fill[c]] = r
            fill[c] += 1
    out_ptr = np.zeros(n + 1, np.int64)
    out = np.empty(idx.size, np.int64)
    t = 0
    for i in range(n):
        lo, hi = ptr[i], ptr[i + 1]
        if hi - lo > 32:
            idx[lo:hi] = np.sort(idx[lo:hi])
        else:  # a resident's few group ties: sorted in place (np.sort allocated per row)
            for j in range(lo + 1, hi):
                v = idx[j]
                q = j - 1
                while q >= lo and idx[q] > v:
                    idx[q + 1] = idx[q]
                    q -= 1
                idx[q + 1] = v
        for j in range(lo, hi):
            if j == lo or idx[j] != idx[j - 1]:
                out[t] = idx[j]
                t += 1
        out_ptr[i + 1] = t
    return out_ptr, out[:t].copy()


@njit(cache=True, nogil=True)
def accrue_channels(u, police_share, police_cases, police, days_present, online_daily, online,
                    daily, cap, credit):
    """A day of the dispute channels' capacities by community, in place (the plain rule:
    :meth:`sim.processes.disputes.DisputeSystem._capacities_reference`): the police are
    present with ``u < police_share`` and then take ``police_cases`` (their days present
    count up); the online platform's capacity is the day's; the slow channels' credits gain
    ``daily`` and keep at most ``cap``. One call instead of seven numpy calls on arrays of a
    community or a few."""
    for c in range(u.size):
        present = u[c] < police_share
        police[c] = present * police_cases
        days_present[c] += present
        online[c] = online_daily[c]
    for k in range(credit.shape[0]):
        for c in range(credit.shape[1]):
            credit[k, c] = min(credit[k, c] + daily[k, c], cap[k, c])


@njit(cache=True, nogil=True)
def ties_outside(ties, parties):
    """The distinct residents among ``ties`` who are not in ``parties`` (sorted, distinct),
    in increasing order: ``flatnonzero`` of a mask set by the ties and cleared by the
    parties, without a pass over every resident."""
    s = sorted_unique(ties)
    out = np.empty(s.size, np.int64)
    k = t = 0
    for r in s:
        while t < parties.size and parties[t] < r:
            t += 1
        if t == parties.size or parties[t] != r:
            out[k] = r
            k += 1
    return out[:k]


@njit(cache=True, nogil=True)
def top_tenth_share(ring):
    """Share of the last year's acts done by the 10% of residents with most acts (at least
    one resident), from the 30-day blocks of act counts (block x resident): the sums of
    :func:`sim.processes.participation.top_share` on ``ring.sum(axis=0)``, exact integers, with the top
    found by counting instead of numpy's partition (0 with no acts)."""
    n = ring.shape[1]
    acts = np.zeros(n, np.int64)
    for b in range(ring.shape[0]):  # block by block: each row is contiguous
        for i in range(n):
            acts[i] += ring[b, i]
    total = 0
    most = 0
    for i in range(n):
        total += acts[i]
        most = max(most, acts[i])
    if total == 0:
        return 0.0
    count = np.zeros(most + 1, np.int64)
    for i in range(n):
        count[acts[i]] += 1
    k = max(1, n // 10)
    top = 0
    for v in range(most, -1, -1):  # the k largest counts, from the top down
        take = min(k, count[v])
        top += take * v
        k -= take
        if k == 0:
            break
    return top / total


@njit(cache=True, nogil=True)
def team_calls(team_of, last_called, last_volunteered, on_duty, per_duty, day):
    """The members a volunteer team calls to today's duty (:meth:`sim.processes.volunteers.
    VolunteerTeams.duties`): of each team on duty, the ``per_duty`` members called least
    recently (ties: the lower index) among those who did not volunteer today; sorted by
    index. The rule of :func:`sim.processes.volunteers.team_calls_reference` in two counting
    passes over the residents (the numpy version's sorts and run lengths cost a tenth of a
    day at 10,000 residents)."""
    n_teams = on_duty.size
    ptr = np.zeros(n_teams + 1, np.int64)
    for r in range(team_of.size):
        t = team_of[r]
        if t >= 0 and on_duty[t] and last_volunteered[r] != day:
            ptr[t + 1] += 1
    for t in range(n_teams):
        ptr[t + 1] += ptr[t]
    fill = ptr[:-1].copy()
    cand = np.empty(ptr[n_teams], np.int64)
    for r in range(team_of.size):  # ascending index within each team
        t = team_of[r]
        if t >= 0 and on_duty[t] and last_volunteered[r] != day:
            cand[fill[t]] = r
            fill[t] += 1
    out = np.empty(cand.size, np.int64)
    k = 0
    for t in range(n_teams):
        lo, hi = ptr[t], ptr[t + 1]
        if hi - lo <= per_duty:
            for j in range(lo, hi):
                out[k] = cand[j]
                k += 1
        else:
            seg = cand[lo:hi]
            order = np.argsort(last_called[seg], kind="mergesort")  # stable: ties by index
            for j in range(per_duty):
                out[k] = seg[order[j]]
                k += 1
    return np.sort(out[:k])
