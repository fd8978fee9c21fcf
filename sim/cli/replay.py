"""``cogov replay MANIFEST``: re-run a manifest and say whether its outputs are reproduced
(the checks and the re-run are :mod:`sim.study.replay`)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ..study.replay import plan, replay_job
from .common import (WORKERS, add_command, add_preflight_flag, check_before_running, detail,
                     info, progress_enabled)


def cmd_replay(args) -> int:
    folder, m, job = plan(Path(args.manifest))  # everything checked before any run
    scenarios = ([job["scenario"]] if m["command"] == "run" else job["scenarios"]
                 if m["command"] == "compare" else [job["base"]] if m["command"] == "optimize"
                 else job["bases"])
    check_before_running(scenarios, levers_compared=False, at_once=args.workers,
                         preflight=not args.no_preflight, what="a replayed run")
    info(f"Replaying {folder} ({m['command']}; recorded with cogov {str(m.get('cogov_version', '?'))[:40]}"
         f", git {str(m.get('git_commit') or 'unknown')[:40]}) ...", file=sys.stderr)
    for key in ("command_line", "seed", "seed_root", "reps"):
        if key in m:
            detail(f"replay: recorded {key}: {str(m[key])[:200]}")
    t0 = time.perf_counter()
    same, diffs, where = replay_job(job, args.out, workers=args.workers,
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
    p = add_command(sub, "replay", "re-run a manifest and report whether the outputs are identical",
                    "Re-run what a run, compare, sweep or optimize manifest records (its resolved scenarios, "
                    "seeds and run table) and compare every data file with the original. Exit code "
                    "0 if identical, 1 if not.",
                    ("cogov replay results/my_run/manifest.json",
                     "cogov replay results/gxd --out results/gxd_replay --workers 2"))
    p.add_argument("manifest", help="a manifest.json, or the results folder holding it")
    p.add_argument("--out", help="keep the replay in this folder (default: a temporary folder, "
                                 "removed afterwards)")
    p.add_argument("--workers", type=WORKERS, default=1,
                   help="worker processes for the runs of a comparison, sweep or optimize (default 1)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_preflight_flag(p)
    p.set_defaults(func=cmd_replay)
