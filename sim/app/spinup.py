"""The app's models come from the shared spin-up cache (:mod:`sim.spinup`).

A visitor who changes a lever and presses Reset needs no new spin-up: every lever file
shares the settled community of (scenario at baseline levers, seed), which
:class:`sim.model.CoGovModel` takes from the cache when it holds it. This module only names
what the app's session does with it: build a model (:func:`build`) and prepare a spin-up
ahead of a Reset (:func:`warm`). The models are the constructor's own, so what the app
shows equals ``cogov run`` (tests/test_app.py checks it day by day).
"""

from __future__ import annotations

from .. import spinup as _shared
from ..config import with_baseline_levers
from ..model import CoGovModel


def build(scenario, seed: int) -> CoGovModel:
    """``CoGovModel(scenario, rng=seed)``: spun up once per (baseline, seed)."""
    return CoGovModel(scenario, rng=seed)


def warm(scenario, seed: int) -> None:
    """Spin up (scenario at baseline levers, seed) into the cache, if it is not there yet:
    a later :func:`build` of it (a Reset) then only restores it."""
    if _shared.enabled() and not _shared.holds(scenario, seed):
        CoGovModel(with_baseline_levers(scenario), rng=seed, collect=False)


def is_warm(scenario, seed: int) -> bool:
    """Whether a Reset to (scenario, seed) would find its spin-up in the cache."""
    return _shared.holds(scenario, seed)


def clear() -> None:
    """Forget the spin-ups kept in this process (the disk cache stays)."""
    _shared.clear(memory=True, disk=False)
