"""``cogov compare``: paired replications of scenarios against a base (the statistics and
figures are in :mod:`sim.study.compare`)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from ..config import ScenarioError, config_hash, load_scenario
from ..study.compare import (NothingToCompare, compare_into, default_dirname, print_table,
                             rep_seeds, scenario_names)
from ..study.results import check_out
from . import common
from .common import (DAYS, MAX_SEED, RESULTS, SEED, WORKERS, add_command, add_preflight_flag,
                     check_before_running, info, int_in, progress_enabled)


def add_parser(subparsers) -> None:
    p = add_command(
        subparsers, "compare", "paired replications of scenarios against a base (common random numbers)",
        "Run BASE and each ALT for --reps paired replications (replication i of every scenario "
        "uses seed ROOT+i) and report each outcome's mean and the paired difference against BASE "
        "with a 95% confidence interval.",
        ("cogov compare scenarios/baseline.yaml scenarios/lever_duty_reduction.yaml \\",
         "    --reps 10 --days 365 --workers 2"))
    p.add_argument("base", help="base scenario YAML file")
    p.add_argument("alternatives", nargs="+", metavar="alt", help="alternative scenario YAML file(s)")
    p.add_argument("--reps", type=int_in(2, 10_000), default=30,
                   help="paired replications per scenario, 2-10,000 (default 30)")
    p.add_argument("--days", type=DAYS, default=None, help="days to simulate (default: each scenario's run.days)")
    p.add_argument("--seed", type=SEED, default=1,
                   help="root seed: replication i uses seed ROOT+i in every scenario (default 1)")
    p.add_argument("--workers", type=WORKERS, default=1, help="local worker processes (default 1)")
    p.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a parameter in every scenario, e.g. --set population.residents_per_community=2000")
    p.add_argument("--out", default=None, help="results folder (default results/compare_<names>_<hash>)")
    p.add_argument("--force", action="store_true", help="replace --out if it exists and is not empty")
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet",
                   help="csv: also write each table as CSV beside its Parquet file")
    p.add_argument("--no-figures", action="store_true", help="do not draw the figures")
    p.add_argument("--figure-format", choices=("all", "png", "svg", "pdf"), default="all",
                   help="file format of the figures (default all: PNG, SVG and PDF)")
    p.add_argument("--dpi", type=int_in(50, 1200), default=200, help="resolution of PNG figures (default 200)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (it is off anyway "
                   "when stderr is not a terminal or CI is set)")
    add_preflight_flag(p)
    p.set_defaults(func=cmd_compare)


def command_line(args) -> str:
    """A command that reproduces these results (the number of workers does not matter)."""
    parts = ["cogov", "compare", str(args.base), *map(str, args.alternatives),
             "--reps", str(args.reps), "--seed", str(args.seed)]
    if args.days is not None:
        parts += ["--days", str(args.days)]
    for s in args.set or []:
        parts += ["--set", s]
    return shlex.join(parts)


def cmd_compare(args) -> int:
    if args.seed + args.reps - 1 > MAX_SEED:
        raise ScenarioError(f"--seed {args.seed} with --reps {args.reps}: the last replication's "
                            f"seed would pass {MAX_SEED}")

    files = [args.base, *args.alternatives]
    scenarios = []
    for f in files:  # load and validate everything before running anything
        sc = load_scenario(f, args.set)
        if args.days is not None:
            sc.run.days = args.days
        scenarios.append(sc)
    check_before_running(scenarios, levers_compared=True,
                         at_once=min(args.workers, len(files) * args.reps),
                         preflight=not args.no_preflight, what="a comparison run")
    names = scenario_names(files)
    seeds = rep_seeds(args.seed, args.reps)
    out = Path(args.out) if args.out else RESULTS / default_dirname(names, scenarios, seeds)
    force = args.force or args.out is None  # the default folder is named by what it holds
    check_out(out, force=force)

    for n, f, sc in zip(names, files, scenarios):
        common.detail(f"compare: {n} = {f} (config {config_hash(sc)}; {sc.run.days} days after a "
                      f"spin-up of {sc.run.spin_up_days} days), overrides {args.set or []}")
    n_res = [s.population.n_communities * s.population.residents_per_community for s in scenarios]
    info(f"Comparing {', '.join(names[1:])} against {names[0]}: {args.reps} paired replications "
         f"(seeds {seeds[0]}..{seeds[-1]}), {scenarios[0].run.days} days, "
         f"{n_res[0]:,} residents, {args.workers} worker{'s' if args.workers > 1 else ''}")
    try:
        done = compare_into(out, files, names, scenarios, seeds, force=force, workers=args.workers,
                            csv=args.format == "csv", figures=not args.no_figures,
                            figure_format=args.figure_format, dpi=args.dpi,
                            progress=progress_enabled(args), command_line=command_line(args),
                            overrides=args.set, days=args.days)
    except NothingToCompare:
        print("error: fewer than two complete replications; nothing to compare", file=sys.stderr)
        return 1
    runs = done["runs"]
    if common.VERBOSITY >= 0:
        print_table(done["effects"], names, runs["rep"].nunique(),
                    days=int(runs["days"].iloc[0]) if "days" in runs else None)
    info(f"\n{len(names) * runs['rep'].nunique()} runs in {done['seconds']:.1f} s. "
         f"Files in {out}/: {', '.join(done['written'])}")
    return 1 if done["failures"] else 0
