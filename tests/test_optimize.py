"""cogov optimize: a small search end to end (Pareto set non-dominated and within budget,
portfolio files that run, figures that fit), resume, replay and the file's errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import cli
from sim.study import optimize as opt

ROOT = Path(__file__).resolve().parent.parent
BASELINE = str(ROOT / "scenarios" / "baseline.yaml")

SMALL = {
    "name": "tiny", "scenario": BASELINE,
    "set": {"run.spin_up_days": 20, "population.residents_per_community": 400},
    "days": 90, "budget_yuan": 300_000,
    "levers": {"grants.contests_per_year": {"low": 0, "high": 3},
               "purchased_services.items": {"low": 0, "high": 8},
               "legal.lawyer_hours_per_week": {"low": 0, "high": 20},
               "smart.digital_ordering": {"choices": [False, True]}},
    "objectives": {"participation_year": "maximize", "trust_mean": "maximize",
                   "spend_total": "minimize"},
    "uncertainties": {"samples": 2, "parameters": ["behaviour.w_social"],
                      "community_sizes": [400, 500]},
    "trials": 6, "batch": 3, "seed": 2,
}


def main(argv):
    return cli.main(argv)


def write(tmp: Path, **over) -> Path:
    path = tmp / "opt.yaml"
    path.write_text(yaml.safe_dump({**SMALL, **over}))
    return path


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("opt")
    out = tmp / "out"
    assert main(["optimize", str(write(tmp)), "--out", str(out), "--workers", "2", "-q"]) == 0
    return tmp, out


@pytest.mark.slow
def test_pareto_set_is_non_dominated_and_within_budget(searched):
    tmp, out = searched
    trials = pd.read_parquet(out / "trials.parquet")
    pareto = pd.read_parquet(out / "pareto.parquet")
    assert len(trials) == SMALL["trials"]
    assert not pareto.empty
    # within budget: the extra spend a year of every portfolio is at most the budget
    assert (pareto["extra_spend_yuan"] <= SMALL["budget_yuan"] + 1e-6).all()
    assert trials.loc[trials["pareto"], "feasible"].all()
    # non-dominated among the feasible candidates
    feas = trials[trials["feasible"]]
    sign = {"participation_year": 1, "trust_mean": 1, "spend_total": -1}
    for _, p in trials[trials["pareto"]].iterrows():
        for _, q in feas.iterrows():
            ge = all(sign[o] * q[o] >= sign[o] * p[o] for o in sign)
            gt = any(sign[o] * q[o] > sign[o] * p[o] for o in sign)
            assert not (ge and gt), (p["trial"], q["trial"])
    # intervals around the means; robustness columns present and regret never negative
    for o in sign:
        assert (pareto[f"{o}_ci_low"] <= pareto[f"{o}_mean"] + 1e-12).all()
        assert (pareto[f"{o}_mean"] <= pareto[f"{o}_ci_high"] + 1e-12).all()
        assert (pareto[f"{o}_regret_max"] >= -1e-12).all()
        assert pareto[f"{o}_worst_decile"].notna().all()
    # common random numbers: every candidate ran on the same samples and seeds
    samples = pd.read_parquet(out / "samples.parquet")
    assert list(samples["seed"]) == [2, 3]
    assert list(samples["population.residents_per_community"]) == [400, 500]
    for f in ("pareto_coordinates", "tradeoffs"):
        assert {(out / f"{f}.{x}").exists() for x in ("png", "svg", "pdf")} == {True}


@pytest.mark.slow
def test_portfolio_files_run(searched, tmp_path):
    _, out = searched
    files = sorted((out / "portfolios").glob("P*.yaml"))
    assert len(files) == len(pd.read_parquet(out / "pareto.parquet"))
    first = yaml.safe_load(files[0].read_text())
    assert "extends" in first and first["population"]["residents_per_community"] == 400
    run_out = tmp_path / "run"
    assert main(["run", str(files[0]), "--days", "5", "--out", str(run_out), "-q"]) == 0
    summary = json.loads((run_out / "summary.json").read_text())
    pareto = pd.read_parquet(out / "pareto.parquet").iloc[0]
    manifest = json.loads((run_out / "manifest.json").read_text())
    assert manifest["scenario"]["grants"]["contests_per_year"] == pareto["grants.contests_per_year"]
    assert summary["residents"] == 400


@pytest.mark.slow
def test_resume_and_replay(searched, tmp_path, capsys):
    tmp, out = searched
    # resuming a finished search with more trials adds only the new candidates
    before = pd.read_parquet(out / "trials.parquet")
    cfg = write(tmp_path)
    import shutil
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    assert main(["optimize", str(cfg), "--out", str(copy), "--resume", "--trials", "8", "-q"]) == 0
    after = pd.read_parquet(copy / "trials.parquet")
    assert len(after) == 8
    pd.testing.assert_frame_equal(after.iloc[:6][before.columns.drop("pareto")],
                                  before[before.columns.drop("pareto")])
    # the replay repeats the search from the manifest and finds the same data files
    capsys.readouterr()
    assert main(["replay", str(out), "--workers", "2", "-q"]) == 0
    assert "identical" in capsys.readouterr().out


def test_resume_refuses_other_settings(searched, tmp_path, capsys):
    import shutil
    _, out = searched
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    other = write(tmp_path, budget_yuan=100_000)
    assert main(["optimize", str(other), "--out", str(copy), "--resume"]) == 2
    assert "other settings" in capsys.readouterr().err


def test_pareto_mask():
    v = np.array([[1.0, 5.0], [2.0, 4.0], [1.0, 4.0], [3.0, 1.0]])
    assert opt.pareto_mask(v, ["maximize", "maximize"]).tolist() == [True, True, False, True]
    assert opt.pareto_mask(v, ["minimize", "minimize"]).tolist() == [False, False, True, True]
    assert opt.pareto_mask(v, ["maximize", "minimize"]).tolist() == [False, False, False, True]


@pytest.mark.parametrize("over, message", [
    ({"levers": {"behaviour.w_social": {"low": 1, "high": 2}}}, "only levers are searched"),
    ({"levers": {"smart.digital_ordering": {"low": 0, "high": 1}}}, "give choices"),
    ({"levers": {"grants.contests_per_year": {"low": 3, "high": 1}}}, "low < high"),
    ({"objectives": {"participation": "maximize"}}, "not a summary outcome"),
    ({"objectives": {"participation_year": "most"}}, "objectives.participation_year"),
    ({"uncertainties": {"parameters": ["grants.contests_per_year"]}}, "only uncertainties"),
    ({"budget_yuan": 0}, "budget_yuan"),
    ({"colour": "blue"}, "colour"),
])
def test_file_mistakes_are_one_line_errors(tmp_path, capsys, over, message):
    rc = main(["optimize", str(write(tmp_path, **over)), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert rc == 2 and message in err and err.count("\n") == 1, err
    assert not (tmp_path / "o").exists()


def test_an_existing_out_needs_resume(tmp_path, capsys):
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "x").write_text("x")
    assert main(["optimize", str(write(tmp_path)), "--out", str(tmp_path / "o")]) == 2
    assert "--resume" in capsys.readouterr().err


def test_samples_are_a_latin_hypercube_over_the_plausible_range():
    from sim.config import load_scenario
    from sim.params import plausible_range
    cfg = opt.Optimize.model_validate({**SMALL, "uncertainties": {
        "samples": 10, "parameters": ["behaviour.w_social", "behaviour.w_fatigue"]},
        "seeds_per_sample": 2})
    s = opt.draw_samples(cfg, load_scenario(BASELINE))
    assert len(s) == 20 and s["seed"].is_unique
    for key in ("behaviour.w_social", "behaviour.w_fatigue"):
        lo, hi = plausible_range(key)
        v = s.drop_duplicates("sample")[key].to_numpy()
        assert ((v >= lo) & (v <= hi)).all()
        # one value in each tenth of the range
        assert sorted(np.floor((v - lo) / (hi - lo) * 10).astype(int)) == list(range(10))
    # the same file gives the same samples (common random numbers across candidates and runs)
    pd.testing.assert_frame_equal(s, opt.draw_samples(cfg, load_scenario(BASELINE)))
