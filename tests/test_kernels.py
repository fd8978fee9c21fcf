"""The compiled kernels (sim/kernels.py) and the cheaper draws: each is checked against the
plain numpy rule it stands for, or, for a draw, against the distribution it must have."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import small

from sim import kernels
from sim.processes import needs
from sim.processes.disputes import _poisson
from sim.model import CoGovModel
from sim.processes.party import send_invitations
from sim.rng import bernoulli_positions


def test_the_kernels_codes_are_the_need_books():
    assert (kernels._UNREPORTED, kernels._QUEUED, kernels._AT_DEPARTMENT, kernels._IN_SERVICE) == \
        (needs.UNREPORTED, needs.QUEUED, needs.AT_DEPARTMENT, needs.IN_SERVICE)
    assert (kernels._H_NONE, kernels._H_ORG, kernels._H_COMMITTEE, kernels._H_DEPT, kernels._H_ISSUE) == \
        (needs.H_NONE, needs.H_ORG, needs.H_COMMITTEE, needs.H_DEPT, needs.H_ISSUE)
    rows = (kernels._RES, kernels._COMM, kernels._GRID, kernels._TYPE, kernels._RAISED, kernels._REPORTED,
            kernels._STATUS, kernels._HANDLER, kernels._ORG, kernels._DUE, kernels._SUCCESS)
    assert [needs.FIELDS[r] for r in rows] == list(needs.FIELDS)
    assert needs.LOG_FIELDS == ("resident", "community", "ntype", "raised", "reported", "handler",
                                "closed", "outcome")


def _model(days=40, seed=3):
    m = CoGovModel(small(), rng=seed, collect=False)
    m.run(days)
    return m


def test_decide_kernel_is_the_logit_rule():
    """The decision kernel against the logit of 7.1 written in numpy, and its booking."""
    m = _model()
    pop, beh, day = m.pop, m.p.behaviour, m.clock
    cand = np.arange(0, pop.n, 3)
    # some residents near the end of their week's budget: the budget branch is reached
    pop.act_hours[cand[::4]] = pop.time_budget[cand[::4]] - 1.0
    u = m.process("day_start").draws[0][cand] / 2.0**32
    invited = m.pop.last_invited[cand] > day - beh.invitation_memory_days
    used = m.commitment_hours[cand] + pop.act_hours[cand]
    logit = (beh.base_logit_meeting + beh.w_disposition * pop.disposition[cand]
             + beh.w_efficacy * pop.efficacy[cand] + beh.w_trust * pop.trust[cand]
             + beh.w_free_time * m.free_time[cand] + beh.w_social * m.process("social_reinforcement").social_share[cand]
             + beh.w_invited * invited + beh.w_cross_group_ties * m.local_tie_share[cand] * pop.migrant[cand]
             - beh.w_fatigue * pop.fatigue[cand] - beh.w_time_load * used / pop.time_budget[cand])
    fits = used + beh.hours_per_act <= pop.time_budget[cand]
    expected = cand[fits & (u < 1.0 / (1.0 + np.exp(-logit)))]
    from sim.processes.participation import decide_reference
    assert np.array_equal(decide_reference(m, cand, "meeting"), expected)
    assert not np.isin(cand[::4], expected).any()  # over budget: declined
    fatigue_before = pop.fatigue[expected].copy()
    acts_before = pop.acts[0].sum()
    from sim.processes.participation import decide
    takers = decide(m, cand, "meeting")
    assert expected.size > 0 and np.array_equal(takers, expected)
    assert pop.acts[0].sum() == acts_before + takers.size
    assert (pop.last_act[0, takers] == day).all() and (pop.last_any()[takers] == day).all()
    assert np.allclose(pop.fatigue[takers], np.minimum(1.0, fatigue_before + beh.fatigue_per_act))


def test_incremental_social_share_equals_the_full_product():
    m = _model(days=1)
    for _ in range(45):  # through a month's end, when organization ties join the network
        m.step()
        m.process("social_reinforcement").step()  # moved by the residents whose activity changed
        active = (m.pop.last_any() > m.clock - 30).astype(np.float64)
        full = (m.adj.astype(np.float64) @ active) / m.weighted_degree
        assert np.array_equal(m.process("social_reinforcement").social_share, full)



def _is_own_transpose(a) -> bool:
    t = sp.csr_array(a.T)
    t.sort_indices()
    return (np.array_equal(t.indptr, a.indptr) and np.array_equal(t.indices, a.indices)
            and np.array_equal(t.data, a.data))


def test_social_share_reads_the_transpose_unless_the_network_is_symmetric():
    """SocialReinforcement counts a symmetric network as its own transpose (model.adj_symmetric,
    kept through the monthly merges of organization ties); a network that is not symmetric
    is transposed, and the moved shares still equal the full product."""
    m = _model(days=1)
    for _ in range(45):  # through a month's end: organization ties merged
        m.step()
    assert m.network_version > 0 and m.adj_symmetric and _is_own_transpose(m.adj)
    # one direction of some ties dropped: no longer symmetric
    coo = sp.coo_array(m.adj)
    keep = ~((coo.row < coo.col) & (coo.row % 3 == 0))
    m._set_adjacency(sp.csr_array((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=m.adj.shape))
    assert not m.adj_symmetric and not _is_own_transpose(m.adj)
    for _ in range(10):
        m.step()
        m.process("social_reinforcement").step()
        active = (m.pop.last_any() > m.clock - 30).astype(np.float64)
        full = (m.adj.astype(np.float64) @ active) / m.weighted_degree
        assert np.array_equal(m.process("social_reinforcement").social_share, full)

def test_csr_maximum_and_row_sums_are_scipys():
    rng = np.random.default_rng(0)
    a = sp.random_array((300, 300), density=0.05, rng=rng, format="csr", dtype=np.float32)
    b = sp.random_array((300, 300), density=0.01, rng=rng, format="csr", dtype=np.float32)
    a.sort_indices()
    b.sort_indices()
    ptr, idx, dat = kernels.csr_maximum(a.indptr, a.indices, a.data, b.indptr, b.indices, b.data)
    ref = a.maximum(b)
    ref.sort_indices()
    assert np.array_equal(ptr, ref.indptr) and np.array_equal(idx, ref.indices)
    assert np.array_equal(dat, ref.data)
    assert np.allclose(kernels.row_sums(a.indptr, a.data), a.astype(np.float64).sum(axis=1), rtol=1e-12)


def test_gather_ties_is_the_rows_indices():
    m = _model(days=1)
    rows = np.array([5, 0, 17, 5])
    assert np.array_equal(kernels.gather_ties(m.adj.indptr, m.adj.indices, rows), m.adj[rows].indices)


def test_need_outcomes_move_each_resident_once_per_group():
    """As numpy's fancy-index updates: a resident with two fulfilled needs moves once, then
    once more for a failed one; abandoned needs lower trust once."""
    sat, trust = np.full(4, 0.5), np.full(4, 0.5)
    kernels.need_outcomes(np.array([0, 0, 1, 0]), np.array([True, True, False, False]), np.array([2, 2]),
                          sat, trust, 0.1, 0.2, 0.5)
    up = 0.5 + 0.1 * 0.5
    assert sat[0] == pytest.approx(up + 0.1 * (0.0 - up))
    assert sat[1] == pytest.approx(0.5 - 0.05) and sat[2] == 0.5 and sat[3] == 0.5
    assert trust[2] == pytest.approx(0.5 - 0.5 * 0.2 * 0.5)
    assert trust[3] == 0.5


@pytest.mark.parametrize("p", [0.004, 0.05, 0.3])
def test_bernoulli_positions_have_the_bernoulli_distribution(p):
    rng = np.random.default_rng(1)
    n, reps = 2000, 400
    counts = np.array([bernoulli_positions(rng, n, p).size for _ in range(reps)])
    hits = np.zeros(n)
    for _ in range(reps):
        pos = bernoulli_positions(rng, n, p)
        assert (np.diff(pos) > 0).all() and (pos < n).all()
        hits[pos] += 1
    # mean and variance of a Binomial(n, p) count, and no position favoured
    assert abs(counts.mean() - n * p) < 4 * np.sqrt(n * p * (1 - p) / reps)
    assert counts.var() == pytest.approx(n * p * (1 - p), rel=0.25)
    half = hits[: n // 2].sum() / hits.sum()
    assert abs(half - 0.5) < 0.03
    assert bernoulli_positions(rng, 10, 0.0).size == 0 and bernoulli_positions(rng, 10, 1.0).size == 10


@pytest.mark.parametrize("lam", [0.05, 0.7, 3.0])
def test_poisson_by_inversion(lam):
    u = np.random.default_rng(2).random(40_000)
    k = np.array([_poisson(x, lam) for x in u])
    assert k.mean() == pytest.approx(lam, rel=0.05)
    assert k.var() == pytest.approx(lam, rel=0.08)


def test_invitations_are_poisson_by_sender():
    """Each server's count is Poisson(rate): mean and variance by server, over many days."""
    adj = sp.csr_array(np.ones((4, 4)) - np.eye(4))
    servers = np.array([0, 2])
    rates = np.array([0.3, 1.5])
    cumulative = np.cumsum(rates)
    rng = np.random.default_rng(3)
    days = 20_000
    per_day = np.zeros((days, 4))
    last_invited = np.full(4, -1)
    for d in range(days):
        sent = np.zeros(4, np.int64)
        n, invitees = send_invitations(rng, adj, servers, cumulative, d, last_invited, sent)
        assert n == sent.sum() and set(invitees.tolist()) <= {0, 1, 2, 3}
        per_day[d] = sent
    assert per_day[:, [1, 3]].sum() == 0
    for s, r in zip(servers, rates):
        assert per_day[:, s].mean() == pytest.approx(r, rel=0.04)
        assert per_day[:, s].var() == pytest.approx(r, rel=0.08)


def test_the_reporting_clock_reports_with_the_daily_chance():
    """With trust held fixed, an unreported need's chance of being reported on a day (given
    not before) is p_report: the shares reported on day 0 and on day 1 both match it."""
    m = CoGovModel(small(), rng=4, collect=False)
    p, k = 0.2, 20_000
    rng = np.random.default_rng(5)
    book = needs.NeedBook()
    unreported, shares = k, []
    for day in (0, 1):
        arrive = k if day == 0 else 0
        out = kernels.needs_day(
            book._ints, book._floats,
            kernels.NeedArrivals(rng.integers(0, m.pop.n, arrive), np.zeros(arrive, np.int64),
                                 rng.random((3, arrive))),
            kernels.NeedResidents(m.pop.community, m.grid_of, m.pop.trust, np.zeros(m.pop.n, bool),
                                  np.zeros(m.pop.n, bool)),
            kernels.NeedReporting(p, 0.0, 0.0),
            kernels.NeedCommittees(np.zeros(1), np.zeros((1, 2)), np.zeros((1, 2)), 1.0, 1.0, 1.0, 1.0),
            kernels.NeedOrganizations(np.zeros(2, np.int64), np.empty(0, np.int64), np.empty(0),
                                      np.empty(0), np.empty(0), np.empty(0, np.int64), 1.0),
            kernels.NeedDepartment(np.zeros(1), 0.0, 1.0, 1.0),
            kernels.NeedDay(day, needs.PUBLIC, 1000, np.zeros((1, 6))))
        book.advance(out[0], out[1], out[2])
        n_reported = out[3]
        shares.append(n_reported / unreported)
        unreported -= n_reported
    assert (book.open["status"] == needs.UNREPORTED).sum() == unreported
    for share in shares:
        assert share == pytest.approx(p, abs=0.015)


# --------------------------------------------------------------- plain references
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_daily_means_is_its_plain_reference(seed):
    from sim.kernels import daily_means, daily_means_reference
    from sim.outcomes import _MEANS_KEYS
    rng = np.random.default_rng(seed)
    n, day = 3000, 500
    last_act = rng.integers(day - 600, day, (4, n))
    last_act[:, rng.random(n) < 0.3] = -10**6  # never acted
    last_any = last_act.max(axis=0)
    trust, eff, sat = rng.random(n), rng.random(n), rng.random(n)
    migrant, retired, party = rng.random(n) < 0.25, rng.random(n) < 0.3, rng.random(n) < 0.07
    got = np.asarray(daily_means(last_act, last_any, day, trust, eff, sat, migrant, retired, party))
    want = daily_means_reference(last_act, last_any, day, trust, eff, sat, migrant, retired, party)
    assert got.shape == want.shape == (len(_MEANS_KEYS),)
    assert np.allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("chance", [0.0, 0.02, 0.5, 1.0])
def test_grid_visits_is_its_plain_reference(chance):
    from sim.kernels import grid_visits, grid_visits_reference
    rng = np.random.default_rng(4)
    household = np.sort(rng.integers(0, 400, 1000))
    u = rng.random(400).astype(np.float32)
    t1 = rng.random(1000)
    t2 = t1.copy()
    r1, n1 = grid_visits(u, chance, household, t1, 0.01)
    r2, n2 = grid_visits_reference(u, chance, household, t2, 0.01)
    assert n1 == n2 and np.array_equal(r1, r2) and np.array_equal(t1, t2)
    assert (n1 == 0) == (chance == 0.0) and (n1 == 400) == (chance == 1.0)


@pytest.mark.parametrize("seed", range(6))
def test_invite_is_its_plain_reference(seed):
    """Party members' invitations (ODD 7.8): compiled and in numpy, on random networks with
    residents without ties, random servers and rates, and days of few to many invitations."""
    from sim.kernels import invite, invite_reference
    rng = np.random.default_rng(seed)
    n = 300
    adj = sp.random_array((n, n), density=0.02, rng=rng, format="csr")
    keep = sp.diags_array((rng.random(n) > 0.1).astype(float))  # about a tenth without ties
    adj = sp.csr_array(keep @ (adj + adj.T) @ keep)
    adj.eliminate_zeros()
    adj.sort_indices()
    isolated = np.diff(adj.indptr) == 0
    servers = np.sort(rng.choice(n, 40, replace=False))
    cumulative = np.cumsum(rng.random(servers.size) * rng.choice([0.2, 1.0, 5.0]))
    k = int(rng.poisson(cumulative[-1]))
    u_sender, u_tie = rng.random(k), rng.random(k)
    last1 = rng.integers(-1, 50, n)
    last2 = last1.copy()
    sent1, sent2 = np.zeros(n, np.int64), np.zeros(n, np.int64)
    args = (servers, cumulative, u_sender, u_tie, adj.indptr, adj.indices, 60)
    n1, inv1 = invite(*args, last1, sent1)
    n2, inv2 = invite_reference(*args, last2, sent2)
    assert n1 == n2 and np.array_equal(inv1, inv2)
    assert np.array_equal(last1, last2) and np.array_equal(sent1, sent2)
    assert n1 == sent1.sum() and sent1[isolated].sum() == 0
    assert set(np.flatnonzero(sent1)) <= set(servers)
    assert isolated[servers].any() and n1 > 0  # the inputs reach both branches


def test_erode_is_its_plain_reference():
    from sim.kernels import erode, erode_reference
    rng = np.random.default_rng(5)
    who = np.unique(rng.integers(0, 500, 200))
    t1, s1 = rng.random(500) * 0.05, rng.random(500)  # some trust hits the floor
    t2, s2 = t1.copy(), s1.copy()
    erode(who, t1, s1, 0.02)
    erode_reference(who, t2, s2, 0.02)
    assert np.array_equal(t1, t2) and np.array_equal(s1, s2)
    assert (t1 >= 0).all() and (t1[who] == 0).any()


def _needs_records(rng, day, n_res, n_comm, orgs_table, arrivals, committee_credit):
    """Random inputs of one day of the needs kernel: residents, committees with hours from
    none to plenty and the credit they carry, organizations of every type, a department that
    cannot keep up."""
    from sim.kernels import (NeedArrivals, NeedCommittees, NeedDay, NeedDepartment,
                             NeedOrganizations, NeedReporting, NeedResidents)
    community = np.sort(rng.integers(0, n_comm, n_res))
    start, serves, capacity, success, credit, uid = orgs_table
    new = rng.integers(0, n_res, arrivals)
    ntype = rng.integers(0, len(needs.NEED_TYPES), arrivals)
    # every third day one community's committee has no hours at all
    free = rng.uniform(0.0, 6.0, n_comm) * (np.arange(n_comm) != day % 3)
    return (NeedArrivals(new, ntype, rng.random((3, arrivals))),
            NeedResidents(community, rng.integers(0, 5, n_res), rng.random(n_res),
                          rng.random(n_res) < 0.08, rng.random(n_res) < 0.05),
            NeedReporting(0.05, 0.3, 0.02 * (day % 2)),
            NeedCommittees(free, np.zeros((n_comm, 2)), committee_credit.copy(), 0.25, 1.0, 6.0, 0.7),
            NeedOrganizations(start, serves, capacity, success, credit, uid, 9.0),
            NeedDepartment(np.array([rng.random()]), 1.3, 20.0, 0.6),
            NeedDay(day, needs.PUBLIC, 12, rng.uniform(0.0, 0.2, (n_comm, len(needs.NEED_TYPES)))))


def _copy(records):
    return tuple(type(r)(*(x.copy() if isinstance(x, np.ndarray) else x for x in r)) for r in records)


@pytest.mark.parametrize("seed", [0, 1])
def test_needs_day_is_its_plain_reference(seed):
    """The needs kernel against ODD 7.6 written plainly (sim.processes.needs.needs_day_reference), day
    after day on a random book, with every branch reached: reporting by the clock and by
    visits, collection by representatives, dispatch to organizations, the committee, the
    department and public issues, the department's backlog, finishing, abandonment and the
    compaction of the book; the committees' credit carried from day to day, grown and spent."""
    rng = np.random.default_rng(seed)
    n_res, n_comm = 500, 3
    n_org = 9
    start = np.array([0, 3, 6, 9])
    table = (start, rng.integers(-1, 4, n_org), rng.uniform(0.0, 1.5, n_org), rng.uniform(0.3, 0.9, n_org),
             rng.random(n_org), np.arange(100, 100 + n_org))
    table[1][:4] = [0, 1, 2, 3]  # every organization type is there
    book = needs.NeedBook()
    reached = dict.fromkeys(["reported", "collected", "dispatched", "org", "committee", "department",
                             "issue", "dept_taken", "done", "abandoned", "kept", "credit_carried",
                             "credit_spent"], 0)
    credit = rng.uniform(0.0, 1.0, (n_comm, 2)) * [0.25, 1.0]
    for day in range(60):
        records = _needs_records(rng, day, n_res, n_comm, table, int(rng.integers(5, 40)), credit)
        a, b = _copy(records), _copy(records)
        got = kernels.needs_day(book._ints.copy(), book._floats.copy(), *a)
        want = needs.needs_day_reference(book._ints.copy(), book._floats.copy(), *b)
        assert len(got) == len(want) == 13
        for g, w in zip(got, want):
            assert np.array_equal(np.asarray(g), np.asarray(w)), (day, g, w)
            assert np.asarray(g).dtype.kind == np.asarray(w).dtype.kind
        for ra, rb in zip(a, b):  # the in-place updates: hours, credits
            for x, y in zip(ra, rb):
                assert np.array_equal(x, y)
        table = (*table[:4], a[4].credit, table[5])
        reached["credit_carried"] += (a[3].credit > credit).sum()
        reached["credit_spent"] += (a[3].credit < credit).sum()
        assert ((a[3].credit >= 0) & (a[3].credit < [0.25, 1.0])).all()
        credit = a[3].credit.copy()
        book.advance(got[0], got[1], got[2])
        handler = got[2][5]
        reached["reported"] += got[3]
        reached["collected"] += got[6]
        reached["dispatched"] += got[4].sum()
        reached["org"] += (book.open["handler"] == needs.H_ORG).sum() + (handler == needs.H_ORG).sum()
        reached["committee"] += (handler == needs.H_COMMITTEE).sum()
        reached["department"] += (book.open["status"] == needs.AT_DEPARTMENT).sum()
        reached["issue"] += got[7].size - got[6]
        reached["dept_taken"] += got[5]
        reached["done"] += got[9].size
        reached["abandoned"] += got[12].size
        reached["kept"] += book.n_open > 0 and got[2].shape[1] > 0
    assert all(v > 0 for v in reached.values()), reached


@pytest.mark.slow
def test_the_plain_references_pass_without_numba():
    """The reference tests again with NUMBA_DISABLE_JIT=1: the kernels run as the Python they
    are written in, so a kernel that only works compiled (or a test that only passes
    through numba's typing) shows here."""
    import os
    import subprocess
    import sys
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          __file__, "-k", "reference and not without_numba"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert " passed" in out.stdout and "failed" not in out.stdout


def test_daily_decay_is_its_plain_reference():
    """ODD 7.2's daily fading and reversion, compiled and in numpy: bit for bit."""
    from sim.kernels import daily_decay, daily_decay_reference
    rng = np.random.default_rng(6)
    n = 2000
    make = lambda: (tuple(rng.random(n) for _ in range(6)), tuple(rng.random(n) for _ in range(4)))  # noqa: E731
    state, base = make()
    s1, s2 = tuple(a.copy() for a in state), tuple(a.copy() for a in state)
    mem, off = rng.integers(0, 5, n).astype(np.int32), rng.integers(0, 2, n).astype(np.int32)
    c1, c2 = np.zeros(n), np.zeros(n)
    rates = (0.87, 0.9, 1 / 365, 0.5 / 365)
    daily_decay(s1, base, rates, mem, off, 0.5, 3.0, c1)
    daily_decay_reference(s2, base, rates, mem, off, 0.5, 3.0, c2)
    assert all(np.array_equal(a, b) for a, b in zip(s1, s2)) and np.array_equal(c1, c2)
    assert not np.array_equal(s1[2], state[2])  # it moved


def _org_csr(m):
    orgs = list(m.orgs)
    ptr = np.zeros(len(orgs) + 1, np.int64)
    np.cumsum([o.members.size for o in orgs], out=ptr[1:])
    members = np.concatenate([o.members for o in orgs] + [np.zeros(0, np.int64)])
    return orgs, ptr, members


@pytest.mark.parametrize("ties_per_join", [2, 0])
def test_members_round_is_its_plain_reference(ties_per_join):
    """The month's recruiting and leaving (ODD 7.7) compiled and group by group in numpy, on
    a model's groups with high join and leave chances (so that every branch acts: joins,
    new ties, idle and overloaded leavers, a leader's succession, an empty group): the same
    members, ties, leaders, membership counts and fold uniforms, bit for bit, and the stream
    left in the same state."""
    from sim.kernels import members_round
    from sim.processes.organizations import ORG_ACT, members_round_reference
    m = CoGovModel(small(population={"n_communities": 2, "residents_per_community": 2000}),
                   rng=5, collect=False)
    m.run(60)
    orgs, ptr, members = _org_csr(m)
    k = len(orgs)
    assert k >= 4 and len({o.community for o in orgs}) == 2
    # one group emptied, every leader a member (so that leaders leave and are succeeded)
    ptr = np.r_[ptr, ptr[-1]]
    comm = np.array([o.community for o in orgs] + [0], np.int64)
    founder = np.array([members[ptr[g]] for g in range(k)] + [-1], np.int64)
    draws = np.random.default_rng(1)
    p_join = draws.uniform(0.05, 0.4, k + 1)
    p_idle = draws.uniform(0.0, 0.3, k + 1)
    pop, beh = m.pop, m.p.behaviour
    committed = m.commitment_hours.copy()
    committed[draws.random(pop.n) < 0.2] = 1e3  # some overcommitted residents
    args = (comm, p_join, p_idle, founder, m.adj.indptr, m.adj.indices, pop.community,
            committed, pop.act_hours, pop.time_budget, pop.last_act[ORG_ACT], m.acts_year)
    tail = (beh.hours_per_membership_week, beh.hours_per_office_week, 1.0, ties_per_join,
            m.clock - 20, 0.1, 0.3)
    rng1, rng2 = (np.random.Generator(np.random.SFC64(9)) for _ in range(2))
    mem1, mem2 = pop.memberships.copy(), pop.memberships.copy()
    got = members_round(rng1, ptr, members, *args, mem1, *tail)
    want = members_round_reference(rng2, ptr, members, *args, mem2, *tail)
    for a, b in zip(got, want):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    assert np.array_equal(mem1, mem2) and rng1.random() == rng2.random()
    new_ptr, new_members, pair_i, _, new_founder, last, _ = got
    sizes, old = np.diff(new_ptr), np.diff(ptr)
    assert sizes[-1] == 0 and last[-1] == -1  # the empty group stays empty
    assert (pair_i.size > 0) == (ties_per_join > 0)
    joined = sum(np.setdiff1d(new_members[new_ptr[g]:new_ptr[g + 1]], members[ptr[g]:ptr[g + 1]]).size
                 for g in range(k))
    left = sum(np.setdiff1d(members[ptr[g]:ptr[g + 1]], new_members[new_ptr[g]:new_ptr[g + 1]]).size
               for g in range(k))
    assert joined > 0 and left > 0 and (new_founder[:k] != founder[:k]).any()
    assert (mem1 - pop.memberships).sum() == sizes.sum() - old.sum()


def test_org_activities_is_its_plain_reference():
    """A day's organization activities (ODD 7.7: guests invited by recently active members,
    members' and guests' decisions) compiled and group by group: the same acts booked, the
    same invitations, and the stream left in the same state."""
    from sim.processes.organizations import hold_activities, hold_activities_reference
    scen = small(population={"n_communities": 2, "residents_per_community": 2000},
                 organizations={"guest_invite_share": 0.8})
    models = [CoGovModel(scen, rng=4, collect=False) for _ in range(2)]
    for m in models:
        m.run(50)
        m.step()  # today's decision uniforms are drawn; the day's acts so far are booked
        m.process("org_activities").invitations_total, m.today_acts["organization"] = 0, 0
    a, b = models
    rng_a, rng_b = (np.random.Generator(np.random.SFC64(2)) for _ in range(2))
    before = a.pop.acts.copy()
    orgs = [o for o in a.orgs if o.members.size]
    holds = np.arange(len(orgs)) % 4 != 1  # most groups hold one, some do not
    hold_activities(a, rng_a, orgs, holds)
    hold_activities_reference(b, rng_b, [o for o, h in zip((o for o in b.orgs if o.members.size), holds) if h])
    pa, pb = a.pop, b.pop
    for name in ("last_act", "acts", "acts_year_ring", "fatigue", "disposition", "act_hours"):
        assert np.array_equal(getattr(pa, name), getattr(pb, name)), name
    assert np.array_equal(pa.last_any(), pb.last_any())
    assert np.array_equal(a.pop.last_invited, b.pop.last_invited)
    assert a.process("org_activities").invitations_total == b.process("org_activities").invitations_total > 0
    assert a.today_acts["organization"] == b.today_acts["organization"] > 0
    assert rng_a.random() == rng_b.random()
    assert (pa.acts != before).any()


def test_first_uniforms_leaves_the_stream_as_the_draws_used():
    """A block of uniforms whose first ``k`` are used leaves the stream where ``k`` single
    draws leave it."""
    from sim.rng import first_uniforms
    a, b = (np.random.Generator(np.random.SFC64(3)) for _ in range(2))
    got = first_uniforms(a, 50, lambda u: (u[:7].copy(), 7))
    want = np.array([b.random() for _ in range(7)])
    assert np.array_equal(got, want) and a.random() == b.random()


@pytest.mark.parametrize("count", [1, 2, 7, 50_001])
def test_raw_uint32_is_numpys_random_raw(count):
    """The compiled SFC64 gives numpy's raw numbers and leaves the stream where numpy's
    ``random_raw`` leaves it, a buffered 32-bit half included."""
    from sim.rng import raw_uint32
    a, b = (np.random.Generator(np.random.SFC64(11)) for _ in range(2))
    for g in (a, b):
        g.integers(0, 2**32, 3, dtype=np.uint32)  # leaves a buffered 32-bit half
    got = raw_uint32(a, count)
    want = b.bit_generator.random_raw((count + 1) // 2).view(np.uint32)[:count]
    assert got.dtype == np.uint32 and np.array_equal(got, want)
    sa, sb = a.bit_generator.state, b.bit_generator.state
    assert np.array_equal(sa["state"]["state"], sb["state"]["state"])
    assert (sa["has_uint32"], sa["uinteger"]) == (sb["has_uint32"], sb["uinteger"]) == (1, sb["uinteger"])
    assert np.array_equal(a.integers(0, 2**32, 5, dtype=np.uint32), b.integers(0, 2**32, 5, dtype=np.uint32))
    assert a.random() == b.random()


def test_raw_uint32_of_another_bit_generator_is_random_raw():
    from sim.rng import raw_uint32
    a, b = (np.random.Generator(np.random.PCG64(11)) for _ in range(2))
    assert np.array_equal(raw_uint32(a, 9), b.bit_generator.random_raw(5).view(np.uint32)[:9])
    assert a.random() == b.random()


@pytest.mark.parametrize("n", [0, 1, 60, 2_000])
def test_sorted_unique_is_numpys_unique(n):
    values = np.random.default_rng(n).integers(0, max(1, n // 2), n)
    got = kernels.sorted_unique(values)
    assert got.dtype == values.dtype and np.array_equal(got, np.unique(values))


@pytest.mark.parametrize("span", [1, 5, 400, 100_000])
def test_oldest_first_is_a_stable_argsort(span):
    """The queue order (a counting sort over a short span of days, else a merge sort) is
    numpy's stable argsort of the reporting days."""
    rng = np.random.default_rng(span)
    for n in (0, 1, 2, 50, 700):
        reported = rng.integers(1000, 1000 + span, 900)
        idx = np.sort(rng.choice(900, n, replace=False)).astype(np.int64)
        want = idx[np.argsort(reported[idx], kind="stable")]
        assert np.array_equal(kernels._oldest_first(idx, reported), want)


@pytest.mark.parametrize("n", [1, 7, 8, 9, 127, 128, 129, 1_000, 8_193, 10_000, 100_003])
def test_pairwise_mean_is_numpys_mean_to_the_bit(n):
    """The kernels' mean sums as numpy does, so a daily value it computes is numpy's exactly
    (values over seven orders of magnitude, where another summation order shows)."""
    rng = np.random.default_rng(n)
    for _ in range(5):
        a = rng.random(n) * 10.0 ** rng.integers(-3, 4, n)
        assert kernels.pairwise_mean(a) == a.mean()


def test_time_used_share_is_the_numpy_rule():
    rng = np.random.default_rng(4)
    n = 10_000
    commitment, act_hours = rng.random(n) * 10, rng.random(n) * 8
    budget = 4 + rng.random(n) * 16
    budget[:3] = (0.0, 1e-300, np.inf)  # an empty budget: infinite or NaN shares, as numpy gives
    commitment[0] = 0.0
    act_hours[0] = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        want = np.minimum((commitment + act_hours) / budget, 1.0).mean()
        assert np.isnan(kernels.time_used_share(commitment, act_hours, budget)) and np.isnan(want)
        ok = slice(1, None)
        want = np.minimum((commitment + act_hours)[ok] / budget[ok], 1.0).mean()
    got = kernels.time_used_share(commitment[ok].copy(), act_hours[ok].copy(), budget[ok].copy())
    assert got == want and 0 < got < 1


def test_bernoulli_positions_is_its_plain_reference():
    """The compiled positions are the numpy rule's, from the same draws, and leave the
    stream at the same place."""
    from sim.rng import bernoulli_positions_reference
    for seed in range(40):
        for n, p in ((10_000, 0.003), (50, 0.5), (3, 0.9), (1, 0.2), (0, 0.1), (20, 0.0), (20, 1.0)):
            a, b = (np.random.Generator(np.random.SFC64(seed)) for _ in range(2))
            got, want = bernoulli_positions(a, n, p), bernoulli_positions_reference(b, n, p)
            assert got.dtype == want.dtype == np.int64 and np.array_equal(got, want)
            assert a.random() == b.random()


def test_org_layer_is_the_symmetric_layer_scipy_builds():
    """The organization layer's compiled CSR equals :func:`sim.network._sym`'s (self-pairs
    dropped, repeated pairs and both directions once, sorted indices, the organization
    weight), over several months' blocks of pairs."""
    from sim import network as net
    rng = np.random.default_rng(8)
    n = 300
    blocks_i = [rng.integers(0, n, k) for k in (0, 40, 400)]
    blocks_j = [np.where(rng.random(b.size) < 0.1, b, rng.integers(0, n, b.size)) for b in blocks_i]
    blocks_i.append(np.array([5, 5, 7]))  # a repeated pair, both ways
    blocks_j.append(np.array([7, 7, 5]))
    blocks_i.append(np.full(60, 11))  # a hub: a row past the in-place sort's 32 entries
    blocks_j.append(rng.integers(0, n, 60))
    want = net._sym(np.concatenate(blocks_i), np.concatenate(blocks_j), net.W_ORG, n)
    want.sort_indices()
    indptr, indices, data = net.org_layer(blocks_i, blocks_j, n)
    assert np.array_equal(indptr, want.indptr) and np.array_equal(indices, want.indices)
    assert data.dtype == want.data.dtype and np.array_equal(data, want.data)
    assert want.nnz > 500 and indptr[-1] == want.nnz
    empty = net.org_layer([], [], n)
    assert empty[0].size == n + 1 and empty[1].size == empty[2].size == 0


def test_without_ties_of_is_its_plain_reference():
    """Dropping the movers' ties below a weight in one compiled pass: the numpy rule's
    arrays, dtypes included (their weights in float32, compared as numpy compares them)."""
    from sim import network as net
    m = _model(days=5)
    rng = np.random.default_rng(4)
    for share in (0.0, 0.01, 0.3, 1.0):
        moving = rng.random(m.pop.n) < share
        for below in (net.W_HOUSEHOLD, net.W_ORG, 0.3, 2.0):
            got = net.without_ties_of(m.base_adj, moving, below)
            want = net.without_ties_of_reference(m.base_adj, moving, below)
            for g, w in zip(got, want):
                assert g.dtype == w.dtype and np.array_equal(g, w)


def test_ties_outside_is_the_mask_rule():
    """The festering disputes' touched residents: the ties' residents who are not parties,
    each once, sorted, as flatnonzero of a mask set by the ties and cleared by the parties."""
    rng = np.random.default_rng(6)
    for n_ties, n_parties in ((0, 3), (5, 0), (300, 20), (2_000, 200)):
        ties = rng.integers(0, 500, n_ties)
        parties = np.unique(rng.integers(0, 500, n_parties))
        hit = np.zeros(500, bool)
        hit[ties] = True
        hit[parties] = False
        assert np.array_equal(kernels.ties_outside(ties, parties), np.flatnonzero(hit))


def test_top_tenth_share_is_the_partition_rule():
    """The daily row's top-10% share of acts equals :func:`sim.processes.participation.top_share` of the
    year's act counts (ties at the boundary, no acts, fewer than ten residents)."""
    from sim.processes.participation import top_share
    rng = np.random.default_rng(12)
    for n in (1, 7, 10, 999, 10_000):
        for scale in (0, 1, 3, 40):
            ring = (rng.poisson(scale * rng.random(n), (12, n)) if scale else np.zeros((12, n))).astype(np.int32)
            got, want = kernels.top_tenth_share(ring), top_share(ring.sum(axis=0))
            assert got == want and isinstance(got, float)


def test_a_model_runs_quietly_and_plainly_without_numba():
    """With NUMBA_DISABLE_JIT=1 the kernels run as Python on numpy scalars: a small run with
    every lever of five_governance prints no warning (the random generator's wrap-around is
    intended) and its summary holds plain Python ints, floats and strings, as compiled."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    code = (
        "import json\n"
        "from sim.config import load_scenario\n"
        "from sim.study.runner import run_one\n"
        "s = load_scenario('scenarios/five_governance.yaml', {'population.residents_per_community': 300,"
        " 'run.spin_up_days': 10, 'run.days': 40})\n"
        "summary = run_one(s, 3, record=True).summary\n"
        "print(json.dumps({k: [type(v).__module__, type(v).__name__] for k, v in summary.items()}))\n")
    env = dict(os.environ, NUMBA_DISABLE_JIT="1", PYTHONPATH=str(root), PYTHONWARNINGS="default")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stderr.strip() == "", out.stderr[-3000:]
    types = json.loads(out.stdout.strip().splitlines()[-1])
    assert "grid_visits" in types and "committee_hours_duty" in types
    odd = {k: ".".join(t) for k, t in types.items()
           if t not in (["builtins", "int"], ["builtins", "float"], ["builtins", "str"])}
    assert not odd, odd


@pytest.mark.parametrize("seed", range(6))
def test_team_calls_kernel_is_the_plain_rule(seed):
    """Volunteer teams' calls (ODD 7.17): the compiled pass picks the same members as the
    numpy rule, with ties in the last call, members who volunteered today and teams off duty."""
    from sim.processes.volunteers import team_calls_reference
    rng = np.random.default_rng(seed)
    n, teams = 3_000, 7
    team_of = np.where(rng.random(n) < 0.05, rng.integers(0, teams, n), -1).astype(np.int64)
    last_called = rng.integers(-5, 40, n).astype(np.int64)  # many ties
    day = 40
    last_vol = np.where(rng.random(n) < 0.2, day, rng.integers(0, day, n)).astype(np.int64)
    on_duty = rng.random(teams) < 0.6
    for per_duty in (1, 4, 10, 1_000):
        got = kernels.team_calls(team_of, last_called, last_vol, on_duty, per_duty, day)
        want = team_calls_reference(team_of, last_called, last_vol, on_duty, per_duty, day)
        assert np.array_equal(got, want), (per_duty, got, want)
    assert kernels.team_calls(team_of, last_called, last_vol, np.zeros(teams, bool), 4, day).size == 0


def test_the_packed_decision_is_the_named_records_as_plain_tuples():
    """participation._packed builds the kernels' tuples directly (and keeps the weights for
    the parameter set): the same objects and values, of the same types, as the named records."""
    from sim.processes import participation as part
    m = CoGovModel(small(), rng=3, **{"run.spin_up_days": 5})
    m.run(3)
    for act in ("meeting", "volunteering", "organization", "evaluation"):
        for extra in (0.0, 0.7):
            got, want = part._packed(m, act, extra), part._packed_named(m, act, extra)
            assert len(got) == len(want)
            for g, w in zip(got, want):
                g, w = (g, w) if isinstance(w, tuple) else ((g,), (w,))
                assert len(g) == len(w)
                for a, b in zip(g, w):
                    assert type(a) is type(b)
                    assert a is b if isinstance(b, np.ndarray) else a == b


def test_first_in_order_is_the_stable_argsorts_head():
    """The representatives' choice: the first k of a stable argsort, ties (as among party
    members of equal disposition) in index order, without sorting everyone."""
    from sim.model import first_in_order
    rng = np.random.default_rng(5)
    for n in (0, 1, 10, 3_000):
        for key in (-rng.random(n), -np.round(rng.random(n), 1), np.zeros(n)):
            for k in (0, 1, 7, 40, n, n + 3):
                want = np.argsort(key, kind="stable")[:k]
                got = first_in_order(key, k)
                assert got.dtype == want.dtype and np.array_equal(got, want)
