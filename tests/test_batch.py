"""mesa.batch_run drives sim.study.batch.BatchModel: every summary outcome in the last row, an
integer Step, and each row equal to `cogov run` with the same values and seed."""

from __future__ import annotations

import math

import pytest
from mesa.batchrunner import batch_run

from sim.study.batch import SUMMARY_COLUMNS, BatchModel
from sim.params import Scenario
from sim.study.runner import run_one

DAYS = 70  # past the first grant contest (report day 60)
PARAMS = {"population__residents_per_community": 1500, "run__spin_up_days": 30,
          "run__days": DAYS, "grants__contests_per_year": [0, 2]}


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


@pytest.mark.parametrize("processes", [1, 2])
def test_batch_run_gets_every_summary_outcome_with_integer_steps(processes):
    rows = batch_run(BatchModel, parameters=PARAMS, rng=[3, 4], max_steps=DAYS,
                     number_processes=processes, display_progress=False)
    assert len(rows) == 4  # 2 values x 2 seeds, the last collected row of each
    for row in rows:
        assert type(row["Step"]) is int and row["Step"] == DAYS
        for key in ("disputes_resolved_share", "needs_fulfilled_share", "spend_total",
                    "participation_year", "spend_grants"):
            assert key in row and row[key] is not None, key
        assert set(SUMMARY_COLUMNS) <= set(row)
    # each row is `cogov run` with the same values and seed
    for row in rows:
        sc = Scenario.model_validate({
            "population": {"residents_per_community": PARAMS["population__residents_per_community"]},
            "run": {"spin_up_days": 30, "days": DAYS},
            "grants": {"contests_per_year": row["grants__contests_per_year"]}})
        summary = run_one(sc, row["rng"], record=False).summary
        assert set(summary) <= set(row)
        bad = [k for k in summary if not _same(summary[k], row[k])]
        assert not bad, bad
    # the lever acts: two contests a year spend on grants, none do not
    spend = {(r["grants__contests_per_year"], r["rng"]): r["spend_grants"] for r in rows}
    assert spend[(0, 3)] == 0 and spend[(2, 3)] > 0


def test_every_collected_day_has_an_integer_step_and_summary_only_at_the_end():
    rows = batch_run(BatchModel, parameters={**PARAMS, "grants__contests_per_year": 0,
                                             "run__days": 10},
                     rng=[5], max_steps=10, data_collection_period=1, display_progress=False)
    assert [r["Step"] for r in rows] == list(range(1, 11))
    assert all(type(r["Step"]) is int for r in rows)
    assert all(r["needs_fulfilled_share"] is None for r in rows[:-1])
    assert rows[-1]["needs_fulfilled_share"] is not None
    # the daily columns are the time series of `cogov run`
    ts = run_one(Scenario.model_validate({"population": {"residents_per_community": PARAMS["population__residents_per_community"]},
                                          "run": {"spin_up_days": 30, "days": 10}}), 5).timeseries
    # (the last row carries the summary's value: the same share, summed in another order)
    assert [r["participation_30d"] for r in rows] == pytest.approx(list(ts["participation_30d"]),
                                                                   rel=1e-12)


def test_the_readme_batch_run_example_runs(monkeypatch, capsys):
    """The README's batch_run block, with its sizes cut (2,000 residents -> 400, 365 days ->
    20, a 30-day spin-up added): the rest, names and calls, runs as written."""
    import re
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    blocks = [b for b in re.findall(r"```python\n(.*?)```", (root / "README.md").read_text(), re.S)
              if "batch_run" in b]
    assert len(blocks) == 1
    code = blocks[0]
    for old, new in (("2000", "400"), ("365", "20"),
                     ('"run__days"', '"run__spin_up_days": 30, "run__days"')):
        assert old in code, old
        code = code.replace(old, new)
    monkeypatch.chdir(root)
    exec(compile(code, "README.md", "exec"), {"__name__": "__main__"})
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 6 and all(line.split()[2] == "20" for line in lines)
