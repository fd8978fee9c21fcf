"""CoGovModel: the co-governance model as one Mesa model.

The order of a simulated day is written down once, in :data:`DAY_ORDER`: one process class
each (``sim/processes/``), stepped in that order by :meth:`CoGovModel.step`.

Why one long module: it is the model's shell, the parts every process shares: construction
(residents, network, agents, initial organizations), the spin-up and policy start (handed to
the processes), the network and organization-list helpers the processes call, and the
outputs. Each part is short; split up, the construction order (which fixes the random
draws) would be spread over several files.
"""

from __future__ import annotations

import contextlib
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
from . import scale, snapshot, spinup
from .calendar import Calendar
from .processes.base import Process
from .processes.committee import CommitteeSupportAndVolunteering, ResidentsCommittee
from .communities import community_scenarios, community_type_keys
from .config import scenario_from_kwargs, with_baseline_levers
from .processes.costs import Costs
from .processes.deliberation import Deliberation
from .processes.disputes import DisputeSystem
from .catalog import DeclaredCounter
from .processes.government import FunctionalDepartment, GovernmentDuties, StreetOffice
from .processes.grid import GridVisits
from .kernels import csr_maximum, row_sums
from .processes.needs import FourOrders
from .processes.organizations import OrganizationActivities, OrganizationLifeCycle
from .processes.property import PropertyCompany, TransparencyAndProperty
from .params import ORG_TYPES, Scenario
from .processes.migrants import Tenure, eligible
from .processes.participation import DayStart, SocialReinforcement
from .processes.volunteers import VolunteerTeams
from .processes.party import PartyCommittee, PartyEvaluation, PartyService
from .residents import ACT_TYPES, PartyMember, Population, Resident
from .rng import Streams, raw_uint32, seed_from_rng

# BLAS in one thread: a model is one thread and studies run models side by side in processes.
# OpenBLAS splits a dot product of more than some 10,000 elements (party service's, at
# 15,000 adults) over its own threads, which on two busy cores took 10 ms a day instead of
# 4 microseconds (a 15,000-adult year 2.8 -> 0.4 CPU-seconds, benchmarks/README.md), and a
# split sum's rounding would depend on the machine's core count.
from threadpoolctl import threadpool_limits  # noqa: E402

threadpool_limits(1, user_api="blas")

# The order of a day: one process each, stepped in this order (then every process's
# end_day, then the day's outcomes). The ODD's step table (section 3) is numbered after it.
SPINUP_HISTORY_DAYS = 365  # the spin-up's last days kept as daily rows (spinup_timeseries)

DAY_ORDER: tuple[type[Process], ...] = (
    DayStart,                         # 0. draws for today's decisions; fading and reversion
    GovernmentDuties,                 # 1. pushed-down duties first, the rest is free hours
    GridVisits,                       # 2. grid workers visit households
    SocialReinforcement,              # 3. tie-weighted share of ties active in 30 days
    PartyService,                     # 4. party members serve and invite ties
    DisputeSystem,                    # 5. disputes (mediation has first call on free hours)
    Deliberation,                     # 6. meetings and the seven steps (before the orders)
    FourOrders,                       # 7. needs: the four orders
    CommitteeSupportAndVolunteering,  # 8. support to organizations, volunteer tasks
    VolunteerTeams,                   # 9. volunteer teams: recruits and regular duties
    OrganizationActivities,           # 10. organizations hold activities
    OrganizationLifeCycle,            # 11. foundings, the monthly round, contracts, grants
    Tenure,                           # 12. renter households move out, newcomers move in
    TransparencyAndProperty,          # 13. publication, property tests and payments
    PartyEvaluation,                  # 14. the yearly evaluation of party members
    Costs,                            # 15. a day of every running cost
)


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
        p_policy = scenario_from_kwargs(scenario, params)
        seed = int(rng) if isinstance(rng, (int, np.integer)) else seed_from_rng(self.rng)
        # the settled community at day 0 (every lever at the baseline): from the spin-up
        # cache when it holds it (sim/spinup.py), else simulated here and kept there
        key = info = None
        if spinup.enabled():
            key, info = spinup.spinup_key(p_policy, seed)
        with spinup.building(key) if key else contextlib.nullcontext():
            state = spinup.lookup(key) if key else None
            if state is not None:
                state.restore(into=self)
            else:
                self._build(p_policy, seed, collect)
                self._spin_up()
                if key:
                    spinup.store(key, info, snapshot.Snapshot.of(self))
        # the scenario as given, and the run before its policy starts: every lever at the
        # baseline (the spin-up, then day 0 .. policy_start_day - 1)
        self.p_policy = p_policy
        self.p = with_baseline_levers(p_policy)
        self.collect = collect
        if p_policy.run.policy_start_day == 0:
            self._start_policy()

    def _build(self, p_policy: Scenario, seed: int, collect: bool) -> None:
        """The community before the spin-up: residents, network, agents, initial
        organizations and the processes (their construction order fixes the random draws)."""
        self.p_policy = p_policy
        self.p = p = with_baseline_levers(self.p_policy)
        self.policy_on = False
        self.seed = seed
        self.streams = Streams(self.seed)
        # the clock counts from the start of the spin-up; day 0 of the report is clock day0
        self.day0 = p.run.spin_up_days
        self.clock = 0
        self.calendar = Calendar(self.day0)  # what recurs, on report days (sim/calendar.py)
        self._spinup_rows: list[dict] = []  # the spin-up's last year (see step)
        self.running = True

        # residents and their network; each community's composition from its own type
        self.community_types = community_type_keys(p)
        self.pop = pop = Population(self.streams.population, p.population, p.behaviour, p.party,
                                    [cp.population for cp in self.community_params])
        # who rents and since when (ODD 7.16), with each community's own shares (its type's)
        pop.init_tenure(self.streams.tenure,
                        np.array([cp.population.renter_share_local for cp in self.community_params]),
                        np.array([cp.population.renter_share_migrant for cp in self.community_params]),
                        p.migrants.renter_moves_per_year)
        self.community_members = [np.flatnonzero(pop.community == c) for c in range(pop.n_communities)]
        # each community's households against the reference community's: the scale of every
        # per-community quantity stated for the reference size (sim/scale.py, ODD 7.15)
        self.household_factor = scale.household_factor(pop)
        self.set_grids()
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
        self._base_symmetric = self.adj_symmetric  # checked once: the yearly reset returns to it
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
        self.set_free_time()
        self.refresh_acts_year()
        self.commitment_hours = pop.commitment_hours(p.behaviour)
        # today's counts and the monthly concentration of acts: the daily report's
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
        self.rebuild_adjacency()  # the initial groups' ties are in the network from the start
        # the processes of the day, in DAY_ORDER (only the disputes draw as they are built,
        # from a stream of their own)
        self.processes: tuple[Process, ...] = tuple(cls(self) for cls in DAY_ORDER)
        self._process_by_name = {proc.name: proc for proc in self.processes}
        assert len(self._process_by_name) == len(self.processes), "two processes share a name"
        self.deliberation: Deliberation = self.process("deliberation")
        self.disputes: DisputeSystem = self.process("disputes")
        orgs_mod.award_contracts(self, self.streams.contracts)
        self.refresh_org_lookup()

        self.collect = collect
        self.datacollector = outcomes.DailyCollector(
            model_reporters={k: partial(outcomes.read_today, k) for k in outcomes.TIMESERIES_COLUMNS})

    def _spin_up(self) -> None:
        """The spin-up: simulated, not reported; day 0 is a settled community (the day
        itself, not Mesa's wrapper: Mesa's steps and time count reported days, as batch_run
        and the DataCollector expect). Then every report total starts from zero."""
        day_itself = getattr(self, "_user_step", self.step)
        while self.clock < self.day0:
            day_itself()
        self.start_reporting()

    @property
    def day(self) -> int:
        """Today's day in the report: 0 is the first day after the spin-up (negative during
        it). The processes stamp events with :attr:`clock`, the days since the spin-up began,
        which is never negative."""
        return self.clock - self.day0

    reported_day = day

    @property
    def community_params(self) -> tuple[Scenario, ...]:
        """Each community's scenario: :attr:`p` with the community's type applied
        (sim/communities.py); every entry is :attr:`p` itself when all share one type. It
        follows :attr:`p` (the policy start replaces it)."""
        if getattr(self, "_community_params_of", None) is not self.p:
            self._community_params = community_scenarios(self.p)
            self._community_params_of = self.p
        return self._community_params

    def process(self, name: str) -> Process:
        """The process of the day called ``name`` (see ``DAY_ORDER``)."""
        return self._process_by_name[name]

    # read-only views of state the processes own (for notebooks, the app and tests)
    @property
    def needs(self) -> needs_mod.NeedBook:
        """The need book (the needs process's state)."""
        return self._process_by_name["needs"].book

    @property
    def spend(self) -> Counter:
        """Yuan spent by lever since day 0 (the costs process's state)."""
        return self._process_by_name["costs"].spend

    def set_free_time(self) -> None:
        """Each resident's usable free time and weekly time budget (ODD 7.2)."""
        p, pop = self.p, self.pop
        # evening opening of facilities (8小时以外) gives working adults more usable free time
        self.free_time = pop.free_time + np.where(
            ~pop.retired & p.moral.evening_opening, p.moral.evening_free_time_gain, 0.0)
        if p.migrants.working_hours:
            # working-age migrants work longer weeks (ODD 7.16: NBS migrant-worker survey)
            self.free_time = np.where(pop.migrant & ~pop.retired,
                                      self.free_time * p.migrants.working_free_time_factor, self.free_time)
        beh = p.behaviour
        floor = min(beh.time_budget_floor_hours_week, beh.time_budget_hours_week)
        pop.time_budget = floor + (beh.time_budget_hours_week - floor) * np.minimum(self.free_time, 1.0)

    def start_reporting(self) -> None:
        """Day 0: every total of the report starts from zero; the state carries on. The
        spin-up's last year of daily rows is kept as columns (:meth:`spinup_timeseries`)."""
        rows = self._spinup_rows
        self.spinup_history = {k: np.array([r[k] for r in rows]) for k in outcomes.TIMESERIES_COLUMNS}
        self._spinup_rows = []
        for proc in self.processes:
            proc.start_reporting()
        self.datacollector = outcomes.DailyCollector(
            model_reporters={k: partial(outcomes.read_today, k) for k in outcomes.TIMESERIES_COLUMNS})

    def _start_policy(self) -> None:
        """The scenario's levers replace the baseline's: every process computes again what
        it computed from a lever (ODD 7.1, "policy start"), in the day's order."""
        old, new = self.p, self.p_policy
        self.p = new
        self.policy_on = True
        for proc in self.processes:
            proc.policy_started(old, new)

    def set_grids(self) -> None:
        """Grids of ``grid.households_per_grid`` households, numbered within each community."""
        pop = self.pop
        first_hh = np.array([pop.household[m[0]] for m in self.community_members])
        local_hh = pop.household - first_hh[pop.community]
        self.grid_of = local_hh // self.p.grid.households_per_grid
        # each community's own grids (communities of a street may differ in size): the grid
        # lever's workers are paid per grid that exists
        self.grids_per_community = np.array([int(self.grid_of[m].max()) + 1 for m in self.community_members])
        self.n_grids_max = int(self.grids_per_community.max())

    # ================================================================== the day
    def step(self) -> None:
        """One day: the processes in ``DAY_ORDER``, each process's end of day, then the
        day's outcomes."""
        if not self.policy_on and self.reported_day == self.p_policy.run.policy_start_day:
            self._start_policy()
        self.today.clear()
        self.today_acts.clear()
        for proc in self.processes:
            proc.step()
        for proc in self.processes:
            proc.end_day()
        # outcomes (from day 0 on: the spin-up is not reported, but its last year is kept
        # beside the report, every day, so that a chart can show where day 0 comes from)
        p = self.p
        rday = self.clock - self.day0
        if self.collect and rday >= 0 and (rday % p.run.record_every == 0 or rday == p.run.days - 1):
            self.outcomes_today = outcomes.daily(self)
            self.datacollector.collect(self)
        elif -SPINUP_HISTORY_DAYS <= rday < 0:
            self._spinup_rows.append(outcomes.daily(self))
        self.clock += 1
        if self.clock - self.day0 >= p.run.days:
            self.running = False

    def decision_uniforms(self) -> np.ndarray:
        """Today's decision uniforms, one per act type and resident, as 32-bit integers
        (the uniform is ``draws / 2**32``): raw output of the participation stream's bit
        generator, two per 64-bit draw (:func:`sim.rng.raw_uint32`)."""
        count = len(ACT_TYPES) * self.pop.n
        return raw_uint32(self.streams.participation, count).reshape(len(ACT_TYPES), self.pop.n)

    def refresh_acts_year(self) -> None:
        """Acts of each resident in the last year, and the core activists (at least
        ``organizations.activist_acts`` of them): refreshed monthly and before a contest."""
        self.acts_year = self.pop.acts_last_year()
        self.activists = np.flatnonzero(self.acts_year >= self.p.organizations.activist_acts)

    # ================================================================ helpers
    def _set_adjacency(self, adj: sp.csr_array, symmetric: bool | None = None,
                       sorted_indices: bool = False, derived: bool = True) -> None:
        """The network the processes read. ``symmetric``: whether ``adj`` equals its
        transpose, when the caller knows it (checked here otherwise); ``sorted_indices``: the
        caller knows each row's indices are sorted (otherwise sorted here); ``derived=False``:
        the caller sets the network again at once, so the sums read from it wait for that."""
        self.network_version += 1  # caches of network-derived sets key on it
        self.adj = sp.csr_array(adj, dtype=np.float32)
        if sorted_indices:
            self.adj.has_sorted_indices = True  # spares scipy's check of every row
        self.adj.sort_indices()
        if symmetric is None:
            t = sp.csr_array(self.adj.T)
            t.sort_indices()
            symmetric = (np.array_equal(t.indptr, self.adj.indptr) and np.array_equal(t.indices, self.adj.indices)
                         and np.array_equal(t.data, self.adj.data))
        # every tie is mutual with the same weight in both directions (generated and
        # organization ties are; a user's edge list is made so): then who counts whom is the
        # network itself and SocialReinforcement need not transpose it after each merge
        self.adj_symmetric = symmetric
        self._adj_bin = None
        if not derived:
            return
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

    def add_org_ties(self, i: np.ndarray, j: np.ndarray) -> None:
        """Ties formed through shared membership; they join the network at the month's end."""
        self._org_pairs_i.append(np.asarray(i, np.int64))
        self._org_pairs_j.append(np.asarray(j, np.int64))
        self._org_pairs_day.append(self.clock)

    def rebuild_adjacency(self) -> None:
        """Organization ties formed this month join the network (at the month's end)."""
        # ties formed through a group fade when not renewed: once a year the network is
        # rebuilt from the base ties and the group ties of the last org_tie_lifetime_days
        # (otherwise it would only ever densify)
        life = self.p.network.org_tie_lifetime_days
        if self._org_pairs_day and self._org_pairs_day[0] < self.clock - life - 365:
            keep = next((k for k, d in enumerate(self._org_pairs_day) if d >= self.clock - life),
                        len(self._org_pairs_day))
            del self._org_pairs_i[:keep], self._org_pairs_j[:keep], self._org_pairs_day[:keep]
            self._org_pairs_built = 0
            self._set_adjacency(self.base_adj, self._base_symmetric)
        # only the ties formed since the last rebuild: max(base, all org ties) is built up
        # month by month (an elementwise maximum, so the result is the same)
        new = len(self._org_pairs_i) - self._org_pairs_built
        if new > 0:
            l_indptr, l_indices, l_data = net.org_layer(self._org_pairs_i[-new:],
                                                        self._org_pairs_j[-new:], self.pop.n)
            self._org_pairs_built = len(self._org_pairs_i)
            adj = self.adj
            indptr, indices, data = csr_maximum(adj.indptr, adj.indices, adj.data, l_indptr,
                                                l_indices, l_data)
            # the merge of two arrays with sorted indices keeps them sorted (its rows are
            # merged in order); the organization layer is symmetric (each pair both ways,
            # net._sym), and the elementwise maximum of two symmetric arrays is symmetric
            self._set_adjacency(sp.csr_array((data, indices, indptr), shape=adj.shape),
                                symmetric=self.adj_symmetric, sorted_indices=True)

    def refresh_org_lookup(self) -> None:
        """The lists the processes read organizations from (by id, by community)."""
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

    def scaled_count(self, value: float, c: int) -> int:
        """A count stated for the reference community (seats, representatives, slots), in
        community ``c``: scaled by its households, rounded, at least one if positive."""
        return scale.scaled_count(value, float(self.household_factor[c]))

    def _choose_representatives(self) -> list[np.ndarray]:
        """Resident representatives: party members first, then the most civic residents."""
        # enough for the deliberation seats and for the party evaluation panel
        ok = eligible(self)  # hukou or a year's residence (ODD 7.16)
        reps = []
        for c, members in enumerate(self.community_members):
            k = max(self.scaled_count(self.p.deliberation.representatives, c),
                    self.scaled_count(self.p.party.evaluators_per_community, c))
            members = members[ok[members]]
            score = self.pop.disposition[members] + self.p.party.representative_party_weight * self.pop.party[members]
            reps.append(members[first_in_order(-score, k)])
        return reps

    def residents_moved(self, idx: np.ndarray) -> None:
        """Residents ``idx`` moved out (ODD 7.16): where a representative left, the
        representatives are chosen again (the seats are offices: they take time)."""
        if not self.is_representative[idx].any():
            return
        self.pop.offices[self.is_representative] -= 1
        self.representatives = self._choose_representatives()
        self.is_representative[:] = False
        self.is_representative[np.concatenate(self.representatives)] = True
        self.pop.offices[self.is_representative] += 1

    @property
    def base_symmetric(self) -> bool | None:
        """Whether the base ties are mutual with equal weights (checked when they were set)."""
        return self._base_symmetric

    def replace_base_network(self, base: sp.csr_array, moving: np.ndarray,
                             symmetric: bool | None = None) -> None:
        """The base ties after residents ``moving`` (a mask) moved (ODD 7.16): their group
        ties go too, and the network is built again from the base and the group ties left.
        ``symmetric``: whether ``base`` is, when the caller knows it (checked otherwise)."""
        self.base_adj = base
        for k in range(len(self._org_pairs_i)):
            i, j = self._org_pairs_i[k], self._org_pairs_j[k]
            keep = ~(moving[i] | moving[j])
            self._org_pairs_i[k], self._org_pairs_j[k] = i[keep], j[keep]
        self._org_pairs_built = 0
        # the base alone is an intermediate: the group ties join it at once below
        self._set_adjacency(self.base_adj, symmetric, derived=not self._org_pairs_i)
        self._base_symmetric = self.adj_symmetric
        self.rebuild_adjacency()

    def _initial_organizations(self) -> None:
        po = self.p.organizations
        rng = self.streams.org_foundings  # before day 0: no founding has drawn yet
        pop = self.pop
        for c, members in enumerate(self.community_members):
            # members as the model's own recruiting settles them (ODD 7.7): through ties, so
            # near the community's civic mean, a little freer than most (the retired), and
            # migrants at half the rate; more civic initial members thinned out for a decade
            weight = pop.disposition[members] ** po.initial_member_disposition_exponent * \
                (po.initial_member_free_time_offset + pop.free_time[members]) * \
                np.where(pop.migrant[members], po.initial_member_migrant_factor, 1.0)
            weight = weight / weight.sum()
            # a fixed density of groups (per 1,000 adults), so that communities of every
            # size start the spin-up near their settled organization sector
            # (the density of the community's own type)
            counts = initial_counts(self.community_params[c].organizations.initial_per_1000_adults,
                                    members.size)
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
        self.refresh_org_lookup()

    # ================================================================ outputs
    def run(self, days: int | None = None) -> None:
        """Run for ``days`` reported days (default: the scenario's ``run.days``); the spin-up
        ran when the model was built."""
        n = days if days is not None else self.p.run.days
        for _ in range(n):
            self.step()

    def summary(self) -> dict:
        return outcomes.summary(self)

    def spinup_timeseries(self):
        """The daily rows of the spin-up's last year (``day`` -365 .. -1), as
        :meth:`timeseries` gives the report's: the settled community that day 0 continues.
        Totals that the report counts from day 0 (spend) count from the start of the spin-up
        here. Empty when the spin-up is shorter than a day."""
        import pandas as pd
        return pd.DataFrame(self.spinup_history, columns=list(outcomes.TIMESERIES_COLUMNS))

    def timeseries(self):
        df = self.datacollector.get_model_vars_dataframe()
        df.index.name = "step"
        return df.reset_index(drop=True)

    def to_networkx(self):
        """The current social network as a networkx graph with resident attributes."""
        pop = self.pop
        return net.to_networkx(self.adj, {"community": pop.community, "migrant": pop.migrant,
                                          "party": pop.party, "retired": pop.retired})



def first_in_order(key: np.ndarray, k: int) -> np.ndarray:
    """``np.argsort(key, kind="stable")[:k]`` without sorting every element: the ``k``-th
    smallest key bounds the candidates (all of its ties kept, in index order), and only they
    are sorted (a community chooses a few dozen representatives among thousands; a mover
    among them sorted everyone again)."""
    if k <= 0:
        return np.argsort(key[:0], kind="stable")
    if k >= key.size:
        return np.argsort(key, kind="stable")[:k]
    kth = np.partition(key, k - 1)[k - 1]
    if np.isnan(kth):  # NaNs sort last: the plain rule
        return np.argsort(key, kind="stable")[:k]
    cand = np.flatnonzero(key <= kth)
    return cand[np.argsort(key[cand], kind="stable")][:k]


def initial_counts(per_1000: list[float], adults: int) -> list[int]:
    """Initial organizations by type for a community of ``adults``: the total is the rounded
    density times the size, shared out by largest remainder (rounding each type alone would
    leave a small community with none)."""
    exact = np.asarray(per_1000, float) * adults / 1000.0
    counts = np.floor(exact).astype(int)
    short = int(round(exact.sum())) - int(counts.sum())
    if short > 0:
        counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts.tolist()


def warm_up() -> None:
    """Compile every kernel of :mod:`sim.kernels` (or load it from numba's cache) by running
    a tiny model for a few weeks: ``make setup`` calls this, so that the first real run does
    not pay the compilation (about half a minute on a slow machine)."""
    CoGovModel(rng=0, collect=True, **{"population.residents_per_community": 300,
                                       "run.days": 40}).run()
