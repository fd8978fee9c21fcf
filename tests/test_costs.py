"""Every cost counted (ODD 7.13): each lever's cost line on paired runs, contracts booked once
a contract year, and the duty list's funding settled from the start."""

from __future__ import annotations

import pytest
from conftest import small

from sim.model import CoGovModel


def _spend_by_year(scenario, years: int, seed: int = 1, model_out: list | None = None) -> list[dict]:
    m = CoGovModel(scenario, rng=seed, collect=False)
    if model_out is not None:
        model_out.append(m)
    out, before = [], {}
    for _ in range(years):
        m.run(365)
        now = {k: v for k, v in m.summary().items() if k.startswith("spend_")}
        out.append({k: v - before.get(k, 0.0) for k, v in now.items()})
        before = now
    return out


@pytest.mark.slow
def test_contracts_are_booked_once_a_contract_year():
    """The policy's first year books one year of contracts, as the second does (they were
    booked at the policy start and again on day 364: twice in year 1)."""
    sc = small(purchased_services={"items": 3}, run={"days": 730})
    built: list = []
    y1, y2 = _spend_by_year(sc, 2, model_out=built)
    # each community's contracts are sized to its households (ODD 7.15)
    per_year = 3 * sc.purchased_services.budget_per_item_yuan * float(built[0].household_factor.sum())
    assert y1["spend_purchased_services"] == pytest.approx(per_year)
    assert y2["spend_purchased_services"] == pytest.approx(y1["spend_purchased_services"])


@pytest.mark.slow
def test_duty_list_funding_does_not_grow_with_the_years():
    """Items admitted under the list are funded for funded_item_years: the line is the same
    every year (it once grew from 124,000 to 1.67 million yuan over ten years)."""
    sc = small(committee={"duty_list_cap": True}, run={"days": 730})
    built: list = []
    y1, y2 = _spend_by_year(sc, 2, model_out=built)
    c = sc.committee
    # an item's work, and so its funding, follows the households in part (ODD 7.15)
    work = sum(k.duty_work_factor() for k in built[0].committees)
    assert y1["spend_duty_list_funding"] == pytest.approx(
        c.duty_rebound_per_year * c.funded_item_years * c.funded_item_cost_yuan * work)
    assert y2["spend_duty_list_funding"] == pytest.approx(y1["spend_duty_list_funding"])
    free = _spend_by_year(small(run={"days": 365}), 1)[0]
    assert free["spend_duty_list_funding"] == 0


def _summary(**sections) -> dict:
    m = CoGovModel(small(**sections), rng=3, collect=False)
    m.run()
    return m.summary()


def test_deliberation_meetings_cost_their_sessions_and_staff_hours():
    """Monthly meetings cost more than two a year (venue, materials, facilitation per session
    and the committee's hours, valued); no meetings and no staff time: nothing."""
    staffed = {"staff_per_10k": 60.0}
    none = _summary(committee=staffed, deliberation={"meetings_per_year": 0})
    two = _summary(committee=staffed)
    monthly = _summary(committee=staffed, deliberation={"meetings_per_year": 12})
    assert none["spend_deliberation"] == 0
    assert 0 < two["spend_deliberation"] < monthly["spend_deliberation"]
    assert monthly["meetings"] > two["meetings"]
    # the cash part: a session held books meeting_cost_yuan (the rest is the valued hours)
    m = CoGovModel(small(committee=dict(staffed, staff_cost_yuan_per_year=0.0),
                         deliberation={"meetings_per_year": 12}), rng=3, collect=False)
    m.run()
    free = m.summary()
    # a session's cash follows the community's households (ODD 7.15)
    per_session = small().deliberation.meeting_cost_yuan * float(m.household_factor[0])
    assert free["spend_deliberation"] == pytest.approx(free["meetings"] * per_session)


def test_double_registration_values_the_members_service_hours():
    """Registered in-service members' hours are valued at party.service_hour_value_yuan: none
    registered, or a value of zero (the service as unpaid duty), books nothing."""
    none = _summary(party={"double_registration_share": 0.0})
    base = _summary()
    most = _summary(party={"double_registration_share": 0.8})
    unpaid = _summary(party={"double_registration_share": 0.8, "service_hour_value_yuan": 0.0})
    assert none["spend_party_service"] == 0 and unpaid["spend_party_service"] == 0
    assert 0 < base["spend_party_service"] < most["spend_party_service"]
    # the other lines do not move with the value put on the hours
    for k in most:
        if k.startswith("spend_") and k not in ("spend_party_service", "spend_total"):
            assert most[k] == unpaid[k], k
