"""Behaviours that had no test of their own, each on paired runs (same seed, with and
without the mechanism), and the time series' last row against the summary."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import small

from sim.model import CoGovModel

DISPUTES = {"per_1000_year": {"noise_leak": 40.0, "parking": 40.0, "pets": 20.0,
                              "renovation_property": 20.0, "family": 20.0}}


def run(scenario, seed=1, days=None, collect=False):
    m = CoGovModel(scenario, rng=seed, collect=collect)
    m.run(days)
    return m


def test_the_last_daily_row_agrees_with_the_summary():
    """Every key both report agrees: a state (a share, a mean, a stock) is the last row's
    value; a flow (the day's counts and committee hours) is the summary's total over the
    report, so it equals the sum of the rows (recorded every day here). One exception,
    documented in ODD 8: the daily row's top-10% share of acts is refreshed every 30 days
    (the summary's is computed on the last day)."""
    from sim.outcomes import COUNTER_KEYS
    m = run(small(run={"record_every": 1}), collect=True)
    rows = m.datacollector.get_model_vars_dataframe()
    assert len(rows) == m.p.run.days
    summary = m.summary()
    shared = sorted(set(rows.columns) & set(summary) - {"day", "top10_share_of_acts"})
    stocks_counted_daily = {"issues_open", "issues_in_execution"}  # set each day, not added
    flows = [k for k in shared if (k in COUNTER_KEYS and k not in stocks_counted_daily)
             or k.startswith("committee_hours_")
             or k in ("committee_duty_hours_dropped", "committee_self_governance_hours")]
    assert len(shared) > 40 and len(flows) > 10
    differ = {}
    for k in shared:
        got = float(rows[k].sum() if k in flows else rows[k].iloc[-1])
        want = float(summary[k])
        if not (got == pytest.approx(want, rel=1e-9, abs=1e-12) or (math.isnan(got) and math.isnan(want))):
            differ[k] = (got, want)
    assert not differ, differ


def test_needs_left_too_long_are_abandoned():
    """needs.abandon_days: no unserved need in the book is older; the dropped ones are logged
    unfulfilled on the day after their limit, and trust falls with them."""
    short = run(small(needs={"abandon_days": 10}))
    long_ = run(small(needs={"abandon_days": 400}))
    book, day = short.needs.open, short.clock - 1  # the last day run
    waiting = (book["status"] != 3) & (book["handler"] != 4)
    assert (day - book["raised"][waiting] <= 10).all()
    log = short.needs.log()
    dropped = (log["outcome"] == 0) & (log["closed"] - log["raised"] == 11) & (log["handler"] != 4)
    assert dropped.sum() > 10
    assert long_.needs.n_open > short.needs.n_open
    assert short.pop.trust.mean() < long_.pop.trust.mean()


def test_a_case_waits_at_most_max_wait_days_for_a_busy_channel():
    sc = dict(disputes={**DISPUTES, "max_wait_days": 3, "volunteer_cases_per_mediator_day": 0.001})
    m = run(small(**sc))
    moved_on = [w for ch, w, taken in m.disputes.waits if not taken]
    assert moved_on and max(moved_on) == 3
    patient = run(small(disputes={**DISPUTES, "max_wait_days": 60, "volunteer_cases_per_mediator_day": 0.001}))
    assert max(w for _, w, _ in patient.disputes.waits) > 3


def test_unresolved_disputes_are_given_up_after_give_up_days():
    m = run(small(disputes={**DISPUTES, "give_up_days": 20, "abandon_after_failure": 1.0}))
    closed = [d for d in m.disputes.log if not d.resolved]
    assert closed and max(d.closed - d.opened for d in closed) <= 20
    assert all(m.clock - d.opened < 20 for d in m.disputes.open)
    later = run(small(disputes={**DISPUTES, "give_up_days": 3000, "abandon_after_failure": 1.0}))
    assert len(later.disputes.open) > len(m.disputes.open)


def test_after_a_failure_parties_may_stop_seeking_help():
    """abandon_after_failure: with 1 every failed dispute festers, with 0 none does."""
    always = run(small(disputes={**DISPUTES, "abandon_after_failure": 1.0}))
    never = run(small(disputes={**DISPUTES, "abandon_after_failure": 0.0}))
    fester = lambda m: sum(d.festering for d in m.disputes.open + m.disputes.log)  # noqa: E731
    assert fester(always) > 0 and fester(never) == 0
    assert always.summary()["disputes_resolved_share"] < never.summary()["disputes_resolved_share"]


def test_guests_come_to_activities_only_with_guest_invitations():
    on = run(small())
    off = run(small(organizations={"guest_invite_share": 0.0}))
    assert on.process("org_activities").invitations_total > 0 and off.process("org_activities").invitations_total == 0
    assert on.summary()["participation_year_organization"] > off.summary()["participation_year_organization"]


def test_recruitment_and_dropout_move_memberships():
    # groups do not fold (nor lose their core) here, so that a dissolution does not hide the
    # members' flows
    keep = {"fold_per_year": 0.0, "core_idle_days": 730, "min_members": 0,
            "activist_acts": 1}  # any member who took part can take over from a leader who leaves
    base = run(small(organizations=keep))
    no_recruit = run(small(organizations={**keep, "recruit_prob_per_tie_month": 0.0}))
    no_dropout = run(small(organizations={**keep, "dropout_per_month": 0.0, "churn_per_year": 0.0,
                                          "overload_dropout_per_month": 0.0}))
    assert base.process("org_life_cycle").dissolutions == no_recruit.process("org_life_cycle").dissolutions == no_dropout.process("org_life_cycle").dissolutions == 0
    members = lambda m: sum(o.members.size for o in m.orgs)  # noqa: E731
    assert members(no_recruit) < members(base) < members(no_dropout)


def test_reputation_learns_from_evaluated_services_only_with_a_learning_rate():
    """organizations.reputation_learning = 0 keeps every reputation where it started."""
    sc = {"needs": {"per_resident_year": 6.0}, "purchased_services": {"items": 4}}
    frozen = run(small(organizations={"reputation_learning": 0.0}, **sc), days=400)
    learning = run(small(**sc), days=400)
    served = [o for o in learning.orgs if o.services_delivered > 5]
    start = (0.5, 0.6, learning.p.organizations.initial_reputation)  # new, contracted, initial
    assert served and any(all(abs(o.reputation - r) > 0.01 for r in start) for o in served)
    assert all(o.reputation in start for o in frozen.orgs)


def test_migrants_learn_efficacy_more_slowly_with_a_feedback_factor():
    """behaviour.migrant_feedback_factor scales a migrant's efficacy learning: from the same
    efficacy, a migrant moves that share of a local's step; paired runs differ."""
    from sim.processes.participation import update_efficacy
    m = CoGovModel(small(behaviour={"migrant_feedback_factor": 0.25}), rng=1, collect=False)
    pop = m.pop
    mig, loc = int(np.flatnonzero(pop.migrant)[0]), int(np.flatnonzero(~pop.migrant)[0])
    pop.efficacy[[mig, loc]] = 0.2
    update_efficacy(m, np.array([mig, loc]), 1.0)
    step_local = pop.efficacy[loc] - 0.2
    assert step_local > 0 and pop.efficacy[mig] - 0.2 == pytest.approx(0.25 * step_local)
    # monthly meetings: enough carried-out proposals with migrant attendees in 120 days
    monthly = {"meetings_per_year": 12}
    weak = run(small(behaviour={"migrant_feedback_factor": 0.0}, deliberation=monthly))
    equal = run(small(behaviour={"migrant_feedback_factor": 1.0}, deliberation=monthly))
    assert weak.summary()["efficacy_migrant"] != equal.summary()["efficacy_migrant"]


def test_issues_are_shelved_and_rejected_by_their_limits():
    """deliberation.issue_shelf_days and max_sessions: short limits shelve and reject issues
    that long ones keep open."""
    sc = {"needs": {"per_resident_year": 8.0, "public_issue_threshold": 2},
          "committee": {"pushed_down_duty_items": 600}}
    strict = run(small(deliberation={"issue_shelf_days": 20, "max_sessions": 1}, **sc), days=300)
    lax = run(small(deliberation={"issue_shelf_days": 3000, "max_sessions": 1000}, **sc), days=300)
    s, lx = strict.summary(), lax.summary()
    assert s["issues_shelved"] + s["issues_rejected"] > 0
    assert lx["issues_shelved"] == 0 and lx["issues_rejected"] == 0
    assert s["sessions_per_issue_max"] <= 1


def test_organization_arrays_follow_each_groups_own_rule():
    """The day's vectorised organization columns (activity chance, service capacity, success)
    equal each SocialOrganization's own method, for groups with and without a social worker,
    a contract, a running project or money."""
    from sim.processes.needs import organization_table
    from sim.processes.organizations import activity_rates
    m = run(small(incubation={"social_workers": 1}, purchased_services={"items": 3},
                  grants={"contests_per_year": 4}), days=200)
    orgs = m.orgs
    kinds = {(o.social_worker, o.contract_items > 0) for o in orgs}
    assert len(orgs) > 3 and len(kinds) >= 2
    plain = orgs[0]
    plain.project_until = min(plain.project_until, m.clock)  # its project (if any) is over
    plain.funds = 0.0  # a broke group without a running project runs fewer activities
    _, capacity, success, _, _ = organization_table(m.p, orgs, m.household_factor)
    assert capacity.tolist() == pytest.approx([o.service_capacity() for o in orgs], rel=1e-12)
    assert success.tolist() == pytest.approx([o.success_chance() for o in orgs], rel=1e-12)
    rates = activity_rates(m.p.organizations, orgs, m.clock)
    assert rates.tolist() == pytest.approx([o.activity_rate(m.clock) for o in orgs], rel=1e-12)
    assert rates[orgs.index(plain)] < m.p.organizations.activities_per_week / 7.0


def test_a_social_workers_group_loses_idle_members_more_slowly():
    """incubation.social_worker_dropout_factor scales a social worker's group's idle dropout
    (and its folding): from the same state, one monthly round with the factor at 0 loses
    fewer members than with it at 1."""
    from sim.processes import organizations as orgs_mod
    from sim.residents import ACT_TYPES

    def lost_in_a_month(factor):
        m = CoGovModel(small(incubation={"social_worker_dropout_factor": factor}), rng=3, collect=False)
        for o in m.orgs:
            o.social_worker = True
        m.pop.last_act[ACT_TYPES.index("organization"), :] = -10_000  # every member idle
        before = sum(o.members.size for o in m.orgs)
        orgs_mod.monthly(m, np.random.default_rng(0))
        return before - sum(o.members.size for o in m.orgs)

    kept, lost = lost_in_a_month(0.0), lost_in_a_month(1.0)
    assert kept < lost


def test_contract_money_buys_the_service_not_the_groups_cash():
    """purchased_services.budget_per_item_yuan is booked as spent and buys service capacity
    (ODD 7.8); it does not pile up in the holder's cash (it once grew by some 55,000 yuan a
    contracted year)."""
    m = run(small(purchased_services={"items": 3}), days=400)  # two awards: day 0 and day 365 (a contract year)
    held = [o for o in m.orgs if o.contract_items]
    budget = m.p.purchased_services.budget_per_item_yuan
    assert held and all(o.service_capacity() > m.p.needs.org_capacity_per_day for o in held)
    assert max(o.funds for o in m.orgs) < budget
    # each community's contracts are sized to its households (ODD 7.15)
    assert m.spend["purchased_services"] >= 2 * 3 * budget * float(m.household_factor.sum()) - 1e-6


def test_a_contracted_resident_group_can_fold_but_a_contracted_professional_one_cannot():
    """Folding (ODD 7.7): a resident group holding a contract folds like any group (its items
    go out again at the year's end); a professional organization brought in by the contract
    lives on its staff while the contract runs. At the highest fold rate, over three months."""
    from sim.processes import organizations as orgs_mod
    m = run(small(purchased_services={"items": 6}), days=10)
    m.p = m.p.model_copy(update={"organizations": m.p.organizations.model_copy(update={"fold_per_year": 5.0})})
    resident = [o for o in m.orgs if o.contract_items and o.origin != "contract"]
    professional = [o for o in m.orgs if o.contract_items and o.origin == "contract"]
    assert resident and professional
    for _ in range(3):
        orgs_mod.monthly(m, m.streams.org_monthly)
    assert any(not o.alive for o in resident)
    assert all(o.alive for o in professional)
