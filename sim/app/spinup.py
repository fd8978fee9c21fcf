"""Spun-up models kept for the next Reset.

The model spins up ``run.spin_up_days`` with every lever at the baseline before day 0
(docs/ODD.md 7.1), so the state at day 0 depends on the scenario only through its
non-lever parameters (population, behaviour, ...) and the seed: every lever file shares it
until the policy starts (tests/test_dynamics.py checks this). A visitor who changes a lever
and presses Reset therefore needs no new spin-up: :func:`build` keeps the day-0 model of
each (scenario at baseline levers, seed), pickled, and hands out fresh copies, switching them to
the visitor's levers exactly as the constructor would. tests/test_app.py checks that a
model from here is identical, day by day, to ``CoGovModel(scenario, rng=seed)``.
"""

from __future__ import annotations

import json
import pickle
import threading
from collections import OrderedDict

from ..config import with_baseline_levers
from ..model import CoGovModel

KEEP = 4                     # spun-up models kept (pickled: ~4 MB at 5,000 residents)
# pickled, not live: a copy is made in ~20 ms at 5,000 residents, and nothing can change
# the kept state by accident
_cache: OrderedDict[tuple, bytes] = OrderedDict()
_building: dict[tuple, threading.Lock] = {}
_lock = threading.Lock()


class _AtDayZero(CoGovModel):
    """The constructor, stopped before the scenario's levers would start at day 0."""

    def _start_policy(self) -> None:
        pass


def _key(scenario, seed: int) -> tuple:
    base = with_baseline_levers(scenario).model_dump(mode="json")
    return json.dumps(base, sort_keys=True), int(seed)


def warm(scenario, seed: int) -> None:
    """Spin up (scenario at baseline levers, seed) into the kept states, if not there yet:
    a later :func:`build` of it (a Reset) then only copies it."""
    _kept(scenario, seed)


def build(scenario, seed: int) -> CoGovModel:
    """``CoGovModel(scenario, rng=seed)``, spun up once per (baseline, seed)."""
    kept, fresh = _kept(scenario, seed)
    if fresh is None:
        fresh = pickle.loads(kept)
    # (the model just spun up is handed out itself: its state is the kept one, and an
    # unpickled copy would cost ~20 ms more at 5,000 residents)
    # what the constructor does with the scenario's own levers after the spin-up
    fresh.p_policy = scenario
    fresh.p = with_baseline_levers(scenario)
    if scenario.run.policy_start_day == 0:
        fresh._start_policy()
    return fresh


def _kept(scenario, seed: int) -> tuple[bytes, CoGovModel | None]:
    """(the pickled day-0 state, and the live model when it was spun up just now)."""
    key = _key(scenario, seed)
    with _lock:
        gate = _building.setdefault(key, threading.Lock())
    with gate:  # one spin-up per key at a time; other keys go on meanwhile
        with _lock:
            kept = _cache.get(key)
            if kept is not None:
                _cache.move_to_end(key)
        fresh = None
        if kept is None:
            fresh = _AtDayZero(with_baseline_levers(scenario), rng=seed)
            fresh.__class__ = CoGovModel
            kept = pickle.dumps(fresh, protocol=pickle.HIGHEST_PROTOCOL)
            with _lock:
                _cache[key] = kept
                while len(_cache) > KEEP:
                    gone, _ = _cache.popitem(last=False)
                    _building.pop(gone, None)
    return kept, fresh


def clear() -> None:
    with _lock:
        _cache.clear()
