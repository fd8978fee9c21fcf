"""Migrants' constraints and renters' tenure (ODD 7.16).

Migrants differ from locals not only in their starting attitudes and ties (Population,
sim/network.py) but in four constraints the literature names, each a switch of the
``migrants`` section so that a paired run can turn it off:

- working hours: working-age migrants have ``working_free_time_factor`` of a local's free
  time (NBS 2016 migrant-worker survey: 24.9 working days a month), applied in
  :meth:`CoGovModel.set_free_time`;
- tenure: renter households (``pop.renter``, shares by hukou in ``population``) move out at
  ``renter_moves_per_year``; a newcomer household takes the home at once, with fresh
  attitudes, no memberships, offices or team places, and fewer ties (:class:`Tenure`);
- eligibility: resident representatives are locals, or migrants who have lived here at least
  a year and applied (:func:`eligible`; 中办发〔2010〕27号);
- notices: committee notices reach migrants less; a migrant not reached may hear through
  notified ties (:func:`notice_reached`).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .. import network as net
from ..kernels import csr_maximum
from ..residents import NEVER
from .base import Process


def eligible(model) -> np.ndarray:
    """Who may be a resident representative (or evaluator) today: everyone when
    ``migrants.eligibility`` is off; else locals, and migrants resident for at least
    ``eligibility_residence_days`` whose fixed application draw is below ``application_share``."""
    pop, pm = model.pop, model.p.migrants
    if not pm.eligibility:
        return np.ones(pop.n, bool)
    settled = model.clock - pop.arrival_day >= pm.eligibility_residence_days
    return ~pop.migrant | (settled & (pop.application_draw < pm.application_share))


def notice_reached(model, members: np.ndarray, u: np.ndarray, share: float) -> np.ndarray:
    """Residents among ``members`` (one community) whom a committee notice reaches, given one
    uniform each: a local with chance ``share``; with ``migrants.notices`` on, a migrant
    directly with ``d = share x notice_reach_migrant``, and otherwise through ties with chance
    ``share x r``, r the tie-weighted share of their ties the notice reached directly (the
    same uniform, rescaled: ``(u - d) / (1 - d) < share x r``, so no draw is added)."""
    pm = model.p.migrants
    if not pm.notices:
        return members[u < share]
    mig = model.pop.migrant[members]
    d = share * pm.notice_reach_migrant
    direct = u < np.where(mig, d, share)
    missed = mig & ~direct
    if missed.any() and d < 1.0:
        reached = np.zeros(model.pop.n, np.float32)
        reached[members[direct]] = 1.0
        rows = members[missed]
        r = (model.adj[rows] @ reached) / model.weighted_degree[rows]  # only the missed rows
        heard = (u[missed] - d) / (1.0 - d) < share * r
        direct[np.flatnonzero(missed)[heard]] = True
    return members[direct]


class Tenure(Process):
    """Step 12: at each month's end, renter households move out (each with chance
    ``renter_moves_per_year / 12``, one uniform per household a month from the ``tenure``
    stream) and newcomer households move into their homes (ODD 7.16)."""

    name = "tenure"
    sections = ("migrants",)
    state = ("moves_total", "movers_total")

    def __init__(self, model):
        super().__init__(model)
        self.moves_total = 0   # households that moved since day 0
        self.movers_total = 0  # residents who moved since day 0

    def step(self) -> None:
        m = self.model
        pm = m.p.migrants
        if not (pm.turnover and m.calendar.month_end(m.clock)):
            return
        pop = m.pop
        rng = m.streams.tenure
        u = rng.random(pop.n_households)  # one per household a month, whatever moves
        hh_moves = u < pm.renter_moves_per_year / 12.0
        moving = hh_moves[pop.household] & pop.renter
        if not moving.any():
            return
        idx = np.flatnonzero(moving)
        self.moves_total += int(np.unique(pop.household[idx]).size)
        self.movers_total += int(idx.size)
        move_in(m, rng, idx, moving)

    def start_reporting(self) -> None:
        self.moves_total = 0
        self.movers_total = 0

    def results(self) -> dict:
        m = self.model
        pop = m.pop
        days = max(1, m.clock - m.day0)
        deg = np.diff(m.adj.indptr)
        out = {"renter_share": float(pop.renter.mean()),
               "tenure_moves_per_year": self.moves_total * 365.0 / days,
               "tenure_movers_share_year": self.movers_total * 365.0 / days / pop.n}
        tenure = (m.clock - pop.arrival_day) / 365.0
        for name, mask in (("renters", pop.renter), ("owners", ~pop.renter)):
            ok = mask.any()
            out[f"ties_mean_{name}"] = float(deg[mask].mean()) if ok else float("nan")
            out[f"tenure_years_mean_{name}"] = float(tenure[mask].mean()) if ok else float("nan")
            out[f"memberships_mean_{name}"] = float(pop.memberships[mask].mean()) if ok else float("nan")
        return out


def move_in(m, rng: np.random.Generator, idx: np.ndarray, moving: np.ndarray) -> None:
    """Residents ``idx`` (``moving`` as a mask) are replaced by newcomers in their homes: the
    same household, age group, hukou and party status (the community's make-up stays), fresh
    attitudes drawn as at the start, no acts, memberships, offices or team places, and new
    ties: household ties are kept, every other tie is dropped and the newcomers draw
    ``newcomer_tie_factor`` of the usual building and wider ties."""
    pop, beh, pm = m.pop, m.p.behaviour, m.p.migrants
    k = idx.size
    # organizations: the movers leave them
    for org in m.orgs:
        gone = moving[org.members]
        if gone.any():
            org.members = org.members[~gone]
        if org.founder >= 0 and moving[org.founder]:
            # the most civic member who stays takes the office on (as at the start)
            org.set_founder(int(org.members[np.argmax(pop.disposition[org.members])])
                            if org.members.size else -1)
    pop.memberships[idx] = 0
    # fresh attitudes, as Population draws them
    clip = lambda x: np.clip(x, 0.0, 1.0)  # noqa: E731
    sd = beh.initial_attitude_sd
    disp = clip(rng.beta(beh.initial_disposition_a, beh.initial_disposition_b, k)
                + beh.party_disposition_gain * pop.party[idx] + beh.retired_disposition_gain * pop.retired[idx])
    trust = clip(rng.normal(beh.initial_trust, sd, k) - beh.migrant_gap * pop.migrant[idx])
    eff = clip(rng.normal(beh.initial_efficacy, sd, k) - beh.migrant_gap * pop.migrant[idx])
    sat = clip(rng.normal(beh.initial_satisfaction, sd, k))
    pop.disposition[idx] = pop.disposition_trait[idx] = disp
    pop.trust[idx] = pop.trust_base[idx] = trust
    pop.efficacy[idx] = pop.efficacy_base[idx] = eff
    pop.satisfaction[idx] = pop.satisfaction_base[idx] = sat
    pop.fatigue[idx] = 0.0
    pop.act_hours[idx] = 0.0
    pop.last_act[:, idx] = NEVER
    pop._last_any[idx] = NEVER
    pop.acts[:, idx] = 0
    pop.acts_year_ring[:, idx] = 0
    pop.last_invited[idx] = NEVER
    pop.invitations_sent_year[idx] = 0
    pop.party_effort[idx] = 1.0
    pop.arrival_day[idx] = m.clock
    pop.application_draw[idx] = rng.random(k)
    # representatives who moved: their communities choose again among the eligible (the
    # newcomers are not, until they have lived here long enough); team places are freed
    m.residents_moved(idx)
    m.process("volunteer_teams").residents_moved(idx)
    # ties: drop the movers' non-household ties (base and group ties), draw the newcomers'
    # (CSR arrays merged in compiled passes: scipy's conversions cost most of a month's move)
    kept = net.without_ties_of(m.base_adj, moving, net.W_HOUSEHOLD)
    new = net.newcomer_ties(rng, pop, m.p.network, idx, pm.newcomer_tie_factor)
    indptr, indices, data = csr_maximum(*kept, *new)
    # the ties dropped and drawn are mutual, so the base stays as symmetric as it was
    m.replace_base_network(sp.csr_array((data, indices, indptr), shape=m.base_adj.shape), moving,
                           symmetric=m.base_symmetric)

