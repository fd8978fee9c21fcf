"""``cogov calibrate CALIBRATION.yaml``: fit uncertain parameters to published targets (the
search is :mod:`sim.study.calibrate`)."""

from __future__ import annotations

from ..study.calibrate import calibrate
from .common import add_command


def cmd_calibrate(args) -> int:
    calibrate(args.calibration, out=args.out, workers=args.workers, executor=args.executor,
              scheduler=args.scheduler, resume=args.resume, trials=args.trials)
    return 0


def add_parser(sub) -> None:
    p = add_command(
        sub, "calibrate", "fit uncertain parameters to published targets (Optuna)",
        "Fit the free parameters of a calibration file to its targets with Optuna's TPE "
        "sampler, in parallel, resumable.",
        ("cogov calibrate experiments/calibration.yaml --workers 2",))
    p.add_argument("calibration", help="calibration file (YAML), e.g. experiments/calibration.yaml")
    p.add_argument("--out", default=None, help="output folder (default results/calibrate_<name>)")
    p.add_argument("--workers", type=int, default=1, help="parallel runs (local processes or Dask workers)")
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="where runs execute: local processes or a Dask cluster")
    p.add_argument("--scheduler", default=None, help="address of a running Dask scheduler")
    p.add_argument("--resume", action="store_true", help="continue the study in --out")
    p.add_argument("--trials", type=int, default=None, help="total trials (default: the file's)")
    p.set_defaults(func=cmd_calibrate)
