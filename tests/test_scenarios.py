"""Every scenario file loads, says what it represents and where its figures come from,
cites the seeds verbatim, and runs for a short horizon.

The seed documents are the user's source texts, not part of the repository: the citation
test reads them from the folder the environment variable ``COGOV_SOURCES`` names (README,
"Testing") and is skipped, saying why, where it is not set."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from sim.config import load_scenario
from sim.model import CoGovModel

ROOT = Path(__file__).resolve().parent.parent
SCEN = ROOT / "scenarios"
SOURCES = os.environ.get("COGOV_SOURCES", "")
SEEDS_DIR = Path(SOURCES) if SOURCES else None
FILES = sorted(SCEN.glob("*.yaml"))
DOCS = ("doc000_chengdu_wuhou", "doc001_shenzhen_shatou", "doc002_provincial_guideline",
        "doc003_jiayuguan", "doc004_chaoyangmen")
LEVERS = ("duty_reduction", "grants", "purchased_services", "incubation", "double_registration",
          "deliberation", "grid", "legal_mediation", "staffing_funding", "transparency", "moral",
          "smart")
SEED_FILE = re.compile(r"(\d{3}_[0-9a-f]{16}\.txt)")


def test_the_expected_files_exist():
    names = {f.stem for f in FILES}
    expected = {"baseline", "five_governance", *DOCS, *(f"lever_{n}" for n in LEVERS)}
    assert expected <= names, expected - names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_scenario_loads_with_meta(path):
    sc = load_scenario(path)
    assert sc.meta.name == path.stem
    assert len(sc.meta.description.strip()) > 40
    assert sc.meta.sources


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_cited_quotes_are_verbatim(path):
    """Every backticked quote after a seed file name is in that seed file."""
    if SEEDS_DIR is None:
        pytest.skip("COGOV_SOURCES is not set: point it at the folder of the seed documents "
                    "(000_....txt to 004_....txt) to check the scenarios' quotes against them")
    if not SEEDS_DIR.is_dir():
        pytest.fail(f"COGOV_SOURCES={SOURCES!r} is not a folder")
    seeds = {p.name: p.read_text(encoding="utf-8") for p in SEEDS_DIR.glob("*.txt")}
    cited = {m for line in path.read_text(encoding="utf-8").splitlines()
             for m in SEED_FILE.findall(line)}
    missing = cited - set(seeds)
    assert not missing, f"COGOV_SOURCES={SOURCES!r} lacks the cited documents {sorted(missing)}"
    n = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = SEED_FILE.split(line)
        for name, text in zip(parts[1::2], parts[2::2]):
            for q in re.findall(r"`([^`]+)`", text):
                assert q in seeds[name], f"{path.name}: {name}: {q!r} is not in the seed"
                n += 1
    if path.stem.startswith(("doc", "lever_", "five_")):
        assert n > 0, f"{path.name} cites no seed passage"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_scenario_runs_briefly(path):
    sc = load_scenario(path, {"population.residents_per_community": 1500, "run.days": 20})
    m = CoGovModel(sc, rng=3, collect=False)
    m.run()
    s = m.summary()
    assert s["days"] == 20
    assert s["residents"] == 1500 * sc.population.n_communities
    assert all(v >= 0 for k, v in s.items() if k.startswith("spend_"))


def test_documents_reproduce_their_figures():
    d3 = load_scenario(SCEN / "doc003_jiayuguan.yaml")
    assert (d3.committee.pushed_down_duty_items, d3.committee.plaques) == (97, 27)
    assert d3.committee.staff_per_10k == 18 and d3.committee.office_budget_yuan == 200000
    assert d3.grid.households_per_grid == 300 and d3.legal.police_days_per_week == 3
    assert d3.deliberation.meetings_per_year == 4 and d3.purchased_services.items == 3
    d4 = load_scenario(SCEN / "doc004_chaoyangmen.yaml")
    g = d4.grants
    # 26 projects in two street-wide contests; one community's share is 2 a contest
    assert g.contests_per_year == 2 and g.grants_per_contest == 2
    assert (g.amount_min_yuan, g.amount_max_yuan) == (1000, 10000) and g.proposal_training
    assert d4.deliberation.meetings_per_year == 12
    d0 = load_scenario(SCEN / "doc000_chengdu_wuhou.yaml")
    assert d0.purchased_services.items == 139
    d1 = load_scenario(SCEN / "doc001_shenzhen_shatou.yaml")
    assert d1.population.n_communities == 2 and d1.committee.pushed_down_duty_items == 61
    lg = load_scenario(SCEN / "lever_grants.yaml").grants
    assert lg.contests_per_year == 2 and lg.grants_per_contest == 2


def test_cli_runs_a_document_scenario(tmp_path):
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "sim", "run", str(SCEN / "doc004_chaoyangmen.yaml"),
                          "--days", "20", "--set", "population.residents_per_community=1500",
                          "--out", str(tmp_path / "r")], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
