"""Random streams: all randomness flows from one seed, one Generator per kind of decision.

Each process draws from its own stream, spawned from the run's seed by name, so that a lever
that changes how many draws one process makes does not shift the draws of any other: this is
what makes paired comparisons (common random numbers) sharp.
"""

from __future__ import annotations

import zlib

import numpy as np

STREAMS = ("network", "population", "need_arrivals", "need_reporting", "participation",
           "volunteer_offers", "invitations", "org_activities", "org_foundings", "hub",
           "org_monthly", "contracts", "grants", "party", "grid", "disputes", "deliberation",
           "committee")
# Each stream serves one process, and the processes whose draws should line up across paired
# runs draw a fixed number of uniforms a day (one per resident, household or need), whatever
# the levers: need arrivals and the luck of each need's service are drawn when it arises,
# reporting draws one uniform per resident, participation one per resident and act type.


class Streams:
    """Named numpy Generators derived from one seed."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        for name in STREAMS:
            # the stream's key is a stable hash of its name, never its position in a list
            key = zlib.crc32(name.encode())
            ss = np.random.SeedSequence([self.seed & 0xFFFFFFFF, self.seed >> 32, key])
            setattr(self, name, np.random.Generator(np.random.PCG64(ss)))

    def __getitem__(self, name: str) -> np.random.Generator:
        return getattr(self, name)


def seed_from_rng(rng) -> int:
    """Turn Mesa's ``rng`` argument (int, None, Generator, SeedSequence) into an int seed."""
    if rng is None:
        return int(np.random.SeedSequence().entropy % (2**63))
    if isinstance(rng, (int, np.integer)):
        return int(rng)
    if isinstance(rng, np.random.SeedSequence):
        return int(rng.generate_state(2, dtype=np.uint32).view(np.uint64)[0] % (2**63))
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63 - 1))
    raise TypeError(f"rng must be an int, None, SeedSequence or Generator, got {type(rng).__name__}")
