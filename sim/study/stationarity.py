"""Does the model settle? Yearly outcomes over long runs, and their trend.

For a scenario, a size and a set of seeds, :func:`yearly_outcomes` runs the model for
``years`` after the spin-up and gives one row per seed and year: each outcome of
:data:`YEARLY` from the summary at the year's last day (levels: rolling-year shares and
states), the daily row of that day (duty items, open needs), summed over the year (flows),
or the year's part of a total since day 0 (the spend).
:func:`trend_table` then fits a straight line to the mean over seeds of years
``from_year``..``years`` and reports its slope as a share of the mean a year: the model has
settled when every such slope is within ``tolerance`` (issue 10, item 7: 2%).

A lever file's runs share their seeds' chance with the baseline's (common random numbers):
its slope is estimated with the baseline, known on many more seeds, as a control variate
(``trend_table(..., baseline=...)``), so that a chance excursion of the seeds both share is
not read as the lever's trend. A drift called on one set of seeds is confirmed on fresh ones
(:func:`confirm_drifts`): the report makes hundreds of 95% calls.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..model import CoGovModel
from ..outcomes import tally

# outcomes of the summary at the year's last day (levels: rolling-year shares and states;
# a 30-day share read on one day of a year with two meetings is noise, so none is used)
LEVELS = ("participation_year", "participation_year_activities", "participation_year_meeting", "participation_year_volunteering",
          "participation_year_organization", "participation_year_evaluation",
          "participation_year_retired", "participation_year_migrant", "core_activist_share",
          "memberships_per_adult", "organizations", "trust_mean", "efficacy_mean",
          "satisfaction_mean", "time_used_share_mean")
# read from the daily row on the year's last day
DAILY_LEVELS = ("duty_items", "needs_open")
FLOWS = ("committee_self_governance_hours", "committee_duty_hours_dropped", "needs_fulfilled",
         "disputes_opened", "disputes_resolved", "org_activities", "volunteer_tasks",
         "acts_meeting", "acts_volunteering", "acts_organization")
# totals since day 0 in the summary: the year's amount is the difference of two year ends
CUMULATIVE = ("spend_total",)
YEARLY = LEVELS + DAILY_LEVELS + FLOWS + CUMULATIVE
TALLIED = DAILY_LEVELS + FLOWS  # the daily columns, tallied day by day (outcomes.tally)
# recorded beside them, not trend-tested (NaN where a scenario has none): of the groups a
# grant founded at least a year before, the share still running (micro-venture survival)
EXTRA_LEVELS = ("grant_projects_alive_after_year_share",)
# and the year's part of the office budget (a fixed sum per community, ODD 7.15): the size scan
# judges the spend that scales with the community, spend_total less this line
EXTRA_CUMULATIVE = ("spend_office_support",)


def yearly_outcomes(scenario, residents: int, years: int, seeds, overrides: dict | None = None) -> pd.DataFrame:
    """One row per seed and year after the spin-up (year 1 = days 0-364)."""
    return yearly_runs(scenario, residents, years, seeds, overrides)[0]


def yearly_runs(scenario, residents: int, years: int, seeds, overrides: dict | None = None,
                summaries_at=()) -> tuple[pd.DataFrame, list[dict]]:
    """:func:`yearly_outcomes`, and the whole summary at the end of each year in
    ``summaries_at`` (``{"seed", "year", **summary}``): the same runs serve the validation
    report's targets and lever pairs, which read the summary after 1, 3, 5 or 10 years."""
    rows, summaries = [], []
    for seed in seeds:
        kw = {"population.residents_per_community": residents, "run.days": 365 * years,
              **(overrides or {})}
        # no daily rows: the few daily columns these runs keep are tallied day by day
        # (outcomes.tally, the same values), which costs a fraction of the whole row
        m = CoGovModel(scenario, rng=int(seed), collect=False, **kw)
        cumulative = CUMULATIVE + EXTRA_CUMULATIVE
        totals = dict.fromkeys(cumulative, 0.0)
        for year in range(1, years + 1):
            days = {k: [] for k in FLOWS}
            for _ in range(365):
                m.step()
                today = tally(m, TALLIED)
                for k in FLOWS:
                    days[k].append(today[k])
            s = m.summary()
            row = {"seed": int(seed), "year": year, **{k: float(s[k]) for k in LEVELS + EXTRA_LEVELS}}
            row.update({k: float(s[k]) - totals[k] for k in cumulative})
            totals = {k: float(s[k]) for k in cumulative}
            if year in summaries_at:
                summaries.append({"seed": int(seed), "year": year, **s})
            row.update({k: float(today[k]) for k in DAILY_LEVELS})  # the year's last day
            # summed as a column of the daily table is (pandas: the same dtype, the same sum)
            row.update({k: float(pd.Series(v).sum()) for k, v in days.items()})
            rows.append(row)
    return pd.DataFrame(rows), summaries


def trend_table(yearly: pd.DataFrame, from_year: int = 2, tolerance: float = 0.02,
                baseline: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per outcome: the mean over seeds and years ``from_year``.., the least-squares slope of
    the seed-mean per year, the slope as a share of the mean, and whether it is within
    ``tolerance`` (``settled``: the issue's criterion). An outcome whose mean is zero has a
    relative slope of 0 when its slope is 0.

    Beside it, from the seeds' own slopes (shares of the mean): ``slope_ci_low``/``high``, a
    95% t-interval of their mean; ``status``: ``settled``, ``drifting`` (outside the tolerance
    and the interval excludes zero: a trend the seeds agree on) or ``undetermined`` (outside
    the tolerance, but the interval holds zero: a flow of a few lumpy events a year whose
    slope these seeds cannot pin down; ``seeds_needed`` is about how many would narrow the
    interval to the tolerance); ``single_run_slope_sd`` and ``single_run_slope_max`` (the
    spread and the largest absolute value of one run's own slope) and ``single_run_cv`` (the
    mean over seeds of one run's year-to-year coefficient of variation): how far a single
    run, not the mean of many, moves.

    ``baseline``: the baseline's yearly rows at the same size, on the table's seeds and more
    (a lever file's runs share their seeds' chance with the baseline's: the same community, the
    same dispute arrivals until the lever changes them). The slope is then estimated with the
    baseline as a control variate (:func:`_controlled_slopes`): the lever's slope on its seeds,
    less the baseline's slope on the same seeds, plus the baseline's slope on all of its seeds.
    A chance excursion the lever's seeds share with the baseline's (a few seeds' collective
    disputes arriving late) cancels; ``baseline_seeds`` says over how many seeds the baseline
    part is known (0: no baseline used)."""
    from scipy import stats
    sub = yearly[yearly["year"] >= from_year]
    mean_by_year = sub.groupby("year")[list(YEARLY)].mean()
    x = mean_by_year.index.to_numpy(float)
    seeds = sorted(sub["seed"].unique())
    by_seed = {s: sub[sub["seed"] == s].sort_values("year") for s in seeds}
    base = None
    if baseline is not None:
        b = baseline[baseline["year"] >= from_year]
        # a control needs every one of the table's seeds and the same years
        if set(seeds) <= set(b["seed"].unique()) and sorted(b["year"].unique()) == list(x.astype(int)):
            base = b
    rows = []
    for k in YEARLY:
        y = mean_by_year[k].to_numpy(float)
        slope = float(np.polyfit(x, y, 1)[0]) if x.size > 1 else 0.0  # one year: no trend to see
        mean = float(y.mean())
        lo = hi = sd = big = cv = float("nan")
        needed = 0
        if x.size > 1 and len(seeds) > 1 and mean:
            per_seed, cvs = [], []
            for s in seeds:
                g = by_seed[s]
                v = g[k].to_numpy(float)
                per_seed.append(np.polyfit(g["year"].to_numpy(float), v, 1)[0])
                cvs.append(v.std() / abs(v.mean()) if v.mean() else 0.0)
            per_seed = np.asarray(per_seed)
            if base is not None:
                slope, se = _controlled_slopes(per_seed, seeds, _seed_slopes(base, k))
            else:
                se = per_seed.std(ddof=1) / np.sqrt(len(seeds))
            half = stats.t.ppf(0.975, len(seeds) - 1) * se / abs(mean)
            lo, hi = float(slope / abs(mean) - half), float(slope / abs(mean) + half)
            per_seed = per_seed / abs(mean)
            sd, big, cv = float(per_seed.std(ddof=1)), float(np.abs(per_seed).max()), float(np.mean(cvs))
            needed = int(math.ceil(len(seeds) * (half / tolerance) ** 2))
        rel = slope / abs(mean) if mean else (0.0 if slope == 0 else float("inf"))
        settled = abs(rel) <= tolerance
        status = "settled" if settled else (
            "undetermined" if np.isfinite(lo) and lo <= 0.0 <= hi else "drifting")
        rows.append({"outcome": k, "mean": mean, "slope_per_year": slope,
                     "slope_share_of_mean": rel, "slope_ci_low": lo, "slope_ci_high": hi,
                     "settled": settled, "status": status,
                     "seeds_needed": needed if status == "undetermined" else 0,
                     "single_run_slope_sd": sd, "single_run_slope_max": big, "single_run_cv": cv,
                     "from_year": int(from_year),
                     "baseline_seeds": int(base["seed"].nunique()) if base is not None else 0})
    return pd.DataFrame(rows)


def _seed_slopes(yearly: pd.DataFrame, outcome: str) -> pd.Series:
    """Each seed's least-squares slope of ``outcome`` over its years."""
    return pd.Series({s: np.polyfit(g["year"].to_numpy(float), g[outcome].to_numpy(float), 1)[0]
                      for s, g in yearly.groupby("seed")})


def _controlled_slopes(lever: np.ndarray, seeds, baseline: pd.Series) -> tuple[float, float]:
    """The mean slope of a lever file's runs (``lever``, one per seed of ``seeds``) with the
    baseline as a control variate, and its standard error.

    With n paired seeds P and the baseline known on N >= n seeds (P and the rest X):
    estimate = mean_P(L - B) + mean_{P+X}(B) = mean_P(L - (1 - n/N) B) + sum_X(B) / N, whose
    variance, the seeds being independent, is var(L - (1 - n/N) B) / n + (N - n) var(B) / N^2.
    With N = n it is the plain mean of the lever's slopes."""
    n, big_n = len(seeds), len(baseline)
    w = 1.0 - n / big_n
    paired = lever - w * baseline.loc[list(seeds)].to_numpy(float)
    rest = baseline.drop(index=list(seeds)).to_numpy(float)
    estimate = paired.mean() + rest.sum() / big_n
    var = paired.var(ddof=1) / n
    if rest.size:
        # with one extra seed its own spread is unknown: the spread over all baseline seeds
        spread = rest.var(ddof=1) if rest.size > 1 else baseline.to_numpy(float).var(ddof=1)
        var += rest.size * spread / big_n ** 2
    return float(estimate), float(np.sqrt(var))


def settled_from_year(yearly: pd.DataFrame, first: int = 3, last: int | None = None,
                      tolerance: float = 0.02) -> int:
    """The first year from which no outcome drifts (:func:`trend_table`), trying ``first``
    up to ``last`` (default: leaving at least five years to fit); ``last`` when none does.
    A reform that changes who founds and keeps groups takes about a group's early life to
    settle; the report says from which year each lever file is judged."""
    return confirmed_from_year(yearly, None, first, last, tolerance)


def drifting_in_both(screen: pd.DataFrame, fresh: pd.DataFrame) -> set[str]:
    """Outcomes called drifting in both trend tables, with slopes of the same sign."""
    a = screen.set_index("outcome")
    b = fresh.set_index("outcome")
    both = a.index[(a["status"] == "drifting") & (b.loc[a.index, "status"] == "drifting")
                   & (np.sign(a["slope_share_of_mean"]) == np.sign(b.loc[a.index, "slope_share_of_mean"]))]
    return set(both)


def confirm_drifts(screen: pd.DataFrame, fresh: pd.DataFrame, fresh_seeds: int) -> pd.DataFrame:
    """The screen's trend table with each drifting call checked on fresh seeds (the same
    ``from_year``): it stays ``drifting`` when the fresh seeds also call it drifting, in the
    same direction, and becomes ``not confirmed`` otherwise (a chance excursion of the first
    seeds). The fresh slope and interval are kept beside it (``confirm_*``)."""
    out = screen.copy()
    f = fresh.set_index("outcome")
    out["confirm_seeds"] = 0
    for col in ("confirm_slope", "confirm_ci_low", "confirm_ci_high"):
        out[col] = float("nan")
    both = drifting_in_both(screen, fresh)
    for i, r in out.iterrows():
        if r["status"] != "drifting":
            continue
        fr = f.loc[r["outcome"]]
        out.loc[i, ["confirm_slope", "confirm_ci_low", "confirm_ci_high"]] = (
            fr["slope_share_of_mean"], fr["slope_ci_low"], fr["slope_ci_high"])
        out.loc[i, "confirm_seeds"] = int(fresh_seeds)
        if r["outcome"] not in both:
            out.loc[i, "status"] = "not confirmed"
    return out


def confirmed_from_year(screen: pd.DataFrame, fresh: pd.DataFrame | None, first: int = 3,
                        last: int | None = None, tolerance: float = 0.02,
                        baseline: pd.DataFrame | None = None) -> int:
    """Like :func:`settled_from_year`, counting only drifts the fresh seeds confirm (all of
    the screen's when there are no fresh seeds); ``baseline``: the control of
    :func:`trend_table`, for both sets."""
    n_years = int(screen["year"].max())
    first = min(first, n_years)
    last = max(first, n_years - 4) if last is None else min(last, n_years)
    for y in range(first, last + 1):
        t = trend_table(screen, y, tolerance, baseline)
        drifts = (t["status"] == "drifting").any() if fresh is None else \
            drifting_in_both(t, trend_table(fresh, y, tolerance, baseline))
        if not drifts:
            return y
    return last


def pool_undetermined(table: pd.DataFrame, pooled: pd.DataFrame) -> pd.DataFrame:
    """The trend table with each ``undetermined`` outcome judged again on ``pooled`` (the
    same runs and more seeds; the same ``from_year``): its slope, interval and status become
    the pooled ones, and ``pooled_seeds`` says over how many seeds. A lumpy flow that ten
    seeds cannot pin down is settled, or not, by the seeds its interval needs."""
    out = table.copy()
    if "pooled_seeds" not in out:
        out["pooled_seeds"] = 0
    fy = int(out["from_year"].iloc[0])
    p = trend_table(pooled, from_year=fy).set_index("outcome")
    n = int(pooled["seed"].nunique())
    cols = ["mean", "slope_per_year", "slope_share_of_mean", "slope_ci_low", "slope_ci_high",
            "settled", "status", "seeds_needed"]
    for i, r in out.iterrows():
        if r["status"] == "undetermined":
            for c in cols:
                out.loc[i, c] = p.loc[r["outcome"], c]
            out.loc[i, "pooled_seeds"] = n
    return out
