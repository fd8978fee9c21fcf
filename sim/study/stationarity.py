"""Does the model settle? Yearly outcomes over long runs, and their trend.

For a scenario, a size and a set of seeds, :func:`yearly_outcomes` runs the model for
``years`` after the spin-up and gives one row per seed and year: each outcome of
:data:`YEARLY` at the year's last day (levels) or summed over the year (flows).
:func:`trend_table` then fits a straight line to the mean over seeds of years
``from_year``..``years`` and reports its slope as a share of the mean a year: the model has
settled when every such slope is within ``tolerance`` (issue 10, item 7: 2%).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..model import CoGovModel

# outcomes read at the year's last day (levels) and summed over the year (flows)
LEVELS = ("participation_year", "participation_30d", "participation_30d_meeting",
          "participation_30d_volunteering", "participation_30d_organization",
          "participation_30d_retired", "participation_30d_migrant", "memberships_per_adult",
          "organizations", "trust_mean", "efficacy_mean", "satisfaction_mean", "duty_items",
          "needs_open", "time_used_share_mean")
FLOWS = ("committee_self_governance_hours", "committee_duty_hours_dropped", "needs_fulfilled",
         "disputes_opened", "disputes_resolved", "org_activities", "volunteer_tasks",
         "acts_meeting", "acts_volunteering", "acts_organization")
YEARLY = LEVELS + FLOWS


def yearly_outcomes(scenario, residents: int, years: int, seeds, overrides: dict | None = None) -> pd.DataFrame:
    """One row per seed and year after the spin-up (year 1 = days 0-364)."""
    rows = []
    for seed in seeds:
        kw = {"population.residents_per_community": residents, "run.days": 365 * years,
              **(overrides or {})}
        m = CoGovModel(scenario, rng=int(seed), **kw)
        m.run()
        ts = m.timeseries()
        for y in range(years):
            block = ts[(ts["day"] >= 365 * y) & (ts["day"] < 365 * (y + 1))]
            row = {"seed": int(seed), "year": y + 1}
            row.update({k: float(block[k].iloc[-1]) for k in LEVELS})
            row.update({k: float(block[k].sum()) for k in FLOWS})
            rows.append(row)
    return pd.DataFrame(rows)


def trend_table(yearly: pd.DataFrame, from_year: int = 2, tolerance: float = 0.02) -> pd.DataFrame:
    """Per outcome: the mean over seeds and years ``from_year``.., the least-squares slope of
    the seed-mean per year, the slope as a share of the mean, and whether it is within
    ``tolerance``. An outcome whose mean is zero has a relative slope of 0 when its slope
    is 0."""
    sub = yearly[yearly["year"] >= from_year]
    mean_by_year = sub.groupby("year")[list(YEARLY)].mean()
    x = mean_by_year.index.to_numpy(float)
    rows = []
    for k in YEARLY:
        y = mean_by_year[k].to_numpy(float)
        slope = float(np.polyfit(x, y, 1)[0]) if x.size > 1 else 0.0  # one year: no trend to see
        mean = float(y.mean())
        rel = slope / abs(mean) if mean else (0.0 if slope == 0 else float("inf"))
        rows.append({"outcome": k, "mean": mean, "slope_per_year": slope,
                     "slope_share_of_mean": rel, "settled": abs(rel) <= tolerance})
    return pd.DataFrame(rows)
