"""The size-and-type scan of the validation report (sim/study/scan.py): its judgements on
known tables, and one small scan end to end."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.study import scan


def _table(values_by_size: dict[int, list[float]], outcome="needs_fulfilled_share", file="baseline"):
    rows = []
    for n, vals in values_by_size.items():
        for s, v in enumerate(vals, 1):
            row = {"file": file, "residents": n, "type": "", "seed": s}
            row.update({k: 0.5 for k in scan.OUTCOMES})
            row[outcome] = v
            rows.append(row)
    return pd.DataFrame(rows)


def test_a_step_beyond_five_points_and_a_trough_beyond_the_spread_are_flagged():
    t = _table({1000: [0.60, 0.61, 0.59], 2000: [0.45, 0.46, 0.44], 3000: [0.60, 0.59, 0.61]})
    steps = scan.steps_table(scan.baseline_profile(t))
    need = steps[steps["outcome"] == "needs_fulfilled_share"]
    assert (~need["ok"]).sum() == 2
    assert need.loc[need["to"] == 2000, "extreme_at_to"].item() == "trough"


def test_a_smooth_profile_passes_and_noise_is_not_a_trough():
    t = _table({1000: [0.50, 0.60, 0.40], 2000: [0.47, 0.57, 0.37], 3000: [0.52, 0.62, 0.42]})
    steps = scan.steps_table(scan.baseline_profile(t))
    need = steps[steps["outcome"] == "needs_fulfilled_share"]
    assert need["ok"].all()
    assert (need["extreme_at_to"] == "").all()  # 3 points below both sides, inside the spread


def test_a_step_past_the_allowance_only_by_chance_passes_and_a_clear_one_fails():
    """memberships per adult (not a share: 15% of its level allowed) over noisy seeds: a step
    of 20% whose 95% margin reaches back inside 15% passes; the same step on quiet seeds fails."""
    k = "memberships_per_adult"
    noisy = _table({4000: [0.05, 0.10, 0.075], 5000: [0.04, 0.08, 0.06]}, outcome=k)
    quiet = _table({4000: [0.074, 0.075, 0.076], 5000: [0.059, 0.060, 0.061]}, outcome=k)
    for t, ok in ((noisy, True), (quiet, False)):
        r = scan.steps_table(scan.baseline_profile(t)).query("outcome == @k").iloc[0]
        assert r["step"] == pytest.approx(-0.015) and r["allowed"] == pytest.approx(0.15 * 0.075)
        assert bool(r["ok"]) is ok, r


def test_effects_are_paired_on_seeds():
    base = _table({2000: [0.30, 0.40, 0.50]}, outcome="participation_year")
    lever = _table({2000: [0.32, 0.42, 0.52]}, outcome="participation_year", file="lever_x")
    eff = scan.effects_table(pd.concat([base, lever]), {"lever_x": "participation_year"})
    r = eff.iloc[0]
    assert r["effect"] == pytest.approx(0.02)
    assert r["distinguishable"]  # the same +0.02 on every seed: a zero-width interval


@pytest.mark.slow
def test_a_small_scan_runs_end_to_end_and_renders_its_section(tmp_path):
    files = [scan_file("baseline"), scan_file("lever_duty_reduction")]
    out = scan.scan_into(tmp_path, seeds=2, years=1, sizes=(800, 1600), types=(), files=files)
    table = pd.read_csv(out)
    assert len(table) == 2 * 2 * 2
    assert np.isfinite(table["participation_year"]).all()
    settings = json.loads((tmp_path / "validation" / "scan.json").read_text())
    assert settings["sizes"] == [800, 1600]
    text = scan.section(tmp_path / "validation")
    assert "## 5. Size and type scan" in text and "lever_duty_reduction" in text
    for k in scan.OUTCOMES:
        assert (tmp_path / "validation" / f"scan_{k}.png").is_file()


def scan_file(name):
    from sim.study.validate import SCEN
    return SCEN / f"{name}.yaml"
