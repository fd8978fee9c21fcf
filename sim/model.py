"""CoGovModel: the co-governance model as one Mesa model.

The order of a simulated day is written down once, in :meth:`CoGovModel.step`.

Why one long module: it holds the day's order, the spin-up and policy start, and the small
process bodies that coordinate several rooms at once (grid visits, party invitations,
volunteering, organization activities, the periodic events, costs). Each is a few lines
calling into ``sim/processes/``; splitting them further would scatter the day's order that
this file exists to show in one place.
"""

from __future__ import annotations

from collections import Counter
from functools import partial

import mesa
from mesa.agent import AgentSet
import numpy as np
import scipy.sparse as sp

from .processes import needs as needs_mod
from . import network as net
from .processes import organizations as orgs_mod
from . import outcomes
from .processes import property as property_mod
from .processes.committee import ResidentsCommittee
from .config import scenario_from_kwargs, with_baseline_levers
from .processes.deliberation import Deliberation
from .processes.disputes import DisputeSystem
from .catalog import DeclaredCounter
from .processes.government import FunctionalDepartment, StreetOffice
from .kernels import csr_maximum, daily_decay, grid_visits, row_sums, update_social_share
from .processes.property import PropertyCompany
from .params import ORG_ORIGINS, ORG_TYPES, Scenario
from .processes.participation import decide
from .processes.party import PartyCommittee, evaluate, invitation_rates, random_ties, send_invitations
from .residents import ACT_TYPES, NEVER, PartyMember, Population, Resident
from .rng import Streams, seed_from_rng

LEVERS_WITH_COST = ("staffing", "office_support", "duty_list_funding", "electronic_ledgers", "grid",
                    "grants", "purchased_services", "incubation", "legal", "transparency", "moral",
                    "smart")


class CoGovModel(mesa.Model):
    """Co-governance in one urban community, or a street of several.

    Args:
        scenario: a :class:`Scenario`, a dict of sections, a path to a YAML file, or None
            (the schema's defaults, i.e. the baseline).
        rng: the seed (int) from which every random stream is derived.
        **params: flat overrides by key path, ``committee.pushed_down_duty_items=97`` (or
            ``committee__pushed_down_duty_items``), so that ``mesa.batch_run`` and SolaraViz
            can drive the model with keyword parameters.
    """

    def __init__(self, scenario: Scenario | dict | str | None = None, rng=None,
                 collect: bool = True, **params):
        super().__init__(rng=rng)
        # the scenario as given, and the run before its policy starts: every lever at the
        # baseline (the spin-up, then day 0 .. policy_start_day - 1)
        self.p_policy = scenario_from_kwargs(scenario, params)
        self.p = p = with_baseline_levers(self.p_policy)
        self.policy_on = False
        self.seed = int(rng) if isinstance(rng, (int, np.integer)) else seed_from_rng(self.rng)
        self.streams = Streams(self.seed)
        # the clock counts from the start of the spin-up; day 0 of the report is clock day0
        self.day0 = p.run.spin_up_days
        self.clock = 0
        self.running = True

        # residents and their network
        self.pop = pop = Population(self.streams.population, p.population, p.behaviour, p.party)
        self.community_members = [np.flatnonzero(pop.community == c) for c in range(pop.n_communities)]
        self._set_grids()
        if p.network.edge_list:
            self.base_adj = net.load_user_network(p.network.edge_list, pop.n)
        else:
            self.base_adj = net.generate(self.streams.network, pop, p.network)
        self.network_version = -1  # bumped by every _set_adjacency
        self._org_pairs_i: list[np.ndarray] = []
        self._org_pairs_j: list[np.ndarray] = []
        self._org_pairs_day: list[int] = []  # the day each block of pairs was formed
        self._org_pairs_built = 0  # pairs already in the network
        self._set_adjacency(self.base_adj)
        self.initial_degree = np.diff(self.base_adj.indptr)

        # Mesa agents: residents (party members as their own class) ...
        self.residents = AgentSet([(PartyMember if pop.party[i] else Resident)(self, i)
                                        for i in range(pop.n)], random=self.random)
        # ... the committee and party committee of each community, the street and departments
        self.committees = [ResidentsCommittee(self, c, m.size) for c, m in enumerate(self.community_members)]
        self.party_committees = [PartyCommittee(self, c) for c in range(pop.n_communities)]
        self.street = StreetOffice(self)
        self.department = FunctionalDepartment(self)  # one agent for the functional departments (ODD 7.6)
        self.property_companies = [PropertyCompany(self, c) for c in range(pop.n_communities)]

        # state shared by the processes
        self.last_invited = np.full(pop.n, NEVER, dtype=np.int64)
        self.invitations_sent_year = np.zeros(pop.n, dtype=np.int64)
        self._invitation_rates = None  # (expected invitations a day, who sends any, their cumsum)
        self._daily_costs = None  # running costs a day, by lever (fixed for the run)
        k = p.grants.contests_per_year
        self._contest_days = {int(60 + i * 365 / k) % 365 for i in range(k)}
        self.visited_residents = np.zeros(pop.n, bool)  # residents of today's visited households
        self._set_free_time()
        self.social_share = np.zeros(pop.n)
        self._social_state = None  # (network version, transpose, active flags, numerators)
        self._refresh_acts_year()
        self.org_support_ratio = np.ones(pop.n_communities)
        self.spend = Counter({k: 0.0 for k in LEVERS_WITH_COST})
        self.foundings = Counter({k: 0 for k in ORG_ORIGINS})
        self.dissolutions = 0
        self.activities_of_dissolved = 0
        self.grants_awarded = 0
        self.grant_groups: list = []  # groups founded by a grant in the report
        self.party_invitations_total = 0
        self.org_invitations_total = 0
        self.grid_visits_total = 0
        self.commitment_hours = pop.commitment_hours(p.behaviour)
        self._decay_args = None  # (behaviour section, the decay kernel's arguments)
        self.today = DeclaredCounter(outcomes.COUNTER_KEYS, "model.today")
        self.top10_share_of_acts = None  # outcomes.daily refreshes it monthly
        self.today_acts: Counter = Counter()
        self.representatives = self._choose_representatives()
        self.is_representative = np.zeros(pop.n, bool)
        self.is_representative[np.concatenate(self.representatives)] = True
        pop.offices[self.is_representative] += 1  # a seat is an office: it takes time

        self.orgs: list[orgs_mod.SocialOrganization] = []
        self.org_index: dict[int, orgs_mod.SocialOrganization] = {}
        self._initial_organizations()
        self._rebuild_adjacency()  # the initial groups' ties are in the network from the start
        self.needs = needs_mod.NeedBook()
        self.deliberation = Deliberation(self)
        self.disputes = DisputeSystem(self)
        orgs_mod.award_contracts(self, self.streams.contracts)
        self._refresh_org_lookup()

        self.collect = collect
        self.datacollector = outcomes.DailyCollector(
            model_reporters={k: partial(outcomes.read_today, k) for k in outcomes.TIMESERIES_COLUMNS})
        self._last_concentration = (0.0, 0.0)

        # the spin-up: simulated, not reported; day 0 is a settled community
        # (the day itself, not Mesa's wrapper: Mesa's steps and time count reported days,
        # as batch_run and the DataCollector expect)
        day_itself = getattr(self, "_user_step", self.step)
        while self.clock < self.day0:
            day_itself()
        self._start_reporting()
        if self.p_policy.run.policy_start_day == 0:
            self._start_policy()

    @property
    def day(self) -> int:
        """Today's day in the report: 0 is the first day after the spin-up (negative during
        it). The processes stamp events with :attr:`clock`, the days since the spin-up began,
        which is never negative."""
        return self.clock - self.day0

    reported_day = day

    def _set_free_time(self) -> None:
        p, pop = self.p, self.pop
        # evening opening of facilities (8小时以外) gives working adults more usable free time
        self.free_time = pop.free_time + np.where(
            ~pop.retired & p.moral.evening_opening, p.moral.evening_free_time_gain, 0.0)
        beh = p.behaviour
        floor = min(beh.time_budget_floor_hours_week, beh.time_budget_hours_week)
        pop.time_budget = floor + (beh.time_budget_hours_week - floor) * np.minimum(self.free_time, 1.0)

    def _start_reporting(self) -> None:
        """Day 0: every total of the report starts from zero; the state carries on."""
        self.spend = Counter({k: 0.0 for k in LEVERS_WITH_COST})
        self.foundings = Counter({k: 0 for k in ORG_ORIGINS})
        self.dissolutions = 0
        self.activities_of_dissolved = 0
        self.grants_awarded = 0
        self.grant_groups = []
        self.party_invitations_total = 0
        self.org_invitations_total = 0
        self.grid_visits_total = 0
        for c in self.committees:
            c.start_reporting()
        for o in self.orgs:
            o.activities = 0
            o.services_delivered = 0
        for company in self.property_companies:
            company.start_reporting()
        self.needs.start_reporting()
        self.disputes.start_reporting()
        self.deliberation.start_reporting()
        self.datacollector = outcomes.DailyCollector(
            model_reporters={k: partial(outcomes.read_today, k) for k in outcomes.TIMESERIES_COLUMNS})

    def _start_policy(self) -> None:
        """The scenario's levers replace the baseline's: everything computed from a lever is
        computed again (ODD 7.1, "policy start")."""
        old, new = self.p, self.p_policy
        self.p = new
        self.policy_on = True
        pop = self.pop
        for c in self.committees:
            c.staff = c.staff_for(new.committee)
            # the lever cuts (or adds) items against what the baseline carries by now
            c.duty_items = max(0.0, c.duty_items + new.committee.pushed_down_duty_items
                               - old.committee.pushed_down_duty_items)
        k = new.grants.contests_per_year
        self._contest_days = {int(60 + i * 365 / k) % 365 for i in range(k)}
        self._set_free_time()
        pop.registered = pop.in_service & (pop.registration_draw < new.party.double_registration_share)
        self._invitation_rates = None
        self._daily_costs = None
        if new.grid.households_per_grid != old.grid.households_per_grid:
            self._set_grids()
            self.needs.regrid(self.grid_of)
            self.deliberation.regrid()
        self.deliberation.set_meeting_days()
        self.disputes.parameters_changed()
        orgs_mod.award_contracts(self, self.streams.contracts)
        self._refresh_org_lookup()

    def _set_grids(self) -> None:
        pop = self.pop
        first_hh = np.array([pop.household[m[0]] for m in self.community_members])
        local_hh = pop.household - first_hh[pop.community]
        self.grid_of = local_hh // self.p.grid.households_per_grid
        self.n_grids_max = int(self.grid_of.max()) + 1
        self.households_per_grid_actual = np.bincount(local_hh // self.p.grid.households_per_grid)

    # ================================================================== the day
    def step(self) -> None:
        """One day. The order of the processes is written here and only here."""
        if not self.policy_on and self.reported_day == self.p_policy.run.policy_start_day:
            self._start_policy()
        p, pop, s = self.p, self.pop, self.streams
        day = self.clock
        self.today.clear()
        self.today_acts.clear()
        # 0. draws for today's decisions (one per resident and act type: paired runs share them)
        self.draws = self.decision_uniforms()
        self._daily_decay()
        if day % 30 == 0:  # a new 30-day block of the yearly act count starts empty
            pop.acts_year_ring[(day // 30) % 12] = 0
        # 1. government pushes duties; each committee serves them first, the rest is free
        inspections = self.street.inspections_today(s.committee, pop.n_communities)
        for c, committee in enumerate(self.committees):
            committee.rebound(s.committee)
            committee.start_day(int(inspections[c]))
        # 2. grid workers visit households (needs and disputes they find get reported)
        self._grid_visits(s.grid)
        # 3. social reinforcement: tie-weighted share of ties active in the last 30 days
        self._update_social_share()
        # 4. party members serve and invite ties
        self._party_invitations(s.invitations)
        # 5. disputes (people's mediation has first call on the committee's free hours)
        self.disputes.step()
        # 6. deliberation meetings (scheduled: they come before the day's orders) and the
        #    seven steps
        self.deliberation.step()
        # 7. needs: four orders (dispatch, service)
        needs_mod.step(self)
        # 8. the committee supports organizations and organizes volunteer tasks
        self._committee_support_and_volunteering(s.volunteer_offers)
        # 9. organizations run activities
        self._organization_activities(s.org_activities)
        # 10. founding, monthly and yearly events
        self._periodic(s)
        for committee in self.committees:
            committee.end_day()
        # 11. outcomes (from day 0 on: the spin-up is not reported)
        rday = day - self.day0
        if self.collect and rday >= 0 and (rday % p.run.record_every == 0 or rday == p.run.days - 1):
            self.outcomes_today = outcomes.daily(self)
            self.datacollector.collect(self)
        self.clock += 1
        if self.clock - self.day0 >= p.run.days:
            self.running = False

    def _daily_decay(self) -> None:
        """Fatigue and last week's act hours fade; habit and attitudes drift back towards each
        resident's own baseline (ODD 7.2): without new experience nothing drifts without cause."""
        beh, pop = self.p.behaviour, self.pop
        if self._decay_args is None or self._decay_args[0] is not beh:
            # the arrays are fixed for the run; the rates change only with the parameters
            self._decay_args = (beh, (
                (pop.fatigue, pop.act_hours, pop.disposition, pop.trust, pop.efficacy, pop.satisfaction),
                (pop.disposition_trait, pop.trust_base, pop.efficacy_base, pop.satisfaction_base),
                (0.5 ** (1.0 / beh.fatigue_half_life_days), 0.5 ** (1.0 / beh.act_hours_half_life_days),
                 beh.disposition_reversion_per_year / 365.0, beh.attitude_reversion_per_year / 365.0),
                pop.memberships, pop.offices, beh.hours_per_membership_week, beh.hours_per_office_week,
                self.commitment_hours))
        daily_decay(*self._decay_args[1])

    def decision_uniforms(self) -> np.ndarray:
        """Today's decision uniforms, one per act type and resident, as 32-bit integers
        (the uniform is ``draws / 2**32``): raw output of the participation stream's bit
        generator, two per 64-bit draw, which is the cheapest way numpy gives them."""
        count = len(ACT_TYPES) * self.pop.n
        raw = self.streams.participation.bit_generator.random_raw((count + 1) // 2)
        return raw.view(np.uint32)[:count].reshape(len(ACT_TYPES), self.pop.n)

    # ============================================================ the processes
    def _grid_visits(self, rng) -> None:
        g = self.p.grid
        visits_per_household = g.workers_per_grid * g.visits_per_worker_day / g.households_per_grid
        # a fixed number of uniforms (one per household): paired runs see the same households
        u = rng.random(self.pop.n_households, dtype=np.float32)
        # a visit is a small sign the community cares: visited residents' trust rises
        self.visited_residents, n = grid_visits(u, visits_per_household, self.pop.household,
                                                self.pop.trust, g.visit_trust_gain)
        self.grid_visits_total += n
        self.today["grid_visits"] = n

    def _party_invitations(self, rng) -> None:
        # rates change only when members' effort does (the yearly evaluation)
        if self._invitation_rates is None:
            rates = invitation_rates(self.pop, self.p.party)
            servers = np.flatnonzero(rates > 0)
            self._invitation_rates = (rates, servers, np.cumsum(rates[servers]))
        _, servers, cumulative = self._invitation_rates
        n, invitees = send_invitations(rng, self.adj, servers, cumulative, self.clock,
                                       self.last_invited, self.invitations_sent_year)
        self.party_invitations_total += n
        self.today["party_invitations"] = n
        self.party_invitees_today = invitees

    def _committee_support_and_volunteering(self, rng) -> None:
        pc = self.p.committee
        candidates = [self.party_invitees_today]
        for c, committee in enumerate(self.committees):
            n_orgs = len(self.orgs_by_comm.get(c, []))
            want = n_orgs * pc.org_support_hours_per_org
            got = committee.take("org_support", want)
            ratio = got / want if want > 0 else 1.0
            # monthly org support follows the month's average
            s = pc.org_support_smoothing
            self.org_support_ratio[c] = (1.0 - s) * self.org_support_ratio[c] + s * ratio
            hours = committee.free_hours * pc.volunteer_task_share
            # no more tasks than there is work for in a community of this size
            work = int(round(pc.volunteer_tasks_per_1000_day * self.community_members[c].size / 1000))
            wanted = int(hours / pc.volunteer_task_hours) if pc.volunteer_task_hours > 0 else work
            tasks = committee.units("volunteers", min(wanted, work), pc.volunteer_task_hours)
            if tasks:
                members = self.community_members[c]
                k = int(round(tasks * pc.residents_per_volunteer_task))
                candidates.append(members[rng.integers(0, members.size, k)])
            self.today["volunteer_tasks"] += tasks
        cand = np.unique(np.concatenate(candidates))
        decide(self, cand, "volunteering")

    def _organization_activities(self, rng) -> None:
        day = self.clock
        cost = self.p.organizations.cost_per_activity_yuan
        for org in self.orgs:
            if org.members.size == 0 or rng.random() >= min(1.0, org.activity_rate(day)):
                continue
            org.activities += 1
            self.today["org_activities"] += 1
            if org.funds >= cost:
                org.funds -= cost
            # members who were active recently bring a tie along as guest
            recent = org.members[self.pop.last_act[ACT_TYPES.index("organization"), org.members] > day - self.p.organizations.recent_member_days]
            guests = np.empty(0, np.int64)
            if recent.size:
                inviting = recent[rng.random(recent.size) < self.p.organizations.guest_invite_share]
                _, guests = random_ties(rng, self.adj, inviting)  # ties, unweighted
                guests = guests[self.pop.community[guests] == org.community]
                self.last_invited[guests] = day
                self.org_invitations_total += guests.size
            decide(self, org.members, "organization")
            if guests.size:
                # members decided above: the guests are the others (members are sorted, unique
                # and at least one)
                guests = np.unique(guests)
                pos = np.minimum(np.searchsorted(org.members, guests), org.members.size - 1)
                guests = guests[org.members[pos] != guests]
            if guests.size:
                decide(self, guests, "organization", extra_logit=self.p.organizations.guest_logit)

    def _periodic(self, s: Streams) -> None:
        p, day = self.p, self.clock
        doy = day % 365
        orgs_mod.resident_foundings(self, s.org_foundings)
        if p.incubation.hub:
            orgs_mod.hub_incubation(self, s.hub)
        if day % 30 == 29:
            self._refresh_acts_year()
            orgs_mod.monthly(self, s.org_monthly)
            if p.transparency.publish_affairs:
                tr = self.pop.trust
                tr += p.transparency.publish_trust_gain * (1 - tr)
            if p.transparency.satisfaction_linked_payment:
                property_mod.monthly(self)
            self._rebuild_adjacency()
            self._refresh_org_lookup()
        if p.transparency.satisfaction_linked_payment and doy % 91 == 90:
            for company in self.property_companies:
                company.quarterly_payment()
        if doy == 364:
            orgs_mod.award_contracts(self, s.contracts)
            self._refresh_org_lookup()
        if doy in self._contest_days:
            self._refresh_acts_year()
            orgs_mod.grant_contest(self, s.grants)
            self._refresh_org_lookup()
        if p.party.evaluation and doy == p.party.evaluation_day_of_year:
            self._party_evaluation(s.party)
        self._accrue_costs()

    def _refresh_acts_year(self) -> None:
        """Acts of each resident in the last year, and the core activists (at least
        ``organizations.activist_acts`` of them): refreshed monthly and before a contest."""
        self.acts_year = self.pop.acts_last_year()
        self.activists = np.flatnonzero(self.acts_year >= self.p.organizations.activist_acts)

    def _party_evaluation(self, rng) -> None:
        """Resident representatives evaluate party members (an evaluation act), then members
        rated low raise their effort."""
        k = self.p.party.evaluators_per_community
        for c in range(self.pop.n_communities):
            reps = self.representatives[c][:k]
            self.last_invited[reps] = self.clock
            decide(self, reps, "evaluation")
        evaluate(self, rng)
        self._invitation_rates = None  # efforts changed

    def _accrue_costs(self) -> None:
        """Book a day of every running cost (yearly costs / 365)."""
        if self._daily_costs is None:  # the parameters do not change during a run
            self._daily_costs = [(k, v) for k, v in self._fixed_daily_costs().items() if v]
        spend = self.spend
        for k, v in self._daily_costs:
            spend[k] += v
        # items admitted with their funding under the duty list (7.4) grow during the run
        self.spend["duty_list_funding"] += sum(c.funded_items for c in self.committees) * \
            self.p.committee.funded_item_cost_yuan * (1.0 / 365.0)

    def _fixed_daily_costs(self) -> dict[str, float]:
        p, pop = self.p, self.pop
        n_c = pop.n_communities
        yr = 1.0 / 365.0
        inc, lg, tr, mo, sm = p.incubation, p.legal, p.transparency, p.moral, p.smart
        n_grids = self.households_per_grid_actual.size * n_c
        costs = {
            "staffing": sum(c.staff for c in self.committees) * p.committee.staff_cost_yuan_per_year * yr,
            "grid": n_grids * p.grid.workers_per_grid * p.grid.worker_cost_yuan_per_year * yr,
            "incubation": n_c * (inc.social_workers * inc.social_worker_cost_yuan
                                 + (inc.hub_cost_yuan if inc.hub else 0.0)) * yr,
            "legal": (n_c * lg.lawyer_hours_per_week * 52 * lg.lawyer_cost_yuan_per_hour
                      + n_c * lg.police_days_per_week * 52 * lg.police_cost_yuan_per_day
                      + lg.volunteer_mediators_per_1000 * pop.n / 1000
                      * lg.mediator_stipend_yuan_per_year) * yr,
            "transparency": n_c * tr.cost_yuan_per_year * yr * (tr.publish_affairs + tr.satisfaction_linked_payment),
            "moral": n_c * mo.cost_yuan_per_year * yr * (mo.recognition + mo.evening_opening),
            "smart": n_c * sm.cost_yuan_per_year * yr * (sm.digital_ordering + sm.online_mediation),
        }
        if p.committee.electronic_ledgers:
            costs["electronic_ledgers"] = n_c * p.committee.electronic_ledger_cost_yuan * yr
        return costs

    # ================================================================ helpers
    def _set_adjacency(self, adj: sp.csr_array) -> None:
        self.network_version += 1  # caches of network-derived sets key on it
        self.adj = sp.csr_array(adj, dtype=np.float32)
        self.adj.sort_indices()
        self._adj_bin = None
        wd = row_sums(self.adj.indptr, self.adj.data)
        self.weighted_degree = np.where(wd > 0, wd, 1.0)
        local = (~self.pop.migrant).astype(np.float32)
        self.local_tie_share = (self.adj @ local) / self.weighted_degree

    @property
    def adj_bin(self) -> sp.csr_array:
        """The network without weights (1 per tie)."""
        if self._adj_bin is None:
            self._adj_bin = self.adj.copy()
            self._adj_bin.data[:] = 1.0
        return self._adj_bin

    def _update_social_share(self) -> None:
        """``social_share = (adj @ active30) / weighted_degree``, active30 = acted in the last
        30 days: recomputed in full when the network changes, otherwise moved by the residents
        who became active or inactive since yesterday (the same sums, see the kernel)."""
        state = self._social_state
        full = state is None or state[0] != self.network_version
        if full:
            t = sp.csr_array(self.adj.T)  # who counts whom
            state = self._social_state = (self.network_version, t, np.zeros(self.pop.n, np.int8),
                                          np.zeros(self.pop.n))
        _, t, active, numerator = state
        adj = self.adj
        update_social_share(adj.indptr, adj.indices, adj.data, t.indptr, t.indices, t.data,
                            self.pop.last_any(), self.clock - 30, self.weighted_degree, active,
                            numerator, self.social_share, full)

    def add_org_ties(self, i: np.ndarray, j: np.ndarray) -> None:
        """Ties formed through shared membership; they join the network at the month's end."""
        self._org_pairs_i.append(np.asarray(i, np.int64))
        self._org_pairs_j.append(np.asarray(j, np.int64))
        self._org_pairs_day.append(self.clock)

    def _rebuild_adjacency(self) -> None:
        # ties formed through a group fade when not renewed: once a year the network is
        # rebuilt from the base ties and the group ties of the last org_tie_lifetime_days
        # (otherwise it would only ever densify)
        life = self.p.network.org_tie_lifetime_days
        if self._org_pairs_day and self._org_pairs_day[0] < self.clock - life - 365:
            keep = next((k for k, d in enumerate(self._org_pairs_day) if d >= self.clock - life),
                        len(self._org_pairs_day))
            del self._org_pairs_i[:keep], self._org_pairs_j[:keep], self._org_pairs_day[:keep]
            self._org_pairs_built = 0
            self._set_adjacency(self.base_adj)
        # only the ties formed since the last rebuild: max(base, all org ties) is built up
        # month by month (an elementwise maximum, so the result is the same)
        new = len(self._org_pairs_i) - self._org_pairs_built
        if new > 0:
            layer = net.org_layer(self._org_pairs_i[-new:], self._org_pairs_j[-new:], self.pop.n)
            self._org_pairs_built = len(self._org_pairs_i)
            adj = self.adj
            indptr, indices, data = csr_maximum(adj.indptr, adj.indices, adj.data, layer.indptr,
                                                layer.indices, layer.data)
            self._set_adjacency(sp.csr_array((data, indices, indptr), shape=adj.shape))

    def _refresh_org_lookup(self) -> None:
        self.orgs = [o for o in self.orgs if o.alive]
        self.org_index = {o.unique_id: o for o in self.orgs}
        self.orgs_by_comm: dict[int, list] = {}
        for o in self.orgs:
            self.orgs_by_comm.setdefault(o.community, []).append(o)
        self._orgs_in_order = None

    def orgs_in_community_order(self) -> tuple[list, np.ndarray]:
        """The organizations community by community (each in founding order), and the
        offsets where each community's start in that list (n_communities + 1 of them)."""
        if self._orgs_in_order is None:
            n_c = self.pop.n_communities
            by_c = [self.orgs_by_comm.get(c, []) for c in range(n_c)]
            start = np.zeros(n_c + 1, np.int64)
            start[1:] = np.cumsum([len(x) for x in by_c])
            self._orgs_in_order = ([o for x in by_c for o in x], start)
        return self._orgs_in_order

    def org_dissolved(self, org) -> None:
        self.dissolutions += 1
        self.activities_of_dissolved += org.activities  # the report counts them too

    def ties_of(self, i: int) -> np.ndarray:
        return self.adj.indices[self.adj.indptr[i]:self.adj.indptr[i + 1]]

    def close_tie(self, i: int, rng, household_only: bool = False) -> tuple[int, float]:
        """A random close tie of resident i (household or building), with its weight."""
        lo, hi = self.base_adj.indptr[i], self.base_adj.indptr[i + 1]
        nb, w = self.base_adj.indices[lo:hi], self.base_adj.data[lo:hi]
        keep = w >= (net.W_HOUSEHOLD if household_only else net.STRONG)
        nb, w = nb[keep], w[keep]
        if nb.size == 0:
            return -1, 0.0
        k = int(rng.integers(0, nb.size))
        return int(nb[k]), float(w[k])

    def social_worker_available(self, community: int) -> bool:
        """Social workers are attached to organizations in turn: the first ones get them."""
        n_sw = self.p.incubation.social_workers
        have = sum(1 for o in self.orgs if o.community == community and o.social_worker)
        return have < n_sw

    def unmet_needs_by_type(self) -> dict[str, int]:
        o = self.needs.open
        waiting = o["status"] != needs_mod.IN_SERVICE
        counts = np.bincount(o["ntype"][waiting], minlength=len(needs_mod.NEED_TYPES))
        return {needs_mod.NEED_TO_ORG[t] or t: int(n) for t, n in zip(needs_mod.NEED_TYPES, counts)}

    def _choose_representatives(self) -> list[np.ndarray]:
        """Resident representatives: party members first, then the most civic residents."""
        # enough for the deliberation seats and for the party evaluation panel
        k = max(self.p.deliberation.representatives, self.p.party.evaluators_per_community)
        reps = []
        for c, members in enumerate(self.community_members):
            score = self.pop.disposition[members] + self.p.party.representative_party_weight * self.pop.party[members]
            reps.append(members[np.argsort(-score, kind="stable")[:k]])
        return reps

    def _initial_organizations(self) -> None:
        po = self.p.organizations
        rng = self.streams.org_foundings  # before day 0: no founding has drawn yet
        pop = self.pop
        for c, members in enumerate(self.community_members):
            # members come from the most available residents: retired and civic
            # locals dominate the existing groups (migrants join at half the rate)
            weight = pop.disposition[members] * (po.initial_member_free_time_offset + pop.free_time[members]) * \
                np.where(pop.migrant[members], po.initial_member_migrant_factor, 1.0)
            weight = weight / weight.sum()
            # a fixed density of groups (per 1,000 adults), so that communities of every
            # size start the spin-up near their settled organization sector
            counts = [int(round(rate * members.size / 1000.0)) for rate in po.initial_per_1000_adults]
            for t, count in zip(ORG_TYPES, counts):
                for _ in range(count):
                    size = min(po.initial_members, members.size)
                    chosen = rng.choice(members, size=size, replace=False, p=weight)
                    org = orgs_mod.SocialOrganization(self, c, t, "initial", chosen,
                                                      po.initial_funds_yuan,
                                                      reputation=po.initial_reputation)
                    # its leader: the most civic member
                    org.set_founder(int(chosen[np.argmax(pop.disposition[chosen])]))
                    # an established group has formed ties among its members, as joining does
                    k = self.p.network.org_ties_per_join
                    if k and size > 1:
                        partners = chosen[rng.integers(0, size, (size, k))].ravel()
                        own = np.repeat(chosen, k)
                        self.add_org_ties(own[own != partners], partners[own != partners])
                    self.orgs.append(org)
        self._refresh_org_lookup()

    # ================================================================ outputs
    def run(self, days: int | None = None) -> None:
        """Run for ``days`` reported days (default: the scenario's ``run.days``); the spin-up
        ran when the model was built."""
        n = days if days is not None else self.p.run.days
        for _ in range(n):
            self.step()

    def summary(self) -> dict:
        return outcomes.summary(self)

    def timeseries(self):
        df = self.datacollector.get_model_vars_dataframe()
        df.index.name = "step"
        return df.reset_index(drop=True)

    def to_networkx(self):
        """The current social network as a networkx graph with resident attributes."""
        pop = self.pop
        return net.to_networkx(self.adj, {"community": pop.community, "migrant": pop.migrant,
                                          "party": pop.party, "retired": pop.retired})



def warm_up() -> None:
    """Compile every kernel of :mod:`sim.kernels` (or load it from numba's cache) by running
    a tiny model for a few weeks: ``make setup`` calls this, so that the first real run does
    not pay the compilation (about half a minute on a slow machine)."""
    CoGovModel(rng=0, collect=True, **{"population.residents_per_community": 300,
                                       "run.days": 40}).run()
