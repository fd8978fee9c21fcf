"""The community party committee, party members' service and invitations, and evaluation.

Registered in-service members (双报到) and retired resident members give service hours; each
hour sends invitations to ties (an invitation raises the chance to take part). Where the
yearly evaluation (双评议; Chengdu: every June) is on, resident representatives rate the
members and those in the bottom half raise their effort.
"""

from __future__ import annotations

import mesa
import numpy as np

from ..kernels import invite
from .base import Process
from .participation import decide


class PartyCommittee(mesa.Agent):
    """One community's party committee (社区党委): coordinates, convenes, evaluates."""

    def __init__(self, model, community: int):
        super().__init__(model)
        self.community = community


def invitation_rates(pop, party) -> np.ndarray:
    """Expected invitations a day sent by each resident (zero for non-members)."""
    hours = np.where(pop.registered, party.service_hours_per_month, 0.0)
    hours = hours + np.where(pop.party & pop.retired, party.retired_member_hours_per_month, 0.0)
    return hours * pop.party_effort / 30.0 * party.invitations_per_hour


def send_invitations(rng: np.random.Generator, adj, servers: np.ndarray, cumulative: np.ndarray,
                     day: int, last_invited: np.ndarray,
                     sent_year: np.ndarray) -> tuple[int, np.ndarray]:
    """Each server (a resident with a positive invitation rate) invites Poisson(rate) ties
    drawn uniformly; ``cumulative`` is the cumulative sum of the servers' rates.

    Drawn as the day's total, Poisson(sum of rates), each invitation then given to a server
    with chance rate / sum of rates and to one of the server's ties: the same independent
    Poisson counts per server, with two uniforms per invitation instead of a draw per
    server (servers without ties send none). Books the invitees' ``last_invited`` and the
    senders' ``sent_year``; returns (invitations sent, the invitees, each once)."""
    if servers.size == 0:
        return 0, np.empty(0, np.int64)
    u = rng.random((2, int(rng.poisson(cumulative[-1]))))
    return invite(servers, cumulative, u[0], u[1], adj.indptr, adj.indices, day, last_invited, sent_year)


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
    # last year's raise fades before this year's rating: effort returns towards 1 unless the
    # evaluation renews it (otherwise the bottom half of each year ratchets everyone to the cap)
    fade = model.p.party.effort_fade_per_year
    pop.party_effort[:] = 1.0 + (pop.party_effort - 1.0) * np.exp(-fade)
    for c in range(pop.n_communities):
        members = np.flatnonzero((pop.community == c) & (pop.registered | (pop.party & pop.retired)))
        if members.size == 0:
            continue
        # rating: invitations sent in the past year, seen through noisy representatives
        rating = model.pop.invitations_sent_year[members] + rng.normal(0, model.p.party.rating_noise, members.size)
        low = members[rating < np.median(rating)]
        pop.party_effort[low] *= 1.0 + gain
        np.minimum(pop.party_effort, model.p.party.max_effort, out=pop.party_effort)
    model.pop.invitations_sent_year[:] = 0


# ------------------------------------------------------------------ processes of the day
class PartyService(Process):
    """Step 4: registered in-service and retired party members send invitations to ties
    (:func:`invitation_rates`, :func:`send_invitations`, ODD 7.3). Today's invitees are
    its output ``invitees_today`` (they decide on volunteering in step 8)."""

    name = "party_service"
    sections = ("party",)
    records = ("party_invitations",)
    state = ("invitations_total",)
    outputs = ("invitees_today",)
    caches = ("_rates", "_registered")

    def __init__(self, model):
        super().__init__(model)
        self.invitations_total = 0  # since day 0
        self.invitees_today = np.empty(0, np.int64)  # read by volunteering (step 8)
        self._rates = None  # (expected invitations a day, who sends any, their cumsum)
        self._registered = None  # (pop.registered, the same as floats)

    def step(self) -> None:
        m = self.model
        # rates change only when members' effort does (the yearly evaluation)
        if self._rates is None:
            rates = invitation_rates(m.pop, m.p.party)
            servers = np.flatnonzero(rates > 0)
            self._rates = (rates, servers, np.cumsum(rates[servers]))
        _, servers, cumulative = self._rates
        n, invitees = send_invitations(m.streams.invitations, m.adj, servers, cumulative, m.clock,
                                       m.pop.last_invited, m.pop.invitations_sent_year)
        self.invitations_total += n
        m.today["party_invitations"] = n
        self.invitees_today = invitees

    def efforts_changed(self) -> None:
        """Members' effort or registration changed: the rates are computed again."""
        self._rates = None

    def start_reporting(self) -> None:
        self.invitations_total = 0

    def results(self) -> dict:
        return {"party_invitations": self.invitations_total}

    def costs_today(self) -> dict[str, float]:
        """The service hours registered in-service members give today (double registration,
        双报到), valued at ``party.service_hour_value_yuan``; retired members' service is the
        residents' own volunteering and is not valued."""
        m = self.model
        pp = m.p.party
        if not pp.service_hour_value_yuan or not pp.service_hours_per_month:
            return {}
        pop = m.pop
        # registration as 0/1 floats, converted once per registration array (np.dot of a bool
        # array converts it every call); the same BLAS dot product, the same bits
        if self._registered is None or self._registered[0] is not pop.registered:
            self._registered = (pop.registered, pop.registered.astype(np.float64))
        hours = float(np.dot(self._registered[1], pop.party_effort)) * pp.service_hours_per_month / 30.0
        return {"party_service": hours * pp.service_hour_value_yuan}

    def policy_started(self, old, new) -> None:
        pop = self.model.pop
        pop.registered = pop.in_service & (pop.registration_draw < new.party.double_registration_share)
        self.efforts_changed()


class PartyEvaluation(Process):
    """Step 14: on ``party.evaluation_day_of_year`` (if ``party.evaluation``) resident
    representatives evaluate party members (an evaluation act, :func:`decide`), then members
    rated low raise their effort (:func:`evaluate`, ODD 7.11)."""

    name = "party_evaluation"
    sections = ("party",)

    def step(self) -> None:
        m = self.model
        p = m.p.party
        if not (p.evaluation and m.calendar.day_of_year(m.clock) == p.evaluation_day_of_year):
            return
        for c in range(m.pop.n_communities):
            reps = m.representatives[c][:m.scaled_count(p.evaluators_per_community, c)]
            m.pop.last_invited[reps] = m.clock
            decide(m, reps, "evaluation")
        evaluate(m, m.streams.party)
        m.process("party_service").efforts_changed()
