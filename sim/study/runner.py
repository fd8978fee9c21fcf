"""Running one replication: the single way every command (run, compare, sweep) runs a model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..model import CoGovModel
from ..params import Scenario


@dataclass
class RunResult:
    summary: dict
    timeseries: pd.DataFrame | None
    #: time to resolution of the disputes opened in the report (Kaplan-Meier, ODD 7.9)
    dispute_survival: pd.DataFrame | None = None


def run_one(scenario: Scenario, seed: int, days: int | None = None,
            record: bool = True, record_every: int | None = None) -> RunResult:
    """Build the model from a resolved scenario and a seed, run it, return its outcomes."""
    if days is not None or record_every is not None:
        data = scenario.model_dump()
        if days is not None:
            data["run"]["days"] = int(days)
        if record_every is not None:
            data["run"]["record_every"] = int(record_every)
        scenario = Scenario.model_validate(data)
    model = CoGovModel(scenario, rng=int(seed), collect=record)
    model.run()
    ts = model.timeseries() if record else None
    return RunResult(model.summary(), ts, model.disputes.survival() if record else None)


def write_run(scenario: Scenario, seed: int, out: Path, manifest: dict, *, force: bool,
              csv: bool = False) -> tuple[RunResult, list[str]]:
    """Run once and write ``timeseries.parquet``, ``summary.json`` and ``manifest.json`` into
    ``out`` (built beside it and renamed into place); returns the result and the files."""
    from .results import ResultsDir, write_json_atomic, write_parquet_atomic
    with ResultsDir(out, overwrite=force) as tmp:
        result = run_one(scenario, seed)
        write_parquet_atomic(tmp / "timeseries.parquet", result.timeseries, csv=csv)
        write_json_atomic(tmp / "summary.json", result.summary)
        # time to resolution of the run's disputes, a Kaplan-Meier table (ODD 7.9)
        result.dispute_survival.to_csv(tmp / "dispute_survival.csv", index=False)
        write_json_atomic(tmp / "manifest.json", manifest)
    files = ["timeseries.parquet", *(["timeseries.csv"] if csv else []), "summary.json",
             "dispute_survival.csv", "manifest.json"]
    return result, files
