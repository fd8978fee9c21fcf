"""One-slot caches for what is fixed for a run and cheap to derive again.

Some values the simulated day needs are derived from objects that do not change during a
run (the behaviour parameters, the household factors, the residents' buildings): a
:class:`LastSeen` keeps the value for the last objects it was given, compared by identity,
and derives it again when they differ (another run, another model). The objects and the
value are held as one tuple, read and replaced whole, so models run in threads never mix
two runs' values. Such a value is not model state: a restored model derives it again.
"""

from __future__ import annotations

from typing import Callable


class LastSeen:
    """``build(*keys)`` for the last ``keys`` (compared by identity)."""

    __slots__ = ("_build", "_held")

    def __init__(self, build: Callable):
        self._build = build
        self._held: tuple | None = None

    def __call__(self, *keys):
        held = self._held
        if held is not None and len(held[0]) == len(keys):
            for a, b in zip(held[0], keys):
                if a is not b:
                    break
            else:
                return held[1]
        value = self._build(*keys)
        self._held = (keys, value)
        return value
