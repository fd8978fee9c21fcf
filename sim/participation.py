"""Participation decisions, vectorized over the residents who have an opportunity.

    logit p = b_type + w_d*disposition + w_e*efficacy + w_t*trust + w_f*free_time
              + w_s*social_share + w_i*invited + w_x*local_tie_share*migrant - w_fat*fatigue

``social_share`` is the tie-weighted share of one's ties who took part in the last 30 days
(one sparse matrix-vector product a day); ``invited`` is 1 for residents invited by a party
member or an organization member in the last ``behaviour.invitation_memory_days`` days.
"""

from __future__ import annotations

import numpy as np

from .residents import ACT_TYPES



def base_logit(beh, act: str) -> float:
    return getattr(beh, f"base_logit_{act}")


def decide(model, candidates: np.ndarray, act: str, extra_logit: float | np.ndarray = 0.0,
           draws: np.ndarray | None = None) -> np.ndarray:
    """Residents among ``candidates`` (index array) who take part; books their acts.

    ``draws`` are the residents' uniforms for today (a fixed draw per resident and act type,
    so that paired runs compare like with like).
    """
    if candidates.size == 0:
        return candidates
    pop, beh = model.pop, model.p.behaviour
    invited = model.last_invited[candidates] > model.day - beh.invitation_memory_days
    logit = (base_logit(beh, act)
             + beh.w_disposition * pop.disposition[candidates]
             + beh.w_efficacy * pop.efficacy[candidates]
             + beh.w_trust * pop.trust[candidates]
             + beh.w_free_time * model.free_time[candidates]
             + beh.w_social * model.social_share[candidates]
             + beh.w_invited * invited
             + beh.w_cross_group_ties * model.local_tie_share[candidates] * pop.migrant[candidates]
             - beh.w_fatigue * pop.fatigue[candidates]
             + extra_logit)
    p = 1.0 / (1.0 + np.exp(-logit))
    u = draws[candidates] if draws is not None else model.draws[ACT_TYPES.index(act)][candidates]
    takers = candidates[u < p]
    fatigue = beh.fatigue_per_act * (model.p.moral.recognition_fatigue_factor if model.p.moral.recognition else 1.0)
    pop.record_acts(ACT_TYPES.index(act), takers, model.day, fatigue, beh.participation_reinforcement)
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
