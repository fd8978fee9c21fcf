"""Scale rules: how a per-community quantity follows the community's size (ODD 7.15).

A per-community parameter is stated for the *reference community*, the one the defaults
were calibrated on: 5,000 adults in about 1,923 households (2.6 adults a household). Each
such parameter declares its rule in the schema (``P(..., per_community=...)``):

- ``"households"``: the work or capacity is proportional to the households served
  (a department's needs, a street's dispute desk, a contract's services, the representatives
  and evaluators a residents' group sends). In community ``c`` the value is
  ``value x households_c / REFERENCE_HOUSEHOLDS``.
- ``"fixed: <why>"``: one per committee, whatever its size (a plaque, an inspection, the
  office funds doc003 sets per community). The ODD states its per-adult effect.

Counts (seats, representatives, slots, grants) are rounded to the nearest whole number and
kept at one or more when the stated value is positive, so a lever that acts at the
reference size still acts in a small community.
"""

from __future__ import annotations

import numpy as np

REFERENCE_ADULTS = 5000
REFERENCE_ADULTS_PER_HOUSEHOLD = 2.6
# households of the reference community: 5,000 adults at 2.6 adults a household
REFERENCE_HOUSEHOLDS = REFERENCE_ADULTS / REFERENCE_ADULTS_PER_HOUSEHOLD


def households_per_community(pop) -> np.ndarray:
    """Households in each community (a household never straddles two communities)."""
    first = np.unique(pop.household, return_index=True)[1]
    return np.bincount(pop.community[first], minlength=pop.n_communities).astype(float)


def household_factor(pop) -> np.ndarray:
    """Each community's households against the reference community's."""
    return households_per_community(pop) / REFERENCE_HOUSEHOLDS


def scaled_count(value: float, factor: float) -> int:
    """A whole number of seats, slots or people scaled to a community: rounded, and at least
    one where the stated value is positive."""
    if value <= 0:
        return 0
    return max(1, int(round(value * factor)))
