"""What every run reports: the daily time series (Mesa DataCollector model reporters) and the
end-of-run summary.
"""

from __future__ import annotations

from functools import partial

import mesa
import numpy as np

from .processes import deliberation as _delib
from .processes import disputes as _disputes
from .catalog import check_declared
from .kernels import daily_means, time_used_share, top_tenth_share
from .processes.needs import H_COMMITTEE, H_DEPT, H_ORG
from .params import ORG_ORIGINS, ORG_TYPES
from .residents import ACT_TYPES, AGE_GROUPS

GROUPS = ("local", "migrant", "working", "retired", "party", "nonparty")
DAILY_COUNTERS = ("needs_reported", "orders_dispatched", "needs_fulfilled", "grid_visits",
                  "party_invitations", "volunteer_tasks", "org_activities", "meetings",
                  "proposals_passed", "proposals_carried_out", "issues_raised",
                  "disputes_opened", "disputes_resolved", "disputes_failed")
COMMITTEE_TASKS = ("duty", "mediation", "dispatch", "service", "deliberation", "org_support",
                   "volunteers")
STATE = ("trust", "efficacy", "satisfaction")

TIMESERIES_COLUMNS = (
    ["day", "participation_30d", "participation_year"]
    + [f"participation_30d_{t}" for t in ACT_TYPES]
    + [f"participation_30d_{g}" for g in GROUPS]
    + [f"acts_{t}" for t in ACT_TYPES]
    + [f"{s}_mean" for s in STATE]
    + [f"{s}_{g}" for s in STATE for g in GROUPS]
    + list(DAILY_COUNTERS)
    + [f"committee_hours_{t}" for t in COMMITTEE_TASKS]
    + ["committee_self_governance_hours", "duty_items", "needs_open", "disputes_backlog",
       "organizations", "org_members", "top10_share_of_acts", "spend_total",
       "memberships_per_adult", "time_used_share_mean", "committee_duty_hours_dropped"]
    + list(_disputes.TIMESERIES) + list(_delib.TIMESERIES)
)
check_declared(TIMESERIES_COLUMNS, "daily")  # at import: a misspelt column is an error


# the reporting groups are three yes/no splits of the residents: (group if 0, group if 1)
SPLITS = (("migrant", "local", "migrant"), ("retired", "working", "retired"),
          ("party", "nonparty", "party"))


# the daily row's keys, formatted once; the first block in the order of
# sim.kernels.daily_means (each split's first group, then its second)
_MEANS_KEYS = (("participation_30d", "participation_year")
               + tuple(f"participation_30d_{t}" for t in ACT_TYPES)
               + tuple(key for _, g0, g1 in SPLITS for g in (g0, g1)
                       for key in (f"participation_30d_{g}",) + tuple(f"{s}_{g}" for s in STATE))
               + tuple(f"{s}_mean" for s in STATE))
_ACTS_KEYS = tuple((t, f"acts_{t}") for t in ACT_TYPES)
# the keys of model.today (a catalog.DeclaredCounter: another key is an error)
COUNTER_KEYS = DAILY_COUNTERS + tuple(_disputes.TIMESERIES) + tuple(_delib.TIMESERIES)
_COUNTER_KEYS = COUNTER_KEYS
_ZEROS = (0,) * len(COUNTER_KEYS)
_HOURS_KEYS = tuple((t, f"committee_hours_{t}") for t in COMMITTEE_TASKS)


def daily(model) -> dict:
    """Today's outcome row."""
    pop, day = model.pop, model.clock
    row = {"day": model.reported_day}
    row.update(zip(_MEANS_KEYS, daily_means(
        pop.last_act, pop.last_any(), day, pop.trust, pop.efficacy, pop.satisfaction,
        pop.migrant, pop.retired, pop.party).tolist()))
    today_acts = model.today_acts
    for t, key in _ACTS_KEYS:
        row[key] = int(today_acts[t])
    # every key is declared: dict.get (a missing count is 0) skips the counter's check, a
    # Python call per key and day
    row.update(zip(_COUNTER_KEYS, map(int, map(model.today.get, _COUNTER_KEYS, _ZEROS))))
    committees = model.committees
    sg = 0.0
    for t, key in _HOURS_KEYS:
        h = 0.0
        for c in committees:
            h += c.hours_today[t]
        row[key] = h
        if t != "duty":
            sg += h
    row["committee_self_governance_hours"] = sg
    row["duty_items"] = sum(c.effective_duty_items() for c in committees)
    row["needs_open"] = model.needs.n_open
    row["disputes_backlog"] = len(model.disputes.open)
    row["organizations"] = len(model.orgs)
    row["org_members"] = sum(o.members.size for o in model.orgs)
    # the top 10%'s share is recomputed monthly (compiled: numpy's partition of every
    # resident's acts cost a quarter of the daily row; the same integer sums as top_share)
    if day % 30 == 0 or model.top10_share_of_acts is None:
        model.top10_share_of_acts = top_tenth_share(pop.acts_year_ring)
    row["top10_share_of_acts"] = model.top10_share_of_acts
    row["spend_total"] = float(sum(model.spend.values()))
    row["memberships_per_adult"] = row["org_members"] / pop.n
    # the standing hours as the day began (memberships change monthly), today's act hours
    # (one compiled pass instead of four numpy calls; numpy's summation order, the same bits)
    row["time_used_share_mean"] = time_used_share(model.commitment_hours, pop.act_hours,
                                                  pop.time_budget)
    row["committee_duty_hours_dropped"] = sum(c.duty_hours_dropped_today for c in committees)
    return row


class DailyCollector(mesa.DataCollector):
    """Mesa's DataCollector for the daily row, without the defensive deep copy of each value.

    Mesa deep-copies every model reporter's value each time it collects (about a tenth of
    the time of a 10,000-resident day). Every daily outcome is a plain int or float, which
    cannot be changed afterwards, so the copy buys nothing; everything else (model
    reporters, ``get_model_vars_dataframe``, Solara) is Mesa's own.
    """

    _plan = None  # per column: (values list, key of today's row or None, reporter)

    def collect(self, model):
        if self.agent_reporters or self.agenttype_reporters or not self._validated:
            super().collect(model)  # the first time: Mesa validates the reporters
            return
        if hasattr(self, "_collection_steps"):
            self._collection_steps.append(model.time)
        if self._plan is None:
            # our own reporters read today's row: read it directly (one call fewer per column)
            self._plan = [(self.model_vars[var],
                           r.args[0] if isinstance(r, partial) and r.func is read_today else None, r)
                          for var, r in self.model_reporters.items()]
        row = model.outcomes_today
        for values, key, reporter in self._plan:
            values.append(row[key] if key is not None else reporter(model))


def read_today(key: str, model) -> float | int:
    """Model reporter of one column of today's outcome row (``partial(read_today, key)``)."""
    return model.outcomes_today[key]


def top_share(acts: np.ndarray) -> float:
    """Share of all acts done by the top 10% of residents (0 with no acts)."""
    total = acts.sum()
    if total == 0:
        return 0.0
    k = max(1, acts.size // 10)
    top = np.partition(acts, acts.size - k)[acts.size - k:].sum()
    return float(top / total)


def concentration(acts: np.ndarray) -> tuple[float, float]:
    """(share of all acts done by the top 10% of residents, Gini of acts)."""
    if acts.sum() == 0:
        return 0.0, 0.0
    x = np.sort(acts).astype(float)
    n = x.size
    gini = float((2 * np.arange(1, n + 1) - n - 1) @ x / (n * x.sum()))
    return top_share(acts), gini


def summary(model) -> dict:
    """End-of-run summary of every outcome the brief lists."""
    pop, day = model.pop, model.clock - 1
    last = pop.last_act
    last_any = pop.last_any()
    masks = pop.groups()
    out: dict = {"days": model.reported_day, "residents": pop.n, "communities": pop.n_communities,
                 "seed": model.seed}
    act30, act_year = last_any > day - 30, last_any > day - 365
    out["participation_30d"] = float(act30.mean())
    out["participation_year"] = float(act_year.mean())
    for i, t in enumerate(ACT_TYPES):
        out[f"participation_year_{t}"] = float((last[i] > day - 365).mean())
        out[f"participation_30d_{t}"] = float((last[i] > day - 30).mean())
    for g, m in masks.items():
        out[f"participation_year_{g}"] = float(act_year[m].mean()) if m.any() else float("nan")
        out[f"participation_30d_{g}"] = float(act30[m].mean()) if m.any() else float("nan")
    for a, label in enumerate(AGE_GROUPS):
        m = pop.age_group == a
        out[f"participation_year_age_{label.replace('-', '_').replace('+', '_plus')}"] = \
            float(act_year[m].mean()) if m.any() else float("nan")
    acts = pop.acts_last_year()
    out["acts_year_total"] = int(acts.sum())
    out["acts_per_participant_year"] = float(acts.sum() / max(1, int((acts > 0).sum())))
    out["acts_per_resident_day"] = float(acts.sum() / pop.n / 365.0)
    # as the daily row: the standing hours as the last day began, and its act hours
    load = (model.commitment_hours + pop.act_hours) / pop.time_budget
    out["time_used_share_mean"] = float(np.minimum(load, 1.0).mean())
    out["top10_share_of_acts"], out["gini_of_acts"] = concentration(acts)
    activists = acts >= model.p.organizations.activist_acts
    out["core_activist_share"] = float(activists.mean())
    out["core_activists_retired_share"] = float(pop.retired[activists].mean()) if activists.any() else float("nan")
    for s in ("trust", "efficacy", "satisfaction"):
        v = getattr(pop, s)
        out[f"{s}_mean"] = float(v.mean())
        for g, m in masks.items():
            out[f"{s}_{g}"] = float(v[m].mean()) if m.any() else float("nan")

    # needs
    book = model.needs
    log = book.log()
    o = book.open
    raised = book.raised
    reported = int((log["reported"] >= 0).sum() + (o["reported"] >= 0).sum())
    served = log["outcome"] != 2  # needs aggregated into a public issue are counted there
    fulfilled = (log["outcome"] == 1)
    out["needs_raised"] = raised
    out["needs_reported_share"] = reported / raised if raised else float("nan")
    closed_individual = int(served.sum())
    out["needs_fulfilled_share"] = float(fulfilled.sum() / closed_individual) if closed_individual else float("nan")
    out["needs_to_public_issues"] = int((log["outcome"] == 2).sum())
    d = (log["closed"] - log["raised"])[fulfilled]
    out["needs_days_median"] = float(np.median(d)) if d.size else float("nan")
    wait = (log["closed"] - log["reported"])[fulfilled & (log["reported"] >= 0)]
    out["needs_wait_after_report_mean"] = float(wait.mean()) if wait.size else float("nan")
    for name, h in (("org", H_ORG), ("committee", H_COMMITTEE), ("department", H_DEPT)):
        out[f"needs_handled_by_{name}"] = int((log["handler"] == h).sum())
    out["needs_open_end"] = int(o["resident"].size)

    # deliberation and disputes
    out.update(model.deliberation.summary())
    out.update(model.disputes.summary(model.reported_day))

    # organizations
    out["organizations"] = len(model.orgs)
    for t in ORG_TYPES:
        out[f"organizations_{t}"] = sum(1 for x in model.orgs if x.org_type == t)
    for origin in ORG_ORIGINS:
        out[f"organizations_origin_{origin}"] = sum(1 for x in model.orgs if x.origin == origin)
        out[f"foundings_{origin}"] = int(model.foundings[origin])
    out["organizations_resident_founded"] = sum(1 for x in model.orgs if x.origin in ("resident", "grant", "incubated"))
    out["org_members"] = int(sum(x.members.size for x in model.orgs))
    out["residents_in_an_organization_share"] = float((pop.memberships > 0).mean())
    out["memberships_per_adult"] = out["org_members"] / pop.n
    # groups a grant founded at least a year ago (in the report) that still run
    old_grants = [o for o in model.grant_groups if o.founded_day <= model.clock - 365]
    out["grant_projects_alive_after_year_share"] = (
        sum(o.alive for o in old_grants) / len(old_grants) if old_grants else float("nan"))
    out["org_services_delivered"] = int(sum(x.services_delivered for x in model.orgs))
    # activities in the report, of groups alive now and of those dissolved since day 0
    out["org_activities"] = int(sum(x.activities for x in model.orgs) + model.activities_of_dissolved)
    out["dissolutions"] = model.dissolutions
    out["grants_awarded"] = model.grants_awarded

    # committee
    tot = {t: float(sum(c.hours_total[t] for c in model.committees)) for t in COMMITTEE_TASKS}
    all_h = sum(tot.values())
    for t, h in tot.items():
        out[f"committee_hours_{t}"] = h
    out["committee_self_governance_hours"] = all_h - tot["duty"]
    out["committee_duty_share"] = tot["duty"] / all_h if all_h else float("nan")
    out["committee_duty_hours_dropped"] = sum(c.duty_hours_dropped_total for c in model.committees)
    out["duty_items_end"] = sum(c.effective_duty_items() for c in model.committees)

    # party and grid
    out["party_invitations"] = model.party_invitations_total
    out["org_invitations"] = model.org_invitations_total
    out["grid_visits"] = model.grid_visits_total

    # the property company (satisfaction-linked payment)
    pcs = model.property_companies
    out["property_tests_failed"] = sum(c.tests_failed for c in pcs)
    out["property_tests_passed"] = sum(c.tests_passed for c in pcs)
    out["property_effort_mean"] = float(np.mean([c.effort for c in pcs]))
    out["property_payment_withheld_yuan"] = float(sum(c.withheld_yuan for c in pcs))

    # money
    for k, v in model.spend.items():
        out[f"spend_{k}"] = float(v)
    out["spend_total"] = float(sum(model.spend.values()))
    check_declared(out, "summary")
    return out
