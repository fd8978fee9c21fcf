"""Dispute cohorts year by year (ODD 7.9): is year 1 the same as year 5?

    python docs/dispute_cohorts.py                       # baseline, legal mediation, smart; 20 seeds
    python docs/dispute_cohorts.py --seeds 5 --files baseline

Each file runs ``--years`` years at ``--adults`` adults on seeds 1..``--seeds`` (the lever
files paired with the baseline on seeds). Each year's cohort is counted as a report ending
that year would count it: the disputes opened in the year at least
``disputes.cohort_horizon_days`` before its end, each followed that long. Prints the pooled
resolved share by year, the baseline's last year minus its first, and each lever's effect by
year, with 95% paired-bootstrap intervals over the seeds.
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.config import load_scenario  # noqa: E402
from sim.model import CoGovModel  # noqa: E402
from sim.processes.disputes import cohort_counts  # noqa: E402


def yearly_cohorts(name: str, seeds, years: int, adults: int) -> pd.DataFrame:
    rows = []
    for seed in seeds:
        sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml",
                           {"population.residents_per_community": adults, "run.days": 365 * years})
        m = CoGovModel(sc, rng=seed, collect=False)
        h = m.p.disputes.cohort_horizon_days
        for y in range(1, years + 1):
            m.run(365)
            c = cohort_counts(m.disputes.cohort(365 * (y - 1), 365 * y - 1 - h), h)
            rows.append({"name": name, "seed": seed, "year": y, "n": c["disputes_cohort"],
                         "resolved": c["disputes_cohort_resolved"]})
    return pd.DataFrame(rows)


def _boot(rng, n1, r1, n0, r0) -> tuple[float, float, float]:
    """Pooled share of side 1 minus side 0, paired by row, with a 95% bootstrap interval."""
    idx = rng.integers(0, len(n1), (2000, len(n1)))
    b = r1[idx].sum(1) / n1[idx].sum(1) - r0[idx].sum(1) / n0[idx].sum(1)
    lo, hi = np.percentile(b, [2.5, 97.5])
    return r1.sum() / n1.sum() - r0.sum() / n0.sum(), lo, hi


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", default="baseline,lever_legal_mediation,lever_smart")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--adults", type=int, default=5000)
    a = ap.parse_args()
    seeds = range(1, a.seeds + 1)
    df = pd.concat([yearly_cohorts(n, seeds, a.years, a.adults) for n in a.files.split(",")])
    g = df.groupby(["name", "year"])[["n", "resolved"]].sum()
    print("resolved within the horizon, pooled over seeds (%):")
    print((100 * g["resolved"] / g["n"]).unstack(0).round(1).to_string())
    rng = np.random.default_rng(20261207)
    base = df[df["name"] == "baseline"].pivot(index="seed", columns="year")
    if not base.empty:
        d, lo, hi = _boot(rng, base["n"][a.years].to_numpy(), base["resolved"][a.years].to_numpy(),
                          base["n"][1].to_numpy(), base["resolved"][1].to_numpy())
        print(f"baseline year {a.years} - year 1: {100 * d:+.1f} pp [{100 * lo:+.1f}, {100 * hi:+.1f}]")
        for lever in [n for n in a.files.split(",") if n != "baseline"]:
            lv = df[df["name"] == lever].pivot(index="seed", columns="year")
            for y in range(1, a.years + 1):
                d, lo, hi = _boot(rng, lv["n"][y].to_numpy(), lv["resolved"][y].to_numpy(),
                                  base["n"][y].to_numpy(), base["resolved"][y].to_numpy())
                print(f"{lever} year {y}: {100 * d:+.1f} pp [{100 * lo:+.1f}, {100 * hi:+.1f}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
