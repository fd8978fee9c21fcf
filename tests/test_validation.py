"""The committed validation report (docs/VALIDATION.md) is current and complete."""

from pathlib import Path

import pytest

from sim.study.validate import FINGERPRINT_KEYS, fingerprint, read_data

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "VALIDATION.md"


def test_report_is_not_stale():
    """The fast subset: the baseline at 2,000 adults, seed 1, one year after the spin-up, must
    give the numbers embedded in the committed report (regenerate: the report's command)."""
    data = read_data(REPORT)
    now = fingerprint()
    for k in FINGERPRINT_KEYS:
        assert now[k] == pytest.approx(data["fingerprint"][k], rel=1e-9), (
            f"docs/VALIDATION.md is stale ({k}: {data['fingerprint'][k]} -> {now[k]}); "
            f"regenerate with `{data['config']['command']}`")


def test_report_has_every_part():
    text = REPORT.read_text(encoding="utf-8")
    for part in ("## 1. Targets", "## 2. Stationarity", "## 3. Levers", "## 4. Trajectories",
                 "## 6. Seed scenarios and the stress case"):
        assert part in text
    for fig in ("trajectories_5000_participation_year.png", "baseline_sizes.png", "baseline_sizes.pdf"):
        assert (ROOT / "docs" / "validation" / fig).exists()
    cfg = read_data(REPORT)["config"]
    assert cfg["sizes"] == [2000, 5000, 15000] and max(cfg["years"]) >= 10


@pytest.mark.slow
def test_validate_runs_end_to_end_at_a_small_setting(tmp_path):
    """`cogov validate` on two seeds, one small size and four years: the report, its tables and
    figures are written; every set of runs gets a verdict from the known statuses, drifts are
    checked on fresh seeds and the baseline's undetermined outcomes on more seeds."""
    import pandas as pd

    from sim.study.validate import validate
    report = validate(seeds=2, years=(1, 4), sizes=(500,), workers=2, out=tmp_path, lever_reps=2,
                      quiet=True, pool_seeds=4)
    text = report.read_text(encoding="utf-8")
    for part in ("## 1. Targets", "## 2. Stationarity", "## 3. Levers", "## 4. Trajectories"):
        assert part in text
    assert "--pool-seeds 4" in read_data(report)["config"]["command"]
    trends = pd.read_csv(tmp_path / "validation" / "stationarity.csv")
    assert trends.groupby(["scenario", "residents"]).ngroups == 13  # the baseline and 12 lever files
    assert set(trends["status"]) <= {"settled", "drifting", "undetermined", "not confirmed"}
    # two seeds at 500 adults leave drifts to confirm and undetermined outcomes to pool
    checked = trends[trends["status"].isin(["drifting", "not confirmed"])
                     & (trends["pooled_seeds"].fillna(0) == 0)]  # (a pooled call is judged on all seeds)
    assert len(checked) and (checked["confirm_seeds"] == 4).all()  # twice the seeds, fresh
    assert (pd.read_csv(tmp_path / "validation" / "confirm.csv")["seed"] > 2).all()
    base = trends[trends["scenario"] == "baseline"]
    pooled = base[base["pooled_seeds"].fillna(0) > 0]
    # --pool-seeds 4, or every seed the baseline already has when its drifts were confirmed on
    # four fresh ones (pooling judges on all the runs there are, never fewer)
    confirm = pd.read_csv(tmp_path / "validation" / "confirm.csv")
    confirmed = confirm[confirm["scenario"] == "baseline"]["seed"].nunique() if "scenario" in confirm else 0
    assert len(pooled) and (pooled["pooled_seeds"] == max(4, 2 + confirmed)).all()
    assert (tmp_path / "validation" / "trajectories_500_participation_year.png").exists()
    assert not list(tmp_path.glob(".*.tmp"))
    # the targets are checked at every size (here 500 adults, and the reference 5,000)
    assert set(pd.read_csv(tmp_path / "validation" / "targets.csv")["residents"]) == {500, 5000}
    assert "The same targets at every validated size" in text
    seeds = pd.read_csv(tmp_path / "validation" / "seeds.csv")
    assert len(seeds) == 6 * 3 and set(seeds["seeds"]) == {2}  # 6 files x 3 years, 2 seeds
    assert set(seeds.loc[seeds["scenario"] == "doc001_shenzhen_shatou", "residents"]) == {6100}
    assert "## 6. Seed scenarios and the stress case" in text


def test_seed_scenarios_are_judged_against_the_bands_and_named_when_outside(tmp_path):
    import pandas as pd

    from sim.study.validate import seeds_section, seeds_table
    # participation judged as the band counts it (meetings, volunteering, organizations): a
    # headline inflated by evaluations alone does not put a place outside
    rows = [{"scenario": name, "residents": 5000, "year": y, "seed": s,
             "participation_year_activities": p + 0.01 * s, "participation_year": 0.40,
             "core_activist_share": 0.03}
            for name, p in (("doc_in", 0.20), ("doc_out", 0.45)) for y in (1, 2, 3) for s in (1, 2, 3)]
    t = seeds_table(pd.DataFrame(rows))
    assert t.loc[t["scenario"] == "doc_in", "participation_year_activities_pass"].all()
    assert not t.loc[t["scenario"] == "doc_out", "participation_year_activities_pass"].any()
    assert t.loc[t["scenario"] == "doc_in", "participation_year_activities"].iloc[0] == pytest.approx(0.22)
    t.to_csv(tmp_path / "seeds.csv", index=False)
    text = seeds_section(tmp_path)
    assert "Outside a band in some year: doc_out." in text
    assert "**47.0% [" in text and "outside**" in text  # the mean of 0.46, 0.47, 0.48
    assert seeds_section(tmp_path / "nothing_here") == ""


def test_validate_rejects_bad_settings(capsys):
    from sim.cli import main
    with pytest.raises(SystemExit) as exit_:
        main(["validate", "--pool-seeds", "-1"])
    assert exit_.value.code == 2
    assert "--pool-seeds: must be from 0 to 1000, got -1" in capsys.readouterr().err


def test_the_scan_needs_a_finished_report(tmp_path, capsys):
    """`cogov validate --scan` adds a section to a report: without one it says what to run."""
    from sim.cli import main
    assert main(["validate", "--scan", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "run `cogov validate --out" in err and "Traceback" not in err
    assert not (tmp_path / "validation").exists()


def test_seeds_fall_with_size_for_the_same_precision_but_never_below_five():
    """The report's seeds hold at 5,000 adults and below; above, 5,000 / adults as many (one
    run's slope spreads less in a larger community), never fewer than five nor more than asked."""
    from sim.study.validate import MIN_SEEDS, seeds_at
    assert [seeds_at(n, 10) for n in (1000, 2000, 5000)] == [10, 10, 10]
    assert seeds_at(10000, 10) == 5 and seeds_at(15000, 10) == 5 and seeds_at(30000, 10) == MIN_SEEDS == 5
    assert seeds_at(15000, 30) == 10 and seeds_at(15000, 100) == 34  # confirming and pooling scale too
    assert seeds_at(15000, 2) == 2  # a quick run's two seeds stay two


def test_lever_files_run_ten_years_on_half_the_baseline_seeds_never_below_five():
    """A lever file's slope is judged against the baseline's on all of its seeds (a control
    variate): its own ten-year runs take half the baseline's seeds, never fewer than five nor
    more than the baseline has."""
    from sim.study.validate import MIN_SEEDS, lever_seeds_at, seeds_at
    assert [lever_seeds_at(n, 10) for n in (2000, 5000, 15000)] == [5, 5, 5]
    assert lever_seeds_at(5000, 20) == 10 and lever_seeds_at(5000, 30) == 15
    assert lever_seeds_at(500, 2) == seeds_at(500, 2) == 2  # never more than the baseline's
    assert all(lever_seeds_at(n, s) >= min(MIN_SEEDS, seeds_at(n, s))
               for n in (1000, 5000, 15000, 30000) for s in (2, 5, 10, 40))
