"""``cogov sweep``: run an experiment's design, many runs, resumably.

Layout of a sweep directory::

    DIR/manifest.json      experiment, resolved base scenarios, factors, versions, status,
                           command_line (reproduces the sweep), plan_hash (of the run table)
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

Before resuming, the experiment file is expanded again: if its run table (with the resolved
base scenarios) no longer hashes to the manifest's ``plan_hash``, the resume is refused; a
different git commit only gives a warning (see :func:`check_plan`).

Why one long module: planning, running, resuming and finalizing a sweep share one manifest and its checks.
"""

from __future__ import annotations

import hashlib
import json
import shlex
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import ScenarioError
from .parallel import Task, run_many
from .results import RESULTS, check_name, differing_keys, load_manifest, read_table

DESIGN_COLUMNS = ("run_id", "point_id", "design_index", "rep", "scenario", "label", "seed")


# ------------------------------------------------------------------------------ planning
NOT_IN_COMMAND = ("--workers, --executor, --scheduler, --batch-seconds, --flush-seconds and "
                  "--no-progress do not change results, so they are left out")


def _jsonable(o):
    if hasattr(o, "tolist"):  # numpy scalars and arrays
        return o.tolist()
    raise TypeError(f"not JSON serializable: {type(o).__name__}")


def plan_hash(table: pd.DataFrame, bases: dict[str, dict]) -> str:
    """SHA-256 of the resolved plan: the run table (every column, every row, in order) and
    the resolved base scenarios. Equal hashes mean the same runs with the same seeds."""
    payload = {"columns": [str(c) for c in table.columns],
               "rows": table.to_dict("records"), "bases": bases}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=_jsonable)
                          .encode()).hexdigest()


def command_line(experiment_path: str | Path, out: str | Path, overrides: dict | None = None) -> str:
    """The command that reproduces a sweep (run from the working directory recorded with it)."""
    parts = ["cogov", "sweep", str(experiment_path)]
    overrides = overrides or {}
    for k, v in (overrides.get("set") or {}).items():
        parts += ["--set", f"{k}={json.dumps(v) if not isinstance(v, str) else v}"]
    if overrides.get("days") is not None:
        parts += ["--days", str(overrides["days"])]
    if overrides.get("replications") is not None:
        parts += ["--reps", str(overrides["replications"])]
    return shlex.join([*parts, "--out", str(out)])


def _factors(exp) -> dict:
    from .experiment import SECTIONS, schema_role
    factors = {}
    for section, role in SECTIONS.items():
        for key, f in getattr(exp, section).items():
            factors[key] = {"role": role, "schema_role": schema_role(key),
                            **f.model_dump(mode="json", exclude_none=True, by_alias=True)}
    return factors


def expand_file(experiment_path: str | Path, overrides: dict | None = None):
    """(experiment, run table, resolved bases) of an experiment file plus command-line sizing."""
    from .experiment import expand, load_experiment
    exp = load_experiment(experiment_path, overrides)
    table, bases, _ = expand(exp, experiment_path)
    return exp, table, bases


def default_out(exp, bases) -> Path:
    digest = hashlib.sha256(json.dumps({"e": exp.model_dump(mode="json"), "b": bases},
                                       sort_keys=True, default=str).encode()).hexdigest()[:8]
    return RESULTS / f"sweep_{exp.name}_{digest}"


def plan(experiment_path: str | Path, out: str | Path | None = None,
         overrides: dict | None = None, expanded=None) -> Path:
    """Check the experiment, expand its design and write manifest + run table into DIR."""
    from .results import OutputLock, check_out, manifest_base, write_json_atomic, write_parquet_atomic

    experiment_path = Path(experiment_path)
    exp, table, bases = expanded or expand_file(experiment_path, overrides)
    out = Path(out) if out else default_out(exp, bases)
    if (out / "manifest.json").exists():
        try:
            m = json.loads((out / "manifest.json").read_text())
        except (json.JSONDecodeError, UnicodeDecodeError):
            m = {"status": "unreadable"}
        hint = (f"`cogov report {out}`" if m.get("status") == "complete"
                else f"`cogov sweep --resume {out}` to finish it")
        raise ScenarioError(f"{out}: already holds a sweep ({m.get('status')}); use {hint}, "
                            "or choose another --out")
    check_out(out, force=False)
    out.mkdir(parents=True, exist_ok=True)
    problem = None
    if exp.design.type in ("sobol", "morris", "lhs"):
        problem = {"num_vars": len(exp.factors), "names": list(exp.factors),
                   "bounds": [[f.low, f.high] for f in exp.factors.values()]}
    stored, json_columns = _parquet_safe(table)
    manifest = {
        **manifest_base("sweep", command_line(experiment_path, out, overrides)), "status": "planned",
        "cli_overrides": overrides or {},
        "reproduce": ("run command_line from working_directory at git_commit; "
                      f"{NOT_IN_COMMAND}. Use another --out to rerun beside this sweep: the "
                      "run table (plan_hash) and the results will be the same."),
        "plan_hash": plan_hash(table, bases),
        "experiment_file": str(experiment_path),
        "experiment_path": str(experiment_path.resolve()),
        "experiment_sha256": hashlib.sha256(experiment_path.read_bytes()).hexdigest(),
        "experiment": exp.model_dump(mode="json", by_alias=True), "name": exp.name,
        "design": exp.design.type, "factors": _factors(exp), "problem": problem,
        "parameters": [k for k in table.columns if k not in DESIGN_COLUMNS],
        "json_columns": json_columns,
        "n_runs": int(len(table)), "n_points": int(table["point_id"].nunique()),
        "replications": exp.replications, "root_seed": exp.seed,
        "outcomes": exp.outcomes, "record_every": exp.record_every, "scenarios": bases,
    }
    write_parquet_atomic(out / "design.parquet", stored)
    write_json_atomic(out / "manifest.json", manifest)  # last: the plan is complete
    return out


def _parquet_safe(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Columns holding lists or dicts (e.g. purchased_services.item_types), or mixed Python
    types (e.g. 1 and "a"), are stored as JSON text; returns the frame and those columns
    (listed in the manifest as ``json_columns`` and decoded again before running)."""
    df = df.copy()
    encoded = []
    for c in df.columns:
        if df[c].dtype == object:
            types = {type(v) for v in df[c] if v is not None and not (isinstance(v, float) and np.isnan(v))}
            if (types & {list, tuple, dict}) or (len(types) > 1 and not types <= {int, float}):
                df[c] = df[c].map(lambda v: None if v is None else json.dumps(v, default=_jsonable))
                encoded.append(str(c))
    return df, encoded


def check_plan(out: Path, manifest: dict) -> None:
    """Before resuming: refuse if the experiment file (or a base scenario it reads) now
    expands to a different run table than the one planned; warn if the code changed.

    The run table is compared by ``plan_hash``; a change that leaves it alone (a comment,
    the description) is fine. A different git commit is only a warning: a rebuild or a
    docs-only change does not change results, and the planned run table is still used."""
    from .experiment import expand, load_experiment
    from .results import git_commit

    then, now = manifest.get("git_commit"), git_commit()
    if then and now and then != now:
        print(f"warning: {out} was planned at git commit {then}; the code is now at {now}. "
              "Resuming anyway: if the model changed, runs done before and after this resume "
              "may not be comparable (a docs-only change is harmless)", file=sys.stderr)
    if "plan_hash" not in manifest:
        print(f"warning: {out}: manifest.json has no plan_hash (planned by an older cogov); "
              "cannot check the experiment file is unchanged", file=sys.stderr)
        return
    candidates = [Path(p) for p in (manifest.get("experiment_path"), manifest.get("experiment_file"))
                  if p]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        print(f"warning: {out}: the experiment file {manifest.get('experiment_file')} is gone; "
              "cannot check it is unchanged. Resuming the plan saved in design.parquet",
              file=sys.stderr)
        return
    try:
        exp = load_experiment(path, manifest.get("cli_overrides"))
        table, bases, _ = expand(exp, path)
    except ScenarioError as exc:
        raise ScenarioError(f"{out}: cannot resume: the experiment file no longer loads as it "
                            f"did when the sweep was planned:\n{exc}") from None
    if plan_hash(table, bases) == manifest["plan_hash"]:
        changed = differing_keys(manifest.get("experiment") or {},
                               exp.model_dump(mode="json", by_alias=True))
        if changed:
            print(f"warning: {path} changed ({', '.join(changed)}) without changing the run "
                  f"table; resuming with the plan saved in {out}/manifest.json", file=sys.stderr)
        return
    why = []
    if len(table) != manifest.get("n_runs"):
        why.append(f"{len(table)} runs now, {manifest.get('n_runs')} planned")
    params = [k for k in table.columns if k not in DESIGN_COLUMNS]
    if params != manifest.get("parameters"):
        why.append(f"parameters now {params}, planned {manifest.get('parameters')}")
    base_diff = [f"{name}: {', '.join(differing_keys(manifest['scenarios'].get(name, {}), b)[:5])}"
                 for name, b in bases.items() if b != manifest["scenarios"].get(name)]
    if set(bases) != set(manifest["scenarios"]):
        why.append(f"base scenarios now {sorted(bases)}, planned {sorted(manifest['scenarios'])}")
    elif base_diff:
        why.append("resolved base scenario changed (" + "; ".join(base_diff) + ")")
    if not why:
        why.append("design points or seeds differ")
    raise ScenarioError(
        f"{out}: cannot resume: {path} has changed since the sweep was planned and now gives a "
        f"different run table ({'; '.join(why)}). Finishing would mix two experiments. Restore "
        f"the file (its plan is in {out}/manifest.json, 'experiment') to resume, or start a new "
        f"sweep with another --out")


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
        ids.update(int(i) for i in read_table(p, columns=["run_id"])["run_id"])
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

    def add(self, result: dict) -> None:
        self.buffer.append(result)
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
    from .results import OutputLock
    with OutputLock(Path(out)):
        return _run(Path(out), workers, executor, scheduler, batch_seconds, flush_seconds, progress)


def read_manifest(out: Path) -> dict:
    """A sweep's manifest, its keys checked (a one-line error naming the file and key)."""
    manifest = load_manifest(out / "manifest.json", f"{out}: no sweep here (no manifest.json)",
                             f"{out}/manifest.json is damaged ({{exc}}); the sweep cannot be "
                             "resumed. Start it again with another --out")
    if not isinstance(manifest, dict) or not {"scenarios", "parameters", "experiment"} <= set(manifest):
        raise ScenarioError(f"{out}/manifest.json is incomplete; the sweep cannot be resumed. "
                            "Start it again with another --out")
    where = out / "manifest.json"

    def bad(key: str, what: str):
        raise ScenarioError(f"{where}: key '{key}' must be {what}; the manifest is damaged")

    bases, exp = manifest["scenarios"], manifest["experiment"]
    if not isinstance(bases, dict) or not bases or not all(isinstance(b, dict) for b in bases.values()):
        bad("scenarios", "a mapping of scenario names to resolved scenarios")
    for name in bases:
        check_name(name, f"{where}: scenarios")
    for key in ("parameters", "json_columns"):
        v = manifest.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            bad(key, "a list of parameter names")
    if not isinstance(exp, dict):
        bad("experiment", "a mapping (the experiment as planned)")
    outcomes, every = exp.get("outcomes"), exp.get("record_every")
    if outcomes is not None and (not isinstance(outcomes, list) or not all(isinstance(o, str) for o in outcomes)):
        bad("experiment.outcomes", "a list of outcome names")
    if every is not None and (isinstance(every, bool) or not isinstance(every, int) or every < 1):
        bad("experiment.record_every", "a positive whole number")
    if not isinstance(manifest.get("name", ""), str):
        bad("name", "text")
    return manifest


def check_design(out: Path, manifest: dict) -> pd.DataFrame:
    """The run table (design.parquet) of a sweep, checked against its manifest: readable,
    with its design and parameter columns, unique run ids, seeds in range and scenarios the
    manifest holds."""
    path = out / "design.parquet"
    if not path.is_file():
        raise ScenarioError(f"{out}: no design.parquet (the run table); the sweep cannot be run")
    table = read_table(path)
    need = ["run_id", "scenario", "seed", *manifest["parameters"]]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise ScenarioError(f"{path}: columns {', '.join(map(repr, missing))} are missing; the "
                            "run table is damaged")
    try:
        ids = [int(i) for i in table["run_id"]]
        seeds = [int(x) for x in table["seed"]]
    except (TypeError, ValueError, OverflowError):
        raise ScenarioError(f"{path}: run_id and seed must be whole numbers; the run table is "
                            "damaged") from None
    if len(set(ids)) != len(ids) or any(x < 0 or x > 2**32 - 1 for x in seeds):
        raise ScenarioError(f"{path}: run ids repeat or seeds are out of range; the run table is "
                            "damaged")
    unknown = sorted({str(x) for x in table["scenario"]} - set(manifest["scenarios"]))
    if unknown:
        raise ScenarioError(f"{path}: scenarios {unknown[:5]} are not in manifest.json; the "
                            "run table is damaged")
    return table


def _run(out: Path, workers, executor, scheduler, batch_seconds, flush_seconds, progress) -> dict:
    from .experiment import dispatch_order, scenario_for
    from .results import clean_stale, write_json_atomic

    clean_stale(out)
    mpath = out / "manifest.json"
    manifest = read_manifest(out)
    if manifest.get("command") != "sweep":
        raise ScenarioError(f"{out}: not a sweep directory (command {manifest.get('command')!r})")
    if manifest.get("status") != "planned":  # a resume: is it still the same plan?
        check_plan(out, manifest)
    table = check_design(out, manifest)
    _remove_orphans(out)
    done = done_run_ids(out)
    bases = manifest["scenarios"]
    keys = manifest["parameters"]
    json_columns = manifest.get("json_columns", [])
    records = {}
    for r in table.to_dict("records"):
        for c in json_columns:
            if isinstance(r.get(c), str):
                try:
                    r[c] = json.loads(r[c])
                except json.JSONDecodeError:
                    raise ScenarioError(f"{out}/design.parquet: column {c!r} of run {r['run_id']} "
                                        "is not the JSON it should hold; the run table is damaged") from None
        records[int(r["run_id"])] = r
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

    table = read_table(out / "design.parquet")
    parts = [read_table(p) for _, p in sorted(_part_numbers(out / "parts").items())]
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
    ts_parts = [read_table(p) for _, p in sorted(_part_numbers(out / "ts").items())]
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


def sweep(experiment: str | Path, out: str | Path | None = None, overrides: dict | None = None,
          **kw) -> Path:
    """Plan and run an experiment; return its directory."""
    from .results import OutputLock
    expanded = expand_file(experiment, overrides)
    out = Path(out) if out else default_out(expanded[0], expanded[2])
    with OutputLock(out):
        plan(experiment, out, overrides, expanded)
        run(out, **kw)
    return out


def estimate_seconds(table: pd.DataFrame, bases: dict, workers: int) -> tuple[float, float, str]:
    """(seconds a run takes, seconds the sweep takes on ``workers``, the basis in words) from
    short timed runs of the first design point, after a warm-up. Building the model, a
    spin-up day and a reported day are timed apart: spin-up days are days with every lever
    at the baseline (timed on the point with baseline levers), reported days have the
    point's levers; each is timed over 50 days after 10 untimed ones (the first days of a
    fresh community do one-off work) and scaled to ``run.spin_up_days`` and ``run.days``."""
    from ..config import with_baseline_levers
    from .experiment import scenario_for
    from .. import spinup
    from ..model import CoGovModel
    from ..params import Scenario
    row = table.iloc[0].to_dict()
    keys = [k for k in table.columns if k not in DESIGN_COLUMNS]
    try:
        sc = Scenario.model_validate(scenario_for(bases, row, keys))
    except Exception:  # a list parameter stored as JSON text: estimate from the base
        sc = Scenario.model_validate(bases[row["scenario"]])
    spin, days = sc.run.spin_up_days, sc.run.days
    settle, timed = 10, 50

    def per_day(scenario: Scenario) -> tuple[float, float]:
        """(seconds to build without a spin-up, seconds a day)."""
        data = scenario.model_dump()
        data["run"].update(spin_up_days=0, days=settle + timed, policy_start_day=0)
        t0 = time.perf_counter()
        with spinup.disabled():  # a timing probe: nothing worth keeping in the cache
            model = CoGovModel(Scenario.model_validate(data), rng=1, collect=False)
        build = time.perf_counter() - t0
        model.run(settle)
        t0 = time.perf_counter()
        model.run(timed)
        return build, (time.perf_counter() - t0) / timed

    per_day(sc)  # warm-up: load the compiled kernels
    build, spin_day = per_day(with_baseline_levers(sc))
    _, day = per_day(sc)
    per_run = build + spin * spin_day + days * day
    basis = (f"building {build:.2f} s + {spin:,} spin-up days x {1000 * spin_day:.2f} ms + "
             f"{days:,} reported days x {1000 * day:.2f} ms (each timed over {timed} days of "
             f"the first point)")
    return per_run, per_run * len(table) / max(1, workers), basis
