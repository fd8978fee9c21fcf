"""The dispute levers' effects, pooled over paired seeds at street scale (ODD 7.9).

    python docs/dispute_levers.py            # print the table (about 5 minutes on one core)
    python docs/dispute_levers.py --write    # and rewrite it in docs/ODD.md between the markers

Each lever is switched on alone on top of the baseline (``--communities`` communities of 5,000
adults, one year after the spin-up, seeds 1..``--seeds``); every seed runs with and without
it (the same disputes arise in both). Shares are pooled over the seeds (cases summed, not
means of per-run shares), with a 95% interval from a paired bootstrap over the seeds.
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.config import load_scenario  # noqa: E402
from sim.model import CoGovModel  # noqa: E402

LEVERS = (("police three days a week (1 before)", ["legal.police_days_per_week=3"]),
          ("lawyer 8 hours a week (0 before)", ["legal.lawyer_hours_per_week=8"]),
          ("same-day mediation commitment", ["legal.same_day_mediation=true"]),
          ("online mediation platform", ["smart.online_mediation=true"]),
          ("lever_legal_mediation (all three legal levers)",
           ["legal.police_days_per_week=3", "legal.lawyer_hours_per_week=8",
            "legal.same_day_mediation=true"]))
SHARES = (("resolved", "resolved", "opened"), ("same day", "same", "opened"),
          ("same day of report", "same_report", "reported"), ("escalated", "escalated", "opened"),
          ("court", "court", "opened"))
BEGIN, END = "<!-- BEGIN DISPUTE LEVERS -->", "<!-- END DISPUTE LEVERS -->"


def counts(sets: list[str], seed: int) -> dict:
    m = CoGovModel(load_scenario(ROOT / "scenarios/baseline.yaml", sets), rng=seed, collect=False)
    m.run()
    every = m.disputes.log + m.disputes.open
    res = [d for d in every if d.resolved]
    rep = [d for d in every if d.detected >= 0]
    return {"opened": len(every), "resolved": len(res), "same": sum(d.closed == d.opened for d in res),
            "reported": len(rep), "same_report": sum(d.resolved and d.closed == d.detected for d in rep),
            "escalated": sum(d.escalated for d in every), "court": sum("court" in d.taken_by for d in every),
            "days": [d.closed - d.opened for d in res]}


def pooled(runs: list[dict], num: str, den: str, rows) -> np.ndarray:
    return np.array([sum(runs[i][num] for i in r) / max(sum(runs[i][den] for i in r), 1) for r in rows])


def table(seeds: int, communities: int) -> str:
    base_sets = [f"population.n_communities={communities}"]
    base = [counts(base_sets, s) for s in range(1, seeds + 1)]
    idx = np.random.default_rng(20261130).integers(0, seeds, (2000, seeds))
    every = [list(range(seeds))]
    lines = [f"`scenarios/baseline.yaml` at {communities} communities of 5,000 adults, 365 days, seeds "
             f"1-{seeds}, {sum(b['opened'] for b in base):,} disputes; command: `python docs/dispute_levers.py`.",
             "", "| lever | " + " | ".join(n for n, _, _ in SHARES) + " | median / mean days |",
             "|---|" + "---|" * (len(SHARES) + 1)]
    cells = [f"{100 * pooled(base, num, den, every)[0]:.1f}%" for _, num, den in SHARES]
    days = np.concatenate([b["days"] for b in base])
    lines.append("| baseline | " + " | ".join(cells) + f" | {np.median(days):.0f} / {days.mean():.1f} |")
    for label, sets in LEVERS:
        alt = [counts(base_sets + sets, s) for s in range(1, seeds + 1)]
        cells = []
        for _, num, den in SHARES:
            d = pooled(alt, num, den, idx) - pooled(base, num, den, idx)
            diff = 100 * (pooled(alt, num, den, every)[0] - pooled(base, num, den, every)[0])
            lo, hi = np.percentile(100 * d, [2.5, 97.5])
            cells.append(f"{diff:+.1f} [{lo:+.1f}, {hi:+.1f}]")
        ad = np.concatenate([a["days"] for a in alt])
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {np.median(ad):.0f} / {ad.mean():.1f} |")
    lines += ["", "Effects in percentage points of the pooled share (of opened disputes; same day of "
              "report: of reported ones) [95% paired-bootstrap interval over seeds]."]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--communities", type=int, default=3)
    ap.add_argument("--write", action="store_true", help="rewrite the block in docs/ODD.md")
    a = ap.parse_args()
    text = table(a.seeds, a.communities)
    print(text)
    if a.write:
        odd = ROOT / "docs/ODD.md"
        s = odd.read_text()
        i, j = s.index(BEGIN) + len(BEGIN), s.index(END)
        odd.write_text(s[:i] + "\n" + text + "\n" + s[j:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
