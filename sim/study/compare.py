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

Why one long module: a comparison into its folder, the paired statistics, the table and the two figures of one comparison.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..catalog import POOLED_SHARES
from ..config import config_hash
from .parallel import Task, run_many

# summary keys that describe the run rather than measure an outcome
META_KEYS = ("days", "residents", "communities", "seed")

# the derived outcome added to every run: residents who took part in the year
PARTICIPANTS = "participants_year"
COST = "cost_per_additional_participant"
COST_DISPUTE = "cost_per_additional_dispute_resolved"
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
# a comparison into a results folder (the command `cogov compare` and `cogov replay` use it)


class NothingToCompare(Exception):
    """Fewer than two complete replications: nothing is written."""


def compare_into(out: Path, files: list[str], names: list[str], scenarios: list, seeds: list[int],
                 *, force: bool, workers: int = 1, csv: bool = False, figures: bool = True,
                 figure_format: str = "all", dpi: int = 200, progress: bool = False,
                 command_line: str | None = None, overrides: list[str] | None = None,
                 days: int | None = None) -> dict:
    """Run the paired replications of ``scenarios`` (the first is the base) and write
    runs, time series, effects, manifest and figures into ``out`` (built beside it and
    renamed into place). Returns {runs, effects, failures, written, seconds}; raises
    :class:`NothingToCompare` (nothing written) if fewer than two replications completed."""
    from .results import ResultsDir, manifest_base, write_json_atomic, write_parquet_atomic

    with ResultsDir(out, overwrite=force) as tmp:
        t0 = time.perf_counter()
        runs, ts, failures = run_pairs(names, scenarios, seeds, workers=workers, progress=progress)
        seconds = time.perf_counter() - t0
        if failures:
            print(f"\n{len(failures)} of {len(names) * len(seeds)} runs failed; their "
                  f"replications are left out of every scenario. First error "
                  f"({failures[0]['scenario']}, seed {failures[0]['seed']}):\n"
                  f"{failures[0]['error']}", file=sys.stderr)
        if runs.empty or runs["rep"].nunique() < 2:
            raise NothingToCompare
        effects = paired_effects(runs, names)
        manifest = {
            **manifest_base("compare", command_line),
            "base": names[0], "alternatives": names[1:],
            "scenarios": [{"name": n, "file": str(f), "config_hash": config_hash(s),
                           "scenario": s.model_dump(mode="json")}
                          for n, f, s in zip(names, files, scenarios)],
            "overrides": overrides or [],
            "days": scenarios[0].run.days if days is None else days,
            "reps": len(seeds), "seed_root": seeds[0], "seeds": seeds,
            "seed_rule": "replication i (0-based) of every scenario uses seed root + i",
            "complete_reps": sorted(int(r) for r in runs["rep"].unique()),
            "failures": failures, "workers": workers, "wall_seconds": round(seconds, 2),
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
        if figures:
            written += draw_figures(tmp, ts, effects, names, fmt=figure_format, dpi=dpi)
    return {"runs": runs, "effects": effects, "failures": failures, "written": written,
            "seconds": seconds}


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
                 names: list[str], fmt: str = "all", dpi: int = 200) -> list[str]:
    """timeseries.<fmt> (mean and 2.5-97.5 percentile band across replications, per scenario)
    and effects.<fmt> (the paired differences of the key outcomes, a panel per unit); fmt
    "all": PNG, SVG and PDF."""
    written = []
    if ts is not None and not ts.empty:
        written += [p.name for p in plot_timeseries(ts, names, folder / f"timeseries.{fmt}", dpi=dpi)]
    written += [p.name for p in plot_forest(effects, names, folder / f"effects.{fmt}", dpi=dpi)]
    return written


def _colors(n: int):
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    return [cmap(i % 10) for i in range(n)]


def plot_timeseries(ts: pd.DataFrame, names: list[str], path: Path, dpi: int = 200) -> list[Path]:
    from matplotlib.figure import Figure  # no pyplot: no global backend state, Agg canvas

    from .figures import save_figure, setup, wrap
    setup()

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
        ax.set_title(wrap(label, 40), fontsize=10)
        ax.set_xlabel("day of the run (days)", fontsize=9)
        ax.tick_params(labelsize=8)
        ax.ticklabel_format(axis="y", useOffset=False, style="plain")
    for ax in axes[len(cols):]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(4, len(names)), fontsize=8,
               frameon=False)
    fig.suptitle("mean and 2.5-97.5 percentile band across replications", fontsize=10)
    return save_figure(fig, Path(path).with_suffix(""), formats=_formats(path), dpi=dpi)


def plot_forest(effects: pd.DataFrame, names: list[str], path: Path, dpi: int = 200,
                words: dict | None = None) -> list[Path]:
    """The paired differences of the key outcomes with their 95% intervals, one panel per
    unit (shares in percentage points, days, counts, indices, yuan): absolute differences,
    never a share of the base mean mixed with absolute rows. ``words`` puts the figure in
    another language (the browser view's 中文): ``labels`` {outcome: label}, ``units``
    {unit: name}, ``xlabel`` and ``title`` templates with ``{base}`` (and ``{unit}``), and
    ``effect`` {English word: its translation} for the differences printed at the labels."""
    from matplotlib.figure import Figure

    from .. import catalog
    from .figures import plain, save_figure, setup, wrap
    setup()
    words = words or {}
    alts = names[1:]
    keys = [(k, words.get("labels", {}).get(k, label).strip(), kind) for k, label, kind in key_outcomes()
            if k in set(effects["outcome"])]
    units: dict[str, list] = {}
    for k, label, kind in keys:
        o = catalog.get(k)
        unit = {"share": "percentage points"}.get(o.kind, o.unit or catalog.UNIT_OF_KIND[o.kind] or "count")
        units.setdefault(unit, []).append((k, label, kind, o))
    heights = [len(v) * max(1, len(alts)) ** 0.5 * 0.34 + 0.9 for v in units.values()]
    fig = Figure(figsize=(8.5, sum(heights) + 0.8), layout="constrained")
    axes = fig.subplots(len(units), 1, squeeze=False, gridspec_kw={"height_ratios": heights}).ravel()
    idx = effects.set_index(["scenario", "outcome"])
    offsets = np.linspace(-0.25, 0.25, len(alts)) if len(alts) > 1 else [0.0]
    for ax, (unit, rows) in zip(axes, units.items()):
        for ai, (alt, color) in enumerate(zip(alts, _colors(len(names))[1:])):
            ys, xs, lo, hi = [], [], [], []
            for yi, (k, label, kind, o) in enumerate(rows):
                r = idx.loc[(alt, k)]
                if math.isnan(r["diff"]):
                    continue
                s = 100.0 if o.kind == "share" else 1.0
                ys.append(yi + offsets[ai])
                xs.append(r["diff"] * s)
                lo.append((r["diff"] - r["ci_low"]) * s if not math.isnan(r["ci_low"]) else 0.0)
                hi.append((r["ci_high"] - r["diff"]) * s if not math.isnan(r["ci_high"]) else 0.0)
            ax.errorbar(xs, ys, xerr=[lo, hi], fmt="o", color=color, ms=4, capsize=2, label=alt)
        ax.axvline(0, color="0.4", linewidth=0.8)
        labels = []
        for k, label, kind, o in rows:
            text = plain(label)
            if len(alts) == 1:
                effect = format_effect(idx.loc[(alts[0], k)], kind).replace(' *', '')
                for en, other in words.get("effect", {}).items():
                    effect = effect.replace(en, other)
                text += f"  ({effect})"
            labels.append(wrap(text, 60))
        ax.set_yticks(range(len(rows)), labels, fontsize=8)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        shown_unit = words.get("units", {}).get(unit, unit)
        ax.set_xlabel(words.get("xlabel", "difference against {base} ({unit})").format(
            base=names[0], unit=shown_unit), fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
        ax.ticklabel_format(axis="x", style="plain", useOffset=False)
        ax.grid(axis="x", alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(3, len(alts)), fontsize=8,
               frameon=False)
    fig.suptitle(wrap(words.get("title", "paired differences against {base}: mean and 95% CI "
                                "over paired replications").format(base=names[0]), 100), fontsize=10)
    return save_figure(fig, Path(path).with_suffix(""), formats=_formats(path), dpi=dpi)


def _formats(path: Path) -> tuple[str, ...]:
    """The formats to write for a figure path: its own suffix, or all three for '.all'."""
    suffix = Path(path).suffix.lstrip(".")
    return ("png", "svg", "pdf") if suffix in ("", "all") else (suffix,)
