"""Figures fit to print: every command's figure code, drawn on small synthetic data, has no
overlapping or clipped text (sim.study.figures.text_issues), and its PDFs embed no Type 3
font (poppler's pdffonts)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.study import figures

ROOT = Path(__file__).resolve().parent.parent
BASELINE = str(ROOT / "scenarios" / "baseline.yaml")


@pytest.fixture(autouse=True)
def strict(monkeypatch):
    """save_figure raises on any overlap or clipping instead of warning."""
    import os
    if not os.environ.get("COGOV_FIG_DEBUG"):
        monkeypatch.setenv("COGOV_STRICT_FIGURES", "1")


def _check_folder(folder: Path) -> list[Path]:
    """Every PDF in folder: no Type 3 fonts; returns the PNGs."""
    pdfs = sorted(folder.rglob("*.pdf"))
    assert pdfs, f"no PDF in {folder}"
    if shutil.which("pdffonts"):
        for pdf in pdfs:
            assert figures.type3_fonts(pdf) == [], pdf
    for pdf in pdfs:  # every figure in the three formats
        assert pdf.with_suffix(".png").exists() and pdf.with_suffix(".svg").exists()
    return sorted(folder.rglob("*.png"))


# --------------------------------------------------------------------------- the checker
def test_the_check_finds_overlaps_and_clipping():
    plt = figures.pyplot()
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.text(0.5, 0.5, "one label here", transform=ax.transAxes)
    ax.text(0.52, 0.5, "another label", transform=ax.transAxes)
    ax.set_title("a title far wider than the figure can ever hold, cut at both edges")
    issues = figures.text_issues(fig)
    plt.close(fig)
    assert any(i.startswith("overlap") and "one label here" in i for i in issues)
    assert any(i.startswith("clipped") for i in issues)


def test_a_tidy_figure_passes_and_is_written_in_three_formats(tmp_path):
    plt = figures.pyplot()
    fig, ax = plt.subplots(figsize=(4, 3), layout="constrained")
    ax.plot([0, 1], [0, 1], label="line")
    ax.set_xlabel("days")
    ax.set_ylabel("share (%)")
    ax.set_title("tidy")
    ax.legend()
    paths = figures.save_figure(fig, tmp_path / "tidy")
    plt.close(fig)
    assert [p.suffix for p in paths] == [".png", ".svg", ".pdf"]
    _check_folder(tmp_path)


def test_pdfs_embed_truetype_not_type3(tmp_path):
    """save_figure's PDF has no Type 3 font; matplotlib's default (fonttype 3) would."""
    if not shutil.which("pdffonts"):
        pytest.skip("pdffonts (poppler-utils) is not installed")
    import matplotlib
    plt = figures.pyplot()
    fig, ax = plt.subplots(figsize=(4, 3), layout="constrained")
    ax.set_title("fonts")
    ax.set_xlabel("days")
    (pdf,) = figures.save_figure(fig, tmp_path / "ok", formats=("pdf",))
    with matplotlib.rc_context({"pdf.fonttype": 3}):
        fig.savefig(tmp_path / "type3.pdf")
    plt.close(fig)
    assert figures.type3_fonts(pdf) == []
    assert figures.type3_fonts(tmp_path / "type3.pdf")  # the check can fail


def test_strict_mode_refuses_a_bad_figure(tmp_path):
    plt = figures.pyplot()
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.set_ylabel("a y label much too long for a figure two inches high, it is cut")
    with pytest.raises(figures.FigureLayoutError, match="clipped"):
        figures.save_figure(fig, tmp_path / "bad")
    plt.close(fig)
    assert not list(tmp_path.iterdir())  # nothing written


def test_chinese_is_dropped_without_a_cjk_font(monkeypatch):
    monkeypatch.setattr(figures, "_cjk_font", None)
    assert figures.plain("court (诉讼)") == "court"
    assert figures.plain("three public affairs 三公开 a month") == "three public affairs a month"
    monkeypatch.setattr(figures, "_cjk_font", "Noto Sans CJK SC")
    assert figures.plain("court (诉讼)") == "court (诉讼)"



def test_chinese_labels_embed_the_shipped_cjk_font_as_truetype(tmp_path, monkeypatch):
    """A figure with Chinese labels: the app's Noto Sans SC (not a font of this machine)
    draws them, embedded in the PDF as TrueType (CID TrueType), no Type 3, no glyph missing."""
    import warnings

    if not shutil.which("pdffonts"):
        pytest.fail("pdffonts (poppler-utils) is needed: apt-get install -y poppler-utils")
    assert figures.shipped_font().is_file(), "fetch the font: python -m sim.app.assets"
    monkeypatch.delenv("COGOV_CJK_FONT", raising=False)
    monkeypatch.setattr(figures, "_cjk_font", False)  # look the font up again
    import matplotlib
    monkeypatch.setitem(matplotlib.rcParams, "font.family", ["sans-serif"])
    plt = figures.pyplot()
    assert figures.cjk_font() == "Noto Sans SC"
    fig, ax = plt.subplots(figsize=(4, 3), layout="constrained")
    ax.plot([0, 1], [0, 1], label="调解矛盾不过夜")
    ax.set_title("纠纷化解率 (disputes resolved)")
    ax.set_xlabel("天 (days)")
    ax.legend()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*[Gg]lyph .* missing")
        (pdf,) = figures.save_figure(fig, tmp_path / "zh", formats=("pdf",))
    plt.close(fig)
    import subprocess
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    cjk = [r for r in rows if "NotoSansSC" in r.replace(" ", "")]
    assert cjk and all("CID TrueType" in r and " yes " in f" {r} " for r in cjk), out  # embedded
    assert figures.type3_fonts(pdf) == [], out


def test_a_missing_cjk_font_glyph_fails_the_check(tmp_path, monkeypatch):
    """The glyph check of the test above can fail: DejaVu Sans alone has no Chinese."""
    import warnings

    import matplotlib
    plt = figures.pyplot()
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}), warnings.catch_warnings():
        fig, ax = plt.subplots(figsize=(3, 2))  # its texts take the font family of now
        ax.set_title("社区")
        warnings.filterwarnings("error", message=r".*[Gg]lyph .* missing")
        with pytest.raises(UserWarning, match="missing"):
            fig.savefig(tmp_path / "boxes.pdf")
    plt.close(fig)


def test_without_the_shipped_font_one_line_warns(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("COGOV_CJK_FONT", raising=False)
    monkeypatch.setattr(figures, "shipped_font", lambda: tmp_path / "absent.ttf")
    monkeypatch.setattr(figures, "_cjk_font", False)
    figures.cjk_font()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("warning: the Chinese font absent.ttf")
    monkeypatch.setattr(figures, "_cjk_font", False)  # the next test looks it up again

# ------------------------------------------------------------------------------- report
def _planned(tmp: Path, exp: dict, f) -> Path:
    """A planned sweep whose outcomes are known functions of its parameters (no model runs)."""
    from sim.study.sweep import plan
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / "exp.yaml"
    path.write_text(yaml.safe_dump({"name": "figs", "scenario": BASELINE, "replications": 2,
                                    "seed": 3, "outcomes": ["participation_year", "trust_mean",
                                                            "disputes_resolved_share",
                                                            "spend_total"], **exp}))
    out = plan(path, tmp / "sweep")
    runs = pd.read_parquet(out / "design.parquet")
    rng = np.random.default_rng(0)
    n = len(runs)
    runs["participation_year"] = np.clip(f(runs) + 0.01 * rng.normal(size=n), 0, 1)
    runs["trust_mean"] = 0.5 + 0.05 * rng.normal(size=n)
    runs["disputes_resolved_share"] = 0.7 + 0.05 * rng.normal(size=n)
    runs["spend_total"] = 650_000 + 20_000 * rng.normal(size=n)
    runs["ok"] = True
    runs.to_parquet(out / "runs.parquet")
    m = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**m, "status": "complete"}))
    return out


@pytest.mark.slow
def test_report_figures_fit(tmp_path):
    from sim.study.report import report
    unc = {"behaviour.w_social": {"low": 0.0, "high": 10.0},
           "behaviour.w_trust": {"low": 0.0, "high": 10.0},
           "behaviour.w_fatigue": {"low": 0.0, "high": 20.0},
           "behaviour.w_time_load": {"low": 0.0, "high": 5.0},
           "behaviour.w_efficacy": {"low": 0.0, "high": 5.0},
           "behaviour.w_free_time": {"low": 0.0, "high": 5.0}}
    lin = lambda r: 0.2 + 0.01 * r["behaviour.w_social"] + 0.002 * r["behaviour.w_trust"]  # noqa: E731
    cases = {
        "factorial": ({"levers": {"committee.pushed_down_duty_items": {"values": [200, 97, 30]},
                                  "grants.contests_per_year": {"values": [0, 2, 4]}}},
                      lambda r: 0.2 + 0.02 * r["grants.contests_per_year"]),
        "lhs": ({"uncertainties": {k: unc[k] for k in list(unc)[:2]},
                 "design": {"type": "lhs", "samples": 25}}, lin),
        "sobol": ({"uncertainties": unc, "design": {"type": "sobol", "samples": 16,
                                                    "calc_second_order": True}}, lin),
        "morris": ({"uncertainties": unc, "design": {"type": "morris", "samples": 4}}, lin),
        "oat": ({"levers": {"committee.pushed_down_duty_items": {"values": [97, 30]},
                            "grants.contests_per_year": {"values": [2]}},
                 "design": {"type": "oat"}},
                lambda r: 0.2 + 0.02 * r["grants.contests_per_year"]),
    }
    for name, (exp, f) in cases.items():
        out = _planned(tmp_path / name, exp, f)
        report(out)
        pngs = _check_folder(out / "report")
        assert pngs, name


def test_compare_report_draws_the_paired_difference(tmp_path):
    from sim.study.report import report
    d = tmp_path / "cmp"
    d.mkdir()
    (d / "manifest.json").write_text(json.dumps({"command": "compare", "base": "baseline"}))
    rng = np.random.default_rng(0)
    common = rng.normal(size=6)  # the replication's shared noise: pairs move together
    rows = [{"scenario": s, "rep": r, "participation_year": 0.2 + 0.01 * i + 0.05 * common[r],
             "trust_mean": 0.5 + 0.01 * rng.normal(), "spend_total": 650_000 + 50_000 * i}
            for i, s in enumerate(["baseline", "lever_grants", "lever_duty_reduction"]) for r in range(6)]
    pd.DataFrame(rows).to_parquet(d / "runs.parquet")
    report(d)
    _check_folder(d / "report")
    diff = pd.read_csv(d / "report" / "paired_differences.csv")
    row = diff[(diff["scenario"] == "lever_grants") & (diff["outcome"] == "participation_year")].iloc[0]
    # the pairs share their noise: the difference's interval is far narrower than a level's
    level = pd.read_csv(d / "report" / "by_scenario.csv")
    lv = level[(level["scenario"] == "lever_grants") & (level["outcome"] == "participation_year")].iloc[0]
    assert row["diff"] == pytest.approx(0.01)
    assert (row["ci_high"] - row["ci_low"]) < 0.1 * (lv["ci95_high"] - lv["ci95_low"])


# ------------------------------------------------------------------------------ compare
def _effects(names):
    from sim.study.compare import key_outcomes
    rng = np.random.default_rng(1)
    rows = []
    for alt in names[1:]:
        for k, _, _ in key_outcomes():
            base = 650_000.0 if k == "spend_total" else 0.4
            d = 0.1 * base * rng.normal()
            rows.append({"outcome": k, "base": names[0], "scenario": alt, "base_mean": base,
                         "alt_mean": base + d, "diff": d, "ci_low": d - 0.05 * base,
                         "ci_high": d + 0.05 * base, "n": 5})
    return pd.DataFrame(rows)


@pytest.mark.slow
def test_compare_figures_fit(tmp_path):
    from sim.study.compare import draw_figures, ts_columns
    names = ["baseline", "lever_grants", "lever_duty_reduction"]
    rng = np.random.default_rng(2)
    frames = []
    for s in names:
        for rep in range(3):
            df = pd.DataFrame({"day": np.arange(60)})
            for c, _ in ts_columns():
                df[c] = rng.random(60) * (1000 if "hours" in c else 1)
            df.insert(0, "rep", rep)
            df.insert(0, "scenario", s)
            frames.append(df)
    written = draw_figures(tmp_path, pd.concat(frames), _effects(names), names)
    assert {"timeseries.png", "effects.pdf"} <= set(written)
    one = tmp_path / "one"  # one alternative: the interval is written beside each label
    one.mkdir()
    draw_figures(one, None, _effects(names[:2]), names[:2])
    _check_folder(tmp_path)


# ---------------------------------------------------------------------------- calibrate
def test_calibrate_figure_fits(tmp_path):
    from sim.study.calibrate import plot
    trials = pd.DataFrame({"number": range(12), "value": np.linspace(3, 0.2, 12),
                           "state": "COMPLETE"})
    fit = pd.DataFrame([
        {"outcome": o, "label": o, "band_low": lo, "band_high": hi, "value": (lo + hi) / 2,
         "mean": m, "ci_low": m - 0.01, "ci_high": m + 0.01, "n": 10, "passed": lo <= m <= hi,
         "weight": 1.0, "source": "test"}
        for o, lo, hi, m in [("participation_year", 0.1, 0.3, 0.2), ("trust_mean", 0.4, 0.6, 0.65),
                             ("disputes_resolved_share", 0.6, 0.9, 0.75),
                             ("committee_duty_share", 0.5, 0.8, 0.7)]])
    from sim.catalog import OUTCOMES
    fit["label"] = [OUTCOMES[o].label for o in fit["outcome"]]
    plot(tmp_path / "calibration", trials, fit)
    _check_folder(tmp_path)


# ----------------------------------------------------------------------------- optimize
def test_optimize_figures_fit(tmp_path):
    from sim.study import optimize as opt
    cfg = opt.Optimize.model_validate({
        "name": "figs", "scenario": BASELINE, "budget_yuan": 500_000,
        "levers": {"committee.pushed_down_duty_items": {"low": 97, "high": 200},
                   "committee.staff_per_10k": {"low": 12, "high": 18},
                   "grants.contests_per_year": {"low": 0, "high": 4},
                   "purchased_services.items": {"low": 0, "high": 10},
                   "legal.lawyer_hours_per_week": {"low": 0, "high": 20},
                   "incubation.hub": {"choices": [False, True]},
                   "smart.digital_ordering": {"choices": [False, True]},
                   "legal.same_day_mediation": {"choices": [False, True]},
                   "transparency.publish_affairs": {"choices": [False, True]}},
        "objectives": {"participation_year": "maximize", "disputes_resolved_share": "maximize",
                       "disputes_same_day_share": "maximize", "trust_mean": "maximize",
                       "spend_total": "minimize"}})
    rng = np.random.default_rng(4)
    n = 40
    trials = pd.DataFrame({
        "trial": range(n), "committee.pushed_down_duty_items": rng.integers(97, 201, n),
        "committee.staff_per_10k": rng.uniform(12, 18, n), "grants.contests_per_year": rng.integers(0, 5, n),
        "purchased_services.items": rng.integers(0, 11, n), "legal.lawyer_hours_per_week": rng.uniform(0, 20, n),
        **{k: rng.random(n) < 0.5 for k in ("incubation.hub", "smart.digital_ordering",
                                             "legal.same_day_mediation", "transparency.publish_affairs")},
        "participation_year": rng.uniform(0.25, 0.36, n), "disputes_resolved_share": rng.uniform(0.75, 0.85, n),
        "disputes_same_day_share": rng.uniform(0.25, 0.36, n), "trust_mean": rng.uniform(0.48, 0.55, n),
        "spend_total": rng.uniform(7e5, 1.7e6, n)})
    trials["extra_spend_yuan"] = trials["spend_total"] - 655_500
    trials["feasible"] = trials["extra_spend_yuan"] <= 500_000
    objs = list(cfg.objectives)
    mask = opt.pareto_mask(trials.loc[trials["feasible"], objs].to_numpy(float),
                           list(cfg.objectives.values()))
    trials["pareto"] = False
    trials.loc[trials.index[trials["feasible"]][mask], "pareto"] = True
    pareto = pd.DataFrame({"trial": trials.loc[trials["pareto"], "trial"],
                           "portfolio": [f"P{i + 1:02d}" for i in range(int(trials["pareto"].sum()))]})
    opt.draw_figures(tmp_path, cfg, trials, pareto)
    assert {p.name for p in tmp_path.glob("*.png")} == {"pareto_coordinates.png", "tradeoffs.png"}
    _check_folder(tmp_path)


# ----------------------------------------------------------------------------- validate
@pytest.mark.slow
def test_validation_trajectories_are_small_multiples(tmp_path):
    from sim.study.validate import TRAJECTORY, draw_figures
    rng = np.random.default_rng(3)
    scen = ["baseline"] + [f"lever_{n}" for n in ("grants", "grid", "smart", "moral", "transparency",
                                                  "incubation", "deliberation", "duty_reduction",
                                                  "legal_mediation", "purchased_services",
                                                  "staffing_funding", "double_registration")]
    rows = []
    for size in (2000, 5000):
        for s in scen:
            for seed in range(3):
                for year in range(1, 6):
                    rows.append({"residents": size, "scenario": s, "seed": seed, "year": year,
                                 **{c: rng.random() * (100 if c in ("organizations",) else 1)
                                    for c in TRAJECTORY}})
    names = draw_figures(pd.DataFrame(rows), tmp_path)
    assert names
    _check_folder(tmp_path)
