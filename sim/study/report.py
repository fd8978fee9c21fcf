"""``cogov report DIR``: tables (CSV) and figures (PNG, SVG and PDF) for a finished sweep or comparison.

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
  confidence interval per scenario), ``paired_differences.csv`` and ``differences.png``
  (each alternative's mean paired difference against the base with its 95% interval: the
  design is paired by seed), ``scenarios.png`` (replications joined across scenarios by
  their seed, and means), ``effects.csv`` if the comparison wrote ``effects.parquet``.

Every figure is written as PNG, SVG and PDF (TrueType fonts) after the text check of
:mod:`sim.study.figures`.

Why one long module: one figure family per design type (one-at-a-time, factorial heatmaps, Morris, Sobol), all labelled from sim/catalog.py.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import ScenarioError
from ..params import LINKS
from .results import load_manifest

HEADLINE = ("participation_year", "participation_30d", "participation_year_migrant",
            "top10_share_of_acts", "disputes_resolved_share", "disputes_same_day_share",
            "needs_fulfilled_share", "trust_mean", "efficacy_mean", "satisfaction_mean",
            "committee_duty_share", "spend_total")
DISCRETE_MAX = 12  # at most this many distinct values: one point per value, else binned


FIG = {"formats": ("png", "svg", "pdf"), "dpi": 200}  # set by report(): --format and --dpi


def _plt():
    from .figures import pyplot
    plt = pyplot()
    plt.rcParams.update({"figure.dpi": 100, "font.size": 9, "axes.titlesize": 10,
                         "axes.labelsize": 9, "legend.fontsize": 8,
                         # never '1e-5+4.721e-1': a tiny difference must not look large
                         "axes.formatter.useoffset": False})
    return plt


def _save(fig, out: Path, stem: str) -> list[Path]:
    """The figure in every format asked for, after the text check (sim.study.figures)."""
    from .figures import save_figure
    return save_figure(fig, out / stem, formats=FIG["formats"], dpi=FIG["dpi"])


def _olabel(o: str, width: int = 34) -> str:
    """An outcome's label (a panel title), wrapped to the panel's width."""
    from .. import catalog
    from .figures import plain, wrap
    return wrap(plain(catalog.label(o)), width)


def _oaxis(o: str, width: int | None = None) -> str:
    """The outcome's label with its unit, once ('spent (yuan)', not 'spent (yuan) (yuan)');
    wrapped to ``width`` characters if given (an axis label no longer than its axis)."""
    from .figures import outcome_axis, wrap
    text = outcome_axis(o)
    return wrap(text, width) if width else text


def _title(fig, text: str) -> None:
    """A figure title wrapped to the figure's width (about 13 characters an inch at 10 pt)."""
    import textwrap
    width = max(40, int(fig.get_figwidth() * 13))
    fig.suptitle("\n".join(textwrap.wrap(text, width)), fontsize=10)


def catalog_label(o: str) -> str:
    from .. import catalog
    return catalog.label(o)


def _oscale(o: str, v):
    from .. import catalog
    d = catalog.OUTCOMES.get(o)
    return d.scale(v) if d is not None else v


def _plabel(p: str, width: int | None = 34) -> str:
    """A parameter's axis label: its key path and unit from the schema, wrapped to ``width``."""
    from ..params import iter_parameters
    from .figures import wrap
    text = p
    for path, field, _ in iter_parameters():
        if path == p:
            unit = (field.json_schema_extra or {}).get("unit", "")
            text = f"{p} ({unit})" if unit and unit not in ("switch", "rule", "text") else p
            break
    return wrap(text, width) if width else text


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
    cols = min(n, 3)
    return math.ceil(n / cols), cols


def _label(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# -------------------------------------------------------------------------------- sweeps
def _band_panel(ax, sub: pd.DataFrame, param: str, outcome: str, group: str | None) -> None:
    sub = sub.copy()
    sub[outcome] = _oscale(outcome, sub[outcome].astype(float))
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
    ax.set_title(_olabel(outcome))
    ax.set_ylabel(_oaxis(outcome, 30))
    ax.set_xlabel(_plabel(param))


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
    factors = (manifest.get("experiment") or {})
    withs = {k: f.get("with") or {} for sec in ("levers", "uncertainties", "constants")
             for k, f in (factors.get(sec) or {}).items()}
    for p in varied:
        ref_note = ""
        if design == "oat":
            ref = reference_rows(ok, params, p, withs.get(p, {}))
            sub = pd.concat([ref, ok[ok["label"] == p]])
            if withs.get(p):
                ref_note = f"; reference: base with {withs[p]}"
        else:
            sub = ok
        rows, cols = _grid(len(outcomes))
        fig, axes = plt.subplots(rows, cols, figsize=(3.8 * cols, 3.2 * rows + 0.6), squeeze=False,
                                 layout="constrained")
        for ax, o in zip(axes.flat, outcomes):
            _band_panel(ax, sub, p, o, group)
        for ax in list(axes.flat)[len(outcomes):]:
            ax.set_visible(False)
        if multi:
            axes.flat[0].legend(fontsize=7)
        _title(fig, f"{manifest['name']}: outcomes against {p} (line: mean; band: 10th-90th "
                    f"percentile of runs{ref_note})")
        written += _save(fig, out, f"vs_{p}")
        plt.close(fig)

    if design == "oat":
        written += _tornado(ok, params, withs, outcomes, out, manifest, plt)
    if design != "oat" and len(varied) == 2:
        written += _heatmaps(ok, varied, outcomes, out, manifest, plt)

    if design in ("sobol", "morris"):
        written += _sensitivity(manifest, runs, outcomes, out, plt)
    return written


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def reference_rows(ok: pd.DataFrame, params: list[str], factor: str, with_: dict) -> pd.DataFrame:
    """The runs of an oat factor's proper reference: the base point, plus the keys its
    ``with:`` sets (a lever that acts only when another is on is compared with that other
    lever on, not with the base). Matched by value among every point of the design."""
    base = ok[ok["label"] == "base"]
    if not with_:
        return base
    if base.empty:
        return base
    want = base.iloc[0][params].to_dict()
    for k, v in with_.items():
        want[k] = v
    for k, v in want.items():
        if isinstance(v, (list, dict)):
            want[k] = json.dumps(v)
    mask = pd.Series(True, index=ok.index)
    for k in params:
        if k in want:
            mask &= ok[k].map(lambda x, w=want[k]: _same(x, w))
    return ok[mask]


def _diff_ci(x: pd.DataFrame, y: pd.DataFrame, o: str) -> tuple[float, float, float]:
    """Mean difference y - x of outcome o with a 95% interval: paired by replication when
    both sides have the same replications (common random numbers), else Welch's."""
    from scipy import stats

    from .compare import paired_ci
    a = x.groupby("rep")[o].mean()
    b = y.groupby("rep")[o].mean()
    if len(a) > 1 and set(a.index) == set(b.index):
        d = (b - a.reindex(b.index)).dropna().to_numpy(float)
        return paired_ci(d)
    a, b = x[o].dropna().to_numpy(float), y[o].dropna().to_numpy(float)
    if len(a) < 2 or len(b) < 2:
        m = float(b.mean() - a.mean()) if len(a) and len(b) else math.nan
        return m, math.nan, math.nan
    m = float(b.mean() - a.mean())
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        return m, m, m
    dof = (va + vb) ** 2 / ((va ** 2) / (len(a) - 1) + (vb ** 2) / (len(b) - 1))
    half = float(stats.t.ppf(0.975, dof)) * se
    return m, m - half, m + half


def _tornado(ok: pd.DataFrame, params: list[str], withs: dict, outcomes: list[str], out: Path,
             manifest: dict, plt) -> list[Path]:
    """One-at-a-time: every factor value's effect on each outcome against its proper reference
    (oat_effects.csv), and per outcome a tornado chart (tornado_<outcome>): bars sorted by
    size, with 95% intervals."""
    rows = []
    for p in [p for p in params if (ok["label"] == p).any()]:
        ref = reference_rows(ok, params, p, withs.get(p, {}))
        if ref.empty:
            continue
        for value, g in ok[ok["label"] == p].groupby(p, sort=True, dropna=False):
            for o in outcomes:
                m, lo, hi = _diff_ci(ref, g, o)
                rows.append({"factor": p, "value": _label(value), "outcome": o,
                             "reference_mean": float(ref[o].mean()), "mean": float(g[o].mean()),
                             "effect": m, "ci_low": lo, "ci_high": hi,
                             "reference": "base" + (f" with {withs[p]}" if withs.get(p) else "")})
    if not rows:
        return []
    table = pd.DataFrame(rows)
    table.to_csv(out / "oat_effects.csv", index=False)
    written = [out / "oat_effects.csv"]
    for o in outcomes:
        t = table[(table["outcome"] == o) & table["effect"].notna()].copy()
        if t.empty:
            continue
        t["size"] = t["effect"].abs()
        t = t.sort_values("size", ascending=True).reset_index(drop=True)
        eff = _oscale(o, t["effect"].to_numpy(float))
        lo = _oscale(o, t["ci_low"].to_numpy(float))
        hi = _oscale(o, t["ci_high"].to_numpy(float))
        fig, ax = plt.subplots(figsize=(8.0, 0.28 * len(t) + 1.9), layout="constrained")
        colors = ["#3a76af" if e >= 0 else "#c44e52" for e in eff]
        y = np.arange(len(t))
        ax.barh(y, eff, color=colors, height=0.7)
        err = np.vstack([np.nan_to_num(eff - lo), np.nan_to_num(hi - eff)])
        ax.errorbar(eff, y, xerr=err, fmt="none", ecolor="k", capsize=2, lw=0.8)
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_yticks(y, [f"{f} = {v}" + (" *" if r else "") for f, v, r in
                          zip(t["factor"], t["value"], t["reference"].str.contains("with"))],
                      fontsize=7)
        unit = _oaxis(o)[len(catalog_label(o)):].strip()
        # two lines: one is wider than the axes and was cut at the figure's edge
        ax.set_xlabel(f"effect on {catalog_label(o)} {unit.replace('(%)', '(percentage points)')}\n"
                      "against the reference; bars: 95% CI")
        ax.set_title(f"{manifest['name']}: one at a time, {catalog_label(o)}\n"
                     "(* reference: the base with the factor's 'with:' keys set)", fontsize=10)
        ax.grid(axis="x", alpha=0.3)
        written += _save(fig, out, f"tornado_{o}")
        plt.close(fig)
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
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows + 0.5), squeeze=False,
                             layout="constrained")
    for ax, o in zip(axes.flat, outcomes):
        grid = _oscale(o, ok[o].astype(float)).groupby([ya.rename(a), xb.rename(b)],
                                                       observed=False).mean().unstack(b)
        grid = grid.sort_index()
        grid.to_csv(out / f"heatmap_{o}.csv")
        written.append(out / f"heatmap_{o}.csv")
        im = ax.imshow(grid.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(grid.shape[1]), [_label(v) for v in grid.columns], rotation=45)
        ax.set_yticks(range(grid.shape[0]), [_label(v) for v in grid.index])
        from .figures import wrap
        ax.set_xlabel(wrap(_plabel(b, None) + (" quantile bin" if binned_b else ""), 30))
        ax.set_ylabel(wrap(_plabel(a, None) + (" quantile bin" if binned_a else ""), 24))
        ax.set_title(_olabel(o))
        if not np.isfinite(grid.to_numpy(dtype=float)).any():
            # e.g. no dispute in any run of a tiny community: say so rather than draw a blank
            ax.text(0.5, 0.5, "undefined in every run", ha="center", va="center",
                    transform=ax.transAxes, fontsize=9, color="0.4")
            continue
        cbar = fig.colorbar(im, ax=ax, shrink=0.8)
        cbar.set_label(_oaxis(o, 24), fontsize=8)
        cbar.formatter.set_useOffset(False)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    _title(fig, f"{manifest['name']}: mean of the runs in each cell" +
           (f" ({HEATMAP_BINS} quantile bins per sampled parameter)" if binned_a or binned_b else ""))
    written += _save(fig, out, "heatmap")
    plt.close(fig)
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
                if any(set(link.keys) <= set(names) for link in LINKS):
                    # a linked pair's high key was moved above its low key (sim.params.
                    # respect_links), so two columns change in one Morris step: analyse the
                    # sampler's own trajectories, which the seed reproduces
                    from SALib.sample import morris as morris_sample
                    X = morris_sample.sample(problem, exp["design"]["samples"],
                                             num_levels=exp["design"]["num_levels"],
                                             seed=exp["seed"])
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
    if kind == "sobol":
        fig, axes = plt.subplots(r, c, figsize=(3.8 * c, 0.35 * len(names) * r + 1.4 * r),
                                 squeeze=False, layout="constrained")
    else:
        fig, axes = plt.subplots(r, c, figsize=(4.0 * c, 0.3 * len(names) * r + 1.6 * r + 0.8),
                                 squeeze=False, layout="constrained")
    for ax, o in zip(axes.flat, outs):
        t = first[first["outcome"] == o].reset_index(drop=True)
        short = [n.split(".")[-1] for n in t["parameter"]]
        sobol_values = t[["S1", "ST", "S1_conf", "ST_conf"]].to_numpy(float) if kind == "sobol" else None
        if kind == "sobol" and not np.nan_to_num(sobol_values).any():
            # the outcome did not vary over the design (e.g. no lever that costs money): there
            # is no variance to apportion
            ax.text(0.5, 0.5, "constant over the design:\nno variance to apportion", ha="center",
                    va="center", transform=ax.transAxes, fontsize=9, color="0.4")
            ax.set_yticks([])
            ax.set_xticks([])
        elif kind == "sobol":
            y = np.arange(len(t))
            ax.barh(y - 0.2, t["S1"], 0.4, xerr=t["S1_conf"], label="first order S1")
            ax.barh(y + 0.2, t["ST"], 0.4, xerr=t["ST_conf"], label="total order ST")
            ax.set_yticks(y, short)
            ax.invert_yaxis()
            ax.set_xlabel("Sobol index\n(share of output variance)")
        else:
            # mu* of each parameter as a bar (95% CI) and sigma as a dot, sorted by mu*: one
            # row per parameter, so names never pile up as labels beside points do
            order = np.argsort(-np.nan_to_num(t["mu_star"].to_numpy(float)), kind="stable")
            mu = _oscale(o, t["mu_star"].to_numpy(float))[order]
            sd = _oscale(o, t["sigma"].to_numpy(float))[order]
            conf = _oscale(o, t["mu_star_conf"].to_numpy(float))[order]
            y = np.arange(len(t))
            ax.barh(y, mu, 0.6, xerr=conf, color="C0", capsize=2,
                    label="mu* (mean |elementary effect|, 95% CI)")
            ax.plot(sd, y, "o", color="C1", ms=4, label="sigma (sd of elementary effects)")
            ax.set_yticks(y, [short[i] for i in order])
            ax.invert_yaxis()
            ax.set_xlim(left=0)
            unit = _oaxis(o)[len(catalog_label(o)):].strip()
            ax.set_xlabel(f"mu* and sigma {unit}".strip())
        ax.set_title(_olabel(o, 30))
    for ax in list(axes.flat)[len(outs):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    _title(fig, f"{manifest['name']}: {'Sobol indices' if kind == 'sobol' else 'Morris screening'}"
                f" (replication means; error bars: 95% confidence)")
    figure = _save(fig, out, kind)
    plt.close(fig)
    written = [out / f"{kind}.csv", *figure]
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
    fig, axes = plt.subplots(r, c, figsize=(3.8 * c, 0.3 * n_pairs * r + 1.5 * r + 0.6),
                             squeeze=False, layout="constrained")
    for ax, o in zip(axes.flat, outs):
        t = first[first["outcome"] == o].reset_index(drop=True)
        y = np.arange(len(t))
        ax.barh(y, t["S2"], 0.6, xerr=t["S2_conf"])
        ax.axvline(0, color="k", lw=0.5)
        ax.set_yticks(y, [f"{a.split('.')[-1]} x {b.split('.')[-1]}"
                          for a, b in zip(t["parameter_1"], t["parameter_2"])])
        ax.invert_yaxis()
        ax.set_title(_olabel(o, 30))
        ax.set_xlabel("second-order Sobol index S2")
    for ax in list(axes.flat)[len(outs):]:
        ax.set_visible(False)
    _title(fig, f"{manifest['name']}: Sobol second-order indices S2 (error bars: 95% confidence)")
    figure = _save(fig, out, "sobol_s2")
    plt.close(fig)
    return [out / "sobol_s2.csv", *figure]


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
    # the design is paired (replication i of every scenario shares seed root + i): levels are
    # drawn with each replication joined across scenarios, and the comparison is the paired
    # difference against the base with its interval (an interval per arm would ignore the pairing)
    base = manifest.get("base") or order[0]
    alts = [s for s in order if s != base]
    diffs = []
    wide = runs.set_index(["scenario", "rep"]) if "rep" in runs.columns else None
    for alt in alts if wide is not None else []:
        b, a = wide.loc[base], wide.loc[alt]
        for o in outcomes:
            d_ = (a[o] - b[o].reindex(a.index)).dropna().to_numpy(dtype=float)
            m, lo, hi = paired_ci(d_, 0.95)
            diffs.append({"scenario": alt, "base": base, "outcome": o, "pairs": len(d_),
                          "diff": m, "ci_low": lo, "ci_high": hi})
    diff_table = pd.DataFrame(diffs, columns=["scenario", "base", "outcome", "pairs", "diff",
                                              "ci_low", "ci_high"])
    if not diff_table.empty:
        diff_table.to_csv(out / "paired_differences.csv", index=False)
        written.append(out / "paired_differences.csv")
    r, c = _grid(len(outcomes))
    fig, axes = plt.subplots(r, c, figsize=(3.8 * c, 3.3 * r + 0.6), squeeze=False,
                             layout="constrained")
    for ax, o in zip(axes.flat, outcomes):
        if wide is not None:
            lines = runs.pivot_table(index="rep", columns="scenario", values=o).reindex(columns=order)
            for _, row in lines.iterrows():
                ax.plot(range(len(order)), _oscale(o, row.to_numpy(dtype=float)), color="0.75",
                        lw=0.6, zorder=1)
        for i, s in enumerate(order):
            v = _oscale(o, runs.loc[runs["scenario"] == s, o].to_numpy(dtype=float))
            ax.scatter(np.full(len(v), i), v, s=8, alpha=0.5, color="C0", zorder=2,
                       label="replication (lines join a pair)" if i == 0 else None)
            ax.plot([i - 0.2, i + 0.2], [np.nanmean(v)] * 2, color="k", lw=1.6, zorder=3,
                    label="mean" if i == 0 else None)
        ax.set_xticks(range(len(order)), [_wrapped(s, 14) for s in order], fontsize=7)
        ax.set_title(_olabel(o, 30))
        ax.set_ylabel(_oaxis(o, 30))
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    _title(fig, "scenarios: replications, joined across scenarios by their shared seed, and means")
    written += _save(fig, out, "scenarios")
    plt.close(fig)
    if not diff_table.empty:
        written += _paired_figure(diff_table, base, alts, outcomes, out, plt)
    if (d / "effects.parquet").exists():
        pd.read_parquet(d / "effects.parquet").to_csv(out / "effects.csv", index=False)
        written.append(out / "effects.csv")
    return written


def _wrapped(text: str, width: int) -> str:
    from .figures import wrap
    return wrap(text, width)


def _paired_figure(diff: pd.DataFrame, base: str, alts: list[str], outcomes: list[str], out: Path,
                   plt) -> list[Path]:
    """differences.<fmt>: each alternative's mean paired difference against the base with its
    95% interval, one panel per outcome in the outcome's unit (shares in percentage points)."""
    r, c = _grid(len(outcomes))
    fig, axes = plt.subplots(r, c, figsize=(3.8 * c, (0.35 * len(alts) + 1.7) * r + 0.6),
                             squeeze=False, layout="constrained")
    for ax, o in zip(axes.flat, outcomes):
        t = diff[diff["outcome"] == o].set_index("scenario").reindex(alts)
        m, lo, hi = (_oscale(o, t[k].to_numpy(dtype=float)) for k in ("diff", "ci_low", "ci_high"))
        y = np.arange(len(alts))
        err = np.vstack([np.nan_to_num(m - lo), np.nan_to_num(hi - m)])
        ax.errorbar(m, y, xerr=err, fmt="o", color="k", ms=4, capsize=3)
        ax.axvline(0, color="0.5", lw=0.8)
        ax.set_yticks(y, [_wrapped(a, 18) for a in alts], fontsize=7)
        ax.set_ylim(len(alts) - 0.5, -0.5)
        ax.set_title(_olabel(o, 30))
        unit = _oaxis(o)[len(catalog_label(o)):].strip().replace("(%)", "(percentage points)")
        ax.set_xlabel(_wrapped(f"difference against {base} {unit}".strip(), 34))
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    _title(fig, f"paired differences against {base}: mean over replications with its 95% "
                "confidence interval (pairs share their seed)")
    written = _save(fig, out, "differences")
    plt.close(fig)
    return written


# ----------------------------------------------------------------------------------- API
def report(d: str | Path, outcomes: list[str] | None = None, fmt: str = "all",
           dpi: int = 200) -> list[Path]:
    """Write the report of a sweep or comparison directory; return the files written.
    Figures are ``fmt`` (png, svg or pdf; "all": the three) at ``dpi`` (PNG)."""
    FIG.update(formats=("png", "svg", "pdf") if fmt == "all" else (fmt,), dpi=dpi)
    d = Path(d)
    mpath = d / "manifest.json"
    manifest = load_manifest(mpath, f"{d}: no manifest.json (not a sweep or comparison directory)",
                             f"{mpath}: damaged ({{exc}})")
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
