"""Government units: the street office and functional departments.

They push duties down (inspections), fund the community, run grant contests, buy services,
and answer escalated needs and disputes with a capacity and a delay.
"""

from __future__ import annotations

import mesa
import numpy as np


class StreetOffice(mesa.Agent):
    """The street office (街道) shared by the run's communities: it sends inspections down
    (escalated disputes reach the street channel of :mod:`sim.processes.disputes`)."""

    def inspections_today(self, rng: np.random.Generator, n_communities: int) -> np.ndarray:
        """Inspections and evaluations arriving at each committee today."""
        rate = self.model.p.committee.inspections_per_month / 30.0
        return rng.poisson(rate, n_communities)


class FunctionalDepartment(mesa.Agent):
    """The functional departments (职能部门) as one agent: they serve the needs the committee
    refers to them, with one capacity shared by all communities of the run
    (``needs.department_capacity_per_day`` x communities a day) and one queue, oldest first
    (ODD 7.6 step 4). One agent, because the parameters give no department its own capacity
    or need types; the day's work is done in :func:`sim.kernels.needs_day`.

    ``credit`` is the capacity not yet used as whole needs: fractions carry over, so that
    0.5 a day takes a need every two days (it grows only on days with needs waiting).
    Escalated disputes go to the street channel (:mod:`sim.processes.disputes`) and passed collective
    proposals to the departments' execution slots (:mod:`sim.processes.deliberation`)."""

    def __init__(self, model):
        super().__init__(model)
        self.credit = 0.0
