"""cogov report: figures and tables for sweeps (factorial heatmaps, Sobol, Morris) and
for comparison directories."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import cli
from sim.study.report import report
from sim.study.sweep import plan, run

ROOT = Path(__file__).resolve().parent.parent
BASELINE = str(ROOT / "scenarios" / "baseline.yaml")


def main(argv):
    return cli.main(argv)


def sweep(tmp: Path, **over) -> Path:
    """A small sweep of the baseline, planned and run (a 30-day spin-up: the report's
    plumbing, not the settled model)."""
    exp = {"name": "r", "scenario": BASELINE, "days": 20,
           "set": {"population.residents_per_community": 600, "run.spin_up_days": 30},
           "outcomes": ["participation_year", "trust_mean"], "replications": 1, "seed": 1}
    exp.update(over)
    path = tmp / "exp.yaml"
    path.write_text(yaml.safe_dump(exp))
    out = plan(path, tmp / "sweep")
    run(out, workers=1, progress=False)
    return out


def test_factorial_report_has_bands_and_heatmap(tmp_path, capsys):
    out = sweep(tmp_path, replications=2,
                levers={"committee.pushed_down_duty_items": {"values": [200, 97, 30]},
                        "grants.contests_per_year": {"values": [0, 2]}})
    assert main(["report", str(out)]) == 0
    files = {p.name for p in (out / "report").iterdir()}
    assert {"by_point.csv", "heatmap.png", "vs_committee.pushed_down_duty_items.png",
            "vs_grants.contests_per_year.png", "heatmap_participation_year.csv"} <= files
    by_point = pd.read_csv(out / "report" / "by_point.csv")
    assert len(by_point) == 6 and by_point["n_runs"].eq(2).all()
    grid = pd.read_csv(out / "report" / "heatmap_trust_mean.csv", index_col=0)
    assert grid.shape == (3, 2)
    assert (out / "report" / "heatmap.png").read_bytes()[:4] == b"\x89PNG"


def synthetic(tmp: Path, design: dict, f) -> Path:
    """A planned sweep whose outcome ``participation_year`` is the known function ``f`` of
    three uncertainties (so sensitivity indices can be checked against their true values)."""
    unc = {"behaviour.w_social": {"low": 0.0, "high": 10.0},
           "behaviour.w_trust": {"low": 0.0, "high": 10.0},
           "behaviour.w_fatigue": {"low": 0.0, "high": 20.0}}
    exp = {"name": "known", "scenario": BASELINE, "uncertainties": unc, "design": design,
           "outcomes": ["participation_year"], "replications": 1, "seed": 3}
    path = tmp / "exp.yaml"
    path.write_text(yaml.safe_dump(exp))
    out = plan(path, tmp / "sweep")
    runs = pd.read_parquet(out / "design.parquet")
    runs["participation_year"] = f(*(runs[k].to_numpy(float) for k in unc))
    runs["ok"] = True
    runs.to_parquet(out / "runs.parquet")
    m = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**m, "status": "complete"}))
    return out


def to_pi(x, hi):
    return x / hi * 2 * np.pi - np.pi


def ishigami(a, b, c):
    x1, x2, x3 = to_pi(a, 10), to_pi(b, 10), to_pi(c, 20)
    return np.sin(x1) + 7 * np.sin(x2) ** 2 + 0.1 * x3 ** 4 * np.sin(x1)


@pytest.mark.slow
def test_sobol_indices_of_the_ishigami_function(tmp_path):
    """Known values (Ishigami & Homma 1990): S1 = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244."""
    out = synthetic(tmp_path, {"type": "sobol", "samples": 1024}, ishigami)
    report(out)
    t = pd.read_csv(out / "report" / "sobol.csv").set_index("parameter")
    s1 = t.loc[["behaviour.w_social", "behaviour.w_trust", "behaviour.w_fatigue"], "S1"].to_numpy()
    st = t.loc[["behaviour.w_social", "behaviour.w_trust", "behaviour.w_fatigue"], "ST"].to_numpy()
    assert np.allclose(s1, [0.314, 0.442, 0.0], atol=0.06), s1
    assert np.allclose(st, [0.558, 0.442, 0.244], atol=0.06), st
    assert (out / "report" / "sobol.png").exists()


def test_morris_of_a_linear_function_is_exact(tmp_path):
    """For y = 3a + b + 0c every elementary effect of a parameter is its slope times its range,
    so mu* = 30, 10, 0 and sigma = 0 exactly."""
    out = synthetic(tmp_path, {"type": "morris", "samples": 6, "num_levels": 4},
                    lambda a, b, c: 3 * a + b + 0 * c)
    report(out, fmt="svg")
    t = pd.read_csv(out / "report" / "morris.csv").set_index("parameter")
    assert np.allclose(t.loc["behaviour.w_social", ["mu_star", "sigma"]], [30, 0], atol=1e-6)
    assert np.allclose(t.loc["behaviour.w_trust", ["mu_star", "sigma"]], [10, 0], atol=1e-6)
    assert np.allclose(t.loc["behaviour.w_fatigue", ["mu_star", "sigma"]], [0, 0], atol=1e-6)
    svg = (out / "report" / "morris.svg").read_text()
    assert "mu*" in svg and "sigma" in svg  # the mu*-sigma plot, axes labelled


def test_morris_report_on_model_runs(tmp_path):
    unc = {"behaviour.w_social": {"low": 1.0, "high": 3.0},
           "behaviour.w_trust": {"low": 0.5, "high": 2.0},
           "behaviour.w_fatigue": {"low": 1.0, "high": 4.0}}
    out = sweep(tmp_path, uncertainties=unc, design={"type": "morris", "samples": 4})
    report(out)
    t = pd.read_csv(out / "report" / "morris.csv")
    assert len(t) == 3 * 2
    # w_fatigue moves participation: its mu* is clearly above zero
    row = t[(t["parameter"] == "behaviour.w_fatigue") & (t["outcome"] == "participation_year")]
    assert float(row["mu_star"].iloc[0]) > 0.001
    assert {"morris.png", "vs_behaviour.w_social.png"} <= {p.name for p in (out / "report").iterdir()}


def test_oat_uses_the_proper_reference_and_draws_a_tornado(tmp_path):
    """A factor set 'with' another lever is compared with the base plus that lever, not with
    the bare base; the design gains that reference point."""
    out = sweep(tmp_path, replications=2, common_random_numbers=True, days=365,
                outcomes=["participation_year", "spend_total"],
                levers={"grants.scoring": {"values": ["need"], "with": {"grants.contests_per_year": 2}},
                        "committee.pushed_down_duty_items": {"values": [97]}},
                design={"type": "oat"})
    runs = pd.read_parquet(out / "runs.parquet")
    assert set(runs["label"]) == {"base", "grants.scoring", "committee.pushed_down_duty_items",
                                  "reference"}
    files = report(out, fmt="png", dpi=120)
    names = {p.name for p in files}
    assert {"oat_effects.csv", "tornado_participation_year.png", "tornado_spend_total.png"} <= names
    eff = pd.read_csv(out / "report" / "oat_effects.csv")
    row = eff[(eff["factor"] == "grants.scoring") & (eff["outcome"] == "spend_total")].iloc[0]
    ref = runs[(runs["label"] == "reference")]
    assert row["reference_mean"] == pytest.approx(ref["spend_total"].mean())
    # against the bare base (no contests) the grant money would show as an effect of scoring;
    # against the proper reference (two contests either way) spending barely moves
    base = runs[runs["label"] == "base"]["spend_total"].mean()
    assert abs(row["effect"]) < abs(row["mean"] - base)
    assert "with" in row["reference"]
    duty = eff[(eff["factor"] == "committee.pushed_down_duty_items")].iloc[0]
    assert duty["reference"] == "base"


def test_compare_directory(tmp_path):
    d = tmp_path / "cmp"
    d.mkdir()
    (d / "manifest.json").write_text(json.dumps({"command": "compare"}))
    rng = np.random.default_rng(0)
    rows = [{"scenario": s, "rep": r, "participation_year": 0.2 + 0.05 * i + 0.01 * rng.normal(),
             "trust_mean": 0.5 + 0.01 * rng.normal()}
            for i, s in enumerate(["baseline", "reform"]) for r in range(5)]
    pd.DataFrame(rows).to_parquet(d / "runs.parquet")
    pd.DataFrame({"scenario": ["reform"], "outcome": ["participation_year"],
                  "diff": [0.05]}).to_parquet(d / "effects.parquet")
    files = {p.name for p in report(d)}
    assert {"by_scenario.csv", "scenarios.png", "effects.csv"} <= files
    t = pd.read_csv(d / "report" / "by_scenario.csv")
    row = t[(t["scenario"] == "reform") & (t["outcome"] == "participation_year")].iloc[0]
    assert row["n"] == 5 and row["ci95_low"] < row["mean"] < row["ci95_high"]


def test_report_errors(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "no manifest.json" in capsys.readouterr().err


def test_heatmap_for_a_sampled_two_parameter_design(tmp_path):
    """Not only factorials: an LHS design of two parameters gets a heatmap over 5 x 5
    quantile bins (each bin holds a fifth of the runs)."""
    unc = {"behaviour.w_social": {"low": 1.0, "high": 3.0},
           "behaviour.w_fatigue": {"low": 1.0, "high": 4.0}}
    out = sweep(tmp_path, uncertainties=unc, design={"type": "lhs", "samples": 25})
    report(out)
    files = {p.name for p in (out / "report").iterdir()}
    assert {"heatmap.png", "heatmap_participation_year.csv", "heatmap_trust_mean.csv"} <= files
    grid = pd.read_csv(out / "report" / "heatmap_trust_mean.csv", index_col=0)
    assert grid.shape == (5, 5)
    assert grid.index.name in unc and "-" in grid.index[0]  # bins labelled by their ranges
    runs = pd.read_parquet(out / "runs.parquet")
    assert np.nanmin(grid.to_numpy()) >= runs["trust_mean"].min() - 1e-12
    assert np.nanmax(grid.to_numpy()) <= runs["trust_mean"].max() + 1e-12


def test_no_heatmap_for_one_at_a_time(tmp_path):
    out = sweep(tmp_path, design={"type": "oat"},
                levers={"committee.pushed_down_duty_items": {"values": [97]},
                        "grants.contests_per_year": {"values": [2]}})
    report(out)
    files = {p.name for p in (out / "report").iterdir()}
    assert "heatmap.png" not in files and "vs_grants.contests_per_year.png" in files


@pytest.mark.slow
def test_sobol_second_order(tmp_path):
    unc = {"behaviour.w_social": {"low": 1.0, "high": 3.0},
           "behaviour.w_trust": {"low": 0.5, "high": 2.0},
           "behaviour.w_fatigue": {"low": 1.0, "high": 4.0}}
    out = sweep(tmp_path, uncertainties=unc,
                design={"type": "sobol", "samples": 8, "calc_second_order": True})
    files = {p.name for p in report(out)}
    assert {"sobol.csv", "sobol_s2.csv", "sobol_s2.png"} <= files
    s2 = pd.read_csv(out / "report" / "sobol_s2.csv")
    assert set(s2.columns) >= {"outcome", "parameter_1", "parameter_2", "S2", "S2_conf"}
    assert len(s2) == 2 * 3  # 2 outcomes x 3 pairs
    assert np.isfinite(s2[["S2", "S2_conf"]].to_numpy()).all()
    # without calc_second_order there is no S2 table (test_sobol_report's sweep)


def test_compare_interval_is_compare_paired_ci(tmp_path):
    """The report's per-scenario interval is sim.study.compare.paired_ci (one t-interval in cogov)."""
    from sim.study.compare import paired_ci
    d = tmp_path / "cmp"
    d.mkdir()
    (d / "manifest.json").write_text(json.dumps({"command": "compare"}))
    v = [0.21, 0.25, 0.19, 0.30]
    pd.DataFrame({"scenario": "a", "rep": range(4), "participation_year": v}).to_parquet(d / "runs.parquet")
    report(d, ["participation_year"])
    row = pd.read_csv(d / "report" / "by_scenario.csv").iloc[0]
    assert (row["mean"], row["ci95_low"], row["ci95_high"]) == pytest.approx(paired_ci(np.array(v)))
