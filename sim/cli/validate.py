"""``cogov validate``: write the validation report (docs/VALIDATION.md; the runs and the
report are :mod:`sim.study.validate`). Every flag is checked before the first run."""

from __future__ import annotations

from ..config import ScenarioError
from ..params import Population
from ..study import preflight
from ..study.validate import MIN_YEARS, PROGRESS, render_only, validate
from . import common
from .common import WORKERS, add_command, add_preflight_flag, detail, int_in, progress_enabled

MAX_YEARS = 30


def _bounds(field: str) -> tuple[int, int]:
    meta = Population.model_fields[field].metadata
    return (next(m.ge for m in meta if getattr(m, "ge", None) is not None),
            next(m.le for m in meta if getattr(m, "le", None) is not None))


def _ints(text: str, name: str, lo: int, hi: int) -> list[int]:
    try:
        vals = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ScenarioError(f"--{name} takes whole numbers separated by commas, e.g. 1,3,5,10") from None
    if not vals:
        raise ScenarioError(f"--{name} needs at least one number")
    bad = [v for v in vals if not lo <= v <= hi]
    if bad:
        raise ScenarioError(f"--{name} {bad[0]}: each must be from {lo:,} to {hi:,}")
    return vals


def cmd_validate(args) -> int:
    if args.scan:
        return cmd_scan(args)
    if args.render_only:
        print(f"wrote {render_only(args.out)}")
        return 0
    years = _ints(args.years, "years", 1, MAX_YEARS)
    if max(years) < MIN_YEARS:
        raise ScenarioError(f"--years {args.years}: the longest horizon must be at least "
                            f"{MIN_YEARS} years (lever files are judged from year 3, and a slope "
                            "needs two years)")
    sizes = _ints(args.sizes, "sizes", *_bounds("residents_per_community"))
    if not args.no_preflight:
        preflight.check(max(sizes), args.workers, days=365 * max(years), what="a validation run")
    PROGRESS["on"] = progress_enabled(args)
    PROGRESS["verbose"] = common.VERBOSITY > 0
    detail(f"validate: seeds 1..{args.seeds}, years {years}, sizes {sizes}, lever pairs "
           f"{args.lever_reps}, pool seeds {args.pool_seeds}, {args.workers} worker(s), "
           f"out {args.out or 'docs/'}")
    validate(args.seeds, years, sizes, args.workers, args.out, args.lever_reps,
             quiet=common.VERBOSITY < 0, pool_seeds=args.pool_seeds)
    return 0


def cmd_scan(args) -> int:
    """The size-and-type scan (ODD 7.15), then the report rendered again with its section."""
    from pathlib import Path
    from ..study import scan
    from ..study.validate import ROOT, _pool_map
    out = Path(args.out) if args.out else ROOT / "docs"
    if not (out / "VALIDATION.md").is_file():
        raise ScenarioError(f"--scan: {out / 'VALIDATION.md'} does not exist; the scan adds a section "
                            f"to a finished report: run `cogov validate{' --out ' + str(out) if args.out else ''}` first")
    if not args.no_preflight:
        preflight.check(max(scan.SIZES), args.workers, days=365 * 3, what="the size scan")
    PROGRESS["on"] = progress_enabled(args)
    PROGRESS["verbose"] = common.VERBOSITY > 0
    detail(f"scan: sizes {scan.SIZES}, types {scan._type_keys()}, seeds 1..{args.scan_seeds}, "
           f"{args.workers} worker(s), out {out}")
    scan.scan_into(out, seeds=args.scan_seeds, workers=args.workers, pool_map=_pool_map)
    print(f"wrote {render_only(args.out)}")
    return 0


def add_parser(sub) -> None:
    p = add_command(sub, "validate", "write the validation report (docs/VALIDATION.md)",
                    "Run the baseline and every lever file over years and sizes and write "
                    "docs/VALIDATION.md with its figures.",
                    ("cogov validate --seeds 10 --years 1,3,5,10 --workers 2",))
    p.add_argument("--seeds", type=int_in(2, 100), default=10,
                   help="seeds per scenario at 5,000 adults and below, 2-100 (default 10); larger sizes "
                        "get fewer, 5,000 / adults as many but at least 5, for the same precision")
    p.add_argument("--years", default="1,3,5,10",
                   help=f"horizons in years after the spin-up, 1-{MAX_YEARS}, the longest at least "
                        f"{MIN_YEARS} (default 1,3,5,10)")
    lo, hi = _bounds("residents_per_community")
    p.add_argument("--sizes", default="2000,5000,15000",
                   help=f"community sizes in adults, {lo:,}-{hi:,} (default 2000,5000,15000)")
    p.add_argument("--lever-reps", type=int_in(2, 1000), default=10,
                   help="paired replications per lever and size, 2-1000 (default 10)")
    p.add_argument("--pool-seeds", type=int_in(0, 1000), default=100,
                   help="seeds at most on which the baseline's undetermined outcomes (lumpy flows) are judged again "
                        "(default 100; 0 or at most --seeds: not again)")
    p.add_argument("--workers", type=WORKERS, default=1, help="local worker processes (default 1)")
    p.add_argument("--out", default=None, help="folder for VALIDATION.md and validation/ (default docs/)")
    p.add_argument("--scan", action="store_true",
                   help="run the size-and-type scan (baseline and every lever file at 11 sizes and "
                        "every community type, 3 years) and add its section to the report")
    p.add_argument("--scan-seeds", type=int_in(2, 100), default=5,
                   help="seeds per file, size and type in the scan, 2-100 (default 5)")
    p.add_argument("--render-only", action="store_true",
                   help="rewrite the report from the tables of the last run (no model runs)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_preflight_flag(p)
    p.set_defaults(func=cmd_validate)
