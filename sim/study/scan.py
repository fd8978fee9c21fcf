"""The size-and-type scan of the validation report (``cogov validate --scan``; ODD 7.15).

The baseline and every lever file at each community size and each community type, a few
seeds each, ``years`` years after the spin-up (the spin-ups are shared through the spin-up
cache: every lever file starts from the baseline's settled community). Per run the last
year's outcomes (:func:`sim.study.stationarity.yearly_runs`).

Three judgements, each a table:

- **steps** (baseline, by size): between neighbouring sizes, a headline outcome may not move
  by more than 5 percentage points (shares) or 15% of its level; a **trough or peak** is a
  size whose mean lies below (above) both neighbours by more than the seeds' spread (twice
  the standard error of the difference);
- **band**: committee hours on pushed-down duties inside the published 67.8-87.8% at every
  size;
- **effects** (each lever against the baseline, paired on seeds): the headline outcome's
  effect with its 95% interval at every size and type, and whether it is distinguishable
  from zero.

Figures: one per headline outcome (small multiples: the baseline's level and each lever's
effect by size), and one of the levers' effects by type.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from .levers import HEADLINE, SCEN

SIZES = (1000, 2000, 3000, 4000, 5000, 6000, 8000, 10000, 15000, 20000, 30000)
# the headline outcomes whose size profile the report shows and judges
OUTCOMES = ("participation_year", "core_activist_share", "committee_duty_share",
            "needs_fulfilled_share", "disputes_resolved_share", "memberships_per_adult",
            "trust_mean", "spend_per_adult_beyond_office")
# shown by size but not judged by the step rule: spend per adult keeps declared fixed sums per
# community (the committee's core staff, ODD 7.4; the office budget, left out of this measure,
# ODD 7.15), so it falls with size by design
NOT_JUDGED = ("spend_per_adult_beyond_office",)
# the size axis's labels: a roughly doubling subset (neighbours such as 8k and 10k would overlap)
TICK_SIZES = (1000, 2000, 4000, 8000, 15000, 30000)
DUTY_BAND = (0.678, 0.878)  # TARGETS: 67.8% and 87.8% of committee tasks assigned by government
STEP_PP, STEP_REL = 0.05, 0.15


def _job(args) -> dict:
    """One file at one size, type and seed: the last of ``years`` years."""
    scenario, residents, ctype, seed, years = args
    from .stationarity import yearly_runs
    over = {"population.community_type": ctype} if ctype else {}
    y, summaries = yearly_runs(scenario, residents, years, [seed], overrides=over,
                               summaries_at=(years,))
    last = y[y["year"] == years].iloc[0].to_dict()
    s = summaries[0]
    row = {"file": Path(scenario).stem, "residents": residents, "type": ctype or "",
           "seed": seed}
    for k in (*OUTCOMES, *sorted(set(HEADLINE.values()) - set(OUTCOMES))):
        if k == "spend_per_adult_beyond_office":
            # the last year's spend (yearly_runs: the year's part of each total)
            row[k] = (float(last["spend_total"]) - float(last["spend_office_support"])) / residents
        else:
            row[k] = float(last[k]) if k in last else float(s.get(k, math.nan))
    return row


def jobs(files: list[Path], sizes, types, seeds: int, years: int) -> list[tuple]:
    """By size at the files' own type; by type at the reference size (5,000 adults)."""
    out = [(f, n, None, s, years) for f in files for n in sizes for s in range(1, seeds + 1)]
    out += [(f, 5000, t, s, years) for f in files for t in types for s in range(1, seeds + 1)]
    return out


def run_scan(files: list[Path], sizes=SIZES, types=(), seeds: int = 5, years: int = 3,
             workers: int = 1, pool_map=None) -> pd.DataFrame:
    """Every job of :func:`jobs`, in ``workers`` processes (``pool_map(fn, jobs, workers,
    desc)``, validate's progress-reporting pool)."""
    todo = jobs(files, sizes, types, seeds, years)
    rows = pool_map(_job, todo, workers, "scan") if pool_map else [_job(j) for j in todo]
    return pd.DataFrame(rows)


def _mean_se(v: np.ndarray) -> tuple[float, float]:
    v = v[np.isfinite(v)]
    if v.size == 0:
        return math.nan, math.nan
    return float(v.mean()), float(v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else math.nan


def baseline_profile(scan: pd.DataFrame) -> pd.DataFrame:
    """The baseline's mean and standard error by size, per outcome."""
    base = scan[(scan["file"] == "baseline") & (scan["type"] == "")]
    rows = []
    for n, g in base.groupby("residents"):
        for k in OUTCOMES:
            m, se = _mean_se(g[k].to_numpy(float))
            rows.append({"outcome": k, "residents": int(n), "mean": m, "se": se})
    return pd.DataFrame(rows)


def steps_table(profile: pd.DataFrame) -> pd.DataFrame:
    """Between neighbouring sizes: the step, the allowed step, and troughs or peaks beyond
    the seeds' spread."""
    rows = []
    for k, g in profile.groupby("outcome", sort=False):
        if k in NOT_JUDGED:
            continue
        g = g.sort_values("residents").reset_index(drop=True)
        share = k.endswith("_share") or k.startswith("participation")
        for i in range(len(g) - 1):
            a, b = g.loc[i], g.loc[i + 1]
            step = b["mean"] - a["mean"]
            allowed = max(STEP_PP, STEP_REL * abs(a["mean"])) if share else STEP_REL * abs(a["mean"])
            extreme = ""
            if 0 < i + 1 < len(g) - 1:
                c = g.loc[i + 2]
                spread = 2 * math.hypot(b["se"], max(a["se"], c["se"]))
                if b["mean"] < min(a["mean"], c["mean"]) - spread:
                    extreme = "trough"
                elif b["mean"] > max(a["mean"], c["mean"]) + spread:
                    extreme = "peak"
            # a step fails when it exceeds the allowance beyond the seeds' spread (the 95%
            # interval of the difference of two means lies wholly outside the allowance): a
            # mean over a few seeds zigzags by chance where the outcome varies between seeds
            margin = 1.96 * math.hypot(a["se"], b["se"])
            rows.append({"outcome": k, "from": int(a["residents"]), "to": int(b["residents"]),
                         "step": step, "margin": margin, "allowed": allowed,
                         "ok": abs(step) - margin <= allowed, "extreme_at_to": extreme})
    return pd.DataFrame(rows)


def effects_table(scan: pd.DataFrame, headline: dict[str, str]) -> pd.DataFrame:
    """Each lever file's headline effect against the baseline, paired on seeds, by size (at
    the files' own type) and by type (at 5,000 adults), with a 95% t-interval."""
    from scipy import stats
    rows = []
    base = scan[scan["file"] == "baseline"].set_index(["residents", "type", "seed"])
    for lever, g in scan[scan["file"] != "baseline"].groupby("file"):
        k = headline.get(lever, "participation_year")
        for (n, t), cell in g.groupby(["residents", "type"]):
            idx = [(n, t, s) for s in cell["seed"]]
            have = [i for i in idx if i in base.index]
            if not have:
                continue
            d = cell.set_index(["residents", "type", "seed"]).loc[have, k].to_numpy(float) - \
                base.loc[have, k].to_numpy(float)
            m = float(d.mean())
            h = float(stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / math.sqrt(d.size)) if d.size > 1 else math.nan
            rows.append({"lever": lever, "outcome": k, "residents": int(n), "type": t,
                         "effect": m, "low": m - h, "high": m + h,
                         "distinguishable": bool(np.isfinite(h) and (m - h > 0 or m + h < 0))})
    return pd.DataFrame(rows)


def draw(scan: pd.DataFrame, figdir: Path, headline: dict[str, str]) -> list[str]:
    """A figure per headline outcome (baseline level and each lever's effect by size, small
    multiples) and the levers' effects by type."""
    import matplotlib.ticker
    from .figures import outcome_axis, pyplot, save_figure, wrap
    plt = pyplot()
    written = []
    prof = baseline_profile(scan)
    levers = sorted(f for f in scan["file"].unique() if f != "baseline")
    by_size = scan[scan["type"] == ""]
    for k in OUTCOMES:
        panels = ["baseline", *levers]
        cols = 4
        rows = math.ceil(len(panels) / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(12, 2.6 * rows), squeeze=False)
        for ax, name in zip(axes.flat, panels):
            if name == "baseline":
                g = prof[prof["outcome"] == k].sort_values("residents")
                y, e = g["mean"].to_numpy(), 1.96 * g["se"].to_numpy()
                ax.set_title("baseline (level)", fontsize=9)
            else:
                eff = effects_table(by_size[by_size["file"].isin(["baseline", name])], {name: k})
                g = eff.sort_values("residents")
                y, e = g["effect"].to_numpy(), (g["high"] - g["effect"]).to_numpy()
                ax.axhline(0, color="0.6", lw=0.8)
                ax.set_title(f"{name.removeprefix('lever_')} (effect)", fontsize=9)
            x = g["residents"].to_numpy()
            ax.plot(x, y, marker="o", ms=3, lw=1.2)
            ax.fill_between(x, y - e, y + e, alpha=0.25, lw=0)
            ax.set_xscale("log")
            ticks = [n for n in x if n in TICK_SIZES] or list(x)
            ax.set_xticks(ticks, [f"{n / 1000:g}k" for n in ticks], fontsize=6)
            ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
            if k.endswith("_share") or k.startswith("participation"):
                # shares as percent (levels) and percentage points (effects), as the axis says
                ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=None))
            ax.tick_params(labelsize=7)
        for ax in axes.flat[len(panels):]:
            ax.set_visible(False)
        for ax in axes[-1]:
            ax.set_xlabel("adults in the community", fontsize=8)
        for ax in axes[:, 0]:
            ax.set_ylabel(wrap(outcome_axis(k), 28), fontsize=7)
        fig.suptitle(f"{k} by community size (mean and 95% band over seeds)", fontsize=10)
        fig.tight_layout()
        written += [str(p) for p in save_figure(fig, figdir / f"scan_{k}")]
        plt.close(fig)
    typed = scan[scan["type"] != ""]
    if not typed.empty:
        eff = effects_table(typed, headline)
        types = sorted(typed["type"].unique())
        cols = 4
        rows = math.ceil(len(levers) / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(12, 2.6 * rows), squeeze=False)
        for ax, lv in zip(axes.flat, levers):
            g = eff[eff["lever"] == lv].set_index("type").reindex(types)
            ax.barh(range(len(types)), g["effect"], xerr=(g["high"] - g["effect"]).abs(), height=0.6)
            ax.axvline(0, color="0.6", lw=0.8)
            ax.set_yticks(range(len(types)), types, fontsize=7)
            ax.set_title(f"{lv.removeprefix('lever_')}: {headline.get(lv, 'participation_year')}", fontsize=8)
            ax.tick_params(axis="x", labelsize=7)
        for ax in axes.flat[len(levers):]:
            ax.set_visible(False)
        fig.suptitle("each lever's headline effect by community type (5,000 adults; 95% interval)", fontsize=10)
        fig.tight_layout()
        written += [str(p) for p in save_figure(fig, figdir / "scan_types")]
        plt.close(fig)
    return written


def scan_into(out: Path, seeds: int = 5, years: int = 3, sizes=SIZES, types=None,
              workers: int = 1, pool_map=None, files: list[Path] | None = None) -> Path:
    """Run the scan and write ``validation/scan.csv``, ``scan.json`` (its settings) and the
    figures under ``out``; the report's section is rendered from them (:func:`section`)."""
    import json
    import time
    t0 = time.perf_counter()
    if types is None:
        types = _type_keys()
    files = files or [SCEN / "baseline.yaml", *sorted(SCEN.glob("lever_*.yaml"))]
    figdir = Path(out) / "validation"
    figdir.mkdir(parents=True, exist_ok=True)
    scan = run_scan(files, sizes, types, seeds, years, workers, pool_map)
    tmp = figdir / ".scan.csv.tmp"
    scan.to_csv(tmp, index=False)
    tmp.replace(figdir / "scan.csv")
    draw(scan, figdir, HEADLINE)
    settings = {"seeds": seeds, "years": years, "sizes": list(sizes), "types": list(types),
                "files": [Path(f).stem for f in files], "workers": workers,
                "seconds": round(time.perf_counter() - t0),
                "command": f"cogov validate --scan --scan-seeds {seeds} --workers {workers}"}
    tmp = figdir / ".scan.json.tmp"
    tmp.write_text(json.dumps(settings, indent=1), encoding="utf-8")
    tmp.replace(figdir / "scan.json")
    return figdir / "scan.csv"


def _type_keys() -> list[str]:
    """The community types the model knows (none before sim.communities exists)."""
    try:
        from ..communities import TYPES
    except ImportError:
        return []
    return list(TYPES)


def _pct(k: str, v: float) -> str:
    if not np.isfinite(v):
        return "n/a"
    if k.endswith("_share") or k.startswith("participation"):
        return f"{100 * v:.1f}%"
    return f"{v:,.3f}" if abs(v) < 100 else f"{v:,.0f}"



def _spend_range(prof: pd.DataFrame) -> str:
    g = prof[prof["outcome"] == "spend_per_adult_beyond_office"].sort_values("residents")
    lo, hi = g.iloc[0], g.iloc[-1]
    return (f"{lo['mean']:,.0f} yuan at {int(lo['residents']):,} adults, "
            f"{hi['mean']:,.0f} at {int(hi['residents']):,}")


def _effect_rows(eff: pd.DataFrame, by: str, columns: list, heads: list) -> list[str]:
    """A Markdown table of each lever's headline effect, a column per value of ``by`` (size
    or type): effect [95% interval], bold where distinguishable from zero."""
    lines = ["| lever | outcome | " + " | ".join(heads) + " |", "|---|---|" + "---|" * len(heads)]
    for lv, g in eff.groupby("lever"):
        k = g["outcome"].iloc[0]
        cells = []
        for col in columns:
            r = g[g[by] == col]
            if r.empty:
                cells.append("")
                continue
            r = r.iloc[0]
            txt = f"{_pct(k, r['effect'])} [{_pct(k, r['low'])}, {_pct(k, r['high'])}]"
            cells.append(f"**{txt}**" if r["distinguishable"] else txt)
        lines.append(f"| {lv} | {k} | " + " | ".join(cells) + " |")
    return lines

def section(figdir: Path) -> str:
    """The scan's section of VALIDATION.md, or "" when no scan has been run."""
    import json
    figdir = Path(figdir)
    if not (figdir / "scan.csv").is_file():
        return ""
    scan = pd.read_csv(figdir / "scan.csv", keep_default_na=False,
                       dtype={"type": str, "file": str})
    for k in scan.columns.difference(["file", "type"]):
        scan[k] = pd.to_numeric(scan[k], errors="coerce")
    settings = json.loads((figdir / "scan.json").read_text(encoding="utf-8"))
    prof = baseline_profile(scan)
    steps = steps_table(prof)
    lines = ["", "## 5. Size and type scan (ODD 7.15)", "",
             f"The baseline and every lever file at {len(settings['sizes'])} sizes "
             f"({', '.join(f'{n:,}' for n in settings['sizes'])} adults) and, at 5,000 adults, at "
             f"{len(settings['types'])} community types; {settings['seeds']} seeds, year "
             f"{settings['years']} after the spin-up; {settings['seconds']:,} s on "
             f"{settings['workers']} worker(s). Command: `{settings['command']}`.", "",
             "### 5.1 The baseline by size", "",
             "| adults | " + " | ".join(OUTCOMES) + " |",
             "|---|" + "---|" * len(OUTCOMES)]
    for n in sorted(prof["residents"].unique()):
        cells = []
        for k in OUTCOMES:
            r = prof[(prof["outcome"] == k) & (prof["residents"] == n)].iloc[0]
            cells.append(f"{_pct(k, r['mean'])} ± {_pct(k, 1.96 * r['se'])}")
        lines.append(f"| {n:,} | " + " | ".join(cells) + " |")
    duty = prof[prof["outcome"] == "committee_duty_share"]
    out_band = duty[(duty["mean"] < DUTY_BAND[0]) | (duty["mean"] > DUTY_BAND[1])]
    lines += ["", f"Committee hours on pushed-down duties inside {100 * DUTY_BAND[0]:.1f}-"
              f"{100 * DUTY_BAND[1]:.1f}% at {len(duty) - len(out_band)} of {len(duty)} sizes"
              + (f"; outside at {', '.join(f'{int(n):,}' for n in out_band['residents'])} adults."
                 if len(out_band) else "."),
              "", "`spend_per_adult_beyond_office`: the year's spend less the office budget, which "
              "is a fixed sum per community (doc003; ODD 7.15), in yuan a year per adult. It is "
              "shown, not judged below: the committee's core staff is a fixed sum per community "
              "too (ODD 7.4), so spend per adult falls with size by design (the cost of small "
              f"committees: {_spend_range(prof)}).", ""]
    bad = steps[~steps["ok"] | (steps["extreme_at_to"] != "")]
    lines += ["### 5.2 Steps between neighbouring sizes", "",
              f"Allowed: {100 * STEP_PP:.0f} percentage points for shares or {100 * STEP_REL:.0f}% of the "
              "level; a step fails when it exceeds that by more than the 95% margin of the "
              "difference over seeds; a trough or peak is a size below (above) both neighbours by more than twice "
              "the standard error of the difference. "
              f"{len(steps) - len(bad)} of {len(steps)} steps pass.", ""]
    if len(bad):
        lines += ["| outcome | from | to | step ± 95% margin | allowed | trough/peak at 'to' |",
                  "|---|---|---|---|---|---|"]
        for _, r in bad.iterrows():
            lines.append(f"| {r['outcome']} | {r['from']:,} | {r['to']:,} | {_pct(r['outcome'], r['step'])} "
                         f"± {_pct(r['outcome'], r['margin'])} | "
                         f"{_pct(r['outcome'], r['allowed'])} | {r['extreme_at_to'] or ''} |")
    eff = effects_table(scan, HEADLINE)
    lines += ["", "### 5.3 Each lever's headline effect by size and type", "",
              "Paired on seeds against the baseline at the same size and type; 95% t-interval; "
              "**bold**: distinguishable from zero.", ""]
    sizes = sorted(eff.loc[eff["type"] == "", "residents"].unique())
    lines += _effect_rows(eff[eff["type"] == ""], "residents", sizes, [f"{n:,}" for n in sizes])
    types = sorted(t for t in eff["type"].unique() if t)
    if types:
        lines += [""] + _effect_rows(eff[eff["type"] != ""], "type", types, types)
    lines += ["", "Figures (PNG, SVG and PDF in validation/):", ""]
    lines += [f"![{k} by size](validation/scan_{k}.png)" for k in OUTCOMES]
    if types:
        lines.append("![lever effects by type](validation/scan_types.png)")
    return "\n".join(lines) + "\n"
