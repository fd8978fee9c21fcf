"""``cogov sweep``: run an experiment's design, many runs, resumably.

Layout of a sweep directory::

    DIR/manifest.json      experiment, resolved base scenarios, factors, versions, status
    DIR/design.parquet     the run table: run_id, point_id, rep, scenario, parameters, seed
    DIR/parts/part-NNNNNN.parquet   results as they arrive (one row per run, ok or failed)
    DIR/ts/part-NNNNNN.parquet      time series of the same runs (if record_every is set)
    DIR/runs.parquet       at the end: every run, sorted by run_id, design columns + outcomes
    DIR/failures.parquet   at the end: failed runs with their tracebacks
    DIR/timeseries.parquet at the end (if recorded)

A part is written to a temporary name and renamed, so a part that exists is complete. On
``--resume`` the run ids in the parts are done (failed runs too: they are recorded, not
retried); only the others run. Time-series parts are written before their summary part,
so a time-series part without a summary part is an orphan of a kill and is removed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from .config import ScenarioError
from .parallel import EXECUTORS, Task, run_many

RESULTS = Path("results")
DESIGN_COLUMNS = ("run_id", "point_id", "design_index", "rep", "scenario", "label", "seed")


# ------------------------------------------------------------------------------ planning
def plan(experiment_path: str | Path, out: str | Path | None = None) -> Path:
    """Check the experiment, expand its design and write manifest + run table into DIR."""
    from .experiment import expand, load_experiment
    from .params import iter_parameters
    from .results import git_commit, package_versions, write_json_atomic, write_parquet_atomic

    experiment_path = Path(experiment_path)
    exp = load_experiment(experiment_path)
    table, bases, _ = expand(exp, experiment_path)
    digest = hashlib.sha256(json.dumps({"e": exp.model_dump(mode="json"), "b": bases},
                                       sort_keys=True, default=str).encode()).hexdigest()[:8]
    out = Path(out) if out else RESULTS / f"sweep_{exp.name}_{digest}"
    if (out / "manifest.json").exists():
        m = json.loads((out / "manifest.json").read_text())
        hint = (f"`cogov report {out}`" if m.get("status") == "complete"
                else f"`cogov sweep --resume {out}` to finish it")
        raise ScenarioError(f"{out}: already holds a sweep ({m.get('status')}); use {hint}, "
                            "or choose another --out")
    out.mkdir(parents=True, exist_ok=True)
    roles = {p: (f.json_schema_extra or {}).get("role") for p, f, _ in iter_parameters()}
    factors = {}
    for section, role in (("uncertainties", "uncertainty"), ("levers", "lever")):
        for key, f in getattr(exp, section).items():
            factors[key] = {"role": role, "schema_role": roles.get(key),
                            **f.model_dump(mode="json", exclude_none=True)}
    problem = None
    if exp.design.type in ("sobol", "morris", "lhs"):
        problem = {"num_vars": len(exp.factors), "names": list(exp.factors),
                   "bounds": [[f.low, f.high] for f in exp.factors.values()]}
    manifest = {
        "command": "sweep", "status": "planned", "experiment_file": str(experiment_path),
        "experiment": exp.model_dump(mode="json"), "name": exp.name,
        "design": exp.design.type, "factors": factors, "problem": problem,
        "parameters": [k for k in table.columns if k not in DESIGN_COLUMNS],
        "n_runs": int(len(table)), "n_points": int(table["point_id"].nunique()),
        "replications": exp.replications, "root_seed": exp.seed,
        "outcomes": exp.outcomes, "record_every": exp.record_every, "scenarios": bases,
        "versions": package_versions(), "git_commit": git_commit(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    write_parquet_atomic(out / "design.parquet", _parquet_safe(table))
    write_json_atomic(out / "manifest.json", manifest)  # last: the plan is complete
    return out


def _parquet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Columns of mixed Python types (e.g. None and str) stored as strings only if needed."""
    df = df.copy()
    for c in df.columns:
        if df[c].dtype == object:
            types = {type(v) for v in df[c] if v is not None and not (isinstance(v, float) and np.isnan(v))}
            if len(types) > 1 and not types <= {int, float}:
                df[c] = df[c].map(lambda v: None if v is None else json.dumps(v))
    return df


# ------------------------------------------------------------------------------- running
def _part_numbers(folder: Path) -> dict[int, Path]:
    out = {}
    if folder.is_dir():
        for p in folder.glob("part-*.parquet"):
            try:
                out[int(p.stem.split("-", 1)[1])] = p
            except ValueError:
                continue
    return out


def done_run_ids(out: Path) -> set[int]:
    """Run ids recorded in complete parts (a part is visible only once renamed)."""
    ids: set[int] = set()
    for p in _part_numbers(out / "parts").values():
        ids.update(int(i) for i in pd.read_parquet(p, columns=["run_id"])["run_id"])
    return ids


def _numeric(values: list) -> bool:
    return all(v is None or isinstance(v, (int, float, bool, np.integer, np.floating, np.bool_))
               for v in values)


class _PartWriter:
    def __init__(self, out: Path, outcomes: list[str] | None, flush_seconds: float):
        from .results import write_parquet_atomic
        self.write = write_parquet_atomic
        self.out = out
        (out / "parts").mkdir(exist_ok=True)
        self.outcomes = outcomes
        self.flush_seconds = flush_seconds
        nums = set(_part_numbers(out / "parts")) | set(_part_numbers(out / "ts"))
        self.seq = max(nums, default=-1) + 1
        self.buffer: list[dict] = []
        self.last = time.monotonic()
        self.n_ok = self.n_failed = 0

    def add(self, result: dict) -> None:
        self.buffer.append(result)
        if result["ok"]:
            self.n_ok += 1
        else:
            self.n_failed += 1
        if time.monotonic() - self.last >= self.flush_seconds or len(self.buffer) >= 2000:
            self.flush()

    def flush(self) -> None:
        self.last = time.monotonic()
        if not self.buffer:
            return
        rows, series = [], []
        for r in self.buffer:
            row = {"run_id": int(r["run_id"]), "ok": bool(r["ok"]), "error": r["error"],
                   "seconds": float(r["seconds"])}
            if r["ok"]:
                row.update(r["summary"])
                ts = r.get("timeseries")
                if ts is not None:
                    ts = ts.copy()
                    ts.insert(0, "run_id", int(r["run_id"]))
                    series.append(ts)
            rows.append(row)
        df = pd.DataFrame(rows)
        for c in df.columns[4:]:
            if _numeric(list(df[c])):
                df[c] = df[c].astype("float64")
        name = f"part-{self.seq:06d}.parquet"
        if series:
            (self.out / "ts").mkdir(exist_ok=True)
            self.write(self.out / "ts" / name, pd.concat(series, ignore_index=True))
        self.write(self.out / "parts" / name, df)  # the rename makes these runs done
        self.seq += 1
        self.buffer = []


def _remove_orphans(out: Path) -> None:
    parts = set(_part_numbers(out / "parts"))
    for n, p in _part_numbers(out / "ts").items():
        if n not in parts:
            p.unlink()
    for folder in (out / "parts", out / "ts"):
        if folder.is_dir():
            for tmp in folder.glob(".part-*.tmp"):  # a kill left a half-written file
                tmp.unlink(missing_ok=True)


def run(out: str | Path, workers: int = 1, executor: str = "local", scheduler: str | None = None,
        batch_seconds: float = 1.0, flush_seconds: float = 2.0, progress: bool = True) -> dict:
    """Run (or finish) the sweep planned in ``out``; return the final manifest."""
    from .experiment import dispatch_order, scenario_for
    from .results import write_json_atomic

    out = Path(out)
    mpath = out / "manifest.json"
    if not mpath.exists():
        raise ScenarioError(f"{out}: no sweep here (no manifest.json)")
    manifest = json.loads(mpath.read_text())
    if manifest.get("command") != "sweep":
        raise ScenarioError(f"{out}: not a sweep directory (command {manifest.get('command')!r})")
    table = pd.read_parquet(out / "design.parquet")
    _remove_orphans(out)
    done = done_run_ids(out)
    bases = manifest["scenarios"]
    keys = manifest["parameters"]
    records = {int(r["run_id"]): r for r in table.to_dict("records")}
    todo = [rid for rid in dispatch_order(table) if rid not in done]
    total = len(table)
    if done:
        print(f"{out}: {len(done)} of {total} runs already done; running the other {len(todo)}",
              file=sys.stderr)
    exp = manifest["experiment"]
    record_every = exp.get("record_every")
    tasks = [Task(run_id=rid, scenario=scenario_for(bases, records[rid], keys),
                  seed=int(records[rid]["seed"]), days=None, record_every=record_every,
                  keep_timeseries=record_every is not None, outcomes=exp.get("outcomes"))
             for rid in todo]
    manifest.update(status="running", executor=executor, workers=workers)
    write_json_atomic(mpath, manifest)
    writer = _PartWriter(out, exp.get("outcomes"), flush_seconds)
    t0 = time.perf_counter()
    try:
        for result in run_many(tasks, workers=workers, executor=executor, scheduler=scheduler,
                               batch_seconds=batch_seconds, progress=progress,
                               desc=f"sweep {manifest['name']}"):
            writer.add(result)
    finally:
        writer.flush()  # on Ctrl-C too: what finished is kept
    elapsed = time.perf_counter() - t0
    return finalize(out, manifest, elapsed, len(tasks))


def finalize(out: Path, manifest: dict, elapsed: float, n_ran: int) -> dict:
    """Merge the parts into runs.parquet (sorted by run_id), failures.parquet, timeseries."""
    from .results import write_json_atomic, write_parquet_atomic

    table = pd.read_parquet(out / "design.parquet")
    parts = [pd.read_parquet(p) for _, p in sorted(_part_numbers(out / "parts").items())]
    res = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        {"run_id": [], "ok": [], "error": [], "seconds": []})
    res = res.drop_duplicates("run_id", keep="first")
    missing = sorted(set(table["run_id"]) - set(res["run_id"]))
    # summary keys that repeat a design column (e.g. 'seed') stay in the parts only
    res = res.drop(columns=[c for c in res.columns if c in table.columns and c != "run_id"])
    merged = table.merge(res, on="run_id", how="inner").sort_values("run_id", kind="stable")
    merged = merged.reset_index(drop=True)
    failures = merged.loc[~merged["ok"].astype(bool),
                          [c for c in table.columns] + ["error"]].reset_index(drop=True)
    runs = merged.drop(columns=["error", "seconds"])
    write_parquet_atomic(out / "runs.parquet", runs)
    write_parquet_atomic(out / "failures.parquet", failures)
    ts_parts = [pd.read_parquet(p) for _, p in sorted(_part_numbers(out / "ts").items())]
    if ts_parts:
        ts = pd.concat(ts_parts, ignore_index=True)
        ts = ts[ts["run_id"].isin(set(runs["run_id"]))]
        ts = ts.drop_duplicates(["run_id", "day"]).sort_values(["run_id", "day"], kind="stable")
        write_parquet_atomic(out / "timeseries.parquet", ts.reset_index(drop=True))
    manifest.update(
        status="complete" if not missing else "incomplete",
        n_done=int(len(runs)), n_ok=int(runs["ok"].sum()), n_failed=int(len(failures)),
        n_missing=len(missing), cpu_seconds=float(res["seconds"].sum()),
        last_session={"runs": n_ran, "wall_seconds": round(elapsed, 2)},
        finished=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    write_json_atomic(out / "manifest.json", manifest)
    return manifest


def sweep(experiment: str | Path, out: str | Path | None = None, **kw) -> Path:
    """Plan and run an experiment; return its directory."""
    out = plan(experiment, out)
    run(out, **kw)
    return out


# ----------------------------------------------------------------------------------- CLI
def cmd_sweep(args) -> int:
    if args.resume and args.experiment:
        raise ScenarioError("give either EXPERIMENT or --resume DIR, not both")
    if not args.resume and not args.experiment:
        raise ScenarioError("give an experiment file (experiments/*.yaml) or --resume DIR")
    if args.workers < 1:
        raise ScenarioError(f"--workers must be at least 1, got {args.workers}")
    if args.scheduler and args.executor != "dask":
        raise ScenarioError("--scheduler needs --executor dask")
    if args.resume:
        out = Path(args.resume)
    else:
        out = plan(args.experiment, args.out)
        m = json.loads((out / "manifest.json").read_text())
        print(f"{args.experiment}: {m['design']} design, {m['n_points']} points x "
              f"{m['replications']} replications = {m['n_runs']} runs -> {out}/", file=sys.stderr)
    try:
        m = run(out, workers=args.workers, executor=args.executor, scheduler=args.scheduler,
                batch_seconds=args.batch_seconds, flush_seconds=args.flush_seconds,
                progress=not args.no_progress)
    except KeyboardInterrupt:
        print(f"interrupted; finish with: cogov sweep --resume {out}", file=sys.stderr)
        return 130
    print(f"{out}: {m['n_ok']} runs ok, {m['n_failed']} failed"
          + (f" (tracebacks in {out}/failures.parquet)" if m["n_failed"] else "")
          + f"; next: cogov report {out}")
    return 0


def add_parser(sub) -> None:
    s = sub.add_parser("sweep", help="run an experiment (experiments/*.yaml): many runs over a design",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    s.add_argument("experiment", nargs="?", help="experiment YAML file")
    s.add_argument("--resume", metavar="DIR", help="finish an interrupted sweep in DIR")
    s.add_argument("--out", help="results directory (default results/sweep_<name>_<hash>)")
    s.add_argument("--workers", type=int, default=1, help="worker processes")
    s.add_argument("--executor", choices=EXECUTORS, default="local")
    s.add_argument("--scheduler", metavar="ADDRESS",
                   help="address of a running Dask scheduler (with --executor dask)")
    s.add_argument("--batch-seconds", type=float, default=1.0, help="target seconds per task batch")
    s.add_argument("--flush-seconds", type=float, default=2.0,
                   help="seconds between result part files")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_sweep)
