"""Regenerate tests/data/regression_all.json, the fixed-seed regression baseline that
tests/test_regression.py checks:

    python tests/data/gen_regression.py

Two kinds of case, all on seed 7:
- every file in scenarios/ at a short horizon: 1,000 residents per community, a 60-day
  spin-up and 60 reported days (the levers from day 0, as the files say);
- the baseline and five-governance files at 2,000 residents, the default spin-up and a full
  year (between them every process acts, docs/ODD.md 1.5).

Each case stores the whole summary and, per time-series column, a hash of its values.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STORE = Path(__file__).with_name("regression_all.json")
SEED = 7
SHORT = {"population.residents_per_community": 1000, "run.spin_up_days": 60, "run.days": 60}
FULL = {"population.residents_per_community": 2000, "run.days": 365}
FULL_FILES = ("baseline", "five_governance")


def cases() -> dict[str, tuple[str, dict]]:
    """Case name -> (scenario file name, overrides), one short case per scenario file."""
    out = {f"{p.stem}@short": (p.name, SHORT)
           for p in sorted((ROOT / "scenarios").glob("*.yaml"))}
    out.update({f"{stem}@full": (f"{stem}.yaml", FULL) for stem in FULL_FILES})
    return out


def column_hash(values) -> str:
    """The column's values as float64 bytes (so an int column that becomes float with the
    same values keeps its hash; NaN canonical), hashed."""
    import numpy as np

    a = np.asarray(values, dtype=np.float64)
    a = np.where(np.isnan(a), np.nan, a)
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()[:16]


def plain(value):
    """A summary value as JSON holds it (numpy scalars to Python numbers)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int) or (hasattr(value, "dtype") and value.dtype.kind in "iu"):
        return int(value)
    if isinstance(value, float) or (hasattr(value, "dtype") and value.dtype.kind == "f"):
        return float(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    raise TypeError(f"summary value of unexpected type {type(value).__name__}: {value!r}")


def compute(case: str) -> dict:
    """Run one case and return what the store keeps of it."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from sim.config import load_scenario
    from sim.study.runner import run_one

    file, overrides = cases()[case]
    scenario = load_scenario(ROOT / "scenarios" / file, dict(overrides))
    result = run_one(scenario, SEED, record=True)
    ts = result.timeseries
    return {
        "summary": {k: plain(v) for k, v in result.summary.items()},
        "timeseries_rows": int(len(ts)),
        "timeseries": {str(c): column_hash(ts[c].to_numpy()) for c in ts.columns},
    }


def same_number(old, new, rel: float = 1e-12) -> bool:
    """Ints exactly (and of the same kind), floats to ``rel`` relative, NaN equals NaN."""
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new
    if isinstance(old, int) and isinstance(new, int):
        return old == new
    if isinstance(old, float) and isinstance(new, float):
        if math.isnan(old) or math.isnan(new):
            return math.isnan(old) and math.isnan(new)
        return old == new or math.isclose(new, old, rel_tol=rel, abs_tol=0.0)
    return old == new and type(old) is type(new)


def main() -> None:
    os.chdir(ROOT)
    stored = {name: compute(name) for name in cases()}
    tmp = STORE.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"seed": SEED, "cases": stored}, indent=1, sort_keys=True) + "\n")
    tmp.replace(STORE)
    print(f"wrote {STORE.relative_to(ROOT)}: {len(stored)} cases")


if __name__ == "__main__":
    main()
