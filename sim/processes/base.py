"""What every process of the day is: a small class in the manner of Starsim's diseases and
interventions (one class with its parameters, its state, its step, the outcomes it records
and the money it spends).

The model builds one object of each class in ``sim.model.DAY_ORDER`` and, each day, calls
their :meth:`Process.step` in that order, then every :meth:`Process.end_day`. At day 0 it
calls :meth:`Process.start_reporting`; when the scenario's levers replace the baseline's,
:meth:`Process.policy_started`. The running costs of the levers are the sum of every
process's :meth:`Process.daily_costs` (booked by ``sim.processes.costs.Costs``).
"""

from __future__ import annotations


class Process:
    """One process of the day.

    Class attributes (declarations, read by tests and the docs):

    - ``name``: the short name the model files the process under (``model.process(name)``);
    - ``sections``: the parameter sections (``Scenario`` fields) whose rules live here;
    - ``records``: the keys of ``model.today`` (``sim.outcomes.COUNTER_KEYS``) it counts;
    - ``hands_to``: the processes it hands work to by calling their methods (which count
      their own outcomes then: needs collected into a public issue raise it in deliberation).
    """

    name: str = ""
    sections: tuple[str, ...] = ()
    records: tuple[str, ...] = ()
    hands_to: tuple[str, ...] = ()
    state: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    caches: tuple[str, ...] = ()

    @classmethod
    def declared_state(cls) -> tuple[str, ...]:
        """Every attribute an object of this process holds: ``model``, its ``state``, its
        ``outputs`` and its ``caches`` (a snapshot saves all of them; tests check that a
        process holds exactly these)."""
        return ("model",) + cls.state + cls.outputs + cls.caches

    def __init__(self, model):
        self.model = model

    def step(self) -> None:
        """Today's work of the process."""
        raise NotImplementedError

    def end_day(self) -> None:
        """After every process has stepped: close the day (nothing by default)."""

    def start_reporting(self) -> None:
        """Day 0: the totals this process keeps for the report start from zero."""

    def policy_started(self, old, new) -> None:
        """The scenario's levers (``new``) replace the baseline's (``old``): recompute what
        was computed from a lever (ODD 7.14)."""

    def results(self) -> dict:
        """The outcomes this process computes from its own state at the end of a run (the
        model's summary merges every process's, :func:`sim.outcomes.summary`)."""
        return {}

    def daily_outcomes(self) -> dict:
        """Today's values of the daily outcomes this process computes from its own state (the
        daily row merges them, :func:`sim.outcomes.daily`; the keys are declared in
        ``sim.outcomes.TIMESERIES_COLUMNS``)."""
        return {}

    def daily_costs(self) -> dict[str, float]:
        """Running costs a day, by lever (``sim.catalog.SPEND_LINES``), of this process's
        levers under the current parameters."""
        return {}

    def costs_today(self) -> dict[str, float]:
        """Costs of today by lever that change during the run (booked every day after the
        fixed :meth:`daily_costs`)."""
        return {}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} process {self.name!r}>"
