"""CoGovModel for ``mesa.batch_run``: every summary outcome in the last row, integer steps.

``mesa.batch_run`` builds one row per collected step from the model's DataCollector (model
reporters only; Mesa 3.5, ``mesa/batchrunner.py``), and labels it with the step the
collector recorded. :class:`CoGovModel`'s collector holds the daily columns only, and Mesa
records ``model.time``, a float. :class:`BatchModel` adds every outcome of
``model.summary()`` (sim/catalog.py, ``where`` "summary" or "both") as a model reporter
filled at the end of the run, and records ``model.steps`` (an int):

    from mesa.batchrunner import batch_run
    from sim.study.batch import BatchModel

    rows = batch_run(BatchModel, parameters={"grants__contests_per_year": [0, 2],
                                             "population__residents_per_community": 2000,
                                             "run__days": 365},
                     rng=[1, 2, 3], max_steps=365, number_processes=2)

Parameters are key paths with ``__`` for the dot (``run__days``); ``rng`` is the seed of
each replication, so a row equals ``cogov run --seed S`` with the same values. The summary
columns are filled on the run's last day (``run.days``): give ``max_steps`` at least
``run.days`` (a run cut short by ``max_steps`` has them as None). With
``data_collection_period=-1`` (the default) batch_run returns that last row; with 1 every
collected day, the summary columns None before the last. The last row is the run's
``summary.json``: a name that is both a daily column and a summary outcome holds the
summary's value there (for a count such as ``org_activities`` or ``grid_visits``, the run's
total instead of the day's).
"""

from __future__ import annotations

from functools import partial

from .. import catalog, outcomes
from ..model import CoGovModel

SUMMARY_COLUMNS = tuple(name for name, o in catalog.OUTCOMES.items() if o.where in ("summary", "both"))


def _pending(key: str, model) -> None:
    """Model reporter of a summary column before the end of the run (filled then)."""
    return None


class StepCollector(outcomes.DailyCollector):
    """The daily collector, recording Mesa's integer step count instead of its float time."""

    def collect(self, model):
        super().collect(model)
        if hasattr(self, "_collection_steps") and self._collection_steps:
            self._collection_steps[-1] = int(model.steps)


class BatchModel(CoGovModel):
    """:class:`CoGovModel` whose DataCollector also reports every summary outcome at the end
    (for ``mesa.batch_run``; see the module's docstring)."""

    def __init__(self, scenario=None, rng=None, **params):
        super().__init__(scenario, rng=rng, collect=True, **params)
        # the spin-up ran and reporting started: nothing has been collected yet
        reporters = {k: partial(outcomes.read_today, k) for k in outcomes.TIMESERIES_COLUMNS}
        reporters.update({k: partial(_pending, k) for k in SUMMARY_COLUMNS if k not in reporters})
        self.datacollector = StepCollector(model_reporters=reporters)

    def step(self) -> None:
        super().step()
        if not self.running and self.clock >= self.day0:
            # the last reported day was collected inside the day; the summary reads the
            # state after it, as `cogov run` does
            final = self.summary()
            for key, values in self.datacollector.model_vars.items():
                if key in final and values:
                    values[-1] = final[key]
