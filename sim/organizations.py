"""Social organizations and their life cycle: founding, recruiting, activities, contracts,
dissolution; and the two money levers that feed them, micro-venture grants (公益微创投) and
purchased services (政府购买服务).

Organizations are few, so each is an ordinary Mesa agent; their members are index arrays
into the residents' arrays.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from .params import NEED_TO_ORG, NEED_TYPES, ORG_TYPES
from .residents import ACT_TYPES

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
        self.project_until = -1
        self.project_boost = 0.0  # extra activities a week from a funded project
        self.founded_day = model.day
        self.alive = True
        self.activities = 0
        self.services_delivered = 0
        self.service_credit = 0.0
        model.pop.memberships[self.members] += 1

    # ---------------------------------------------------------------- daily and monthly
    def activity_rate(self, day: int) -> float:
        """Expected activities today."""
        per_week = self.model.p.organizations.activities_per_week
        if day < self.project_until:
            per_week += self.project_boost
        if self.funds < self.model.p.organizations.cost_per_activity_yuan:
            per_week *= 0.5  # without money, only volunteer-run activities
        return per_week / 7.0

    def service_capacity(self) -> float:
        """Needs it can serve a day: a little as volunteers, more per contracted item."""
        ps = self.model.p.purchased_services
        base = self.model.p.needs.org_capacity_per_day * (1.5 if self.social_worker else 1.0)
        return base + self.contract_items * ps.capacity_per_item_day

    def success_chance(self) -> float:
        return 0.55 + 0.35 * self.reputation + (0.05 if self.social_worker else 0.0)

    def add_members(self, new: np.ndarray, rng: np.random.Generator) -> None:
        """New members join and form ties with some existing members."""
        new = np.setdiff1d(new, self.members)
        if new.size == 0:
            return
        k = self.model.p.network.org_ties_per_join
        if self.members.size and k:
            partners = self.members[rng.integers(0, self.members.size, (new.size, k))]
            self.model.add_org_ties(np.repeat(new, k), partners.ravel())
        self.members = np.union1d(self.members, new)
        self.model.pop.memberships[new] += 1

    def remove_members(self, leavers: np.ndarray) -> None:
        if leavers.size == 0:
            return
        self.members = np.setdiff1d(self.members, leavers)
        self.model.pop.memberships[leavers] -= 1

    def dissolve(self) -> None:
        self.alive = False
        self.model.pop.memberships[self.members] -= 1
        self.members = self.members[:0]
        self.model.org_dissolved(self)
        self.remove()


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
    model.orgs.append(org)
    model.foundings[origin] += 1
    return org


def founder_type(model, founder: int, rng: np.random.Generator) -> str:
    """Migrants found migrant self-management groups more often; others follow unmet needs."""
    if model.pop.migrant[founder] and rng.random() < 0.4:
        return "migrant"
    return ORG_TYPES[int(rng.integers(0, len(ORG_TYPES) - 1))]


def resident_foundings(model, rng: np.random.Generator) -> None:
    """Core activists found organizations; filing and social workers make it easier."""
    po, inc = model.p.organizations, model.p.incubation
    activists = np.flatnonzero(model.acts_year >= po.activist_acts)
    rate = po.founding_per_activist_year / 365.0
    if inc.filing_instead_of_registration:
        rate *= inc.filing_founding_factor
    u = rng.random(activists.size)
    sw = np.array([model.social_worker_available(c) for c in model.pop.community[activists]], bool) \
        if activists.size else np.zeros(0, bool)
    for founder in activists[u < rate * np.where(sw, 1.5, 1.0)]:
        c = int(model.pop.community[founder])
        found(model, c, int(founder), founder_type(model, founder, rng), "resident",
              po.initial_funds_yuan, rng)


def hub_incubation(model, rng: np.random.Generator) -> None:
    """The hub organization incubates groups around willing residents (1+9+N)."""
    inc = model.p.incubation
    pop = model.pop
    for c in range(pop.n_communities):
        for _ in range(rng.poisson(inc.hub_foundings_per_year / 365.0)):
            cand = model.community_members[c]
            # the hub looks for the most willing residents it can find: best of 20 asked
            asked = cand[rng.integers(0, cand.size, 20)]
            founder = int(asked[np.argmax(pop.disposition[asked])])
            found(model, c, founder, founder_type(model, founder, rng), "incubated",
                  2 * model.p.organizations.initial_funds_yuan, rng)


# ----------------------------------------------------------------------------- monthly
def monthly(model, rng: np.random.Generator) -> None:
    """Dues and office support come in; members recruit ties; idle members drop out;
    organizations with no money and too few members dissolve."""
    po, pc = model.p.organizations, model.p.committee
    day = model.day
    by_comm: dict[int, list] = {}
    for org in model.orgs:
        by_comm.setdefault(org.community, []).append(org)
    for c, orgs in by_comm.items():
        support = pc.office_budget_yuan * pc.org_support_share / 12.0
        # committee support hours decide how much of the office support reaches the groups
        wanted = sum(o.members.size > 0 for o in orgs)
        share = model.org_support_ratio[c]
        if wanted:
            per = support * share / wanted
            for o in orgs:
                if o.members.size:
                    o.funds += per
            model.spend["office_support"] += support * share
    adj = model.adj
    for org in list(model.orgs):
        org.funds += po.dues_yuan_per_member_month * org.members.size
        if org.members.size:
            # recruiting through members' ties: each tie of a member joins with a small chance
            rows = adj[org.members]
            cand = rows.indices
            cand = cand[model.pop.community[cand] == org.community]
            if cand.size:
                joins = cand[rng.random(cand.size) < po.recruit_prob_per_tie_month * (0.5 + org.reputation)]
                org.add_members(np.unique(joins), rng)
            idle = org.members[model.pop.last_act[ORG_ACT, org.members] < day - 30]
            drop = po.dropout_per_month * (0.5 if org.social_worker else 1.0)
            org.remove_members(idle[rng.random(idle.size) < drop])
        if org.funds <= 0 and org.members.size < po.min_members or org.members.size == 0 \
                and org.contract_items == 0:
            org.dissolve()


# ----------------------------------------------------------------------------- grants
def grant_contest(model, rng: np.random.Generator) -> None:
    """A micro-venture contest: proposals from activists and resident groups, scored,
    the best funded; projects found groups or add activities (diminishing in money)."""
    g = model.p.grants
    pop = model.pop
    threshold = model.p.organizations.activist_acts * (0.5 if g.proposal_training else 1.0)
    leaders = np.flatnonzero(model.acts_year >= threshold)
    leaders = leaders[pop.memberships[leaders] == 0]
    orgs = [o for o in model.orgs if o.origin != "contract"]
    props = [("person", int(i)) for i in leaders] + [("org", o) for o in orgs]
    if not props:
        return
    if g.scoring == "random":
        score = rng.random(len(props))
    elif g.scoring == "need":
        unmet = model.unmet_needs_by_type()
        score = np.array([unmet.get(o.org_type, 0) if k == "org" else unmet.get("culture", 0)
                          for k, o in props], float) + rng.random(len(props))
    else:  # quality: the proposer's skill and record, better with training
        q = np.array([pop.disposition[o] if k == "person" else o.reputation for k, o in props])
        score = q + (0.2 if g.proposal_training else 0.0) + rng.normal(0, 0.15, len(props))
    winners = np.argsort(-score, kind="stable")[:g.grants_per_contest]
    amounts = rng.uniform(g.amount_min_yuan, g.amount_max_yuan, winners.size)
    for w, amount in zip(winners, amounts):
        kind, who = props[w]
        if kind == "person":
            c = int(pop.community[who])
            org = found(model, c, who, founder_type(model, who, rng), "grant", 0.0, rng)
        else:
            org = who
            if not org.alive:
                continue
        org.funds += amount
        org.project_until = model.day + g.project_days
        org.project_boost = math.log1p(amount / g.yuan_per_extra_activity)
        model.spend["grants"] += amount
        model.grants_awarded += 1
    if g.proposal_training:
        model.spend["grants"] += g.training_cost_yuan


# ----------------------------------------------------------------------------- contracts
def award_contracts(model, rng: np.random.Generator) -> None:
    """Each community's purchased service items go to the best matching organization, or
    to a professional organization brought in by the contract."""
    ps = model.p.purchased_services
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
                org = found(model, c, founder, t, "contract", 0.0, rng, extra_members=2)
                org.social_worker = True
                org.reputation = 0.6
            org.contract_items += 1
            org.funds += ps.budget_per_item_yuan
            model.spend["purchased_services"] += ps.budget_per_item_yuan


def handler_orgs(model, community: int, need_type: str) -> list[SocialOrganization]:
    t = NEED_TO_ORG[need_type]
    if t is None:
        return []
    return [o for o in model.orgs_by_comm.get(community, []) if o.org_type == t]


__all__ = ["SocialOrganization", "found", "monthly", "grant_contest", "award_contracts",
           "resident_foundings", "hub_incubation", "handler_orgs", "NEED_TYPES"]
