"""Scale rules (sim/scale.py, ODD 7.15): every per-community quantity either follows the
community's households or is declared one per committee, and the model applies the rule.
Each mechanism is checked on paired communities of different sizes at the same seed."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import small

from sim import scale
from sim.model import CoGovModel
from sim.params import iter_parameters


def build(n: int, seed: int = 1, **sections) -> CoGovModel:
    sections.setdefault("population", {})
    sections["population"] = {**sections["population"], "residents_per_community": n}
    return CoGovModel(small(**sections), rng=seed)


def test_every_per_community_parameter_declares_its_scale_rule():
    """A parameter stated per community (its unit says so) declares how it scales, and a
    declared rule is one of the two the model knows."""
    missing, bad = [], []
    for path, field, _ in iter_parameters():
        extra = field.json_schema_extra or {}
        rule = extra.get("per_community")
        if "community" in extra.get("unit", "") and rule is None:
            missing.append(path)
        if rule is not None and not (rule == "households" or rule.startswith("fixed: ")):
            bad.append(path)
    assert not missing, f"per-community units without a scale rule: {missing}"
    assert not bad


def test_the_reference_community_has_a_household_factor_of_one():
    m = build(5000)
    assert m.household_factor[0] == pytest.approx(1.0, abs=0.04)
    big = build(15000)
    assert big.household_factor[0] / m.household_factor[0] == pytest.approx(3.0, rel=0.03)
    counted = scale.households_per_community(big.pop)
    assert counted[0] == np.unique(big.pop.household).size


def test_counts_round_and_keep_a_positive_lever_acting():
    assert scale.scaled_count(30, 1.0) == 30
    assert scale.scaled_count(30, 3.0) == 90
    assert scale.scaled_count(2, 0.2) == 1  # a lever that acts at the reference size still acts
    assert scale.scaled_count(0, 5.0) == 0


def test_representatives_and_evaluators_follow_the_households():
    small_c, big_c = build(2000), build(10000)
    ratio = big_c.household_factor[0] / small_c.household_factor[0]
    k_small, k_big = small_c.representatives[0].size, big_c.representatives[0].size
    assert k_big / k_small == pytest.approx(ratio, rel=0.1)
    assert k_small == max(small_c.scaled_count(30, 0), small_c.scaled_count(40, 0))


def test_duty_hours_follow_the_rule_and_the_share_setting():
    """An item's hours: (1 - share) + share x households / reference; with share 0 every
    committee carries the reference load, with share 1 it is proportional to households."""
    for share in (0.0, 0.5, 1.0):
        a = build(2000, committee={"duty_household_share": share})
        b = build(10000, committee={"duty_household_share": share})
        ha = a.committees[0].duty_hours(0) - a.p.committee.plaques * a.p.committee.hours_per_plaque
        hb = b.committees[0].duty_hours(0) - b.p.committee.plaques * b.p.committee.hours_per_plaque
        fa, fb = a.household_factor[0], b.household_factor[0]
        assert hb / ha == pytest.approx(((1 - share) + share * fb) / ((1 - share) + share * fa), rel=1e-9)


def test_the_departments_and_the_street_serve_in_proportion_to_households():
    a, b = build(2000), build(10000)
    ratio = b.household_factor.sum() / a.household_factor.sum()
    da = a.process("disputes")._accruals()["street"][0]
    db = b.process("disputes")._accruals()["street"][0]
    assert db[0] / da[0] == pytest.approx(ratio, rel=1e-9)


def test_a_contract_is_sized_to_its_community():
    """Purchased services: the same items cost and serve in proportion to households."""
    spent = {}
    for n in (2000, 8000):
        m = build(n, purchased_services={"items": 2}, run={"days": 5})
        m.run()
        spent[n] = (m.process("costs").spend["purchased_services"], m.household_factor[0])
    (s2, f2), (s8, f8) = spent[2000], spent[8000]
    assert s2 > 0 and s8 / s2 == pytest.approx(f8 / f2, rel=1e-9)


def test_seats_scale_so_a_large_community_is_not_turned_away():
    """With seats fixed at the reference size, a community three times larger would turn away
    two thirds of those who come; scaled, the seats follow the households."""
    m = build(15000)
    assert m.scaled_count(m.p.deliberation.seats, 0) == pytest.approx(80 * m.household_factor[0], abs=1)
