"""`cogov run`: output files written atomically, byte-identical summaries for one seed, and
user mistakes answered with exit code 2 and a message naming the file and key (no traceback)."""

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
_script = Path(sys.executable).parent / "cogov"
COGOV = [str(_script)] if _script.exists() else [sys.executable, "-m", "sim"]
FILES = {"timeseries.parquet", "summary.json", "dispute_survival.csv", "manifest.json"}

# the command's plumbing, not the settled model: a short spin-up
TINY = """\
meta:
  name: tiny
run:
  days: 30
  spin_up_days: 30
population:
  residents_per_community: 600
"""


def start(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([*COGOV, *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)


def finish(proc):
    out, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def cogov(*args):
    return finish(start(*args))


def in_process(*args):
    """The same command through ``sim.cli.main`` (faster than a new interpreter)."""
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            rc = main([str(a) for a in args])
        except SystemExit as exc:  # argparse's usage errors
            rc = exc.code
    return subprocess.CompletedProcess(args, rc, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def scen(tmp_path_factory):
    d = tmp_path_factory.mktemp("scen")
    f = d / "tiny.yaml"
    f.write_text(TINY)
    return f


@pytest.fixture(scope="module")
def runs(scen, tmp_path_factory):
    """Three runs: seed 3 twice (to different directories), seed 4 once with --set."""
    out = tmp_path_factory.mktemp("out")
    # two separate interpreters, side by side
    pa = start("run", scen, "--seed", 3, "--days", 20, "--out", out / "a")
    pb = start("run", scen, "--seed", 3, "--days", 20, "--out", out / "b")
    a, b = finish(pa), finish(pb)
    c = in_process("run", scen, "--seed", 4, "--set", "committee.pushed_down_duty_items=97",
                   "--set", "deliberation.format=open_space", "--out", out / "c")
    return out, a, b, c


def test_run_writes_the_three_files(runs):
    out, a, b, c = runs
    for proc in (a, b, c):
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
    assert "Participation" in a.stdout and "Files in" in a.stdout
    for name in "abc":
        assert {p.name for p in (out / name).iterdir()} == FILES
    # atomic: no temporary files or directories left beside the results
    assert sorted(p.name for p in out.iterdir()) == ["a", "b", "c"]


def test_outputs_are_complete(runs):
    out, *_ = runs
    ts = pd.read_parquet(out / "a" / "timeseries.parquet")
    assert len(ts) == 20  # --days
    assert ts["day"].tolist() == list(range(20))
    summary = json.loads((out / "a" / "summary.json").read_text())
    assert summary["seed"] == 3 and summary["days"] == 20 and summary["residents"] == 600
    manifest = json.loads((out / "a" / "manifest.json").read_text())
    assert manifest["seed"] == 3
    assert manifest["scenario"]["run"]["days"] == 20
    assert manifest["scenario"]["meta"]["name"] == "tiny"
    assert manifest["config_hash"] and manifest["versions"]["mesa"]


def test_same_scenario_and_seed_give_identical_outputs(runs):
    out, *_ = runs
    assert (out / "a" / "summary.json").read_bytes() == (out / "b" / "summary.json").read_bytes()
    pd.testing.assert_frame_equal(pd.read_parquet(out / "a" / "timeseries.parquet"),
                                  pd.read_parquet(out / "b" / "timeseries.parquet"))
    assert (out / "a" / "summary.json").read_bytes() != (out / "c" / "summary.json").read_bytes()


def test_set_overrides_reach_the_run(runs):
    out, *_ = runs
    manifest = json.loads((out / "c" / "manifest.json").read_text())
    assert manifest["scenario"]["committee"]["pushed_down_duty_items"] == 97
    assert manifest["scenario"]["deliberation"]["format"] == "open_space"
    assert manifest["overrides"] == ["committee.pushed_down_duty_items=97",
                                     "deliberation.format=open_space"]
    assert manifest["scenario"]["run"]["days"] == 30  # from the file when --days is not given
    assert len(pd.read_parquet(out / "c" / "timeseries.parquet")) == 30


def test_run_refuses_a_non_empty_out_unless_forced(scen, tmp_path):
    out = tmp_path / "r"
    out.mkdir()
    (out / "stale.txt").write_text("old")
    proc = in_process("run", scen, "--seed", 1, "--days", 3, "--out", out)
    assert proc.returncode == 2 and "not empty" in proc.stderr and "--force" in proc.stderr
    assert {p.name for p in out.iterdir()} == {"stale.txt"}
    proc = in_process("run", scen, "--seed", 1, "--days", 3, "--out", out, "--force")
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in out.iterdir()} == FILES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


# ------------------------------------------------------------------------------ mistakes
def _bad(tmp_path, name, text):
    f = tmp_path / name
    f.write_text(text)
    return f


CASES = {
    "unknown_key": ("committee:\n  pushed_down_items: 97\n", [], ["committee.pushed_down_items",
                                                                 "pushed_down_duty_items"]),
    "wrong_type": ("committee:\n  plaques: many\n", [], ["committee.plaques", "int"]),
    "out_of_bounds": ("population:\n  migrant_share: 2\n", [], ["population.migrant_share", "<= 1.0"]),
    "invalid_yaml": ("committee: [1,\n", [], ["not valid YAML"]),
    "bad_set": (TINY, ["--set", "committee.pushed_down_duty_items=-5"],
                ["--set", "committee.pushed_down_duty_items", ">= 0"]),
    "set_without_value": (TINY, ["--set", "committee.plaques"], ["committee.plaques", "key.path=value"]),
    "days_zero": (TINY, ["--days", "0"], ["--days"]),
    "days_too_many": (TINY, ["--days", "99999"], ["days", "36500"]),
    "extends_cycle": ("extends: extends_cycle.yaml\n", [], ["cycle"]),
    "extends_missing": ("extends: nowhere.yaml\n", [], ["nowhere.yaml: no such file", "'extends"]),
    "cross_field": ("grants:\n  amount_min_yuan: 5000\n  amount_max_yuan: 1000\n", [],
                    ["grants.amount_min_yuan", "must not exceed"]),
    "set_typo": (TINY, ["--set", "comittee.staff_per_10k=3"], ["did you mean 'committee'"]),
    "set_dict_typo": (TINY, ["--set", "disputes.channel_skill.volunter=0.5"],
                      ["disputes.channel_skill.volunter", "did you mean 'volunteer'"]),
}


def _check(proc, f, out, words, names_file=True):
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: ")
    if names_file:
        assert str(f) in proc.stderr
    for w in words:
        assert w in proc.stderr, (w, proc.stderr)
    assert "\n\n" not in proc.stderr.strip()  # one paragraph
    assert not out.exists()


NOT_ABOUT_THE_FILE = ("days_zero", "days_too_many", "set_without_value")


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_exits_2_with_a_clear_message(tmp_path, case):
    text, extra, words = CASES[case]
    f = _bad(tmp_path, f"{case}.yaml", text)
    out = tmp_path / "out"
    _check(in_process("run", f, *extra, "--out", out), f, out, words, case not in NOT_ABOUT_THE_FILE)


@pytest.mark.parametrize("case", ["unknown_key"])
def test_bad_input_from_the_command_line(tmp_path, case):
    """The real executable: exit status 2 and no traceback on stderr."""
    text, extra, words = CASES[case]
    f = _bad(tmp_path, f"{case}.yaml", text)
    out = tmp_path / "out"
    _check(cogov("run", f, *extra, "--out", out), f, out, words, case not in NOT_ABOUT_THE_FILE)


def test_partial_dict_override_runs(tmp_path):
    out = tmp_path / "out"
    proc = in_process("run", ROOT / "scenarios" / "baseline.yaml", "--days", 5,
                      "--set", "population.residents_per_community=200", "--set", "run.spin_up_days=30",
                      "--set", "disputes.channel_skill.volunteer=0.5", "--out", out)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["disputes"]["channel_skill"]["volunteer"] == 0.5
    assert manifest["scenario"]["disputes"]["channel_skill"]["street"] == 0.8


def test_missing_scenario_file(tmp_path):
    missing = tmp_path / "nope.yaml"
    out = tmp_path / "out"
    _check(in_process("run", missing, "--out", out), missing, out, ["no such file"])


def test_user_network_of_the_wrong_size(tmp_path):
    edges = tmp_path / "net.csv"
    edges.write_text("".join(f"{i},{i + 1}\n" for i in range(99)))  # 100 nodes
    f = _bad(tmp_path, "s.yaml", TINY + f"network:\n  edge_list: {edges}\n")
    out = tmp_path / "out"
    proc = cogov("run", f, "--out", out)
    _check(proc, edges, out, ["100 nodes", "600"])
