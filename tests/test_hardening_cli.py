"""Issue 24, the commands: every input a command reads is checked before any work, and every
mistake ends as one ``error:`` line (exit code 2) with nothing left outside ``--out``.

Commands run in this process (``sim.cli.main``) on tiny models (500 residents, no spin-up, a
few days); the memory-limit case runs in a subprocess under ``RLIMIT_AS``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
GRANTS = ROOT / "scenarios" / "lever_grants.yaml"
TINY = ["--set", "population.residents_per_community=500", "--set", "run.spin_up_days=0",
        "--days", "5"]


def cogov(capsys, *argv) -> tuple[int, str, str]:
    """``cogov ARGV`` in this process: (exit code, stdout, stderr)."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def refused(code: int, err: str, *needles: str) -> None:
    """Exit code 2, an ``error:`` line, no traceback; each needle in the message."""
    assert code == 2, err
    assert "Traceback" not in err and "error:" in err, err
    for n in needles:
        assert n in err, (n, err)


def hidden_leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and not p.name.endswith(".lock"))


# ------------------------------------------------------------------------------- replay
@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """A tiny comparison (2 scenarios x 2 replications) and a tiny run, with their folders."""
    tmp = tmp_path_factory.mktemp("made")
    assert main(["compare", str(BASELINE), str(GRANTS), "--reps", "2", *TINY, "--no-figures",
                 "--out", str(tmp / "cmp"), "-q"]) == 0
    assert main(["run", str(BASELINE), *TINY, "--out", str(tmp / "run"), "-q"]) == 0
    return tmp


def _copy(src: Path, dst: Path, edit=None, data: bool = True) -> Path:
    dst.mkdir(parents=True)
    for f in src.iterdir():
        if f.name == "manifest.json" or data:
            shutil.copy2(f, dst / f.name)
    if edit:
        m = json.loads((dst / "manifest.json").read_text())
        edit(m)
        (dst / "manifest.json").write_text(json.dumps(m))
    return dst


@pytest.mark.parametrize("name", ["../../escaped", "/tmp/escaped_abs", "a\\b", "..", "", "  ",
                                  "tab\tname", "nul\x00name", 7, None])
def test_replay_refuses_scenario_names_that_are_paths(capsys, compared, tmp_path, name):
    def edit(m):
        m["scenarios"][1]["name"] = name
    folder = _copy(compared / "cmp", tmp_path / "m", edit)
    before = set(tmp_path.rglob("*"))
    code, out, err = cogov(capsys, "replay", folder, "--out", tmp_path / "replay")
    refused(code, err, "scenarios[1].name")
    assert "identical" not in out
    assert set(tmp_path.rglob("*")) == before  # nothing written, --out not even made
    assert not Path("/tmp/escaped_abs.yaml").exists()


def test_replay_without_data_files_is_an_error_not_identical(capsys, compared, tmp_path):
    folder = _copy(compared / "run", tmp_path / "m", data=False)
    code, out, err = cogov(capsys, "replay", folder)
    refused(code, err, "no data files")
    assert "identical" not in out


def test_replay_of_a_run_manifest_without_scenario_names_file_and_key(capsys, compared, tmp_path):
    folder = _copy(compared / "run", tmp_path / "m", lambda m: m.pop("scenario"))
    code, _, err = cogov(capsys, "replay", folder)
    refused(code, err, str(folder / "manifest.json"), "'scenario'")
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("edit,needle", [
    (lambda m: m.update(seed=-1), "'seed'"),
    (lambda m: m.update(seed="7"), "'seed'"),
    (lambda m: m.update(scenario=[1, 2]), "'scenario'"),
    (lambda m: m["scenario"]["population"].update(residents_per_community="many"), "residents_per_community"),
])
def test_replay_checks_a_run_manifest_before_running(capsys, compared, tmp_path, edit, needle):
    folder = _copy(compared / "run", tmp_path / "m", edit)
    code, _, err = cogov(capsys, "replay", folder)
    refused(code, err, needle)


def test_replay_names_a_damaged_data_file(capsys, compared, tmp_path):
    folder = _copy(compared / "cmp", tmp_path / "m")
    (folder / "effects.parquet").write_bytes(b"PAR1 not really")
    code, _, err = cogov(capsys, "replay", folder)
    refused(code, err, "effects.parquet")


@pytest.mark.slow  # a fresh interpreter (or two workers) per case: 10-15 s under load
def test_replay_of_a_comparison_on_two_workers_is_identical(capsys, compared, tmp_path):
    code, out, err = cogov(capsys, "replay", compared / "cmp", "--workers", "2", "--out", tmp_path / "r")
    assert code == 0, err
    assert out.startswith("identical")
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == \
        ["effects.parquet", "manifest.json", "runs.parquet", "timeseries.parquet"]


# --------------------------------------------------------------------- sweep --resume
def _exp(tmp: Path, **over) -> Path:
    exp = {"name": "tiny", "scenario": str(BASELINE), "days": 5,
           "set": {"population.residents_per_community": 500, "run.spin_up_days": 0},
           "levers": {"grants.contests_per_year": {"values": [0, 2]}}, "replications": 2,
           "seed": 3, "outcomes": ["participation_year"]}
    exp.update(over)
    path = tmp / "exp.yaml"
    path.write_text(yaml.safe_dump(exp))
    return path


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sweep")
    assert main(["sweep", str(_exp(tmp)), "--out", str(tmp / "s"), "-q", "--flush-seconds", "0"]) == 0
    return tmp / "s"


@pytest.mark.parametrize("damaged", ["parts/part-000000.parquet", "design.parquet"])
def test_sweep_resume_over_a_damaged_file_names_it(capsys, swept, tmp_path, damaged):
    folder = tmp_path / "s"
    shutil.copytree(swept, folder)
    (folder / damaged).write_bytes(b"PAR1" + b"\x00" * 40)
    code, _, err = cogov(capsys, "sweep", "--resume", folder)
    refused(code, err, damaged.split("/")[-1])
    assert len(err.strip().splitlines()) == 1


def test_sweep_resume_over_a_damaged_manifest_key_names_it(capsys, swept, tmp_path):
    folder = tmp_path / "s"
    shutil.copytree(swept, folder)
    m = json.loads((folder / "manifest.json").read_text())
    m["experiment"]["outcomes"] = {"a": 1}
    (folder / "manifest.json").write_text(json.dumps(m))
    code, _, err = cogov(capsys, "sweep", "--resume", folder)
    refused(code, err, "experiment.outcomes")


def test_replay_of_a_sweep_on_two_workers_is_identical(capsys, swept, tmp_path):
    code, out, err = cogov(capsys, "replay", swept, "--workers", "2", "--out", tmp_path / "r")
    assert code == 0 and out.startswith("identical"), err


def test_replay_of_a_sweep_with_a_path_for_a_scenario_name_is_refused(capsys, swept, tmp_path):
    folder = tmp_path / "s"
    shutil.copytree(swept, folder)
    m = json.loads((folder / "manifest.json").read_text())
    m["scenarios"] = {"../../evil": next(iter(m["scenarios"].values()))}
    (folder / "manifest.json").write_text(json.dumps(m))
    code, _, err = cogov(capsys, "replay", folder, "--out", tmp_path / "r")
    refused(code, err, "'../../evil'", "path separator")
    assert not (tmp_path / "r").exists()


# ------------------------------------------------------------------------- calibrate
QUICK = {
    "name": "quick", "scenario": str(BASELINE),
    "set": {"population.residents_per_community": 500, "run.spin_up_days": 0},
    "years": 1, "replications": 1, "check_replications": 2, "trials": 1, "batch": 1, "seed": 3,
    "targets": [{"outcome": "participation_year", "band": [0.1, 0.3], "source": "T"}],
    "parameters": [{"key": "committee.hours_per_duty_item", "low": 0.1, "high": 0.2}],
}


def _cal(tmp: Path, text: str | None = None, **over) -> Path:
    p = tmp / "cal.yaml"
    p.write_text(text if text is not None else yaml.safe_dump({**QUICK, **over}), encoding="utf-8")
    return p


@pytest.mark.parametrize("over,needle", [
    ({"targets": [{"outcome": "participation_year", "band": [0.1, 0.3], "value": float("nan"),
                   "source": "T"}]}, "value of participation_year"),
    ({"targets": [{"outcome": "participation_year", "band": [0.1, 0.3], "weight": float("inf"),
                   "source": "T"}]}, "weight of participation_year"),
    ({"parameters": [{"key": "network.org_ties_per_join", "low": 3.2, "high": 3.8}]},
     "holds none"),
    ({"name": "../../outside"}, "name"),
])
def test_calibrate_refuses_bad_files_before_any_folder(capsys, tmp_path, over, needle):
    out = tmp_path / "out"
    code, _, err = cogov(capsys, "calibrate", _cal(tmp_path, **over), "--out", out)
    refused(code, err, needle)
    assert not out.exists()


def test_calibrate_refuses_a_duplicate_key(capsys, tmp_path):
    text = yaml.safe_dump(QUICK) + "years: 2\n"
    code, _, err = cogov(capsys, "calibrate", _cal(tmp_path, text), "--out", tmp_path / "out")
    refused(code, err, "duplicate key 'years'")


@pytest.mark.parametrize("flags", [["--trials", "0"], ["--trials", "-3"], ["--workers", "0"],
                                   ["--trials", "many"]])
def test_calibrate_refuses_bad_flags(capsys, tmp_path, flags):
    code, _, err = cogov(capsys, "calibrate", _cal(tmp_path), "--out", tmp_path / "out", *flags)
    refused(code, err, flags[0])
    assert not (tmp_path / "out").exists()


def test_an_integer_parameter_suggests_integers_when_its_range_holds_one():
    from sim.study.calibrate import Calibration
    with pytest.raises(ValueError, match="holds none"):
        Calibration.model_validate({**QUICK, "parameters": [
            {"key": "network.org_ties_per_join", "low": 3.2, "high": 3.8}]})
    Calibration.model_validate({**QUICK, "parameters": [
        {"key": "network.org_ties_per_join", "low": 3.2, "high": 4.0}]})


def test_calibrate_resume_refuses_a_changed_file_before_running_trials(capsys, tmp_path, monkeypatch):
    path, out = _cal(tmp_path), tmp_path / "out"
    code, _, err = cogov(capsys, "calibrate", path, "--out", out, "-q")
    assert code == 0, err
    journal = (out / "study.log").read_bytes()
    _cal(tmp_path, targets=[{"outcome": "participation_year", "band": [0.2, 0.4], "source": "T"}])
    import sim.study.calibrate as calibrate
    monkeypatch.setattr(calibrate, "_evaluate", lambda *a, **k: pytest.fail("a trial ran"))
    code, _, err = cogov(capsys, "calibrate", path, "--out", out, "--resume", "--trials", "2")
    refused(code, err, "changed", "targets")
    assert (out / "study.log").read_bytes() == journal


def test_calibrate_resume_needs_a_study(capsys, tmp_path):
    code, _, err = cogov(capsys, "calibrate", _cal(tmp_path), "--out", tmp_path / "none", "--resume")
    refused(code, err, "no study there")


def test_a_calibration_that_fails_before_its_first_trial_leaves_no_folder(capsys, tmp_path, monkeypatch):
    import sim.study.calibrate as calibrate
    from sim.config import ScenarioError

    def fail(*a, **k):
        raise ScenarioError("a calibration run failed: injected")
    monkeypatch.setattr(calibrate, "_evaluate", fail)
    out = tmp_path / "out"
    code, _, err = cogov(capsys, "calibrate", _cal(tmp_path), "--out", out)
    refused(code, err, "injected")
    assert not out.exists()  # the same --out can be used again (no study.log blocks it)


def test_calibrate_reports_an_unreachable_scheduler_before_making_its_folder(capsys, tmp_path):
    pytest.importorskip("distributed")
    out = tmp_path / "out"
    code, _, err = cogov(capsys, "calibrate", _cal(tmp_path), "--out", out, "--executor", "dask",
                         "--scheduler", "tcp://127.0.0.1:9")
    refused(code, err, "no Dask scheduler reachable")
    assert not out.exists()


# -------------------------------------------------------------------------- validate
@pytest.fixture
def no_validation_runs(monkeypatch):
    """validate must refuse before any model runs."""
    import sim.cli.validate as command
    monkeypatch.setattr(command, "validate", lambda *a, **k: pytest.fail("validate ran"))


@pytest.mark.parametrize("flags,needle", [
    (["--lever-reps", "0"], "--lever-reps"), (["--sizes", "10"], "--sizes 10"),
    (["--sizes", "2000,60000"], "--sizes 60000"), (["--years", "1"], "at least 4 years"),
    (["--years", "1,2,3"], "at least 4 years"), (["--years", "x"], "--years"),
    (["--seeds", "1"], "--seeds"), (["--workers", "0"], "--workers"), (["--years", "1,31"], "--years"),
])
def test_validate_refuses_bad_flags_before_running(capsys, no_validation_runs, flags, needle):
    code, _, err = cogov(capsys, "validate", *flags)
    refused(code, err, needle)


def test_validate_render_only_without_a_report_says_what_is_missing(capsys, tmp_path):
    code, _, err = cogov(capsys, "validate", "--render-only", "--out", tmp_path)
    refused(code, err, str(tmp_path / "VALIDATION.md"), "does not exist", "--out")


def test_validate_render_only_without_the_data_block(capsys, tmp_path):
    (tmp_path / "VALIDATION.md").write_text("# Validation report\n\nno data here\n")
    code, _, err = cogov(capsys, "validate", "--render-only", "--out", tmp_path)
    refused(code, err, "no readable data block")
    (tmp_path / "VALIDATION.md").write_text('<!-- VALIDATION DATA\n{"config": {}, "fingerprint": {}}\n-->\n')
    code, _, err = cogov(capsys, "validate", "--render-only", "--out", tmp_path)
    refused(code, err, "targets.csv", "is missing")


# -------------------------------------------------------------------------- preflight
def test_preflight_refuses_what_does_not_fit_and_says_why(monkeypatch):
    from sim.config import ScenarioError
    from sim.study import preflight
    monkeypatch.setattr(preflight, "available", lambda: (2 * 2**30, None, "the test's memory"))
    est = preflight.check(100_000, at_once=2, days=365, spin_up_days=1825)
    assert est["bytes"] == 2 * (preflight.run_bytes(100_000) + preflight.IMPORTS)
    with pytest.raises(ScenarioError, match=r"2,000,000 residents needs about 5\.\d GB.*the test's memory"):
        preflight.check(2_000_000)
    with pytest.raises(ScenarioError, match="8 runs at once"):
        preflight.check(100_000, at_once=8)
    monkeypatch.setattr(preflight, "available", lambda: (None, 2**30, ""))
    with pytest.raises(ScenarioError, match="RLIMIT_AS"):
        preflight.check(2_000_000)


def test_preflight_estimate_grows_with_the_population():
    from sim.config import load_scenario
    from sim.study.preflight import residents, run_bytes
    sc = load_scenario(BASELINE, {"population.n_communities": 4, "population.residents_per_community": 2500})
    assert residents(sc) == residents(sc.model_dump()) == 10_000
    assert run_bytes(20_000) - run_bytes(10_000) == run_bytes(10_000) - run_bytes(0) > 0


def test_compare_refused_by_the_preflight_and_run_with_no_preflight(capsys, tmp_path, monkeypatch):
    from sim.study import preflight
    monkeypatch.setattr(preflight, "available", lambda: (10 * 2**20, None, "the test's memory"))
    out = tmp_path / "c"
    code, _, err = cogov(capsys, "compare", BASELINE, GRANTS, "--reps", "2", *TINY, "--out", out)
    refused(code, err, "preflight", "--no-preflight")
    assert not out.exists()
    code, _, err = cogov(capsys, "sweep", _exp(tmp_path), "--dry-run")
    refused(code, err, "preflight")
    code, _, err = cogov(capsys, "run", BASELINE, *TINY, "--out", out, "--no-preflight", "-q")
    assert code == 0, err


LIMITED = r"""
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))
from sim.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow  # a fresh interpreter (or two workers) per case: 10-15 s under load
@pytest.mark.parametrize("command", ["run", "sweep"])
def test_two_million_residents_under_a_3_gb_limit_end_in_the_preflight(tmp_path, command):
    big = ["--set", "population.n_communities=40", "--set", "population.residents_per_community=50000"]
    argv = ["run", str(BASELINE), *big, "--out", str(tmp_path / "out")] if command == "run" else \
        ["sweep", str(_exp(tmp_path)), *big, "--dry-run"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-c", LIMITED, *argv], capture_output=True, text=True,
                       timeout=300, cwd=tmp_path, env=env)
    assert p.returncode == 2, p.stderr
    assert "preflight" in p.stderr and "2,000,000 residents" in p.stderr
    assert "Traceback" not in p.stderr and "MemoryError" not in p.stderr
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------- meaningless settings
def test_levers_that_never_switch_on(capsys, tmp_path):
    late = ["--set", "run.policy_start_day=5"]  # TINY runs 5 days: day 5 never comes
    code, _, err = cogov(capsys, "compare", BASELINE, GRANTS, "--reps", "2", *TINY, *late,
                         "--out", tmp_path / "c")
    refused(code, err, "run.policy_start_day 5", "exactly zero")
    assert not (tmp_path / "c").exists()
    code, _, err = cogov(capsys, "sweep", _exp(tmp_path), "--set", "run.policy_start_day=9",
                         "--out", tmp_path / "s")
    refused(code, err, "run.policy_start_day 9")
    assert not (tmp_path / "s").exists()
    code, _, err = cogov(capsys, "run", GRANTS, *TINY, *late, "--out", tmp_path / "r", "-q")
    assert code == 0 and "warning: run.policy_start_day 5" in err


@pytest.mark.parametrize("weight", ["nan", "inf", "-1", "NaN"])
def test_an_edge_list_with_a_bad_weight_is_refused_with_file_and_line(capsys, tmp_path, weight):
    edges = tmp_path / "net.txt"
    lines = ["# a user's network", ""] + [f"{i} {(i + 1) % 500} 1.0" for i in range(500)]
    lines[7] = f"5 6 {weight}"
    edges.write_text("\n".join(lines) + "\n")
    code, _, err = cogov(capsys, "run", BASELINE, *TINY, "--set", f"network.edge_list={edges}",
                         "--out", tmp_path / "r")
    refused(code, err, str(edges), "line 8", "weight")
    assert not (tmp_path / "r").exists()


def test_an_edge_list_with_a_fractional_id_is_refused(capsys, tmp_path):
    edges = tmp_path / "net.csv"
    edges.write_text("0,1\n1,2.5\n")
    code, _, err = cogov(capsys, "run", BASELINE, *TINY, "--set", f"network.edge_list={edges}")
    refused(code, err, "line 2", "node ids")


# ----------------------------------------------------------------------- leftovers
def _immutable(path: Path) -> bool:
    return shutil.which("chattr") is not None and subprocess.run(
        ["chattr", "+i", str(path)], capture_output=True).returncode == 0


def test_an_immutable_out_is_refused_before_the_run_and_leaves_nothing(capsys, tmp_path, monkeypatch):
    out = tmp_path / "frozen"
    out.mkdir()
    if not _immutable(out):
        pytest.skip("chattr +i is not available here (needs root and a file system with flags)")
    try:
        import sim.study.runner as runner
        monkeypatch.setattr(runner, "run_one", lambda *a, **k: pytest.fail("the run started"))
        code, _, err = cogov(capsys, "run", BASELINE, *TINY, "--out", out)
        refused(code, err, str(out), "cannot be replaced")
        assert hidden_leftovers(tmp_path) == []
    finally:
        subprocess.run(["chattr", "-i", str(out)], check=True)


def test_a_failed_final_rename_leaves_no_hidden_build_folder(capsys, tmp_path, monkeypatch):
    import sim.study.results as results
    real = os.replace

    def refuse_final(src, dst):
        if Path(dst).name == "r":
            raise PermissionError(1, "Operation not permitted", str(dst))
        return real(src, dst)
    monkeypatch.setattr(results.os, "replace", refuse_final)
    code, _, err = cogov(capsys, "run", BASELINE, *TINY, "--out", tmp_path / "r", "-q")
    assert code == 1 and "Operation not permitted" in err and "Traceback" not in err
    assert hidden_leftovers(tmp_path) == [] and not (tmp_path / "r").exists()


def test_a_too_long_name_leaves_no_results_folder(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = cogov(capsys, "run", BASELINE, *TINY, "--out", "results/" + "x" * 300)
    refused(code, err, "a name in the path has 300 bytes")
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_names_the_file(capsys, tmp_path, monkeypatch):
    import errno

    import pandas as pd

    def full(self, *a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    code, _, err = cogov(capsys, "run", BASELINE, *TINY, "--out", tmp_path / "r")
    assert code == 1 and "Traceback" not in err
    assert "timeseries.parquet" in err and "No space left on device" in err
    assert hidden_leftovers(tmp_path) == [] and not (tmp_path / "r").exists()


def test_an_unreachable_scheduler_is_said_before_the_sweep_is_planned(capsys, tmp_path):
    pytest.importorskip("distributed")
    out = tmp_path / "s"
    code, _, err = cogov(capsys, "sweep", _exp(tmp_path), "--executor", "dask",
                         "--scheduler", "tcp://127.0.0.1:9", "--out", out)
    refused(code, err, "no Dask scheduler reachable at 127.0.0.1:9")
    assert not out.exists()


# ------------------------------------------------------------------------- extends
def test_an_extends_chain_of_64_files_loads_and_65_are_refused(tmp_path):
    from sim.config import MAX_EXTENDS, ScenarioError, load_scenario
    assert MAX_EXTENDS == 64
    (tmp_path / "f1.yaml").write_text("population: {residents_per_community: 500}\n")
    for i in range(2, 66):
        (tmp_path / f"f{i}.yaml").write_text(f"extends: f{i - 1}.yaml\nmeta: {{name: f{i}}}\n")
    sc = load_scenario(tmp_path / "f64.yaml")  # f64 -> f63 -> ... -> f1: 64 files
    assert sc.meta.name == "f64" and sc.population.residents_per_community == 500
    with pytest.raises(ScenarioError, match="more than 64 files"):
        load_scenario(tmp_path / "f65.yaml")


def test_replay_runs_the_preflight(capsys, compared, monkeypatch):
    from sim.study import preflight
    monkeypatch.setattr(preflight, "available", lambda: (10 * 2**20, None, "the test's memory"))
    code, out, err = cogov(capsys, "replay", compared / "cmp")
    refused(code, err, "preflight", "the test's memory")
    assert "identical" not in out
