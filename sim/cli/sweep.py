"""``cogov sweep``: plan and run an experiment's design, resumably (the sweep itself is
:mod:`sim.study.sweep`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from ..config import ScenarioError, parse_set
from ..study.experiment import SECTIONS, scenario_for
from ..study.parallel import EXECUTORS, require_dask
from ..study.preflight import check_scheduler
from ..study.results import OutputLock, write_csv_atomic
from ..study.sweep import (check_design, default_out, estimate_seconds, expand_file, plan,
                           read_manifest, run)
from .common import (DAYS, WORKERS, add_command, add_preflight_flag, check_before_running,
                     float_in, info, int_in, progress_enabled)

# design columns that change a run's size, horizon or network: checked row by row
SIZING = ("population.residents_per_community", "population.n_communities", "run.days",
          "run.policy_start_day", "run.spin_up_days", "network.edge_list")


def _sizing(args) -> dict:
    return {k: v for k, v in (("set", parse_set(args.set) if args.set else None),
                              ("days", args.days), ("replications", args.reps)) if v}


def describe(exp, table: pd.DataFrame) -> list[str]:
    """The design in words: runs, points, factors with their roles and values or ranges."""
    lines = [f"{exp.design.type} design: {table['point_id'].nunique():,} points x "
             f"{exp.replications} replications = {len(table):,} runs"
             + (f" over {len(exp.scenarios)} scenarios" if len(exp.scenarios) > 1 else "")]
    for section in SECTIONS:
        for key, f in getattr(exp, section).items():
            what = (f"{len(f.values)} values {f.values}" if not f.is_range
                    else f"range {f.low:g} to {f.high:g}" + (f", {f.levels} levels" if f.levels else ""))
            lines.append(f"  {section[:-1] if section != 'uncertainties' else 'uncertainty'} "
                         f"{key}: {what}" + (f" (with {f.with_})" if f.with_ else ""))
    if exp.set:
        lines.append(f"  fixed: {exp.set}")
    return lines


def _settings(table: pd.DataFrame, bases: dict) -> list[dict]:
    """One resolved scenario per distinct combination of base and sizing columns (the bases
    alone when no factor changes size, horizon or network)."""
    keys = [k for k in SIZING if k in table.columns]
    if not keys:
        return list(bases.values())
    combos = table[["scenario", *keys]].drop_duplicates()
    return [scenario_for(bases, row, keys) for row in combos.to_dict("records")]


def _check(table: pd.DataFrame, bases: dict, levers: bool, args) -> None:
    check_before_running(_settings(table, bases), levers_compared=levers or len(bases) > 1,
                         at_once=min(args.workers, max(1, len(table))),
                         preflight=not args.no_preflight, what="a sweep run")


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def cmd_sweep(args) -> int:
    if args.resume and args.experiment:
        raise ScenarioError("give either EXPERIMENT or --resume DIR, not both")
    if not args.resume and not args.experiment:
        raise ScenarioError("give an experiment file (experiments/*.yaml) or --resume DIR")
    if args.scheduler and args.executor != "dask":
        raise ScenarioError("--scheduler needs --executor dask")
    if args.resume and (args.set or args.days or args.reps or args.dry_run):
        raise ScenarioError("--set, --days, --reps and --dry-run size a new sweep; a resumed "
                            "sweep keeps its plan")
    if args.executor == "dask":
        require_dask()
        if args.scheduler:  # unreachable is said as such, before any folder is planned
            check_scheduler(args.scheduler)
    if args.resume:
        out = Path(args.resume)
        if not out.is_dir():
            raise ScenarioError(f"--resume {out}: no such folder")
        manifest = read_manifest(out)
        _check(check_design(out, manifest), manifest["scenarios"],
               bool(manifest["experiment"].get("levers")), args)
        lock = OutputLock(out)
    else:
        overrides = _sizing(args)
        expanded = expand_file(args.experiment, overrides)
        exp, table, bases = expanded
        _check(table, bases, bool(exp.levers), args)
        if args.dry_run:
            for line in describe(exp, table):
                print(line)
            per_run, total, basis = estimate_seconds(table, bases, args.workers)
            print(f"estimate: {per_run:.2f} s a run, about {_duration(total)} on "
                  f"{args.workers} worker{'s' if args.workers > 1 else ''}")
            print(f"  basis: {basis}")
            print("dry run: nothing was written")
            return 0
        out = Path(args.out) if args.out else default_out(exp, bases)
        lock = OutputLock(out)
    with lock:
        if not args.resume:
            plan(args.experiment, out, overrides, expanded)
            m = json.loads((out / "manifest.json").read_text())
            print(f"{args.experiment}: {m['design']} design, {m['n_points']} points x "
                  f"{m['replications']} replications = {m['n_runs']} runs -> {out}/", file=sys.stderr)
        try:
            m = run(out, workers=args.workers, executor=args.executor, scheduler=args.scheduler,
                    batch_seconds=args.batch_seconds, flush_seconds=args.flush_seconds,
                    progress=progress_enabled(args))
        except KeyboardInterrupt:
            print(f"interrupted; finish with: cogov sweep --resume {out}", file=sys.stderr)
            return 130
        if args.format == "csv":
            for name in ("runs", "failures", "timeseries"):
                if (out / f"{name}.parquet").exists():
                    write_csv_atomic(out / f"{name}.csv", pd.read_parquet(out / f"{name}.parquet"))
    info(f"{out}: {m['n_ok']} runs ok, {m['n_failed']} failed"
         + (f" (tracebacks in {out}/failures.parquet)" if m["n_failed"] else "")
         + f"; next: cogov report {out}")
    return 0


def add_parser(sub) -> None:
    s = add_command(sub, "sweep", "run an experiment (experiments/*.yaml): many runs over a design",
                    "Plan and run an experiment's design; results arrive in parts, so an "
                    "interrupted sweep can be resumed. --set/--days/--reps resize a shipped "
                    "experiment without copying it; --dry-run says how big it is.",
                    ("cogov sweep experiments/grants_x_duty.yaml --reps 2 --days 180 \\",
                     "    --set population.residents_per_community=2000 --dry-run",
                     "cogov sweep experiments/grants_x_duty.yaml --workers 2 --out results/gxd"))
    s.add_argument("experiment", nargs="?", help="experiment YAML file")
    s.add_argument("--resume", metavar="DIR", help="finish an interrupted sweep in DIR (refused if "
                   "the experiment file now expands to another run table)")
    s.add_argument("--out", help="results folder (default results/sweep_<name>_<hash>)")
    s.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="fix a parameter in every run (merged over the file's set:)")
    s.add_argument("--days", type=DAYS, help="horizon of every run (default: the file's days:)")
    s.add_argument("--reps", type=int_in(1, 10_000), help="replications per design point "
                   "(default: the file's replications:)")
    s.add_argument("--dry-run", action="store_true", help="print the number of runs, the factors "
                   "and an estimate of the time (from a short timed run); write nothing")
    s.add_argument("--workers", type=WORKERS, default=1, help="worker processes (default 1)")
    s.add_argument("--executor", choices=EXECUTORS, default="local",
                   help="local: worker processes on this machine (default); dask: a Dask cluster "
                        "(local, or --scheduler ADDRESS; needs the 'cluster' extra)")
    s.add_argument("--scheduler", metavar="ADDRESS",
                   help="address of a running Dask scheduler (with --executor dask)")
    s.add_argument("--batch-seconds", type=float_in(0.01, 3600), default=1.0,
                   help="target seconds per task batch (default 1)")
    s.add_argument("--flush-seconds", type=float_in(0.0, 3600), default=2.0,
                   help="seconds between result part files (default 2)")
    s.add_argument("--format", choices=("parquet", "csv"), default="parquet",
                   help="csv: also write runs, failures and time series as CSV at the end")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_preflight_flag(s)
    s.set_defaults(func=cmd_sweep)
