"""cogov sweep: experiment files, design expansion, resume after a kill, determinism across
workers and executors, failed runs, error messages."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import cli
from sim.config import ScenarioError
from sim.study.experiment import dispatch_order, expand, load_experiment
from sim.study.sweep import done_run_ids, plan, run

ROOT = Path(__file__).resolve().parent.parent
BASELINE = str(ROOT / "scenarios" / "baseline.yaml")
# plumbing, not the model: a short spin-up (the model's own tests cover the default one)
SMALL = {"population.residents_per_community": 800, "run.spin_up_days": 30}


def main(argv: list[str]) -> int:
    """``cogov ARGV`` in this process (sim.cli.main)."""
    return cli.main(argv)


def write_exp(tmp: Path, name: str = "exp", **over) -> Path:
    exp = {"name": name, "scenario": BASELINE, "set": dict(SMALL), "days": 30,
           "levers": {"committee.pushed_down_duty_items": {"values": [200, 97, 30]},
                      "grants.contests_per_year": {"values": [0, 2]}},
           "replications": 8, "seed": 3,
           "outcomes": ["participation_year", "disputes_opened", "trust_mean", "seed"]}
    exp.update(over)
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(exp))
    return path


def results(d: Path) -> pd.DataFrame:
    return pd.read_parquet(d / "runs.parquet")


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted sweep with one local worker (48 runs)."""
    tmp = tmp_path_factory.mktemp("ref")
    out = plan(write_exp(tmp), tmp / "ref")
    run(out, workers=1, progress=False)
    return results(out)


# ------------------------------------------------------------------------ design expansion
def test_factorial_counts_and_table(tmp_path):
    path = write_exp(tmp_path, scenario=[BASELINE, BASELINE.replace("baseline", "./baseline")])
    exp = load_experiment(path)
    table, bases, _ = expand(exp, path)
    assert len(bases) == 2
    assert len(table) == 2 * 3 * 2 * 8  # scenarios x levels x levels x replications
    assert table["run_id"].tolist() == list(range(len(table)))
    assert table.groupby("point_id").size().eq(8).all()
    assert set(table["committee.pushed_down_duty_items"]) == {200, 97, 30}
    assert table["seed"].nunique() == len(table)  # one seed per run id


def test_levels_range_and_common_random_numbers(tmp_path):
    path = write_exp(tmp_path, levers={},
                     uncertainties={"behaviour.w_social": {"low": 1.0, "high": 3.0, "levels": 5}},
                     replications=3, common_random_numbers=True)
    table, _, _ = expand(load_experiment(path), path)
    assert sorted(table["behaviour.w_social"].unique()) == [1.0, 1.5, 2.0, 2.5, 3.0]
    assert table.groupby("rep")["seed"].nunique().eq(1).all()  # CRN: seed per replication


def test_lhs_within_bounds(tmp_path):
    path = write_exp(tmp_path, replications=1, design={"type": "lhs", "samples": 40},
                     uncertainties={"behaviour.w_social": {"low": 1.0, "high": 3.0}},
                     levers={"committee.pushed_down_duty_items": {"low": 50, "high": 200}})
    table, _, _ = expand(load_experiment(path), path)
    assert len(table) == 40
    assert table["behaviour.w_social"].between(1.0, 3.0).all()
    assert table["committee.pushed_down_duty_items"].between(50, 200).all()
    assert pd.api.types.is_integer_dtype(table["committee.pushed_down_duty_items"])
    # Latin hypercube: one sample in each of the 40 strata
    strata = np.floor((table["behaviour.w_social"] - 1.0) / 2.0 * 40).clip(0, 39)
    assert strata.nunique() == 40


@pytest.mark.parametrize("second,expected", [(False, 16 * (3 + 2)), (True, 16 * (2 * 3 + 2))])
def test_sobol_sample_size(tmp_path, second, expected):
    unc = {"behaviour.w_social": {"low": 1, "high": 3}, "behaviour.w_trust": {"low": 0.5, "high": 2},
           "behaviour.w_fatigue": {"low": 1, "high": 4}}
    path = write_exp(tmp_path, levers={}, uncertainties=unc, replications=2,
                     design={"type": "sobol", "samples": 16, "calc_second_order": second})
    table, _, _ = expand(load_experiment(path), path)
    assert table["point_id"].nunique() == expected
    assert len(table) == 2 * expected


def test_morris_sample_size(tmp_path):
    unc = {f"behaviour.{k}": {"low": 0.5, "high": 2.0}
           for k in ("w_social", "w_trust", "w_fatigue", "w_invited")}
    path = write_exp(tmp_path, levers={}, uncertainties=unc, replications=1,
                     design={"type": "morris", "samples": 6, "num_levels": 4})
    table, _, _ = expand(load_experiment(path), path)
    assert len(table) == 6 * (4 + 1)


def test_csv_points_and_oat(tmp_path):
    (tmp_path / "pts.csv").write_text("committee.pushed_down_duty_items,incubation.hub\n"
                                      "200,false\n97,true\n50,true\n")
    path = write_exp(tmp_path, levers={}, replications=2, design={"type": "points", "csv": "pts.csv"})
    table, _, _ = expand(load_experiment(path), path)
    assert len(table) == 6
    assert table.drop_duplicates("point_id")["incubation.hub"].tolist() == [False, True, True]
    path = write_exp(tmp_path, name="oat", replications=1, design={"type": "oat"})
    table, _, _ = expand(load_experiment(path), path)
    assert table["label"].tolist() == ["base"] + ["committee.pushed_down_duty_items"] * 3 \
        + ["grants.contests_per_year"] * 2
    base = table.iloc[0]
    assert base["committee.pushed_down_duty_items"] == 200 and base["grants.contests_per_year"] == 0


def test_dispatch_order_interleaves(tmp_path):
    path = write_exp(tmp_path)
    table, _, _ = expand(load_experiment(path), path)
    order = dispatch_order(table)
    assert sorted(order) == list(range(len(table)))
    first = table.set_index("run_id").loc[order[:6]]
    assert first["point_id"].nunique() == 6 and (first["rep"] == 0).all()  # rep 0 covers the design
    halves = table.set_index("run_id").loc[order[:3], "committee.pushed_down_duty_items"]
    assert halves.nunique() >= 2  # bit-reversed: early runs spread over the levels


# -------------------------------------------------------------------------- error messages
@pytest.mark.parametrize("over,expect", [
    ({"levers": {"committee.pushed_down_duty_itemz": {"values": [1]}}},
     ["exp.yaml", "levers", "committee.pushed_down_duty_itemz", "Did you mean: committee.pushed_down_duty_items"]),
    ({"levers": {}, "uncertainties": {"behaviour.w_social": {"low": 1, "high": 20}}},
     ["uncertainties.behaviour.w_social", "high 20", "Allowed: >= 0, <= 10"]),
    ({"levers": {}, "uncertainties": {"behaviour.w_social": {"values": [1, 99]}}},
     ["design point", "behaviour.w_social", "less than or equal to 10", "Allowed"]),
    # roles (EMA workbench): levers are role "lever", uncertainties are not
    ({"levers": {"behaviour.w_social": {"values": [1, 2]}}},
     ["exp.yaml", "levers.behaviour.w_social", "role 'uncertainty'", "Move it under 'uncertainties:'"]),
    ({"levers": {}, "uncertainties": {"committee.plaques": {"values": [27, 70]}}},
     ["exp.yaml", "uncertainties.committee.plaques", "role 'lever'", "Move it under 'levers:'"]),
    ({"uncertainties": {"population.residents_per_community": {"values": [800, 1600]}}},
     ["exp.yaml", "population.residents_per_community", "role 'constant'",
      "Move it under 'constants:'", "'set:'"]),
    ({"levers": {"grants.contests_per_year": {"values": [1], "with": {"grants.scoring": "need"}}}},
     ["'with' belongs to 'oat' designs", "grants.contests_per_year"]),
    ({"design": {"type": "latin"}, "replicatons": 3},
     ["design.type", "'factorial', 'oat', 'points', 'lhs', 'sobol' or 'morris'",
      "replicatons: unknown key", "replications"]),
    ({"outcomes": ["participation_yr"]}, ["outcomes", "participation_yr", "participation_year"]),
])
def test_bad_experiment_message(tmp_path, capsys, over, expect):
    path = write_exp(tmp_path, **over)
    rc = main(["sweep", str(path), "--out", str(tmp_path / "out"), "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "Traceback" not in err
    for e in expect:
        assert e in err, (e, err)
    assert not (tmp_path / "out").exists()  # nothing planned or run


# ------------------------------------------------------------------------- running sweeps
def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


@pytest.mark.slow
def test_two_local_workers_same_results(tmp_path, reference):
    out = plan(write_exp(tmp_path), tmp_path / "w2")
    run(out, workers=2, executor="local", progress=False)
    df = results(out)
    assert df["run_id"].tolist() == list(range(48))
    _same(df, reference)
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "complete" and m["n_ok"] == 48 and m["n_failed"] == 0


def _held_pid(hold: Path, proc_alive, timeout: float = 600) -> int:
    """The process id that the hold hook (sim.study.parallel._hold_for_test) writes once a
    process holds the run; fails if the sweep ends first."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        text = (hold / "held").read_text() if (hold / "held").exists() else ""
        if text.strip():
            return int(text)
        assert proc_alive(), "the sweep ended before it reached the held run"
        time.sleep(0.02)
    raise AssertionError("the held run was not reached")


def test_resume_after_kill(tmp_path, reference):
    """Killed while run number 6 (in dispatch order) is under way: the five before it are
    kept, the resume runs the others once and the results are the uninterrupted sweep's."""
    exp = write_exp(tmp_path)
    order = dispatch_order(pd.read_parquet(plan(exp, tmp_path / "order") / "design.parquet"))
    hold = tmp_path / "hold"
    hold.mkdir()
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "sim", "sweep", str(exp), "--out", str(out), "--workers", "1",
           "--batch-seconds", "0.01", "--flush-seconds", "0", "--no-progress"]
    env = dict(os.environ, COGOV_TEST_HOLD_RUN=f"{order[5]}:{hold}")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        assert _held_pid(hold, lambda: proc.poll() is None) == proc.pid
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    # one run a batch, each result written at once: the runs before the held one are done
    assert done_run_ids(out) == set(order[:5])
    assert not (out / "runs.parquet").exists()
    rc = main(["sweep", "--resume", str(out), "--no-progress"])
    assert rc == 0
    df = results(out)
    assert df["run_id"].is_unique and sorted(df["run_id"]) == list(range(48))
    parts = pd.concat(pd.read_parquet(p) for p in (out / "parts").glob("part-*.parquet"))
    assert parts["run_id"].is_unique  # no run ran twice
    _same(df, reference)


@pytest.mark.slow
def test_dask_with_a_worker_killed(tmp_path, reference, monkeypatch):
    """A Dask worker killed while it holds a run (the hold hook): the scheduler reruns its
    batch on the other worker and the results are the uninterrupted sweep's."""
    from distributed import Client, LocalCluster
    exp = write_exp(tmp_path)
    out = plan(exp, tmp_path / "dask")
    order = dispatch_order(pd.read_parquet(out / "design.parquet"))
    hold = tmp_path / "hold"
    hold.mkdir()
    monkeypatch.setenv("COGOV_TEST_HOLD_RUN", f"{order[3]}:{hold}")  # inherited by the workers
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        pids = set(client.run(os.getpid).values())
        box = {}

        def go():
            try:
                box["m"] = run(out, executor="dask", scheduler=cluster.scheduler_address,
                               batch_seconds=0.01, flush_seconds=0.1, progress=False)
            except BaseException as exc:  # surfaced below
                box["exc"] = exc

        th = threading.Thread(target=go)
        th.start()
        pid = _held_pid(hold, th.is_alive)
        assert pid in pids  # a worker holds the run, not this process
        assert order[3] not in done_run_ids(out)
        os.kill(pid, signal.SIGKILL)
        th.join(timeout=600)
    assert "exc" not in box, box.get("exc")
    assert box["m"]["status"] == "complete"
    df = results(out)
    assert df["run_id"].is_unique and len(df) == 48
    _same(df, reference)


def test_failed_runs_recorded_and_others_complete(tmp_path):
    # a value the schema accepts but the model cannot use: an edge list that does not exist
    missing = str(tmp_path / "no_such_edges.csv")
    path = write_exp(tmp_path, levers={}, replications=3,
                     design={"type": "points", "points": [{"network.edge_list": None},
                                                          {"network.edge_list": missing}]})
    out = plan(path, tmp_path / "fail")
    m = run(out, workers=2, progress=False)
    assert m["status"] == "complete" and m["n_ok"] == 3 and m["n_failed"] == 3
    fails = pd.read_parquet(out / "failures.parquet")
    assert sorted(fails["run_id"]) == [3, 4, 5]
    assert all("Traceback" in e and "no such file" in e for e in fails["error"])
    df = results(out)
    assert df["ok"].tolist() == [True] * 3 + [False] * 3
    assert df.loc[df["ok"], "participation_year"].notna().all()
    # resuming a complete sweep runs nothing and changes nothing
    run(out, progress=False)
    _same(results(out), df)


def test_timeseries_and_existing_dir(tmp_path, capsys):
    path = write_exp(tmp_path, replications=1, record_every=10,
                     levers={"grants.contests_per_year": {"values": [0, 2]}})
    out = plan(path, tmp_path / "ts")
    run(out, progress=False)
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert set(ts["run_id"]) == {0, 1}
    days = ts.groupby("run_id")["day"].apply(list)
    assert days[0] == days[1] and 3 <= len(days[0]) <= 5  # every 10th day, not all 30
    with pytest.raises(ScenarioError, match="already holds a sweep"):
        plan(path, out)


# --------------------------------------------------------------------------- roles, files
def test_constants_section_varies_a_constant(tmp_path):
    path = write_exp(tmp_path, levers={}, replications=1,
                     constants={"population.residents_per_community": {"values": [600, 900]}})
    table, _, _ = expand(load_experiment(path), path)
    assert table["population.residents_per_community"].tolist() == [600, 900]
    out = plan(path, tmp_path / "c")
    m = json.loads((out / "manifest.json").read_text())
    assert m["factors"]["population.residents_per_community"]["role"] == "constant"


def _lever_keys() -> list[str]:
    from sim.params import iter_parameters
    return [p for p, f, _ in iter_parameters() if (f.json_schema_extra or {}).get("role") == "lever"]


# experiments/calibration.yaml is a calibration file (cogov calibrate; tests/test_calibrate.py)
# and optimize_*.yaml are optimize files (cogov optimize; tests/test_optimize.py)
@pytest.mark.parametrize("path", sorted(p for p in (ROOT / "experiments").glob("*.yaml")
                                        if p.stem != "calibration"
                                        and not p.stem.startswith("optimize")), ids=lambda p: p.stem)
def test_shipped_experiments_expand(path):
    """Every shipped experiment loads (roles, keys, bounds) and expands to a valid run table;
    levers_oat moves every lever of the schema away from its baseline value."""
    exp = load_experiment(path)
    table, bases, _ = expand(exp, path)
    assert len(table) > 0 and table["run_id"].is_unique
    header = path.read_text(encoding="utf-8")
    assert f"{len(table)} runs" in header, f"{path.name}: the header should state the run count"
    if path.stem == "levers_oat":
        assert exp.design.type == "oat"
        base = table[table["label"] == "base"].iloc[0]
        missing = []
        for key in _lever_keys():
            rows = table[table["label"] == key]
            if rows.empty or all(v == base[key] for v in rows[key]):
                missing.append(key)
        assert not missing, f"levers not moved from the baseline in levers_oat.yaml: {missing}"
        # a dependent lever is moved together with the lever that switches it on
        g = table[table["label"] == "grants.grants_per_contest"].iloc[0]
        assert g["grants.contests_per_year"] > 0 and base["grants.contests_per_year"] == 0


def test_oat_with_and_list_values_run(tmp_path):
    """'with' sets a companion key at a factor's points; a list-valued lever survives the
    run table (stored as JSON) and reaches the model."""
    path = write_exp(tmp_path, days=10, replications=1, design={"type": "oat"}, levers={
        "purchased_services.item_types": {"values": [["legal"]],
                                          "with": {"purchased_services.items": 2}}})
    table, _, _ = expand(load_experiment(path), path)
    # the last point is the factor's proper reference: the base with its 'with' keys
    assert table["label"].tolist() == ["base", "purchased_services.item_types", "reference"]
    assert table["purchased_services.items"].tolist() == [0, 2, 2]
    out = plan(path, tmp_path / "oat")
    m = run(out, progress=False)
    assert m["n_ok"] == 3, pd.read_parquet(out / "failures.parquet")["error"].tolist()
    assert m["json_columns"] == ["purchased_services.item_types"]
    df = results(out)
    assert json.loads(df["purchased_services.item_types"].iloc[1]) == ["legal"]


# ------------------------------------------------------------------ reproduce and resume
def tiny_exp(tmp: Path, name: str = "tiny", **over) -> Path:
    kw = dict(days=10, replications=1, set={"population.residents_per_community": 400},
              levers={"grants.contests_per_year": {"values": [0, 2]}},
              outcomes=["participation_year", "trust_mean"])
    kw.update(over)
    return write_exp(tmp, name, **kw)


def test_manifest_says_how_to_reproduce(tmp_path, monkeypatch):
    import shlex
    monkeypatch.chdir(tmp_path)
    exp = tiny_exp(tmp_path)
    assert main(["sweep", "tiny.yaml", "--out", "first", "--workers", "2", "--no-progress"]) == 0
    m = json.loads((tmp_path / "first" / "manifest.json").read_text())
    assert m["command_line"] == "cogov sweep tiny.yaml --out first"
    assert m["working_directory"] == str(tmp_path)
    assert "--workers" in m["reproduce"] and "do not change results" in m["reproduce"]
    assert len(m["plan_hash"]) == 64 and "git_commit" in m
    # the recorded command (with another --out) reproduces the plan and the results
    argv = shlex.split(m["command_line"])[1:]
    argv[argv.index("--out") + 1] = "second"
    assert main([*argv, "--no-progress"]) == 0
    m2 = json.loads((tmp_path / "second" / "manifest.json").read_text())
    assert m2["plan_hash"] == m["plan_hash"]
    _same(results(tmp_path / "second"), results(tmp_path / "first"))
    # the hash covers the run table: another seed gives another hash
    exp.write_text(exp.read_text().replace("seed: 3", "seed: 4"))
    out = plan(exp, tmp_path / "third")
    assert json.loads((out / "manifest.json").read_text())["plan_hash"] != m["plan_hash"]


def test_resume_refuses_a_changed_experiment(tmp_path, capsys):
    exp = tiny_exp(tmp_path)
    out = plan(exp, tmp_path / "s")
    run(out, progress=False)
    original = exp.read_text()
    # a change that leaves the run table alone: resumes, with a warning
    exp.write_text(original.replace("name: tiny", "description: reworded\nname: tiny"))
    capsys.readouterr()
    assert main(["sweep", "--resume", str(out), "--no-progress"]) == 0
    assert "without changing the run table" in capsys.readouterr().err
    # a change of the design: refused, exit code 2, no traceback, nothing run
    exp.write_text(yaml.safe_dump({**yaml.safe_load(original),
                                   "levers": {"grants.contests_per_year": {"values": [0, 1, 2]}}}))
    parts_before = sorted((out / "parts").iterdir())
    rc = main(["sweep", "--resume", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err
    assert "cannot resume" in err and str(exp) in err and "different run table" in err
    assert "3 runs now, 2 planned" in err
    assert sorted((out / "parts").iterdir()) == parts_before
    # a change of the base scenario it reads (population size): refused too
    exp.write_text(original.replace("400", "500"))
    assert main(["sweep", "--resume", str(out), "--no-progress"]) == 2
    assert "population.residents_per_community" in capsys.readouterr().err
    # the original file again: resumes
    exp.write_text(original)
    assert main(["sweep", "--resume", str(out), "--no-progress"]) == 0


def test_resume_warns_on_another_commit(tmp_path, capsys):
    out = plan(tiny_exp(tmp_path), tmp_path / "s")
    run(out, progress=False)
    mpath = out / "manifest.json"
    m = json.loads(mpath.read_text())
    mpath.write_text(json.dumps({**m, "git_commit": "0" * 40}))
    capsys.readouterr()
    assert main(["sweep", "--resume", str(out), "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "0" * 40 in err and "Resuming anyway" in err


# --------------------------------------------------------------- linked parameters (LINKS)
PAIR = ("grants.amount_min_yuan", "grants.amount_max_yuan")


@pytest.mark.parametrize("design", ["lhs", "sobol", "morris"])
def test_sampled_designs_keep_a_min_max_pair_ordered(tmp_path, design):
    """Overlapping ranges of the grants' min and max, drawn at random, sampled by each SALib
    design: the sampler pairs them independently (some raw pairs have min > max), yet every
    design point keeps min <= max, keeps both in their ranges and validates."""
    rng = np.random.default_rng(22)
    samples = {"lhs": 64, "sobol": 8, "morris": 6}[design]
    for trial in range(4):
        lo_min, lo_max = sorted(rng.uniform(0, 8000, 2))
        hi_min = rng.uniform(lo_min, lo_max + 1)
        hi_max = rng.uniform(max(lo_max, hi_min) + 1, 12000)
        path = write_exp(tmp_path, f"pair{trial}", levers={
            PAIR[0]: {"low": float(lo_min), "high": float(lo_max)},
            PAIR[1]: {"low": float(hi_min), "high": float(hi_max)}},
            design={"type": design, "samples": samples}, replications=1)
        table, _, _ = expand(load_experiment(path), path)
        lo, hi = table[PAIR[0]].to_numpy(), table[PAIR[1]].to_numpy()
        assert len(table) > 10
        assert (lo <= hi).all(), (trial, table[list(PAIR)][lo > hi])
        assert (lo >= lo_min - 1e-9).all() and (lo <= lo_max + 1e-9).all()
        assert (hi >= hi_min - 1e-9).all() and (hi <= hi_max + 1e-9).all()


def test_the_pair_map_is_needed_and_keeps_the_low_marginal(tmp_path):
    """Against the raw sampler: without the map some points would break the link; with it the
    low key's values are the sampler's own."""
    from SALib.sample import latin
    path = write_exp(tmp_path, levers={PAIR[0]: {"low": 1000.0, "high": 8000.0},
                                       PAIR[1]: {"low": 2000.0, "high": 10000.0}},
                     design={"type": "lhs", "samples": 200}, replications=1, seed=5)
    table, _, _ = expand(load_experiment(path), path)
    # the file is written with sorted keys, so the design's factors are (max, min)
    raw = latin.sample({"num_vars": 2, "names": [PAIR[1], PAIR[0]],
                        "bounds": [[2000.0, 10000.0], [1000.0, 8000.0]]}, 200, seed=5)
    assert (raw[:, 1] > raw[:, 0]).sum() > 10
    assert np.allclose(table[PAIR[0]].to_numpy(), raw[:, 1])
    assert (table[PAIR[0]] <= table[PAIR[1]]).all()


def test_factorial_leaves_out_combinations_that_break_a_link(tmp_path, capsys):
    path = write_exp(tmp_path, levers={PAIR[0]: {"values": [1000, 5000, 9000]},
                                       PAIR[1]: {"values": [2000, 10000]}}, replications=1)
    table, _, _ = expand(load_experiment(path), path)
    pairs = set(zip(table[PAIR[0]], table[PAIR[1]]))
    assert pairs == {(1000, 2000), (1000, 10000), (5000, 10000), (9000, 10000)}
    assert "leaves out 2 of its 6 combinations" in capsys.readouterr().err


def test_an_explicit_point_breaking_a_link_is_refused(tmp_path):
    path = write_exp(tmp_path, levers={PAIR[0]: {"values": [1000, 20000]}},
                     design={"type": "oat"}, replications=1)
    with pytest.raises(ScenarioError, match=r"amount_min_yuan \(20000\) exceeds "
                                            r"grants.amount_max_yuan \(10000\)"):
        expand(load_experiment(path), path)


def test_a_sampled_range_that_cannot_keep_the_link_is_refused(tmp_path):
    path = write_exp(tmp_path, levers={PAIR[0]: {"low": 1000.0, "high": 20000.0}},
                     design={"type": "lhs", "samples": 8}, replications=1)
    with pytest.raises(ScenarioError, match="sampled up to 20000 while grants.amount_max_yuan "
                                            "stays at 10000"):
        expand(load_experiment(path), path)


def test_an_empty_factor_takes_the_declared_plausible_range(tmp_path):
    from sim.params import plausible_range
    path = write_exp(tmp_path, levers={PAIR[0]: {}, PAIR[1]: {}},
                     design={"type": "lhs", "samples": 16}, replications=1)
    exp = load_experiment(path)
    assert (exp.levers[PAIR[0]].low, exp.levers[PAIR[0]].high) == plausible_range(PAIR[0])
    table, _, _ = expand(exp, path)
    assert (table[PAIR[0]] <= table[PAIR[1]]).all()
    bad = write_exp(tmp_path, "bad", uncertainties={"party.evaluation_day_of_year": {}},
                    levers={}, design={"type": "lhs", "samples": 4})
    with pytest.raises(ScenarioError, match="declares no plausible range .*the day within the year"):
        load_experiment(bad)


def test_morris_of_a_linked_pair_is_analysed_on_the_sampler_trajectories(tmp_path):
    """A Morris step moves one factor; where the map moved the max with the min, the report
    analyses the sampler's own trajectories, so an outcome of the min alone gives the max no
    effect."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.study.report import _sensitivity
    path = write_exp(tmp_path, levers={PAIR[0]: {"low": 1000.0, "high": 8000.0},
                                       PAIR[1]: {"low": 2000.0, "high": 10000.0}},
                     design={"type": "morris", "samples": 10}, replications=1)
    out = plan(path, tmp_path / "m")
    manifest = json.loads((out / "manifest.json").read_text())
    runs = pd.read_parquet(out / "design.parquet")
    assert (runs[PAIR[0]] <= runs[PAIR[1]]).all()
    runs["y"] = runs[PAIR[0]] / 1000.0
    _sensitivity(manifest, runs, ["y"], tmp_path, plt)
    table = pd.read_csv(tmp_path / "morris.csv").set_index("parameter")
    assert table.loc[PAIR[0], "mu_star"] == pytest.approx(7.0)  # (8000 - 1000) / 1000, per unit range
    assert table.loc[PAIR[1], "mu_star"] == pytest.approx(0.0, abs=1e-9)
