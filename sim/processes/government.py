"""Government units: the street office and functional departments.

They push duties down (inspections), fund the community, run grant contests, buy services,
and answer escalated needs and disputes with a capacity and a delay.
"""

from __future__ import annotations

import mesa
import numpy as np

from ..catalog import COMMITTEE_TASKS
from .base import Process

# the daily row's committee hours, by task (sim.outcomes.TIMESERIES_COLUMNS)
HOURS_KEYS = tuple((t, f"committee_hours_{t}") for t in COMMITTEE_TASKS)


class StreetOffice(mesa.Agent):
    """The street office (街道) shared by the run's communities: it sends inspections down
    (escalated disputes reach the street channel of :mod:`sim.processes.disputes`)."""

    def inspections_today(self, rng: np.random.Generator, n_communities: int) -> np.ndarray:
        """Inspections and evaluations arriving at each committee today."""
        rate = self.model.p.committee.inspections_per_month / 30.0
        return rng.poisson(rate, n_communities)


class FunctionalDepartment(mesa.Agent):
    """The functional departments (职能部门) as one agent: they serve the needs the committee
    refers to them, with one capacity shared by all communities of the run
    (``needs.department_capacity_per_day`` x communities a day) and one queue, oldest first
    (ODD 7.6 step 4). One agent, because the parameters give no department its own capacity
    or need types; the day's work is done in :func:`sim.kernels.needs_day`.

    ``credit`` is the capacity not yet used as whole needs: fractions carry over, so that
    0.5 a day takes a need every two days (it grows only on days with needs waiting).
    Escalated disputes go to the street channel (:mod:`sim.processes.disputes`) and passed collective
    proposals to the departments' execution slots (:mod:`sim.processes.deliberation`)."""

    def __init__(self, model):
        super().__init__(model)
        self.credit = 0.0


class GovernmentDuties(Process):
    """Step 1: the street office draws today's inspections per community
    (:meth:`StreetOffice.inspections_today`); each committee receives new rebound duty items
    (:meth:`ResidentsCommittee.rebound`) and serves its pushed-down duties first
    (:meth:`ResidentsCommittee.start_day`); what is left is its free hours for the day
    (ODD 7.4). At the day's end each committee adds today's hours to its totals
    (:meth:`ResidentsCommittee.end_day`)."""

    name = "government_duties"
    sections = ("committee", "purchased_services")

    def step(self) -> None:
        m = self.model
        inspections = m.street.inspections_today(m.streams.committee, m.pop.n_communities)
        for c, committee in enumerate(m.committees):
            committee.rebound(m.streams.committee)
            committee.start_day(int(inspections[c]))

    def end_day(self) -> None:
        for committee in self.model.committees:
            committee.end_day()

    def daily_outcomes(self) -> dict:
        """The committees' hours today by task, those on self-governance, the duty items they
        carry and the duty hours they left undone."""
        committees = self.model.committees
        row, self_governance = {}, 0.0
        for task, key in HOURS_KEYS:
            hours = 0.0
            for c in committees:
                hours += c.hours_today[task]
            row[key] = hours
            if task != "duty":
                self_governance += hours
        row["committee_self_governance_hours"] = self_governance
        row["duty_items"] = sum(c.effective_duty_items() for c in committees)
        row["committee_duty_hours_dropped"] = sum(c.duty_hours_dropped_today for c in committees)
        return row

    def start_reporting(self) -> None:
        for committee in self.model.committees:
            committee.start_reporting()

    def policy_started(self, old, new) -> None:
        for c in self.model.committees:
            c.staff = c.staff_for(new.committee)
            # the lever cuts (or adds) items against what the baseline carries by now
            c.duty_items = max(0.0, c.duty_items + new.committee.pushed_down_duty_items
                               - old.committee.pushed_down_duty_items)

    def daily_costs(self) -> dict[str, float]:
        m = self.model
        p, yr = m.p, 1.0 / 365.0
        costs = {"staffing": sum(c.staff for c in m.committees) * p.committee.staff_cost_yuan_per_year * yr}
        if p.committee.electronic_ledgers:
            costs["electronic_ledgers"] = m.pop.n_communities * p.committee.electronic_ledger_cost_yuan * yr
        if p.committee.duty_list_cap:
            # items admitted under the list come with a year's funding each (费随事转) and are
            # funded for funded_item_years: the funded items settle at rebound x years (Little's
            # law), booked at that level from the start. Counting every admitted item's funding
            # for as long as it stayed (lapsing at 6% a year) let the line grow from 124,000 to
            # 1.67 million yuan a year over ten years, towards 4 million (issue 21)
            c = p.committee
            # an item's funding pays for its hours, which follow the community's households
            work = sum(k.duty_work_factor() for k in m.committees)
            costs["duty_list_funding"] = (work * c.duty_rebound_per_year * c.funded_item_years
                                          * c.funded_item_cost_yuan * yr)
        return costs
