"""Regenerate "Where the defaults land" (ODD 1.3): the baseline against the patterns of 1.2.

    python docs/gen_patterns.py          # run the baseline and rewrite the table in place
    python docs/gen_patterns.py --check  # exit 1 if the table is stale (nothing written)

Runs ``scenarios/baseline.yaml`` (5,000 adults, 365 days) with seeds 1-10 and writes, for each
pattern, the mean and [min, max] over the seeds between ``<!-- BEGIN PATTERNS -->`` and
``<!-- END PATTERNS -->``. The model is deterministic given the seed, so the table is a
figure reproducible from its config; ``tests/test_docs.py`` checks it is current.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ODD = HERE / "ODD.md"
BEGIN = "<!-- BEGIN PATTERNS -->"
END = "<!-- END PATTERNS -->"
SEEDS = tuple(range(1, 11))  # ten baseline years: escalation is a few cases a year each

if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))


def baseline_summaries() -> list[dict]:
    from sim.config import load_scenario
    from sim.model import CoGovModel

    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    out = []
    for seed in SEEDS:
        model = CoGovModel(scenario, rng=seed, collect=False)
        model.run()
        out.append(model.summary())
    return out


def _stat(rows: list[dict], key: str, pct: bool = True, digits: int = 1) -> str:
    v = np.array([r[key] for r in rows], float) * (100 if pct else 1)
    unit = "%" if pct else ""
    return f"{v.mean():.{digits}f}{unit} [{v.min():.{digits}f}, {v.max():.{digits}f}]"


def _mean(rows: list[dict], key: str, pct: bool = True) -> str:
    v = float(np.mean([r[key] for r in rows])) * (100 if pct else 1)
    return f"{v:.1f}%" if pct else f"{v:.2f}"


def table(rows: list[dict]) -> str:
    """The markdown block: one row per pattern, model against target."""
    lines = [
        f"`scenarios/baseline.yaml`, 5,000 adults, 365 days, seeds {SEEDS[0]}-{SEEDS[-1]} "
        "(mean [min, max]); command: `python docs/gen_patterns.py`.",
        "",
        "| pattern | model | target |",
        "|---|---|---|",
        f"| P1 took part in a meeting, volunteering or a group in the year | "
        f"{_stat(rows, 'participation_year_activities')}; meetings "
        f"{_mean(rows, 'participation_year_meeting')}, volunteering "
        f"{_mean(rows, 'participation_year_volunteering')}, organizations "
        f"{_mean(rows, 'participation_year_organization')}; with evaluations (the headline) "
        f"{_stat(rows, 'participation_year')}, evaluations {_mean(rows, 'participation_year_evaluation')} "
        "| 10-30% |",
        f"| P2 core activists | {_stat(rows, 'core_activist_share')}, of whom "
        f"{_stat(rows, 'core_activists_retired_share', digits=0)} retired | 1-5%, mostly retired |",
        f"| P3 by age 18-29 / 30-49 / 50-59 / 60+ | {_mean(rows, 'participation_year_age_18_29')} / "
        f"{_mean(rows, 'participation_year_age_30_49')} / {_mean(rows, 'participation_year_age_50_59')} / "
        f"{_mean(rows, 'participation_year_age_60_plus')} | rising with age (election turnout "
        "13.8% at 18-29, 55.7% at 50-59, 77.7% at 70-79) |",
        f"| P4 migrants vs locals | {_mean(rows, 'participation_year_migrant')} vs "
        f"{_mean(rows, 'participation_year_local')} | lower |",
        f"| P5 committee hours on duties | {_stat(rows, 'committee_duty_share')} | 67.8-87.8% |",
        f"| P6 mediated per 1,000 a year | {_stat(rows, 'disputes_mediated_per_1000_year', pct=False)} "
        "| 6-11 |",
        f"| P7 mediation success | {_stat(rows, 'mediation_success_share', digits=0)} "
        "| below 95-98%, above ~70% |",
        f"| P8 resolved within 30 days | {_stat(rows, 'disputes_within_30d_share_of_resolved', digits=0)} "
        "| most within a month |",
        f"| P9 escalated to street/departments; to court | {_stat(rows, 'disputes_escalated_share')}; "
        f"court {_stat(rows, 'disputes_court_share')} | a few percent; ≈1% to court |",
        "",
        f"Concentration: the top 10% of residents do {_mean(rows, 'top10_share_of_acts')} of all "
        f"acts (Gini {_mean(rows, 'gini_of_acts', pct=False)}).",
    ]
    return "\n".join(lines)


def current_block(text: str) -> str:
    return text[text.index(BEGIN) + len(BEGIN):text.index(END)].strip("\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if stale, write nothing")
    args = ap.parse_args(argv)
    text = ODD.read_text(encoding="utf-8")
    new = table(baseline_summaries())
    if args.check:
        stale = current_block(text) != new
        print(f"{ODD}: patterns table is {'stale' if stale else 'current'}")
        return 1 if stale else 0
    if current_block(text) == new:
        print(f"{ODD}: patterns table already current; nothing written")
        return 0
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    tmp = ODD.with_suffix(".md.tmp")
    tmp.write_text(text[:start] + "\n" + new + "\n" + text[end:], encoding="utf-8")
    tmp.replace(ODD)
    print(f"{ODD}: patterns table rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
