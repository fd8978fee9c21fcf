"""``cogov validate``: the generated validation report, ``docs/VALIDATION.md`` and its figures.

Four parts, each reproducible from the command line that the report prints:

1. **Targets**: every target of ``experiments/calibration.yaml`` (source, band) against the
   baseline at 5,000 adults at each horizon (years after the spin-up): mean and 95% interval
   over seeds, PASS/FAIL. Rolling measures (took part in the year, ...) cover the last year;
   counts and shares of events (disputes, duty hours) cover the run from day 0.
2. **Stationarity**: the baseline and every lever file for ``max(years)`` years at each size
   (``seeds`` at 5,000 adults and below, fewer at larger sizes: :func:`seeds_at`; a lever
   file on half as many, :func:`lever_seeds_at`); the slope of each yearly outcome's mean over seeds, over years 2..N
   (levers: from the first of years 3..N-4 from which nothing drifts, once the policy has
   taken effect), as a share of its mean a year (:mod:`sim.study.stationarity`); settled
   within 2%, otherwise undetermined (too few events to tell) or, when the seeds' interval
   excludes zero, drifting if twice as many fresh seeds confirm it and not confirmed if they
   do not; and how far a single run moves.
3. **Levers**: each lever file against the baseline, paired on seeds, one year after the
   policy starts, at each size: the effect on its headline outcome with its 95% interval,
   the extra spend and the cost per additional participant (or per extra dispute resolved).
4. **Trajectories**: the yearly outcomes of the baseline and the levers over the years (mean
   and the band of the seeds).

A fingerprint (the baseline at 2,000 adults, seed 1, one year) is embedded in the report;
``tests/test_validation.py`` recomputes it and fails when the committed report is stale.

Why one long module: the four parts write one report from one set of runs, and the reasons
for each lever's size (``EVIDENCE``) are data that belongs beside the table it fills.
"""

from __future__ import annotations

import json
import os
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..catalog import OUTCOMES
from ..config import ScenarioError
from ._deathguard import forkserver_context
from . import scan
from .levers import HEADLINE, SCEN
from .compare import cost_ratio

ROOT = Path(__file__).resolve().parents[2]
BEGIN_DATA = "<!-- VALIDATION DATA"
END_DATA = "-->"
FINGERPRINT_KEYS = ("participation_year", "organizations", "committee_self_governance_hours",
                    "disputes_opened", "trust_mean")
# how far a single run moves (report, section 2)
SINGLE_RUN_OUTCOMES = ("participation_year", "participation_year_organization", "memberships_per_adult",
                       "organizations", "trust_mean", "committee_self_governance_hours", "disputes_resolved")
# why each lever's size is plausible, or where the evidence is thin (shown in the lever table)
EVIDENCE = {
    "lever_duty_reduction": "003 cut 200+ items to 97 and 70+ plaques to 27; TARGETS (grade C): "
        "reductions rebound, which the lapse/rebound balance reproduces unless a duty list holds.",
    "lever_grants": "004: 26 projects in two street-wide contests, 1,000-10,000 yuan; this community "
        "gets its share (2 a contest). No published survival rate of 公益微创投 projects was found; "
        "studies describe weak rooting (Xu 2015; Wang 2018), and a Nanjing street's funded groups "
        "include speculative and weak ones beside committed ones (Li and Yuan 2021, 投机型/羸弱型), so "
        "grant groups fold like others and faster where groups outnumber their niche, and groups "
        "beyond the niche share its recruits (McPherson 1983), so the community's memberships settle. The model's "
        "survival of grant groups is given below the list, to set against such figures when found.",
    "lever_purchased_services": "000: 139 service items moved to organizations; the money buys "
        "service capacity at yuan_per_service (A); a professional organization brought in by a "
        "contract keeps a volunteer team of contract_team_size (A).",
    "lever_incubation": "002 filing instead of registration; a hub (1+9+N) and social workers (三社联动); "
        "foundings by residents stay bounded by the niche.",
    "lever_double_registration": "000/003: in-service members register at home and serve hours; "
        "effect through invitations along ties (Read 2012: mobilization through ties).",
    "lever_deliberation": "003: at least quarterly; 004: monthly representatives' meetings, a 170-household "
        "issue took 20+ meetings; attendance is bounded by notification and the time budget.",
    "lever_grid": "003: 300 households or 1,000 people per grid, 30 new grids; visits raise reporting.",
    "lever_legal_mediation": "003: police three days a week and lawyers in the community; TARGETS: "
        "mediation succeeds 70-98%, about 1% goes to court. A community of 5,000 has ~60 disputes a "
        "year: read pooled intervals.",
    "lever_staffing_funding": "003: at least 18 staff per 10,000 residents and 200,000 yuan office funds.",
    "lever_transparency": "004: property payments linked to residents' monthly satisfaction tests.",
    "lever_moral": "BRIEF five modes (德治): recognition of volunteers and evening opening of facilities; "
        "sizes are assumptions (A).",
    "lever_smart": "003 five-governance (智治): online ordering and mediation; capacities are assumptions (A).",
}
TRAJECTORY = ("participation_year", "memberships_per_adult", "organizations", "trust_mean",
              "committee_self_governance_hours", "disputes_resolved")


# --------------------------------------------------------------------------- the runs
def _horizons_job(args) -> list[dict]:
    """One seed of the baseline, summarized at each horizon (years after the spin-up)."""
    scenario, residents, years, seed = args
    from ..config import load_scenario
    from ..model import CoGovModel
    m = CoGovModel(load_scenario(scenario, {"population.residents_per_community": residents,
                                            "run.days": 365 * max(years)}), rng=seed, collect=False)
    out = []
    for y in range(1, max(years) + 1):
        m.run(365)
        if y in years:
            out.append({"seed": seed, "year": y, **m.summary()})
    return out


def _yearly_job(args) -> pd.DataFrame:
    return _yearly_summaries_job((*args, ()))[0]


def _yearly_summaries_job(args) -> tuple[pd.DataFrame, list[dict]]:
    """One seed of one file at one size for ``years``: its yearly outcomes, and its whole
    summary after each year in ``summaries_at`` (for the targets and the lever pairs)."""
    scenario, residents, years, seed, summaries_at = args
    from .stationarity import yearly_runs
    y, summaries = yearly_runs(scenario, residents, years, [seed], summaries_at=summaries_at)
    name = Path(scenario).stem
    y["scenario"] = name
    y["residents"] = residents
    for s in summaries:
        s.update(name=name, residents=residents)
    return y, summaries


def _own_size_job(args) -> pd.DataFrame:
    """One seed of a file at the population it sets itself (a seed scenario), for ``years``."""
    scenario, years, seed = args
    from ..config import load_scenario
    residents = load_scenario(scenario).population.residents_per_community
    return _yearly_job((scenario, residents, years, seed))


# the seed scenarios (places the documents describe) and the stress case (every lever at once)
# against the published bands of participation and the activist core (report, section 6)
SEED_FILES = ("doc000_chengdu_wuhou", "doc001_shenzhen_shatou", "doc002_provincial_guideline",
              "doc003_jiayuguan", "doc004_chaoyangmen", "five_governance")
# participation as the band counts it: meetings, volunteering and organizations (TARGETS P1),
# not the headline's every act (evaluations too)
SEED_OUTCOMES = ("participation_year_activities", "core_activist_share")
SEED_YEARS = 3


def seeds_table(yearly: pd.DataFrame) -> pd.DataFrame:
    """Each seed scenario's participation and activist core each year: mean [95% CI] over
    seeds, against the calibration's bands (experiments/calibration.yaml)."""
    from .calibrate import load
    cal, _ = load(ROOT / "experiments" / "calibration.yaml")
    bands = {t.outcome: t.band for t in cal.targets if t.outcome in SEED_OUTCOMES}
    out = []
    for (name, year), g in yearly.groupby(["scenario", "year"], sort=False):
        row = {"scenario": name, "residents": int(g["residents"].iloc[0]), "year": int(year),
               "seeds": int(g["seed"].nunique())}
        for k in SEED_OUTCOMES:
            m, lo, hi = _ci(g[k].to_numpy(float))
            row.update({k: m, f"{k}_ci_low": lo, f"{k}_ci_high": hi,
                        f"{k}_band_low": bands[k][0], f"{k}_band_high": bands[k][1],
                        f"{k}_pass": bands[k][0] <= m <= bands[k][1]})
        out.append(row)
    return pd.DataFrame(out)


def seeds_section(figdir: Path) -> str:
    """Section 6 of the report from ``seeds.csv`` ("" when the run made none)."""
    f = Path(figdir) / "seeds.csv"
    if not f.is_file():
        return ""
    t = pd.read_csv(f)
    years = sorted(t["year"].unique())
    band = {k: (t[f"{k}_band_low"].iloc[0], t[f"{k}_band_high"].iloc[0]) for k in SEED_OUTCOMES}
    L = ["", "## 6. Seed scenarios and the stress case against the published bands", "",
         "Each place a source document describes (`scenarios/doc*.yaml`, at the population it sets) "
         "and every lever at once (`five_governance.yaml`), "
         f"{int(t['seeds'].iloc[0])} seeds, years {', '.join(map(str, years))} after the spin-up: "
         "yearly participation in meetings, volunteering or groups (what the band counts; the headline "
         f"participation also counts evaluations; band {100 * band[SEED_OUTCOMES[0]][0]:.0f}-"
         f"{100 * band[SEED_OUTCOMES[0]][1]:.0f}%) and the activist core (band "
         f"{100 * band['core_activist_share'][0]:.0f}-{100 * band['core_activist_share'][1]:.0f}%), "
         "mean [95% CI]. No source document gives a participation figure for its place, so a "
         "scenario outside a band has no evidence that the place was.", "",
         "| scenario | adults a community | " + " | ".join(
             f"{lab} year {y}" for lab in ("participation", "core") for y in years) + " |",
         "|---|---|" + "---|" * (2 * len(years))]
    outside = []
    for name, g in t.groupby("scenario", sort=False):
        g = g.set_index("year")
        cells = []
        for k in SEED_OUTCOMES:
            for y in years:
                r = g.loc[y]
                txt = f"{100 * r[k]:.1f}% [{100 * r[f'{k}_ci_low']:.1f}, {100 * r[f'{k}_ci_high']:.1f}]"
                cells.append(txt if r[f"{k}_pass"] else f"**{txt} outside**")
                if not r[f"{k}_pass"]:
                    outside.append((name, k))
        L.append(f"| {name} | {int(g['residents'].iloc[0]):,} | " + " | ".join(cells) + " |")
    names = sorted({n for n, _ in outside})
    L += ["", (f"Outside a band in some year: {', '.join(names)}." if names
               else "Every seed scenario and the stress case stay inside both bands.")]
    return "\n".join(L) + "\n"


PAIR_KEYS = ("participation_year", "spend_total", "disputes_resolved", "disputes_resolved_share",
             "residents", *sorted(set(HEADLINE.values())))


def _side_job(args) -> dict:
    """One year of one file at one size and seed (a side of the lever pairs)."""
    name, residents, seed = args
    from ..config import load_scenario
    from ..model import CoGovModel
    m = CoGovModel(load_scenario(SCEN / f"{name}.yaml", {"population.residents_per_community": residents,
                                                         "run.days": 365}), rng=seed, collect=False)
    m.run()
    s = m.summary()
    return {"name": name, "residents": residents, "seed": seed, **{k: s[k] for k in PAIR_KEYS}}


def lever_pairs(levers: list[str], sizes, reps: int, workers: int,
                known: list[dict] = ()) -> list[dict]:
    """Each lever file against the baseline, paired on seeds, one year: the baseline's side is
    run once per size and seed and shared by every lever; a side already ``known`` (a
    summary after year 1 of the same file, size and seed) is not run again."""
    names = ["baseline", *levers]
    by = {(r["name"], r["residents"], r["seed"]): {k: r[k] for k in PAIR_KEYS} for r in known}
    todo = [(name, n, s) for name in names for n in sizes for s in range(1, reps + 1)
            if (name, n, s) not in by]
    for r in _pool_map(_side_job, todo, workers, "levers"):
        by[(r["name"], r["residents"], r["seed"])] = r
    pairs = []
    for lv in levers:
        for n in sizes:
            for s in range(1, reps + 1):
                out = {"lever": lv, "residents": n, "seed": s}
                for side, name in (("base", "baseline"), ("alt", lv)):
                    out.update({f"{side}_{k}": by[(name, n, s)][k] for k in PAIR_KEYS})
                pairs.append(out)
    return pairs


# Seeds by size. A larger community averages over more residents: the spread of one run's
# yearly slope at 15,000 adults is 0.65 of that at 5,000 (median over 27 outcomes x 12 lever
# files in the report of 2026-12-07, near the sqrt(5,000/15,000) = 0.58 of averaging), so
# the seeds for the same precision fall as 5,000 / adults. Below the reference size the
# count stays as given (small communities are cheap and the report stays comparable), and
# never below five (a t-interval on four degrees of freedom).
REFERENCE_ADULTS = 5000
MIN_SEEDS = 5


def seeds_at(size: int, seeds: int) -> int:
    """Seeds for a set of runs at ``size`` adults when ``seeds`` are asked for at 5,000."""
    return min(seeds, max(MIN_SEEDS, math.ceil(seeds * REFERENCE_ADULTS / size)))


# A lever file's ten-year runs. Its slope is estimated with the baseline as a control
# variate (stationarity._controlled_slopes): the baseline's slope on all of its seeds at the
# size, plus the lever's difference from it on the lever's own seeds. The runs share their
# seeds' chance, so that difference spreads far less than a slope does, and half the seeds
# judge it about as well: on the report of 2026-12-07 (12 files x 3 sizes x 27 outcomes),
# the first 5 of 10 lever seeds gave 929 settled, 43 undetermined and 0 drifting outcomes
# where all 10 gave 934, 34 and 4 (the 4 not confirmed on fresh seeds). The other seeds of
# the lever pairs run one year only.
def lever_seeds_at(size: int, seeds: int) -> int:
    """Seeds of a lever file's stationarity runs at ``size`` adults: half the baseline's,
    never below ``MIN_SEEDS``."""
    n = seeds_at(size, seeds)
    return min(n, max(MIN_SEEDS, math.ceil(n / 2)))


PROGRESS = {"on": False, "verbose": False}  # a bar per phase (the command turns it on unless -q), -v
# per stage (a _pool_map's desc): jobs, the jobs' CPU seconds (in whichever process ran them)
# and the stage's wall seconds; -v prints them, the report's data block keeps them
STAGES: dict[str, dict] = {}


def _timed(fn, job):
    t0, c0 = time.perf_counter(), time.process_time()
    result = fn(job)
    return result, time.perf_counter() - t0, time.process_time() - c0


def _pool_map(fn, jobs, workers, desc: str = "runs"):
    """fn over jobs (in order), in ``workers`` processes, with a progress bar and ETA (stderr)
    and, with -v, each job's time."""
    from functools import partial

    bar = None
    if PROGRESS["on"] and jobs:
        from tqdm import tqdm
        bar = tqdm(total=len(jobs), desc=desc, unit="job", dynamic_ncols=True,
                   disable=None if os.environ.get("CI") is None else True)
    out = []

    stage = STAGES.setdefault(desc, {"jobs": 0, "cpu_seconds": 0.0, "wall_seconds": 0.0})
    t0 = time.perf_counter()

    def take(i, item):
        result, seconds, cpu = item
        out.append(result)
        stage["jobs"] += 1
        stage["cpu_seconds"] += cpu
        if PROGRESS["verbose"]:
            print(f"  {desc}: job {i + 1}/{len(jobs)} {_show_job(jobs[i])}: {seconds:.1f} s, "
                  f"{cpu:.1f} CPU-s", file=sys.stderr)
        if bar is not None:
            bar.update(1)

    try:
        if workers <= 1:
            for i, j in enumerate(jobs):
                take(i, _timed(fn, j))
        else:
            with forkserver_context(["sim.model"]).Pool(workers) as pool:  # dies with this process
                for i, item in enumerate(pool.imap(partial(_timed, fn), jobs, chunksize=1)):
                    take(i, item)
    finally:
        stage["wall_seconds"] += time.perf_counter() - t0
        if bar is not None:
            bar.close()
    return out


def time_breakdown(wall: float, own_cpu: float, workers: int) -> str:
    """The -v summary of a validation run: each stage's jobs, CPU and wall seconds, and the
    total CPU (the jobs' wherever they ran, and this process's own work beside them)."""
    jobs_cpu = sum(st["cpu_seconds"] for st in STAGES.values())
    rest = own_cpu - (jobs_cpu if workers <= 1 else 0.0)  # tables, figures, fingerprint
    lines = ["time by stage (CPU-s: the jobs' own, summed over workers):"]
    lines += [f"  {name}: {st['jobs']} jobs, {st['cpu_seconds']:.0f} CPU-s, {st['wall_seconds']:.0f} s"
              for name, st in STAGES.items()]
    lines.append(f"  report (tables, figures, fingerprint; this process): {rest:.0f} CPU-s")
    lines.append(f"  total: {jobs_cpu + rest:.0f} CPU-s, {wall:.0f} s on {workers} worker(s)")
    return "\n".join(lines)


def _show_job(job) -> str:
    """A job's scenario, size and seed, for -v."""
    parts = [Path(x).stem if isinstance(x, Path) else str(x) for x in job]
    return " ".join(parts)


def fingerprint() -> dict:
    """The fast subset the staleness test recomputes: baseline, 2,000 adults, seed 1, a year."""
    rows = _horizons_job((SCEN / "baseline.yaml", 2000, (1,), 1))
    return {k: rows[0][k] for k in FINGERPRINT_KEYS}


# --------------------------------------------------------------------------- the tables
def _ci(v: np.ndarray) -> tuple[float, float, float]:
    from scipy import stats
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(v.mean())
    if v.size < 2:
        return m, float("nan"), float("nan")
    h = float(stats.t.ppf(0.975, v.size - 1) * v.std(ddof=1) / math.sqrt(v.size))
    return m, m - h, m + h


def targets_table(rows: list[dict], years) -> pd.DataFrame:
    from .calibrate import load
    cal, _ = load(ROOT / "experiments" / "calibration.yaml")
    df = pd.DataFrame(rows)
    if "residents" not in df:
        df["residents"] = 5000
    out = []
    for n in sorted(df["residents"].unique()):
        for t in cal.targets:
            for y in years:
                v = df.loc[(df["year"] == y) & (df["residents"] == n), t.outcome].to_numpy(float)
                m, lo, hi = _ci(v)
                out.append({"outcome": t.outcome, "residents": int(n), "year": y, "band_low": t.band[0],
                            "band_high": t.band[1], "mean": m, "ci_low": lo, "ci_high": hi,
                            "pass": t.band[0] <= m <= t.band[1], "source": t.source})
    return pd.DataFrame(out)


def lever_table(pairs: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(pairs)
    out = []
    for (lever, residents), g in df.groupby(["lever", "residents"], sort=True):
        key = HEADLINE.get(lever, "participation_year")
        d = (g[f"alt_{key}"] - g[f"base_{key}"]).to_numpy(float)
        m, lo, hi = _ci(d)
        d_spend = (g["alt_spend_total"] - g["base_spend_total"]).to_numpy(float)
        d_part = ((g["alt_participation_year"] - g["base_participation_year"]) * g["base_residents"]).to_numpy(float)
        d_res = (g["alt_disputes_resolved"] - g["base_disputes_resolved"]).to_numpy(float)
        pm, plo, phi = _ci((g["alt_participation_year"] - g["base_participation_year"]).to_numpy(float))
        # the pairs run a year: a year's extra spend per extra participant (or dispute resolved
        # in that year), with a paired bootstrap interval; none when the effect's interval
        # holds zero (compare.cost_ratio)
        per_p, per_d = cost_ratio(d_spend, d_part), cost_ratio(d_spend, d_res)
        out.append({"lever": lever, "residents": int(residents), "headline": key, "effect": m,
                    "ci_low": lo, "ci_high": hi, "distinguishable": bool(lo > 0 or hi < 0),
                    "participation_effect": pm, "participation_ci_low": plo, "participation_ci_high": phi,
                    "extra_spend_yuan": float(d_spend.mean()),
                    "yuan_per_extra_participant": per_p["diff"],
                    "yuan_per_extra_participant_ci_low": per_p["ci_low"],
                    "yuan_per_extra_participant_ci_high": per_p["ci_high"],
                    "yuan_per_extra_dispute_resolved": per_d["diff"],
                    "yuan_per_extra_dispute_resolved_ci_low": per_d["ci_low"],
                    "yuan_per_extra_dispute_resolved_ci_high": per_d["ci_high"],
                    "pairs": int(len(g))})
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- the figures
def _year_label(col: str) -> str:
    from .figures import plain
    o = OUTCOMES[col]
    when = " (summed over the year)" if col in ("committee_self_governance_hours", "disputes_resolved") \
        else " (end of year)"
    return plain(o.label) + when


def plot_trajectories(sub: pd.DataFrame, path: Path, title: str) -> list[Path]:
    """One panel per outcome of TRAJECTORY; one line per value of ``sub["scenario"]`` (a few:
    the baseline at each size)."""
    from .figures import pyplot, save_figure, wrap
    plt = pyplot()
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.8), layout="constrained")
    names = sorted(sub["scenario"].unique(), key=lambda s: (s != "baseline", s))
    for ax, col in zip(axes.ravel(), TRAJECTORY):
        o = OUTCOMES[col]
        for i, name in enumerate(names):
            g = sub[sub["scenario"] == name].groupby("year")[col]
            mean, lo, hi = g.mean(), g.min(), g.max()
            ax.plot(mean.index, o.scale(mean), label=name.replace("lever_", ""), color=f"C{i}", lw=1.6)
            ax.fill_between(mean.index, o.scale(lo), o.scale(hi), color=f"C{i}", alpha=0.12)
        ax.set_title(wrap(_year_label(col), 45), fontsize=9)
        ax.set_xlabel("year after the spin-up (years)")
        ax.set_ylabel(wrap(o.axis_label, 34), fontsize=8)
        ax.ticklabel_format(axis="y", useOffset=False, style="plain")
        ax.grid(alpha=0.3)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(6, len(names)), fontsize=8,
               frameon=False)
    fig.suptitle(wrap(title, 150))
    written = save_figure(fig, Path(path).with_suffix(""))
    plt.close(fig)
    return written


def plot_lever_multiples(sub: pd.DataFrame, col: str, path: Path, title: str) -> list[Path]:
    """Small multiples of one outcome: a panel per lever file, each with the baseline (grey
    line and seed range) and the lever (colour), on a shared y axis."""
    from .figures import pyplot, save_figure, wrap
    plt = pyplot()
    o = OUTCOMES[col]
    levers = sorted(s for s in sub["scenario"].unique() if s != "baseline")
    ncol = 4
    nrow = max(1, math.ceil(len(levers) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(12, 2.3 * nrow + 1.2), sharex=True, sharey=True,
                             squeeze=False, layout="constrained")

    def band(name):
        g = sub[sub["scenario"] == name].groupby("year")[col]
        return g.mean(), g.min(), g.max()

    bm, blo, bhi = band("baseline") if (sub["scenario"] == "baseline").any() else (None, None, None)
    for ax, lever in zip(axes.flat, levers):
        if bm is not None:
            ax.fill_between(bm.index, o.scale(blo), o.scale(bhi), color="0.5", alpha=0.2, lw=0)
            ax.plot(bm.index, o.scale(bm), color="0.3", lw=1.2, label="baseline")
        m, lo, hi = band(lever)
        ax.fill_between(m.index, o.scale(lo), o.scale(hi), color="C0", alpha=0.25, lw=0)
        ax.plot(m.index, o.scale(m), color="C0", lw=1.6, label="lever file")
        ax.set_title(wrap(lever.replace("lever_", "").replace("_", " "), 30), fontsize=9)
        ax.grid(alpha=0.3)
        ax.ticklabel_format(axis="y", useOffset=False, style="plain")
    for ax in list(axes.flat)[len(levers):]:
        ax.set_visible(False)
    fig.supxlabel("year after the spin-up (years; levers on from day 0)", fontsize=9)
    fig.supylabel(wrap(o.axis_label, 40), fontsize=9)
    axes.flat[0].legend(fontsize=7, frameon=False)
    fig.suptitle(wrap(f"{title}: {_year_label(col)}", 130), fontsize=10)
    written = save_figure(fig, Path(path).with_suffix(""))
    plt.close(fig)
    return written


# --------------------------------------------------------------------------- the report
def draw_figures(yearly: pd.DataFrame, figdir: Path) -> list[str]:
    """The trajectory figures of a validation run (from its yearly table): at the calibrated
    size, small multiples of each yearly outcome (a panel per lever file beside the
    baseline), and the baseline at each size. PNG, SVG and PDF; returns the PNGs' names."""
    sizes = sorted(yearly["residents"].unique())
    size = 5000 if 5000 in sizes else int(sizes[len(sizes) // 2])  # the calibrated size
    at = yearly[yearly["residents"] == size]
    # a lever file runs ten years on fewer seeds than the baseline (lever_seeds_at): its band
    # spans fewer runs, which the title says
    n_base = int(at.loc[at["scenario"] == "baseline", "seed"].nunique())
    lever_seeds = at[at["scenario"] != "baseline"].groupby("scenario")["seed"].nunique()
    n_lever = f"{int(lever_seeds.min())}" if len(lever_seeds) and lever_seeds.min() == lever_seeds.max() \
        else "-".join(map(str, sorted({int(lever_seeds.min()), int(lever_seeds.max())}))) if len(lever_seeds) else "0"
    figures = []
    for col in TRAJECTORY:
        name = f"trajectories_{size}_{col}.png"
        plot_lever_multiples(at, col, figdir / name,
                             f"Each lever file ({n_lever} seeds) against the baseline ({n_base} seeds) "
                             f"at {size:,} adults: mean over seeds (line) and seed range (band)")
        figures.append(name)
    sizes_df = yearly[yearly["scenario"] == "baseline"].copy()
    sizes_df["scenario"] = sizes_df["residents"].map(lambda n: f"{n:>6,} adults")  # sorts by size
    plot_trajectories(sizes_df, figdir / "baseline_sizes.png",
                      "The baseline at each size: mean over seeds (line) and seed range (band)")
    figures.append("baseline_sizes.png")
    return figures


def _ratio_cell(v: float, lo: float, hi: float) -> str:
    if not math.isfinite(v):
        return "n/a"
    return f"{v:,.0f} [{lo:,.0f}, {hi:,.0f}]"


def _fmt(outcome: str, v: float) -> str:
    return OUTCOMES[outcome].format(v) if outcome in OUTCOMES else f"{v:.3g}"


def grant_survival(yearly: pd.DataFrame) -> tuple[float, float, float, int] | None:
    """Of the groups the grants lever founded in the policy's first year, the share still
    running at the end of its second year: mean [95% CI] over seeds, and the seeds."""
    col = "grant_projects_alive_after_year_share"
    if col not in yearly:
        return None
    v = yearly[(yearly["scenario"] == "lever_grants") & (yearly["year"] == 2)
               & (yearly["residents"] == 5000)][col].dropna().to_numpy(float)
    return (*_ci(v), v.size) if v.size > 1 else None


def render(cfg: dict, targets: pd.DataFrame, trends: pd.DataFrame, levers: pd.DataFrame,
           fp: dict, figures: list[str], seconds: float, yearly: pd.DataFrame | None = None,
           scan_text: str = "", seeds_text: str = "") -> str:
    L = ["# Validation report", "",
         "Generated by `" + cfg["command"] + "` (do not edit by hand; `tests/test_validation.py` "
         "fails when it is stale). The model and every number here come from the code at the commit "
         "that holds this file.", "",
         f"Settings: seeds {cfg['seeds']}, horizons {cfg['years']} years after the spin-up "
         f"({cfg['spin_up_days']} days), sizes {cfg['sizes']}; {seconds:.0f} s on {cfg['workers']} workers.", ""]
    by_size = cfg.get("seeds_by_size")
    if by_size and len(set(by_size.values())) > 1:
        L += [f"Seeds by size (the stationarity runs, the targets at each size and their confirmation and "
              f"pooling): {', '.join(f'{int(n):,} adults {k}' for n, k in by_size.items())}. A larger "
              "community averages over more residents (one run's yearly slope spreads 0.65 times as far "
              "at 15,000 adults as at 5,000), so the seeds for the same precision fall as 5,000 / adults, "
              f"never below {MIN_SEEDS}; the lever pairs keep {cfg['lever_reps']} pairs at every size.", ""]
    lever_by_size = cfg.get("lever_seeds_by_size")
    if lever_by_size:
        L += [f"A lever file's ten-year runs: {', '.join(f'{int(n):,} adults {k}' for n, k in lever_by_size.items())} "
              "seeds (half the baseline's, never fewer than "
              f"{MIN_SEEDS}): its slope is judged with the baseline's on all of the baseline's seeds as a "
              "control variate (section 2), and the difference between the two, which shares its seeds' "
              "chance, needs fewer seeds than a slope. Its other lever pairs run one year.", ""]
    L += ["## 1. Targets", "",
          "The baseline (`scenarios/baseline.yaml`, 5,000 adults) against every target of "
          "`experiments/calibration.yaml` (from `docs/TARGETS.md`). Mean [95% CI] over seeds.", "",
          "| target | band | " + " | ".join(f"year {y}" for y in cfg["years"]) + " | source |",
          "|---|---|" + "---|" * len(cfg["years"]) + "---|"]
    if "residents" not in targets:
        targets = targets.assign(residents=5000)
    at_ref = targets[targets["residents"] == 5000]
    for outcome, g in at_ref.groupby("outcome", sort=False):
        g = g.set_index("year")
        b = g.iloc[0]
        cells = [f"{_fmt(outcome, g.loc[y, 'mean'])} [{_fmt(outcome, g.loc[y, 'ci_low'])}, "
                 f"{_fmt(outcome, g.loc[y, 'ci_high'])}] {'PASS' if g.loc[y, 'pass'] else '**FAIL**'}"
                 for y in cfg["years"]]
        L.append(f"| {OUTCOMES[outcome].label} | {_fmt(outcome, b.band_low)}-{_fmt(outcome, b.band_high)} | "
                 + " | ".join(cells) + f" | {b.source} |")
    others = sorted(n for n in targets["residents"].unique() if n != 5000)
    if others:
        last = max(cfg["years"])
        L += ["", f"The same targets at every validated size (the baseline, year 1 and year {last}; "
              "mean [95% CI]):", "",
              "| target | band | " + " | ".join(f"{n:,} adults, year {y}" for n in others for y in (1, last)) + " |",
              "|---|---|" + "---|" * (2 * len(others))]
        for outcome, g in targets[targets["residents"] != 5000].groupby("outcome", sort=False):
            g = g.set_index(["residents", "year"])
            b = g.iloc[0]
            cells = []
            for n in others:
                for y in (1, last):
                    if (n, y) not in g.index:
                        cells.append("")
                        continue
                    r = g.loc[(n, y)]
                    cells.append(f"{_fmt(outcome, r['mean'])} [{_fmt(outcome, r['ci_low'])}, "
                                 f"{_fmt(outcome, r['ci_high'])}] {'PASS' if r['pass'] else '**FAIL**'}")
            L.append(f"| {OUTCOMES[outcome].label} | {_fmt(outcome, b.band_low)}-{_fmt(outcome, b.band_high)} | "
                     + " | ".join(cells) + " |")
    n_sets = trends.groupby(["scenario", "residents"]).ngroups
    n_outcomes = trends["outcome"].nunique()
    L += ["", "## 2. Stationarity", "",
          "Slope over years of the mean over seeds, as a share of the mean a year (baseline: years "
          f"2-N; levers: from the year the policy has taken effect, the first of years 3-{max(3, max(cfg['years']) - 4)} from which "
          "no outcome drifts). **Settled**: within 2% a year (the criterion). Otherwise "
          "**undetermined** when the 95% interval of the seeds' own slopes holds zero: a flow of a "
          "few lumpy events a year (meeting acts come from two scheduled meetings and the hearings "
          "of the rare collective dispute) whose slope these seeds cannot pin down; the number of "
          "seeds that would narrow its interval to 2% is given. When the interval excludes zero the "
          "set of runs is run again on twice as many fresh seeds: **drifting** when they agree "
          "(outside 2%, interval excluding zero, same direction), **not confirmed** when they do not. "
          f"Each call is a 95% interval and the report makes some {n_sets * n_outcomes} of them "
          f"({n_sets} sets of runs x {n_outcomes} outcomes), so some first-seed excursions are "
          "expected. Only confirmed drifts count, both for the verdict and for the year from which "
          "a lever file is judged. "
          f"The baseline's undetermined outcomes are judged again on the seeds their interval needs "
          f"(at most {cfg.get('pool_seeds', 0)} at 5,000 adults, fewer by the same rule at larger sizes). "
          "A lever file's runs share their seeds' chance with the baseline's (common random "
          "numbers: the same community and, until the lever changes them, the same arrivals), so "
          "its slope is estimated with the baseline as a control variate: the lever's slope on its "
          "seeds, less the baseline's on the same seeds, plus the baseline's on all the seeds it "
          "was run on at that size (first, fresh and pooled; standard error from both parts). A chance excursion "
          "both share on the first seeds (a few collective disputes arriving late, whose hearings "
          "are most of a year's meeting acts) then cancels instead of being read as the lever's "
          "trend; what remains undetermined is the lever's own part, with the seeds it would need.", ""]
    for (scen, size), g in trends.groupby(["scenario", "residents"], sort=False):
        drifting, unknown = g[g["status"] == "drifting"], g[g["status"] == "undetermined"]
        chance = g[g["status"] == "not confirmed"]
        # judged again on more seeds and no longer undetermined (those still undetermined are
        # listed with them, with their seeds)
        pooled = g[(g["pooled_seeds"].fillna(0) > 0) & (g["status"] != "undetermined")] \
            if "pooled_seeds" in g else g.iloc[:0]
        worst = g.iloc[int(np.nanargmax(g["slope_share_of_mean"].abs().fillna(0).to_numpy()))]
        def _one(r, seeds=False, fresh=False) -> str:
            ci = "" if not np.isfinite(r.slope_ci_low) else \
                f" [{100 * r.slope_ci_low:+.1f}, {100 * r.slope_ci_high:+.1f}]"
            more = f"; ~{int(r.seeds_needed)} seeds to tell" if seeds and r.seeds_needed else ""
            ps = getattr(r, "pooled_seeds", 0)
            if pd.notna(ps) and ps > 0:
                more = f"; {int(ps)} seeds" + more
            if fresh and pd.notna(getattr(r, "confirm_slope", float("nan"))):
                more += (f"; fresh seeds {100 * r.confirm_slope:+.1f}% "
                         f"[{100 * r.confirm_ci_low:+.1f}, {100 * r.confirm_ci_high:+.1f}]")
            return f"{r.outcome} ({100 * r.slope_share_of_mean:+.1f}%{ci}{more})"
        L.append(f"- **{scen}**, {size:,} adults, from year {int(g['from_year'].iloc[0])}: {int((g['status'] == 'settled').sum())}/{len(g)} settled, "
                 f"{len(drifting)} drifting, {len(unknown)} undetermined"
                 + (f", {len(chance)} not confirmed" if len(chance) else "")
                 + f"; largest slope {worst['outcome']} {100 * worst['slope_share_of_mean']:+.1f}%/year"
                 + (f"; drifting (slope %/year [95% CI over seeds]): " + ", ".join(_one(r, fresh=True) for r in drifting.itertuples())
                    if len(drifting) else "")
                 + (f"; undetermined: " + ", ".join(_one(r, True) for r in unknown.itertuples())
                    if len(unknown) else "")
                 + (f"; not confirmed: " + ", ".join(_one(r, fresh=True) for r in chance.itertuples())
                    if len(chance) else "")
                 + (f"; judged again on more seeds: " + ", ".join(f"{_one(r)} {r.status}" for r in pooled.itertuples())
                    if len(pooled) else ""))
    lev_unknown = trends[(trends["scenario"] != "baseline") & (trends["status"] == "undetermined")]
    if len(lev_unknown):
        counts = lev_unknown["outcome"].value_counts()
        base_pooled = trends[(trends["scenario"] == "baseline") & (trends["pooled_seeds"].fillna(0) > 0)] \
            if "pooled_seeds" in trends else trends.iloc[:0]
        pooled_txt = "; ".join(f"{r.outcome} at {r.residents:,} adults {100 * r.slope_share_of_mean:+.1f}% "
                               f"[{100 * r.slope_ci_low:+.1f}, {100 * r.slope_ci_high:+.1f}] over {int(r.pooled_seeds)} seeds, {r.status}"
                               for r in base_pooled.itertuples())
        L += ["", f"**Undetermined in the lever files**: {len(lev_unknown)} calls in "
                  f"{lev_unknown.groupby(['scenario', 'residents']).ngroups} of "
                  f"{trends[trends['scenario'] != 'baseline'].groupby(['scenario', 'residents']).ngroups} sets: "
                  + ", ".join(f"{k} ({v})" for k, v in counts.items())
                  + ". Meeting acts and meeting participation are the lumpy flows of two meetings a year and "
                    "the rare collective dispute's hearings; the baseline's, judged on the seeds their "
                    "interval needs, are settled" + (f" ({pooled_txt})" if pooled_txt else "")
                  + ". What the control variate leaves is the lever's own part, and telling its "
                    "slope within 2% would take about as many seeds per file and size."]
    base = trends[trends["scenario"] == "baseline"]
    sizes = base["residents"].unique()
    L += ["", "**Single runs.** How far one run moves, not the mean of many: per baseline size, "
              "the mean over seeds of a run's year-to-year coefficient of variation (years 2-N) and "
              "the largest of the seeds' own slopes (share of the mean a year). Small communities "
              "have few groups (about 6 at 2,000 adults), so one group's founding or folding moves "
              "their memberships: read a single small run with that in mind, or use replications.", "",
          "| outcome | " + " | ".join(f"{n:,} adults: CV / largest slope" for n in sizes) + " |",
          "|---|" + "---|" * len(sizes)]
    by_size = {n: g.set_index("outcome") for n, g in base.groupby("residents", sort=False)}
    for k in SINGLE_RUN_OUTCOMES:
        cells = [f"{100 * by_size[n].loc[k, 'single_run_cv']:.0f}% / "
                 f"{100 * by_size[n].loc[k, 'single_run_slope_max']:.1f}%" for n in sizes]
        L.append(f"| {OUTCOMES[k].label} | " + " | ".join(cells) + " |")
    L += ["", "Full table: `docs/validation/stationarity.csv`.", "",
          "## 3. Levers", "",
          "Each lever file against the baseline, paired on seeds, the first year after the policy "
          "starts. Effect on the lever's headline outcome and on yearly participation, mean of paired "
          "differences [95% CI]; the year's extra spend; its cost per additional participant in the "
          "year and per extra dispute resolved in the year, with a paired bootstrap 95% interval over "
          "the seeds (n/a: the effect's own interval holds zero, so the ratio has no finite "
          "interval).", "",
          "| lever | adults | headline | effect [95% CI] | participation (pp) [95% CI] | extra yuan | yuan / participant | yuan / dispute |",
          "|---|---|---|---|---|---|---|---|"]
    for r in levers.itertuples():
        o = OUTCOMES[r.headline]
        eff = (f"{100 * r.effect:+.1f} pp [{100 * r.ci_low:+.1f}, {100 * r.ci_high:+.1f}]" if o.kind == "share"
               else f"{r.effect:+,.2f} [{r.ci_low:+,.2f}, {r.ci_high:+,.2f}]")
        part = f"{100 * r.participation_effect:+.1f} [{100 * r.participation_ci_low:+.1f}, {100 * r.participation_ci_high:+.1f}]"
        per_p = _ratio_cell(r.yuan_per_extra_participant, r.yuan_per_extra_participant_ci_low,
                            r.yuan_per_extra_participant_ci_high)
        per_d = _ratio_cell(r.yuan_per_extra_dispute_resolved, r.yuan_per_extra_dispute_resolved_ci_low,
                            r.yuan_per_extra_dispute_resolved_ci_high)
        L.append(f"| {r.lever.replace('lever_', '')} | {r.residents:,} | {o.label} | {eff}{'' if r.distinguishable else ' (not distinguishable)'} "
                 f"| {part} | {r.extra_spend_yuan:,.0f} | {per_p} | {per_d} |")
    L += ["", "Why each lever's size is plausible (or where the evidence is thin):", ""]
    L += [f"- **{k.replace('lever_', '')}**: {v}" for k, v in EVIDENCE.items()]
    gs = grant_survival(yearly) if yearly is not None else None
    if gs:
        L += ["", f"Micro-venture survival in the model: of the groups the grants founded in the "
                  f"policy's first year, {100 * gs[0]:.0f}% [{100 * gs[1]:.0f}, {100 * gs[2]:.0f}] still run "
                  f"at the end of the second year (`lever_grants`, 5,000 adults, {gs[3]} seeds)."]
    L += ["", "## 4. Trajectories", ""] + [f"![{f}](validation/{f})" for f in figures]
    L += [scan_text] if scan_text else []
    L += [seeds_text] if seeds_text else []
    L += ["", BEGIN_DATA, json.dumps({"config": cfg, "fingerprint": fp}, indent=1), END_DATA, ""]
    return "\n".join(L)


# the baseline is judged from year 2 and a lever file from year 3 at the earliest
# (judge_trends); a slope needs two years, so the longest horizon must reach year 4
MIN_YEARS = 4


def judge_trends(yearly: pd.DataFrame, n_years: int, seeds: int, workers: int, say,
                 pool_seeds: int = 100) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stationarity table of every set of runs (scenario, size).

    The baseline first, at each size, from year 2: a drift the first seeds (``seeds`` at 5,000
    adults, :func:`seeds_at` at other sizes) call is run again on twice as many fresh seeds,
    and only a drift both sets call, in the same direction, counts (:func:`confirm_drifts`);
    its undetermined outcomes are then judged on the seeds their interval needs, up to
    ``pool_seeds`` at 5,000 adults, scaled the same way (:func:`pool_undetermined`).
    Then each lever file, from the first year from which nothing drifts, with the baseline's
    runs at its size (all of them: first, fresh and pooled seeds) as the control variate of its
    slopes (``trend_table(..., baseline=...)``): a lever file shares its seeds' chance with the
    baseline, and running every lever file on the baseline's hundred seeds would cost hours at
    15,000 adults. A lever file's drift is confirmed on fresh seeds the same way, against the
    baseline's runs on those seeds (run for it when the baseline had none)."""
    from .stationarity import confirm_drifts, confirmed_from_year, pool_undetermined, trend_table

    def fresh_seeds(size):  # twice the size's seeds, none of them among its first
        n = seeds_at(size, seeds)
        return list(range(n + 1, 3 * n + 1))

    def runs(jobs, desc) -> pd.DataFrame:
        return pd.concat(_pool_map(_yearly_job, jobs, workers, desc), ignore_index=True)

    def rows_of(df, scen, size):
        if not len(df):
            return None
        f = df[(df["scenario"] == scen) & (df["residents"] == size)]
        return f if len(f) else None

    groups = dict(iter(yearly.groupby(["scenario", "residents"], sort=False)))
    tables, fresh = {}, pd.DataFrame()
    # 1. the baseline at each size
    base_first = 2
    base_sizes = [size for scen, size in groups if scen == "baseline"]
    suspect = [size for size in base_sizes
               if (trend_table(groups[("baseline", size)], from_year=base_first)["status"] == "drifting").any()]
    if suspect:
        say(f"confirming: the baseline at {len(suspect)} sizes with a drift, on twice their seeds, fresh")
        fresh = runs([(SCEN / "baseline.yaml", size, n_years, s) for size in suspect for s in fresh_seeds(size)],
                     "confirm")
    baseline_runs = {}
    for size in base_sizes:
        g, f = groups[("baseline", size)], rows_of(fresh, "baseline", size)
        t = trend_table(g, from_year=base_first)
        if f is not None:
            t = confirm_drifts(t, trend_table(f, from_year=base_first), len(fresh_seeds(size)))
        have = pd.concat([g, f]) if f is not None else g
        unknown = t[t["status"] == "undetermined"]
        n_first, pool_n = seeds_at(size, seeds), seeds_at(size, pool_seeds)
        if len(unknown) and pool_n > n_first:
            target = min(pool_n, max(int(unknown["seeds_needed"].max()), have["seed"].nunique()))
            more = range(3 * n_first + 1, 3 * n_first + 1 + max(0, target - have["seed"].nunique()))
            if more:
                say(f"pooling: baseline at {size:,} adults, {len(more)} more seeds for {', '.join(unknown['outcome'])}")
                extra = runs([(SCEN / "baseline.yaml", size, n_years, s) for s in more], "pooling")
                fresh = pd.concat([fresh, extra], ignore_index=True)
                have = pd.concat([have, extra], ignore_index=True)
            t = pool_undetermined(t, have)
        tables[("baseline", size)] = t
        baseline_runs[size] = have
    # 2. the lever files, each against the baseline at its size
    levers = [key for key in groups if key[0] != "baseline"]
    suspect = [(scen, size) for scen, size in levers
               if (trend_table(groups[(scen, size)], from_year=3, baseline=baseline_runs.get(size))["status"]
                   == "drifting").any()]
    if suspect:
        say(f"confirming: {len(suspect)} sets of runs with a drift, on twice their seeds, fresh")
        jobs = [(SCEN / f"{scen}.yaml", size, n_years, s) for scen, size in suspect for s in fresh_seeds(size)]
        for size in sorted({size for _, size in suspect}):  # the control on the same fresh seeds
            have = set(baseline_runs[size]["seed"]) if size in baseline_runs else set()
            jobs += [(SCEN / "baseline.yaml", size, n_years, s) for s in fresh_seeds(size) if s not in have]
        extra = runs(jobs, "confirm")
        fresh = pd.concat([fresh, extra], ignore_index=True)
        for size in sorted({size for _, size in suspect}):
            b = rows_of(extra, "baseline", size)
            if b is not None and size in baseline_runs:
                baseline_runs[size] = pd.concat([baseline_runs[size], b], ignore_index=True)
    for scen, size in levers:
        g, f, b = groups[(scen, size)], rows_of(fresh, scen, size), baseline_runs.get(size)
        fy = confirmed_from_year(g, f, first=3, baseline=b)
        t = trend_table(g, from_year=fy, baseline=b)
        if f is not None:
            t = confirm_drifts(t, trend_table(f, from_year=fy, baseline=b), len(fresh_seeds(size)))
        tables[(scen, size)] = t
    trends = []
    for (scen, size) in groups:
        t = tables[(scen, size)]
        t.insert(0, "residents", size)
        t.insert(0, "scenario", scen)
        trends.append(t)
    return pd.concat(trends, ignore_index=True), fresh


def validate(seeds: int = 10, years=(1, 3, 5, 10), sizes=(2000, 5000, 15000), workers: int = 1,
             out: Path | None = None, lever_reps: int = 10, quiet: bool = False, pool_seeds: int = 100) -> Path:
    """Run everything and write ``docs/VALIDATION.md`` (or ``out/VALIDATION.md``)."""
    from ..params import Run
    t0, c0 = time.perf_counter(), time.process_time()
    STAGES.clear()
    out = Path(out) if out else ROOT / "docs"
    figdir = out / "validation"
    figdir.mkdir(parents=True, exist_ok=True)
    years = tuple(sorted(set(int(y) for y in years)))
    seed_list = list(range(1, seeds + 1))
    seeds_by_size = {int(n): seeds_at(n, seeds) for n in sizes}
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr))
    n_years = max(years)
    levers = sorted(p.stem for p in SCEN.glob("lever_*.yaml"))
    # one set of runs serves three parts: the stationarity runs' summaries after each horizon
    # are the targets' (the baseline at 5,000 adults) and, after year 1, the lever pairs'
    # (each run is what a shorter run of the same file, size and seed would be)
    jobs = [(SCEN / "baseline.yaml", n, n_years, s, years) for n in sizes for s in range(1, seeds_by_size[n] + 1)]
    jobs += [(SCEN / f"{lv}.yaml", n, n_years, s, (1,)) for lv in levers for n in sizes
             for s in range(1, lever_seeds_at(n, seeds) + 1)]
    say(f"stationarity: {len(jobs)} runs of {n_years} years (spin-ups shared through the cache)")
    done = _pool_map(_yearly_summaries_job, jobs, workers, "stationarity")
    yearly = pd.concat([y for y, _ in done], ignore_index=True)
    summaries = [s for _, ss in done for s in ss]
    say(f"targets: baseline at 5,000 adults, {seeds} seeds, horizons {years}")
    rows = [s for s in summaries if s["name"] == "baseline"]  # every size: the targets at each
    if not any(s["residents"] == 5000 for s in rows):  # 5,000 adults is not among the sizes
        rows += [{**r, "residents": 5000} for r in
                 sum(_pool_map(_horizons_job, [(SCEN / "baseline.yaml", 5000, years, s)
                                               for s in seed_list], workers, "targets"), [])]
    targets = targets_table(rows, years)
    trends, fresh = judge_trends(yearly, n_years, seeds, workers, say, pool_seeds)
    say(f"levers: {len(levers)} files x {len(sizes)} sizes x {lever_reps} pairs")
    pairs = lever_pairs(levers, sizes, lever_reps, workers,
                        known=[s for s in summaries if s["year"] == 1])
    lever_tab = lever_table(pairs)
    say(f"seed scenarios: {len(SEED_FILES)} files x {seeds} seeds, {SEED_YEARS} years")
    seed_yearly = pd.concat(_pool_map(_own_size_job, [(SCEN / f"{f}.yaml", SEED_YEARS, s) for f in SEED_FILES
                                                      for s in seed_list], workers, "seed scenarios"),
                            ignore_index=True)
    seeds_table(seed_yearly).to_csv(figdir / "seeds.csv", index=False)
    figures = draw_figures(yearly, figdir)
    trends.to_csv(figdir / "stationarity.csv", index=False)
    targets.to_csv(figdir / "targets.csv", index=False)
    lever_tab.to_csv(figdir / "levers.csv", index=False)
    yearly.to_csv(figdir / "yearly.csv", index=False)
    fresh.to_csv(figdir / "confirm.csv", index=False)
    cfg = {"seeds": seeds, "seeds_by_size": {str(n): k for n, k in seeds_by_size.items()},
           "lever_seeds_by_size": {str(n): lever_seeds_at(n, seeds) for n in sizes},
           "years": list(years), "sizes": list(sizes), "lever_reps": lever_reps,
           "pool_seeds": pool_seeds,
           "workers": workers, "spin_up_days": Run().spin_up_days,
           "seconds": round(time.perf_counter() - t0),
           "command": f"cogov validate --seeds {seeds} --years {','.join(map(str, years))} "
                      f"--sizes {','.join(map(str, sizes))} --lever-reps {lever_reps} --pool-seeds {pool_seeds}"}
    text = render(cfg, targets, trends, lever_tab, fingerprint(), figures, time.perf_counter() - t0, yearly,
                  scan.section(figdir), seeds_section(figdir))
    tmp = out / ".VALIDATION.md.tmp"
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out / "VALIDATION.md")
    say(f"wrote {out / 'VALIDATION.md'} and {figdir}/")
    if PROGRESS["verbose"]:
        print(time_breakdown(time.perf_counter() - t0, time.process_time() - c0, workers), file=sys.stderr)
    return out / "VALIDATION.md"


def render_only(out: Path | None = None) -> Path:
    """Rewrite VALIDATION.md from the tables of a finished validation run (docs/validation/
    *.csv) and the settings and fingerprint embedded in the report: a change of wording or
    layout, without running the model again. Everything is read before anything is written."""
    import re
    given = out is not None
    out = Path(out) if out else ROOT / "docs"
    figdir = out / "validation"
    report = out / "VALIDATION.md"
    if not report.is_file():
        raise ScenarioError(
            f"--render-only: {report} does not exist; --render-only rewrites the report an "
            f"earlier `cogov validate{' --out ' + str(out) if given else ''}` wrote (with its "
            f"tables in {figdir}/)")
    read_data(report)  # a report without its data block cannot be rendered again
    missing = [figdir / f for f in ("targets.csv", "stationarity.csv", "levers.csv", "yearly.csv")
               if not (figdir / f).is_file()]
    if missing:
        raise ScenarioError(f"--render-only: {out} holds no finished validation run ({missing[0]} is "
                            f"missing); run `cogov validate --out {out}` first")
    data = read_data(report)
    text = report.read_text(encoding="utf-8")
    m = re.search(r"; (\d+) s on", text)
    seconds = data["config"].get("seconds", float(m.group(1)) if m else float("nan"))
    tables = {}
    for name in ("targets", "stationarity", "levers", "yearly"):
        f = figdir / f"{name}.csv"
        try:
            tables[name] = pd.read_csv(f)
        except FileNotFoundError:
            raise ScenarioError(f"--render-only: {f} is missing; run cogov validate (without "
                                "--render-only) to make the tables") from None
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
            raise ScenarioError(f"--render-only: {f} is damaged ({' '.join(str(exc).split())[:160]})") from None
    try:
        figures = draw_figures(tables["yearly"], figdir)
        new = render(data["config"], tables["targets"], tables["stationarity"], tables["levers"],
                     data["fingerprint"], figures, seconds, tables["yearly"], scan.section(figdir),
                     seeds_section(figdir))
    except (KeyError, TypeError, ValueError) as exc:
        raise ScenarioError(f"--render-only: the tables in {figdir}/ or the data block of {report} "
                            f"do not match this version of the report ({type(exc).__name__}: {exc}); "
                            "run cogov validate again") from None
    tmp = out / ".VALIDATION.md.tmp"
    tmp.write_text(new, encoding="utf-8")
    tmp.replace(report)
    return report


def read_data(path: Path) -> dict:
    """The JSON block embedded in a report."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        i = text.index(BEGIN_DATA) + len(BEGIN_DATA)
        data = json.loads(text[i:text.index(END_DATA, i)])
    except ValueError:  # no block, no end, or not JSON (json's error is a ValueError)
        raise ScenarioError(f"{path}: no readable data block ({BEGIN_DATA} ... {END_DATA}); "
                            "only a report written by cogov validate can be rendered again") from None
    if not isinstance(data, dict) or not isinstance(data.get("config"), dict) or "fingerprint" not in data:
        raise ScenarioError(f"{path}: the data block lacks 'config' or 'fingerprint'; run cogov "
                            "validate again")
    return data
