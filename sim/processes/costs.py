"""The running costs of the levers (ODD 7.13).

Every process declares what its levers cost a day (:meth:`Process.daily_costs`, fixed for
a run under one set of parameters, and :meth:`Process.costs_today` for what changes during
the run); this process books them into its ``spend`` (yuan by lever since day 0) at the
day's end. The money events
(monthly office support, grants, contracts) book their own amounts when they happen.
"""

from __future__ import annotations

from collections import Counter

from ..catalog import SPEND_LINES
from .base import Process


_NO_COSTS_TODAY = Process.costs_today


class Costs(Process):
    """Step 15: book a day of every running cost (yearly costs / 365)."""

    name = "costs"
    state = ("spend",)
    caches = ("_fixed",)

    def __init__(self, model):
        super().__init__(model)
        self.spend = Counter({k: 0.0 for k in SPEND_LINES})  # yuan by lever since day 0
        self._fixed = None  # [(lever, yuan a day)], the parameters do not change during a run

    def daily_outcomes(self) -> dict:
        """Spend since day 0, all levers."""
        return {"spend_total": float(sum(self.spend.values()))}

    def book(self, lever: str, yuan: float) -> None:
        """A money event (a grant, a contract, a month's office support) books its amount."""
        self.spend[lever] += yuan

    def fixed_daily_costs(self) -> dict[str, float]:
        """The processes' fixed running costs a day, summed by lever."""
        total: dict[str, float] = {}
        for process in self.model.processes:
            for lever, yuan in process.daily_costs().items():
                total[lever] = total.get(lever, 0.0) + yuan
        return total

    def step(self) -> None:
        if self._fixed is None:
            self._fixed = [(k, v) for k, v in self.fixed_daily_costs().items() if v]
        spend = self.spend
        for k, v in self._fixed:
            spend[k] += v
        # only the processes whose costs change (two of sixteen): a call and an empty dict
        # for each of the rest were a third of this step
        for process in self.model.processes:
            if type(process).costs_today is not _NO_COSTS_TODAY:
                for k, v in process.costs_today().items():
                    spend[k] += v

    def start_reporting(self) -> None:
        self.spend = Counter({k: 0.0 for k in SPEND_LINES})

    def results(self) -> dict:
        out = {f"spend_{k}": float(v) for k, v in self.spend.items()}
        out["spend_total"] = float(sum(self.spend.values()))
        return out

    def policy_started(self, old, new) -> None:
        self._fixed = None
