"""Study speed: `cogov compare` of the baseline and every lever file, before and after the
spin-up cache, measured side by side in one run.

    python benchmarks/bench_study.py [--before REF] [--reps 10] [--residents 5000]
                                     [--workers 2] [--write]

Three timings of the same command (baseline plus every ``scenarios/lever_*.yaml``,
``--reps`` replications, 365 days, ``--residents`` adults, ``--workers`` processes):

- **before**: the code at git ``REF`` (default: the parent of the commit that brought the
  cache), checked out into a temporary worktree; every run spins up its own five years;
- **cold**: this checkout with an empty spin-up cache (one spin-up per seed, the lever files
  fork from it);
- **warm**: this checkout again, the cache holding every seed's spin-up.

Before the timings each code base runs a tiny model once, so numba's compiled kernels are
loaded from its cache and not compiled inside a timing. ``--write`` replaces the "Study
speed" block of benchmarks/README.md with the table, the date and the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_model import machine  # noqa: E402 (the same machine line as the model benchmark)
DEFAULT_BEFORE = "6e8fe65"  # main before the spin-up cache (2026-12-07)


def compare_command(code: Path, reps: int, residents: int, workers: int, out: Path) -> list[str]:
    levers = sorted(str(p) for p in (ROOT / "scenarios").glob("lever_*.yaml"))
    return [sys.executable, "-m", "sim", "compare", str(ROOT / "scenarios" / "baseline.yaml"),
            *levers, "--reps", str(reps), "--days", "365", "--workers", str(workers),
            "--set", f"population.residents_per_community={residents}", "--no-figures",
            "-q", "--out", str(out), "--force"]


def timed(cmd: list[str], code: Path, env: dict) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=code, env={**env, "PYTHONPATH": str(code)}, check=True)
    return time.perf_counter() - t0


def warm_kernels(code: Path, env: dict) -> None:
    subprocess.run([sys.executable, "-c", "from sim.model import warm_up; warm_up()"], cwd=code,
                   env={**env, "PYTHONPATH": str(code), "COGOV_NO_CACHE": "1"}, check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", default=DEFAULT_BEFORE, help="git ref of the code before the cache")
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--residents", type=int, default=5000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--write", action="store_true", help="write the table into benchmarks/README.md")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="cogov-bench-study-"))
    before = work / "before"
    cache = work / "cache"
    env = {k: v for k, v in os.environ.items() if k not in ("COGOV_NO_CACHE",)}
    env["COGOV_CACHE_DIR"] = str(cache)
    try:
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(before), args.before],
                       cwd=ROOT, check=True)
        for code in (before, ROOT):
            warm_kernels(code, env)
        rows = []
        t_before = timed(compare_command(before, args.reps, args.residents, args.workers,
                                         work / "out_before"), before, env)
        rows.append(("before (every run spins up)", t_before))
        shutil.rmtree(cache, ignore_errors=True)
        t_cold = timed(compare_command(ROOT, args.reps, args.residents, args.workers,
                                       work / "out_cold"), ROOT, env)
        rows.append(("cold cache (one spin-up per seed)", t_cold))
        t_warm = timed(compare_command(ROOT, args.reps, args.residents, args.workers,
                                       work / "out_warm"), ROOT, env)
        rows.append(("warm cache", t_warm))
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT,
                       check=False, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)

    n_files = 1 + len(list((ROOT / "scenarios").glob("lever_*.yaml")))
    lines = [f"`cogov compare` of {n_files} files x {args.reps} reps, 365 days, "
             f"{args.residents:,} adults, {args.workers} workers "
             f"(`python benchmarks/bench_study.py --before {args.before}`):", "",
             "| code | seconds | speed-up |", "|---|---|---|"]
    for name, sec in rows:
        lines.append(f"| {name} | {sec:.1f} | {t_before / sec:.1f}x |")
    lines += ["", f"Measured {dt.date.today().isoformat()} on {machine()}."]
    table = "\n".join(lines)
    print(table)
    if args.write:
        readme = ROOT / "benchmarks" / "README.md"
        text = readme.read_text()
        block = f"<!-- study-speed -->\n{table}\n<!-- /study-speed -->"
        if "<!-- study-speed -->" in text:
            text = re.sub(r"<!-- study-speed -->.*?<!-- /study-speed -->", lambda _: block, text,
                          flags=re.S)
        else:
            text += f"\n## Study speed\n\n{block}\n"
        readme.write_text(text)


if __name__ == "__main__":
    main()
