"""Fixed-seed regression baseline: every scenario file must reproduce its stored outcomes.

tests/data/regression_all.json holds, on seed 7, for every file in scenarios/ (baseline,
documents, five-governance, each lever file) run at 1,000 residents per community with a
60-day spin-up and 60 reported days, and for the baseline and five-governance files at
2,000 residents after the default spin-up and a full year (between them every process
acts, docs/ODD.md 1.5): the whole summary (ints exact, floats to 1e-12 relative) and a hash
of each time-series column. A change that moves any outcome fails here; if the change is
intended, regenerate and commit the store with a note on why:

    python tests/data/gen_regression.py
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

DATA = Path(__file__).with_name("data")
_spec = importlib.util.spec_from_file_location("gen_regression", DATA / "gen_regression.py")
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

STORED = json.loads(gen.STORE.read_text())["cases"]
REGENERATE = "regenerate with `python tests/data/gen_regression.py` if intended"


def test_every_scenario_file_is_pinned():
    """A new scenario file (or a removed one) needs the store regenerated."""
    assert set(gen.cases()) == set(STORED), (
        f"cases not stored: {sorted(set(gen.cases()) - set(STORED))}; stored cases without a "
        f"file: {sorted(set(STORED) - set(gen.cases()))}; {REGENERATE}")


@pytest.mark.parametrize("case", sorted(STORED))
def test_case_is_reproduced(case):
    if case not in gen.cases():
        pytest.fail(f"{case}: its scenario file is gone; {REGENERATE}")
    stored, now = STORED[case], gen.compute(case)
    old, new = stored["summary"], now["summary"]
    assert set(new) == set(old), (
        f"{case}: outcome keys changed: added {sorted(set(new) - set(old))}, "
        f"removed {sorted(set(old) - set(new))}; {REGENERATE}")
    moved = [f"{key}: {old[key]!r} -> {new[key]!r}" for key in sorted(old)
             if not gen.same_number(old[key], new[key])]
    assert not moved, (f"{case}: the summary moved ({REGENERATE}):\n" + "\n".join(moved[:40]))
    assert now["timeseries_rows"] == stored["timeseries_rows"], case
    assert set(now["timeseries"]) == set(stored["timeseries"]), (
        f"{case}: time-series columns changed: added "
        f"{sorted(set(now['timeseries']) - set(stored['timeseries']))}, removed "
        f"{sorted(set(stored['timeseries']) - set(now['timeseries']))}; {REGENERATE}")
    columns = [c for c in sorted(stored["timeseries"])
               if now["timeseries"][c] != stored["timeseries"][c]]
    assert not columns, f"{case}: time-series columns moved ({REGENERATE}): {columns}"


def test_comparison_is_strict():
    """The comparison the cases rely on: ints exact, floats to 1e-12, NaN only equals NaN."""
    assert gen.same_number(3, 3) and not gen.same_number(3, 4)
    assert not gen.same_number(3, 3.0)
    assert gen.same_number(0.1, 0.1 * (1 + 1e-13))
    assert not gen.same_number(0.1, 0.1 * (1 + 1e-10))
    assert gen.same_number(float("nan"), float("nan"))
    assert not gen.same_number(float("nan"), 0.0)
    assert gen.column_hash([1, 2, 3]) == gen.column_hash([1.0, 2.0, 3.0])
    assert gen.column_hash([1.0, 2.0, 3.0]) != gen.column_hash([1.0, 2.0, 3.0000000001])
