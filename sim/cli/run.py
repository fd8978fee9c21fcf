"""``cogov run``: one scenario, one seed; its time series, summary and manifest."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from .. import catalog
from ..config import config_hash, load_scenario
from ..study.results import check_out, run_canonical, run_manifest
from ..study.runner import write_run
from . import common
from .common import (DAYS, MAX_SEED, RESULTS, SEED, add_command, add_preflight_flag,
                     check_before_running, info)

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


def cmd_run(args) -> int:
    scenario = load_scenario(args.scenario, args.set)
    if args.days is not None:
        scenario.run.days = args.days
    check_before_running([scenario], levers_compared=False, preflight=not args.no_preflight)
    name = Path(args.scenario).stem
    out = Path(args.out) if args.out else RESULTS / f"{name}_seed{args.seed}_{config_hash(scenario)}"
    # an explicit --out is never silently replaced; the default folder is named by the
    # resolved scenario and seed, so replacing it gives the same files
    force = args.force or args.out is None
    check_out(out, force=force)
    info(f"Running {args.scenario} (seed {args.seed}, {scenario.run.days} days, "
         f"{scenario.population.n_communities * scenario.population.residents_per_community:,} residents)")
    manifest = run_manifest(scenario, args.scenario, args.set, args.seed,
                            run_canonical(args.scenario, args.seed, args.days, args.set, out))
    common.detail(f"run: seed {args.seed}, {scenario.run.days} days after a spin-up of "
                  f"{scenario.run.spin_up_days} days, overrides {args.set or []}, config "
                  f"{config_hash(scenario)}")
    t0 = time.perf_counter()
    result, files = write_run(scenario, args.seed, out, manifest, force=force,
                              csv=args.format == "csv")
    common.detail(f"run: {time.perf_counter() - t0:.1f} s")
    if common.VERBOSITY >= 0:
        print_summary(result.summary)
    info(f"\nFiles in {out}/: {', '.join(files)}")
    return 0


def add_parser(sub) -> None:
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
    add_preflight_flag(r)
    r.set_defaults(func=cmd_run)
