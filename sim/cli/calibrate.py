"""``cogov calibrate CALIBRATION.yaml``: fit uncertain parameters to published targets (the
search is :mod:`sim.study.calibrate`). Every input is checked before the first trial: the
file (strict YAML, finite numbers, ranges that hold a value), the flags, and on ``--resume``
that the calibration is the one the study started with."""

from __future__ import annotations

from ..study.calibrate import calibrate
from . import common
from .common import WORKERS, add_command, add_preflight_flag, int_in, progress_enabled


def cmd_calibrate(args) -> int:
    calibrate(args.calibration, out=args.out, workers=args.workers, executor=args.executor,
              scheduler=args.scheduler, resume=args.resume, trials=args.trials,
              quiet=common.VERBOSITY < 0, preflight=not args.no_preflight,
              progress=progress_enabled(args), verbose=common.VERBOSITY > 0)
    return 0


def add_parser(sub) -> None:
    p = add_command(
        sub, "calibrate", "fit uncertain parameters to published targets (Optuna)",
        "Fit the free parameters of a calibration file to its targets with Optuna's TPE "
        "sampler, in parallel, resumable.",
        ("cogov calibrate experiments/calibration.yaml --workers 2",))
    p.add_argument("calibration", help="calibration file (YAML), e.g. experiments/calibration.yaml")
    p.add_argument("--out", default=None, help="output folder (default results/calibrate_<name>)")
    p.add_argument("--workers", type=WORKERS, default=1,
                   help="parallel runs (local processes or Dask workers), 1-1024 (default 1)")
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="where runs execute: local processes or a Dask cluster")
    p.add_argument("--scheduler", default=None, help="address of a running Dask scheduler")
    p.add_argument("--resume", action="store_true", help="continue the study in --out (refused "
                   "if the calibration file or its scenario changed since it started)")
    p.add_argument("--trials", type=int_in(1, 10_000), default=None,
                   help="total trials, 1-10,000 (default: the file's)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_preflight_flag(p)
    p.set_defaults(func=cmd_calibrate)
