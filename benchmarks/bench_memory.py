"""Memory of one run against its population: the numbers behind the size preflight
(:mod:`sim.study.preflight`).

    python benchmarks/bench_memory.py [--sizes 2000,10000,50000] [--days 365]

Each size runs in a fresh interpreter (the baseline scenario, one community of N adults,
the default spin-up, then ``--days`` reported days with the daily record kept, as ``cogov
run`` does) and reports the peak resident set size (``ru_maxrss``) and the resident set
after the imports, before the model is built. The difference over N is the memory a
resident costs; the preflight's formula is fitted to these numbers.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time
from sim.config import load_scenario
from sim.model import CoGovModel
n, communities, days = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
sc = load_scenario(sys.argv[4], [f"population.residents_per_community={n // communities}",
                                 f"population.n_communities={communities}", f"run.days={days}"])
def rss():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmRSS"))
base = rss()
t0 = time.perf_counter()
m = CoGovModel(sc, rng=1)
m.run()
m.timeseries(); m.summary()
print(json.dumps({"residents": n, "communities": communities, "base": base,
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "seconds": time.perf_counter() - t0}))
"""


def measure(n: int, communities: int, days: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(n), str(communities), str(days),
                          str(ROOT / "scenarios" / "baseline.yaml")],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2000,10000,50000")
    ap.add_argument("--communities", type=int, default=1)
    ap.add_argument("--days", type=int, default=365)
    a = ap.parse_args()
    print(f"{'residents':>10} {'communities':>11} {'base MB':>8} {'peak MB':>8} "
          f"{'bytes/resident':>14} {'seconds':>8}")
    for n in (int(x) for x in a.sizes.split(",")):
        r = measure(n, a.communities, a.days)
        per = (r["peak"] - r["base"]) / n
        print(f"{n:>10,} {r['communities']:>11} {r['base'] / 2**20:>8.0f} {r['peak'] / 2**20:>8.0f} "
              f"{per:>14,.0f} {r['seconds']:>8.1f}")


if __name__ == "__main__":
    main()
