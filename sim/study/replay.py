"""``cogov replay MANIFEST``: re-run what a manifest records and say whether the outputs are
identical.

The replay uses what the manifest resolved, not the files it names (they may have changed
since): a run's resolved scenario and seed, a comparison's resolved scenarios, replications
and root seed, a sweep's saved run table (``design.parquet``) and base scenarios. The data
files (every Parquet table, ``summary.json``) are then compared value by value; manifests,
figures and timings are not compared. Exit code 0: identical; 1: different (the differing
files and columns are listed).
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sys
import tempfile
from pathlib import Path

import pandas as pd
import yaml

from ..config import ScenarioError
from .results import differing_keys, load_manifest

# columns that describe the machine, not the results
VOLATILE = {"error", "seconds"}
COMMANDS = ("run", "compare", "sweep", "optimize")


def _manifest(path: Path) -> tuple[Path, dict]:
    path = Path(path)
    if path.is_dir():
        path = path / "manifest.json"
    m = load_manifest(path, f"{path}: no such manifest (give a results folder or its manifest.json)",
                      f"{path}: not a readable manifest ({{exc}})")
    if not isinstance(m, dict) or m.get("command") not in COMMANDS:
        raise ScenarioError(f"{path}: not a manifest of cogov run, compare, sweep or optimize")
    return path.parent, m


def _write_scenario(folder: Path, name: str, scenario: dict) -> Path:
    f = folder / f"{name}.yaml"
    f.write_text(yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return f


def _call(argv: list[str]) -> int:
    from .. import cli
    from . import results
    saved = results.COMMAND_LINE, cli.VERBOSITY
    try:
        return cli.main(argv)
    finally:
        results.COMMAND_LINE, cli.VERBOSITY = saved


def rerun(folder: Path, m: dict, out: Path, workers: int = 1, progress: bool = False) -> None:
    """Re-run the manifest ``m`` (of ``folder``) into ``out``."""
    with tempfile.TemporaryDirectory(prefix="cogov-replay-") as tmp:
        tmp = Path(tmp)
        if m["command"] == "run":
            name = Path(m.get("scenario_file") or "scenario").stem
            f = _write_scenario(tmp, name, m["scenario"])
            rc = _call(["run", str(f), "--seed", str(m["seed"]), "--out", str(out), "--force", "-q"])
        elif m["command"] == "compare":
            files = [str(_write_scenario(tmp, s["name"], s["scenario"])) for s in m["scenarios"]]
            # its table is not wanted (stdout swallowed); its progress bar is (stderr)
            with contextlib.redirect_stdout(io.StringIO()):
                rc = _call(["compare", *files, "--reps", str(m["reps"]), "--seed", str(m["seed_root"]),
                            "--out", str(out), "--force", "--no-figures", "--workers", str(workers),
                            *([] if progress else ["--no-progress"])])
            rc = 0 if rc in (0, 1) else rc  # 1: some runs failed, as they may have the first time
        elif m["command"] == "optimize":
            from .optimize import replay_file, optimize
            f = replay_file(m, tmp)
            optimize(f, out=out, workers=workers, progress=progress, quiet=True)
            rc = 0
        else:
            from .sweep import run as run_sweep
            if not (folder / "design.parquet").is_file():
                raise ScenarioError(f"{folder}: no design.parquet; cannot replay the sweep")
            out.mkdir(parents=True, exist_ok=True)
            shutil.copy2(folder / "design.parquet", out / "design.parquet")
            plan = {k: v for k, v in m.items()
                    if k not in ("n_done", "n_ok", "n_failed", "n_missing", "cpu_seconds",
                                 "last_session", "finished", "executor", "workers")}
            plan["status"] = "planned"
            (out / "manifest.json").write_text(json.dumps(plan, indent=2))
            run_sweep(out, workers=workers, progress=progress)
            rc = 0
    if rc not in (0,):
        raise ScenarioError(f"replay of {folder} failed (exit code {rc})")


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


def compare_outputs(old: Path, new: Path) -> dict[str, list[str]]:
    """{file: what differs} for every data file of ``old`` (empty: identical)."""
    diffs: dict[str, list[str]] = {}
    names = sorted(p.name for p in old.glob("*.parquet")) + \
        (["summary.json"] if (old / "summary.json").exists() else [])
    for name in names:
        if not (new / name).exists():
            diffs[name] = ["missing in the replay"]
            continue
        if name.endswith(".json"):
            a = json.loads((old / name).read_text())
            b = json.loads((new / name).read_text())
            keys = differing_keys(a, b)
            if keys:
                diffs[name] = keys
        else:
            bad = _frames_differ(pd.read_parquet(old / name), pd.read_parquet(new / name))
            if bad:
                diffs[name] = bad
    return diffs


def replay(manifest: str | Path, out: str | Path | None = None, workers: int = 1,
           progress: bool = False) -> tuple[bool, dict, Path | None]:
    """Re-run a manifest; return (identical, differences, replay folder or None if temporary)."""
    folder, m = _manifest(Path(manifest))
    if out is not None:
        from .results import check_out
        check_out(Path(out))
        target = Path(out)
        rerun(folder, m, target, workers, progress)
        diffs = compare_outputs(folder, target)
        return not diffs, diffs, target
    with tempfile.TemporaryDirectory(prefix="cogov-replay-out-") as tmp:
        target = Path(tmp) / "replay"
        rerun(folder, m, target, workers, progress)
        diffs = compare_outputs(folder, target)
    return not diffs, diffs, None


def cmd_replay(args) -> int:
    import time

    from ..cli import detail, info, progress_enabled
    folder, m = _manifest(Path(args.manifest))
    info(f"Replaying {folder} ({m['command']}; recorded with cogov {m.get('cogov_version', '?')}"
         f", git {m.get('git_commit') or 'unknown'}) ...", file=sys.stderr)
    detail(f"replay: recorded command: {m.get('command_line') or '?'}")
    for key in ("seed", "seed_root", "reps", "seeds"):
        if key in m:
            detail(f"replay: {key} {m[key]}")
    t0 = time.perf_counter()
    same, diffs, where = replay(args.manifest, args.out, workers=args.workers,
                                progress=progress_enabled(args))
    detail(f"replay: {time.perf_counter() - t0:.1f} s with {args.workers} worker(s)")
    if same:
        print(f"identical: every data file of {folder} was reproduced"
              + (f" (replay in {where})" if where else ""))
        return 0
    print(f"DIFFERENT: the replay of {folder} does not reproduce it" +
          (f" (replay in {where})" if where else ""))
    for name, what in diffs.items():
        print(f"  {name}: {', '.join(what[:12])}" + (" ..." if len(what) > 12 else ""))
    return 1


def add_parser(sub) -> None:
    from ..cli import WORKERS, add_command
    p = add_command(sub, "replay", "re-run a manifest and report whether the outputs are identical",
                    "Re-run what a run, compare, sweep or optimize manifest records (its resolved scenarios, "
                    "seeds and run table) and compare every data file with the original. Exit code "
                    "0 if identical, 1 if not.",
                    ("cogov replay results/my_run/manifest.json",
                     "cogov replay results/gxd --out results/gxd_replay"))
    p.add_argument("manifest", help="a manifest.json, or the results folder holding it")
    p.add_argument("--out", help="keep the replay in this folder (default: a temporary folder, "
                                 "removed afterwards)")
    p.add_argument("--workers", type=WORKERS, default=1,
                   help="local worker processes for a comparison, sweep or optimize (default 1)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_replay)
