"""Participation decisions, vectorized over the residents who have an opportunity.

    logit p = b_type + w_d*disposition + w_e*efficacy + w_t*trust + w_f*free_time
              + w_s*social_share + w_i*invited + w_x*local_tie_share*migrant - w_fat*fatigue

``social_share`` is the tie-weighted share of one's ties who took part in the last 30 days
(one sparse matrix-vector product a day); ``invited`` is 1 for residents invited by a party
member or an organization member in the last ``behaviour.invitation_memory_days`` days.
"""

from __future__ import annotations

import numpy as np

from .kernels import decide_and_record
from .residents import ACT_TYPES



def base_logit(beh, act: str) -> float:
    return getattr(beh, f"base_logit_{act}")


def decide(model, candidates: np.ndarray, act: str, extra_logit: float = 0.0) -> np.ndarray:
    """Residents among ``candidates`` (unique index array) who take part; books their acts.

    Each resident's uniform is today's draw for the act type (one per resident and act type
    a day, so that paired runs compare like with like). One compiled pass
    (:func:`sim.kernels.decide_and_record`) computes the logit above and books the acts:
    ``last_act``, ``last_any``, the act counts, fatigue + fatigue per act and disposition +
    ``participation_reinforcement`` (both at most 1).
    """
    if candidates.size == 0:
        return candidates
    pop, beh, day = model.pop, model.p.behaviour, model.day
    a = ACT_TYPES.index(act)
    fatigue = beh.fatigue_per_act * (model.p.moral.recognition_fatigue_factor if model.p.moral.recognition else 1.0)
    takers = decide_and_record(
        np.asarray(candidates, np.int64), model.draws[a], base_logit(beh, act) + extra_logit,
        beh.w_disposition, beh.w_efficacy, beh.w_trust, beh.w_free_time, beh.w_social,
        beh.w_invited, beh.w_cross_group_ties, beh.w_fatigue, day - beh.invitation_memory_days,
        pop.disposition, pop.efficacy, pop.trust, model.free_time, model.social_share,
        model.last_invited, model.local_tie_share, pop.migrant, pop.fatigue,
        a, day, (day // 30) % 12, fatigue, beh.participation_reinforcement,
        pop.last_act, pop.last_any(), pop.acts, pop.acts_year_ring)
    model.today_acts[act] += takers.size
    return takers


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
