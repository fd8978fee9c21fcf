"""Does the model settle? Yearly outcomes over long runs, and their trend.

For a scenario, a size and a set of seeds, :func:`yearly_outcomes` runs the model for
``years`` after the spin-up and gives one row per seed and year: each outcome of
:data:`YEARLY` from the summary at the year's last day (levels: rolling-year shares and
states), the daily row of that day (duty items, open needs) or summed over the year (flows).
:func:`trend_table` then fits a straight line to the mean over seeds of years
``from_year``..``years`` and reports its slope as a share of the mean a year: the model has
settled when every such slope is within ``tolerance`` (issue 10, item 7: 2%).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..model import CoGovModel

# outcomes of the summary at the year's last day (levels: rolling-year shares and states;
# a 30-day share read on one day of a year with two meetings is noise, so none is used)
LEVELS = ("participation_year", "participation_year_meeting", "participation_year_volunteering",
          "participation_year_organization", "participation_year_evaluation",
          "participation_year_retired", "participation_year_migrant", "core_activist_share",
          "memberships_per_adult", "organizations", "trust_mean", "efficacy_mean",
          "satisfaction_mean", "time_used_share_mean")
# read from the daily row on the year's last day
DAILY_LEVELS = ("duty_items", "needs_open")
FLOWS = ("committee_self_governance_hours", "committee_duty_hours_dropped", "needs_fulfilled",
         "disputes_opened", "disputes_resolved", "org_activities", "volunteer_tasks",
         "acts_meeting", "acts_volunteering", "acts_organization")
YEARLY = LEVELS + DAILY_LEVELS + FLOWS
# recorded beside them, not trend-tested (NaN where a scenario has none): of the groups a
# grant founded at least a year before, the share still running (micro-venture survival)
EXTRA_LEVELS = ("grant_projects_alive_after_year_share",)


def yearly_outcomes(scenario, residents: int, years: int, seeds, overrides: dict | None = None) -> pd.DataFrame:
    """One row per seed and year after the spin-up (year 1 = days 0-364)."""
    rows = []
    for seed in seeds:
        kw = {"population.residents_per_community": residents, "run.days": 365 * years,
              **(overrides or {})}
        m = CoGovModel(scenario, rng=int(seed), **kw)
        at_year_end = []
        for _ in range(years):
            m.run(365)
            s = m.summary()
            at_year_end.append({k: float(s[k]) for k in LEVELS + EXTRA_LEVELS})
        ts = m.timeseries()
        for y in range(years):
            block = ts[(ts["day"] >= 365 * y) & (ts["day"] < 365 * (y + 1))]
            row = {"seed": int(seed), "year": y + 1, **at_year_end[y]}
            row.update({k: float(block[k].iloc[-1]) for k in DAILY_LEVELS})
            row.update({k: float(block[k].sum()) for k in FLOWS})
            rows.append(row)
    return pd.DataFrame(rows)


def trend_table(yearly: pd.DataFrame, from_year: int = 2, tolerance: float = 0.02) -> pd.DataFrame:
    """Per outcome: the mean over seeds and years ``from_year``.., the least-squares slope of
    the seed-mean per year, the slope as a share of the mean, and whether it is within
    ``tolerance``. An outcome whose mean is zero has a relative slope of 0 when its slope
    is 0. ``slope_ci_low``/``slope_ci_high`` (shares of the mean) are a 95% t-interval over
    the seeds' own slopes: an interval that holds zero means no trend the seeds can tell
    from noise (reported beside the criterion, not instead of it)."""
    from scipy import stats
    sub = yearly[yearly["year"] >= from_year]
    mean_by_year = sub.groupby("year")[list(YEARLY)].mean()
    x = mean_by_year.index.to_numpy(float)
    seeds = sorted(sub["seed"].unique())
    rows = []
    for k in YEARLY:
        y = mean_by_year[k].to_numpy(float)
        slope = float(np.polyfit(x, y, 1)[0]) if x.size > 1 else 0.0  # one year: no trend to see
        mean = float(y.mean())
        rel = slope / abs(mean) if mean else (0.0 if slope == 0 else float("inf"))
        lo = hi = float("nan")
        if x.size > 1 and len(seeds) > 1 and mean:
            per_seed = []
            for s in seeds:
                g = sub[sub["seed"] == s].sort_values("year")
                per_seed.append(np.polyfit(g["year"].to_numpy(float), g[k].to_numpy(float), 1)[0])
            per_seed = np.asarray(per_seed) / abs(mean)
            half = stats.t.ppf(0.975, len(seeds) - 1) * per_seed.std(ddof=1) / np.sqrt(len(seeds))
            lo, hi = float(per_seed.mean() - half), float(per_seed.mean() + half)
        rows.append({"outcome": k, "mean": mean, "slope_per_year": slope,
                     "slope_share_of_mean": rel, "slope_ci_low": lo, "slope_ci_high": hi,
                     "settled": abs(rel) <= tolerance})
    return pd.DataFrame(rows)
