"""Sweep throughput: runs per minute of `cogov sweep` (plan, dispatch, Parquet parts, merge)
for 2,000-resident 365-day runs, with 1 and 2 workers, local and Dask executors.

    .venv/bin/python benchmarks/bench_sweep.py [--runs 40] [--no-write]

Writes the numbers, date and machine into the "Sweep throughput" section of
benchmarks/README.md (other sections are left as they are). Wall time includes starting
the worker processes (and the Dask LocalCluster), as a user of `cogov sweep` sees it.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.study.sweep import plan, run  # noqa: E402

CONFIGS = [("local", 1), ("local", 2), ("dask", 1), ("dask", 2)]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def measure(executor: str, workers: int, runs: int, tmp: Path) -> float:
    exp = {"name": f"bench_{executor}{workers}", "scenario": str(ROOT / "scenarios/baseline.yaml"),
           "set": {"population.residents_per_community": 2000}, "days": 365,
           "levers": {"grants.contests_per_year": {"values": [0, 2]}},
           "replications": runs // 2, "seed": 1}
    path = tmp / f"{exp['name']}.yaml"
    path.write_text(yaml.safe_dump(exp))
    out = plan(path, tmp / exp["name"])
    t0 = time.perf_counter()
    m = run(out, workers=workers, executor=executor, progress=False)
    wall = time.perf_counter() - t0
    assert m["n_ok"] == runs, m
    return 60.0 * runs / wall


def write_readme(text: str) -> None:
    path = ROOT / "benchmarks" / "README.md"
    old = path.read_text() if path.exists() else "# Benchmarks\n"
    pattern = re.compile(r"^## Sweep throughput\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(old):
        new = pattern.sub(lambda _: text, old)
    else:
        new = old.rstrip("\n") + "\n\n" + text
    path.write_text(new)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=40, help="runs per configuration (even)")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_sweep_"))
    load0 = loadavg()
    rates = {}
    try:
        for executor, workers in CONFIGS:
            rates[(executor, workers)] = r = measure(executor, workers, args.runs, tmp)
            print(f"{executor:<5} {workers} worker(s): {r:6.1f} runs/min", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load1 = loadavg()
    rows = "\n".join(
        f"| {e} | {w} | {rates[(e, w)]:.1f} | {rates[(e, w)] / rates[(e, 1)]:.2f}x |"
        for e, w in CONFIGS)
    text = f"""## Sweep throughput

`{' '.join(['.venv/bin/python', 'benchmarks/bench_sweep.py', *sys.argv[1:]])}` on {date.today().isoformat()}:
{args.runs} runs per configuration of the baseline at 2,000 residents for 365 days, through
`cogov sweep` (design expansion, batching, Parquet parts, final merge). Wall time includes
starting the worker processes and, for Dask, a LocalCluster. Machine: {os.cpu_count()} CPUs
(`nproc` {len(os.sched_getaffinity(0))}), {cpu_model()}; Python {platform.python_version()}.
Load average before/after: {load0} / {load1} (other developers may have been using the
machine while this ran, which lowers the 2-worker numbers).

| executor | workers | runs/minute | speed-up over 1 worker |
|---|---|---|---|
{rows}

"""
    print(text)
    if not args.no_write:
        write_readme(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
