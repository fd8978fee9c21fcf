"""The researcher's toolkit (issue 12): strict input, output folders, replay, params, sizing
sweeps from the command line, and a local Dask cluster nobody else can reach."""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import signal
import subprocess
import sys
import time
import types
import typing
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim import cli
from sim.config import ScenarioError, load_scenario
from sim.params import ITEM_BOUNDS, Scenario, iter_parameters

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
# the commands' plumbing, not the settled model: a short spin-up
TINY = "meta: {name: tiny}\nrun: {days: 5, spin_up_days: 30}\npopulation: {residents_per_community: 300}\n"


def call(*args):
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            rc = cli.main([str(a) for a in args])
        except SystemExit as exc:
            rc = exc.code
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture
def tiny(tmp_path):
    f = tmp_path / "tiny.yaml"
    f.write_text(TINY)
    return f


# ------------------------------------------------------------------------ strict values
def _wrong_values(field):
    ann = field.annotation
    args = typing.get_args(ann)
    if type(None) in args and len(args) == 2 and ann != (str | None):
        # optional: none is a valid value, every wrong value of the other type is not
        inner = next(a for a in args if a is not type(None))
        return [v for v in _wrong_values(types.SimpleNamespace(annotation=inner)) if v is not None]
    if ann in (int, float):
        return [True, "7", math.nan, math.inf, -math.inf, 1e300, -1e300, [1], {"a": 1}]
    if ann is bool:
        return [1, "yes", 0.0, [True]]
    if ann is str or ann == (str | None):
        return [5, 1.5, True, ["a"], "x" * 20_000]
    if getattr(ann, "__origin__", None) is list:
        return [[], [math.nan], [-1e9], "text", [[1]], list(range(2000))]
    if getattr(ann, "__origin__", None) is dict:
        return [{"nope": 1.0}, [1], "text"]
    return [5, "not-a-choice", None, [1]]


@pytest.mark.slow
def test_every_field_refuses_wrong_values_with_a_message():
    """Walk every parameter of the schema with wrong values: each is a ScenarioError naming
    the key (never another exception, never accepted)."""
    checked = 0
    for path, field, _ in iter_parameters():
        for bad in _wrong_values(field):
            if path == "meta.sources" and bad in ([],):
                continue  # no sources is fine
            with pytest.raises(ScenarioError) as exc:
                load_scenario(BASELINE, {path: bad})
            assert path in str(exc.value) or path.rsplit(".", 1)[0] in str(exc.value), (path, bad)
            checked += 1
    assert checked > 500


def test_integral_floats_are_taken_for_integers_and_rounding_helper():
    from sim.study.paramlist import round_to_schema
    s = load_scenario(BASELINE, {"committee.pushed_down_duty_items": 150.0})
    assert s.committee.pushed_down_duty_items == 150
    with pytest.raises(ScenarioError, match="pushed_down_duty_items"):
        load_scenario(BASELINE, {"committee.pushed_down_duty_items": 150.3})
    point = round_to_schema({"committee.pushed_down_duty_items": 150.3, "behaviour.w_trust": 1.27,
                             "moral.recognition": 0.7})
    assert point == {"committee.pushed_down_duty_items": 150, "behaviour.w_trust": 1.27,
                     "moral.recognition": True}
    assert load_scenario(BASELINE, point).committee.pushed_down_duty_items == 150


def test_every_list_or_mapping_parameter_has_entry_bounds():
    listed = {p for p, f, _ in iter_parameters()
              if getattr(f.annotation, "__origin__", None) in (list, dict)
              and isinstance(f.default, (list, dict)) and f.default
              and all(isinstance(v, (int, float)) for v in
                      (f.default.values() if isinstance(f.default, dict) else f.default))}
    assert listed == set(ITEM_BOUNDS)


@pytest.mark.parametrize("text, words", [
    ("committee:\n  plaques: 3\n  plaques: 4\n", ["line 3", "duplicate key 'plaques'"]),
    ("committee: {plaques: 3}\ncommittee: {staff_per_10k: 4}\n", ["duplicate key 'committee'"]),
    ("", ["the file is empty"]),
    ("# nothing but a comment\n", ["the file is empty"]),
    ("x: " + "[" * 200 + "]" * 200 + "\n", ["nested more than"]),
    ("a: &a {k: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}\n"
     + "".join(f"a{i}: &a{i} {{" + ", ".join(f"k{j}: *a{i - 1 if i > 1 else ''}" for j in range(10))
               + "}\n" for i in range(1, 9)), ["aliases"]),
])
def test_yaml_mistakes_are_refused(tmp_path, text, words):
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(f)
    for w in words:
        assert w in str(exc.value)


def test_long_extends_chain_is_refused(tmp_path):
    (tmp_path / "f0.yaml").write_text("meta: {name: x}\n")
    for i in range(1, 200):
        (tmp_path / f"f{i}.yaml").write_text(f"extends: f{i - 1}.yaml\n")
    with pytest.raises(ScenarioError, match="chains more than"):
        load_scenario(tmp_path / "f199.yaml")


# --------------------------------------------------------------------- the command line
@pytest.mark.parametrize("args, words", [
    (["run", "{tiny}", "--seed", "-1"], ["--seed", "from 0"]),
    (["run", "{tiny}", "--seed", str(2**70)], ["--seed"]),
    (["run", "{tiny}", "--days", "100000"], ["--days"]),
    (["compare", "{tiny}", "{tiny}", "--days", "100000"], ["--days"]),
    (["compare", "{tiny}", "{tiny}", "--seed", str(2**70)], ["--seed"]),
    (["sweep", "--resume", "{tmp}/nowhere"], ["no such folder"]),
    (["params", "--section", "nope"], ["no such section"]),
])
def test_cli_mistakes_are_one_line_errors(tmp_path, tiny, args, words):
    rc, out, err = call(*(a.format(tiny=tiny, tmp=tmp_path) for a in args))
    assert rc == 2 and err.startswith("error: ") and "Traceback" not in err, err
    for w in words:
        assert w in err


def test_out_that_is_a_file_or_locked_is_refused(tmp_path, tiny):
    f = tmp_path / "afile"
    f.write_text("keep me")
    rc, _, err = call("run", tiny, "--out", f)
    assert rc == 2 and "is a file" in err and f.read_text() == "keep me"
    rc, _, err = call("compare", tiny, tiny, "--reps", 2, "--out", f / "sub")
    assert rc == 2 and "is a file" in err
    from sim.study.results import OutputLock
    with OutputLock(tmp_path / "busy"):  # another process holds it (flock is per open file)
        proc = subprocess.run([sys.executable, "-m", "sim", "run", str(tiny), "--out",
                               str(tmp_path / "busy")], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "another cogov process is writing there" in proc.stderr


def test_leftovers_of_a_killed_run_are_cleaned_and_files_follow_the_umask(tmp_path, tiny):
    out = tmp_path / "r"
    (tmp_path / ".r.abc123").mkdir()  # a killed run's build folder
    (tmp_path / ".r.old").mkdir()
    old = os.umask(0o022)
    try:
        rc, _, err = call("run", tiny, "--out", out, "--format", "csv", "-q")
    finally:
        os.umask(old)
    assert rc == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r", "tiny.yaml"]
    assert (out.stat().st_mode & 0o777) == 0o755
    assert ((out / "summary.json").stat().st_mode & 0o777) == 0o644
    assert pd.read_csv(out / "timeseries.csv").equals(pd.read_parquet(out / "timeseries.parquet"))


def test_version_help_examples_and_quiet_pipe(tiny):
    rc, out, _ = call("--version")
    assert rc == 0 and out.startswith("cogov ")
    for command in ("run", "compare", "sweep", "report", "replay", "params"):
        rc, out, _ = call(command, "--help")
        assert rc == 0 and "example:" in out and "%%" not in out, command
    # a closed pipe: no traceback
    exe = Path(sys.executable).parent / "cogov"
    cmd = f"'{exe}' params | head -2" if exe.exists() else f"'{sys.executable}' -m sim params | head -2"
    proc = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, cwd=ROOT)
    assert "Traceback" not in proc.stderr and "Error" not in proc.stderr
    assert len(proc.stdout.splitlines()) == 2


def test_params_lists_every_parameter():
    rc, out, _ = call("params", "--format", "json")
    rows = json.loads(out)
    assert len(rows) == len(list(iter_parameters()))
    duty = next(r for r in rows if r["key"] == "committee.pushed_down_duty_items")
    assert duty["role"] == "lever" and duty["default"] == 200 and duty["min"] == 0 \
        and duty["max"] == 1000 and duty["unit"] == "items" and duty["source"]
    rc, out, _ = call("params", "--role", "lever", "--format", "csv")
    lines = out.splitlines()
    assert lines[0].startswith("key,section,role") and all(",lever," in line for line in lines[1:])
    rc, out, _ = call("params", "--section", "legal")
    assert "legal.lawyer_hours_per_week" in out and "committee." not in out


# ------------------------------------------------------------------------------ replay
def test_run_manifest_records_versions_and_replays_identically(tmp_path, tiny):
    out = tmp_path / "r"
    assert call("run", tiny, "--seed", 5, "--out", out, "-q")[0] == 0
    m = json.loads((out / "manifest.json").read_text())
    assert m["command_line"].startswith("cogov run ") and "--seed 5" in m["command_line"]
    for pkg in ("numpy", "numba", "llvmlite", "mesa", "pandas", "pyarrow", "scipy"):
        assert m["versions"][pkg]
    assert m["cogov_version"] and len(m["source_sha256"]) == 64 and "git_commit" in m
    rc, text, err = call("replay", out / "manifest.json", "--out", tmp_path / "again")
    assert rc == 0 and text.startswith("identical"), (text, err)
    # a changed result is noticed
    s = json.loads((out / "summary.json").read_text())
    s["participation_year"] = 0.123
    (out / "summary.json").write_text(json.dumps(s))
    rc, text, _ = call("replay", out)
    assert rc == 1 and "DIFFERENT" in text and "participation_year" in text


def test_compare_and_sweep_manifests_replay(tmp_path, tiny):
    c = tmp_path / "c"
    assert call("compare", tiny, tiny, "--reps", 2, "--out", c, "--no-figures", "-q")[0] == 0
    assert call("replay", c)[1].startswith("identical")
    exp = tmp_path / "e.yaml"
    exp.write_text(yaml.safe_dump({"name": "e", "scenario": "tiny.yaml", "replications": 1,
                                   "levers": {"grants.contests_per_year": {"values": [0, 2]}},
                                   "outcomes": ["participation_year"]}))
    s = tmp_path / "s"
    assert call("sweep", exp, "--out", s, "--no-progress", "-q")[0] == 0
    m = json.loads((s / "manifest.json").read_text())
    assert m["versions"]["numba"] and m["cogov_version"]
    assert call("replay", s)[1].startswith("identical")


# ------------------------------------------------------------------------ sweep sizing
def test_sweep_sized_from_the_command_line_and_dry_run(tmp_path, tiny):
    # a copied experiment: its relative scenario path resolves against its own folder
    sub = tmp_path / "copied"
    sub.mkdir()
    (sub / "tiny.yaml").write_text(TINY)
    exp = sub / "e.yaml"
    exp.write_text(yaml.safe_dump({"name": "e", "scenario": "tiny.yaml", "replications": 3,
                                   "levers": {"grants.contests_per_year": {"values": [0, 1, 2]}}}))
    rc, out, err = call("sweep", exp, "--reps", 2, "--days", 3, "--set",
                        "population.residents_per_community=200", "--dry-run")
    assert rc == 0, err
    assert "3 points x 2 replications = 6 runs" in out and "grants.contests_per_year" in out
    assert "estimate:" in out and "nothing was written" in out
    # the estimate's basis: the spin-up (TINY's 30 days) and the 3 reported days are scaled
    # apart, and they add up to the per-run figure
    import re
    m = re.search(r"estimate: ([\d.]+) s a run.*\n  basis: building ([\d.]+) s \+ ([\d,]+) "
                  r"spin-up days x ([\d.]+) ms \+ ([\d,]+) reported days x ([\d.]+) ms", out)
    assert m, out
    per_run, build, spin, spin_ms, days, day_ms = (float(g.replace(",", "")) for g in m.groups())
    assert (spin, days) == (30, 3)
    assert per_run == pytest.approx(build + spin * spin_ms / 1000 + days * day_ms / 1000, abs=0.02)
    assert not (ROOT / "results").exists() or not any((ROOT / "results").glob("sweep_e_*"))
    s = tmp_path / "s"
    assert call("sweep", exp, "--reps", 2, "--days", 3, "--set",
                "population.residents_per_community=200", "--out", s, "--no-progress", "-q",
                "--format", "csv")[0] == 0
    runs = pd.read_parquet(s / "runs.parquet")
    assert len(runs) == 6 and runs["days"].eq(3).all() and runs["residents"].eq(200).all()
    assert (s / "runs.csv").exists()
    m = json.loads((s / "manifest.json").read_text())
    assert "--reps 2" in m["command_line"] and "--days 3" in m["command_line"]


def test_batch_sizing_estimate_counts_the_spin_up():
    from sim.study.parallel import Task, estimate_seconds
    pop = {"residents_per_community": 5000}
    no_spin = Task(0, {"population": pop, "run": {"days": 365, "spin_up_days": 0}}, 1)
    default = Task(0, {"population": pop, "run": {"days": 365}}, 1)
    from sim.params import Run
    years = 1 + Run().spin_up_days / 365  # the default spin-up, then the reported year
    assert estimate_seconds(default) - 0.2 == pytest.approx(years * (estimate_seconds(no_spin) - 0.2))


def test_huge_designs_are_refused_before_expansion(tmp_path, tiny):
    exp = tmp_path / "e.yaml"
    vals = {"values": list(range(1000))}
    exp.write_text(yaml.safe_dump({"name": "e", "scenario": "tiny.yaml",
                                   "levers": {"committee.plaques": {"values": list(range(500))},
                                              "committee.pushed_down_duty_items": vals,
                                              "grants.contests_per_year": {"values": list(range(13))}}}))
    rc, _, err = call("sweep", exp, "--dry-run")
    assert rc == 2 and "6,500,000 runs" in err and "at most 1,000,000" in err
    exp.write_text(yaml.safe_dump({"name": "e", "scenario": "tiny.yaml", "replications": 10000,
                                   "uncertainties": {"behaviour.w_trust": {"low": 0, "high": 2}},
                                   "design": {"type": "sobol", "samples": 2**19}}))
    rc, _, err = call("sweep", exp, "--dry-run")
    assert rc == 2 and "runs" in err and "at most" in err


@pytest.mark.parametrize("body, words", [
    ({"design": {"type": "points", "points": []}}, ["'points' is empty"]),
    ({"scenario": []}, ["empty list"]),
    ({"levers": {"committee.plaques": {"values": [0, "two"]}}}, ["committee.plaques"]),
    ({"levers": {"behaviour.w_trust": {"low": 0, "high": math.inf}}}, ["finite"]),
    ({"replications": "5"}, ["replications"]),
])
def test_bad_experiment_files_are_one_line_errors(tmp_path, tiny, body, words):
    data = {"name": "e", "scenario": "tiny.yaml",
            "levers": {"grants.contests_per_year": {"values": [0, 1]}}}
    data.update(body)
    exp = tmp_path / "e.yaml"
    exp.write_text(yaml.safe_dump(data))
    rc, _, err = call("sweep", exp, "--dry-run")
    assert rc == 2 and err.startswith("error: ") and "Traceback" not in err, err
    for w in words:
        assert w in err


def test_resume_with_a_damaged_manifest(tmp_path):
    d = tmp_path / "s"
    d.mkdir()
    (d / "manifest.json").write_text('{"command": "sweep", "sta')
    rc, _, err = call("sweep", "--resume", d)
    assert rc == 2 and "damaged" in err


# ------------------------------------------------------------------ processes and Dask
@pytest.mark.slow
def test_local_workers_die_with_cogov(tmp_path):
    """kill -9 of the sweep process takes its forkserver and workers with it."""
    import psutil
    exp = tmp_path / "e.yaml"
    exp.write_text(yaml.safe_dump({
        "name": "e", "scenario": str(BASELINE), "replications": 20, "days": 3650,
        "set": {"population.residents_per_community": 3000},
        "levers": {"grants.contests_per_year": {"values": [0, 1]}}}))
    proc = subprocess.Popen([sys.executable, "-m", "sim", "sweep", str(exp), "--out",
                             str(tmp_path / "s"), "--workers", "2", "--no-progress"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 120
    kids: list = []
    while time.monotonic() < deadline and len(kids) < 3:  # forkserver + 2 workers
        kids = parent.children(recursive=True)
        time.sleep(0.1)
    assert len(kids) >= 3, "workers never started"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    gone, alive = psutil.wait_procs(kids, timeout=30)
    assert not alive, [p.pid for p in alive]


def _dask_probe(q):
    import socket

    import psutil
    from distributed import Client
    from distributed.security import Security

    from sim.study.parallel import dask_client
    with dask_client(2) as client:
        address = client.scheduler.address
        me = psutil.Process()
        ports = {c.laddr.port for p in [me, *me.children(recursive=True)]
                 for c in p.net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN}
        http = []
        for port in ports:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(b"GET /health HTTP/1.0\r\n\r\n")
                try:
                    http.append(s.recv(64).startswith(b"HTTP"))
                except OSError:
                    http.append(False)
        results = {"address": address, "ports": len(ports), "http": any(http)}
        for name, kw in (("plain", {"address": address.replace("tls://", "tcp://")}),
                         ("other_credentials", {"address": address,
                                                "security": Security.temporary()})):
            try:
                Client(**kw, timeout=5).close()
                results[name] = "connected"
            except Exception:
                results[name] = "refused"
        results["sum"] = client.submit(sum, [1, 2, 3]).result()
    q.put(results)


@pytest.mark.slow
def test_local_dask_cluster_uses_tls_and_serves_no_http():
    import multiprocessing as mp
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_dask_probe, args=(q,))
    p.start()
    results = q.get(timeout=240)
    p.join(60)
    assert results["address"].startswith("tls://127.0.0.1:")
    assert results["ports"] >= 1 and not results["http"]
    assert results["plain"] == "refused" and results["other_credentials"] == "refused"
    assert results["sum"] == 6


def test_dask_without_the_extra_says_how_to_install(monkeypatch, tmp_path, tiny):
    import builtins
    real = builtins.__import__

    def fake(name, *a, **kw):
        if name.split(".")[0] == "distributed":
            raise ImportError("no distributed", name="distributed")
        return real(name, *a, **kw)

    monkeypatch.setattr(builtins, "__import__", fake)
    exp = tmp_path / "e.yaml"
    exp.write_text(yaml.safe_dump({"name": "e", "scenario": "tiny.yaml",
                                   "levers": {"grants.contests_per_year": {"values": [0, 1]}}}))
    rc, _, err = call("sweep", exp, "--executor", "dask")
    assert rc == 2 and "cogov[cluster]" in err
