"""A sweep's local worker processes die with it, at any moment of their life: ``kill -9`` of
``cogov sweep`` while its pool starts (forkserver, resource tracker, workers being forked) or
runs leaves no process of the sweep behind (sim/study/_deathguard.py).

Each kill is a fresh sweep. The moments are seeded random points of the first 5 seconds of
the sweep's worker pool, counted from the moment the sweep starts its first child process:
on a busy machine the imports before the pool alone can take longer than 5 seconds, so
seconds counted from the launch would test only the imports.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import psutil
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
KILLS = 20
WINDOW_SECONDS = 5.0
TAG = "COGOV_DEATH_TEST_TAG"  # inherited by every process the sweep starts


def _experiment(tmp: Path) -> Path:
    """Tiny runs, enough of them to keep two workers busy well past the kill window."""
    exp = {"name": "death", "scenario": str(ROOT / "scenarios" / "baseline.yaml"),
           "set": {"population.residents_per_community": 500, "run.spin_up_days": 0},
           "days": 20, "levers": {"grants.contests_per_year": {"values": [0, 2]}},
           "replications": 200, "seed": 1, "outcomes": ["participation_year"]}
    path = tmp / "death.yaml"
    path.write_text(yaml.safe_dump(exp))
    return path


def _tagged(tag: str) -> list[psutil.Process]:
    """Live processes (zombies are dead) whose environment carries this run's tag."""
    found = []
    for p in psutil.process_iter():
        try:
            if p.environ().get(TAG) == tag and p.status() != psutil.STATUS_ZOMBIE:
                found.append(p)
        except psutil.Error:  # gone meanwhile, or not ours to read
            pass
    return found


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    left = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                left.append(p)
        except psutil.Error:
            pass
    return left


def _describe(p: psutil.Process) -> str:
    try:
        return f"{p.pid} (parent {p.ppid()}): {' '.join(p.cmdline())[:80]}"
    except psutil.Error:
        return str(p.pid)


@pytest.mark.slow
def test_killing_a_sweep_while_its_pool_starts_leaves_no_process(tmp_path):
    exp = _experiment(tmp_path)
    moments = np.random.default_rng(20241207).uniform(0.0, WINDOW_SECONDS, KILLS)
    leftovers = {}
    for k, moment in enumerate(moments):
        tag = uuid.uuid4().hex
        env = {**os.environ, "PYTHONPATH": str(ROOT), TAG: tag}
        proc = subprocess.Popen([sys.executable, "-m", "sim", "sweep", str(exp), "--out",
                                 str(tmp_path / f"out{k}"), "--workers", "2", "--executor",
                                 "local", "--no-progress"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sweep = psutil.Process(proc.pid)
        descendants: dict[int, psutil.Process] = {}

        def track() -> None:
            try:
                for child in sweep.children(recursive=True):
                    descendants.setdefault(child.pid, child)
            except psutil.Error:
                pass

        deadline = time.monotonic() + 300
        while not descendants:  # the pool starts with the sweep's first child process
            assert proc.poll() is None, f"sweep {k} ended before its pool started"
            assert time.monotonic() < deadline, f"sweep {k} started no process in 300 s"
            track()
            time.sleep(0.005)
        start = time.monotonic()
        while time.monotonic() - start < moment:
            track()
            time.sleep(0.005)
        assert proc.poll() is None, f"sweep {k} finished before the kill"
        track()
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # generous: the kernel kills at once; a process still importing exits when it looks
        deadline = time.monotonic() + 30
        while True:
            left = {p.pid: p for p in _alive(list(descendants.values())) + _tagged(tag)}
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        if left:
            leftovers[f"kill {k} at {moment:.2f} s"] = [_describe(p) for p in left.values()]
            for p in left.values():  # do not leave them to the next kill
                try:
                    p.kill()
                except psutil.Error:
                    pass
    assert not leftovers, leftovers
