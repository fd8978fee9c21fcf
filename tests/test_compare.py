"""`cogov compare`: common random numbers, worker-count invariance, files, table, errors."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim.cli
from sim.study.compare import (COST, PARTICIPANTS, paired_ci, paired_effects, rep_seeds, run_pairs,
                         scenario_names)
from sim.config import load_scenario

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"


def main(argv: list[str]) -> int:
    """``cogov ARGV`` in this process."""
    return sim.cli.main(argv)


def write_scenario(folder: Path, name: str, extra: str = "") -> Path:
    """A small scenario extending the real baseline: 1,500 residents, 60 days after a 30-day
    spin-up (compare's plumbing, not the settled model)."""
    path = folder / f"{name}.yaml"
    path.write_text(f"extends: {BASELINE}\n"
                    "population:\n  residents_per_community: 1500\n"
                    "run:\n  days: 60\n  spin_up_days: 30\n" + extra, encoding="utf-8")
    return path


@pytest.fixture
def base_alt(tmp_path):
    base = write_scenario(tmp_path, "small_base")
    alt = write_scenario(tmp_path, "small_alt",
                         "committee:\n  pushed_down_duty_items: 40\n  plaques: 10\n"
                         "  staff_per_10k: 30\n")
    return base, alt


def test_same_scenario_on_both_sides_gives_exactly_zero_differences(base_alt):
    base, _ = base_alt
    sc = load_scenario(base)
    names = scenario_names([str(base), str(base)])
    assert names == ["small_base", "small_base_2"]
    runs, ts, failures = run_pairs(names, [sc, sc], rep_seeds(5, 3), workers=1, progress=False)
    assert not failures
    assert sorted(runs["seed"].unique()) == [5, 6, 7]
    eff = paired_effects(runs, names)
    real = eff[~eff["outcome"].isin([COST, "cost_per_additional_dispute_resolved"])]
    assert len(real) > 100  # every numeric summary key is an outcome
    defined = real.dropna(subset=["diff"])
    assert (defined["diff"] == 0.0).all()
    with_ci = defined[defined["n"] >= 2]  # an interval needs two defined pairs (a pooled share, cases)
    assert len(with_ci) > 100
    assert (with_ci["ci_low"] == 0.0).all() and (with_ci["ci_high"] == 0.0).all()
    # no extra participants: no cost per additional participant
    assert math.isnan(eff.loc[eff["outcome"] == COST, "diff"].item())
    # the replications themselves differ: the zero comes from pairing, not from constant output
    assert runs.loc[runs["scenario"] == "small_base", "participation_year"].nunique() > 1


@pytest.mark.slow
def test_cli_one_and_two_workers_identical_and_writes_everything(base_alt, tmp_path, capsys):
    base, alt = base_alt
    outs = {}
    for w in (1, 2):
        out = tmp_path / f"out_w{w}"
        code = main(["compare", str(base), str(alt), "--reps", "3", "--workers", str(w),
                     "--seed", "11", "--out", str(out)])
        assert code == 0
        outs[w] = out
    printed = capsys.readouterr().out

    # identical results whatever the number of workers
    r1 = pd.read_parquet(outs[1] / "runs.parquet")
    r2 = pd.read_parquet(outs[2] / "runs.parquet")
    pd.testing.assert_frame_equal(r1, r2)
    pd.testing.assert_frame_equal(pd.read_parquet(outs[1] / "timeseries.parquet"),
                                  pd.read_parquet(outs[2] / "timeseries.parquet"))

    out = outs[2]
    for f in ("runs.parquet", "timeseries.parquet", "effects.parquet", "manifest.json",
              "timeseries.png", "effects.png"):
        assert (out / f).is_file(), f
    for png in ("timeseries.png", "effects.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.glob(".out_w*"))  # no temporary directories left behind

    # runs: one row per scenario x rep with every summary key
    assert len(r1) == 6
    assert list(r1[["scenario", "rep", "seed"]].itertuples(index=False, name=None)) == [
        ("small_base", 0, 11), ("small_base", 1, 12), ("small_base", 2, 13),
        ("small_alt", 0, 11), ("small_alt", 1, 12), ("small_alt", 2, 13)]
    for k in ("participation_year", "disputes_resolved_share", "spend_total", "trust_mean",
              PARTICIPANTS):
        assert k in r1.columns
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert list(ts.columns[:3]) == ["scenario", "rep", "day"]
    assert len(ts) == 6 * 60

    eff = pd.read_parquet(out / "effects.parquet")
    assert list(eff.columns) == ["outcome", "base", "scenario", "base_mean", "alt_mean", "diff",
                                 "ci_low", "ci_high", "n", "base_cases", "alt_cases"]
    row = eff.set_index("outcome").loc["participation_year"]
    b = r1.loc[r1["scenario"] == "small_base", "participation_year"].to_numpy()
    a = r1.loc[r1["scenario"] == "small_alt", "participation_year"].to_numpy()
    assert row["diff"] == pytest.approx((a - b).mean())
    assert row["ci_low"] <= row["diff"] <= row["ci_high"] and row["n"] == 3

    man = json.loads((out / "manifest.json").read_text())
    assert man["seeds"] == [11, 12, 13] and man["base"] == "small_base"
    assert [s["name"] for s in man["scenarios"]] == ["small_base", "small_alt"]
    assert man["scenarios"][1]["scenario"]["committee"]["pushed_down_duty_items"] == 40
    assert man["command_line"].startswith("cogov compare ")

    # the table
    assert "small_alt vs small_base (3 paired replications" in printed
    for label in ("took part in the last year", "disputes resolved the same day",
                  "committee self-governance hours", "cost per additional participant"):
        assert label in printed


def test_paired_ci_matches_the_t_interval():
    d = np.array([1.0, 2.0, 4.0, 5.0])
    mean, lo, hi = paired_ci(d)
    half = 3.182446305284263 * d.std(ddof=1) / 2  # t(0.975, 3) x sd / sqrt(4)
    assert mean == 3.0 and lo == pytest.approx(3 - half) and hi == pytest.approx(3 + half)
    assert paired_ci(np.array([2.0, 2.0, 2.0])) == (2.0, 2.0, 2.0)


def test_cost_per_additional_participant():
    runs = pd.DataFrame({
        "scenario": ["b", "b", "a", "a"], "rep": [0, 1, 0, 1], "residents": [1000] * 4,
        "participation_year": [0.10, 0.20, 0.15, 0.25], "spend_total": [100.0, 200.0, 1100.0, 1200.0]})
    runs[PARTICIPANTS] = runs["participation_year"] * runs["residents"]
    eff = paired_effects(runs, ["b", "a"]).set_index("outcome")
    assert eff.loc[COST, "diff"] == pytest.approx(1000.0 / 50.0)
    assert eff.loc[COST, "ci_low"] == pytest.approx(20.0) and eff.loc[COST, "ci_high"] == pytest.approx(20.0)
    assert "residents" not in eff.index  # a description of the run, not an outcome


def test_cost_ratio_has_a_bootstrap_interval_or_none_when_the_effect_may_be_zero():
    """A cost per unit of effect comes with a paired bootstrap interval (seeded: the same
    each time); when the effect's own interval holds zero there is no ratio, and the table
    says why."""
    from sim.study.compare import cost_ratio, cost_text
    rng = np.random.default_rng(5)
    effect = 50 + rng.normal(0, 10, 8)
    spend = 1000 + rng.normal(0, 100, 8)
    r = cost_ratio(spend, effect)
    assert r["diff"] == pytest.approx(spend.mean() / effect.mean())
    assert r["ci_low"] < r["diff"] < r["ci_high"]
    assert r == cost_ratio(spend, effect)
    # a wider spread of the effect widens the interval
    wide = cost_ratio(spend, 50 + 3 * (effect - 50))
    assert wide["ci_high"] - wide["ci_low"] > r["ci_high"] - r["ci_low"]
    unsure = np.array([5.0, -4.0, 3.0, -2.0, 1.0])
    none = cost_ratio(np.full(5, 1000.0), unsure)
    assert math.isnan(none["diff"]) and math.isnan(none["ci_low"])
    m, lo, hi = paired_ci(unsure)
    assert lo < 0 < hi and m > 0
    assert cost_text(none, {"diff": m}) == "n/a: the effect's interval holds zero"
    assert cost_text(cost_ratio(np.ones(3), -np.ones(3)), {"diff": -1.0}) == "n/a: no extra on average"
    assert cost_text(r, {"diff": effect.mean()}).endswith("]")


def test_bad_file_exits_2_with_clear_message(tmp_path, capsys):
    missing = tmp_path / "nope.yaml"
    assert main(["compare", str(BASELINE), str(missing), "--reps", "3"]) == 2
    assert "nope.yaml: no such file" in capsys.readouterr().err

    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {BASELINE}\ncommittee:\n  pushed_down_duty_itemz: 97\n")
    assert main(["compare", str(BASELINE), str(bad), "--reps", "3"]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "committee.pushed_down_duty_itemz" in err and "unknown key" in err
    assert "did you mean 'pushed_down_duty_items'" in err

    with pytest.raises(SystemExit) as exc:  # argparse's usage error
        main(["compare", str(BASELINE), str(BASELINE), "--reps", "1"])
    assert exc.value.code == 2
    assert "--reps: must be from 2 to 10000, got 1" in capsys.readouterr().err


def test_a_failed_run_drops_its_replication_everywhere(base_alt, tmp_path, monkeypatch, capsys):
    import sim.study.runner

    real = sim.study.runner.run_one

    def flaky(scenario, seed, **kw):
        if seed == 12 and scenario.committee.pushed_down_duty_items == 40:
            raise RuntimeError("boom")
        return real(scenario, seed, **kw)

    monkeypatch.setattr(sim.study.runner, "run_one", flaky)
    base, alt = base_alt
    out = tmp_path / "out"
    code = main(["compare", str(base), str(alt), "--reps", "3", "--seed", "11", "--out", str(out),
                 "--no-figures"])
    assert code == 1  # results written, but the caller learns that runs failed
    assert "1 of 6 runs failed" in capsys.readouterr().err
    runs = pd.read_parquet(out / "runs.parquet")
    assert sorted(runs["rep"].unique()) == [0, 2]  # the pair stays a pair
    man = json.loads((out / "manifest.json").read_text())
    assert man["complete_reps"] == [0, 2] and "boom" in man["failures"][0]["error"]


def test_pooled_dispute_share_sums_cases_over_replications():
    """A pooled share is its numerator over its denominator, each summed over the replications
    (not the mean of per-run shares), with the cases behind it; the same scenario on both sides
    differs by exactly zero."""
    import numpy as np
    import pandas as pd

    from sim.study.compare import pooled_share_effect
    b = pd.DataFrame({"disputes_resolved": [8, 10, 5], "disputes_opened": [10, 20, 5]})
    a = pd.DataFrame({"disputes_resolved": [9, 15, 5], "disputes_opened": [10, 20, 5]})
    e = pooled_share_effect(b, a, "disputes_resolved", "disputes_opened")
    assert e["base_mean"] == 23 / 35 and e["alt_mean"] == 29 / 35 and np.isclose(e["diff"], 6 / 35)
    assert e["ci_low"] <= e["diff"] <= e["ci_high"]
    assert e["base_cases"] == 35 and e["alt_cases"] == 35
    same = pooled_share_effect(b, b, "disputes_resolved", "disputes_opened")
    assert same["diff"] == 0 and same["ci_low"] == 0 and same["ci_high"] == 0


# busy disputes (five times the default rates) in a fresh community of 1,500 for a year
BUSY_DISPUTES = {"per_1000_year": {"noise_leak": 17.5, "parking": 10.0, "pets": 7.5,
                                   "renovation_property": 10.0, "family": 15.0}}


def _busy(**legal):
    from conftest import small
    return small(disputes=BUSY_DISPUTES, committee={"staff_per_10k": 60.0}, run={"days": 365},
                 legal=legal)


@pytest.fixture(scope="module")
def same_day_pairs():
    """Three paired replications of busy disputes without and with 调解矛盾不过夜, and the same
    base twice."""
    names = ["base", "same_day", "base_again"]
    runs, _, failures = run_pairs(names, [_busy(), _busy(same_day_mediation=True), _busy()],
                                  rep_seeds(1, 3), progress=False)
    assert not failures
    return runs, names


def test_compare_pools_every_dispute_share_with_its_cases(same_day_pairs):
    """compare reports each dispute share pooled over the replications: the same-day commitment
    raises the share resolved the day reported with an interval above zero; the same scenario
    on both sides differs by exactly zero; the cases are the denominators summed over the runs."""
    from sim.catalog import POOLED_SHARES
    runs, names = same_day_pairs
    eff = paired_effects(runs, names).set_index(["scenario", "outcome"])
    for key in ("disputes_resolved_share_pooled", "disputes_same_day_of_report_share_pooled",
                "disputes_within_30d_share_of_resolved_pooled", "disputes_escalated_share_pooled",
                "disputes_court_share_pooled", "disputes_resolved_share_parking_pooled"):
        assert ("same_day", key) in eff.index, key
    lever = eff.loc[("same_day", "disputes_same_day_of_report_share_pooled")]
    assert lever["ci_low"] > 0 and lever["diff"] > 0.05
    for key, (num, den) in POOLED_SHARES.items():
        for alt in ("same_day", "base_again"):
            row = eff.loc[(alt, key)]
            assert row["base_cases"] == runs.loc[runs["scenario"] == "base", den].sum()
            assert row["alt_cases"] == runs.loc[runs["scenario"] == alt, den].sum()
            assert row["n"] == 3
        same = eff.loc[("base_again", key)]
        if same["base_cases"] > 0:
            assert same["diff"] == 0 and same["ci_low"] == 0 and same["ci_high"] == 0, key
    # the pooled resolved share is resolved over opened, summed
    b = runs[runs["scenario"] == "base"]
    # (each run's cohort: the disputes opened at least the horizon before its end, ODD 7.9)
    assert eff.loc[("same_day", "disputes_resolved_share_pooled"), "base_mean"] == \
        b["disputes_cohort_resolved"].sum() / b["disputes_cohort"].sum()
    # and the printed table shows them with their cases
    import io
    buf = io.StringIO()
    from sim.study.compare import print_table
    print_table(paired_effects(runs, names), names, 3, file=buf)
    text = buf.getvalue()
    assert "disputes pooled over the 3 replications" in text
    assert f"of {b['disputes_cohort_reported'].sum():,} / " in text


def test_validation_lever_table_gives_cost_intervals_or_none():
    """The validation report's lever table: a cost per extra participant with its interval
    where the participation effect is clear, n/a (NaN) where its interval holds zero."""
    from sim.study.validate import lever_table
    rng = np.random.default_rng(3)
    pairs = []
    for lever, gain in (("lever_clear", 0.03), ("lever_unsure", 0.0)):
        for seed in range(1, 6):
            noise = rng.normal(0, 0.004)
            pairs.append({"lever": lever, "residents": 2000, "seed": seed,
                          "base_participation_year": 0.30, "alt_participation_year": 0.30 + gain + noise,
                          "base_spend_total": 500_000.0, "alt_spend_total": 560_000.0 + rng.normal(0, 1000),
                          "base_disputes_resolved": 25, "alt_disputes_resolved": 25,
                          "base_disputes_resolved_share": 0.85, "alt_disputes_resolved_share": 0.85,
                          "base_residents": 2000, "alt_residents": 2000,
                          "base_needs_fulfilled_share": 0.6, "alt_needs_fulfilled_share": 0.6})
    t = lever_table(pairs).set_index("lever")
    clear = t.loc["lever_clear"]
    assert clear["yuan_per_extra_participant_ci_low"] < clear["yuan_per_extra_participant"] \
        < clear["yuan_per_extra_participant_ci_high"]
    assert clear["yuan_per_extra_participant"] == pytest.approx(60_000 / 60, rel=0.2)
    assert math.isnan(t.loc["lever_unsure", "yuan_per_extra_participant"])
    assert math.isnan(clear["yuan_per_extra_dispute_resolved"])  # no extra disputes resolved
