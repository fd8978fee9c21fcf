"""``cogov report DIR``: tables and figures of a finished sweep or comparison."""

from __future__ import annotations

import time
from pathlib import Path

from ..study.report import report
from .common import add_command, detail, info, int_in


def cmd_report(args) -> int:
    outs = [o.strip() for o in args.outcomes.split(",")] if args.outcomes else None
    detail(f"report: {args.dir}, figures as {args.format} at {args.dpi} dpi, outcomes "
           f"{', '.join(outs) if outs else 'the experiment default'}")
    t0 = time.perf_counter()
    files = report(args.dir, outs, fmt=args.format, dpi=args.dpi)
    detail(f"report: {len(files)} files in {time.perf_counter() - t0:.1f} s")
    info(f"{len(files)} files in {Path(args.dir) / 'report'}/:")
    for f in files:
        info(f"  {f.name}")
    return 0


def add_parser(sub) -> None:
    r = add_command(sub, "report", "tables and figures for a finished sweep or comparison",
                    "Write DIR/report/: CSV tables and figures labelled from the declared "
                    "outcomes (sim/catalog.py).",
                    ("cogov report results/gxd --format pdf",
                     "cogov report results/oat --outcomes participation_year,spend_total --dpi 300"))
    r.add_argument("dir", help="a sweep or comparison results directory")
    r.add_argument("--format", choices=("all", "png", "svg", "pdf"), default="all",
                   help="figure file format (default all: PNG, SVG and PDF)")
    r.add_argument("--dpi", type=int_in(50, 1200), default=200,
                   help="resolution of PNG figures (default 200)")
    r.add_argument("--outcomes", help="comma-separated summary keys (default: the experiment's "
                                      "outcomes, else headline outcomes)")
    r.set_defaults(func=cmd_report)
