"""What every run reports: the daily time series (Mesa DataCollector model reporters) and the
end-of-run summary.
"""

from __future__ import annotations

from functools import partial

import mesa

from .processes import deliberation as _delib
from .processes import disputes as _disputes
from .catalog import COMMITTEE_TASKS, check_declared
from .kernels import daily_means, time_used_share, top_tenth_share
from .residents import ACT_TYPES, GROUPS

DAILY_COUNTERS = ("needs_reported", "orders_dispatched", "needs_fulfilled", "grid_visits",
                  "party_invitations", "volunteer_tasks", "org_activities", "meetings",
                  "proposals_passed", "proposals_carried_out", "issues_raised",
                  "disputes_opened", "disputes_resolved", "disputes_failed")
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
# the processes whose own state gives daily outcomes, in the row's order after the residents'
DAILY_ORDER = ("government_duties", "needs", "disputes", "org_life_cycle", "costs")


def _add_counted(model, row: dict) -> dict:
    """``row`` with today's acts by type, the day's counters and the processes' own daily
    outcomes (in :data:`DAILY_ORDER`): the part of the daily row that needs no pass over
    every resident (:func:`daily` and :func:`tally`)."""
    today_acts = model.today_acts
    for t, key in _ACTS_KEYS:
        row[key] = int(today_acts[t])
    # every key is declared: dict.get (a missing count is 0) skips the counter's check, a
    # Python call per key and day
    row.update(zip(_COUNTER_KEYS, map(int, map(model.today.get, _COUNTER_KEYS, _ZEROS))))
    for name in DAILY_ORDER:
        row.update(model.process(name).daily_outcomes())
    return row


def daily(model) -> dict:
    """Today's outcome row: the residents' (participation, acts, attitudes, today's counters),
    then each process's own (:meth:`sim.processes.base.Process.daily_outcomes`, in
    :data:`DAILY_ORDER`), then the shares computed from both."""
    pop, day = model.pop, model.clock
    row = {"day": model.reported_day}
    row.update(zip(_MEANS_KEYS, daily_means(
        pop.last_act, pop.last_any(), day, pop.trust, pop.efficacy, pop.satisfaction,
        pop.migrant, pop.retired, pop.party).tolist()))
    _add_counted(model, row)
    # the top 10%'s share is recomputed monthly (compiled: numpy's partition of every
    # resident's acts cost a quarter of the daily row; the same integer sums as top_share)
    if model.calendar.day_of_month(day) == 0 or model.top10_share_of_acts is None:
        model.top10_share_of_acts = top_tenth_share(pop.acts_year_ring)
    row["top10_share_of_acts"] = model.top10_share_of_acts
    row["memberships_per_adult"] = row["org_members"] / pop.n
    # the standing hours as the day began (memberships change monthly), today's act hours
    # (one compiled pass instead of four numpy calls; numpy's summation order, the same bits)
    row["time_used_share_mean"] = time_used_share(model.commitment_hours, pop.act_hours,
                                                  pop.time_budget)
    return row


def tally(model, keys) -> dict:
    """Today's values of ``keys`` among the daily row's columns that need no pass over every
    resident: today's acts by type (``acts_*``), the day's counters and the processes' own
    daily outcomes, equal to what :func:`daily` puts in the row. For runs that keep only such
    columns (the yearly runs of ``cogov validate``): without the residents' means the day's
    bookkeeping costs a fraction of the whole row's."""
    row = _add_counted(model, {})
    missing = [k for k in keys if k not in row]
    if missing:
        raise KeyError(f"tally: {', '.join(missing)} need the whole daily row; tally gives "
                       f"{', '.join(row)}")
    return {k: row[k] for k in keys}


class DailyCollector(mesa.DataCollector):
    """Mesa's DataCollector for the daily row, without the defensive deep copy of each value.

    Mesa deep-copies every model reporter's value each time it collects (about a tenth of
    the time of a 10,000-resident day). Every daily outcome is a plain int or float, which
    cannot be changed afterwards, so the copy buys nothing; everything else (model
    reporters, ``get_model_vars_dataframe``, Solara) is Mesa's own.
    """

    _plan = None  # per column: (values list, key of today's row or None, reporter)

    def __getstate__(self) -> dict:
        """For a snapshot (sim.snapshot): the collected values, not the reporters (functions,
        which a snapshot does not hold: they are the declared columns' readers again)."""
        state = {k: v for k, v in vars(self).items() if k not in ("model_reporters", "_plan")}
        state["columns"] = list(self.model_reporters)
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        columns = state.pop("columns")
        if list(columns) != list(TIMESERIES_COLUMNS):
            raise ValueError("the snapshot's daily columns are not this version's")
        self.__dict__.update(state)
        self.model_reporters = {k: partial(read_today, k) for k in TIMESERIES_COLUMNS}

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


# the order of the summary's blocks: the processes whose results they are (each computes its
# own, ``Process.results``); summary.json lists the outcomes in this order
SUMMARY_ORDER = ("day_start", "needs", "deliberation", "disputes", "org_life_cycle",
                 "committee_support", "party_service", "org_activities", "grid_visits",
                 "transparency", "costs")


def summary(model) -> dict:
    """End-of-run summary of every outcome the brief lists: the run's identity, then every
    process's own results (:meth:`sim.processes.base.Process.results`) merged."""
    out: dict = {"days": model.reported_day, "residents": model.pop.n,
                 "communities": model.pop.n_communities, "seed": model.seed}
    names = set(SUMMARY_ORDER)
    order = [model.process(n) for n in SUMMARY_ORDER] + [
        p for p in model.processes if p.name not in names]
    for proc in order:
        part = proc.results()
        clash = out.keys() & part.keys()
        if clash:
            raise RuntimeError(f"process {proc.name!r} reports outcomes another already did: "
                               f"{sorted(clash)}")
        out.update(part)
    check_declared(out, "summary")
    return out
