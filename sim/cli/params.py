"""``cogov params``: the parameters of the scenario schema, as a table, CSV or JSON."""

from __future__ import annotations

import csv
import json
import sys

from ..config import ScenarioError
from ..params import ROLES, iter_parameters
from ..study.paramlist import COLUMNS, cell, parameter_rows, print_table
from .common import add_command


def cmd_params(args) -> int:
    sections = sorted({p.split(".", 1)[0] for p, _, _ in iter_parameters()})
    if args.section and args.section not in sections:
        raise ScenarioError(f"--section {args.section!r}: no such section. Sections: "
                            + ", ".join(sections))
    rows = parameter_rows(args.role, args.section)
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=1, default=str)
        print()
    elif args.format == "csv":
        w = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: cell(v) for k, v in r.items()})
    else:
        print_table(rows)
    return 0


def add_parser(sub) -> None:
    p = add_command(sub, "params", "list the parameters: unit, default, bounds, plausible range, "
                    "role, source",
                    "List every parameter of the scenario schema (sim/params.py). 'min'/'max' are "
                    "what the model accepts; 'plausible' is the range a study should explore "
                    "(sweeps, the EMA workbench).",
                    ("cogov params --role lever", "cogov params --section disputes --format csv > disputes.csv"))
    p.add_argument("--role", choices=ROLES, help="only parameters of this role")
    p.add_argument("--section", help="only this section (e.g. committee)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help="table (default; for reading), csv or json (every column)")
    p.set_defaults(func=cmd_params)
