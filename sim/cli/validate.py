"""``cogov validate``: write the validation report (docs/VALIDATION.md; the runs and the
report are :mod:`sim.study.validate`)."""

from __future__ import annotations

from ..config import ScenarioError
from ..study.validate import render_only, validate
from .common import add_command


def _ints(text: str, name: str) -> list[int]:
    try:
        vals = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ScenarioError(f"--{name} takes whole numbers separated by commas, e.g. 1,3,5,10") from None
    if not vals or min(vals) < 1:
        raise ScenarioError(f"--{name} needs at least one positive number")
    return vals


def cmd_validate(args) -> int:
    years = _ints(args.years, "years")
    sizes = _ints(args.sizes, "sizes")
    if max(years) > 30 or args.seeds < 2 or args.seeds > 100 or max(sizes) > 100_000:
        raise ScenarioError("validate: at most 30 years, 2-100 seeds and 100,000 adults")
    if not 0 <= args.pool_seeds <= 1000:
        raise ScenarioError(f"validate: --pool-seeds takes 0-1000 (got {args.pool_seeds})")
    if args.render_only:
        print(f"wrote {render_only(args.out)}")
        return 0
    validate(args.seeds, years, sizes, args.workers, args.out, args.lever_reps, pool_seeds=args.pool_seeds)
    return 0


def add_parser(sub) -> None:
    p = add_command(sub, "validate", "write the validation report (docs/VALIDATION.md)",
                    "Run the baseline and every lever file over years and sizes and write "
                    "docs/VALIDATION.md with its figures.",
                    ("cogov validate --seeds 10 --years 1,3,5,10 --workers 2",))
    p.add_argument("--seeds", type=int, default=10, help="seeds per scenario and size (default 10)")
    p.add_argument("--years", default="1,3,5,10", help="horizons in years after the spin-up (default 1,3,5,10)")
    p.add_argument("--sizes", default="2000,5000,15000", help="community sizes in adults (default 2000,5000,15000)")
    p.add_argument("--lever-reps", type=int, default=10, help="paired replications per lever and size (default 10)")
    p.add_argument("--pool-seeds", type=int, default=100,
                   help="seeds at most on which the baseline's undetermined outcomes (lumpy flows) are judged again "
                        "(default 100; 0 or at most --seeds: not again)")
    p.add_argument("--workers", type=int, default=1, help="local worker processes")
    p.add_argument("--out", default=None, help="folder for VALIDATION.md and validation/ (default docs/)")
    p.add_argument("--render-only", action="store_true",
                   help="rewrite the report from the tables of the last run (no model runs)")
    p.set_defaults(func=cmd_validate)
