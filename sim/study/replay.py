"""``cogov replay MANIFEST``: re-run what a manifest records and say whether the outputs are
identical.

The replay uses what the manifest resolved, not the files it names (they may have changed
since): a run's resolved scenario and seed, a comparison's resolved scenarios, replications
and root seed, a sweep's saved run table (``design.parquet``) and base scenarios. The data
files (every Parquet table, ``summary.json``) are then compared value by value; manifests,
figures and timings are not compared. Exit code 0: identical; 1: different (the differing
files and columns are listed).

A manifest may come from someone else, so everything in it is checked before any run: the
command, the seeds, every scenario (as strictly as a scenario file) and every scenario name
(a name is never a path: ``/``, ``\\``, ``..``, control characters and empty names are
refused). The replay writes only into its output folder, and says "identical" only when at
least one data file was compared.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd

from ..config import ScenarioError, validate
from .results import (check_name, check_out, differing_keys, load_manifest, read_table,
                      run_canonical, run_manifest)

# columns that describe the machine, not the results
VOLATILE = {"error", "seconds"}
COMMANDS = ("run", "compare", "sweep", "optimize")
MAX_SEED = 2**32 - 1
# what a sweep's manifest holds that describes the last session, not the plan
SESSION_KEYS = ("n_done", "n_ok", "n_failed", "n_missing", "cpu_seconds", "last_session",
                "finished", "executor", "workers")


def _int(m: dict, key: str, path: Path, lo: int, hi: int) -> int:
    v = m.get(key)
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        shown = "missing" if key not in m else repr(v)[:60]
        raise ScenarioError(f"{path}: key '{key}' must be a whole number from {lo} to {hi}, got {shown}")
    return v


def _scenario(data, path: Path, key: str):
    if not isinstance(data, dict):
        shown = "missing" if data is None else f"a {type(data).__name__}"
        raise ScenarioError(f"{path}: key '{key}' must hold the resolved scenario (a mapping), got {shown}")
    try:
        return validate(data, f"{path}: {key}")
    except (ScenarioError, TypeError, ValueError, RecursionError) as exc:
        text = str(exc) if isinstance(exc, ScenarioError) else f"{path}: {key}: not a scenario ({exc})"
        raise ScenarioError(text) from None


def _manifest(path: Path) -> tuple[Path, dict]:
    path = Path(path)
    if path.is_dir():
        path = path / "manifest.json"
    m = load_manifest(path, f"{path}: no such manifest (give a results folder or its manifest.json)",
                      f"{path}: not a readable manifest ({{exc}})")
    if not isinstance(m, dict) or m.get("command") not in COMMANDS:
        raise ScenarioError(f"{path}: not a manifest of cogov run, compare, sweep or optimize")
    return path.parent, m


def plan(path: str | Path) -> tuple[Path, dict, dict]:
    """(folder, manifest, what to re-run) of a manifest, everything checked: the scenarios
    validated, names and seeds in range, the data files beside it readable. Nothing runs."""
    folder, m = _manifest(Path(path))
    mpath = folder / "manifest.json"
    job: dict = {"command": m["command"]}
    if m["command"] == "run":
        job["scenario"] = _scenario(m.get("scenario"), mpath, "scenario")
        job["seed"] = _int(m, "seed", mpath, 0, MAX_SEED)
        file = m.get("scenario_file") or "scenario"
        if not isinstance(file, str):
            raise ScenarioError(f"{mpath}: key 'scenario_file' must be text")
        job["file"] = file
        job["name"] = check_name(Path(file).stem or "scenario", f"{mpath}: scenario_file")
    elif m["command"] == "compare":
        items = m.get("scenarios")
        if not isinstance(items, list) or len(items) < 2:
            raise ScenarioError(f"{mpath}: key 'scenarios' must list at least two scenarios "
                                "(the base and an alternative)")
        names, files, scenarios = [], [], []
        for i, s in enumerate(items):
            where = f"{mpath}: scenarios[{i}]"
            if not isinstance(s, dict):
                raise ScenarioError(f"{where} must be a mapping with name and scenario")
            names.append(check_name(s.get("name"), f"{where}.name"))
            files.append(str(s.get("file") or s["name"]))
            scenarios.append(_scenario(s.get("scenario"), mpath, f"scenarios[{i}].scenario"))
        if len(set(names)) != len(names):
            raise ScenarioError(f"{mpath}: scenario names repeat ({', '.join(names)})")
        reps = _int(m, "reps", mpath, 2, 10_000)
        root = _int(m, "seed_root", mpath, 0, MAX_SEED - reps + 1)
        job.update(names=names, files=files, scenarios=scenarios,
                   seeds=[root + i for i in range(reps)])
    elif m["command"] == "optimize":
        from .optimize import check_replay_manifest
        job["base"] = _scenario(m.get("base_scenario"), mpath, "base_scenario")
        job["manifest"] = check_replay_manifest(m, mpath)
    else:
        from .sweep import check_design, read_manifest
        manifest = read_manifest(folder)
        job["bases"] = [_scenario(base, mpath, f"scenarios.{name}")
                        for name, base in manifest["scenarios"].items()]
        job["table"] = check_design(folder, manifest)
        job["manifest"] = {k: v for k, v in manifest.items() if k not in SESSION_KEYS}
    job["data"] = data_files(folder)
    return folder, m, job


def data_files(folder: Path) -> dict[str, object]:
    """{name: content} of the data files beside a manifest (every Parquet table and
    summary.json), each read now so that a damaged one is named before anything runs."""
    data: dict[str, object] = {}
    for p in sorted(folder.glob("*.parquet")):
        data[p.name] = read_table(p)
    summary = folder / "summary.json"
    if summary.exists():
        try:
            value = json.loads(summary.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ScenarioError(f"{summary}: not readable ({exc})") from None
        if not isinstance(value, dict):
            raise ScenarioError(f"{summary}: not a summary (a mapping of outcomes)")
        data["summary.json"] = value
    if not data:
        raise ScenarioError(f"{folder}: no data files beside the manifest (no *.parquet, no "
                            "summary.json); there is nothing to compare a replay with")
    return data


def rerun(job: dict, out: Path, workers: int = 1, progress: bool = False) -> None:
    """Re-run a checked manifest (see :func:`plan`) into ``out``."""
    if job["command"] == "run":
        from .runner import write_run
        sc, seed = job["scenario"], job["seed"]
        manifest = run_manifest(sc, job["file"], None, seed,
                                run_canonical(job["file"], seed, None, None, out))
        write_run(sc, seed, out, manifest, force=True)
    elif job["command"] == "compare":
        from .compare import NothingToCompare, compare_into
        try:
            compare_into(out, job["files"], job["names"], job["scenarios"], job["seeds"],
                         force=True, workers=workers, figures=False, progress=progress)
        except NothingToCompare:
            raise ScenarioError("the replay completed fewer than two replications; nothing "
                                "to compare") from None
    elif job["command"] == "optimize":
        from .optimize import optimize, replay_file
        with tempfile.TemporaryDirectory(prefix="cogov-replay-optimize-") as tmp:
            f = replay_file(job["manifest"], Path(tmp))
            optimize(f, out=out, workers=workers, progress=progress, quiet=True)
    else:
        from .results import write_json_atomic, write_parquet_atomic
        from .sweep import run as run_sweep
        out.mkdir(parents=True, exist_ok=True)
        write_parquet_atomic(out / "design.parquet", job["table"])
        plan_manifest = dict(job["manifest"], status="planned")
        write_json_atomic(out / "manifest.json", plan_manifest)
        run_sweep(out, workers=workers, progress=progress)


def _frames_differ(a: pd.DataFrame, b: pd.DataFrame) -> list[str]:
    cols = [c for c in a.columns if c not in VOLATILE]
    if set(cols) != {c for c in b.columns if c not in VOLATILE}:
        return ["columns differ"]
    if len(a) != len(b):
        return [f"{len(a)} rows, now {len(b)}"]
    bad = []
    for c in cols:
        x, y = a[c].reset_index(drop=True), b[c].reset_index(drop=True)
        if not x.equals(y):
            bad.append(c)
    return bad


def compare_outputs(old: Path | dict, new: Path) -> dict[str, list[str]]:
    """{file: what differs} for every data file of ``old`` (a folder, or the files
    :func:`data_files` read from it); empty: identical. A folder without data files is an
    error, never 'identical'."""
    data = data_files(old) if isinstance(old, Path) else old
    diffs: dict[str, list[str]] = {}
    for name, a in data.items():
        if not (new / name).exists():
            diffs[name] = ["missing in the replay"]
            continue
        if name.endswith(".json"):
            b = json.loads((new / name).read_text())
            keys = differing_keys(a, b)
            if keys:
                diffs[name] = keys
        else:
            bad = _frames_differ(a, read_table(new / name))
            if bad:
                diffs[name] = bad
    return diffs


def replay(manifest: str | Path, out: str | Path | None = None, workers: int = 1,
           progress: bool = False) -> tuple[bool, dict, Path | None]:
    """Re-run a manifest; return (identical, differences, replay folder or None if temporary)."""
    _, _, job = plan(Path(manifest))
    return replay_job(job, out, workers, progress)


def replay_job(job: dict, out: str | Path | None = None, workers: int = 1,
               progress: bool = False) -> tuple[bool, dict, Path | None]:
    """Re-run a manifest checked by :func:`plan` and compare its data files."""
    if out is not None:
        target = Path(out)
        check_out(target)
        rerun(job, target, workers, progress)
        diffs = compare_outputs(job["data"], target)
        return not diffs, diffs, target
    with tempfile.TemporaryDirectory(prefix="cogov-replay-out-") as tmp:
        target = Path(tmp) / "replay"
        rerun(job, target, workers, progress)
        diffs = compare_outputs(job["data"], target)
    return not diffs, diffs, None
