"""``cogov optimize FILE``: search lever portfolios under a yearly budget (the search is
:mod:`sim.study.optimize`)."""

from __future__ import annotations

from ..config import ScenarioError
from ..study.optimize import optimize
from . import common
from .common import WORKERS, add_command, int_in, progress_enabled


def cmd_optimize(args) -> int:
    if args.scheduler and args.executor != "dask":
        raise ScenarioError("--scheduler needs --executor dask")
    optimize(args.optimize, out=args.out, workers=args.workers, executor=args.executor,
             scheduler=args.scheduler, resume=args.resume, trials=args.trials,
             progress=progress_enabled(args), quiet=common.VERBOSITY < 0)
    return 0


def add_parser(sub) -> None:
    p = add_command(sub, "optimize", "search lever portfolios under a yearly budget (NSGA-II)",
                    "Search the levers of an optimize file for portfolios that are best on its "
                    "objectives, robust over its uncertainty samples (common random numbers) and "
                    "within its yearly budget; write the Pareto set, a scenario per portfolio and "
                    "figures. Resumable; parallel on the sweep executors.",
                    ("cogov optimize experiments/optimize_budget.yaml --workers 2",
                     "cogov optimize experiments/optimize_budget.yaml --resume --trials 120"))
    p.add_argument("optimize", help="optimize file (YAML), e.g. experiments/optimize_budget.yaml")
    p.add_argument("--out", default=None, help="output folder (default results/optimize_<name>)")
    p.add_argument("--workers", type=WORKERS, default=1, help="parallel runs (default 1)")
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="where runs execute: local processes or a Dask cluster")
    p.add_argument("--scheduler", default=None, help="address of a running Dask scheduler")
    p.add_argument("--resume", action="store_true", help="continue the search in --out")
    p.add_argument("--trials", type=int_in(2, 100_000), default=None,
                   help="total candidates (default: the file's)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_optimize)
