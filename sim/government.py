"""Government units: the street office and functional departments.

They push duties down (inspections), fund the community, run grant contests, buy services,
and answer escalated needs and disputes with a capacity and a delay.
"""

from __future__ import annotations

import mesa
import numpy as np


class StreetOffice(mesa.Agent):
    """The street office (街道) shared by the run's communities."""

    def __init__(self, model):
        super().__init__(model)
        self.escalations_received = 0
        self.whistles_blown = 0  # 街道吹哨: departments called in for an escalated case

    def inspections_today(self, rng: np.random.Generator, n_communities: int) -> np.ndarray:
        """Inspections and evaluations arriving at each committee today."""
        rate = self.model.p.committee.inspections_per_month / 30.0
        return rng.poisson(rate, n_communities)


class FunctionalDepartment(mesa.Agent):
    """A functional department (职能部门): serves needs the committee refers to it.

    Escalated disputes go to the street channel (:mod:`sim.disputes`) and passed collective
    proposals to the departments' execution slots (:mod:`sim.deliberation`).

    Capacity is shared by all communities of the run (per community per day times the
    number of communities); a case waits in a queue when the capacity is used up.
    """

    def __init__(self, model, name: str):
        super().__init__(model)
        self.name = name
        self.cases_taken = 0

    def capacity_today(self, per_community: float, n_communities: int) -> int:
        # fractional capacity accumulates as credit so that 0.5/day means one case every 2 days
        self._credit = getattr(self, "_credit", 0.0) + per_community * n_communities
        whole = int(self._credit)
        self._credit -= whole
        return whole
