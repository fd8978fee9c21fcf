"""The dispute levers' effects, pooled over paired seeds at street scale (ODD 7.9).

    python docs/dispute_levers.py            # print the table (about 5 minutes on one core)
    python docs/dispute_levers.py --write    # and rewrite it in docs/ODD.md between the markers

Each lever is switched on alone on top of the baseline (``--communities`` communities of 5,000
adults, one year after the spin-up, seeds 1..``--seeds``); every seed runs with and without
it (the same disputes arise in both). Shares are pooled over the seeds (cases summed, not
means of per-run shares), with a 95% interval from a paired bootstrap over the seeds; each
run's shares are those of its cohort (the disputes opened at least
``disputes.cohort_horizon_days`` before its last day, each followed that long: ODD 7.9).
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.catalog import POOLED_SHARES  # noqa: E402
from sim.config import load_scenario  # noqa: E402
from sim.model import CoGovModel  # noqa: E402
from sim.study.compare import pooled_share_effect  # noqa: E402

LEVERS = (("police three days a week (1 before)", ["legal.police_days_per_week=3"]),
          ("lawyer 8 hours a week (0 before)", ["legal.lawyer_hours_per_week=8"]),
          ("same-day mediation commitment", ["legal.same_day_mediation=true"]),
          ("online mediation platform", ["smart.online_mediation=true"]),
          ("lever_legal_mediation (all three legal levers)",
           ["legal.police_days_per_week=3", "legal.lawyer_hours_per_week=8",
            "legal.same_day_mediation=true"]))
# (column, pooled share of sim.catalog.POOLED_SHARES)
SHARES = (("resolved", "disputes_resolved_share_pooled"), ("same day", "disputes_same_day_share_pooled"),
          ("same day of report", "disputes_same_day_of_report_share_pooled"),
          ("escalated", "disputes_escalated_share_pooled"), ("court", "disputes_court_share_pooled"))
BEGIN, END = "<!-- BEGIN DISPUTE LEVERS -->", "<!-- END DISPUTE LEVERS -->"
H = load_scenario(ROOT / "scenarios/baseline.yaml").disputes.cohort_horizon_days


def counts(sets: list[str], seed: int) -> tuple[dict, list[int]]:
    """A run's summary (its dispute counts) and the days each resolved dispute took."""
    m = CoGovModel(load_scenario(ROOT / "scenarios/baseline.yaml", sets), rng=seed, collect=False)
    m.run()
    return m.summary(), [d.closed - d.opened for d in m.disputes.log if d.resolved]


def table(seeds: int, communities: int) -> str:
    base_sets = [f"population.n_communities={communities}"]
    base, base_days = zip(*(counts(base_sets, s) for s in range(1, seeds + 1)))
    b = pd.DataFrame(base)
    lines = [f"`scenarios/baseline.yaml` at {communities} communities of 5,000 adults, 365 days, seeds "
             f"1-{seeds}, {int(b['disputes_cohort'].sum()):,} disputes in the cohorts (opened on days "
             f"0-{int(b['days'].iloc[0]) - 1 - H}, each followed {H} days); command: "
             f"`python docs/dispute_levers.py{'' if seeds == 10 else f' --seeds {seeds}'}`.",
             "", "| lever | " + " | ".join(n for n, _ in SHARES) + " | median / mean days |",
             "|---|" + "---|" * (len(SHARES) + 1)]
    cells = [f"{100 * pooled_share_effect(b, b, *POOLED_SHARES[k])['base_mean']:.1f}%" for _, k in SHARES]
    days = np.concatenate(base_days)
    lines.append("| baseline | " + " | ".join(cells) + f" | {np.median(days):.0f} / {days.mean():.1f} |")
    for label, sets in LEVERS:
        alt, alt_days = zip(*(counts(base_sets + sets, s) for s in range(1, seeds + 1)))
        a = pd.DataFrame(alt)
        cells = []
        for _, k in SHARES:
            e = pooled_share_effect(b, a, *POOLED_SHARES[k])
            cells.append(f"{100 * e['diff']:+.1f} [{100 * e['ci_low']:+.1f}, {100 * e['ci_high']:+.1f}]")
        ad = np.concatenate(alt_days)
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {np.median(ad):.0f} / {ad.mean():.1f} |")
    lines += ["", "Effects in percentage points of the pooled share (of the cohort's disputes; same day of "
              "report: of its reported ones) [95% paired-bootstrap interval over seeds; "
              "`sim.study.compare.pooled_share_effect`, as in `cogov compare`]."]
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
