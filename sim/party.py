"""The community party committee, party members' service and invitations, and evaluation.

Registered in-service members (双报到) and retired resident members give service hours; each
hour sends invitations to ties (an invitation raises the chance to take part). Where the
yearly evaluation (双评议; Chengdu: every June) is on, resident representatives rate the
members and those in the bottom half raise their effort.
"""

from __future__ import annotations

import mesa
import numpy as np


class PartyCommittee(mesa.Agent):
    """One community's party committee (社区党委): coordinates, convenes, evaluates."""

    def __init__(self, model, community: int):
        super().__init__(model)
        self.community = community
        self.evaluations_held = 0


def invitation_rates(pop, party) -> np.ndarray:
    """Expected invitations a day sent by each resident (zero for non-members)."""
    hours = np.where(pop.registered, party.service_hours_per_month, 0.0)
    hours = hours + np.where(pop.party & pop.retired, party.retired_member_hours_per_month, 0.0)
    return hours * pop.party_effort / 30.0 * party.invitations_per_hour


def send_invitations(rng: np.random.Generator, adj, rates: np.ndarray,
                     servers: np.ndarray | None = None,
                     cumulative: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each sender invites Poisson(rate) ties drawn uniformly. Returns (senders, invitees).

    Drawn as the day's total, Poisson(sum of rates), each invitation then given to a sender
    with chance rate / sum of rates: the same independent Poisson counts per sender, with
    one draw per invitation instead of one per sender. ``servers`` (the residents with a
    positive rate) and ``cumulative`` (the cumulative sum of their rates) may be given, as
    they change only when the rates do."""
    if servers is None:
        servers = np.flatnonzero(rates > 0)
    if cumulative is None:
        cumulative = np.cumsum(rates[servers])
    if servers.size == 0:
        return servers, servers
    total = rng.poisson(cumulative[-1])
    pick = np.searchsorted(cumulative, rng.random(total) * cumulative[-1], side="right")
    senders = np.sort(servers[np.minimum(pick, servers.size - 1)])
    return random_ties(rng, adj, senders)


def random_ties(rng: np.random.Generator, adj, senders: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One uniformly drawn tie per entry of ``senders`` (those without ties are dropped)."""
    if senders.size == 0:
        return senders, senders
    deg = adj.indptr[senders + 1] - adj.indptr[senders]
    senders = senders[deg > 0]
    deg = deg[deg > 0]
    offs = (rng.random(senders.size) * deg).astype(np.int64)
    return senders, adj.indices[adj.indptr[senders] + offs]


def evaluate(model, rng: np.random.Generator) -> None:
    """Yearly evaluation: representatives rate registered members on the service they gave."""
    pop = model.pop
    gain = model.p.party.evaluation_effort_gain
    for c in range(pop.n_communities):
        members = np.flatnonzero((pop.community == c) & (pop.registered | (pop.party & pop.retired)))
        if members.size == 0:
            continue
        # rating: invitations sent in the past year, seen through noisy representatives
        rating = model.invitations_sent_year[members] + rng.normal(0, 1.0, members.size)
        low = members[rating < np.median(rating)]
        pop.party_effort[low] *= 1.0 + gain
        np.minimum(pop.party_effort, 3.0, out=pop.party_effort)
        model.party_committees[c].evaluations_held += 1
    model.invitations_sent_year[:] = 0
