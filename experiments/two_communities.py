"""Does a street of 2 communities differ from 1 community per adult? doc003 and the baseline
(and doc003 with one lever block set back to the baseline's values) at n_communities 1 and 2,
paired seeds; prints year-N shares at 1 and 2 communities, the paired 2-minus-1 difference and its
standard error over the seeds, in percentage points.

    PYTHONPATH=. python experiments/two_communities.py SEEDS YEARS [label ...]

SEEDS: a count (seeds 1..N) or a range FIRST-LAST.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from sim.config import load_scenario
from sim.model import CoGovModel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed_bands_diagnosis import BASE, BLOCKS  # noqa: E402

SCEN = Path(__file__).resolve().parent.parent / "scenarios"
KEYS = ("participation_year", "core_activist_share", "participation_year_meeting",
        "participation_year_volunteering", "participation_year_organization",
        "participation_year_evaluation")


def run(scenario: str, overrides: dict, seed: int, years: int) -> dict:
    m = CoGovModel(load_scenario(SCEN / f"{scenario}.yaml", {**overrides, "run.days": 365 * years}),
                   rng=seed, collect=False)
    m.run(365 * years)
    s = m.summary()
    return {k: s.get(k) for k in KEYS}


CASES = {"doc003": ("doc003_jiayuguan", {}), "baseline": ("baseline", {})}
CASES.update({f"doc003-{b}": ("doc003_jiayuguan", {k: BASE[k] for k in ks})
              for b, ks in BLOCKS.items() if b != "n_communities"})
# the rule before the hearing rule (a6a59f2): a hearing invites the whole community's representatives
CASES.update({f"{k}@community_hearings": (s, {**o, "deliberation.hearing_representatives": "community"})
              for k, (s, o) in list(CASES.items())})

if __name__ == "__main__":
    a, _, b = sys.argv[1].partition("-")
    seeds, years = (range(int(a), int(b) + 1) if b else range(1, int(a) + 1)), int(sys.argv[2])
    labels = sys.argv[3:] or ["doc003", "baseline"]
    for label in labels:
        scen, ov = CASES[label]
        d = {k: [] for k in KEYS}
        t0 = time.time()
        for s in seeds:
            r1 = run(scen, {**ov, "population.n_communities": 1}, s, years)
            r2 = run(scen, {**ov, "population.n_communities": 2}, s, years)
            for k in KEYS:
                d[k].append((r1[k], r2[k]))
        diffs = np.array([[b - a for a, b in v] for v in d.values()])  # keys x seeds
        se = diffs.std(axis=1, ddof=1) / np.sqrt(diffs.shape[1]) if diffs.shape[1] > 1 else np.full(len(d), np.nan)
        out = {k: (round(100 * np.mean([a for a, _ in v]), 2), round(100 * np.mean([b for _, b in v]), 2),
                   round(100 * np.mean([b - a for a, b in v]), 2), round(100 * float(e), 2))
               for (k, v), e in zip(d.items(), se)}
        print(json.dumps({"label": label, "secs": round(time.time() - t0), **out}), flush=True)
