"""Shared fixtures: small scenarios that run in a fraction of a second."""

import pytest

from sim.params import Scenario

SMALL = {"population": {"residents_per_community": 1500}, "run": {"days": 120}}


def small(**sections) -> Scenario:
    """The baseline at 1,500 residents and 120 days, with section overrides merged in."""
    data = {k: dict(v) for k, v in SMALL.items()}
    for sec, vals in sections.items():
        data.setdefault(sec, {}).update(vals)
    return Scenario.model_validate(data)


@pytest.fixture
def small_scenario():
    return small()
