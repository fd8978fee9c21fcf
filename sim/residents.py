"""Residents: their state lives in arrays (one per attribute); the Mesa agents are views.

Every per-resident rule runs vectorized over these arrays. ``Resident`` and ``PartyMember``
are real Mesa agents of the model, one per adult, whose attributes read the arrays, so that
Mesa's tools (AgentSet, DataCollector agent reporters, visualisation) see residents.
"""

from __future__ import annotations

import mesa
import numpy as np

AGE_GROUPS = ("18-29", "30-49", "50-59", "60+")
ACT_TYPES = ("meeting", "volunteering", "organization", "evaluation")
# the acts that surveys of residents' community activities count (docs/TARGETS.md): an
# evaluation (rating a service, a proposal carried out, the party members) is not among them
ACTIVITY_TYPES = ("meeting", "volunteering", "organization")
# the reporting groups of residents (Population.groups), in the order outcomes list them
GROUPS = ("local", "migrant", "working", "retired", "party", "nonparty")
NEVER = -10**6  # "last acted" day for someone who never acted


class Population:
    """Array state of all adult residents of the run."""

    def __init__(self, rng: np.random.Generator, pp, beh, party_params, community_pp=None):
        """``pp``: the run's population section; ``community_pp``: each community's own
        (its community type's composition, sim/communities.py), default ``pp`` for all. The
        draws are the same in number and order whatever the types."""
        n_c, per = pp.n_communities, pp.residents_per_community
        cps = list(community_pp) if community_pp is not None else [pp] * n_c
        assert len(cps) == n_c
        self.n_communities = n_c
        self.n = n = n_c * per
        self.community = np.repeat(np.arange(n_c), per)
        # households: 1 + Poisson(mean-1) adults, contiguous; cut at the community's size
        household = np.empty(n, dtype=np.int64)
        hh_offset = 0
        for c in range(n_c):
            sizes = 1 + rng.poisson(cps[c].household_size - 1, size=per)  # more than enough
            ids = np.repeat(np.arange(sizes.size), sizes)[:per]
            household[c * per:(c + 1) * per] = ids + hh_offset
            hh_offset += int(ids[-1]) + 1
        self.household = household
        self.n_households = hh_offset
        # buildings never straddle two communities: number them within each community
        first_hh = np.zeros(n_c, np.int64)
        first_hh[1:] = household[np.arange(1, n_c) * per]
        local_hh = household - first_hh[self.community]
        per_building = np.array([cp.households_per_building for cp in cps], np.int64)
        local_bld = local_hh // per_building[self.community]
        bld_offset = np.zeros(n_c, np.int64)
        for c in range(1, n_c):
            bld_offset[c] = bld_offset[c - 1] + local_bld[(c - 1) * per:c * per].max() + 1
        self.building = local_bld + bld_offset[self.community]
        hh_community = np.empty(hh_offset, np.int64)
        hh_community[household] = self.community
        self.hh_community = hh_community
        # households are migrant or local as a whole
        migrant_share = np.array([cp.migrant_share for cp in cps])
        hh_migrant = rng.random(hh_offset) < migrant_share[hh_community]
        self.migrant = hh_migrant[household]
        if all(cp.age_shares == pp.age_shares for cp in cps):
            self.age_group = rng.choice(4, size=n, p=pp.age_shares).astype(np.int8)
        else:  # one uniform per adult, each community's categorical (as rng.choice draws)
            u = rng.random(n)
            self.age_group = np.empty(n, np.int8)
            for c, cp in enumerate(cps):
                cdf = np.cumsum(cp.age_shares)
                rows = self.community == c
                self.age_group[rows] = np.searchsorted(cdf / cdf[-1], u[rows], side="right")
        self.retired = self.age_group == 3
        # the party share holds over the communities of one composition together (over the
        # whole run when all share one): retirees are members party_age_gradient times as often
        p_party = np.empty(n)
        groups: dict[tuple, list[int]] = {}
        for c, cp in enumerate(cps):
            groups.setdefault((cp.party_member_share, cp.party_age_gradient), []).append(c)
        for (share, gradient), comms in groups.items():
            rows = np.isin(self.community, comms)
            base = np.where(self.retired[rows], gradient, 1.0)
            p_party[rows] = np.clip(share * base / base.mean(), 0, 1)
        self.party = rng.random(n) < p_party
        self.in_service = self.party & ~self.retired
        # a fixed uniform per resident decides registration, so that raising the registration
        # share adds members without reshuffling who already registered (paired comparisons)
        self.registration_draw = rng.random(n)
        self.registered = self.in_service & (self.registration_draw < party_params.double_registration_share)
        self.party_effort = np.ones(n)
        # invitations: the day each resident was last invited (by a party member, a group's
        # member or in person to a meeting) and the invitations each sent this year
        self.last_invited = np.full(n, NEVER, dtype=np.int64)
        self.invitations_sent_year = np.zeros(n, dtype=np.int64)

        clip = lambda x: np.clip(x, 0.0, 1.0)  # noqa: E731
        a, b = beh.initial_disposition_a, beh.initial_disposition_b
        self.disposition = clip(rng.beta(a, b, n) + beh.party_disposition_gain * self.party
                                + beh.retired_disposition_gain * self.retired)
        # migrants start with less trust and efficacy: hukou excludes them from much of
        # community life (T: clearly lower participation, CGSS 2010)
        sd = beh.initial_attitude_sd
        self.trust = clip(rng.normal(beh.initial_trust, sd, n) - beh.migrant_gap * self.migrant)
        self.efficacy = clip(rng.normal(beh.initial_efficacy, sd, n) - beh.migrant_gap * self.migrant)
        self.satisfaction = clip(rng.normal(beh.initial_satisfaction, sd, n))
        self.fatigue = np.zeros(n)
        self.free_time = np.asarray(beh.free_time_by_age, float)[self.age_group]
        # each resident's own baseline, to which habit and attitudes return without new
        # experience (ODD 7.2): the values they were drawn with
        self.disposition_trait = self.disposition.copy()
        self.trust_base = self.trust.copy()
        self.efficacy_base = self.efficacy.copy()
        self.satisfaction_base = self.satisfaction.copy()
        # finite time (ODD 7.2): a weekly civic budget; standing commitments (memberships,
        # offices) and the act hours of about the last week count against it
        self.time_budget = beh.time_budget_hours_week * self.free_time  # set by the model (evening opening)
        self.act_hours = np.zeros(n)          # decays with behaviour.act_hours_half_life_days
        self.offices = np.zeros(n, np.int32)  # groups led, representative seats

        self.last_act = np.full((len(ACT_TYPES), n), NEVER, dtype=np.int64)
        self._last_any = np.full(n, NEVER, dtype=np.int64)  # kept up to date by each decision
        self.acts = np.zeros((len(ACT_TYPES), n), dtype=np.int64)  # since start
        self.acts_year_ring = np.zeros((12, n), dtype=np.int32)    # acts per 30-day block
        self.memberships = np.zeros(n, dtype=np.int32)
        # tenure (ODD 7.16): set by init_tenure from a stream of its own
        self.renter = np.zeros(n, bool)
        self.arrival_day = np.zeros(n, np.int64)    # clock day the resident moved in (<= 0 at the start)
        self.application_draw = np.ones(n)         # a fixed uniform: applied for the election if below the share

    def init_tenure(self, rng: np.random.Generator, renter_local: np.ndarray,
                    renter_migrant: np.ndarray, moves_per_year: float) -> None:
        """Who rents (drawn per household, with the shares of each resident's community) and
        how long each household has lived here: owners for decades, renters for a time drawn
        from the stationary tenure of moving at ``moves_per_year`` (exponential)."""
        first = np.flatnonzero(np.r_[True, self.household[1:] != self.household[:-1]])
        comm, mig = self.community[first], self.migrant[first]
        share = np.where(mig, np.asarray(renter_migrant)[comm], np.asarray(renter_local)[comm])
        u = rng.random((3, first.size))
        hh_renter = u[0] < share
        years = np.where(hh_renter, -np.log1p(-u[1]) / max(moves_per_year, 1e-9), 20.0 + 30.0 * u[1])
        self.renter = hh_renter[self.household - self.household[0]]
        self.arrival_day = -np.round(years * 365.0).astype(np.int64)[self.household - self.household[0]]
        self.application_draw = rng.random(self.n)

    # ------------------------------------------------------------------ derived state
    def last_any(self) -> np.ndarray:
        """Last day of any act (the maximum of ``last_act`` over act types; kept up to date
        by each decision, :func:`sim.processes.participation.decide`, so it costs nothing to read)."""
        return self._last_any

    def acts_last_year(self) -> np.ndarray:
        return self.acts_year_ring.sum(axis=0)

    def commitment_hours(self, beh) -> np.ndarray:
        """Standing weekly hours: memberships and offices."""
        return self.memberships * beh.hours_per_membership_week + self.offices * beh.hours_per_office_week

    def groups(self) -> dict[str, np.ndarray]:
        """Boolean masks of the reporting groups."""
        return {"local": ~self.migrant, "migrant": self.migrant,
                "working": ~self.retired, "retired": self.retired,
                "party": self.party, "nonparty": ~self.party}


def _state(name: str, kind, doc: str, writable: bool = True):
    """A resident attribute that reads (and writes) row ``idx`` of the Population array."""
    def get(self):
        return kind(getattr(self.model.pop, name)[self.idx])

    def set_(self, value):
        value = kind(value)
        if kind is float and not 0.0 <= value <= 1.0 and name not in ("act_hours",):
            raise ValueError(f"{name} is a 0-1 state; got {value}")
        getattr(self.model.pop, name)[self.idx] = value
    return property(get, set_ if writable else None, doc=doc)


class Resident(mesa.Agent):
    """One adult resident: a view onto row ``idx`` of the model's Population arrays.

    Attributes read and write through to the arrays, so that setting ``r.trust = 0.9`` in a
    notebook is what the model sees the next day. Every resident, party members included, is
    in ``model.residents`` (a Mesa AgentSet); ``model.agents_by_type[PartyMember]`` holds the
    party members only (Mesa keys agents by their exact class)."""

    def __init__(self, model, idx: int):
        super().__init__(model)
        self.idx = idx

    community = _state("community", int, "community index", writable=False)
    household = _state("household", int, "household index", writable=False)
    migrant = _state("migrant", bool, "without local hukou", writable=False)
    retired = _state("retired", bool, "aged 60+", writable=False)
    trust = _state("trust", float, "trust in the community's institutions (0-1)")
    efficacy = _state("efficacy", float, "political efficacy (0-1)")
    satisfaction = _state("satisfaction", float, "satisfaction (0-1)")
    disposition = _state("disposition", float, "civic disposition (0-1)")
    fatigue = _state("fatigue", float, "fatigue (0-1)")
    memberships = _state("memberships", int, "organizations the resident belongs to", writable=False)
    renter = _state("renter", bool, "the household rents its home", writable=False)
    arrival_day = _state("arrival_day", int, "clock day the resident moved in", writable=False)
    act_hours = _state("act_hours", float, "act hours of about the last week")
    time_budget = _state("time_budget", float, "weekly civic hours", writable=False)

    @property
    def age_group(self) -> str:
        return AGE_GROUPS[self.model.pop.age_group[self.idx]]

    @property
    def acts(self) -> dict[str, int]:
        return {t: int(self.model.pop.acts[i, self.idx]) for i, t in enumerate(ACT_TYPES)}

    @property
    def ties(self) -> np.ndarray:
        a = self.model.adj
        return a.indices[a.indptr[self.idx]:a.indptr[self.idx + 1]]

    def __repr__(self) -> str:
        return (f"<{type(self).__name__} {self.idx}: community {self.community}, {self.age_group}, "
                f"{'migrant' if self.migrant else 'local'}, trust {self.trust:.2f}, "
                f"{self.memberships} memberships, {sum(self.acts.values())} acts>")


class PartyMember(Resident):
    """A resident party member; in-service members may register with the home community."""

    registered = _state("registered", bool, "in-service member registered with the home community (双报到)",
                        writable=False)
    in_service = _state("in_service", bool, "in-service (not retired) member", writable=False)
    effort = _state("party_effort", float, "service effort (raised after a low evaluation)", writable=False)
