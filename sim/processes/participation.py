"""Participation decisions, vectorized over the residents who have an opportunity.

    logit p = b_type + w_d*disposition + w_e*efficacy + w_t*trust + w_f*free_time
              + w_s*social_share + w_i*invited + w_x*local_tie_share*migrant - w_fat*fatigue
              - w_load*time_load,   and p = 0 when the act would overrun the week's budget

``time_load`` = (memberships x hours_per_membership_week + offices x hours_per_office_week
+ act hours of about the last week) / weekly time budget (ODD 7.2).

``social_share`` is the tie-weighted share of one's ties who took part in the last 30 days
(one sparse matrix-vector product a day); ``invited`` is 1 for residents invited by a party
member or an organization member in the last ``behaviour.invitation_memory_days`` days.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..kernels import (ActRecord, Booking, Decision, Deciders, DecisionWeights, daily_decay,
                       decide_and_record, decision, update_social_share)
from ..memo import LastSeen
from ..residents import ACT_TYPES, ACTIVITY_TYPES, AGE_GROUPS
from .base import Process



def base_logit(beh, act: str) -> float:
    return getattr(beh, f"base_logit_{act}")


def _decision_weights(beh) -> DecisionWeights:
    """The decision rule's weights, by name, from the behaviour parameters."""
    return DecisionWeights(
        disposition=beh.w_disposition, efficacy=beh.w_efficacy, trust=beh.w_trust,
        free_time=beh.w_free_time, social=beh.w_social, invited=beh.w_invited,
        cross_group_ties=beh.w_cross_group_ties, fatigue=beh.w_fatigue,
        time_load=beh.w_time_load)


# the weights as the kernels take them, for the last parameter set seen (they change only with
# the parameters; rebuilding the named record and its float tuple cost a third of a decision)
_weights = LastSeen(lambda beh: decision(0.0, _decision_weights(beh), 0, (), (), ()).weights)


def _packed(model, act: str, extra_logit: float) -> Decision:
    """The decision kernels' arguments (:func:`sim.kernels.decision`): the records as plain
    tuples in the fields' order of :class:`Deciders`, :class:`Booking` and :class:`ActRecord`
    (tests/test_kernels.py checks them against the named records)."""
    pop, beh, day = model.pop, model.p.behaviour, model.clock
    fatigue = beh.fatigue_per_act * (model.p.moral.recognition_fatigue_factor if model.p.moral.recognition else 1.0)
    return Decision(
        float(base_logit(beh, act) + extra_logit), _weights(beh),
        int(day - beh.invitation_memory_days),
        (pop.disposition, pop.efficacy, pop.trust, model.free_time,
         model.process("social_reinforcement").social_share, pop.last_invited,
         model.local_tie_share, pop.migrant, pop.fatigue, pop.time_budget, pop.act_hours,
         model.commitment_hours),
        (ACT_TYPES.index(act), day, model.calendar.block(day), fatigue,
         beh.participation_reinforcement, beh.hours_per_act),
        (pop.last_act, pop.last_any(), pop.acts, pop.acts_year_ring))


def _packed_named(model, act: str, extra_logit: float) -> Decision:
    """:func:`_packed` built through the named records (what it must equal)."""
    pop, beh, day = model.pop, model.p.behaviour, model.clock
    fatigue = beh.fatigue_per_act * (model.p.moral.recognition_fatigue_factor if model.p.moral.recognition else 1.0)
    return decision(
        logit_base=base_logit(beh, act) + extra_logit,
        weights=_decision_weights(beh),
        invited_after=day - beh.invitation_memory_days,
        who=Deciders(
            disposition=pop.disposition, efficacy=pop.efficacy, trust=pop.trust,
            free_time=model.free_time, social_share=model.process("social_reinforcement").social_share,
            last_invited=model.pop.last_invited, local_tie_share=model.local_tie_share,
            migrant=pop.migrant, fatigue=pop.fatigue, time_budget=pop.time_budget,
            act_hours=pop.act_hours, commitment=model.commitment_hours),
        booking=Booking(
            act=ACT_TYPES.index(act), day=day, ring_block=model.calendar.block(day),
            fatigue_per_act=fatigue, reinforcement=beh.participation_reinforcement,
            hours_per_act=beh.hours_per_act),
        record=ActRecord(last_act=pop.last_act, last_any=pop.last_any(), acts=pop.acts,
                         acts_year_ring=pop.acts_year_ring))


def decide(model, candidates: np.ndarray, act: str, extra_logit: float = 0.0) -> np.ndarray:
    """Residents among ``candidates`` (unique index array) who take part; books their acts.

    Each resident's uniform is today's draw for the act type (one per resident and act type
    a day, so that paired runs compare like with like). One compiled pass
    (:func:`sim.kernels.decide_and_record`, the rule of :func:`decide_reference`) computes
    the logit above and books the acts: ``last_act``, ``last_any``, the act counts, fatigue +
    fatigue per act, disposition + ``participation_reinforcement`` (both at most 1) and the
    act's hours against the week's budget.
    """
    if candidates.size == 0:
        return candidates
    a = ACT_TYPES.index(act)
    takers = decide_and_record(np.asarray(candidates, np.int64), model.process("day_start").draws[a],
                               *_packed(model, act, extra_logit))
    model.today_acts[act] += takers.size
    return takers


def decide_reference(model, candidates: np.ndarray, act: str, extra_logit: float = 0.0) -> np.ndarray:
    """The decision rule of ODD 7.2 written plainly in numpy (no booking): who would take part.
    :func:`sim.kernels.decide_and_record` must agree with it (tests/test_kernels.py)."""
    return would_take_part(model, candidates, act, extra_logit)[0]


def would_take_part(model, candidates: np.ndarray, act: str,
                    extra_logit: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Who among ``candidates`` would take part today (:func:`decide_reference`), and each
    one's chance of taking part (nothing booked)."""
    c = np.asarray(candidates, np.int64)
    p, fits = take_part_probability(model, c, act, extra_logit)
    u = model.process("day_start").draws[ACT_TYPES.index(act)][c].astype(np.float64)
    takes = fits & (u < p * 4294967296.0)
    return c[takes], p[takes]


def take_part_probability(model, candidates: np.ndarray, act: str,
                          extra_logit: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """The decision rule's probability of taking part for each candidate, and whether the
    act fits their week's time budget (ODD 7.2)."""
    d = _packed(model, act, extra_logit)
    w, who = DecisionWeights(*d.weights), Deciders(*d.who)  # read by name
    c = np.asarray(candidates, np.int64)
    used = who.commitment[c] + who.act_hours[c]
    logit = (d.logit_base + w.disposition * who.disposition[c] + w.efficacy * who.efficacy[c]
             + w.trust * who.trust[c] + w.free_time * who.free_time[c]
             + w.social * who.social_share[c] + w.invited * (who.last_invited[c] > d.invited_after)
             + w.cross_group_ties * who.local_tie_share[c] * who.migrant[c]
             - w.fatigue * who.fatigue[c] - w.time_load * used / who.time_budget[c])
    p = 1.0 / (1.0 + np.exp(-logit))
    fits = used + Booking(*d.booking).hours_per_act <= who.time_budget[c]
    return p, fits


def update_efficacy(model, who: np.ndarray, outcome: float) -> None:
    """Move efficacy towards an act's outcome (1 carried out, 0 stalled); weaker for migrants."""
    if who.size == 0:
        return
    beh, pop = model.p.behaviour, model.pop
    rate = beh.efficacy_learning * np.where(pop.migrant[who], beh.migrant_feedback_factor, 1.0)
    pop.efficacy[who] += rate * (outcome - pop.efficacy[who])


def update_trust(model, who: np.ndarray, outcome: float, scale: float = 1.0) -> None:
    if who.size == 0:
        return
    pop = model.pop
    pop.trust[who] += scale * model.p.behaviour.trust_learning * (outcome - pop.trust[who])


def update_satisfaction(model, who: np.ndarray, outcome: float) -> None:
    if who.size == 0:
        return
    pop = model.pop
    pop.satisfaction[who] += model.p.behaviour.satisfaction_learning * (outcome - pop.satisfaction[who])


def participation_results(model) -> dict:
    """Who took part, how often and how much of their time it took, and the residents'
    attitudes, at the end of the run (the summary's participation block)."""
    pop, day = model.pop, model.clock - 1
    last = pop.last_act
    last_any = pop.last_any()
    masks = pop.groups()
    out: dict = {}
    act30, act_year = last_any > day - 30, last_any > day - 365
    out["participation_30d"] = float(act30.mean())
    out["participation_year"] = float(act_year.mean())
    for i, t in enumerate(ACT_TYPES):
        out[f"participation_year_{t}"] = float((last[i] > day - 365).mean())
        out[f"participation_30d_{t}"] = float((last[i] > day - 30).mean())
    # what surveys of community activities count (meetings, volunteering, organizations):
    # the published band of participation is of this, not of every act (docs/TARGETS.md)
    activities = [ACT_TYPES.index(t) for t in ACTIVITY_TYPES]
    out["participation_year_activities"] = float((last[activities].max(axis=0) > day - 365).mean())
    for g, m in masks.items():
        out[f"participation_year_{g}"] = float(act_year[m].mean()) if m.any() else float("nan")
        out[f"participation_30d_{g}"] = float(act30[m].mean()) if m.any() else float("nan")
    for a, label in enumerate(AGE_GROUPS):
        m = pop.age_group == a
        out[f"participation_year_age_{label.replace('-', '_').replace('+', '_plus')}"] = \
            float(act_year[m].mean()) if m.any() else float("nan")
    acts = pop.acts_last_year()
    out["acts_year_total"] = int(acts.sum())
    out["acts_per_participant_year"] = float(acts.sum() / max(1, int((acts > 0).sum())))
    out["acts_per_resident_day"] = float(acts.sum() / pop.n / 365.0)
    # as the daily row: the standing hours as the last day began, and its act hours
    load = (model.commitment_hours + pop.act_hours) / pop.time_budget
    out["time_used_share_mean"] = float(np.minimum(load, 1.0).mean())
    out["top10_share_of_acts"], out["gini_of_acts"] = concentration(acts)
    activists = acts >= model.p.organizations.activist_acts
    out["core_activist_share"] = float(activists.mean())
    out["core_activists_retired_share"] = float(pop.retired[activists].mean()) if activists.any() else float("nan")
    for s in ("trust", "efficacy", "satisfaction"):
        v = getattr(pop, s)
        out[f"{s}_mean"] = float(v.mean())
        for g, m in masks.items():
            out[f"{s}_{g}"] = float(v[m].mean()) if m.any() else float("nan")
    return out


def top_share(acts: np.ndarray) -> float:
    """Share of all acts done by the top 10% of residents (0 with no acts)."""
    total = acts.sum()
    if total == 0:
        return 0.0
    k = max(1, acts.size // 10)
    top = np.partition(acts, acts.size - k)[acts.size - k:].sum()
    return float(top / total)


def concentration(acts: np.ndarray) -> tuple[float, float]:
    """(share of all acts done by the top 10% of residents, Gini of acts)."""
    if acts.sum() == 0:
        return 0.0, 0.0
    x = np.sort(acts).astype(float)
    n = x.size
    gini = float((2 * np.arange(1, n + 1) - n - 1) @ x / (n * x.sum()))
    return top_share(acts), gini


# ------------------------------------------------------------------ processes of the day
class DayStart(Process):
    """Step 0: today's decision uniforms (:meth:`CoGovModel.decision_uniforms`), the day's
    fading and reversion (:meth:`decay`, ODD 7.2), and an empty block of the yearly act
    count at the start of each 30-day block. The moral lever acts through the decision
    (recognition, :func:`decide`) and the residents' free time (evening opening)."""

    name = "day_start"
    sections = ("behaviour", "moral")
    outputs = ("draws",)
    caches = ("_decay_args",)

    def __init__(self, model):
        super().__init__(model)
        # today's decision uniforms, one row per act type (read by every decision)
        self.draws = np.zeros((len(ACT_TYPES), model.pop.n), np.uint32)
        self._decay_args = None  # (behaviour section, the decay kernel's arguments)

    def step(self) -> None:
        m = self.model
        day = m.clock
        # one draw per resident and act type: paired runs share them
        self.draws = m.decision_uniforms()
        self.decay()
        if m.calendar.day_of_month(day) == 0:  # a new 30-day block of the yearly count starts empty
            m.pop.acts_year_ring[m.calendar.block(day)] = 0

    def decay(self) -> None:
        """Fatigue and last week's act hours fade; habit and attitudes drift back towards each
        resident's own baseline (ODD 7.2): without new experience nothing drifts without cause."""
        m = self.model
        beh, pop = m.p.behaviour, m.pop
        if self._decay_args is None or self._decay_args[0] is not beh:
            # the arrays are fixed for the run; the rates change only with the parameters
            self._decay_args = (beh, (
                (pop.fatigue, pop.act_hours, pop.disposition, pop.trust, pop.efficacy, pop.satisfaction),
                (pop.disposition_trait, pop.trust_base, pop.efficacy_base, pop.satisfaction_base),
                (0.5 ** (1.0 / beh.fatigue_half_life_days), 0.5 ** (1.0 / beh.act_hours_half_life_days),
                 beh.disposition_reversion_per_year / 365.0, beh.attitude_reversion_per_year / 365.0),
                pop.memberships, pop.offices, beh.hours_per_membership_week, beh.hours_per_office_week,
                m.commitment_hours))
        daily_decay(*self._decay_args[1])

    def policy_started(self, old, new) -> None:
        self.model.set_free_time()  # evening opening

    def results(self) -> dict:
        return participation_results(self.model)

    def daily_costs(self) -> dict[str, float]:
        m = self.model
        mo = m.p.moral
        return {"moral": m.pop.n_communities * mo.cost_yuan_per_year * (1.0 / 365.0)
                * (mo.recognition + mo.evening_opening)}


class SocialReinforcement(Process):
    """Step 3: ``social_share = (adj @ active30) / weighted_degree``, active30 = acted in the
    last 30 days (ODD 7.1): recomputed in full when the network changes, otherwise moved by
    the residents who became active or inactive since yesterday (the same sums, see
    :func:`sim.kernels.update_social_share`)."""

    name = "social_reinforcement"
    outputs = ("social_share",)
    state = ("_state",)

    def __init__(self, model):
        super().__init__(model)
        # the tie-weighted share of each resident's ties active in the last 30 days
        self.social_share = np.zeros(model.pop.n)
        # (network version, transpose, active flags, numerators): the numerators are moved
        # day by day, so they are state (a full recount could differ in the last bit)
        self._state = None

    def step(self) -> None:
        m = self.model
        state = self._state
        full = state is None or state[0] != m.network_version
        if full:
            # who counts whom: the transpose, which for a symmetric network is the network
            t = m.adj if m.adj_symmetric else sp.csr_array(m.adj.T)
            state = self._state = (m.network_version, t, np.zeros(m.pop.n, np.int8), np.zeros(m.pop.n))
        _, t, active, numerator = state
        adj = m.adj
        update_social_share(adj.indptr, adj.indices, adj.data, t.indptr, t.indices, t.data,
                            m.pop.last_any(), m.clock - 30, m.weighted_degree, active,
                            numerator, self.social_share, full)
