"""cogov calibrate end to end (a quick setting), resume, and bad files."""

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.study.calibrate import Calibration, load, loss
from sim.cli import main
from sim.config import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parent.parent
QUICK = {
    "name": "quick",
    "scenario": str(ROOT / "scenarios" / "baseline.yaml"),
    "set": {"population.residents_per_community": 400, "run.spin_up_days": 0},
    "years": 1, "replications": 1, "check_replications": 2, "trials": 3, "batch": 3, "seed": 3,
    "targets": [{"outcome": "participation_year", "band": [0.1, 0.3], "source": "T"},
                {"outcome": "committee_duty_share", "band": [0.678, 0.878], "weight": 2, "source": "T"}],
    "parameters": [{"key": "behaviour.base_logit_evaluation"},
                   {"key": "committee.hours_per_duty_item", "low": 0.1, "high": 0.2}],
}


def _write(tmp_path, data) -> Path:
    p = tmp_path / "cal.yaml"
    p.write_text(yaml.safe_dump(data), encoding="utf-8")
    return p


def test_loss_is_zero_at_the_central_values_and_grows_outside_the_bands():
    cal = Calibration.model_validate(QUICK)
    assert loss({"participation_year": 0.2, "committee_duty_share": 0.778}, cal.targets) == pytest.approx(0)
    inside = loss({"participation_year": 0.29, "committee_duty_share": 0.778}, cal.targets)
    outside = loss({"participation_year": 0.35, "committee_duty_share": 0.778}, cal.targets)
    further = loss({"participation_year": 0.45, "committee_duty_share": 0.778}, cal.targets)
    assert 0 < inside < 0.1 < 1 < outside < further


def test_calibrate_runs_end_to_end_and_resumes(tmp_path):
    path = _write(tmp_path, QUICK)
    out = tmp_path / "out"
    assert main(["calibrate", str(path), "--out", str(out)]) == 0
    best = json.loads((out / "best.json").read_text())
    assert set(best["parameters"]) == {"behaviour.base_logit_evaluation", "committee.hours_per_duty_item"}
    lo, hi = -6.0, -3.5  # the declared plausible range of the first
    assert lo <= best["parameters"]["behaviour.base_logit_evaluation"] <= hi
    assert 0.1 <= best["parameters"]["committee.hours_per_duty_item"] <= 0.2
    fit = pd.read_csv(out / "fit.csv")
    assert list(fit["outcome"]) == ["participation_year", "committee_duty_share"]
    assert (fit["n"] == 2).all() and (fit["ci_low"] <= fit["mean"]).all()
    # the best parameters as a scenario that cogov runs
    sc = load_scenario(out / "best.yaml")
    assert sc.committee.hours_per_duty_item == pytest.approx(best["parameters"]["committee.hours_per_duty_item"])
    assert (out / "calibration.png").stat().st_size > 10_000
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["trials_completed"] == 3 and manifest["command_line"].startswith("cogov calibrate")
    # the same folder again: refused without --resume; with it the study goes on
    assert main(["calibrate", str(path), "--out", str(out)]) == 2
    assert main(["calibrate", str(path), "--out", str(out), "--resume", "--trials", "5"]) == 0
    trials = pd.read_csv(out / "trials.csv")
    assert (trials["state"] == "COMPLETE").sum() == 5
    # the first three trials are those of the first run (not re-run with new values)
    assert json.loads((out / "manifest.json").read_text())["trials_completed"] == 5


@pytest.mark.parametrize("change, words", [
    ({"parameters": [{"key": "committee.staff_per_10k"}]}, "only uncertainties"),
    ({"parameters": [{"key": "behaviour.no_such"}]}, "unknown parameter"),
    ({"targets": [{"outcome": "happiness", "band": [0, 1], "source": "x"}]}, "unknown summary outcome"),
    ({"targets": [{"outcome": "participation_year", "band": [0.3, 0.1], "source": "x"}]}, "low < high"),
    ({"trials": 0}, "trials"),
    ({"surprise": 1}, "surprise"),
])
def test_bad_calibration_files_get_a_message(tmp_path, change, words):
    path = _write(tmp_path, {**QUICK, **change})
    with pytest.raises(ScenarioError, match=words):
        load(path)


def test_the_shipped_calibration_file_is_valid():
    cal, scenario = load(ROOT / "experiments" / "calibration.yaml")
    assert scenario == ROOT / "scenarios" / "baseline.yaml"
    assert len(cal.targets) >= 8 and all(t.source for t in cal.targets)
