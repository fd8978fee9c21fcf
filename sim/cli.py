"""The ``cogov`` command line: ``run`` here; ``compare``, ``sweep``, ``report``, ``replay`` and
``params`` in their own modules. Every user mistake ends as one ``error:`` line (exit code 2),
never a traceback; a closed pipe (``cogov params | head``) ends quietly."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

from .study import results
from .config import ScenarioError, config_hash, load_scenario
from .params import Run

RESULTS = Path("results")
MAX_SEED = 2**32 - 1  # seeds are recorded as integers everywhere (Parquet int64, JSON)

# -1 quiet, 0 normal, 1 verbose (-v/-q); read through info()/detail()
VERBOSITY = 0
# the command as typed (recorded in manifests); set by main()


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


# ----------------------------------------------------------------------------- summary
SUMMARY_SECTIONS = {
    "Participation": ["participation_year", "participation_30d", "participation_year_meeting",
                      "participation_year_volunteering", "participation_year_organization",
                      "participation_year_evaluation", "participation_year_local",
                      "participation_year_migrant", "participation_year_working",
                      "participation_year_retired", "core_activist_share", "top10_share_of_acts",
                      "gini_of_acts"],
    "Needs (four orders)": ["needs_raised", "needs_reported_share", "needs_fulfilled_share",
                            "needs_days_median"],
    "Disputes": ["disputes_opened", "disputes_resolved_share", "disputes_days_median",
                 "disputes_days_p90", "disputes_same_day_share", "disputes_escalated_share",
                 "disputes_mediated_per_1000_year", "disputes_backlog"],
    "Deliberation": ["meetings", "attendance_mean", "proposals_passed", "proposals_carried_out"],
    "Organizations": ["organizations", "organizations_resident_founded", "org_members",
                      "org_services_delivered"],
    "Committee": ["committee_duty_share", "committee_self_governance_hours"],
    "Residents": ["trust_mean", "efficacy_mean", "satisfaction_mean"],
    "Money": ["spend_total"],
}
"""Which outcomes `cogov run` prints, by section; labels and formats come from sim.catalog."""


def print_summary(summary: dict, file=None) -> None:
    from . import catalog

    file = sys.stdout if file is None else file
    for section, keys in SUMMARY_SECTIONS.items():
        print(f"\n{section}", file=file)
        for key in keys:
            o = catalog.OUTCOMES.get(key)
            if o is None or key not in summary:
                continue
            print(f"  {o.label:<42} {o.format(summary.get(key)):>12}", file=file)
    # money per lever: every spend line that is not zero
    for key in sorted(k for k in summary if k.startswith("spend_") and k != "spend_total"):
        if summary[key]:
            o = catalog.OUTCOMES.get(key)
            text = o.format(summary[key]) if o else f"{summary[key]:,.0f}"
            print(f"  {'  ' + key[6:].replace('_', ' '):<42} {text:>12}", file=file)


# --------------------------------------------------------------------------------- run
def run_canonical(scenario_file, seed: int, days: int | None, overrides: list[str] | None,
                  out: str | Path | None = None) -> str:
    """The command line that reproduces a run (flags that do not change results left out)."""
    canonical = ["cogov", "run", str(scenario_file), "--seed", str(seed)]
    canonical += ["--days", str(days)] if days is not None else []
    for item in overrides or []:
        canonical += ["--set", item]
    canonical += ["--out", str(out)] if out is not None else []
    return shlex.join(canonical)


def run_manifest(scenario, scenario_file, overrides: list[str] | None, seed: int,
                 command_line: str | None = None) -> dict:
    """manifest.json of one run: what reproduces it (``cogov run`` and the app write it)."""
    from .study.results import manifest_base
    line = command_line or run_canonical(scenario_file, seed, None, overrides)
    return {**manifest_base("run", line), "scenario_file": str(scenario_file),
            "overrides": overrides or [], "seed": seed,
            "scenario": scenario.model_dump(mode="json"), "config_hash": config_hash(scenario)}


def cmd_run(args) -> int:
    from .study.results import ResultsDir, check_out, write_json_atomic, write_parquet_atomic
    from .study.runner import run_one

    scenario = load_scenario(args.scenario, args.set)
    if args.days is not None:
        scenario.run.days = args.days
    name = Path(args.scenario).stem
    out = Path(args.out) if args.out else RESULTS / f"{name}_seed{args.seed}_{config_hash(scenario)}"
    # an explicit --out is never silently replaced; the default folder is named by the
    # resolved scenario and seed, so replacing it gives the same files
    force = args.force or args.out is None
    check_out(out, force=force)
    csv = args.format == "csv"
    info(f"Running {args.scenario} (seed {args.seed}, {scenario.run.days} days, "
         f"{scenario.population.n_communities * scenario.population.residents_per_community:,} residents)")
    manifest = run_manifest(scenario, args.scenario, args.set, args.seed,
                            run_canonical(args.scenario, args.seed, args.days, args.set, out))
    with ResultsDir(out, overwrite=force) as tmp:
        result = run_one(scenario, args.seed)
        write_parquet_atomic(tmp / "timeseries.parquet", result.timeseries, csv=csv)
        write_json_atomic(tmp / "summary.json", result.summary)
        # time to resolution of the run's disputes, a Kaplan-Meier table (ODD 7.9)
        result.dispute_survival.to_csv(tmp / "dispute_survival.csv", index=False)
        write_json_atomic(tmp / "manifest.json", manifest)
    if VERBOSITY >= 0:
        print_summary(result.summary)
    files = ["timeseries.parquet", *(["timeseries.csv"] if csv else []), "summary.json",
             "dispute_survival.csv", "manifest.json"]
    info(f"\nFiles in {out}/: {', '.join(files)}")
    return 0


def add_run(sub) -> None:
    r = add_command(sub, "run", "run one scenario",
                    "Run one scenario for one seed; write its time series, summary and manifest.",
                    ("cogov run scenarios/baseline.yaml --seed 7 --days 365 \\",
                     "    --set committee.pushed_down_duty_items=97 --out results/my_run"))
    r.add_argument("scenario", help="scenario YAML file")
    r.add_argument("--seed", type=SEED, default=1, help=f"random seed, 0-{MAX_SEED} (default 1)")
    r.add_argument("--days", type=DAYS, default=None,
                   help="days to simulate (default: the scenario's run.days)")
    r.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a parameter, e.g. --set committee.pushed_down_duty_items=97")
    r.add_argument("--out", default=None,
                   help="results folder (default results/<scenario>_seed<seed>_<hash>)")
    r.add_argument("--force", action="store_true",
                   help="replace --out if it exists and is not empty")
    r.add_argument("--format", choices=("parquet", "csv"), default="parquet",
                   help="csv: also write each table as CSV beside its Parquet file")
    r.set_defaults(func=cmd_run)


# -------------------------------------------------------------------------------- main
def version_text() -> str:
    from .study.results import cogov_version, git_commit
    commit = git_commit()
    return f"cogov {cogov_version()}" + (f" (git {commit})" if commit else "")


class _Version(argparse.Action):
    def __init__(self, option_strings, dest, **kw):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print cogov's version (and git commit) and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        print(version_text())
        parser.exit()


# ------------------------------------------------------------------------ cache
def add_cache(sub) -> None:
    p = add_command(sub, "cache", "list or clear the spin-up cache (settled communities kept "
                    "between commands)",
                    examples=("cogov cache", "cogov cache clear"))
    p.add_argument("action", nargs="?", choices=("list", "clear", "path"), default="list",
                   help="list the entries (default), remove them all, or print the folder")
    p.set_defaults(func=cache_command)


def cache_command(args) -> int:
    """``cogov cache``: the spin-up cache's folder, entries and size; ``clear`` empties it."""
    from . import spinup
    folder = spinup.directory()
    if args.action == "path":
        print(folder)
        return 0
    if args.action == "clear":
        n = spinup.clear()
        info(f"removed {n} cached spin-up{'s' if n != 1 else ''} from {folder}")
        return 0
    entries = spinup.entries()
    total = sum(e["bytes"] for e in entries)
    info(f"spin-up cache: {folder}  ({len(entries)} entries, {total / 1e6:.1f} MB of "
         f"{spinup.disk_limit_mb():.0f} MB; COGOV_CACHE_MAX_MB sets the limit)")
    if entries:
        info(f"{'key':<12} {'scenario':<28} {'communities x residents':>24} {'seed':>10} "
             f"{'spin-up':>8} {'MB':>7}  last used")
        for e in entries:
            size = f"{e.get('communities', '?')} x {e.get('residents_per_community', '?')}"
            info(f"{e['key'][:12]:<12} {str(e.get('scenario', '?'))[:28]:<28} {size:>24} "
                 f"{e.get('seed', '?'):>10} {e.get('spin_up_days', '?'):>8} "
                 f"{e['bytes'] / 1e6:>7.1f}  {e['last_used']}")
    return 0


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
    add_run(sub)
    add_cache(sub)
    for hook in _EXTRA_COMMANDS:
        hook(sub)
    return ap


_EXTRA_COMMANDS: list = []
_MODULES = ("study.compare", "study.sweep", "study.report", "study.replay", "study.paramlist", "study.calibrate",
            "study.validate", "app.server")


def _register_extras() -> None:
    """Commands that live in their own modules."""
    for mod in _MODULES:
        module = __import__(f"sim.{mod}", fromlist=["add_parser"])
        if hasattr(module, "add_parser") and module.add_parser not in _EXTRA_COMMANDS:
            _EXTRA_COMMANDS.append(module.add_parser)  # once, however often main() runs


def _quiet_pipe() -> None:
    """stdout's reader went away (``| head``): stop writing, without a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    global VERBOSITY
    _register_extras()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    VERBOSITY = getattr(args, "verbosity", 0)
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
        if VERBOSITY > 0:
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
