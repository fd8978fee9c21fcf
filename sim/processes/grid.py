"""Grid management (网格化管理): grid workers visit households (ODD 7.5).

Each household is visited on a day with chance ``workers_per_grid x visits_per_worker_day /
households_per_grid``; a visit reports the household's needs and disputes today (read by
:mod:`sim.processes.needs` and :mod:`sim.processes.disputes` from this process's output
``visited``)
and nudges its residents' trust by ``visit_trust_gain``. The grids themselves (which
household is in which grid) are the model's (:meth:`CoGovModel.set_grids`).
"""

from __future__ import annotations

import numpy as np

from ..kernels import grid_visits
from .base import Process


class GridVisits(Process):
    """Step 2: today's household visits by the grid workers."""

    name = "grid_visits"
    sections = ("grid",)
    records = ("grid_visits",)
    state = ("visits_total",)
    outputs = ("visited",)

    def __init__(self, model):
        super().__init__(model)
        self.visits_total = 0  # since day 0
        self.visited = np.zeros(model.pop.n, bool)  # residents of today's visited households

    def step(self) -> None:
        m = self.model
        g, pop = m.p.grid, m.pop
        visits_per_household = g.workers_per_grid * g.visits_per_worker_day / g.households_per_grid
        # a fixed number of uniforms (one per household): paired runs see the same households
        u = m.streams.grid.random(pop.n_households, dtype=np.float32)
        # a visit is a small sign the community cares: visited residents' trust rises
        self.visited, n = grid_visits(u, visits_per_household, pop.household, pop.trust,
                                             g.visit_trust_gain)
        self.visits_total += int(n)
        m.today["grid_visits"] = n

    def start_reporting(self) -> None:
        self.visits_total = 0

    def results(self) -> dict:
        return {"grid_visits": self.visits_total}

    def policy_started(self, old, new) -> None:
        if new.grid.households_per_grid != old.grid.households_per_grid:
            self.model.set_grids()  # needs and deliberation regroup in their own policy_started

    def daily_costs(self) -> dict[str, float]:
        m = self.model
        g = m.p.grid
        n_grids = int(m.grids_per_community.sum())
        return {"grid": n_grids * g.workers_per_grid * g.worker_cost_yuan_per_year * (1.0 / 365.0)}
