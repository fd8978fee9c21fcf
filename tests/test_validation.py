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
    for part in ("## 1. Targets", "## 2. Stationarity", "## 3. Levers", "## 4. Trajectories"):
        assert part in text
    for fig in ("trajectories_5000.png", "baseline_sizes.png"):
        assert (ROOT / "docs" / "validation" / fig).exists()
    cfg = read_data(REPORT)["config"]
    assert cfg["sizes"] == [2000, 5000, 15000] and max(cfg["years"]) >= 10
