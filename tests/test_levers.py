"""Each lever acts through its mechanism, in the expected direction, on paired seeds.

Every lever scenario file (scenarios/lever_<name>.yaml, ``extends: baseline.yaml``) is run
against the baseline with the same seeds (the model's random streams are derived from the
seed, so a paired run differs only by the lever). The community keeps the baseline's
5,000 residents: a smaller one has a committee whose every hour goes to pushed-down duties,
and several levers act through the committee's free hours. Runs last 250 days (two grant
contests, one June party evaluation). Directions are checked on the mean over two seeds.
No outcome is hard-coded anywhere: the tests only compare paired runs.
"""

from __future__ import annotations

import copy
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from sim.config import load_scenario
from sim.model import CoGovModel
from sim.processes.participation import decide

SCEN = Path(__file__).resolve().parent.parent / "scenarios"
SEEDS = (11, 12)
DAYS = 250
LEVERS = ("duty_reduction", "grants", "purchased_services", "incubation", "double_registration",
          "deliberation", "grid", "legal_mediation", "staffing_funding", "transparency", "moral",
          "smart")
#: the spend_* keys each lever may raise (every other one must stay exactly as in the baseline)
SPEND = {"duty_reduction": {"duty_list_funding"}, "grants": {"grants"},
         "purchased_services": {"purchased_services"}, "incubation": {"incubation"},
         "double_registration": {"party_service"}, "deliberation": {"deliberation"}, "grid": {"grid"},
         "legal_mediation": {"legal"}, "staffing_funding": {"staffing", "office_support"},
         "transparency": {"transparency"}, "moral": {"moral"}, "smart": {"smart"}}

#: spend lines that value committee staff hours, which most levers move
FOLLOWS_COMMITTEE_TIME = {"deliberation"}


def _key(overrides: dict) -> tuple:
    return tuple(sorted(overrides.items()))


@lru_cache(maxsize=None)
def _run(name: str, seed: int, over: tuple = ()) -> dict:
    sc = load_scenario(SCEN / f"{name}.yaml", dict(over) | {"run.days": DAYS})
    m = CoGovModel(sc, rng=seed, collect=False)
    m.run()
    return m.summary()


def runs(name: str, **over) -> list[dict]:
    return [_run(name, s, _key({k.replace("__", "."): v for k, v in over.items()})) for s in SEEDS]


def mean(rs: list[dict], key: str) -> float:
    return float(np.mean([r[key] for r in rs]))


def base(**over) -> list[dict]:
    return runs("baseline", **over)


def lever(name: str, **over) -> list[dict]:
    return runs(f"lever_{name}", **over)


# ----------------------------------------------------------------------- the files
@pytest.mark.parametrize("name", LEVERS)
def test_lever_file_extends_baseline_and_changes_only_its_sections(name):
    text = (SCEN / f"lever_{name}.yaml").read_text(encoding="utf-8")
    assert "extends: baseline.yaml" in text
    sc, b = load_scenario(SCEN / f"lever_{name}.yaml"), load_scenario(SCEN / "baseline.yaml")
    changed = {sec for sec in type(sc).model_fields if sec != "meta"
               and getattr(sc, sec) != getattr(b, sec)}
    assert changed, f"lever_{name} changes nothing"
    assert len(changed) <= 2, changed


# ----------------------------------------------------------------------- money
@pytest.mark.slow
@pytest.mark.parametrize("name", LEVERS)
def test_each_costed_lever_raises_its_own_spend_and_nothing_elses(name):
    b, lv = base(), lever(name)
    keys = [k for k in b[0] if k.startswith("spend_") and k != "spend_total"]
    raised = {k[6:] for k in keys if mean(lv, k) > mean(b, k) + 1e-6}
    changed = {k[6:] for k in keys if abs(mean(lv, k) - mean(b, k)) > 1e-6}
    assert raised >= SPEND[name], (name, raised)
    # besides its own lines only the valued committee hours of deliberation move: every
    # lever that frees or takes committee time changes the hours meetings get
    assert changed - SPEND[name] <= FOLLOWS_COMMITTEE_TIME, (name, changed)


# ----------------------------------------------------------------------- mechanisms
@pytest.mark.slow
def test_duty_reduction_frees_committee_hours_for_self_governance():
    b, lv = base(), lever("duty_reduction")
    assert mean(lv, "committee_hours_duty") < mean(b, "committee_hours_duty")
    assert mean(lv, "committee_self_governance_hours") > 1.5 * mean(b, "committee_self_governance_hours")
    assert mean(lv, "committee_duty_share") < mean(b, "committee_duty_share")
    # the freed hours dispatch and serve needs: residents wait less after reporting
    assert mean(lv, "needs_wait_after_report_mean") < mean(b, "needs_wait_after_report_mean")


@pytest.mark.slow
def test_duty_rebound_unless_a_list_caps_it():
    capped = lever("duty_reduction")
    free = lever("duty_reduction", committee__duty_list_cap=False)
    # under the list new items come with their money: the unfunded items only lapse
    assert all(r["duty_items_end"] < f["duty_items_end"] for r, f in zip(capped, free))
    assert mean(capped, "spend_duty_list_funding") > 0
    assert mean(free, "duty_items_end") > 97
    assert mean(free, "spend_duty_list_funding") == 0


@pytest.mark.slow
def test_grants_found_resident_organizations():
    b, lv = base(), lever("grants")
    assert mean(lv, "foundings_grant") > mean(b, "foundings_grant")
    assert mean(lv, "organizations_resident_founded") > mean(b, "organizations_resident_founded")
    assert mean(lv, "org_activities") > mean(b, "org_activities")
    for r in lv:  # two contests by day 250 (days 60 and 242) of 2 projects each (the
        g = r["grants_awarded"]  # community's share), 1,000-10,000 yuan, plus the training
        assert g == 4
        assert 1000 * g + 2 * 20000 <= r["spend_grants"] <= 10000 * g + 2 * 20000


@pytest.mark.slow
def test_proposal_training_brings_more_leaders_into_the_contest():
    trained = lever("grants", grants__grants_per_contest=200)
    untrained = lever("grants", grants__grants_per_contest=200, grants__proposal_training=False)
    assert mean(trained, "grants_awarded") > mean(untrained, "grants_awarded")


def test_grant_money_has_diminishing_returns():
    """A grant contest in the model with one project of a fixed amount: the winner's expected
    activities a week rise with the amount, less than in proportion, and fall back when the
    project's days are over."""
    from conftest import small

    from sim.processes import organizations as orgs_mod
    extra = {}
    for amount in (1000.0, 5500.0, 10000.0):
        m = CoGovModel(small(grants={"grants_per_contest": 1, "amount_min_yuan": amount,
                                     "amount_max_yuan": amount, "scoring": "quality"}),
                       rng=3, collect=False)
        m.run(5)
        before = {o.unique_id: o.activity_rate(m.clock) for o in m.orgs}
        orgs_mod.grant_contest(m, np.random.default_rng(0))
        winner = max(m.orgs, key=lambda o: o.project_until)
        assert winner.project_until == m.clock + m.p.grants.project_days
        base = before.get(winner.unique_id, m.p.organizations.activities_per_week / 7.0)
        extra[amount] = (winner.activity_rate(m.clock) - base) * 7.0
        assert winner.activity_rate(winner.project_until) * 7.0 == pytest.approx(base * 7.0)
    assert 0 < extra[1000.0] < extra[5500.0] < extra[10000.0]
    assert extra[10000.0] / extra[1000.0] < 10000 / 1000


@pytest.mark.slow
def test_purchased_services_shorten_waits():
    b, lv = base(), lever("purchased_services")
    assert mean(lv, "needs_handled_by_org") > mean(b, "needs_handled_by_org")
    assert mean(lv, "needs_wait_after_report_mean") < mean(b, "needs_wait_after_report_mean")
    assert mean(lv, "duty_items_end") < mean(b, "duty_items_end")


@pytest.mark.slow
def test_purchased_services_lower_the_committee_service_load():
    # with a committee that has hours to spare (97 items, 18 staff per 10,000), contracted
    # organizations take needs the committee would otherwise serve itself
    reform = {"committee__staff_per_10k": 18, "committee__pushed_down_duty_items": 97}
    b = base(**reform)
    lv = lever("purchased_services", **reform)
    assert mean(lv, "committee_hours_service") < mean(b, "committee_hours_service")
    assert mean(lv, "needs_handled_by_committee") < mean(b, "needs_handled_by_committee")


@pytest.mark.slow
def test_incubation_adds_resident_organizations():
    b, lv = base(), lever("incubation")
    assert mean(lv, "foundings_incubated") > 0
    assert mean(lv, "organizations_resident_founded") > mean(b, "organizations_resident_founded")


@pytest.mark.slow
def test_double_registration_raises_invitations_and_participation():
    b, lv = base(), lever("double_registration")
    assert mean(lv, "party_invitations") > 1.5 * mean(b, "party_invitations")
    assert mean(lv, "participation_year") > mean(b, "participation_year")


@pytest.mark.slow
def test_yearly_evaluation_raises_members_effort():
    on = lever("double_registration")
    off = lever("double_registration", party__evaluation=False)
    assert mean(on, "party_invitations") > mean(off, "party_invitations")
    assert mean(on, "participation_year_evaluation") > mean(off, "participation_year_evaluation")


@pytest.mark.slow
def test_deliberation_frequency_holds_more_meetings():
    b, lv = base(), lever("deliberation")
    assert mean(lv, "meetings") > mean(b, "meetings")
    assert mean(lv, "participation_year_meeting") > mean(b, "participation_year_meeting")


@pytest.mark.slow
def test_grid_workers_raise_reporting():
    b, lv = base(), lever("grid")
    assert mean(lv, "grid_visits") > 2 * mean(b, "grid_visits")
    assert mean(lv, "needs_reported_share") > mean(b, "needs_reported_share")


@pytest.mark.slow
def test_legal_services_add_police_and_professional_mediation():
    """Police present three days a week instead of one: their queue is shorter and they take
    at least as many cases; the community lawyer adds professional mediation (none before).
    (Cases resolved by the police are a handful a run: too few to compare.) The count of
    police cases is compared without the same-day commitment, which hands cases reported on
    a day without police to the committee."""
    b, lv = base(), lever("legal_mediation")
    assert mean(lv, "disputes_police_queue_mean") < mean(b, "disputes_police_queue_mean")
    police_only = lever("legal_mediation", legal__same_day_mediation=False)
    assert mean(police_only, "disputes_taken_police") >= mean(b, "disputes_taken_police")
    assert mean(b, "disputes_taken_professional") == 0
    assert mean(lv, "disputes_taken_professional") > 0
    assert mean(lv, "disputes_resolved_by_professional") > mean(b, "disputes_resolved_by_professional")


@pytest.mark.slow
def test_staffing_frees_committee_hours():
    b, lv = base(), lever("staffing_funding")
    assert mean(lv, "committee_self_governance_hours") > mean(b, "committee_self_governance_hours")
    assert mean(lv, "needs_wait_after_report_mean") < mean(b, "needs_wait_after_report_mean")


@pytest.mark.slow
def test_transparency_raises_trust_and_linked_payment_raises_fulfilment():
    b = base()
    pub = lever("transparency", transparency__satisfaction_linked_payment=False)
    linked = lever("transparency", transparency__publish_affairs=False)
    assert mean(pub, "trust_mean") > mean(b, "trust_mean")
    assert mean(linked, "needs_fulfilled_share") > mean(b, "needs_fulfilled_share")


@pytest.mark.slow
def test_evening_opening_raises_working_residents_participation():
    b = base()
    ev = lever("moral", moral__recognition=False)
    assert mean(ev, "participation_year_working") > mean(b, "participation_year_working")
    # retirees' free time is unchanged: their gain (through their ties) is smaller
    gain_w = mean(ev, "participation_year_working") - mean(b, "participation_year_working")
    gain_r = mean(ev, "participation_year_retired") - mean(b, "participation_year_retired")
    assert gain_w > gain_r


@pytest.mark.slow
def test_recognition_lets_the_willing_act_more():
    """Acts tire less under recognition (fatigue per act x recognition_fatigue_factor). From
    one state and with the same draws, two days of decisions with and without it: the same
    residents act on the first day and carry less fatigue with it, so on the second day
    everyone who acts without recognition acts with it, and some more. One act's fatigue
    moves a few residents in a community (1-3 of some 250 takers), so the gain is pooled
    over three states a month apart. (Whole runs with and without the lever drift apart
    through their organizations more than this moves them.)"""
    sc = load_scenario(SCEN / "lever_moral.yaml", {"moral.evening_opening": False,
                                                   "moral.recognition": False})
    m = CoGovModel(sc, rng=SEEDS[0], collect=False)
    everyone = np.arange(m.pop.n)
    extra = 0
    for _ in range(3):
        m.run(20)
        takers = {}
        for on in (False, True):
            twin = copy.deepcopy(m)
            twin.p = twin.p.model_copy(update={"moral": twin.p.moral.model_copy(update={"recognition": on})})
            first = decide(twin, everyone, "volunteering")
            fatigue = twin.pop.fatigue[first].copy()
            twin.clock += 1
            twin.process("day_start").draws = twin.decision_uniforms()
            takers[on] = (first, fatigue, decide(twin, everyone, "volunteering"))
        (first_off, fat_off, second_off), (first_on, fat_on, second_on) = takers[False], takers[True]
        assert np.array_equal(first_off, first_on) and first_on.size > 0
        assert (fat_on <= fat_off).all() and (fat_on < fat_off).any()
        assert np.isin(second_off, second_on).all()
        extra += second_on.size - second_off.size
    assert extra > 0


@pytest.mark.slow
def test_digital_ordering_raises_reporting_and_online_mediation_resolves_disputes():
    b = base()
    dig = lever("smart", smart__online_mediation=False)
    assert mean(dig, "needs_reported_share") > mean(b, "needs_reported_share")
    onl = lever("smart", smart__digital_ordering=False)
    assert mean(onl, "disputes_resolved_by_online") > mean(b, "disputes_resolved_by_online") == 0


# ------------------------------------------------------- each lever parameter on its own
@pytest.mark.slow
def test_plaques_and_inspections_each_cost_committee_hours():
    b = base()
    for over in ({"committee__plaques": 27}, {"committee__inspections_per_month": 1.0}):
        cut = base(**over)
        assert mean(cut, "committee_hours_duty") < mean(b, "committee_hours_duty"), over
        assert mean(cut, "committee_self_governance_hours") > mean(b, "committee_self_governance_hours"), over


@pytest.mark.slow
def test_electronic_ledgers_cost_money_and_save_hours():
    b, led = base(), base(committee__electronic_ledgers=True)
    assert mean(b, "spend_electronic_ledgers") == 0 < mean(led, "spend_electronic_ledgers")
    assert mean(led, "committee_hours_duty") < mean(b, "committee_hours_duty")


def _first_contest(scoring: str, seed: int = 11) -> tuple[CoGovModel, list]:
    """The lever_grants community just after its first contest (day 60): the funded groups."""
    sc = load_scenario(SCEN / "lever_grants.yaml", {"grants.scoring": scoring,
                                                    "grants.grants_per_contest": 6})
    m = CoGovModel(sc, rng=seed, collect=False)
    m.run(62)
    return m, [o for o in m.orgs if o.origin == "grant"]


@pytest.mark.slow
def test_grant_scoring_decides_who_is_funded():
    """Quality scoring funds leaders with more civic skill than a lottery does; need scoring
    funds groups of the types with the most unmet needs."""
    q_model, quality = _first_contest("quality")
    _, lottery = _first_contest("random")
    _, need = _first_contest("need")
    assert quality and lottery and need

    def skill(m, orgs):
        return np.mean([m.pop.disposition[o.founder] + m.pop.efficacy[o.founder] for o in orgs])
    assert skill(q_model, quality) > skill(q_model, lottery)
    unmet = q_model.unmet_needs_by_type()
    assert np.mean([unmet.get(o.org_type, 0) for o in need]) > \
        np.mean([unmet.get(o.org_type, 0) for o in lottery])


@pytest.mark.slow
def test_grant_money_has_diminishing_returns_in_the_model():
    """Paired: ten times the money per project buys extra activities, but far fewer than ten
    times as many (each project adds log(1 + amount/scale) activities a week)."""
    b = base()
    # 13 projects a contest (the whole street's count) so that the money's effect shows
    small_g = lever("grants", grants__amount_min_yuan=2000, grants__amount_max_yuan=2000,
                    grants__grants_per_contest=13)
    large_g = lever("grants", grants__amount_min_yuan=20000, grants__amount_max_yuan=20000,
                    grants__grants_per_contest=13)
    extra_small = mean(small_g, "org_activities") - mean(b, "org_activities")
    extra_large = mean(large_g, "org_activities") - mean(b, "org_activities")
    assert 0 < extra_small < extra_large < 10 * extra_small
    per_yuan_small = extra_small / mean(small_g, "spend_grants")
    per_yuan_large = extra_large / mean(large_g, "spend_grants")
    assert per_yuan_large < per_yuan_small


@pytest.mark.slow
def test_filing_instead_of_registration_raises_resident_foundings():
    """Where the niche has room (few groups to start with): at the settled density foundings
    are bounded by the niche, not by the paperwork (ODD 7.7)."""
    few = (0.2, 0.1, 0.0, 0.0, 0.0, 0.0)  # a tuple: the runs are cached on their overrides
    # a wide niche (10 groups per 1,000 adults): the spin-up does not fill it before filing starts
    room = {"organizations__initial_per_1000_adults": few, "organizations__orgs_per_1000_saturation": 10.0}
    off = lever("incubation", incubation__hub=False, incubation__social_workers=0,
                incubation__filing_instead_of_registration=False, **room)
    on = lever("incubation", incubation__hub=False, incubation__social_workers=0,
               incubation__filing_instead_of_registration=True, **room)
    assert mean(on, "foundings_resident") > mean(off, "foundings_resident")
    assert mean(on, "foundings_incubated") == mean(off, "foundings_incubated") == 0


@pytest.mark.slow
def test_social_workers_serve_more_needs():
    """Social workers raise their groups' service capacity. (Their lower dropout no longer
    shows in the community's memberships once groups start at their settled density: the
    extra foundings they help crowd the niche; tests/test_mechanisms.py pins the dropout rule.)"""
    off = lever("incubation", incubation__hub=False, incubation__filing_instead_of_registration=False,
                incubation__social_workers=0)
    on = lever("incubation", incubation__hub=False, incubation__filing_instead_of_registration=False,
               incubation__social_workers=4)
    assert mean(on, "needs_handled_by_org") > mean(off, "needs_handled_by_org")
    assert mean(on, "spend_incubation") > mean(off, "spend_incubation")


@pytest.mark.slow
def test_hub_incubates_more_groups_when_asked_to():
    few = lever("incubation", incubation__hub_foundings_per_year=2)
    many = lever("incubation", incubation__hub_foundings_per_year=12)
    assert mean(many, "foundings_incubated") > mean(few, "foundings_incubated") > 0


@pytest.mark.slow
def test_more_service_hours_send_more_invitations():
    two = lever("double_registration", party__service_hours_per_month=2)
    eight = lever("double_registration", party__service_hours_per_month=8)
    assert mean(eight, "party_invitations") > 2 * mean(two, "party_invitations")
    assert mean(eight, "participation_year") > mean(two, "participation_year")


@pytest.mark.slow
def test_a_larger_contract_budget_serves_more_needs():
    lean = lever("purchased_services", purchased_services__budget_per_item_yuan=15000)
    rich = lever("purchased_services", purchased_services__budget_per_item_yuan=60000)
    assert mean(rich, "needs_handled_by_org") > mean(lean, "needs_handled_by_org")
    assert mean(rich, "spend_purchased_services") > mean(lean, "spend_purchased_services")


@pytest.mark.slow
def test_office_support_funds_keep_organizations_active():
    none = base(committee__org_support_share=0.0, committee__staff_per_10k=18)
    some = base(committee__org_support_share=0.6, committee__staff_per_10k=18)
    assert mean(some, "org_activities") > mean(none, "org_activities")


@pytest.mark.slow
def test_more_grid_visits_report_needs_and_find_disputes_sooner():
    b = base()
    busy = base(grid__visits_per_worker_day=24)
    assert mean(busy, "grid_visits") > 2 * mean(b, "grid_visits")
    assert mean(busy, "needs_reported_share") > mean(b, "needs_reported_share")
    assert mean(busy, "disputes_detect_days_mean") < mean(b, "disputes_detect_days_mean")


@pytest.mark.slow
def test_satisfaction_linked_payment_withholds_money_and_raises_effort():
    """The property company fails the monthly tests where needs go unmet, loses part of its
    payment and works harder; where the committee has hours to serve needs (duty reduction)
    it passes more tests and keeps more of its money."""
    off = lever("transparency", transparency__satisfaction_linked_payment=False)
    on = lever("transparency", transparency__publish_affairs=False)
    assert mean(off, "property_tests_failed") == 0 and mean(off, "property_payment_withheld_yuan") == 0
    assert mean(on, "property_tests_failed") > 0 and mean(on, "property_payment_withheld_yuan") > 0
    assert mean(on, "property_effort_mean") > 0
    served = lever("duty_reduction", transparency__satisfaction_linked_payment=True)
    assert mean(served, "property_tests_failed") < mean(on, "property_tests_failed")
    assert mean(served, "property_payment_withheld_yuan") < mean(on, "property_payment_withheld_yuan")
