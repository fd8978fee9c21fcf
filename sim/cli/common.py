"""What every subcommand shares: verbosity, validated argument types, the parser classes,
and the one-line error (:class:`~sim.config.ScenarioError`) every user mistake becomes."""

from __future__ import annotations

import argparse
import sys

from ..config import ScenarioError
from ..params import Run
from ..study.results import RESULTS

__all__ = ["DAYS", "MAX_SEED", "RESULTS", "SEED", "WORKERS", "ScenarioError", "add_command",
           "detail", "float_in", "info", "int_in", "progress_enabled"]

MAX_SEED = 2**32 - 1  # seeds are recorded as integers everywhere (Parquet int64, JSON)

# -1 quiet, 0 normal, 1 verbose (-v/-q); set by sim.cli.main, read through info()/detail()
VERBOSITY = 0


def info(*args, **kw) -> None:
    """Print unless -q."""
    if VERBOSITY >= 0:
        print(*args, **kw)


def detail(*args, **kw) -> None:
    """Print only with -v (to stderr)."""
    if VERBOSITY > 0:
        print(*args, file=sys.stderr, **kw)


def progress_enabled(args) -> bool:
    return VERBOSITY >= 0 and not getattr(args, "no_progress", False)


# ------------------------------------------------------------------ validated arguments
def int_in(lo: int, hi: int, what: str = "a whole number"):
    """An argparse type: an integer from lo to hi (else argparse's usage error, exit 2)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} from {lo} to {hi}, got {text!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"must be from {lo} to {hi}, got {value}")
        return value
    return parse


def float_in(lo: float, hi: float):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"a number from {lo:g} to {hi:g}, got {text!r}") from None
        if not lo <= value <= hi:  # NaN fails too
            raise argparse.ArgumentTypeError(f"must be from {lo:g} to {hi:g}, got {text}")
        return value
    return parse


def _run_days_max() -> int:
    return next(m.le for m in Run.model_fields["days"].metadata if getattr(m, "le", None))


SEED = int_in(0, MAX_SEED)
DAYS = int_in(1, _run_days_max())
WORKERS = int_in(1, 1024)


class Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the examples in the epilog as written."""


class Parser(argparse.ArgumentParser):
    """Usage mistakes as one 'error:' line (like every other mistake) and exit code 2."""

    def error(self, message: str):
        self.exit(2, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def example(*lines: str) -> str:
    return "example:\n" + "\n".join(f"  {line}" for line in lines)


def common_parser() -> argparse.ArgumentParser:
    """-v/-q, accepted before or after the subcommand."""
    p = Parser(add_help=False)
    g = p.add_mutually_exclusive_group()
    g.add_argument("-v", "--verbose", action="store_const", const=1, dest="verbosity",
                   default=argparse.SUPPRESS, help="say more (timings, files, internal tracebacks)")
    g.add_argument("-q", "--quiet", action="store_const", const=-1, dest="verbosity",
                   default=argparse.SUPPRESS, help="print only errors (no tables, no progress bar)")
    p.add_argument("--no-cache", action="store_true", default=argparse.SUPPRESS,
                   help="spin every model up afresh: neither read nor write the spin-up cache "
                        "(results are the same; see `cogov cache`)")
    return p


COMMON = common_parser()


def add_command(sub, name: str, help: str, description: str | None = None,
                examples: tuple[str, ...] = ()) -> argparse.ArgumentParser:
    """A subcommand with -v/-q and an example in its help."""
    return sub.add_parser(name, help=help, description=description or help[0].upper() + help[1:],
                          epilog=example(*examples) if examples else None,
                          formatter_class=Formatter, parents=[COMMON])


# ------------------------------------------------------------------- before any run
def _get(scenario, section: str, key: str):
    part = scenario[section] if isinstance(scenario, dict) else getattr(scenario, section)
    return part.get(key) if isinstance(part, dict) else getattr(part, key)


def check_before_running(scenarios, *, levers_compared: bool, at_once: int = 1,
                         preflight: bool = True, what: str = "a run") -> None:
    """What makes runs meaningless or impossible, said before any work: a user network file
    with bad ids or weights (file and line), levers that never switch on (``run.policy_start_day``
    at or beyond ``run.days``: refused where levers are compared, a warning otherwise), and
    runs too large for the memory this machine has (:mod:`sim.study.preflight`, unless
    ``preflight`` is False). ``scenarios``: Scenario objects or their dicts."""
    from ..network import check_edge_list
    from ..study import preflight as size
    seen_files, warned = set(), False
    for sc in scenarios:
        edge_list = _get(sc, "network", "edge_list")
        if edge_list and edge_list not in seen_files:
            seen_files.add(edge_list)
            check_edge_list(edge_list)
        start, days = _get(sc, "run", "policy_start_day"), _get(sc, "run", "days")
        if start >= days:
            text = (f"run.policy_start_day {start} is at or beyond run.days {days}: the levers "
                    "never switch on")
            if levers_compared:
                raise ScenarioError(f"{text}, so every difference between the scenarios would be "
                                    "exactly zero; set run.policy_start_day below run.days")
            if not warned:
                print(f"warning: {text}; the run shows the baseline's levers only",
                      file=sys.stderr)
                warned = True
    if preflight and scenarios:
        largest = max(scenarios, key=size.residents)
        estimate = size.check(size.residents(largest), at_once, days=_get(largest, "run", "days"),
                              spin_up_days=_get(largest, "run", "spin_up_days"), what=what)
        detail(size.describe(estimate))


def add_preflight_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-preflight", action="store_true",
                   help="skip the memory estimate that refuses runs too large for this machine")
