"""Random streams: all randomness flows from one seed, one Generator per kind of decision.

Each process draws from its own stream, spawned from the run's seed by name, so that a lever
that changes how many draws one process makes does not shift the draws of any other: this is
what makes paired comparisons (common random numbers) sharp.
"""

from __future__ import annotations

import zlib

import numpy as np

from .kernels import gap_positions, sfc64_raw

STREAMS = ("network", "population", "need_arrivals", "participation",
           "volunteer_offers", "invitations", "org_activities", "org_foundings", "hub",
           "org_monthly", "contracts", "grants", "party", "grid", "disputes", "deliberation",
           "committee", "tenure", "volunteer_teams")
# Each stream serves one process, and the processes whose draws should line up across paired
# runs draw a fixed number of uniforms a day (one per resident, household or need), whatever
# the levers: need arrivals and each need's luck (its service and its reporting clock) are
# drawn when it arises, participation draws one uniform per resident and act type.


class Streams:
    """Named numpy Generators derived from one seed.

    The bit generator is SFC64: a well-tested fast generator (it passes PractRand and
    BigCrush), which draws float32 uniforms at twice PCG64's speed on the machines we
    measured (``benchmarks/README.md``); the model draws tens of thousands a day."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        for name in STREAMS:
            # the stream's key is a stable hash of its name, never its position in a list
            key = zlib.crc32(name.encode())
            ss = np.random.SeedSequence([self.seed & 0xFFFFFFFF, self.seed >> 32, key])
            setattr(self, name, np.random.Generator(np.random.SFC64(ss)))

    def __getitem__(self, name: str) -> np.random.Generator:
        return getattr(self, name)


def bernoulli_positions(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """Indices of the successes among ``n`` independent trials of chance ``p``, in order.

    The gaps between successes are geometric, so this draws one number per success rather
    than one per trial; the distribution is exactly that of ``flatnonzero(rng.random(n) < p)``.
    """
    if p <= 0.0 or n == 0:
        return np.empty(0, np.int64)
    if p >= 1.0:
        return np.arange(n, dtype=np.int64)
    chunks, end = [], 0
    expected = int(n * p + 4.0 * np.sqrt(n * p) + 8)  # rarely a second round
    while end < n:
        # (the positions in one compiled pass: numpy's cumsum, shift and filter were most of
        # the cost at a day's few dozen needs)
        pos, end = gap_positions(rng.geometric(p, expected), end, n)
        chunks.append(pos)
    return np.concatenate(chunks) if len(chunks) > 1 else chunks[0]


def bernoulli_positions_reference(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """:func:`bernoulli_positions` in numpy: the same draws and positions
    (tests/test_kernels.py)."""
    if p <= 0.0 or n == 0:
        return np.empty(0, np.int64)
    if p >= 1.0:
        return np.arange(n, dtype=np.int64)
    chunks, end = [], 0
    expected = int(n * p + 4.0 * np.sqrt(n * p) + 8)
    while end < n:
        pos = end + np.cumsum(rng.geometric(p, expected)) - 1
        chunks.append(pos)
        end = int(pos[-1]) + 1
    pos = np.concatenate(chunks) if len(chunks) > 1 else chunks[0]
    return pos[pos < n].astype(np.int64)


def raw_uint32(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` 32-bit integers from the stream's raw output, the same numbers and the same
    stream position as ``rng.bit_generator.random_raw((count + 1) // 2).view(np.uint32)[:count]``:
    for an SFC64 stream the compiled :func:`sim.kernels.sfc64_raw` generates them (in about
    two thirds of numpy's time) from the state that numpy reports and takes back."""
    bg = rng.bit_generator
    state = bg.state
    if state["bit_generator"] != "SFC64":
        return bg.random_raw((count + 1) // 2).view(np.uint32)[:count]
    words = np.array(state["state"]["state"], np.uint64)  # a copy: numpy takes it back below
    raw = np.empty((count + 1) // 2, np.uint64)
    sfc64_raw(words, raw)
    state["state"]["state"] = words
    bg.state = state  # the buffered 32-bit half (``has_uint32``) is untouched, as by random_raw
    return raw.view(np.uint32)[:count]


def first_uniforms(rng: np.random.Generator, most: int, use):
    """``use(u)`` on a block of ``most`` uniforms that returns ``(result, n_used)`` having
    used the first ``n_used`` in order: the stream is then left where drawing exactly
    ``n_used`` uniforms one by one leaves it (the block's rest is put back), so that a
    compiled kernel whose number of draws depends on what it finds draws the same numbers
    as the plain rule. Returns ``result``."""
    state = rng.bit_generator.state
    result, used = use(rng.random(most))
    rng.bit_generator.state = state
    rng.random(used)  # one 64-bit output per double: the stream moves on by ``used``
    return result


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
