"""The ``cogov`` command line: the top-level parser and ``main``; each subcommand in its own
module (``run``, ``compare``, ``sweep``, ``report``, ``replay``, ``params``, ``types``,
``calibrate``, ``validate``, ``app``), the shared helpers in :mod:`sim.cli.common`. Every user mistake ends
as one ``error:`` line (exit code 2), never a traceback; a closed pipe (``cogov params |
head``) ends quietly. The study modules (:mod:`sim.study`) never import this package."""

from __future__ import annotations

import argparse
import os
import shlex
import sys

from ..config import ScenarioError
from ..study import feedback, results
from . import (app, cache, calibrate, common, compare, optimize, params, replay, report, run,
               sweep, types, validate)
from .common import COMMON, Formatter, Parser, example

COMMANDS = (run, compare, sweep, report, replay, params, types, optimize, calibrate, validate, app,
            cache)
"""The subcommand modules, in the order ``cogov --help`` lists them."""


def version_text() -> str:
    commit = results.git_commit()
    return f"cogov {results.cogov_version()}" + (f" (git {commit})" if commit else "")


class _Version(argparse.Action):
    def __init__(self, option_strings, dest, **kw):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print cogov's version (and git commit) and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        print(version_text())
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    ap = Parser(
        prog="cogov", formatter_class=Formatter, parents=[COMMON],
        description="Co-governance simulation of urban Chinese communities (社区共治).",
        epilog=example("cogov run scenarios/baseline.yaml",
                       "cogov compare scenarios/baseline.yaml scenarios/lever_grants.yaml --reps 10",
                       "cogov sweep experiments/grants_x_duty.yaml --dry-run",
                       "cogov params --role lever",
                       "cogov <command> --help   (every command shows an example)"))
    ap.add_argument("--version", action=_Version)
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS:
        command.add_parser(sub)
    return ap


def _quiet_pipe() -> None:
    """stdout's reader went away (``| head``): stop writing, without a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    common.VERBOSITY = feedback.VERBOSITY = getattr(args, "verbosity", 0)
    if getattr(args, "no_cache", False):
        os.environ["COGOV_NO_CACHE"] = "1"  # worker processes inherit it
    results.COMMAND_LINE = shlex.join(["cogov", *map(str, argv)])
    try:
        return args.func(args)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _quiet_pipe()
        return 141
    except OSError as exc:  # the machine's problem (disk full, permissions), not the model's
        if common.VERBOSITY > 0:
            raise
        where = f" {exc.filename}" if exc.filename else ""
        print(f"error: cannot read or write{where}: {exc.strerror or exc} (-v for details)",
              file=sys.stderr)
        return 1


def entry() -> None:
    """Console-script entry point: main() plus a quiet exit on a closed pipe at shutdown."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        code = 141
    if code == 141:
        _quiet_pipe()
    sys.exit(code)


if __name__ == "__main__":
    entry()
