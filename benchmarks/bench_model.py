"""Model speed: simulated seconds for a year, against a floor kernel on the same network.

    python benchmarks/bench_model.py [--repeat 3] [--write]

Cases: a 10,000-resident community and a 100,000-resident street (10 communities of
10,000), each for 365 days, with disputes and deliberation on (the baseline defaults); and
the 10,000-resident community with every lever of the five-governance package on
(scenarios/five_governance.yaml: grants, purchased services, the hub, lawyer, police three
days a week, online mediation, monthly meetings, ...), the heaviest day the model has.
The floor kernel does, per day, what no implementation of the model's rules can avoid: one
sparse neighbour sum over the network, ten elementwise passes and one random draw per
resident. The model's time is printed as a multiple of that floor. ``--write`` replaces the
"Model speed" block of benchmarks/README.md with the table, the date and the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import time
from pathlib import Path

import numpy as np

from sim import spinup
from sim.model import CoGovModel

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
CASES = {"community 10,000 x 365 d": (1, 10_000, None),
         "community 10,000, all levers on (five_governance) x 365 d": (1, 10_000, "five_governance.yaml"),
         "street 100,000 (10 communities) x 365 d": (10, 10_000, None)}
DAYS = 365


def floor_kernel(adj, days: int, seed: int = 0) -> float:
    n = adj.shape[0]
    rng = np.random.default_rng(seed)
    x = rng.random(n).astype(np.float32)
    a = np.zeros(n)
    deg = np.maximum(np.asarray(adj.sum(axis=1)).ravel(), 1.0)
    t0 = time.perf_counter()
    for _ in range(days):
        s = (adj @ x) / deg                      # one sparse neighbour sum
        u = rng.random(n, dtype=np.float32)      # one random draw per resident
        for k in range(10):                      # ten elementwise passes
            a = a * 0.9 + s if k % 2 == 0 else np.minimum(a, 1.0)
        x = (u < a * 0.01).astype(np.float32)
    return time.perf_counter() - t0


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}"


def run(repeat: int) -> list[dict]:
    """Each case timed with the spin-up cache off: the model's own speed (a fork from the
    cache is benchmarks/bench_study.py's subject)."""
    with spinup.disabled():
        return _run(repeat)


def _run(repeat: int) -> list[dict]:
    rows = []
    for name, (n_c, per, scenario) in CASES.items():
        sim_times, setup_times, spin_times, floors = [], [], [], []
        for r in range(repeat):
            kw = {"population.n_communities": n_c, "population.residents_per_community": per,
                  "run.days": DAYS}
            src = SCENARIOS / scenario if scenario else None
            # building alone (no spin-up), then the same model with the default spin-up: the
            # difference is the spin-up (simulated, not reported)
            t0 = time.perf_counter()
            CoGovModel(src, rng=r + 1, **kw, **{"run.spin_up_days": 0})
            setup_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            m = CoGovModel(src, rng=r + 1, **kw)
            spin_times.append(time.perf_counter() - t0 - setup_times[-1])
            t0 = time.perf_counter()
            m.run()
            sim_times.append(time.perf_counter() - t0)
            floors.append(floor_kernel(m.adj, DAYS, seed=r))
        sim_t, floor_t = min(sim_times), min(floors)
        rows.append({"case": name, "residents": n_c * per, "setup_s": min(setup_times),
                     "spin_up_s": min(spin_times), "spin_up_days": m.day0,
                     "simulate_s": sim_t, "floor_s": floor_t, "multiple": sim_t / floor_t})
        print(f"{name:58s} setup {min(setup_times):6.2f} s   spin-up {min(spin_times):6.2f} s   "
              f"simulate {sim_t:6.2f} s   floor {floor_t:5.2f} s   x{sim_t / floor_t:4.1f}", flush=True)
    return rows


def write(rows: list[dict], repeat: int) -> None:
    path = Path(__file__).with_name("README.md")
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    table = ["| case | setup (s) | spin-up (s) | simulate 365 d (s) | floor kernel (s) | model / floor |",
             "|---|---|---|---|---|---|"]
    table += [f"| {r['case']} | {r['setup_s']:.2f} | {r['spin_up_s']:.2f} ({r['spin_up_days']:,} d) | "
              f"{r['simulate_s']:.2f} | {r['floor_s']:.2f} | {r['multiple']:.1f}x |" for r in rows]
    block = "\n".join([
        "<!-- BEGIN MODEL SPEED -->",
        f"Measured {dt.date.today().isoformat()} on {machine()}; best of {repeat} runs, seeds 1..{repeat},",
        "baseline defaults (disputes and deliberation on) unless the case says otherwise. "
        "Command: `.venv/bin/python benchmarks/bench_model.py --write`.",
        "", *table, "<!-- END MODEL SPEED -->"])
    if "<!-- BEGIN MODEL SPEED -->" in text:
        text = re.sub(r"<!-- BEGIN MODEL SPEED -->.*?<!-- END MODEL SPEED -->", block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n## Model speed\n\n" + block + "\n"
    path.write_text(text)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--write", action="store_true", help="record the table in benchmarks/README.md")
    args = ap.parse_args()
    rows = run(args.repeat)
    if args.write:
        write(rows, args.repeat)
