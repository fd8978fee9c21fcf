"""Social organizations and their life cycle: founding, recruiting, activities, contracts,
dissolution; and the two money levers that feed them, micro-venture grants (公益微创投) and
purchased services (政府购买服务).

Organizations are few, so each is an ordinary Mesa agent; their members are index arrays
into the residents' arrays.

Why one long module: the agent, its founding, monthly round, grants and contracts, and the two
processes of the day that drive them (:class:`OrganizationActivities`,
:class:`OrganizationLifeCycle`) change the same organizations and read best together.
"""

from __future__ import annotations

import math
from collections import Counter

import mesa
import numpy as np

from ..kernels import gather_ties, members_round, org_activities

from ..params import NEED_TYPES, ORG_TYPES
from ..residents import ACT_TYPES
from ..params import ORG_ORIGINS
from .. import scale
from .base import Process
from ..rng import first_uniforms
from .participation import _packed, decide
from .party import random_ties

ORG_ACT = ACT_TYPES.index("organization")


class SocialOrganization(mesa.Agent):
    """A community social organization (社会组织)."""

    def __init__(self, model, community: int, org_type: str, origin: str, members: np.ndarray,
                 funds: float, reputation: float = 0.5, social_worker: bool = False):
        super().__init__(model)
        assert org_type in ORG_TYPES
        self.community = community
        self.org_type = org_type
        self.origin = origin
        self.members = np.unique(members.astype(np.int64))
        self.funds = float(funds)
        self.reputation = reputation
        self.social_worker = social_worker
        self.contract_items = 0
        self.project_until = -1  # day numbers are never negative (the clock starts at the spin-up)
        self.project_boost = 0.0  # extra activities a week from a funded project
        self.founded_day = model.clock
        self.alive = True
        self.activities = 0
        self.services_delivered = 0
        self.service_credit = 0.0
        self.founder = -1  # the resident who founded it (-1: an initial organization)
        model.pop.memberships[self.members] += 1

    def __repr__(self) -> str:
        return (f"<SocialOrganization {self.unique_id}: {self.org_type}, {self.origin}, community "
                f"{self.community}, {self.members.size} members, {self.funds:,.0f} yuan, "
                f"{'alive' if self.alive else 'dissolved'}>")

    # ---------------------------------------------------------------- daily and monthly
    def activity_rate(self, day: int) -> float:
        """Expected activities today: the rule for one group, written plainly
        (:func:`activity_rates` is the same for all groups at once; a test ties them)."""
        po = self.model.p.organizations
        per_week = po.activities_per_week
        if day < self.project_until:
            per_week += self.project_boost
        if self.funds < po.cost_per_activity_yuan:
            per_week *= po.unfunded_activity_factor  # volunteer-run only
        return per_week / 7.0

    def service_capacity(self) -> float:
        """Needs it can serve a day: a little as volunteers, more per contracted item."""
        ps = self.model.p.purchased_services
        inc = self.model.p.incubation
        base = self.model.p.needs.org_capacity_per_day * (inc.social_worker_capacity_factor
                                                          if self.social_worker else 1.0)
        # the contract's money buys the service: an item serves budget / (365 x yuan a service)
        # (a contract is sized to the community it serves: its budget scales with households)
        item_yuan = ps.budget_per_item_yuan * self.model.household_factor[self.community]
        return base + self.contract_items * item_yuan / (365.0 * ps.yuan_per_service)

    def success_chance(self) -> float:
        po, inc = self.model.p.organizations, self.model.p.incubation
        return po.base_success + po.reputation_success_weight * self.reputation \
            + (inc.social_worker_success_gain if self.social_worker else 0.0)

    def set_founder(self, who: int) -> None:
        """The group's leader holds an office (it takes time, ODD 7.2)."""
        offices = self.model.pop.offices
        if self.founder >= 0:
            offices[self.founder] -= 1
        self.founder = who
        if who >= 0:
            offices[who] += 1

    def dissolve(self) -> None:
        self.alive = False
        self.model.pop.memberships[self.members] -= 1
        self.members = self.members[:0]
        self.set_founder(-1)
        self.model.process("org_life_cycle").org_dissolved(self)
        self.remove()


def activity_rates(po, orgs: list, day: int) -> np.ndarray:
    """Expected activities today of each group: ``activities_per_week`` (+ a funded project's
    ``project_boost`` while it runs), times ``unfunded_activity_factor`` when the group cannot
    pay for one more activity (volunteer-run only), over 7 days."""
    return np.array(activity_rate_list(po, orgs, day), np.float64)


def activity_rate_list(po, orgs: list, day: int) -> list[float]:
    """:func:`activity_rates` as a list of Python floats."""
    per_week, unfunded, cost = po.activities_per_week, po.unfunded_activity_factor, po.cost_per_activity_yuan
    # one pass over the groups (a few dozen: Python floats beat a chain of numpy calls)
    return [(per_week + (org.project_boost if day < org.project_until else 0.0))
            * (unfunded if org.funds < cost else 1.0) / 7.0 for org in orgs]


# ----------------------------------------------------------------------------- founding
def found(model, community: int, founder: int, org_type: str, origin: str, funds: float,
          rng: np.random.Generator, extra_members: int | None = None) -> SocialOrganization:
    """A founder starts an organization with members drawn from their ties."""
    n_found = model.p.organizations.founding_members if extra_members is None else extra_members
    ties = model.ties_of(founder)
    pick = ties[rng.permutation(ties.size)[:n_found]] if ties.size else ties
    members = np.r_[founder, pick]
    org = SocialOrganization(model, community, org_type, origin, members, funds,
                             social_worker=model.social_worker_available(community))
    org.set_founder(founder)
    model.orgs.append(org)
    model.process("org_life_cycle").foundings[origin] += 1
    return org


def founder_type(model, founder: int, rng: np.random.Generator) -> str:
    """Migrants found migrant self-management groups more often; others follow unmet needs."""
    if model.pop.migrant[founder] and rng.random() < model.p.organizations.migrant_group_share:
        return "migrant"
    return ORG_TYPES[int(rng.integers(0, len(ORG_TYPES) - 1))]


def niche_left(model) -> np.ndarray:
    """By community, the share of the niche for resident groups still open:
    ``max(0, 1 - groups / (orgs_per_1000_saturation x adults / 1000))``. Resident foundings
    scale with it, so the number of groups saturates."""
    return np.clip(niche_left_raw(model), 0.0, 1.0)


def niche_left_raw(model) -> np.ndarray:
    """``1 - groups / niche`` by community, negative where groups outnumber the niche."""
    po = model.p.organizations
    n_c = model.pop.n_communities
    have = np.zeros(n_c)
    for o in model.orgs:
        if o.alive and o.origin != "contract":
            have[o.community] += 1
    room = np.array([po.orgs_per_1000_saturation * m.size / 1000.0 for m in model.community_members])
    return 1.0 - have / np.maximum(room, 1e-9)


def crowding(model) -> np.ndarray:
    """By community, ``max(1, resident groups / niche)``: how far the groups outnumber their
    niche (1 where they do not)."""
    return np.maximum(1.0, 1.0 - niche_left_raw(model))


def crowding_factor(model, crowded: np.ndarray | None = None) -> np.ndarray:
    """By community, the factor on the fold rate where resident groups outnumber their niche:
    ``crowding^fold_crowding_exponent`` (:func:`crowding`, or ``crowded`` when given). Crowded
    groups compete for members, venues and the committee's attention (grant-funded groups
    included). Density-dependent mortality (Hannan and Freeman 1989); the exponent (1 by
    default) is unmeasured: 3 made the grants' groups settle within a few years but let the
    hub's incubated groups crowd every group into folding more (ODD 7.7)."""
    crowded = crowding(model) if crowded is None else crowded
    return crowded ** model.p.organizations.fold_crowding_exponent


def resident_foundings(model, rng: np.random.Generator) -> None:
    """Core activists found organizations; filing and social workers make it easier.

    Only activists with time to spare found (their commitments and recent acts leave room for
    an office), and the daily chance scales with the niche still open in their community
    (:func:`niche_left`): foundings depend on unmet demand and saturate."""
    po, inc = model.p.organizations, model.p.incubation
    activists = model.activists
    rate = po.founding_per_activist_year / 365.0
    if inc.filing_instead_of_registration:
        rate *= inc.filing_founding_factor
    u = rng.random(activists.size)  # one uniform per activist whatever follows (paired runs)
    if activists.size == 0:
        return
    # social workers (三社联动) help activists start groups
    if inc.social_workers > 0:
        rate *= inc.social_worker_founding_factor
    pop, beh = model.pop, model.p.behaviour
    # the niche share is at most 1: only activists with u < rate can found today, and most
    # days there are none (the same founders, in the same order, as testing everyone)
    maybe = u < rate
    if not maybe.any():
        return
    cand, u = activists[maybe], u[maybe]
    niche = niche_left(model)
    spare = pop.time_budget[cand] - model.commitment_hours[cand] - pop.act_hours[cand]
    free = spare >= beh.hours_per_office_week
    for founder in cand[(u < rate * niche[pop.community[cand]]) & free]:
        c = int(model.pop.community[founder])
        found(model, c, int(founder), founder_type(model, founder, rng), "resident",
              po.initial_funds_yuan, rng)


def hub_incubation(model, rng: np.random.Generator) -> None:
    """The hub organization incubates groups around willing residents (1+9+N)."""
    inc = model.p.incubation
    pop = model.pop
    for c in range(pop.n_communities):
        # the hub's professionals find new niches (services for the elderly, the disabled,
        # migrants): its foundings are not bounded by the residents' niche, but its groups
        # fold and lose members as every group does
        for _ in range(rng.poisson(inc.hub_foundings_per_year / 365.0)):
            cand = model.community_members[c]
            # the hub looks for the most willing residents it can find: the best of those asked
            asked = cand[rng.integers(0, cand.size, inc.hub_candidates)]
            founder = int(asked[np.argmax(pop.disposition[asked])])
            found(model, c, founder, founder_type(model, founder, rng), "incubated",
                  inc.hub_funds_factor * model.p.organizations.initial_funds_yuan, rng)


# ----------------------------------------------------------------------------- monthly
def monthly(model, rng: np.random.Generator) -> None:
    """Dues and office support come in; members recruit ties; idle members drop out;
    organizations with no money and too few members dissolve. Recruiting and leaving run
    for all groups in one compiled pass (:func:`sim.kernels.members_round`; the rule group
    by group is :func:`members_round_reference`)."""
    po, pc = model.p.organizations, model.p.committee
    day = model.clock
    by_comm: dict[int, list] = {}
    for org in model.orgs:
        by_comm.setdefault(org.community, []).append(org)
    support = pc.office_budget_yuan * pc.org_support_share / 12.0
    costs = model.process("costs")
    support_ratio = model.process("committee_support").org_support_ratio
    for c in range(model.pop.n_communities):
        orgs = by_comm.get(c, [])
        # the month's org-support budget is spent in full (a budget line, not an outcome);
        # the committee's support hours decide how much of it reaches the groups, the rest
        # goes to the committee's own small activities
        costs.book("office_support", support)
        wanted = sum(o.members.size > 0 for o in orgs)
        share = support_ratio[c]
        if wanted:
            per = support * share / wanted
            for o in orgs:
                if o.members.size:
                    o.funds += per
    assign_social_workers(model)
    crowded = crowding(model)
    fold_factor = crowding_factor(model, crowded)
    # groups beyond the niche share its recruits (McPherson 1983): more groups do not mean
    # more residents who want to join one
    recruit_share = crowded ** -po.recruit_crowding_exponent
    base_rate = po.activities_per_week / 7.0
    orgs = list(model.orgs)
    sw_factor = model.p.incubation.social_worker_dropout_factor
    p_join = np.zeros(len(orgs))
    for g, org in enumerate(orgs):
        org.funds += po.dues_yuan_per_member_month * org.members.size
        if org.members.size:
            # recruiting through members' ties: each tie of a member joins with a small chance
            # that grows with the group's activities (a funded project's extra activities are
            # extra occasions to bring ties along; a broke group runs fewer and recruits less);
            # a full group stops recruiting (it meets in one room or courtyard)
            activity = org.activity_rate(day) / base_rate if base_rate > 0 else 1.0
            # (a professional organization brought in by a contract keeps a volunteer team)
            full = po.contract_team_size if org.origin == "contract" else po.group_size_saturation
            room = max(0.0, 1.0 - org.members.size / full)
            p_join[g] = min(1.0, po.recruit_prob_per_tie_month * (po.recruit_reputation_offset + org.reputation)
                            * activity * room * recruit_share[org.community])
    sizes = np.array([o.members.size for o in orgs], np.int64)
    ptr = np.zeros(len(orgs) + 1, np.int64)
    np.cumsum(sizes, out=ptr[1:])
    members = np.concatenate([o.members for o in orgs]) if orgs else np.zeros(0, np.int64)
    p_idle = np.array([po.dropout_per_month * (sw_factor if o.social_worker else 1.0) for o in orgs])
    founder = np.array([o.founder for o in orgs], np.int64)
    beh, pop, adj = model.p.behaviour, model.pop, model.adj
    new_ptr, new_members, pair_i, pair_j, new_founder, last, u_fold = members_round(
        rng, ptr, members, np.array([o.community for o in orgs], np.int64), p_join, p_idle,
        founder, adj.indptr, adj.indices, pop.community, model.commitment_hours, pop.act_hours,
        pop.time_budget, pop.last_act[ORG_ACT], model.acts_year, pop.memberships,
        beh.hours_per_membership_week, beh.hours_per_office_week, po.activist_acts,
        model.p.network.org_ties_per_join, day - po.idle_member_days,
        1.0 - math.exp(-po.churn_per_year / 12.0), po.overload_dropout_per_month)
    if pair_i.size:
        model.add_org_ties(pair_i, pair_j)
    for g, org in enumerate(orgs):
        org.members = new_members[new_ptr[g]:new_ptr[g + 1]]
        if new_founder[g] != org.founder:
            org.set_founder(int(new_founder[g]))  # -1 when nobody takes the office on
        # the group dies when its core is gone: no member took part in its activities for
        # core_idle_days, or too few members and no money for one more activity, or nobody
        # left; a contracted organization lives on its staff while the contract runs
        broke = org.funds < po.cost_per_activity_yuan
        fold = fold_rate_month(po, org.members.size, (day - org.founded_day) / 365.0) * \
            fold_factor[org.community] * (sw_factor if org.social_worker else 1.0)
        # a resident group that holds a contract can still fold (venue, leader, quarrel) and
        # its items go out again at the year's end; a professional organization brought in by
        # the contract lives on its staff while the contract runs. (When contracted resident
        # groups could not fold, they held their contracts for a decade and their members'
        # participation kept rising 2-3% a year.)
        folds = u_fold[g] < fold and (org.contract_items == 0 or org.origin != "contract")
        core_gone = max(int(last[g]), org.founded_day) < day - po.core_idle_days or org.founder < 0
        if folds or org.contract_items == 0 and (core_gone or org.members.size == 0) or \
                (broke and org.members.size < po.min_members):
            org.dissolve()


def fold_rate_month(po, members: int, age_years: float) -> float:
    """A group's monthly chance of folding for reasons outside the model, before crowding:
    ``fold_per_year / 12 x (fold_reference_members / max(members, 1))^fold_size_exponent
    x (1 + fold_newness_excess x exp(-age / fold_newness_years))``. Small and young groups
    fold faster (the liabilities of smallness and newness: Stinchcombe 1965, Hannan and
    Freeman 1984); a size-blind rate killed large groups as often as small ones, and their
    replacements started tiny, so a small community's membership swung for years."""
    size = (po.fold_reference_members / max(members, 1)) ** po.fold_size_exponent
    newness = 1.0 + po.fold_newness_excess * math.exp(-max(age_years, 0.0) / po.fold_newness_years)
    return po.fold_per_year / 12.0 * size * newness


def members_round_reference(rng, ptr, members, comm, p_join, p_idle, founder, indptr, indices,
                            community, committed, act_hours, time_budget, last_org_act, acts_year,
                            memberships, hours_membership, hours_office, activist_acts,
                            ties_per_join, idle_before, p_leave_base, p_over):
    """The month's recruiting and leaving, group by group as ODD 7.7 states it
    (:func:`sim.kernels.members_round` is the same in one compiled pass; a test ties them).

    Each same-community tie of a member joins with ``p_join x clip(1 - load, 0, 1)`` when a
    membership's weekly hours fit in their budget (load: standing commitments and recent act
    hours over the budget); a new member forms ``ties_per_join`` ties with random members.
    Then every member leaves with ``p_leave_base`` (churn), plus ``p_idle`` when idle since
    ``idle_before``, plus ``p_over`` when overcommitted; a leader who leaves is succeeded by the
    most active member with an office's hours to spare and ``activist_acts`` acts (-1: none)."""
    out, pairs_i, pairs_j, last, u_fold = [], [], [], [], []
    new_founder = founder.copy()
    for g in range(comm.size):
        cur = members[ptr[g]:ptr[g + 1]]
        if cur.size:
            cand = gather_ties(indptr, indices, cur)
            cand = cand[community[cand] == comm[g]]
            if cand.size:
                u = rng.random(cand.size)
                load = (committed[cand] + act_hours[cand]) / np.maximum(time_budget[cand], 1e-9)
                fits = committed[cand] + hours_membership <= time_budget[cand]
                joins = np.unique(cand[(u < p_join[g] * np.clip(1.0 - load, 0.0, 1.0)) & fits])
                new = np.setdiff1d(joins, cur)
                if new.size:
                    if ties_per_join:
                        partners = cur[rng.integers(0, cur.size, (new.size, ties_per_join))]
                        pairs_i.append(np.repeat(new, ties_per_join))
                        pairs_j.append(partners.ravel())
                    cur = np.union1d(cur, new)
                    memberships[new] += 1
            u = rng.random(cur.size)
            p_leave = p_leave_base + np.where(last_org_act[cur] < idle_before, p_idle[g], 0.0)
            p_leave = p_leave + np.where(committed[cur] > time_budget[cur], p_over, 0.0)
            leavers = cur[u < p_leave]
            cur = np.setdiff1d(cur, leavers)
            memberships[leavers] -= 1
            if founder[g] >= 0 and np.any(leavers == founder[g]):
                spare = time_budget[cur] - committed[cur] - act_hours[cur]
                able = cur[(spare >= hours_office) & (acts_year[cur] >= activist_acts)]
                new_founder[g] = int(able[np.argmax(acts_year[able])]) if able.size else -1
        last.append(int(last_org_act[cur].max()) if cur.size else -1)
        u_fold.append(rng.random())
        out.append(cur)
    new_ptr = np.zeros(comm.size + 1, np.int64)
    np.cumsum([o.size for o in out], out=new_ptr[1:])
    cat = (lambda xs: np.concatenate(xs).astype(np.int64) if xs else np.zeros(0, np.int64))
    return (new_ptr, cat(out), cat(pairs_i), cat(pairs_j), new_founder, np.array(last, np.int64),
            np.array(u_fold))


def assign_social_workers(model) -> None:
    """Attach each community's social workers (``incubation.social_workers``) to its
    organizations in turn, oldest first, one each: a group with a social worker serves 1.5
    times the needs, succeeds more often and loses idle members half as fast."""
    by_comm: dict[int, list] = {}
    for o in model.orgs:
        if o.alive:
            by_comm.setdefault(o.community, []).append(o)
    for c, orgs in by_comm.items():
        n_sw = model.scaled_count(model.p.incubation.social_workers, c)
        have = sum(o.social_worker for o in orgs)
        for o in sorted(orgs, key=lambda o: (o.founded_day, o.unique_id)):
            if have >= n_sw:
                break
            if not o.social_worker:
                o.social_worker = True
                have += 1


# ----------------------------------------------------------------------------- grants
def grant_contest(model, rng: np.random.Generator) -> None:
    """A micro-venture contest (公益微创投).

    Proposals come from resident leaders (residents with at least ``activist_acts`` acts in
    the past year, half that with proposal-writing training), who would found a new group
    around the project, and from existing resident groups (not contract organizations),
    which would grow. Proposals are ranked by ``scoring``: quality (a leader's disposition
    and efficacy, or a group's reputation and its members' efficacy; training adds 0.15 to
    leaders' proposals), a lottery, or the unmet needs of the proposer's type. The best
    ``grants_per_contest`` are funded with an amount drawn uniformly in the range: a leader
    founds a group (origin "grant") with the grant as its funds; a group gets the money.
    For ``project_days`` the project adds log(1 + amount/yuan_per_extra_activity) activities
    a week (diminishing returns to money); more activities also mean more recruiting (see
    :func:`monthly`). The money and the training are booked to ``spend["grants"]``."""
    g = model.p.grants
    pop = model.pop
    threshold = model.p.organizations.activist_acts * (g.training_threshold_factor if g.proposal_training else 1.0)
    leaders = np.flatnonzero(model.acts_year >= threshold)
    orgs = [o for o in model.orgs if o.origin != "contract" and o.alive and o.members.size]
    props = [("person", int(i)) for i in leaders] + [("org", o) for o in orgs]
    if g.proposal_training:
        model.process("costs").book("grants", g.training_cost_yuan)
    if not props or g.grants_per_contest == 0:
        return
    ptype = {who: founder_type(model, who, rng) for k, who in props if k == "person"}
    if g.scoring == "random":
        score = rng.random(len(props))
    elif g.scoring == "need":
        unmet = model.unmet_needs_by_type()
        score = np.array([unmet.get(o.org_type if k == "org" else ptype[o], 0) for k, o in props],
                         float) + rng.random(len(props))
    else:  # quality: the proposer's skill and record, better with training
        q = np.array([0.5 * (pop.disposition[o] + pop.efficacy[o]) + (g.training_quality_gain if g.proposal_training else 0.0)
                      if k == "person" else 0.5 * (o.reputation + float(pop.efficacy[o.members].mean()))
                      for k, o in props])
        score = q + rng.normal(0, g.proposal_score_noise, len(props))
    # projects funded scale with the households the contest serves (ODD 7.15)
    winners = np.argsort(-score, kind="stable")[:scale.scaled_count(g.grants_per_contest, float(model.household_factor.sum()))]
    life = model.process("org_life_cycle")
    amounts = rng.uniform(g.amount_min_yuan, g.amount_max_yuan, winners.size)
    for w, amount in zip(winners, amounts):
        kind, who = props[w]
        if kind == "person":
            org = found(model, int(pop.community[who]), who, ptype[who], "grant", 0.0, rng)
            life.grant_groups.append(org)
        else:
            org = who
        org.funds += amount
        org.project_until = model.clock + g.project_days
        org.project_boost = math.log1p(amount / g.yuan_per_extra_activity)
        model.process("costs").book("grants", amount)
        life.grants_awarded += 1


# ----------------------------------------------------------------------------- contracts
def award_contracts(model, rng: np.random.Generator) -> None:
    """Each community's purchased service items go to the best matching organization, or
    to a professional organization brought in by the contract."""
    ps = model.p.purchased_services
    # the contract year runs from this award: the next comes 365 days later (an award at
    # the policy start and another at the year's end booked two contracts' money in year 1)
    model.process("org_life_cycle").contracts_awarded = model.clock
    if ps.items == 0:
        return
    for o in model.orgs:
        o.contract_items = 0
    for c in range(model.pop.n_communities):
        for k in range(ps.items):
            t = ps.item_types[k % len(ps.item_types)]
            cands = [o for o in model.orgs if o.community == c and o.org_type == t and o.alive]
            if cands:
                org = max(cands, key=lambda o: (o.reputation, -o.unique_id))
            else:
                cm = model.community_members[c]
                founder = int(cm[rng.integers(0, cm.size)])
                org = found(model, c, founder, t, "contract", model.p.organizations.initial_funds_yuan, rng,
                            extra_members=model.p.organizations.contract_extra_members)
                org.social_worker = True
                org.reputation = model.p.organizations.contract_reputation
            org.contract_items += 1
            # the contract's money buys the service (SocialOrganization.service_capacity), not
            # the group's activities: booked as spent, never the group's cash (in its cash it
            # piled up by 55,000 yuan a contracted year, since activities cost 150 yuan)
            model.process("costs").book("purchased_services", ps.budget_per_item_yuan * model.household_factor[c])


__all__ = ["SocialOrganization", "found", "monthly", "grant_contest", "award_contracts",
           "assign_social_workers",
           "resident_foundings", "hub_incubation", "NEED_TYPES"]


# ------------------------------------------------------------------ processes of the day
class OrganizationActivities(Process):
    """Step 10: each organization holds an activity with its daily chance
    (:meth:`SocialOrganization.activity_rate`); recently active members bring a tie along as
    guest; members and guests decide whether to take part (ODD 7.7)."""

    name = "org_activities"
    sections = ("organizations",)
    records = ("org_activities",)
    state = ("invitations_total",)
    caches = ("_members_csr",)

    def __init__(self, model):
        super().__init__(model)
        self.invitations_total = 0  # guests invited by members since day 0
        self._members_csr = None    # see _members_csr()

    def step(self) -> None:
        m = self.model
        day, rng, po = m.clock, m.streams.org_activities, m.p.organizations
        cost = po.cost_per_activity_yuan
        orgs = [org for org in m.orgs if org.members.size]
        if not orgs:
            return
        # every group's chance of an activity today (SocialOrganization.activity_rate, for all
        # groups at once: one uniform per group with members, drawn together)
        # (compared as Python floats, a few dozen groups; a uniform is below 1, so a chance
        # above 1 holds as surely as one capped at 1)
        holds = [u < rate for u, rate in zip(rng.random(len(orgs)).tolist(), activity_rate_list(po, orgs, day))]
        if not any(holds):
            return
        held = [org for org, h in zip(orgs, holds) if h]
        holds = np.array(holds)
        for org in held:
            org.activities += 1
            if org.funds >= cost:
                org.funds -= cost
        m.today["org_activities"] += len(held)
        hold_activities(m, rng, orgs, holds)

    def start_reporting(self) -> None:
        m = self.model
        self.invitations_total = 0
        for o in m.orgs:
            o.activities = 0
            o.services_delivered = 0

    def results(self) -> dict:
        return {"org_invitations": self.invitations_total}


def hold_activities(m, rng: np.random.Generator, orgs: list, holds: np.ndarray) -> None:
    """The activities of the groups ``orgs[holds]`` today: :func:`hold_activities_reference`'s
    rule in one compiled pass over the groups (:func:`sim.kernels.org_activities`)."""
    po, day = m.p.organizations, m.clock
    ptr, members, comm, sizes = _members_csr(m, orgs)
    logit0, w, invited_after, who, booking, record = _packed(m, "organization", 0.0)
    # at most two uniforms per member of a holding group (an invitation and its tie)
    most = 2 * int(sizes[holds].sum())
    taken, invitations = first_uniforms(rng, most, lambda u: org_activities(
        u, ptr, members, comm, holds, day - po.recent_member_days, po.guest_invite_share,
        m.adj.indptr, m.adj.indices, m.pop.community, day, m.pop.last_invited, m.process("day_start").draws[ORG_ACT],
        logit0, logit0 + po.guest_logit, w, invited_after, who, booking, record))
    m.process("org_activities").invitations_total += invitations
    m.today_acts["organization"] += taken


def _members_csr(m, orgs: list) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The members of ``orgs`` as CSR (offsets, members), their communities and sizes, kept while
    each group in the list holds the same members array (members are replaced, never changed
    in place, and each group has its own array; the cache holds the arrays, so identity is
    safe)."""
    proc = m.process("org_activities")
    cache = proc._members_csr
    if cache is None or len(cache[0]) != len(orgs) or any(
            a is not o.members for a, o in zip(cache[0], orgs)):
        arrays = [o.members for o in orgs]
        ptr = np.zeros(len(orgs) + 1, np.int64)
        np.cumsum([a.size for a in arrays], out=ptr[1:])
        cache = (arrays, ptr, np.concatenate(arrays), np.array([o.community for o in orgs], np.int64),
                 np.diff(ptr))
        proc._members_csr = cache
    return cache[1:]


def hold_activities_reference(m, rng: np.random.Generator, held: list) -> None:
    """The activities of the groups in ``held`` today, group by group as ODD 7.7 states it
    (:func:`sim.kernels.org_activities` is the same in one compiled pass; a test ties them):
    members who took part in the group's activities in the last ``recent_member_days`` each
    invite a guest with ``guest_invite_share``, a tie drawn uniformly (guests outside the
    group's community stay home); members decide whether to take part, then the guests who
    are not members, with ``guest_logit`` added (:func:`decide`). The money and the activity
    counts are booked by the caller."""
    day, po = m.clock, m.p.organizations
    for org in held:
        # members who were active recently bring a tie along as guest
        recent = org.members[m.pop.last_act[ORG_ACT, org.members] > day - po.recent_member_days]
        guests = np.empty(0, np.int64)
        if recent.size:
            inviting = recent[rng.random(recent.size) < po.guest_invite_share]
            _, guests = random_ties(rng, m.adj, inviting)  # ties, unweighted
            guests = guests[m.pop.community[guests] == org.community]
            m.pop.last_invited[guests] = day
            m.process("org_activities").invitations_total += guests.size
        decide(m, org.members, "organization")
        if guests.size:
            # members decided above: the guests are the others (members are sorted, unique
            # and at least one)
            guests = np.unique(guests)
            pos = np.minimum(np.searchsorted(org.members, guests), org.members.size - 1)
            guests = guests[org.members[pos] != guests]
        if guests.size:
            decide(m, guests, "organization", extra_logit=po.guest_logit)


class OrganizationLifeCycle(Process):
    """Step 11: the life cycle and the money of organizations (ODD 7.7, 7.8): resident
    foundings (:func:`resident_foundings`) and hub incubation (:func:`hub_incubation`) every
    day; at the month's end the yearly act counts are refreshed, :func:`monthly` runs, the
    organization ties join the network and the organization lists are rebuilt; purchased
    services are contracted at the year's end (:func:`award_contracts`) and grant contests
    held on their days (:func:`grant_contest`)."""

    name = "org_life_cycle"
    sections = ("organizations", "grants", "purchased_services", "incubation")
    state = ("contest_days", "foundings", "dissolutions", "activities_of_dissolved",
             "grants_awarded", "grant_groups", "contracts_awarded")

    def __init__(self, model):
        super().__init__(model)
        self.contest_days = self._contest_days(model.p)
        self.contracts_awarded = 0  # the clock day of the last award of purchased services
        self._reset_totals()

    def _reset_totals(self) -> None:
        self.foundings = Counter({k: 0 for k in ORG_ORIGINS})  # by origin, since day 0
        self.dissolutions = 0
        self.activities_of_dissolved = 0  # the report counts them too
        self.grants_awarded = 0
        self.grant_groups: list = []  # groups founded by a grant since day 0

    def org_dissolved(self, org) -> None:
        self.dissolutions += 1
        self.activities_of_dissolved += org.activities

    @staticmethod
    def _contest_days(p) -> set[int]:
        k = p.grants.contests_per_year
        return {int(60 + i * 365 / k) % 365 for i in range(k)}

    def step(self) -> None:
        m = self.model
        p, s, day, cal = m.p, m.streams, m.clock, m.calendar
        doy = cal.day_of_year(day)
        resident_foundings(m, s.org_foundings)
        if p.incubation.hub:
            hub_incubation(m, s.hub)
        if cal.month_end(day):
            m.refresh_acts_year()
            monthly(m, s.org_monthly)
            m.rebuild_adjacency()
            m.refresh_org_lookup()
        if p.purchased_services.items and day - self.contracts_awarded >= 365:
            award_contracts(m, s.contracts)
            m.refresh_org_lookup()
        elif doy == 364:
            m.refresh_org_lookup()  # the lists' yearly rebuild, where the awards used to be
        if doy in self.contest_days:
            m.refresh_acts_year()
            grant_contest(m, s.grants)
            m.refresh_org_lookup()

    def start_reporting(self) -> None:
        self._reset_totals()

    def daily_outcomes(self) -> dict:
        """Organizations alive and their members today."""
        orgs = self.model.orgs
        return {"organizations": len(orgs), "org_members": sum(o.members.size for o in orgs)}

    def results(self) -> dict:
        """The organization sector at the end, and its flows since day 0."""
        m = self.model
        orgs = m.orgs
        out: dict = {"organizations": len(orgs)}
        for t in ORG_TYPES:
            out[f"organizations_{t}"] = sum(1 for x in orgs if x.org_type == t)
        for origin in ORG_ORIGINS:
            out[f"organizations_origin_{origin}"] = sum(1 for x in orgs if x.origin == origin)
            out[f"foundings_{origin}"] = int(self.foundings[origin])
        out["organizations_resident_founded"] = sum(
            1 for x in orgs if x.origin in ("resident", "grant", "incubated"))
        out["org_members"] = int(sum(x.members.size for x in orgs))
        out["residents_in_an_organization_share"] = float((m.pop.memberships > 0).mean())
        out["memberships_per_adult"] = out["org_members"] / m.pop.n
        # groups a grant founded at least a year ago (in the report) that still run
        old_grants = [o for o in self.grant_groups if o.founded_day <= m.clock - 365]
        out["grant_projects_alive_after_year_share"] = (
            sum(o.alive for o in old_grants) / len(old_grants) if old_grants else float("nan"))
        out["org_services_delivered"] = int(sum(x.services_delivered for x in orgs))
        # activities in the report, of groups alive now and of those dissolved since day 0
        out["org_activities"] = int(sum(x.activities for x in orgs) + self.activities_of_dissolved)
        out["dissolutions"] = self.dissolutions
        out["grants_awarded"] = self.grants_awarded
        return out

    def policy_started(self, old, new) -> None:
        m = self.model
        self.contest_days = self._contest_days(new)
        award_contracts(m, m.streams.contracts)
        m.refresh_org_lookup()

    def daily_costs(self) -> dict[str, float]:
        m = self.model
        inc = m.p.incubation
        workers = sum(m.scaled_count(inc.social_workers, c) for c in range(m.pop.n_communities))
        return {"incubation": (workers * inc.social_worker_cost_yuan
                               + m.pop.n_communities * (inc.hub_cost_yuan if inc.hub else 0.0)) * (1.0 / 365.0)}
