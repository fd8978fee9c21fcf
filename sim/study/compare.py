"""``cogov compare``: paired replications of two or more scenarios with common random numbers.

Replication ``i`` of every scenario runs with the same seed, ``root + i`` (``--seed`` is the
root, default 1), so replication ``i`` of any scenario is exactly ``cogov run SCENARIO --seed
root+i``. Inside a run every kind of decision draws from its own named stream (``sim/rng.py``),
so a lever that changes how often one process draws does not shift the draws of the others:
the two sides of a pair differ by the lever, not by noise, and the paired differences have a
far smaller spread than independent runs would.

For every numeric summary key the comparison reports each scenario's mean and the mean
paired difference (alternative minus base) with a 95% t-interval over the paired
differences, plus the cost per additional participant: extra ``spend_total`` over the base
divided by extra residents who took part in the year (``participation_year x residents``).
All runs go through :func:`sim.study.parallel.run_many`, so results do not depend on ``--workers``.

Why one long module: the command, the paired statistics, the table and the two figures of one comparison.
"""

from __future__ import annotations

import hashlib
import json
import math
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..catalog import POOLED_SHARES
from ..config import ScenarioError, config_hash, load_scenario
from .parallel import Task, run_many

# summary keys that describe the run rather than measure an outcome
META_KEYS = ("days", "residents", "communities", "seed")

# the derived outcome added to every run: residents who took part in the year
PARTICIPANTS = "participants_year"
COST = "cost_per_additional_participant"
COST_DISPUTE = "cost_per_additional_dispute_resolved"
POOLED = "disputes_resolved_share_pooled"
#: the columns of effects.parquet; base_cases and alt_cases: the disputes behind a pooled share
#: (its denominator summed over the replications), empty for the other outcomes
EFFECT_COLUMNS = ["outcome", "base", "scenario", "base_mean", "alt_mean", "diff", "ci_low",
                  "ci_high", "n", "base_cases", "alt_cases"]


def pooled_share_effect(b: pd.DataFrame, a: pd.DataFrame, num: str, den: str,
                        resamples: int = 2000) -> dict:
    """A share pooled over the replications: ``num`` over ``den`` (two count columns), each
    summed over the replications, for the base ``b`` and the alternative ``a`` (rows paired by
    replication), and their difference with a 95% interval from a paired bootstrap over the
    replications (a year's dispute share in one run rests on a few dozen cases; pooled, on
    hundreds). Also the cases behind each side (``den`` summed). The bootstrap's generator is
    seeded, so the interval is reproducible; ``docs/dispute_levers.py`` uses this too."""
    nb, db = b[num].to_numpy(float), b[den].to_numpy(float)
    na, da = a[num].to_numpy(float), a[den].to_numpy(float)
    out = {"base_mean": math.nan, "alt_mean": math.nan, "diff": math.nan, "ci_low": math.nan,
           "ci_high": math.nan, "base_cases": int(db.sum()), "alt_cases": int(da.sum())}
    if db.sum() == 0 or da.sum() == 0:
        return out
    base, alt = nb.sum() / db.sum(), na.sum() / da.sum()
    out.update(base_mean=base, alt_mean=alt, diff=alt - base)
    if len(nb) > 1:
        idx = np.random.default_rng(20261130).integers(0, len(nb), (resamples, len(nb)))
        with np.errstate(invalid="ignore", divide="ignore"):
            boot = na[idx].sum(1) / da[idx].sum(1) - nb[idx].sum(1) / db[idx].sum(1)
        lo, hi = np.nanpercentile(boot, [2.5, 97.5])
        out.update(ci_low=float(lo), ci_high=float(hi))
    return out


# labels, kinds and units of the outcomes come from sim.catalog (declared once there)
_KIND = {"share": "pct", "count": "count", "yuan": "count", "hours": "count"}


def pooled_label(key: str) -> str:
    """The short label of a pooled dispute share: its per-run share's label (sim.catalog)."""
    from .. import catalog
    return catalog.label(key.removesuffix("_pooled"))


def key_outcomes() -> list[tuple[str, str, str]]:
    """(summary key, label, kind) shown on screen and in the forest plot (catalog.KEY_OUTCOMES)."""
    from .. import catalog
    return [(k, catalog.label(k), _KIND.get(catalog.get(k).kind, "num")) for k in catalog.KEY_OUTCOMES]


def ts_columns() -> list[tuple[str, str]]:
    """Time-series columns drawn with bands (catalog.KEY_SERIES), with axis labels."""
    from .. import catalog
    return [(k, catalog.axis_label(k)) for k in catalog.KEY_SERIES]


# ---------------------------------------------------------------------------------------------
# the command


def add_parser(subparsers) -> None:
    from ..cli import DAYS, SEED, WORKERS, add_command, int_in
    p = add_command(
        subparsers, "compare", "paired replications of scenarios against a base (common random numbers)",
        "Run BASE and each ALT for --reps paired replications (replication i of every scenario "
        "uses seed ROOT+i) and report each outcome's mean and the paired difference against BASE "
        "with a 95% confidence interval.",
        ("cogov compare scenarios/baseline.yaml scenarios/lever_duty_reduction.yaml \\",
         "    --reps 10 --days 365 --workers 2"))
    p.add_argument("base", help="base scenario YAML file")
    p.add_argument("alternatives", nargs="+", metavar="alt", help="alternative scenario YAML file(s)")
    p.add_argument("--reps", type=int_in(2, 10_000), default=30,
                   help="paired replications per scenario, 2-10,000 (default 30)")
    p.add_argument("--days", type=DAYS, default=None, help="days to simulate (default: each scenario's run.days)")
    p.add_argument("--seed", type=SEED, default=1,
                   help="root seed: replication i uses seed ROOT+i in every scenario (default 1)")
    p.add_argument("--workers", type=WORKERS, default=1, help="local worker processes (default 1)")
    p.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a parameter in every scenario, e.g. --set population.residents_per_community=2000")
    p.add_argument("--out", default=None, help="results folder (default results/compare_<names>_<hash>)")
    p.add_argument("--force", action="store_true", help="replace --out if it exists and is not empty")
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet",
                   help="csv: also write each table as CSV beside its Parquet file")
    p.add_argument("--no-figures", action="store_true", help="do not draw the figures")
    p.add_argument("--figure-format", choices=("png", "svg", "pdf"), default="png",
                   help="file format of the figures (default png)")
    p.add_argument("--dpi", type=int_in(50, 1200), default=200, help="resolution of PNG figures (default 200)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (it is off anyway "
                   "when stderr is not a terminal or CI is set)")
    p.set_defaults(func=cmd_compare)


def cmd_compare(args) -> int:
    from ..cli import MAX_SEED, RESULTS, info, progress_enabled
    from .results import ResultsDir, check_out, manifest_base, write_json_atomic, write_parquet_atomic

    if args.seed + args.reps - 1 > MAX_SEED:
        raise ScenarioError(f"--seed {args.seed} with --reps {args.reps}: the last replication's "
                            f"seed would pass {MAX_SEED}")

    files = [args.base, *args.alternatives]
    scenarios = []
    for f in files:  # load and validate everything before running anything
        sc = load_scenario(f, args.set)
        if args.days is not None:
            sc.run.days = args.days
        scenarios.append(sc)
    names = scenario_names(files)
    seeds = rep_seeds(args.seed, args.reps)
    out = Path(args.out) if args.out else RESULTS / default_dirname(names, scenarios, seeds)
    force = args.force or args.out is None  # the default folder is named by what it holds
    check_out(out, force=force)
    csv = args.format == "csv"

    n_res = [s.population.n_communities * s.population.residents_per_community for s in scenarios]
    info(f"Comparing {', '.join(names[1:])} against {names[0]}: {args.reps} paired replications "
          f"(seeds {seeds[0]}..{seeds[-1]}), {scenarios[0].run.days} days, "
          f"{n_res[0]:,} residents, {args.workers} worker{'s' if args.workers > 1 else ''}")
    try:
        with ResultsDir(out, overwrite=force) as tmp:
            t0 = time.perf_counter()
            runs, ts, failures = run_pairs(names, scenarios, seeds, workers=args.workers,
                                           progress=progress_enabled(args))
            seconds = time.perf_counter() - t0
            if failures:
                print(f"\n{len(failures)} of {len(names) * len(seeds)} runs failed; their "
                      f"replications are left out of every scenario. First error "
                      f"({failures[0]['scenario']}, seed {failures[0]['seed']}):\n"
                      f"{failures[0]['error']}", file=sys.stderr)
            if runs.empty or runs["rep"].nunique() < 2:
                raise _NothingToCompare
            effects = paired_effects(runs, names)
            manifest = {
                **manifest_base("compare", command_line(args)),
                "base": names[0], "alternatives": names[1:],
                "scenarios": [{"name": n, "file": str(f), "config_hash": config_hash(s),
                               "scenario": s.model_dump(mode="json")}
                              for n, f, s in zip(names, files, scenarios)],
                "overrides": args.set or [],
                "days": scenarios[0].run.days if args.days is None else args.days,
                "reps": args.reps, "seed_root": args.seed, "seeds": seeds,
                "seed_rule": "replication i (0-based) of every scenario uses seed root + i",
                "complete_reps": sorted(int(r) for r in runs["rep"].unique()),
                "failures": failures, "workers": args.workers, "wall_seconds": round(seconds, 2),
            }
            written = ["runs.parquet"]
            write_parquet_atomic(tmp / "runs.parquet", runs, csv=csv)
            if ts is not None and not ts.empty:
                write_parquet_atomic(tmp / "timeseries.parquet", ts, csv=csv)
                written.append("timeseries.parquet")
            write_parquet_atomic(tmp / "effects.parquet", effects, csv=csv)
            write_json_atomic(tmp / "manifest.json", manifest)
            written += ["effects.parquet", "manifest.json"]
            if csv:
                written += [w.replace(".parquet", ".csv") for w in written if w.endswith(".parquet")]
            if not args.no_figures:
                written += draw_figures(tmp, ts, effects, names, fmt=args.figure_format, dpi=args.dpi)
    except _NothingToCompare:
        print("error: fewer than two complete replications; nothing to compare", file=sys.stderr)
        return 1
    if VERBOSITY() >= 0:
        print_table(effects, names, runs["rep"].nunique(),
                    days=int(runs["days"].iloc[0]) if "days" in runs else None)
    info(f"\n{len(names) * runs['rep'].nunique()} runs in {seconds:.1f} s. "
         f"Files in {out}/: {', '.join(written)}")
    return 1 if failures else 0


class _NothingToCompare(Exception):
    """Fewer than two complete replications: nothing is written."""


def VERBOSITY() -> int:
    from .. import cli
    return cli.VERBOSITY


def command_line(args) -> str:
    """A command that reproduces these results (the number of workers does not matter)."""
    parts = ["cogov", "compare", str(args.base), *map(str, args.alternatives),
             "--reps", str(args.reps), "--seed", str(args.seed)]
    if args.days is not None:
        parts += ["--days", str(args.days)]
    for s in args.set or []:
        parts += ["--set", s]
    return shlex.join(parts)


# ---------------------------------------------------------------------------------------------
# seeds, names, runs


def rep_seeds(root: int, reps: int) -> list[int]:
    """Replication i (0-based) uses seed root + i in every scenario, so it can be re-run alone
    with ``cogov run SCENARIO --seed root+i``. Neighbouring seeds are not correlated: each seed
    is hashed with the stream's name through numpy's SeedSequence (sim/rng.py)."""
    return [int(root) + i for i in range(int(reps))]


def scenario_names(files: list[str]) -> list[str]:
    """File stems, made unique (``baseline``, ``baseline_2``) when a file appears twice."""
    names: list[str] = []
    for f in files:
        stem = Path(f).stem
        name, k = stem, 2
        while name in names:
            name, k = f"{stem}_{k}", k + 1
        names.append(name)
    return names


def default_dirname(names: list[str], scenarios: list, seeds: list[int]) -> str:
    key = json.dumps({"scenarios": [config_hash(s) for s in scenarios], "seeds": seeds},
                     sort_keys=True).encode()
    joined = "_vs_".join(names)
    if len(joined) > 80:
        joined = joined[:80]
    return f"compare_{joined}_{hashlib.sha256(key).hexdigest()[:8]}"


def run_pairs(names: list[str], scenarios: list, seeds: list[int], workers: int = 1,
              progress: bool = True) -> tuple[pd.DataFrame, pd.DataFrame | None, list[dict]]:
    """Run every scenario x replication through run_many.

    Returns (runs: one row per scenario x complete replication with every summary key and
    ``participants_year``; timeseries: scenario, rep, day and every column; failures).
    Rows are in a fixed order (scenario as given, then replication), whatever the workers."""
    tasks = []
    for si, (name, sc) in enumerate(zip(names, scenarios)):
        data = sc.model_dump(mode="json")
        for rep, seed in enumerate(seeds):
            tasks.append(Task(run_id=si * len(seeds) + rep, scenario=data, seed=seed,
                              labels={"scenario": name, "rep": rep}))
    results = {}
    for r in run_many(tasks, workers=workers, progress=progress, desc="compare"):
        results[r["run_id"]] = r
    failures = []
    for t in tasks:
        r = results[t.run_id]
        if not r["ok"]:
            failures.append({"scenario": t.labels["scenario"], "rep": t.labels["rep"],
                             "seed": t.seed, "error": r["error"]})
    bad_reps = {f["rep"] for f in failures}
    rows, frames = [], []
    for t in tasks:
        if t.labels["rep"] in bad_reps:
            continue
        r = results[t.run_id]
        row = {"scenario": t.labels["scenario"], "rep": t.labels["rep"], **r["summary"]}
        row["seed"] = t.seed
        if "participation_year" in row and "residents" in row:
            row[PARTICIPANTS] = row["participation_year"] * row["residents"]
        rows.append(row)
        if r["timeseries"] is not None:
            df = r["timeseries"].copy()
            df.insert(0, "rep", t.labels["rep"])
            df.insert(0, "scenario", t.labels["scenario"])
            frames.append(df)
    runs = pd.DataFrame(rows)
    ts = pd.concat(frames, ignore_index=True) if frames else None
    return runs, ts, failures


# ---------------------------------------------------------------------------------------------
# statistics


def outcome_keys(runs: pd.DataFrame) -> list[str]:
    """Every numeric summary column except the run's description (days, residents, seed...)."""
    skip = {"scenario", "rep", *META_KEYS}
    return [c for c in runs.columns if c not in skip and pd.api.types.is_numeric_dtype(runs[c])
            and not pd.api.types.is_bool_dtype(runs[c])]


def paired_ci(diffs: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): a t-interval for the mean of paired differences."""
    from scipy import stats

    d = np.asarray(diffs, dtype=float)
    n = d.size
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(d.mean())
    if n < 2:
        return mean, math.nan, math.nan
    sd = float(d.std(ddof=1))
    if sd == 0.0:  # identical differences in every pair (e.g. the same scenario on both sides)
        return mean, mean, mean
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def cost_ratio(extra_spend: np.ndarray, extra_effect: np.ndarray, resamples: int = 2000,
               level: float = 0.95) -> dict:
    """The cost of one more unit of an effect: the mean paired extra spend over the mean
    paired extra effect (``diff``), with a ``level`` interval from a paired bootstrap over the
    replications (seeded, so reproducible). Not given (NaN) when the effect's own t-interval
    holds zero or its mean is not positive (:func:`cost_text` says which): a ratio over an
    effect that may be nothing has no finite interval."""
    ds, de = np.asarray(extra_spend, float), np.asarray(extra_effect, float)
    out = {"diff": math.nan, "ci_low": math.nan, "ci_high": math.nan}
    ok = ~(np.isnan(ds) | np.isnan(de))
    ds, de = ds[ok], de[ok]
    if de.size < 2:
        return out
    mean, lo, hi = paired_ci(de, level)
    if not mean > 0 or lo <= 0.0:
        return out
    idx = np.random.default_rng(20261207).integers(0, de.size, (resamples, de.size))
    with np.errstate(invalid="ignore", divide="ignore"):
        boot = ds[idx].mean(1) / de[idx].mean(1)
    boot = boot[np.isfinite(boot) & (de[idx].mean(1) > 0)]
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(boot, [tail, 100 - tail]) if boot.size else (math.nan, math.nan)
    out.update(diff=float(ds.mean() / de.mean()), ci_low=float(low), ci_high=float(high))
    return out


def cost_text(cost, effect) -> str:
    """A cost ratio as printed: ``12,345 yuan [9,876, 15,432]``, or why there is none (the
    effect row, ``effect``, gives its interval)."""
    if not math.isnan(cost["diff"]):
        return f"{cost['diff']:,.0f} yuan [{cost['ci_low']:,.0f}, {cost['ci_high']:,.0f}]"
    if effect is None or math.isnan(effect["diff"]):
        return "n/a"
    if not effect["diff"] > 0:
        return "n/a: no extra on average"
    return "n/a: the effect's interval holds zero"


def paired_effects(runs: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """One row per outcome x alternative: base and alternative means over the pairs where both
    are defined, the mean paired difference with its 95% t-interval, and n pairs. The costs per
    additional participant (a year's extra spend per extra resident taking part in the year)
    and per additional dispute resolved (the run's extra spend per extra dispute resolved in
    it) are one more row each per alternative, with a paired bootstrap interval
    (:func:`cost_ratio`)."""
    base = names[0]
    wide = runs.set_index(["scenario", "rep"]).sort_index()
    keys = outcome_keys(runs)
    b = wide.loc[base]
    rows = []
    for alt in names[1:]:
        a = wide.loc[alt].reindex(b.index)
        for k in keys:
            x, y = b[k].to_numpy(float), a[k].to_numpy(float)
            ok = ~(np.isnan(x) | np.isnan(y))
            mean, lo, hi = paired_ci(y[ok] - x[ok])
            rows.append({"outcome": k, "base": base, "scenario": alt,
                         "base_mean": float(x[ok].mean()) if ok.any() else math.nan,
                         "alt_mean": float(y[ok].mean()) if ok.any() else math.nan,
                         "diff": mean, "ci_low": lo, "ci_high": hi, "n": int(ok.sum())})
        # a year's extra spend per extra resident taking part in the (last) year; the run's
        # extra spend per extra dispute resolved over the run (ODD 7.13)
        years = b["days"].to_numpy(float) / 365.0 if "days" in b else 1.0
        d_spend = (a["spend_total"] - b["spend_total"]).to_numpy(float)
        rows.append({"outcome": COST, "base": base, "scenario": alt, "base_mean": math.nan,
                     "alt_mean": math.nan, "n": int(len(b)),
                     **cost_ratio(d_spend / years, (a[PARTICIPANTS] - b[PARTICIPANTS]).to_numpy(float))})
        for key, (num, den) in POOLED_SHARES.items():
            if {num, den} <= set(b.columns):
                rows.append({"outcome": key, "base": base, "scenario": alt, "n": int(len(b)),
                             **pooled_share_effect(b, a, num, den)})
        if {"disputes_resolved", "disputes_opened"} <= set(b.columns):
            rows.append({"outcome": COST_DISPUTE, "base": base, "scenario": alt, "base_mean": math.nan,
                         "alt_mean": math.nan, "n": int(len(b)),
                         **cost_ratio(d_spend, (a["disputes_resolved"] - b["disputes_resolved"]).to_numpy(float))})
    out = pd.DataFrame(rows, columns=EFFECT_COLUMNS)
    return out.astype({"base_cases": "Int64", "alt_cases": "Int64"})  # empty for other outcomes


# ---------------------------------------------------------------------------------------------
# the table


def _level(v: float, kind: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if kind == "pct":
        return f"{100 * v:.1f}%"
    if kind == "count":
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.1f}"
    return f"{v:,.2f}"


def _delta(v: float, kind: str, decimals: int | None = None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if kind == "pct":
        return f"{100 * v:+.1f}"
    if decimals is None:
        decimals = (0 if abs(v) >= 100 else 1) if kind == "count" else (2 if abs(v) >= 1 else 3)
    return f"{v:+,.{decimals}f}"


def format_effect(row, kind: str) -> str:
    """``+5.7 pp [+4.9, +6.5] *``: the difference, its 95% interval, * if it excludes 0."""
    unit = " pp" if kind == "pct" else ""
    vals = [row["diff"], row["ci_low"], row["ci_high"]]
    big = max((abs(v) for v in vals if not math.isnan(v)), default=0.0)
    dec = (0 if big >= 100 else 1) if kind == "count" else (2 if big >= 1 else 3)
    if math.isnan(row["diff"]):
        return "n/a"
    text = _delta(row["diff"], kind, dec) + unit
    if not math.isnan(row["ci_low"]):
        text += f" [{_delta(row['ci_low'], kind, dec)}, {_delta(row['ci_high'], kind, dec)}]"
        if row["ci_low"] > 0 or row["ci_high"] < 0:
            text += " *"
    return text


def print_table(effects: pd.DataFrame, names: list[str], n_reps: int, file=None,
                days: int | None = None) -> None:
    file = sys.stdout if file is None else file
    base = names[0]
    idx = effects.set_index(["scenario", "outcome"])
    for alt in names[1:]:
        print(f"\n{alt} vs {base} ({n_reps} paired replications; "
              f"difference = {alt} - {base}, 95% CI; * = interval excludes 0)", file=file)
        b, a = base[:14], alt[:14]
        print(f"  {'outcome':<34} {b:>14} {a:>14}   difference [95% CI]", file=file)
        for key, label, kind in key_outcomes():
            if (alt, key) not in idx.index:
                continue
            row = idx.loc[(alt, key)]
            print(f"  {label:<34} {_level(row['base_mean'], kind):>14} "
                  f"{_level(row['alt_mean'], kind):>14}   {format_effect(row, kind)}", file=file)
        if (alt, PARTICIPANTS) in idx.index:
            row = idx.loc[(alt, PARTICIPANTS)]
            print(f"  {'residents who took part (year)':<34} {_level(row['base_mean'], 'count'):>14} "
                  f"{_level(row['alt_mean'], 'count'):>14}   {format_effect(row, 'count')}", file=file)
        run = f"{days} days" if days else "the run"
        part = idx.loc[(alt, PARTICIPANTS)] if (alt, PARTICIPANTS) in idx.index else None
        print(f"  {'cost per additional participant':<34} {'':>14} {'':>14}   "
              f"{cost_text(idx.loc[(alt, COST)], part)}   (a year's extra spend per extra "
              "resident taking part in the year; paired bootstrap 95% CI)", file=file)
        if (alt, COST_DISPUTE) in idx.index:
            res = idx.loc[(alt, "disputes_resolved")] if (alt, "disputes_resolved") in idx.index else None
            print(f"  {'cost per extra dispute resolved':<34} {'':>14} {'':>14}   "
                  f"{cost_text(idx.loc[(alt, COST_DISPUTE)], res)}   (extra spend per extra "
                  f"dispute resolved, both over {run})", file=file)
        pooled = [k for k in POOLED_SHARES if (alt, k) in idx.index]
        if pooled:
            print(f"  disputes pooled over the {n_reps} replications (cases summed, then divided; "
                  f"paired bootstrap 95% CI; cases: {b} / {a})", file=file)
            for key in pooled:
                row = idx.loc[(alt, key)]
                label = pooled_label(key)
                print(f"  {label:<34} {_level(row['base_mean'], 'pct'):>14} "
                      f"{_level(row['alt_mean'], 'pct'):>14}   {format_effect(row, 'pct')}"
                      f"   of {row['base_cases']:,.0f} / {row['alt_cases']:,.0f}", file=file)


# ---------------------------------------------------------------------------------------------
# figures


def draw_figures(folder: Path, ts: pd.DataFrame | None, effects: pd.DataFrame,
                 names: list[str], fmt: str = "png", dpi: int = 200) -> list[str]:
    """timeseries.<fmt> (mean and 2.5-97.5 percentile band across replications, per scenario)
    and effects.<fmt> (forest plot of the paired differences of the key outcomes)."""
    written = []
    if ts is not None and not ts.empty:
        plot_timeseries(ts, names, folder / f"timeseries.{fmt}", dpi=dpi)
        written.append(f"timeseries.{fmt}")
    plot_forest(effects, names, folder / f"effects.{fmt}", dpi=dpi)
    written.append(f"effects.{fmt}")
    return written


def _colors(n: int):
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    return [cmap(i % 10) for i in range(n)]


def plot_timeseries(ts: pd.DataFrame, names: list[str], path: Path, dpi: int = 200) -> None:
    from matplotlib.figure import Figure  # no pyplot: no global backend state, Agg canvas

    cols = [(c, label) for c, label in ts_columns() if c in ts.columns]
    ncol = 3
    nrow = max(1, math.ceil(len(cols) / ncol))
    fig = Figure(figsize=(4.2 * ncol, 3.0 * nrow), layout="constrained")
    axes = fig.subplots(nrow, ncol, squeeze=False).ravel()
    from .. import catalog
    for ax, (col, label) in zip(axes, cols):
        scale = catalog.get(col).scale  # shares drawn in %, as the axis label says
        for name, color in zip(names, _colors(len(names))):
            g = ts.loc[ts["scenario"] == name].groupby("day")[col]
            q = g.quantile([0.025, 0.975]).unstack()
            m = g.mean()
            ax.fill_between(q.index, scale(q[0.025]), scale(q[0.975]), color=color, alpha=0.2,
                            linewidth=0)
            ax.plot(m.index, scale(m.to_numpy()), color=color, label=name, linewidth=1.4)
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("day of the run", fontsize=9)
        ax.tick_params(labelsize=8)
        ax.ticklabel_format(axis="y", useOffset=False, style="plain")
    for ax in axes[len(cols):]:
        ax.set_visible(False)
    axes[0].legend(fontsize=7)
    fig.suptitle("mean and 2.5-97.5 percentile band across replications", fontsize=10)
    fig.savefig(path, dpi=dpi)


def plot_forest(effects: pd.DataFrame, names: list[str], path: Path, dpi: int = 200) -> None:
    """Each difference as a share of the base mean (so outcomes in different units share one
    axis), with its 95% interval; the label says the absolute difference."""
    from matplotlib.figure import Figure

    alts = names[1:]
    keys = [(k, label.strip(), kind) for k, label, kind in key_outcomes()
            if k in set(effects["outcome"])]
    fig = Figure(figsize=(8.5, 0.42 * len(keys) * max(1, len(alts)) ** 0.5 + 1.4),
                 layout="constrained")
    ax = fig.subplots()
    idx = effects.set_index(["scenario", "outcome"])
    offsets = np.linspace(-0.25, 0.25, len(alts)) if len(alts) > 1 else [0.0]
    for ai, (alt, color) in enumerate(zip(alts, _colors(len(names))[1:])):
        ys, xs, lo, hi = [], [], [], []
        for yi, (k, label, kind) in enumerate(keys):
            r = idx.loc[(alt, k)]
            base = r["base_mean"]
            if not base or math.isnan(base):
                continue
            s = 100.0 / abs(base)
            ys.append(len(keys) - 1 - yi + offsets[ai])
            xs.append(r["diff"] * s)
            lo.append((r["diff"] - r["ci_low"]) * s if not math.isnan(r["ci_low"]) else 0.0)
            hi.append((r["ci_high"] - r["diff"]) * s if not math.isnan(r["ci_high"]) else 0.0)
        ax.errorbar(xs, ys, xerr=[lo, hi], fmt="o", color=color, ms=4, capsize=2, label=alt)
    ax.axvline(0, color="0.4", linewidth=0.8)
    ax.set_yticks(range(len(keys)))
    labels = []
    for k, label, kind in reversed(keys):
        if len(alts) == 1:
            r = idx.loc[(alts[0], k)]
            labels.append(f"{label}  ({format_effect(r, kind).replace(' *', '')})")
        else:
            labels.append(label)
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_xlabel(f"difference against {names[0]}, % of its mean (95% CI over paired replications)",
                  fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.savefig(path, dpi=dpi)
