"""The compiled kernels (sim/kernels.py) and the cheaper draws: each is checked against the
plain numpy rule it stands for, or, for a draw, against the distribution it must have."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import small

from sim import kernels, needs
from sim.disputes import _poisson
from sim.model import CoGovModel
from sim.party import send_invitations
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
    u = m.draws[0][cand] / 2.0**32
    invited = m.last_invited[cand] > day - beh.invitation_memory_days
    used = m.commitment_hours[cand] + pop.act_hours[cand]
    logit = (beh.base_logit_meeting + beh.w_disposition * pop.disposition[cand]
             + beh.w_efficacy * pop.efficacy[cand] + beh.w_trust * pop.trust[cand]
             + beh.w_free_time * m.free_time[cand] + beh.w_social * m.social_share[cand]
             + beh.w_invited * invited + beh.w_cross_group_ties * m.local_tie_share[cand] * pop.migrant[cand]
             - beh.w_fatigue * pop.fatigue[cand] - beh.w_time_load * used / pop.time_budget[cand])
    fits = used + beh.hours_per_act <= pop.time_budget[cand]
    expected = cand[fits & (u < 1.0 / (1.0 + np.exp(-logit)))]
    from sim.participation import decide_reference
    assert np.array_equal(decide_reference(m, cand, "meeting"), expected)
    assert not np.isin(cand[::4], expected).any()  # over budget: declined
    fatigue_before = pop.fatigue[expected].copy()
    acts_before = pop.acts[0].sum()
    from sim.participation import decide
    takers = decide(m, cand, "meeting")
    assert expected.size > 0 and np.array_equal(takers, expected)
    assert pop.acts[0].sum() == acts_before + takers.size
    assert (pop.last_act[0, takers] == day).all() and (pop.last_any()[takers] == day).all()
    assert np.allclose(pop.fatigue[takers], np.minimum(1.0, fatigue_before + beh.fatigue_per_act))


def test_incremental_social_share_equals_the_full_product():
    m = _model(days=1)
    for _ in range(45):  # through a month's end, when organization ties join the network
        m.step()
        m._update_social_share()  # moved by the residents whose activity changed
        active = (m.pop.last_any() > m.clock - 30).astype(np.float64)
        full = (m.adj.astype(np.float64) @ active) / m.weighted_degree
        assert np.array_equal(m.social_share, full)


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
            book._ints, book._floats, rng.integers(0, m.pop.n, arrive), np.zeros(arrive, np.int64),
            rng.random((3, arrive)), m.pop.community, m.grid_of, day, m.pop.trust, p, 0.0, 0.0,
            np.zeros(m.pop.n, bool), np.zeros(m.pop.n, bool), needs.PUBLIC,
            np.zeros(1), np.zeros((1, 2)), 1.0, 1.0, np.zeros(2, np.int64), np.empty(0, np.int64),
            np.empty(0), np.empty(0), np.empty(0), np.empty(0, np.int64), np.zeros((1, 6)), 1.0, 1.0,
            1.0, np.zeros(1), 0.0, 1.0, 1.0, 1000)
        book.advance(out[0], out[1], out[2])
        n_reported = out[3]
        shares.append(n_reported / unreported)
        unreported -= n_reported
    assert (book.open["status"] == needs.UNREPORTED).sum() == unreported
    for share in shares:
        assert share == pytest.approx(p, abs=0.015)
