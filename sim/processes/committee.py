"""The residents' committee: staff x hours is its whole capacity.

Pushed-down duties are served first, up to a ceiling: a committee under load triages
(``served = D / (1 + (D / ceiling)^k)^(1/k)``, ceiling = ``max_duty_share`` x capacity), so
some self-governance always survives and the duty hours left undone are an outcome. What is
left goes to self-governance work. Organizing volunteer tasks and supporting the groups are
planned work: once the duties are served, the committee sets aside up to
``volunteer_task_share`` of its free hours for the volunteer work waiting, then up to
``org_support_free_share`` for its groups. The rest is handed out in the order the day's
processes ask for it (CoGovModel.step): people's mediation, then a scheduled deliberation
meeting, then dispatching orders and serving needs (hours short of a whole order or service
go into the next one while needs wait, carried as a credit: ``need_credit``). This
trade-off is the heart of the duty-reduction lever ("行政有效、治理低效").
"""

from __future__ import annotations

import mesa
import numpy as np

from .. import scale
from ..catalog import COMMITTEE_TASKS
from ..kernels import sorted_unique
from .base import Process
from .participation import decide

SELF_GOVERNANCE_TASKS = ("mediation", "dispatch", "service", "deliberation", "org_support",
                         "volunteers")


class ResidentsCommittee(mesa.Agent):
    """One community's residents' committee (居委会)."""

    def __init__(self, model, community: int, n_residents: int):
        super().__init__(model)
        self.community = community
        p = model.p.committee
        self.n_residents = n_residents
        self.staff = self.staff_for(p)
        self.duty_items = float(p.pushed_down_duty_items)
        self.free_hours = 0.0
        self.duty_hours_dropped_today = 0.0
        self.duty_hours_dropped_total = 0.0
        self.hours_today = dict.fromkeys(("duty",) + SELF_GOVERNANCE_TASKS, 0.0)
        self.hours_total = dict.fromkeys(("duty",) + SELF_GOVERNANCE_TASKS, 0.0)
        self.org_support_wanted = 0.0  # hours today's groups want (plan_org_support)
        # hours put into the next order [0] and the next need service [1] not yet complete,
        # carried between days while needs wait (sim.processes.needs.credited_units)
        self.need_credit = [0.0, 0.0]
        self.volunteer_work = 0.0  # volunteer tasks there is work for, not yet organized
        self.organizing_hours = 0.0  # staff hours already put into organizing them

    def __repr__(self) -> str:
        return (f"<ResidentsCommittee of community {self.community}: {self.staff:.1f} staff, "
                f"{self.duty_items:.0f} duty items, {self.free_hours:.1f} free hours today>")

    def staff_for(self, p) -> float:
        """Staff of a committee: ``staff_per_10k`` (``p``, the street's staffing lever) per
        10,000 residents of the reference community, staffed for its work as a duty item's
        hours follow the community (:meth:`duty_work_factor`, ODD 7.15): a core for the
        committee's own paperwork, the rest by households. Never below the minimum of the
        community's own type (``model.community_params``; none by default)."""
        own = self.model.community_params[self.community].committee
        h = p.duty_household_share
        work = (1.0 - h) + h * float(self.model.household_factor[self.community])
        return max(own.staff_minimum, p.staff_per_10k * scale.REFERENCE_ADULTS / 10_000 * work)

    # ------------------------------------------------------------------ the daily budget
    def effective_duty_items(self) -> float:
        """Items left on the committee after purchased services took some off."""
        ps = self.model.p.purchased_services
        return max(0.0, self.duty_items - ps.items * ps.duty_items_per_service_item)

    def duty_work_factor(self) -> float:
        """An item's hours here against the reference community's: its paperwork share is
        the same in every committee, its household share follows the households (ODD 7.15)."""
        h = self.model.p.committee.duty_household_share
        return (1.0 - h) + h * float(self.model.household_factor[self.community])

    def duty_hours(self, inspections_today: int) -> float:
        p = self.model.p.committee
        item_hours = self.effective_duty_items() * p.hours_per_duty_item * self.duty_work_factor()
        if p.electronic_ledgers:
            item_hours *= 1.0 - p.ledger_paperwork_cut * p.ledger_share
        return item_hours + p.plaques * p.hours_per_plaque + inspections_today * p.hours_per_inspection

    def start_day(self, inspections_today: int) -> None:
        """Serve pushed-down duties first; what is left is free for self-governance."""
        p = self.model.p.committee
        # items funded under the duty list bring the paid hours they cost (费随事转) and are
        # done with them, outside the staff's triage: when their hours were added to both the
        # demand and the capacity, the funded items that build up over the years (12 a year
        # against 6% lapsing) pushed the load towards the ceiling and duties dropped grew by
        # 11% a year under the reform
        capacity = self.staff * p.staff_hours_per_day
        demand = self.duty_hours(inspections_today)
        duty = served_duty_hours(demand, capacity, p.max_duty_share, p.triage_sharpness)
        for k in self.hours_today:
            self.hours_today[k] = 0.0
        self.hours_today["duty"] = duty
        self.duty_hours_dropped_today = demand - duty
        self.free_hours = capacity - duty
        self.plan_volunteer_work()
        self.plan_org_support()

    def plan_org_support(self) -> None:
        """Hours set aside for the groups' support before the day's cases and needs: up to
        ``org_support_free_share`` of the free hours, and no more than the groups want.
        Taking what was left at the end of the day gave support the remainder of a two-hour
        need service, about an hour a day whatever the community's size, so a group's share
        of it fell with the number of groups: 0.7 of what groups want at 2,000 adults, 0.3 at
        5,000, 0.1 at 15,000 (issue 21, experiments/group_size_by_community_size.py)."""
        p = self.model.p.committee
        self.org_support_wanted = len(self.model.orgs_by_comm.get(self.community, [])) * p.org_support_hours_per_org
        self.take("org_support", min(self.org_support_wanted, self.free_hours * p.org_support_free_share))

    def plan_volunteer_work(self) -> None:
        """Volunteer work and the time to organize it carry over from day to day.

        The work there is accrues by ``volunteer_tasks_per_1000_day`` (up to
        ``volunteer_work_backlog_days`` of it: a patrol not organized this week is gone); the
        committee puts up to ``volunteer_task_share`` of its free hours into organizing what
        waits, and a task is ready once its ``volunteer_task_hours`` are in. Rounding each
        day's fraction of a task down, after every other self-governance task had taken its
        hours, left a 5,000-adult committee with about three tasks a year against 23 at
        2,000 and 2,400 at 15,000 adults: a knife edge in size (issue 10, item 3)."""
        p = self.model.p.committee
        per_day = p.volunteer_tasks_per_1000_day * self.n_residents / 1000
        self.volunteer_work = min(self.volunteer_work + per_day, max(1.0, per_day * p.volunteer_work_backlog_days))
        still_needed = self.volunteer_work * p.volunteer_task_hours - self.organizing_hours
        self.organizing_hours += self.take("volunteers", min(self.free_hours * p.volunteer_task_share,
                                                            max(still_needed, 0.0)))

    def volunteer_tasks_ready(self) -> int:
        """Tasks whose organizing is done; they leave the backlog."""
        p = self.model.p.committee
        if p.volunteer_task_hours > 0:
            ready = int(min(self.volunteer_work, self.organizing_hours / p.volunteer_task_hours + 1e-9))
            self.organizing_hours -= ready * p.volunteer_task_hours
        else:
            ready = int(self.volunteer_work)
        self.volunteer_work -= ready
        return ready

    def take(self, task: str, hours: float) -> float:
        """Grant up to ``hours`` of free staff time to a self-governance task."""
        granted = min(max(hours, 0.0), self.free_hours)
        self.free_hours -= granted
        self.hours_today[task] += granted
        return granted

    def units(self, task: str, n_wanted: int, hours_each: float) -> int:
        """How many units of work (orders, cases) the free hours cover; books the hours."""
        if n_wanted <= 0:
            return 0
        if hours_each <= 0:
            return n_wanted
        n = int(min(n_wanted, np.floor(self.free_hours / hours_each + 1e-9)))
        self.take(task, n * hours_each)
        return n

    def end_day(self) -> None:
        for k, v in self.hours_today.items():
            self.hours_total[k] += v
        self.duty_hours_dropped_total += self.duty_hours_dropped_today

    def start_reporting(self) -> None:
        """Day 0: the run's totals start from zero (the spin-up is not reported)."""
        self.hours_total = dict.fromkeys(self.hours_total, 0.0)
        self.duty_hours_dropped_total = 0.0

    def rebound(self, rng: np.random.Generator) -> None:
        """New items keep arriving (under a duty list they must bring their funding), and
        items lapse at ``duty_items_retired_per_year``: the load settles where the two
        balance (12 a year against 6% of 200 in the unreformed baseline). Under a duty list
        the listed items stay (they are the committee's statutory duties) and a new item is
        admitted only with its funding (费随事转): it brings the paid hours it costs, so it
        adds nothing to the staff's load, and its money is booked as ``duty_list_funding``
        (:meth:`GovernmentDuties.daily_costs`), so the reformed load is settled from the start.

        Arrivals are one Poisson draw a day; lapses are expected values (items are many and
        the share small), so that paired runs keep drawing the same numbers."""
        p = self.model.p.committee
        new = rng.poisson(p.duty_rebound_per_year / 365.0)
        lapse = p.duty_items_retired_per_year / 365.0
        if not p.duty_list_cap:
            # without a list, campaign items lapse as new ones come; the items on a published
            # list are the committee's statutory duties and stay until the list is revised
            self.duty_items -= lapse * self.duty_items
        if new and not p.duty_list_cap:
            self.duty_items += new

def served_duty_hours(demand: float, capacity: float, max_share: float, sharpness: float) -> float:
    """Duty hours the committee serves: a smooth minimum of the demand and the ceiling
    ``max_share x capacity``: ``D / (1 + (D / ceiling)^k)^(1/k)``. Under light load it is
    about D; under any load it stays below the ceiling, so some self-governance survives."""
    ceiling = max_share * capacity
    if demand <= 0 or ceiling <= 0:
        return 0.0
    try:
        return demand / (1.0 + (demand / ceiling) ** sharpness) ** (1.0 / sharpness)
    except OverflowError:
        # a ceiling some hundreds of orders of magnitude below the demand (a staffing of
        # 1e-276 per 10,000): the same smooth minimum written from the ceiling's side
        return ceiling / (1.0 + (ceiling / demand) ** sharpness) ** (1.0 / sharpness)


class CommitteeSupportAndVolunteering(Process):
    """Step 8: the share of what its groups want that the committee gave them today (the
    hours set aside at the day's start, :meth:`ResidentsCommittee.plan_org_support`) is
    smoothed into the support ratio the monthly round reads; the volunteer tasks whose organizing is done
    (:meth:`ResidentsCommittee.plan_volunteer_work`) are offered, and residents offered a
    task, and today's party invitees, decide whether to volunteer (ODD 7.4, 7.1)."""

    name = "committee_support"
    sections = ("committee",)
    records = ("volunteer_tasks",)
    outputs = ("org_support_ratio", "volunteered")

    def results(self) -> dict:
        """The committees' hours by task since day 0, and their duty load at the end."""
        committees = self.model.committees
        tot = {t: float(sum(c.hours_total[t] for c in committees)) for t in COMMITTEE_TASKS}
        all_h = sum(tot.values())
        out: dict = {f"committee_hours_{t}": h for t, h in tot.items()}
        out["committee_self_governance_hours"] = all_h - tot["duty"]
        out["committee_duty_share"] = tot["duty"] / all_h if all_h else float("nan")
        out["committee_duty_hours_dropped"] = sum(c.duty_hours_dropped_total for c in committees)
        out["duty_items_end"] = sum(c.effective_duty_items() for c in committees)
        return out

    def __init__(self, model):
        super().__init__(model)
        # each community's share of the support its groups want that they get, smoothed
        # over the month (read by the monthly round of organizations)
        self.org_support_ratio = np.ones(model.pop.n_communities)
        # (day, residents who volunteered that day): the day's volunteers at this step, by
        # index, read by the volunteer teams next (step 9)
        self.volunteered = (None, np.zeros(0, np.int64))

    def step(self) -> None:
        m = self.model
        pc, rng = m.p.committee, m.streams.volunteer_offers
        candidates = [m.process("party_service").invitees_today]
        for c, committee in enumerate(m.committees):
            want = committee.org_support_wanted  # set aside at the day's start (plan_org_support)
            ratio = committee.hours_today["org_support"] / want if want > 0 else 1.0
            # monthly org support follows the month's average
            s = pc.org_support_smoothing
            self.org_support_ratio[c] = (1.0 - s) * self.org_support_ratio[c] + s * ratio
            tasks = committee.volunteer_tasks_ready()  # organized with hours set aside at day start
            if tasks:
                members = m.community_members[c]
                k = int(round(tasks * pc.residents_per_volunteer_task))
                candidates.append(members[rng.integers(0, members.size, k)])
            m.today["volunteer_tasks"] += tasks
        # np.unique's own work costs more than the sort at a day's few hundred candidates
        self.volunteered = (m.clock, decide(m, sorted_unique(np.concatenate(candidates)), "volunteering"))
