"""The ``cogov`` command line."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from .config import ScenarioError, config_hash, load_scenario
from .params import Run

RESULTS = Path("results")

SUMMARY_SECTIONS = {
    "Participation": [
        ("participation_year", "took part in the last year", "pct"),
        ("participation_30d", "took part in the last 30 days", "pct"),
        ("participation_year_meeting", "  meetings (year)", "pct"),
        ("participation_year_volunteering", "  volunteering (year)", "pct"),
        ("participation_year_organization", "  organization activities (year)", "pct"),
        ("participation_year_evaluation", "  evaluations (year)", "pct"),
        ("participation_year_local", "  locals (year)", "pct"),
        ("participation_year_migrant", "  migrants (year)", "pct"),
        ("participation_year_working", "  working age (year)", "pct"),
        ("participation_year_retired", "  retired (year)", "pct"),
        ("core_activist_share", "core activists", "pct"),
        ("top10_share_of_acts", "share of acts by the top 10%", "pct"),
        ("gini_of_acts", "Gini of acts", "num"),
    ],
    "Needs (four orders)": [
        ("needs_raised", "needs raised", "int"),
        ("needs_reported_share", "reported", "pct"),
        ("needs_fulfilled_share", "fulfilled (of those served)", "pct"),
        ("needs_days_median", "median days to fulfilment", "num"),
    ],
    "Disputes": [
        ("disputes_opened", "opened", "int"),
        ("disputes_resolved_share", "resolved", "pct"),
        ("disputes_days_median", "median days", "num"),
        ("disputes_days_p90", "90th percentile days", "num"),
        ("disputes_same_day_share", "resolved the same day", "pct"),
        ("disputes_escalated_share", "escalated beyond the community", "pct"),
        ("disputes_mediated_per_1000_year", "mediated per 1,000 residents a year", "num"),
        ("disputes_backlog", "backlog at the end", "int"),
    ],
    "Deliberation": [
        ("meetings", "meetings held", "int"),
        ("attendance_mean", "mean attendance", "num"),
        ("proposals_passed", "proposals passed", "int"),
        ("proposals_carried_out", "carried out", "int"),
    ],
    "Organizations": [
        ("organizations", "organizations at the end", "int"),
        ("organizations_resident_founded", "  resident-founded", "int"),
        ("org_members", "members", "int"),
        ("org_services_delivered", "services delivered", "int"),
    ],
    "Committee": [
        ("committee_duty_share", "hours on pushed-down duties", "pct"),
        ("committee_self_governance_hours", "self-governance hours", "num"),
    ],
    "Residents": [
        ("trust_mean", "trust", "num"),
        ("efficacy_mean", "efficacy", "num"),
        ("satisfaction_mean", "satisfaction", "num"),
    ],
    "Money": [("spend_total", "spent (yuan)", "int")],
}


def fmt(value, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if kind == "pct":
        return f"{100 * value:.1f}%"
    if kind == "int":
        return f"{int(round(value)):,}"
    return f"{value:,.2f}"


def print_summary(summary: dict, file=sys.stdout) -> None:
    for section, rows in SUMMARY_SECTIONS.items():
        print(f"\n{section}", file=file)
        for key, label, kind in rows:
            print(f"  {label:<42} {fmt(summary.get(key), kind):>12}", file=file)
    # money per lever: every spend line that is not zero
    for key in sorted(k for k in summary if k.startswith("spend_") and k != "spend_total"):
        if summary[key]:
            print(f"  {'  ' + key[6:].replace('_', ' '):<42} {fmt(summary[key], 'int'):>12}", file=file)


def run_manifest(scenario, scenario_file, overrides: list[str] | None, seed: int) -> dict:
    """manifest.json of one run: what reproduces it (``cogov run`` and the app write it)."""
    from .results import git_commit, package_versions
    return {"command": "run", "scenario_file": str(scenario_file), "overrides": overrides or [],
            "seed": seed, "scenario": scenario.model_dump(mode="json"),
            "config_hash": config_hash(scenario), "versions": package_versions(),
            "git_commit": git_commit()}


def cmd_run(args) -> int:
    from .results import ResultsDir, write_json_atomic, write_parquet_atomic
    from .runner import run_one

    scenario = load_scenario(args.scenario, args.set)
    if args.days is not None:
        # the schema's upper bound on run.days (assigning past it would raise a traceback)
        le = next(m.le for m in Run.model_fields["days"].metadata if getattr(m, "le", None))
        if not 1 <= args.days <= le:
            raise ScenarioError(f"--days must be between 1 and {le}, got {args.days}")
        scenario.run.days = args.days
    name = Path(args.scenario).stem
    out = Path(args.out) if args.out else RESULTS / f"{name}_seed{args.seed}_{config_hash(scenario)}"
    print(f"Running {args.scenario} (seed {args.seed}, {scenario.run.days} days, "
          f"{scenario.population.n_communities * scenario.population.residents_per_community:,} residents)")
    result = run_one(scenario, args.seed)
    manifest = run_manifest(scenario, args.scenario, args.set, args.seed)
    with ResultsDir(out) as tmp:
        write_parquet_atomic(tmp / "timeseries.parquet", result.timeseries)
        write_json_atomic(tmp / "summary.json", result.summary)
        write_json_atomic(tmp / "manifest.json", manifest)
    print_summary(result.summary)
    print(f"\nFiles in {out}/: timeseries.parquet, summary.json, manifest.json")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="cogov", description="Co-governance simulation of urban "
                                 "Chinese communities (社区共治).")
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run one scenario")
    r.add_argument("scenario", help="scenario YAML file")
    r.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    r.add_argument("--days", type=int, default=None, help="days to simulate (default: run.days)")
    r.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a parameter, e.g. --set committee.pushed_down_duty_items=97")
    r.add_argument("--out", default=None, help="results directory (default under results/)")
    r.set_defaults(func=cmd_run)
    for hook in _EXTRA_COMMANDS:
        hook(sub)
    return ap


_EXTRA_COMMANDS: list = []


def _register_extras() -> None:
    """Commands that live in their own modules (compare, sweep, report)."""
    for mod in ("compare", "sweep", "report", "app.server"):
        try:
            module = __import__(f"sim.{mod}", fromlist=["add_parser"])
        except ModuleNotFoundError as exc:
            if exc.name == f"sim.{mod}":
                continue
            raise
        if hasattr(module, "add_parser") and module.add_parser not in _EXTRA_COMMANDS:
            _EXTRA_COMMANDS.append(module.add_parser)  # once, however often main() runs


def main(argv: list[str] | None = None) -> int:
    _register_extras()
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
