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
    return p


COMMON = common_parser()


def add_command(sub, name: str, help: str, description: str | None = None,
                examples: tuple[str, ...] = ()) -> argparse.ArgumentParser:
    """A subcommand with -v/-q and an example in its help."""
    return sub.add_parser(name, help=help, description=description or help[0].upper() + help[1:],
                          epilog=example(*examples) if examples else None,
                          formatter_class=Formatter, parents=[COMMON])
