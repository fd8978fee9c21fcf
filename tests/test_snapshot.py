"""Exact snapshots (sim/snapshot.py), the spin-up cache (sim/spinup.py) and the calendar.

A restored model must continue bit for bit as the original would have, for every scenario
file; a snapshot file must load without executing anything from it; a process that holds
state it does not declare must fail; results must be the same with and without the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from sim import snapshot, spinup
from sim.config import load_scenario
from sim.model import CoGovModel

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted(p.name for p in (ROOT / "scenarios").glob("*.yaml"))
TINY = {"population.residents_per_community": 500, "run.spin_up_days": 60, "run.days": 80}


def fingerprint(model) -> tuple[str, str]:
    """Hashes of the summary and the daily table: equal hashes, identical outputs."""
    summary = json.dumps(model.summary(), sort_keys=True, default=float)
    table = model.timeseries().to_csv()
    return (hashlib.sha256(summary.encode()).hexdigest(), hashlib.sha256(table.encode()).hexdigest())


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_restored_model_continues_bit_for_bit(name):
    with spinup.disabled():
        model = CoGovModel(ROOT / "scenarios" / name, rng=11, **TINY)
    model.run(25)  # mid-run: Mesa's clock, the collected rows and every process under way
    copy = snapshot.from_bytes(snapshot.to_bytes(model))
    assert copy is not model and copy.pop is not model.pop
    assert (copy.steps, copy.time, copy.clock) == (model.steps, model.time, model.clock)
    model.run(55)
    copy.run(55)
    assert fingerprint(copy) == fingerprint(model)


def test_a_snapshot_restores_shared_objects_as_shared():
    with spinup.disabled():
        model = CoGovModel(ROOT / "scenarios" / "lever_grants.yaml", rng=3, **TINY)
    model.run(40)
    copy = snapshot.copy(model)
    # an organization reachable from the list, the index and the community lists is one object
    org = copy.orgs[0]
    assert copy.org_index[org.unique_id] is org
    assert any(o is org for o in copy.orgs_by_comm[org.community])
    assert org.model is copy
    # Mesa's registry holds the same agents with the same ids
    assert [a.unique_id for a in copy.agents] == [a.unique_id for a in model.agents]
    assert all(a.model is copy for a in copy.agents)
    # arrays a process caches from the population are the population's, not copies
    copy.run(1)
    day_start = copy.process("day_start")
    assert day_start._decay_args[1][0][0] is copy.pop.fatigue


def test_a_snapshot_file_loads_without_pickle_and_refuses_foreign_classes(tmp_path):
    with spinup.disabled():
        model = CoGovModel(rng=2, **TINY)
    path = snapshot.save(model, tmp_path / "state.npz")
    with np.load(path, allow_pickle=False) as z:  # arrays and a JSON document: no pickle
        assert "__state__" in z.files
    restored = snapshot.load(path)
    model.run(10)
    restored.run(10)
    assert fingerprint(restored) == fingerprint(model)
    # a file naming a class outside cogov is refused before anything is built from it
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    doc = json.loads(np.load(path, allow_pickle=False)["__state__"].tobytes())
    doc["root"]["$model"] = "os.system"
    blob = np.frombuffer(json.dumps(doc).encode(), np.uint8)
    evil = tmp_path / "evil.npz"
    arrays = {n[:-4]: np.load(path, allow_pickle=False)[n[:-4]] for n in members if n != "__state__.npy"}
    np.savez(evil, __state__=blob, **arrays)
    with pytest.raises(snapshot.SnapshotError, match="may not be rebuilt"):
        snapshot.load(evil)
    # damaged and foreign files give one clear error
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(snapshot.SnapshotError, match="not a cogov snapshot"):
        snapshot.load(tmp_path / "junk.npz")
    np.savez(tmp_path / "other.npz", x=np.arange(3))
    with pytest.raises(snapshot.SnapshotError, match="no __state__"):
        snapshot.load(tmp_path / "other.npz")


def test_a_process_with_undeclared_state_fails_the_snapshot():
    with spinup.disabled():
        model = CoGovModel(rng=2, **TINY)
    snapshot.to_bytes(model)  # as built, every process holds what it declares
    grid = model.process("grid_visits")
    grid.visits_this_week = 3  # state the process does not declare
    with pytest.raises(snapshot.SnapshotError, match="grid_visits.*undeclared: visits_this_week"):
        snapshot.to_bytes(model)
    del grid.visits_this_week
    del grid.visits_total  # declared state that went missing
    with pytest.raises(snapshot.SnapshotError, match="declared but absent: visits_total"):
        snapshot.to_bytes(model)
    grid.visits_total = 0
    model.extra_rule = lambda x: x  # a value the snapshot cannot hold: named by its path
    with pytest.raises(snapshot.SnapshotError, match="model.extra_rule"):
        snapshot.to_bytes(model)


def test_every_process_declares_what_it_holds_in_every_scenario():
    for name in SCENARIOS:
        with spinup.disabled():
            model = CoGovModel(ROOT / "scenarios" / name, rng=1, **{**TINY, "run.spin_up_days": 0})
        model.run(35)  # past a month's end, the first contest days of some files
        snapshot.check_declared_state(model)


# ------------------------------------------------------------------ the spin-up cache
@pytest.fixture
def own_cache(tmp_path):
    spinup.clear(memory=True, disk=False)
    old = spinup.configure().directory
    spinup.configure(directory=tmp_path / "cache")
    yield tmp_path / "cache"
    spinup.configure(directory=old)
    spinup.clear(memory=True, disk=False)


@pytest.mark.parametrize("name", ["baseline.yaml", "lever_grants.yaml", "doc003_jiayuguan.yaml"])
def test_results_are_identical_with_and_without_the_cache(own_cache, name):
    path = ROOT / "scenarios" / name
    with spinup.disabled():
        reference = CoGovModel(path, rng=4, **TINY)
    reference.run()
    cold = CoGovModel(path, rng=4, **TINY)  # spins up and fills the cache
    cold.run()
    spinup.clear(memory=True, disk=False)
    warm = CoGovModel(path, rng=4, **TINY)  # restored from the disk cache
    warm.run()
    assert spinup.stats["disk_hits"] >= 1
    assert fingerprint(cold) == fingerprint(warm) == fingerprint(reference)


def test_lever_files_share_one_spin_up_and_other_settings_do_not(own_cache):
    base = load_scenario(ROOT / "scenarios" / "baseline.yaml", TINY)
    grants = load_scenario(ROOT / "scenarios" / "lever_grants.yaml", TINY)
    longer = load_scenario(ROOT / "scenarios" / "baseline.yaml", {**TINY, "run.days": 900})
    bigger = load_scenario(ROOT / "scenarios" / "baseline.yaml",
                           {**TINY, "population.residents_per_community": 501})
    key = spinup.spinup_key(base, 1)[0]
    assert spinup.spinup_key(grants, 1)[0] == key       # a lever acts from the policy start
    assert spinup.spinup_key(longer, 1)[0] == key       # run.days acts from day 0 on
    assert spinup.spinup_key(bigger, 1)[0] != key       # the population is spun up
    assert spinup.spinup_key(base, 2)[0] != key         # and so is the seed
    CoGovModel(base, rng=1)
    misses = spinup.stats["misses"]
    CoGovModel(grants, rng=1)
    assert spinup.stats["misses"] == misses             # the lever file reused the spin-up
    assert len(spinup.entries()) == 1


def test_the_disk_cache_is_listed_limited_and_cleared(own_cache, monkeypatch):
    for seed in (1, 2, 3):
        CoGovModel(rng=seed, **TINY)
    listed = spinup.entries()
    assert len(listed) == 3 and {e["seed"] for e in listed} == {1, 2, 3}
    one = listed[0]["bytes"]
    # beyond the size limit the least recently used entries go
    monkeypatch.setenv("COGOV_CACHE_MAX_MB", str(2.5 * one / 1e6))
    CoGovModel(rng=4, **TINY)
    assert {e["seed"] for e in spinup.entries()} == {3, 4}
    assert spinup.clear() == 2
    assert spinup.entries() == []


def test_no_cache_switch_reads_and_writes_nothing(own_cache, monkeypatch):
    monkeypatch.setenv("COGOV_NO_CACHE", "1")
    CoGovModel(rng=1, **TINY)
    assert not own_cache.exists() or not list(own_cache.glob("*.npz"))
    assert spinup.memory_keys() == []


def test_cogov_cache_lists_and_clears(own_cache, tmp_path):
    env = {**os.environ, "COGOV_CACHE_DIR": str(own_cache), "PYTHONPATH": str(ROOT)}
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "sim"]
    subprocess.run(cmd + ["run", "scenarios/baseline.yaml", "-q", "--out", str(out), "--seed", "9"]
                   + [f"--set={k}={v}" for k, v in TINY.items()], cwd=ROOT, env=env, check=True)
    listing = subprocess.run(cmd + ["cache"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert listing.returncode == 0 and "1 entries" in listing.stdout and "baseline" in listing.stdout
    cleared = subprocess.run(cmd + ["cache", "clear"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert cleared.returncode == 0 and "removed 1" in cleared.stdout
    assert not list(own_cache.glob("*.npz"))


# ------------------------------------------------------------------ the calendar
def test_the_calendar_counts_from_the_report_start_whatever_the_spin_up(monkeypatch):
    """Contests, evaluations and month ends fall on the same report days with a spin-up of
    100 or 137 days (on the spin-up clock they would shift by 37 days)."""
    from sim.processes import organizations, party, property as prop
    seen: dict[str, list] = {}

    def spy(name, fn):
        def wrapped(model, *a, **k):
            seen.setdefault(name, []).append(model.reported_day)
            return fn(model, *a, **k)
        return wrapped

    monkeypatch.setattr(organizations, "grant_contest", spy("contest", organizations.grant_contest))
    monkeypatch.setattr(organizations, "monthly", spy("month", organizations.monthly))
    monkeypatch.setattr(party, "evaluate", spy("evaluation", party.evaluate))
    days = {}
    for spin in (100, 137):
        seen.clear()
        with spinup.disabled():
            m = CoGovModel(ROOT / "scenarios" / "doc000_chengdu_wuhou.yaml", rng=1, **{
                "population.residents_per_community": 300, "run.spin_up_days": spin,
                "run.days": 400, "grants.contests_per_year": 2})
        seen.clear()  # the spin-up's
        m.run()
        days[spin] = {k: list(v) for k, v in seen.items()}
    assert days[100] == days[137]
    assert days[100]["month"][:2] == [29, 59]
    assert days[100]["evaluation"] and days[100]["contest"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["baseline.yaml", "five_governance.yaml"])
def test_a_restored_model_continues_bit_for_bit_without_the_compiler(name, tmp_path):
    """The same under NUMBA_DISABLE_JIT=1 (the kernels as plain Python): in a subprocess,
    since numba reads the setting at import."""
    script = f"""
import hashlib, json
from sim import snapshot, spinup
from sim.model import CoGovModel
with spinup.disabled():
    m = CoGovModel({str(ROOT / 'scenarios' / name)!r}, rng=5, **{{"population.residents_per_community": 200,
                   "run.spin_up_days": 20, "run.days": 40}})
m.run(15)
c = snapshot.from_bytes(snapshot.to_bytes(m))
m.run(25); c.run(25)
f = lambda x: hashlib.sha256((json.dumps(x.summary(), sort_keys=True, default=float)
                              + x.timeseries().to_csv()).encode()).hexdigest()
print(f(m) == f(c))
"""
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "True"


def test_the_spin_ups_last_year_is_kept_and_continues_into_day_0(own_cache):
    """The daily rows of the spin-up's last year come with every model, from the cache or
    not; the next row is day 0's."""
    kw = {**TINY, "run.spin_up_days": 400, "run.days": 5}
    with spinup.disabled():
        fresh = CoGovModel(rng=6, **kw)
    CoGovModel(rng=6, **kw)            # fills the cache
    forked = CoGovModel(ROOT / "scenarios" / "lever_grid.yaml", rng=6, **kw)
    before = fresh.spinup_timeseries()
    assert list(before["day"]) == list(range(-365, 0))
    assert before.equals(forked.spinup_timeseries())
    fresh.run()
    # a rolling share moves by at most a few residents a day: day -1 and day 0 are neighbours
    assert abs(fresh.timeseries()["participation_year"].iloc[0]
               - before["participation_year"].iloc[-1]) < 0.02
    short = CoGovModel(rng=6, **{**kw, "run.spin_up_days": 30})
    assert len(short.spinup_timeseries()) == 30
