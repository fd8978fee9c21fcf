"""``cogov report DIR``: tables (CSV) and figures (PNG) for a finished sweep or comparison.

Writes into ``DIR/report/``:

- sweeps: ``by_point.csv`` (every design point: mean, sd, 10th/90th percentile of each
  outcome over its replications); ``vs_<parameter>.png`` (each outcome against the
  parameter, mean line with a band from the 10th to the 90th percentile of runs, over
  replications and over the other parameters; one-at-a-time designs use only the base runs
  and the runs varying that parameter); ``heatmap.png`` and ``heatmap_<outcome>.csv`` (mean
  of each outcome per cell) for any design with exactly two varied parameters except
  one-at-a-time: a parameter with at most 12 distinct values keeps its values (factorial,
  points on a grid, Morris levels), one with more is cut into 5 quantile bins (Latin
  hypercube, Sobol, scattered points); ``sobol.csv``/``sobol.png`` (first and total order
  with confidence intervals, plus ``sobol_s2.csv``/``sobol_s2.png``, second-order indices of
  every pair with confidence intervals, if the design set ``calc_second_order``) or
  ``morris.csv``/``morris.png`` (mu*, sigma, mu* confidence) via SALib, on the replication
  means of each design point.
- comparisons (``manifest.json`` "command": "compare"): ``by_scenario.csv`` (mean, sd, 95%
  confidence interval per scenario), ``scenarios.png`` (replications and means with
  intervals), ``effects.csv`` if the comparison wrote ``effects.parquet``.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from .config import ScenarioError

HEADLINE = ("participation_year", "participation_30d", "participation_year_migrant",
            "top10_share_of_acts", "disputes_resolved_share", "disputes_same_day_share",
            "needs_fulfilled_share", "trust_mean", "efficacy_mean", "satisfaction_mean",
            "committee_duty_share", "spend_total")
DISCRETE_MAX = 12  # at most this many distinct values: one point per value, else binned


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({"figure.dpi": 100, "font.size": 8, "axes.titlesize": 9})
    return plt


def _outcomes(runs: pd.DataFrame, manifest: dict, chosen: list[str] | None) -> list[str]:
    if chosen:
        bad = [o for o in chosen if o not in runs.columns]
        if bad:
            raise ScenarioError(f"--outcomes: not in the results: {', '.join(bad)}")
        return chosen
    exp = manifest.get("experiment") or {}
    if exp.get("outcomes"):
        return [o for o in exp["outcomes"] if o in runs.columns]
    return [o for o in HEADLINE if o in runs.columns]


def _grid(n: int) -> tuple[int, int]:
    cols = min(n, 4)
    return math.ceil(n / cols), cols


def _label(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# -------------------------------------------------------------------------------- sweeps
def _band_panel(ax, sub: pd.DataFrame, param: str, outcome: str, group: str | None) -> None:
    groups = [(None, sub)] if group is None else list(sub.groupby(group, sort=True))
    for gname, g in groups:
        x = g[param]
        numeric = pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x)
        if x.nunique() <= DISCRETE_MAX or not numeric:
            st = g.groupby(param, sort=True)[outcome].agg(
                mean="mean", lo=lambda s: s.quantile(0.1), hi=lambda s: s.quantile(0.9))
            xs = st.index.to_numpy() if numeric else np.arange(len(st))
            ax.plot(xs, st["mean"], marker="o", label=None if gname is None else str(gname))
            ax.fill_between(xs, st["lo"], st["hi"], alpha=0.25)
            if not numeric:
                ax.set_xticks(xs, [_label(v) for v in st.index], rotation=30)
        else:
            ax.scatter(x, g[outcome], s=4, alpha=0.3)
            bins = pd.qcut(x, q=min(10, x.nunique()), duplicates="drop")
            st = g.groupby(bins, observed=True).agg(x=(param, "mean"), mean=(outcome, "mean"),
                                                    lo=(outcome, lambda s: s.quantile(0.1)),
                                                    hi=(outcome, lambda s: s.quantile(0.9)))
            ax.plot(st["x"], st["mean"], color="k", label=None if gname is None else str(gname))
            ax.fill_between(st["x"], st["lo"], st["hi"], color="k", alpha=0.15)
    ax.set_title(outcome)
    ax.set_xlabel(param)


def _sweep_report(d: Path, out: Path, manifest: dict, runs: pd.DataFrame,
                  outcomes: list[str]) -> list[Path]:
    plt = _plt()
    written: list[Path] = []
    params = [p for p in manifest["parameters"] if p in runs.columns]
    ok = runs[runs["ok"].astype(bool)].copy()
    if ok.empty:
        raise ScenarioError(f"{d}: no successful runs to report (see failures.parquet)")
    multi = ok["scenario"].nunique() > 1
    group = "scenario" if multi else None

    keys = ["point_id", "scenario", "label", *params]
    agg = ok.groupby("point_id", sort=True)
    first = agg[[k for k in keys if k != "point_id"]].first()
    stats = {}
    for o in outcomes:
        stats[f"{o}_mean"] = agg[o].mean()
        stats[f"{o}_sd"] = agg[o].std()
        stats[f"{o}_p10"] = agg[o].quantile(0.1)
        stats[f"{o}_p90"] = agg[o].quantile(0.9)
    by_point = pd.concat([first, agg.size().rename("n_runs"), pd.DataFrame(stats)], axis=1)
    by_point.reset_index().to_csv(out / "by_point.csv", index=False)
    written.append(out / "by_point.csv")

    design = manifest["design"]
    varied = [p for p in params if ok[p].nunique() > 1]
    for p in varied:
        sub = ok[ok["label"].isin([p, "base"])] if design == "oat" else ok
        rows, cols = _grid(len(outcomes))
        fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows), squeeze=False)
        for ax, o in zip(axes.flat, outcomes):
            _band_panel(ax, sub, p, o, group)
        for ax in list(axes.flat)[len(outcomes):]:
            ax.set_visible(False)
        if multi:
            axes.flat[0].legend(fontsize=7)
        fig.suptitle(f"{manifest['name']}: outcomes against {p} (line: mean; band: 10th-90th "
                     f"percentile of runs)", fontsize=9)
        fig.tight_layout()
        path = out / f"vs_{p}.png"
        fig.savefig(path)
        plt.close(fig)
        written.append(path)

    if design != "oat" and len(varied) == 2:
        written += _heatmaps(ok, varied, outcomes, out, manifest, plt)

    if design in ("sobol", "morris"):
        written += _sensitivity(manifest, runs, outcomes, out, plt)
    return written


HEATMAP_BINS = 5  # quantile bins per parameter when a parameter does not lie on a grid


def _heat_axis(x: pd.Series) -> tuple[pd.Series, bool]:
    """The heatmap axis of one parameter: its own values if it takes at most DISCRETE_MAX
    distinct values (factorial, points on a grid, Morris levels), else HEATMAP_BINS quantile
    bins (Latin hypercube, Sobol, scattered points), labelled by their ranges."""
    numeric = pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x)
    if x.nunique() <= DISCRETE_MAX or not numeric:
        return x, False
    bins = pd.qcut(x, q=HEATMAP_BINS, duplicates="drop")
    labels = {iv: f"{iv.left:.3g}-{iv.right:.3g}" for iv in bins.cat.categories}
    return bins.map(labels).astype(pd.CategoricalDtype(list(labels.values()), ordered=True)), True


def _heatmaps(ok: pd.DataFrame, varied: list[str], outcomes: list[str], out: Path,
              manifest: dict, plt) -> list[Path]:
    """Mean of each outcome over the two varied parameters (every design but one-at-a-time,
    whose points lie on two lines, not a plane)."""
    a, b = varied
    ya, binned_a = _heat_axis(ok[a])
    xb, binned_b = _heat_axis(ok[b])
    written: list[Path] = []
    rows, cols = _grid(len(outcomes))
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 2.9 * rows), squeeze=False)
    for ax, o in zip(axes.flat, outcomes):
        grid = ok[o].groupby([ya.rename(a), xb.rename(b)], observed=False).mean().unstack(b)
        grid = grid.sort_index()
        grid.to_csv(out / f"heatmap_{o}.csv")
        written.append(out / f"heatmap_{o}.csv")
        im = ax.imshow(grid.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(grid.shape[1]), [_label(v) for v in grid.columns], rotation=45)
        ax.set_yticks(range(grid.shape[0]), [_label(v) for v in grid.index])
        ax.set_xlabel(b + (" (quantile bin)" if binned_b else ""))
        ax.set_ylabel(a + (" (quantile bin)" if binned_a else ""))
        ax.set_title(f"{o} (mean)")
        fig.colorbar(im, ax=ax, shrink=0.8)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    if binned_a or binned_b:
        fig.suptitle(f"{manifest['name']}: mean of runs in each cell ({HEATMAP_BINS} quantile "
                     "bins per sampled parameter)", fontsize=9)
    fig.tight_layout()
    fig.savefig(out / "heatmap.png")
    plt.close(fig)
    written.append(out / "heatmap.png")
    return written


def _sensitivity(manifest: dict, runs: pd.DataFrame, outcomes: list[str], out: Path, plt) -> list[Path]:
    problem = manifest["problem"]
    exp = manifest["experiment"]
    names = problem["names"]
    rows, s2_rows = [], []
    second = manifest["design"] == "sobol" and bool(exp["design"].get("calc_second_order"))
    for scen, sr in runs.groupby("scenario", sort=True):
        means = sr.groupby("design_index", sort=True)
        X = means[names].first().to_numpy(dtype=float)
        n_points = int(runs["design_index"].max()) + 1
        for o in outcomes:
            Y = means[o].mean()  # NaN if every replication of a point failed
            Y = Y.reindex(range(n_points)).to_numpy(dtype=float)
            if np.isnan(Y).any():
                print(f"report: {o} ({scen}): {int(np.isnan(Y).sum())} design points have no "
                      "successful run; indices not computed", file=sys.stderr)
                continue
            if manifest["design"] == "sobol":
                from SALib.analyze import sobol
                Si = sobol.analyze(problem, Y, calc_second_order=exp["design"]["calc_second_order"],
                                   seed=exp["seed"])
                for i, nm in enumerate(names):
                    rows.append({"scenario": scen, "outcome": o, "parameter": nm,
                                 "S1": Si["S1"][i], "S1_conf": Si["S1_conf"][i],
                                 "ST": Si["ST"][i], "ST_conf": Si["ST_conf"][i]})
                if second:
                    for i in range(len(names)):
                        for j in range(i + 1, len(names)):
                            s2_rows.append({"scenario": scen, "outcome": o,
                                            "parameter_1": names[i], "parameter_2": names[j],
                                            "S2": Si["S2"][i, j], "S2_conf": Si["S2_conf"][i, j]})
            else:
                from SALib.analyze import morris
                Si = morris.analyze(problem, X, Y, num_levels=exp["design"]["num_levels"],
                                    seed=exp["seed"])
                for i, nm in enumerate(names):
                    rows.append({"scenario": scen, "outcome": o, "parameter": nm,
                                 "mu_star": Si["mu_star"][i], "mu_star_conf": Si["mu_star_conf"][i],
                                 "sigma": Si["sigma"][i], "mu": Si["mu"][i]})
    if not rows:
        return []
    kind = manifest["design"]
    table = pd.DataFrame(rows)
    table.to_csv(out / f"{kind}.csv", index=False)
    first = table[table["scenario"] == table["scenario"].iloc[0]]
    outs = list(dict.fromkeys(first["outcome"]))
    r, c = _grid(len(outs))
    fig, axes = plt.subplots(r, c, figsize=(3.6 * c, 0.35 * len(names) * r + 1.2 * r), squeeze=False)
    for ax, o in zip(axes.flat, outs):
        t = first[first["outcome"] == o].reset_index(drop=True)
        y = np.arange(len(t))
        if kind == "sobol":
            ax.barh(y - 0.2, t["S1"], 0.4, xerr=t["S1_conf"], label="first order S1")
            ax.barh(y + 0.2, t["ST"], 0.4, xerr=t["ST_conf"], label="total order ST")
        else:
            ax.barh(y, t["mu_star"], 0.6, xerr=t["mu_star_conf"], label="mu* (95% CI)")
            ax.plot(t["sigma"], y, "k|", markersize=10, label="sigma")
        ax.set_yticks(y, [n.split(".")[-1] for n in t["parameter"]])
        ax.invert_yaxis()
        ax.set_title(o)
    for ax in list(axes.flat)[len(outs):]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(f"{manifest['name']}: {'Sobol indices' if kind == 'sobol' else 'Morris screening'}"
                 f" (replication means; bars: 95% confidence)", fontsize=9)
    fig.tight_layout()
    fig.savefig(out / f"{kind}.png")
    plt.close(fig)
    written = [out / f"{kind}.csv", out / f"{kind}.png"]
    if s2_rows:
        written += _second_order(pd.DataFrame(s2_rows), manifest, out, plt)
    return written


def _second_order(s2: pd.DataFrame, manifest: dict, out: Path, plt) -> list[Path]:
    """Sobol second-order indices S2 of every pair of parameters, with 95% confidence."""
    s2.to_csv(out / "sobol_s2.csv", index=False)
    first = s2[s2["scenario"] == s2["scenario"].iloc[0]]
    outs = list(dict.fromkeys(first["outcome"]))
    n_pairs = int((first["outcome"] == outs[0]).sum())
    r, c = _grid(len(outs))
    fig, axes = plt.subplots(r, c, figsize=(3.6 * c, 0.35 * n_pairs * r + 1.2 * r), squeeze=False)
    for ax, o in zip(axes.flat, outs):
        t = first[first["outcome"] == o].reset_index(drop=True)
        y = np.arange(len(t))
        ax.barh(y, t["S2"], 0.6, xerr=t["S2_conf"])
        ax.axvline(0, color="k", lw=0.5)
        ax.set_yticks(y, [f"{a.split('.')[-1]} x {b.split('.')[-1]}"
                          for a, b in zip(t["parameter_1"], t["parameter_2"])])
        ax.invert_yaxis()
        ax.set_title(o)
    for ax in list(axes.flat)[len(outs):]:
        ax.set_visible(False)
    fig.suptitle(f"{manifest['name']}: Sobol second-order indices S2 (bars: 95% confidence)",
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(out / "sobol_s2.png")
    plt.close(fig)
    return [out / "sobol_s2.csv", out / "sobol_s2.png"]


# --------------------------------------------------------------------------- comparisons
def _compare_report(d: Path, out: Path, manifest: dict, runs: pd.DataFrame,
                    outcomes: list[str]) -> list[Path]:
    from .compare import paired_ci
    plt = _plt()
    written: list[Path] = []
    if "ok" in runs.columns:
        runs = runs[runs["ok"].astype(bool)]
    order = list(dict.fromkeys(runs["scenario"]))
    rows = []
    for s in order:
        g = runs[runs["scenario"] == s]
        for o in outcomes:
            v = g[o].dropna().to_numpy(dtype=float)
            n = len(v)
            # the one t-interval of cogov: over a scenario's replications here, over paired
            # differences in `cogov compare`
            mean, lo, hi = paired_ci(v, 0.95)
            rows.append({"scenario": s, "outcome": o, "n": n, "mean": mean,
                         "sd": float(v.std(ddof=1)) if n > 1 else float("nan"),
                         "ci95_low": lo, "ci95_high": hi})
    table = pd.DataFrame(rows)
    table.to_csv(out / "by_scenario.csv", index=False)
    written.append(out / "by_scenario.csv")
    r, c = _grid(len(outcomes))
    fig, axes = plt.subplots(r, c, figsize=(3.4 * c, 2.8 * r), squeeze=False)
    for ax, o in zip(axes.flat, outcomes):
        for i, s in enumerate(order):
            v = runs.loc[runs["scenario"] == s, o].to_numpy(dtype=float)
            ax.scatter(np.full(len(v), i) + np.linspace(-0.15, 0.15, len(v)), v, s=6, alpha=0.4)
            t = table[(table["scenario"] == s) & (table["outcome"] == o)].iloc[0]
            ax.errorbar(i, t["mean"], yerr=[[t["mean"] - t["ci95_low"]], [t["ci95_high"] - t["mean"]]],
                        fmt="o", color="k", capsize=3)
        ax.set_xticks(range(len(order)), order, rotation=30, ha="right")
        ax.set_title(o)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    fig.suptitle("scenarios: replications (dots) and means with 95% confidence intervals", fontsize=9)
    fig.tight_layout()
    fig.savefig(out / "scenarios.png")
    plt.close(fig)
    written.append(out / "scenarios.png")
    if (d / "effects.parquet").exists():
        pd.read_parquet(d / "effects.parquet").to_csv(out / "effects.csv", index=False)
        written.append(out / "effects.csv")
    return written


# ----------------------------------------------------------------------------------- API
def report(d: str | Path, outcomes: list[str] | None = None) -> list[Path]:
    """Write the report of a sweep or comparison directory; return the files written."""
    d = Path(d)
    mpath = d / "manifest.json"
    if not mpath.exists():
        raise ScenarioError(f"{d}: no manifest.json (not a sweep or comparison directory)")
    manifest = json.loads(mpath.read_text())
    command = manifest.get("command")
    if command not in ("sweep", "compare"):
        raise ScenarioError(f"{d}: `cogov report` reads sweeps and comparisons; this is "
                            f"{command!r}")
    if not (d / "runs.parquet").exists():
        hint = f"; finish it with `cogov sweep --resume {d}`" if command == "sweep" else ""
        raise ScenarioError(f"{d}: no runs.parquet yet{hint}")
    if command == "sweep" and manifest.get("status") != "complete":
        print(f"report: {d}: the sweep is {manifest.get('status')} "
              f"({manifest.get('n_missing', '?')} runs missing); reporting what there is",
              file=sys.stderr)
    runs = pd.read_parquet(d / "runs.parquet")
    outs = _outcomes(runs, manifest, outcomes)
    out = d / "report"
    out.mkdir(exist_ok=True)
    if command == "sweep":
        return _sweep_report(d, out, manifest, runs, outs)
    return _compare_report(d, out, manifest, runs, outs)


def cmd_report(args) -> int:
    outs = [o.strip() for o in args.outcomes.split(",")] if args.outcomes else None
    files = report(args.dir, outs)
    print(f"{len(files)} files in {Path(args.dir) / 'report'}/:")
    for f in files:
        print(f"  {f.name}")
    return 0


def add_parser(sub) -> None:
    r = sub.add_parser("report", help="tables and figures for a finished sweep or comparison")
    r.add_argument("dir", help="a sweep or comparison results directory")
    r.add_argument("--outcomes", help="comma-separated summary keys (default: the experiment's "
                                      "outcomes, else headline outcomes)")
    r.set_defaults(func=cmd_report)
