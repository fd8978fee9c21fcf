"""The one declared parameter schema of cogov.

Every parameter is declared once, here, with its type, unit, bounds, default, a one-line
meaning and its source. Each is also tagged with its *role* in the EMA-workbench sense:

- ``lever``: something a district or street office sets (duty items, grants, ...);
- ``uncertainty``: a behavioural parameter nobody controls and the data pin down loosely;
- ``constant``: structure of the run (population size, horizon).

Scenario files (YAML) are validated against :class:`Scenario`; unknown keys are rejected
with the valid ones listed. Source codes: ``000``..``004`` are the seed documents
(000 Chengdu Xinhonglu/Wuhou, 001 Shenzhen Shatou, 002 provincial guideline, 003 Jiayuguan,
004 Beijing Chaoyangmen; quoted in docs/sources.md); ``T:`` cites docs/TARGETS.md;
``A:`` marks an assumption of ours, to be varied in sensitivity analysis.

Why one long module: the schema is declared once, in one place, so that every parameter's
unit, bounds, plausible range, role and source can be read (and generated into the ODD) from
one file; each section is short and stands alone.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

ROLES = ("lever", "uncertainty", "constant")


def P(default: Any, *, unit: str, meaning: str, source: str, role: str = "uncertainty",
      ge: float | None = None, le: float | None = None, gt: float | None = None,
      plausible: tuple[float, float] | Literal["none"] | None = None,
      range_source: str | None = None, zh: str | None = None,
      zh_choices: dict[str, str] | None = None,
      per_community: str | None = None) -> Any:
    """Declare one parameter: default, validity bounds, unit, meaning, source and role.

    ``plausible`` is the range a study should explore (sweeps, calibration, the EMA
    workbench, SALib, the browser's sliders) and ``range_source`` where that range comes
    from (a document, the literature, or "judgement: ..."); the bounds ``ge``/``le``/``gt``
    are only what the model accepts. ``plausible="none"`` declares that the parameter has no
    range to explore (``range_source`` says why): default studies leave it at its value.
    A numeric lever or uncertainty must declare one or the other (tests/test_schema.py).
    ``zh``: the meaning in Chinese, for the browser view (every lever has one; the units'
    Chinese names are :data:`UNITS_ZH`); ``zh_choices``: each option's name in Chinese, for
    a lever that is a choice (the English name is the option itself).
    ``per_community``: the scale rule of a quantity stated per community (:mod:`sim.scale`):
    ``"households"`` (stated for the reference community, scaled by its households) or
    ``"fixed: <why>"`` (one per committee whatever its size).
    """
    assert role in ROLES
    extra = {"unit": unit, "source": source, "role": role}
    if per_community is not None:
        assert per_community == "households" or per_community.startswith("fixed: "), per_community
        extra["per_community"] = per_community
    if zh is not None:
        extra["zh"] = zh
    if zh_choices is not None:
        extra["zh_choices"] = zh_choices
    if plausible == "none":
        assert range_source, "plausible='none' needs a range_source saying why"
        extra["plausible"] = "none"
    elif plausible is not None:
        lo, hi = plausible
        assert lo <= hi, (lo, hi)
        assert range_source, "a plausible range needs its range_source"
        extra["plausible"] = [lo, hi]
    if range_source is not None:
        extra["range_source"] = range_source
    return Field(default, ge=ge, le=le, gt=gt, description=meaning, json_schema_extra=extra)


# Bounds of the entries of list- and dict-valued parameters (every entry of a numeric list or
# mapping is checked; a list also keeps its default's length). A test checks that every such
# parameter is listed here.
ITEM_BOUNDS: dict[str, tuple[float, float]] = {
    "population.age_shares": (0.0, 1.0),
    "behaviour.free_time_by_age": (0.0, 1.0),
    "needs.type_shares": (0.0, 1.0),
    "organizations.initial_per_1000_adults": (0.0, 100.0),
    "disputes.per_1000_year": (0.0, 1000.0),
    "disputes.channel_skill": (0.0, 1.0),
    "disputes.channel_delay_days": (0.0, 365.0),
    "disputes.severity_beta": (1e-3, 1000.0),
    "disputes.collective_severity_beta": (1e-3, 1000.0),
    "disputes.type_success_factor": (0.0, 10.0),
}
MAX_TEXT = 10_000  # characters in a text parameter (names, descriptions, paths)
MAX_ITEMS = 1_000  # entries in a list- or dict-valued parameter


def _plain(v: Any) -> Any:
    """numpy scalars as Python numbers (samplers and data frames hand them over); -0.0 as 0.0
    (it passes ``ge=0``, but numpy's samplers refuse a scale with the sign bit set)."""
    v = v.item() if type(v).__module__ == "numpy" and hasattr(v, "item") else v
    return 0.0 if isinstance(v, float) and v == 0.0 else v


def _integral(v: Any) -> Any:
    """An integral float (150.0, from a sampler) as an int; anything else unchanged."""
    v = _plain(v)
    return int(v) if isinstance(v, float) and v.is_integer() and abs(v) < 2**62 else v


class Section(BaseModel):
    """Strict: no bool or text where a number is declared, no NaN or infinity, every entry of
    a list or mapping bounded (ITEM_BOUNDS); integral floats (150.0) are taken for integers."""
    model_config = ConfigDict(extra="forbid", validate_assignment=True, strict=True,
                              allow_inf_nan=False)
    # the processes of the day (``name`` of a class in ``sim.model.DAY_ORDER``) that a lever
    # section's parameters act through; tests/test_processes.py checks both sides agree
    processes: ClassVar[tuple[str, ...]] = ()

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_from_samplers(cls, v: Any, info: ValidationInfo) -> Any:
        ann = cls.model_fields[info.field_name].annotation
        if ann is int:
            return _integral(v)
        if ann == list[int] and isinstance(v, (list, tuple)):
            return [_integral(x) for x in v]
        if isinstance(v, tuple):
            return [_plain(x) for x in v]
        if isinstance(v, list):
            return [_plain(x) for x in v]
        if isinstance(v, dict):
            return {k: _plain(x) for k, x in v.items()}
        return _plain(v)

    @model_validator(mode="after")
    def _entries(self) -> Section:
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            if isinstance(value, str) and len(value) > MAX_TEXT:
                raise ValueError(f"{name} is longer than {MAX_TEXT:,} characters")
            if not isinstance(value, (list, dict)):
                continue
            if len(value) > MAX_ITEMS:
                raise ValueError(f"{name} has more than {MAX_ITEMS:,} entries")
            default = field.get_default(call_default_factory=True)
            entries = list(value.values()) if isinstance(value, dict) else value
            numeric = [x for x in entries if isinstance(x, (int, float)) and not isinstance(x, bool)]
            if isinstance(value, list) and default and not value:
                raise ValueError(f"{name} must not be empty")
            if not numeric:
                continue
            if isinstance(value, list) and default and len(value) != len(default):
                raise ValueError(f"{name} must have {len(default)} entries (like the default "
                                 f"{default}), got {len(value)}")
            lo, hi = ITEM_BOUNDS.get(_path_of(type(self), name), (0.0, 1e6))
            bad = [x for x in numeric if not lo <= x <= hi]
            if bad:
                raise ValueError(f"{name} entries must be between {lo:g} and {hi:g}, got {bad[0]!r}")
        return self


def _path_of(section: type, name: str) -> str:
    """``section.key`` of a field of a Section class (PurchasedServices -> purchased_services)."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", section.__name__).lower()
    return f"{snake}.{name}"


# --------------------------------------------------------------------------- population
# the keys of the community types, in sim/communities.py's order (its presets live there; the
# module checks that it defines exactly these)
CommunityType = Literal["mixed_old", "work_unit", "old_town", "commodity", "resettlement", "urban_village"]
COMMUNITY_TYPES: tuple[str, ...] = get_args(CommunityType)


class Population(Section):
    n_communities: int = P(1, unit="communities", ge=1, le=40, role="constant",
                           meaning="communities in the run; several share one street office",
                           source="BRIEF glossary: a street office has 10-20 communities")
    residents_per_community: int = P(5000, unit="adults", ge=50, le=50000, role="constant",
                                     meaning="adult residents per community",
                                     source="BRIEF glossary: 3,000-10,000 residents")
    household_size: float = P(2.6, unit="adults/household", ge=1.0, le=6.0, role="constant",
                              meaning="mean adults per household (1 + Poisson)",
                              source="A: urban household size ~2.6 (2020 census, 2.62 persons)")
    households_per_building: int = P(24, unit="households", ge=2, le=400, role="constant",
                                     meaning="households sharing a building or courtyard",
                                     source="A: six-storey walk-up, 2 stairwells x 6 floors x 2 flats")
    age_shares: list[float] = P([0.17, 0.35, 0.18, 0.30], unit="shares of adults", role="constant",
                                meaning="adults aged 18-29, 30-49, 50-59, 60+ (60+ are retired)",
                                source="A: old urban community, older than the city average")
    migrant_share: float = P(0.25, unit="share", ge=0.0, le=1.0, role="constant",
                             meaning="share of adults without local hukou",
                             source="A: old inner-city communities rent to migrants")
    party_member_share: float = P(0.07, unit="share", ge=0.0, le=1.0, role="constant",
                                  meaning="share of adults who are party members",
                                  source="T: about 7% of the population (grade A)")
    party_age_gradient: float = P(1.5, unit="odds ratio", ge=1.0, le=5.0, role="constant",
                                  meaning="how much more often retired adults are party members",
                                  source="A: membership is older than the population")
    # tenure (owned by the migrants' mechanisms, ODD 7.16; community types set them per type)
    renter_share_local: float = P(0.10, unit="share", ge=0, le=1, role="constant",
                                  meaning="share of local (hukou) households that rent their home; renters move out at migrants.renter_moves_per_year",
                                  source="A (grade D, to verify): about a fifth of city households rent (2020 census long form, as reported); old inner-city communities rent mostly to migrants, so locals here rent less than the city mean")
    renter_share_migrant: float = P(0.65, unit="share", ge=0, le=1, role="constant",
                                    meaning="share of migrant (non-hukou) households that rent their home",
                                    source="A (grade D, to verify): most migrants rent privately or live in employer housing (China Migrants Dynamic Survey reports, 2015-2017); with 25% migrants, 0.10 and 0.65 give about 24% renting households, near the census's fifth")

    # the community's type (sim/communities.py): its preset fills the keys above and below
    # that a scenario does not set; a street may mix types, one per community
    community_type: CommunityType = P("mixed_old", unit="text", role="constant",
                            meaning="type of community (sim/communities.py): its preset fills the "
                                    "composition and structure keys the scenario does not set",
                            source="docs/ODD.md, Community types")
    community_types: list[CommunityType] | None = P(None, unit="text", role="constant",
                                          meaning="one type per community of the street, each one of community_type's "
                                                  "values (n_communities entries); none: every community "
                                                  "is community_type",
                                          source="docs/ODD.md, Community types")
    # property management (sim/processes/property.py)
    property_company: bool = P(True, unit="switch", role="constant",
                               meaning="a property company (物业公司) manages the community",
                               source="A: old neighbourhoods have a basic property service (004: the "
                                      "street pays a property company)")
    owners_committee: bool = P(False, unit="switch", role="constant",
                               meaning="an owners' committee (业主委员会) tests the property company "
                                       "monthly even without satisfaction-linked payment",
                               source="Read 2003; Tomba 2014: owners' committees belong to "
                                      "commodity estates")

    @model_validator(mode="after")
    def _types_per_community(self) -> Population:
        if self.community_types is None:
            return self
        if len(self.community_types) != self.n_communities:
            raise ValueError(f"community_types must give one type per community: "
                             f"{len(self.community_types)} given, n_communities is {self.n_communities}")
        return self

    @model_validator(mode="after")
    def _age_shares_sum(self) -> Population:
        if len(self.age_shares) != 4 or any(s < 0 for s in self.age_shares) \
                or abs(sum(self.age_shares) - 1.0) > 1e-6:
            raise ValueError("age_shares must be 4 non-negative shares (18-29, 30-49, 50-59, 60+) "
                             "summing to 1")
        return self


# ------------------------------------------------------------------------------ network
class Network(Section):
    building_ties: float = P(3.0, plausible=(1.5, 4.5), range_source="judgement: ±50% of the assumed default; neighbour ties in old walk-ups (A)", unit="ties/resident", ge=0, le=50,
                             meaning="mean ties to neighbours in the same building/courtyard",
                             source="A: neighbour networks in old walk-ups")
    wider_ties: float = P(4.0, plausible=(2.0, 6.0), range_source="judgement: ±50% of the assumed default (A)", unit="ties/resident", ge=0, le=50,
                          meaning="mean small-world ties elsewhere in the community",
                          source="A: acquaintance ties")
    cross_community_share: float = P(0.1, plausible=(0.05, 0.2), range_source="judgement: half to twice the assumed default (A)", unit="share", ge=0, le=1,
                                     meaning="share of wider ties that reach another community of the street",
                                     source="A")
    migrant_tie_factor: float = P(0.5, plausible=(0.25, 0.75), range_source="judgement: ±50% of the default; TARGETS gives the direction only (migrants start with fewer ties: below 1)", unit="factor", ge=0, le=1,
                                  meaning="migrants' building and wider ties relative to locals'",
                                  source="T: migrants start with fewer ties (direction only)")
    homophily: float = P(0.7, plausible=(0.5, 0.9), range_source="judgement: ties across the migrant/local line are scarce (Urban Studies survey, TARGETS) but not absent", unit="probability", ge=0, le=1,
                         meaning="chance a wider tie is drawn within the resident's own group (migrant/local)",
                         source="A: ties across the migrant/local line are scarce (T, Urban Studies)")
    org_ties_per_join: int = P(2, plausible=(1, 4), range_source="judgement: a joiner befriends a few members (A)", unit="ties", ge=0, le=20,
                               meaning="new ties a joiner forms with existing members of the organization",
                               source="A: shared membership creates ties (BRIEF)")
    org_tie_lifetime_days: int = P(730, range_source="judgement: one to five years (A)", unit="days", ge=30, le=36500, plausible=(365, 1825),
                                   meaning="how long a tie formed in a group lasts without renewal (the network is rebuilt without older ones once a year)",
                                   source="A: acquaintances made in a group fade after it")
    edge_list: str | None = P(None, unit="path", role="constant",
                              meaning="user-supplied network (.csv/.txt edge list or .graphml) instead of the generated one",
                              source="user input")


# ---------------------------------------------------------------------------- behaviour
class Behaviour(Section):
    base_logit_meeting: float = P(-5.39, range_source="judgement: the calibration's search range (experiments/calibration.yaml) around the calibrated value (docs/calibration)", plausible=(-7.0, -5.0), unit="logit", ge=-15, le=5,
                                  meaning="intercept of the decision to attend a meeting one is notified of",
                                  source="calibrated (docs/calibration: cogov calibrate experiments/calibration.yaml); target: T 10-30% yearly participation")
    base_logit_volunteering: float = P(-6.88, range_source="judgement: the calibration's search range (experiments/calibration.yaml) around the calibrated value (docs/calibration)", plausible=(-7.0, -4.5), unit="logit", ge=-15, le=5,
                                       meaning="intercept of the decision to take a volunteer task one is offered",
                                       source="calibrated (docs/calibration: cogov calibrate experiments/calibration.yaml); target: T 13.85 h per registered volunteer")
    base_logit_organization: float = P(-3.33, range_source="judgement: the calibration's search range (experiments/calibration.yaml) around the calibrated value (docs/calibration)", plausible=(-4.0, -2.0), unit="logit", ge=-15, le=5,
                                       meaning="intercept of a member's decision to join an activity",
                                       source="calibrated (docs/calibration: cogov calibrate experiments/calibration.yaml)")
    base_logit_evaluation: float = P(-5.72, range_source="judgement: the calibration's search range (experiments/calibration.yaml) around the calibrated value (docs/calibration)", plausible=(-6.0, -3.5), unit="logit", ge=-15, le=5,
                                     meaning="intercept of the decision to evaluate a service one received",
                                     source="calibrated (docs/calibration: cogov calibrate experiments/calibration.yaml)")
    w_disposition: float = P(2.0, range_source="judgement: ±50% of the assumed default (A)", plausible=(1.0, 3.0), unit="logit per unit", ge=0, le=10,
                             meaning="weight of civic disposition (0-1)", source="A")
    w_efficacy: float = P(1.5, range_source="judgement: about ±0.7 of the assumed default (A)", plausible=(0.5, 2.5), unit="logit per unit", ge=0, le=10,
                          meaning="weight of political efficacy (0-1)", source="A")
    w_trust: float = P(1.0, range_source="judgement: half to twice the assumed default (A)", plausible=(0.5, 2.0), unit="logit per unit", ge=0, le=10,
                       meaning="weight of trust in community institutions (0-1)", source="A")
    w_free_time: float = P(3.5, range_source="judgement: wide enough to span TARGETS' age gradient (13.8% of 18-29 against 77.7% of 70-79 year olds voted)", plausible=(2.0, 5.0), unit="logit per unit", ge=0, le=10,
                           meaning="weight of free time (working 0.3, retired 1.0)",
                           source="T: participation rises steeply with age (13.8% at 18-29, 77.7% at 70-79)")
    w_social: float = P(2.0, range_source="judgement: ±50% of the assumed default (A)", plausible=(1.0, 3.0), unit="logit per unit", ge=0, le=10,
                        meaning="weight of the tie-weighted share of one's ties who took part in the last 30 days",
                        source="A: social reinforcement (BRIEF)")
    w_invited: float = P(1.5, range_source="judgement: about ±0.7 of the assumed default; mobilization through ties (Read 2012)", plausible=(0.5, 2.5), unit="logit", ge=0, le=10,
                         meaning="added when a party member or organization member invited the resident",
                         source="A: mobilization through ties (Read 2012)")
    w_fatigue: float = P(3.0, range_source="judgement: a third to five thirds of the assumed default (A)", plausible=(1.0, 5.0), unit="logit per unit", ge=0, le=20,
                         meaning="weight of fatigue (subtracted)", source="A")
    w_cross_group_ties: float = P(1.0, plausible=(0.5, 1.5), range_source="judgement: ±50% of the default; TARGETS gives the direction (Urban Studies survey)", unit="logit per unit", ge=0, le=10,
                                  meaning="added for migrants per unit share of their ties that are to locals",
                                  source="T: ties across the migrant/local line raise migrants' willingness")
    free_time_by_age: list[float] = P([0.15, 0.2, 0.3, 1.0], unit="0-1 by age group",
                                      meaning="free time of adults aged 18-29, 30-49, 50-59 and 60+ (retired)",
                                      source="T: participation rises with age (13.8% at 18-29, 55.7% at 50-59, 77.7% at 70-79); A: values")
    fatigue_per_act: float = P(0.25, plausible=(0.125, 0.375), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="0-1", ge=0, le=1,
                               meaning="fatigue added by one act", source="A")
    fatigue_half_life_days: float = P(5.0, plausible=(2.5, 7.5), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="days", gt=0, le=365,
                                      meaning="half-life of fatigue", source="A")
    efficacy_learning: float = P(0.08, plausible=(0.02, 0.15), range_source="judgement: the screening range of experiments/morris_behaviour.yaml around the assumed default", unit="rate", ge=0, le=1,
                                 meaning="step of efficacy towards an act's outcome (1 carried out, 0 stalled)",
                                 source="A")
    trust_learning: float = P(0.05, plausible=(0.02, 0.1), range_source="judgement: the screening range of experiments/morris_behaviour.yaml around the assumed default", unit="rate", ge=0, le=1,
                              meaning="step of trust towards the outcome of one's need or dispute",
                              source="A")
    satisfaction_learning: float = P(0.1, plausible=(0.05, 0.15), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="rate", ge=0, le=1,
                                     meaning="step of satisfaction towards a service's evaluation",
                                     source="A")
    migrant_feedback_factor: float = P(0.5, plausible=(0.25, 0.75), range_source="judgement: ±50% of the default; TARGETS (CGSS 2010, Guangzhou 2015) gives the direction only: weaker for migrants (below 1)", unit="factor", ge=0, le=1,
                                       meaning="migrants' efficacy learning relative to locals'",
                                       source="T: the participation feedback loop is weaker for migrants")
    invitation_memory_days: int = P(7, plausible=(3, 14), range_source="judgement: an invitation counts for a few days to two weeks (A)", unit="days", ge=0, le=365,
                                    meaning="days an invitation from a party or organization member keeps raising the chance to take part",
                                    source="A: an invitation is for the coming week")
    participation_reinforcement: float = P(0.01, range_source="judgement: from no habit to three times the assumed default; TARGETS: past participation predicts future participation", plausible=(0.0, 0.03), unit="per act", ge=0, le=0.2,
                                           meaning="rise in disposition from each act (habit)",
                                           source="A: past participation predicts future participation (T)")
    initial_trust: float = P(0.5, plausible=(0.35, 0.65), range_source="judgement: the default ±0.15 (A)", unit="0-1", ge=0, le=1, meaning="mean initial trust", source="A")
    initial_efficacy: float = P(0.35, plausible=(0.2, 0.5), range_source="judgement: the default ±0.15 (A)", unit="0-1", ge=0, le=1,
                                meaning="mean initial political efficacy", source="A")
    migrant_gap: float = P(0.12, plausible=(0.05, 0.2), range_source="judgement: TARGETS (CGSS 2010; Guangzhou 2015) gives the direction only: a clear but not total gap", unit="0-1", ge=0, le=1,
                           meaning="how much lower migrants' initial trust and efficacy are",
                           source="T: migrants participate clearly less (CGSS 2010; Guangzhou 2015), direction only")
    initial_satisfaction: float = P(0.55, plausible=(0.4, 0.7), range_source="judgement: the default ±0.15 (A)", unit="0-1", ge=0, le=1,
                                    meaning="mean initial satisfaction", source="A")
    # ---- finite time (ODD 7.2): acts, memberships and offices draw on a weekly budget
    time_budget_hours_week: float = P(8.0, range_source="judgement: half to nearly twice the default; TARGETS: 13.85 h a year per registered volunteer on average, activists far more", unit="hours/week", ge=0.5, le=80, plausible=(4.0, 14.0),
                                      meaning="civic hours a week of an adult with free time 1 (a retiree)",
                                      source="A: active retirees give a few hours most days; T: 13.85 h a year per registered volunteer is the average, activists far more")
    time_budget_floor_hours_week: float = P(3.0, range_source="judgement: an hour to a weekend afternoon a week (A)", unit="hours/week", ge=0, le=40, plausible=(1.0, 5.0),
                                            meaning="civic hours a week anyone can spare (a weekend afternoon); the budget is floor + (time_budget_hours_week - floor) x free_time",
                                            source="A: working adults take part at weekends (T: 13.8% of 18-29 year olds voted)")
    hours_per_act: float = P(2.0, range_source="judgement: a one- to three-hour meeting or activity, travel included (A)", unit="hours", gt=0, le=24, plausible=(1.0, 3.0),
                             meaning="time one act (a meeting, an activity, a volunteer task, an evaluation) takes, travel included",
                             source="A: a two-hour meeting or activity")
    hours_per_membership_week: float = P(0.5, range_source="judgement: from a few minutes a day to an hour and a half a week (A)", unit="hours/week", ge=0, le=20, plausible=(0.2, 1.5),
                                         meaning="standing time a membership takes besides its activities (group chat, errands, preparation)",
                                         source="A")
    hours_per_office_week: float = P(3.0, range_source="judgement: an hour to most of a day a week (A)", unit="hours/week", ge=0, le=40, plausible=(1.0, 6.0),
                                     meaning="time an office takes: leading a group one founded, or sitting as a resident representative",
                                     source="A")
    act_hours_half_life_days: float = P(7.0, range_source="judgement: half a week to two weeks around the weekly budget (A)", unit="days", gt=0, le=90, plausible=(3.0, 14.0),
                                        meaning="half-life of the act hours that count against this week's budget",
                                        source="A: the budget is weekly")
    w_time_load: float = P(3.0, range_source="judgement: a third to twice the assumed default (A)", unit="logit per unit", ge=0, le=20, plausible=(1.0, 6.0),
                           meaning="weight of the share of one's time budget already taken (subtracted); an act that would overrun the budget is declined",
                           source="A: people with less spare time take part less (T: participation rises with age)")
    # ---- attitudes move towards experience and back towards the resident's own baseline
    disposition_reversion_per_year: float = P(1.0, range_source="judgement: habit fading over three years to four months (A)", unit="1/year", ge=0, le=50, plausible=(0.3, 3.0),
                                              meaning="rate at which habit gained by acts fades back to the resident's own civic disposition",
                                              source="A: habit needs practice; past participation predicts future participation (T) but not forever")
    attitude_reversion_per_year: float = P(0.5, range_source="judgement: attitudes returning over ten years to six months (A)", unit="1/year", ge=0, le=50, plausible=(0.1, 2.0),
                                           meaning="rate at which trust, efficacy and satisfaction return to the resident's own baseline without new experience",
                                           source="A: attitudes formed outside the community (media, workplace) pull back")
    initial_disposition_a: float = P(2.0, plausible=(1.0, 3.0), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="Beta a", gt=0, le=100,
                                     meaning="initial civic disposition ~ Beta(a, b) before the gains below (mean a/(a+b) = 0.25)",
                                     source="A: was a number in the rule; declared so that sweeps and calibration reach it: most residents are not civic activists")
    initial_disposition_b: float = P(6.0, plausible=(3.0, 9.0), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="Beta b", gt=0, le=100,
                                     meaning="the b of the initial disposition's Beta(a, b)",
                                     source="A: was a number in the rule; declared so that sweeps and calibration reach it: most residents are not civic activists")
    party_disposition_gain: float = P(0.10, range_source="judgement: none to twice the assumed default (A)", unit="share", ge=0, le=1, plausible=(0.0, 0.2),
                                      meaning="added to a party member's initial disposition",
                                      source="A: was a number in the rule; declared so that sweeps and calibration reach it: members are expected to take part")
    retired_disposition_gain: float = P(0.05, range_source="judgement: none to three times the assumed default (A)", unit="share", ge=0, le=1, plausible=(0.0, 0.15),
                                        meaning="added to a retired resident's initial disposition",
                                        source="A: was a number in the rule; declared so that sweeps and calibration reach it: T: the retired take part more")
    initial_attitude_sd: float = P(0.15, range_source="judgement: a third to twice the assumed default (A)", unit="share", ge=0, le=1, plausible=(0.05, 0.3),
                                   meaning="standard deviation of initial trust, efficacy and satisfaction around their means",
                                   source="A: was a number in the rule; declared so that sweeps and calibration reach it")

    @model_validator(mode="after")
    def _free_time(self) -> Behaviour:
        if len(self.free_time_by_age) != 4 or not all(0 <= x <= 1 for x in self.free_time_by_age):
            raise ValueError("free_time_by_age must be 4 values between 0 and 1 (18-29, 30-49, 50-59, 60+)")
        return self


# ---------------------------------------------------------------------------- committee
class Committee(Section):
    processes = ("government_duties", "committee_support")
    staff_per_10k: float = P(12.0, plausible=(6.0, 30.0), range_source="TARGETS staffing examples: 6 staff for ~5,000 residents in Guangzhou (12 per 10,000), doc003 (Jiayuguan) standard of at least 18 per 10,000, 16 full-time for 2,370 households in Beijing (~26 per 10,000); lower end judgement: half the Guangzhou example", unit="staff per 10,000 residents", ge=0, le=100, role="lever",
                             zh="居委会专职工作人员",
                             meaning="full-time residents' committee staff per 10,000 residents of the reference community (5,000 adults: 6 staff); a community's staff follow its work as a duty item's hours do: a core for the committee's own paperwork, the rest by households (ODD 7.4, 7.15)",
                             source="T: 6 staff for ~5,000 residents (Guangzhou); 003: 每万城镇常住人口不少于18人的标准")
    staff_hours_per_day: float = P(8.0, unit="hours", ge=0, le=16, role="constant",
                                   meaning="working hours per staff member per day", source="A")
    staff_cost_yuan_per_year: float = P(60000, unit="yuan/staff/year", ge=0, le=1e6, role="constant",
                                        meaning="cost of one staff member", source="A")
    office_budget_yuan: float = P(100000, per_community='fixed: doc003 (Jiayuguan) sets office funds per community (每个社区办公经费不低于20万元), whatever its size', plausible=(50000.0, 300000.0), range_source="doc003 (Jiayuguan): office funds of at least 200,000 yuan per community after the reform; judgement: from half the unreformed default (100,000, A) to 1.5 times the reform standard", unit="yuan/community/year", ge=0, le=1e8, role="lever",
                                  zh="办公和活动经费（部分用于支持社会组织）",
                                  meaning="office and activity funds; part supports organizations",
                                  source="003: 每个社区办公经费不低于20万元 (reform standard)")
    org_support_share: float = P(0.3, plausible=(0.1, 0.5), range_source="judgement: from a token share to half the office funds (A)", unit="share", ge=0, le=1, role="lever",
                                 zh="办公经费中资助社区社会组织的比例",
                                 meaning="share of office funds granted to community organizations",
                                 source="A")
    pushed_down_duty_items: int = P(200, plausible=(50, 250), range_source="doc001 (Shatou) lists 61 government-affairs items; doc003 (Jiayuguan) cut 200-odd pushed-down items to 97; judgement: from a little below the shortest list to a quarter above the longest", unit="items", ge=0, le=1000, role="lever",
                                    zh="下沉到居委会的行政事项",
                                    meaning="administrative items pushed down onto the committee",
                                    source="003: 将200余项下沉事项和70余块挂牌 ... 清理精简为97项和27块 (200+ items to 97)")
    hours_per_duty_item: float = P(0.206, range_source="judgement: the calibration's search range (experiments/calibration.yaml) around the calibrated value (docs/calibration)", plausible=(0.12, 0.24), unit="staff-hours/item/day", ge=0, le=5,
                                   meaning="daily staff time one pushed-down item consumes",
                                   source="calibrated (docs/calibration: cogov calibrate experiments/calibration.yaml); target: T 67.8-87.8% of committee tasks assigned by government")
    duty_household_share: float = P(0.8, plausible=(0.6, 1.0), range_source="judgement: pushed-down items are mostly work on households (checks, registers, visits, certificates) and partly paperwork for the committee (ledgers, reports, meetings: one per committee); neither share is measured", unit="share", ge=0, le=1,
                                    meaning="share of a duty item's hours, at the reference community, that is work on households: in a community with households_c, an item takes hours_per_duty_item x ((1 - share) + share x households_c / reference households) (ODD 7.15)",
                                    source="judgement; with 0.8 the share of committee hours on duties stays in T's 67.8-87.8% band from 1,000 to 15,000 adults (0.5 left 58% at 15,000; 1.0 left 64% at 2,000: docs/VALIDATION.md, section 5)")
    ledger_share: float = P(0.3, plausible=(0.15, 0.45), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="share", ge=0, le=1,
                            meaning="share of duty time that is ledgers and forms",
                            source="002: 精简社区各类资料台账,推行建立电子档案 (share: A)")
    electronic_ledgers: bool = P(False, unit="switch", role="lever",
                                 zh="电子台账（台账时间减半）",
                                 meaning="electronic ledgers halve ledger time",
                                 source="002: 精简社区各类资料台账,推行建立电子档案")
    electronic_ledger_cost_yuan: float = P(20000, per_community='fixed: one ledger system per committee', plausible=(10000.0, 30000.0), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="yuan/community/year", ge=0, le=1e7,
                                           meaning="running cost of the electronic ledger system",
                                           source="A: a small software licence and upkeep")
    plaques: int = P(70, per_community="fixed: plaques hang at the committee's office, one set per committee", plausible=(3, 80), range_source="doc002 (provincial guideline): in principle only three plaques (party organization, committee, service station); doc003 (Jiayuguan): 70-odd plaques cut to 27; judgement: a little above the longest", unit="plaques", ge=0, le=500, role="lever",
                     zh="居委会挂牌数（每块牌子各有报表）",
                     meaning="organization plaques hung at the committee, each with its own reporting",
                     source="003: 将200余项下沉事项和70余块挂牌 ... 清理精简为97项和27块 (70+ plaques to 27)")
    hours_per_plaque: float = P(0.04, plausible=(0.02, 0.06), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="staff-hours/plaque/day", ge=0, le=5,
                                meaning="daily reporting time per plaque", source="A")
    inspections_per_month: float = P(4.0, per_community='fixed: inspections and evaluations visit the committee, not the households', plausible=(1.0, 8.0), range_source="judgement: doc002 (provincial guideline) asks to cut inspections of communities; from one a month to twice the assumed default", unit="inspections", ge=0, le=60, role="lever",
                                     zh="上级检查和考评",
                                     meaning="inspections and evaluations from above",
                                     source="002: 对社区的检查活动 (to be cut: 精简; count: A)")
    hours_per_inspection: float = P(12.0, per_community="fixed: an inspection's day at the committee", plausible=(6.0, 18.0), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="staff-hours", ge=0, le=200,
                                    meaning="staff time one inspection takes on the day", source="A")
    duty_rebound_per_year: float = P(12.0, plausible=(6.0, 24.0), range_source="judgement: half to twice the default; TARGETS (field report, grade C): reductions rebound, at a rate nobody measured", unit="items/year", ge=0, le=500, role="uncertainty",
                                     meaning="new items pushed down a year unless a duty list caps them",
                                     source="T: 'the more it is reduced, the heavier it gets' (grade C)")
    duty_list_cap: bool = P(False, unit="switch", role="lever",
                            zh="公布职责清单：新增事项须有经费（权随责走、费随事转）",
                            meaning="a published duty list: new items only with funding (权随责走、费随事转)",
                            source="002: “权随责走、费随事转”的原则; 003: 职能部门职责下沉准入和审查备案制度")
    funded_item_cost_yuan: float = P(20000, unit="yuan/item/year", ge=0, le=1e7, role="constant",
                                     meaning="funding that comes with an item under the duty list (pays for the hours)",
                                     source="002 (amount: A)")
    funded_item_years: float = P(1.0, plausible=(0.5, 3.0), range_source="judgement: from a season's campaign to a three-year programme", unit="years", ge=0, le=50,
                                 meaning="years an item admitted under the duty list is funded: the funded items on a committee settle at duty_rebound_per_year x this, and the spend at that times funded_item_cost_yuan a year",
                                 source="002: 费随事转 (the money comes with the item); A: a department's budget is yearly, so an admitted item is funded for its budget year")
    dispatch_hours_per_order: float = P(0.25, plausible=(0.125, 0.375), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="staff-hours", ge=0, le=10,
                                        meaning="committee time to take and dispatch one need (four orders)",
                                        source="A")
    service_hours_per_need: float = P(2.0, plausible=(1.0, 3.0), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="staff-hours", ge=0, le=40,
                                      meaning="committee time to serve a need itself when no organization takes it",
                                      source="A")
    org_support_hours_per_org: float = P(0.25, plausible=(0.125, 0.375), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="staff-hours/org/day", ge=0, le=8,
                                         meaning="committee time supporting each organization (keeps it alive)",
                                         source="A")
    org_support_free_share: float = P(0.12, plausible=(0.06, 0.18), range_source="judgement: half to 1.5 times the default (A)", unit="share", ge=0, le=1,
                                      meaning="most of its free hours (after duties and organizing volunteer work) a committee sets aside each morning for supporting its groups, up to org_support_hours_per_org a group",
                                      source="A: set so that a 5,000-adult committee gives its groups what it gave them when support took the hours left at the end of the day (11-12% of its free hours); as that residual, support was the remainder of a 2-hour need service, about one hour a day in any community, and a group's share of it fell with the number of groups (ODD 7.4)")
    volunteer_task_hours: float = P(0.5, plausible=(0.25, 0.75), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="staff-hours/task", ge=0, le=8,
                                    meaning="committee time to organize one volunteer task", source="A")
    volunteer_task_share: float = P(0.25, plausible=(0.125, 0.375), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="share", ge=0, le=1,
                                    meaning="share of the hours left after mediation, dispatch and meetings spent organizing volunteer tasks",
                                    source="A")
    volunteer_tasks_per_1000_day: float = P(0.2, range_source="judgement: the default (the work a committee's volunteers find at the calibrated baseline) to ten times it (A)", unit="tasks/1,000 adults/day", ge=0, le=100, plausible=(0.2, 2.0),
                                            meaning="most volunteer tasks a day there is work for (patrols, cleaning, visits to the elderly): the committee organizes no more, whatever its free hours",
                                            source="A: the work scales with the community, not with the committee's spare time")
    volunteer_work_backlog_days: float = P(7.0, range_source="judgement: half a week to a month of work that can wait (A)", unit="days", ge=0, le=365, plausible=(3, 30),
                                           meaning="days of volunteer work that can wait to be organized; work beyond it lapses",
                                           source="A: a week's patrols, cleaning and visits can be organized later in the week, not next month")
    residents_per_volunteer_task: float = P(2.0, range_source="judgement: one to eight residents asked per task; eight is what ODD 7.4 found to swamp party invitations", unit="residents", ge=1, le=100, plausible=(1.0, 8.0),
                                            meaning="residents offered each volunteer task",
                                            source="A: a patrol or a clean-up is asked of a couple of residents; with 8 offers a task, once tasks no longer vanished at 5,000 adults (ODD 7.4), offers swamped party invitations and calibration pushed the volunteering intercept to -8.9")
    staff_minimum: float = P(0.0, per_community="fixed: a floor of full-time staff whatever the community's size (none by default; a community type may set one)", unit="staff", ge=0, le=50, role="constant",
                             meaning="smallest full-time staff whatever the community's size",
                             source="judgement: the Organic Law of Urban Residents' Committees (1989, rev. 2018), art. 7 (由主任、副主任和委员共五至九人组成) sets five to nine elected members, not their full-time hours; doc003 (Jiayuguan) sets full-time staff by residents (每万城镇常住人口不少于18人), without a floor. A floor of 5 full-time staff left committees below 4,167 adults with more free hours per adult than above it: needs fulfilled fell from 58% at 3,000 to 46% at 4,000 adults (issue 21)")
    max_duty_share: float = P(0.9, range_source="TARGETS: 67.8% and 87.8% of committee tasks assigned by government (Hubei, 2003); judgement: the ceiling lies a little above the larger figure", unit="share", ge=0.5, le=1, plausible=(0.8, 0.97),
                              meaning="most of the staff time duties can take: a committee under load triages, leaving duties undone or late rather than stopping all self-governance",
                              source="T: 67.8% and 87.8% of tasks assigned by government (two communities); A: the ceiling")
    triage_sharpness: float = P(6.0, range_source="judgement: half to twice the assumed default (A)", unit="exponent", ge=1, le=50, plausible=(3.0, 12.0),
                                meaning="how sharply duty hours bend towards the ceiling: served = D / (1 + (D/ceiling)^k)^(1/k)",
                                source="A: a smooth minimum, so outcomes vary smoothly with load")
    duty_items_retired_per_year: float = P(0.06, range_source="judgement: from a third to two and a half times the lapse rate that keeps 200 items stationary at 12 new a year (A)", unit="share/year", ge=0, le=1, plausible=(0.02, 0.15),
                                           meaning="share of pushed-down items that lapse a year (campaigns end, items merge)",
                                           source="A: with 12 new items a year the unreformed 200 items are stationary (12/200); T: reductions rebound")
    ledger_paperwork_cut: float = P(0.5, range_source="judgement: doc002 (provincial guideline) asks for electronic records without saying how much they save; a fifth to four fifths", unit="share", ge=0, le=1, plausible=(0.2, 0.8),
                                    meaning="share of the ledger share of duty-item hours that electronic ledgers save",
                                    source="002: 精简社区各类资料台账 (electronic ledgers halve the paperwork: A)")
    org_support_smoothing: float = P(0.1, plausible=(0.05, 0.15), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="weight/day", ge=0, le=1,
                                     meaning="weight of today's ratio of granted to wanted org-support hours in its moving average",
                                     source="A: was a number in the rule; declared so that sweeps and calibration reach it: about a month's memory")


# --------------------------------------------------------------------------------- grid
class Grid(Section):
    processes = ("grid_visits",)
    households_per_grid: int = P(300, plausible=(150, 600), range_source="doc003 (Jiayuguan): grids of 300 households or 1,000 people; judgement: half to twice that standard", unit="households", ge=20, le=5000, role="lever",
                                 zh="每个网格的户数",
                                 meaning="households per grid", source="003: 按300户或1000人标准")
    workers_per_grid: float = P(0.5, plausible=(0.25, 2.0), range_source="judgement: from a worker shared by four grids to two per grid; doc003 (Jiayuguan) adds grids, not a staffing ratio", unit="workers", ge=0, le=10, role="lever",
                                zh="每个网格的网格员",
                                meaning="grid workers per grid", source="003: 新增网格30个 (A: baseline half a worker)")
    visits_per_worker_day: float = P(8.0, plausible=(4.0, 16.0), range_source="judgement: half to twice the assumed default (A)", unit="households/day", ge=0, le=100, role="lever",
                                     zh="网格员每个工作日走访的户数",
                                     meaning="households a grid worker visits a working day", source="A")
    visit_trust_gain: float = P(0.002, plausible=(0.001, 0.003), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="share", ge=0, le=0.1,
                                meaning="trust moved towards 1 in a visited household (a sign the community cares)",
                                source="A")
    worker_cost_yuan_per_year: float = P(50000, unit="yuan/worker/year", ge=0, le=1e6, role="constant",
                                         meaning="cost of one grid worker", source="A")


# -------------------------------------------------------------------------------- needs
# dispute channels and types (sim/processes/disputes.py); besides the channels, a collective dispute
# can close through a carried-out public issue ("deliberation")
CHANNELS = ("direct", "volunteer", "committee", "professional", "police", "online", "street",
            "court")
DISPUTE_TYPES = ("noise_leak", "parking", "pets", "renovation_property", "family", "collective")
NEED_TYPES = ("elderly", "environment", "culture", "legal", "public", "administrative")
#: the organization type that can handle each need type (None: the committee or a department)
NEED_TO_ORG = {"elderly": "elderly", "environment": "environment", "culture": "culture",
               "legal": "legal", "public": None, "administrative": None}


class Needs(Section):
    per_resident_year: float = P(1.2, plausible=(0.6, 1.8), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="needs/resident/year", ge=0, le=50,
                                 meaning="rate at which a resident has a need for the community", source="A")
    type_shares: list[float] = P([0.2, 0.3, 0.12, 0.08, 0.15, 0.15], unit="shares",
                                 meaning="shares of elderly, environment/property, culture, legal, public (shared), administrative needs",
                                 source="A: 001 lists 52 residents' affairs and 61 government affairs items")
    report_base: float = P(0.005, plausible=(0.0025, 0.0075), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="probability/day", ge=0, le=1,
                           meaning="daily chance an unreported need is reported, at trust 0",
                           source="A")
    report_trust_weight: float = P(0.03, plausible=(0.015, 0.045), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="probability/day", ge=0, le=1,
                                   meaning="added daily reporting chance at trust 1", source="A")
    abandon_days: int = P(60, plausible=(30, 90), range_source="judgement: one to three months (A)", unit="days", ge=1, le=730,
                          meaning="an unreported or unserved need is dropped after this long (counted unfulfilled)",
                          source="A")
    department_capacity_per_day: float = P(5.0, per_community='households', plausible=(2.5, 7.5), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="needs/community/day", ge=0, le=100,
                                           meaning="needs functional departments take from a community a day",
                                           source="A")
    department_delay_days: float = P(20.0, plausible=(10.0, 30.0), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="days", ge=0, le=365,
                                     meaning="mean days a department takes", source="A")
    department_success: float = P(0.65, plausible=(0.5, 0.8), range_source="judgement: the default ±0.15 (A)", unit="probability", ge=0, le=1,
                                  meaning="chance a department's handling satisfies", source="A")
    committee_delay_days: float = P(5.0, plausible=(2.5, 7.5), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="days", ge=0, le=365,
                                    meaning="mean days the committee takes to serve a need itself", source="A")
    committee_success: float = P(0.7, plausible=(0.55, 0.85), range_source="judgement: the default ±0.15 (A)", unit="probability", ge=0, le=1,
                                 meaning="chance the committee's own service satisfies", source="A")
    org_delay_days: float = P(4.0, plausible=(2.0, 6.0), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="days", ge=0, le=365,
                              meaning="mean days an organization takes", source="A")
    org_capacity_per_day: float = P(0.3, plausible=(0.15, 0.45), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="needs/org/day", ge=0, le=50,
                                    meaning="needs an uncontracted organization serves a day", source="A")
    public_issue_threshold: int = P(5, plausible=(3, 10), range_source="judgement: a handful of shared needs from one grid (A)", unit="needs", ge=1, le=1000,
                                    meaning="shared needs from one grid that make a public issue for deliberation",
                                    source="A: 004 issues collected from residents")
    abandon_trust_scale: float = P(0.5, range_source="judgement: from two fifths to as much as a failed service (A)", unit="factor", ge=0, le=5, plausible=(0.2, 1.0),
                                   meaning="an abandoned need moves trust towards 0 by this times trust_learning",
                                   source="A: was a number in the rule; declared so that sweeps and calibration reach it: a need left unserved disappoints less than one failed")

    @model_validator(mode="after")
    def _shares(self) -> Needs:
        if len(self.type_shares) != len(NEED_TYPES) or abs(sum(self.type_shares) - 1) > 1e-6 \
                or min(self.type_shares) < 0:
            raise ValueError(f"type_shares must be {len(NEED_TYPES)} non-negative shares "
                             f"({', '.join(NEED_TYPES)}) summing to 1")
        return self


# ------------------------------------------------------------------------ organizations
ORG_TYPES = ("culture", "elderly", "charity", "legal", "environment", "migrant")
ORG_ORIGINS = ("initial", "resident", "grant", "incubated", "contract")


class Organizations(Section):
    initial_per_1000_adults: list[float] = P(
        [0.6, 0.5, 0.5, 0.4, 0.4, 0.1], unit="organizations/1,000 adults",
        meaning="organizations at the start of the spin-up, by type (culture/sport, elderly, charity, legal, "
                "environment, migrant), per 1,000 adults of the community (the rounded total shared by largest remainder)",
        source="R: near the settled baseline, so that the spin-up starts close to where it ends "
               "(measured: 0.5 per 1,000 of each of the first five types and about none of migrant "
               "groups, 15,000 adults, 9 years after the spin-up, 2 seeds); a fixed count per "
               "community left large communities filling their niche for a decade (ODD 7.7)")
    initial_reputation: float = P(0.7, range_source="judgement: from a new group's 0.5 to above the settled mean of established groups (0.71, ODD 7.7)", unit="0-1", ge=0, le=1, plausible=(0.5, 0.85),
                                  meaning="reputation of an organization present at the start (an established group)",
                                  source="R: the settled mean of groups older than two years (0.71, same run); "
                                         "new groups start at 0.5")
    initial_members: int = P(25, plausible=(15, 40), range_source="judgement: community groups of 10-50 members (ODD 7.7), around the default", unit="residents", ge=1, le=2000,  # a group starts with its leader at least
                             meaning="members of an initial organization", source="A")
    activities_per_week: float = P(1.0, plausible=(0.5, 1.5), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="activities/week", ge=0, le=14,
                                   meaning="activities an organization runs a week", source="A")
    cost_per_activity_yuan: float = P(150, plausible=(75.0, 225.0), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="yuan", ge=0, le=1e5,
                                      meaning="cash an activity consumes", source="A")
    initial_funds_yuan: float = P(2000, plausible=(1000.0, 3000.0), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="yuan", ge=0, le=1e7,
                                  meaning="funds of a new organization without a grant", source="A")
    dues_yuan_per_member_month: float = P(2.0, plausible=(0.0, 5.0), range_source="judgement: from none to a few yuan a month (A)", unit="yuan", ge=0, le=1e4,
                                          meaning="members' monthly contributions", source="A")
    recruit_prob_per_tie_month: float = P(0.01, range_source="judgement: about a third to three times the assumed default (A)", plausible=(0.003, 0.03), unit="probability", ge=0, le=1,
                                          meaning="monthly chance a member brings one non-member tie in",
                                          source="A")
    dropout_per_month: float = P(0.04, range_source="judgement: half to two and a half times the assumed default (A)", plausible=(0.02, 0.1), unit="probability", ge=0, le=1,
                                 meaning="monthly chance a member who did not take part leaves", source="A")
    churn_per_year: float = P(0.15, range_source="judgement: a third to twice the assumed default (A)", unit="1/year", ge=0, le=5, plausible=(0.05, 0.3),
                              meaning="yearly rate at which any member leaves a group (moving, illness, family, interest)",
                              source="A: residential mobility and life events; old communities rent to migrants")
    overload_dropout_per_month: float = P(0.3, range_source="judgement: a third to twice the assumed default (A)", unit="probability", ge=0, le=1, plausible=(0.1, 0.6),
                                          meaning="monthly chance that a member whose commitments exceed their time budget leaves one group",
                                          source="A: the time budget binds")
    core_idle_days: int = P(90, range_source="judgement: two to six months without an active member (A)", unit="days", ge=7, le=730, plausible=(60, 180),
                            meaning="a group none of whose members took part in its activities for this long has lost its core and dissolves (unless it holds a contract)",
                            source="A")
    group_size_saturation: int = P(50, range_source="judgement: community groups of 10-50 members (ODD 7.7), up to twice the largest", unit="members", ge=5, le=5000, plausible=(20, 100),
                                   meaning="size at which a group stops recruiting: the chance a tie joins falls as 1 - members/size",
                                   source="A: a group meets in one room, square or courtyard; community groups of 10-50 members")
    fold_per_year: float = P(0.15, range_source="judgement: a third to three times the assumed default (A)", unit="1/year", ge=0, le=5, plausible=(0.05, 0.5),
                             meaning="yearly rate at which an established group of fold_reference_members members folds for reasons outside the model (venue lost, leader tired, quarrel); smaller and younger groups fold faster (fold_size_exponent, fold_newness_excess); a social worker's group folds at social_worker_dropout_factor times this",
                             source="A: grassroots groups are fragile; the unreformed baseline keeps few of them (000, 003: before reform)")
    fold_crowding_exponent: float = P(1.0, range_source="Hannan & Freeman 1989 (mortality rises with density): from proportional (1) to the strong crowding tried in ODD 7.7 and beyond (4)", unit="exponent", ge=0, le=10, plausible=(1.0, 4.0),
                                      meaning="where resident groups outnumber their niche, the fold rate is multiplied by (groups / niche)^exponent (density-dependent mortality)",
                                      source="Hannan & Freeman 1989 (mortality rises with density); exponent A: 1 (proportional). Tried 3: the grants' groups then settled within a few years, but the hub's incubated groups, which are not bounded by the niche, crowded every group into folding more and incubation's memberships fell below the baseline's over the decade (0.065 against 0.073 per adult): a strong effect of an unmeasured exponent, so not the default")
    recruit_crowding_exponent: float = P(1.0, range_source="McPherson 1983 (groups compete for members within a niche): from no competition (0) to recruits falling faster than the groups multiply (2)", unit="exponent", ge=0, le=10, plausible=(0.0, 2.0),
                                         meaning="where resident groups outnumber their niche, each group's chance of recruiting a tie is divided by (groups / niche)^exponent: groups compete for the same residents, so more groups share the recruits rather than multiplying them (1: the community's recruits stay those of a full niche)",
                                         source="McPherson 1983 (an ecology of affiliation: voluntary groups compete for members within a niche, whose capacity is the residents, not the number of groups); exponent A")
    fold_reference_members: int = P(20, range_source="judgement: community groups of 10-50 members (ODD 7.7)", unit="members", ge=1, le=1000, plausible=(10, 30),
                                    meaning="size of group at which the fold rate is fold_per_year (before the newness excess)",
                                    source="A: a typical established community group (groups of 10-50 members)")
    fold_size_exponent: float = P(0.5, range_source="Hannan & Freeman 1984; Barron, West & Hannan 1994 (death rates fall with size): from size-independent (0) to inversely proportional (1)", unit="exponent", ge=0, le=3, plausible=(0.0, 1.0),
                                  meaning="the fold rate scales as (fold_reference_members / members)^exponent: larger groups fold less (liability of smallness); 0 makes it size-independent",
                                  source="Hannan & Freeman 1984 (structural inertia); Barron, West & Hannan 1994 (death rates fall with size); exponent: A")
    fold_newness_excess: float = P(1.0, range_source="Stinchcombe 1965; Freeman, Carroll & Hannan 1983 (death rates fall with age): from no liability of newness to four times the rate of an established group", unit="factor", ge=0, le=20, plausible=(0.0, 3.0),
                                   meaning="a new group folds at (1 + excess) times the rate of an established one of its size; the excess fades as exp(-age / fold_newness_years) (liability of newness); 0 makes it age-independent",
                                   source="Stinchcombe 1965; Freeman, Carroll & Hannan 1983 (death rates fall with age); factor: A")
    fold_newness_years: float = P(1.0, range_source="judgement: half a year to three years (A)", unit="years", ge=0.01, le=50, plausible=(0.5, 3.0),
                                  meaning="age over which a group's newness excess fades by a factor e",
                                  source="A: a group that has run its first year or two has found its venue and its routine")
    orgs_per_1000_saturation: float = P(3.0, range_source="TARGETS: a policy target of at least 10 groups per urban community (MCA 2017), i.e. 1-3 per 1,000 residents; judgement: up to 8 per 1,000", unit="organizations/1,000 adults", ge=0.1, le=100, plausible=(2.0, 8.0),
                                        meaning="density of groups at which resident foundings stop: the niche of residents who can be organized fills",
                                        source="T: policy target of at least 10 per urban community (MCA 2017); A: 15 for 5,000 adults, which the unreformed baseline does not reach")
    min_members: int = P(5, plausible=(3, 8), range_source="judgement: a handful of residents (A)", unit="residents", ge=0, le=100,
                         meaning="an organization without money for one more activity and with fewer members dissolves", source="A")
    founding_per_activist_year: float = P(0.3, range_source="judgement: a third to twice the assumed default (A)", plausible=(0.1, 0.6), unit="foundings/activist/year", ge=0, le=1,
                                          meaning="rate at which a core activist founds an organization",
                                          source="A: 004 resident leaders found groups")
    activist_acts: int = P(12, plausible=(6, 24), range_source="judgement: half to twice the default, which with TARGETS' core of 1-5% of residents (Read 2012) is what the calibration checks", unit="acts/year", ge=1, le=365,
                           meaning="acts in the last year that make a resident a core activist",
                           source="T: a core of 1-5% of residents")
    founding_members: int = P(6, plausible=(3, 10), range_source="judgement: a founder brings in a few to ten ties (A)", unit="residents", ge=1, le=100,
                              meaning="members a founder brings in from their ties", source="A")
    base_success: float = P(0.55, plausible=(0.4, 0.7), range_source="judgement: the default ±0.15 (A)", unit="probability", ge=0, le=1,
                            meaning="chance an organization's service satisfies at reputation 0",
                            source="A: between a department (0.65) and the committee (0.7) at reputation 0.5")
    reputation_success_weight: float = P(0.35, plausible=(0.175, 0.525), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="probability", ge=0, le=1,
                                         meaning="added success chance at reputation 1",
                                         source="A")
    reputation_learning: float = P(0.05, plausible=(0.025, 0.075), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="rate", ge=0, le=1,
                                   meaning="step of an organization's reputation towards an evaluated service's outcome",
                                   source="A")
    migrant_group_share: float = P(0.4, plausible=(0.2, 0.6), range_source="judgement: the default ±0.2 (A)", unit="probability", ge=0, le=1,
                                   meaning="chance a migrant founder starts a migrant self-management group",
                                   source="A: migrant self-management groups (BRIEF)")
    guest_invite_share: float = P(0.1, plausible=(0.05, 0.15), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="probability", ge=0, le=1,
                                  meaning="chance a member active in the last 14 days brings a tie as guest to an activity",
                                  source="A")
    guest_logit: float = P(-1.0, plausible=(-2.0, 0.0), range_source="judgement: a guest is less committed than a member, by up to two logits (A)", unit="logit", ge=-10, le=10,
                           meaning="added to a guest's (non-member's) decision to join an activity",
                           source="A: a guest is less committed than a member")
    unfunded_activity_factor: float = P(0.5, range_source="judgement: a fifth to four fifths of activities go on without money (A)", unit="factor", ge=0, le=1, plausible=(0.2, 0.8),
                                        meaning="activities an organization without money for one still holds, as a share",
                                        source="A: was a number in the rule; declared so that sweeps and calibration reach it: only volunteer-run activities go on")
    recruit_reputation_offset: float = P(0.5, plausible=(0.25, 0.75), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="factor", ge=0, le=5,
                                         meaning="recruitment per tie scales with (offset + reputation)",
                                         source="A: was a number in the rule; declared so that sweeps and calibration reach it: an unknown group still recruits")
    idle_member_days: int = P(30, plausible=(15, 45), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="days", ge=1, le=365,
                              meaning="a member without an activity for this long is idle (and drops out more often)",
                              source="A: was a number in the rule; declared so that sweeps and calibration reach it")
    recent_member_days: int = P(14, plausible=(7, 21), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="days", ge=1, le=365,
                                meaning="a member with an activity this recently may bring a tie as guest",
                                source="A: was a number in the rule; declared so that sweeps and calibration reach it")
    contract_reputation: float = P(0.6, plausible=(0.5, 0.75), range_source="judgement: from a new volunteer group's 0.5 to an established group's (A)", unit="share", ge=0, le=1,
                                   meaning="initial reputation of an organization founded for a purchased-services contract",
                                   source="A: was a number in the rule; declared so that sweeps and calibration reach it: a professional provider starts above a new volunteer group (0.5)")
    contract_extra_members: int = P(2, plausible=(0, 5), range_source="judgement: a contract organization brings a few residents (A)", unit="residents", ge=0, le=100,
                                    meaning="members recruited beside the founder of a contract organization",
                                    source="A: was a number in the rule; declared so that sweeps and calibration reach it")
    contract_team_size: int = P(10, range_source="judgement: a contracted service with a small volunteer team of 5-30 (A; ODD 7.7)", unit="members", ge=1, le=5000, plausible=(5, 30),
                                meaning="size at which a professional organization brought in by a contract stops recruiting residents (its volunteer team; the chance a tie joins falls as 1 - members/team size): it is staffed and paid to serve, not grown by joining",
                                source="A: a contracted social-work service runs with its staff and a small volunteer team. When it recruited like a resident group (to 50), at 2,000 adults, where contracts bring in two or three such organizations, their memberships kept rising for 20 years (8 to 120 members) and the lever's organization participation rose 4% a year")
    initial_member_free_time_offset: float = P(2.0, plausible=(0.5, 4.0), range_source="judgement: around the default; ODD 7.7 measured that 2 matches settled members' free time and 0.3 overshoots", unit="share", ge=0, le=5,
                                               meaning="weight of a resident in the initial groups: disposition^exponent x (offset + free time) x migrant factor",
                                               source="A: settled members have free time 0.50 on average against 0.45 in the community (ODD 7.7); offset 2 gives initial members 0.50 (0.3 gave 0.62)")
    initial_member_disposition_exponent: float = P(0.0, range_source="judgement: from no part (0, the default, which ODD 7.7 found matches settled members) to proportional (1)", unit="exponent", ge=0, le=5, plausible=(0.0, 1.0),
                                                   meaning="power of civic disposition in a resident's weight in the initial groups (0: disposition plays no part)",
                                                   source="A: the initial members look like the members the model's own recruiting through ties settles to (civic disposition near the community's mean: ODD 7.7); 1 made members 13% more civic than settled ones and the groups thinned for a decade")
    initial_member_migrant_factor: float = P(0.5, plausible=(0.25, 0.75), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="factor", ge=0, le=1,
                                             meaning="migrants' weight in the initial groups relative to locals",
                                             source="A: was a number in the rule; declared so that sweeps and calibration reach it: T: migrants take part less")


class Grants(Section):
    processes = ("org_life_cycle",)
    contests_per_year: int = P(0, per_community="fixed: a contest is a street's call to every community (doc004)", plausible=(0, 4), range_source="doc004 (Chaoyangmen): two contests held by the street; judgement: none to four a year", unit="contests", ge=0, le=12, role="lever",
                               zh="每年公益微创投大赛次数",
                               meaning="micro-venture (公益微创投) contests a year",
                               source="004: 街道已举办两次社区公益微创投大赛")
    grants_per_contest: int = P(13, per_community='households', plausible=(1, 26), range_source="doc004 (Chaoyangmen): 26 projects over two street-wide contests (13 a contest, 26 if one contest funded them all); one community wins a few", unit="projects", ge=0, le=500, role="lever",
                                zh="每次大赛资助的项目数",
                                meaning="projects funded per contest", source="004: 两次共评选出26个公益微项目 (13 a contest, derived)")
    amount_min_yuan: float = P(1000, plausible=(500.0, 5000.0), range_source="doc004 (Chaoyangmen): grants of 1,000-10,000 yuan; TARGETS: at most 5,000 in Harbin (2017); judgement: half the smallest to the Harbin ceiling", unit="yuan", ge=0, le=1e7, role="lever",
                               zh="最小资助额",
                               meaning="smallest grant", source="004: 1000—10000元不等的项目奖励资金")
    amount_max_yuan: float = P(10000, plausible=(2000.0, 20000.0), range_source="doc004 (Chaoyangmen): grants of 1,000-10,000 yuan; TARGETS: at most 5,000 in Harbin (2017); judgement: up to twice the Chaoyangmen ceiling", unit="yuan", ge=0, le=1e7, role="lever",
                               zh="最大资助额",
                               meaning="largest grant", source="004: 1000—10000元不等的项目奖励资金; T Harbin at most 5,000")
    proposal_training: bool = P(False, unit="switch", role="lever",
                                zh="居民骨干项目书写作培训（提案更多更好）",
                                meaning="proposal-writing training for resident leaders (more and better proposals)",
                                source="004: 项目书撰写等多次追踪培训和集中授课")
    training_cost_yuan: float = P(20000, unit="yuan/contest", ge=0, le=1e7, role="constant",
                                  meaning="cost of the training for one contest", source="A")
    scoring: Literal["quality", "random", "need"] = P(
        "quality", unit="rule", role="lever",
        zh="提案排序规则：提案人能力、抽签或提案人类型的未满足需求",
        zh_choices={"quality": "提案人能力", "random": "抽签", "need": "未满足的需求"},
        meaning="how proposals are ranked: proposer quality, lottery, or unmet needs of the proposer's type",
        source="A")
    project_days: int = P(180, plausible=(90, 365), range_source="judgement: a project runs a season to a year (A)", unit="days", ge=1, le=730,
                          meaning="how long a funded project runs activities", source="A")
    yuan_per_extra_activity: float = P(1500, plausible=(750.0, 2250.0), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="yuan", gt=0, le=1e7,
                                       meaning="money scale of extra activities: a project adds log(1 + amount/scale) activities a week",
                                       source="A: diminishing returns to money")
    training_threshold_factor: float = P(0.5, plausible=(0.25, 0.75), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="factor", ge=0, le=1,
                                         meaning="with proposal training, the acts a year that make an activist, as a share of activist_acts",
                                         source="A: was a number in the rule; declared so that sweeps and calibration reach it: training brings new proposers forward")
    training_quality_gain: float = P(0.15, plausible=(0.075, 0.225), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="score", ge=0, le=1,
                                     meaning="added to a trained person's proposal quality (0-1 scale)",
                                     source="A: was a number in the rule; declared so that sweeps and calibration reach it")
    proposal_score_noise: float = P(0.15, plausible=(0.075, 0.225), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="score", ge=0, le=5,
                                    meaning="standard deviation of the reviewers' noise on a proposal's quality score",
                                    source="A: was a number in the rule; declared so that sweeps and calibration reach it")

    @model_validator(mode="after")
    def _range(self) -> Grants:
        if self.amount_min_yuan > self.amount_max_yuan:
            raise ValueError("amount_min_yuan must not exceed amount_max_yuan")
        return self


class PurchasedServices(Section):
    processes = ("government_duties", "org_life_cycle")
    items: int = P(0, per_community="fixed: a contracted item is one service line in a community's purchase list; its budget scales", plausible=(0, 150), range_source="doc000 (Wuhou): 139 government service items handed to social organizations; doc003 (Jiayuguan): at least 3 new items a year on the purchase list", unit="items", ge=0, le=500, role="lever",
                   zh="政府向每个社区的社会组织购买的服务项目",
                   meaning="service items the government contracts to organizations in each community",
                   source="000: 将139项政务服务交由社会组织承接 (Wuhou); 003: 每年新增3个以上服务项目纳入购买清单")
    budget_per_item_yuan: float = P(30000, per_community='households', plausible=(3000.0, 60000.0), range_source="judgement: from the small per-community share of a district contract that scenarios/doc000_chengdu_wuhou.yaml assumes (3,000) to twice the assumed default", unit="yuan/item/year", ge=0, le=1e8, role="lever",
                                    zh="每个项目的合同金额",
                                    meaning="contract value of one item", source="A")
    yuan_per_service: float = P(165.0, plausible=(82.5, 247.5), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="yuan/need served", gt=0, le=100000,
                                meaning="contract money one served need costs: an item serves budget_per_item_yuan / (365 x this) needs a day",
                                source="A: 30,000 yuan an item for one need every two days")
    item_types: list[Literal["elderly", "environment", "culture", "legal"]] = P(
        ["elderly", "environment", "legal", "culture"], unit="need types", role="lever",
        zh="服务项目轮流对应的需求类型",
        zh_choices={"elderly": "养老", "environment": "环境物业", "culture": "文化", "legal": "法律"},
        meaning="need types the items go to, in rotation", source="000, 003")
    duty_items_per_service_item: float = P(0.2, plausible=(0.0, 1.0), range_source="doc000 (Wuhou): the contracted items were government services pushed down onto the committee, so each moved item can take one off (1); judgement: down to none", unit="items", ge=0, le=10, role="uncertainty",
                                           meaning="pushed-down duty items each contracted item takes off the committee",
                                           source="000: service items moved off the committee (A: rate)")


class Incubation(Section):
    processes = ("org_life_cycle",)
    hub: bool = P(False, unit="switch", role="lever",
                  zh="枢纽型组织孵化新的社区组织",
                  meaning="a hub (枢纽型) organization incubates new groups",
                  source="002: 加强枢纽型社会组织建设; 004: “1+9+N”社区社会组织孵化培育计划; 001: 等50家机构加入联盟")
    hub_cost_yuan: float = P(200000, unit="yuan/year", ge=0, le=1e8, role="constant",
                             meaning="running cost of the hub", source="A")
    hub_foundings_per_year: float = P(4.0, plausible=(1.0, 9.0), range_source="doc004 (Chaoyangmen): the '1+9+N' incubation plan; judgement: one to nine groups a year in a community", unit="organizations/year", ge=0, le=100, role="lever",
                                      zh="枢纽组织每年在每个社区孵化的组织数",
                                      meaning="groups the hub incubates a year in each community", source="A")
    filing_instead_of_registration: bool = P(False, unit="switch", role="lever",
                                             zh="备案代替登记（降低成立门槛）",
                                             meaning="filing (备案) instead of registration lowers the founding threshold",
                                             source="002: 不具备登记条件的实行备案制度")
    filing_founding_factor: float = P(2.0, plausible=(1.2, 3.0), range_source="judgement: filing lowers the threshold (doc002); from a fifth more foundings to three times as many", unit="factor", ge=1, le=10,
                                      meaning="multiplier on resident founding under filing", source="A")
    social_workers: float = P(0.0, per_community='households', plausible=(0.0, 3.0), range_source="judgement: none to three per community; doc000 (Wuhou) links communities, organizations and social workers without a ratio", unit="workers/community", ge=0, le=50, role="lever",
                              zh="配属社区组织的社会工作者",
                              meaning="social workers attached to community organizations",
                              source="000: 社区、社会组织、社工“三社联动”")
    social_worker_cost_yuan: float = P(80000, unit="yuan/worker/year", ge=0, le=1e6, role="constant",
                                       meaning="cost of one social worker", source="A")
    social_worker_capacity_factor: float = P(1.5, plausible=(1.2, 2.0), range_source="judgement: around the default (A)", unit="factor", ge=1, le=10,
                                             meaning="needs an organization with a social worker serves, relative to one without",
                                             source="000: 社区、社会组织、社工“三社联动” (A: value)")
    social_worker_success_gain: float = P(0.05, plausible=(0.025, 0.075), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="probability", ge=0, le=1,
                                          meaning="added service success of an organization with a social worker",
                                          source="A")
    social_worker_dropout_factor: float = P(0.5, plausible=(0.25, 0.75), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="factor", ge=0, le=1,
                                            meaning="idle members' dropout with a social worker, relative to without",
                                            source="A")
    social_worker_founding_factor: float = P(1.5, plausible=(1.2, 2.0), range_source="judgement: around the default (A)", unit="factor", ge=1, le=10,
                                             meaning="resident founding in a community with social workers, relative to without",
                                             source="A")
    hub_candidates: int = P(20, plausible=(10, 30), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="residents", ge=1, le=1000,
                            meaning="residents the hub approaches for each group it incubates (the most civic one leads it)",
                            source="A: 004 “1+9+N” incubation")
    hub_funds_factor: float = P(2.0, plausible=(1.0, 3.0), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="x organizations.initial_funds_yuan", ge=0, le=100,
                                meaning="start-up funds of a group the hub incubates, as a multiple of a resident group's",
                                source="A: the hub brings its own small budget to the groups it starts")


class Party(Section):
    processes = ("party_service", "party_evaluation")
    double_registration_share: float = P(0.2, plausible=(0.1, 0.8), range_source="judgement: doc003 (Jiayuguan) requires in-service members to register; from the default to most of them", unit="share", ge=0, le=1, role="lever",
                                         zh="在职党员回社区报到的比例",
                                         meaning="share of in-service party members registered with their home community",
                                         source="003: 在职党员“双报到、双服务、双评议”制度 (share: A)")
    service_hours_per_month: float = P(2.0, plausible=(1.0, 8.0), range_source="judgement: doc003 (Jiayuguan) asks for service without a figure; an hour to a working day a month", unit="hours/month", ge=0, le=100, role="lever",
                                       zh="报到在职党员每月社区服务时长",
                                       meaning="community service hours of a registered in-service member",
                                       source="003 (hours: A)")
    retired_member_hours_per_month: float = P(2.0, plausible=(1.0, 8.0), range_source="judgement: an hour to a working day a month (A)", unit="hours/month", ge=0, le=200,
                                              meaning="community service hours of a retired resident party member",
                                              source="A")
    service_hour_value_yuan: float = P(20.0, plausible=(0.0, 40.0), range_source="judgement: from zero (the service counted as unpaid duty, cash only) to twice the committee staff's hourly cost", unit="yuan/hour", ge=0, le=1e4,
                                       meaning="value of an hour of service by a registered in-service party member (spend line party_service: an opportunity cost, not cash)",
                                       source="003: 双报到、双服务 asks members for service without pay (no seed document pays it); A: valued at about the committee staff's hourly cost (60,000 yuan / (8 hours x 365 days) = 20.5 yuan)")
    mediation_cases_per_member_day: float = P(0.001, plausible=(0.0005, 0.0015), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="cases/member/day", ge=0, le=1,
                                              meaning="disputes a serving party member (registered in-service or retired) takes as a mediator a day, in the volunteer channel",
                                              source="BRIEF: party members lead or mediate; 003: 双服务 (rate: A)")
    invitations_per_hour: float = P(0.6, plausible=(0.3, 0.9), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="invitations/hour", ge=0, le=50,
                                    meaning="ties a serving party member invites per service hour", source="A")
    evaluation: bool = P(False, unit="switch", role="lever",
                         zh="居民代表每年评议党员",
                         meaning="yearly evaluation of party members by resident representatives",
                         source="000: 我们每年6月都要进行一次民主测评; 003: “双报到、双服务、双评议”")
    evaluation_day_of_year: int = P(166, plausible="none", range_source="doc000 (Wuhou) gives the month (June); the day within the year is a date, not an uncertainty", unit="day of year", ge=1, le=365,
                                    meaning="day of the evaluation (mid-June)",
                                    source="000: 我们每年6月都要进行一次民主测评")
    evaluation_effort_gain: float = P(0.3, plausible=(0.15, 0.45), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="factor", ge=0, le=3,
                                      meaning="rise in effort of a member rated in the bottom half", source="A")
    effort_fade_per_year: float = P(1.0, range_source="judgement: a raise lasting three years to four months (A)", unit="1/year", ge=0, le=20, plausible=(0.3, 3.0),
                                    meaning="rate at which a raised effort returns to normal between evaluations (1: a raise keeps 37% of itself a year on)",
                                    source="A: a yearly evaluation keeps effort up only while it is renewed")
    evaluators_per_community: int = P(40, per_community='households', plausible=(20, 60), range_source="judgement: doc000 (Wuhou) has residents' representatives rate members, without a number; ±50% of the default", unit="residents", ge=0, le=1000,
                                      meaning="resident representatives who evaluate",
                                      source="000: 让居民代表给我们的党员打分 (number: A)")
    rating_noise: float = P(1.0, plausible=(0.5, 1.5), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="invitations", ge=0, le=100,
                            meaning="standard deviation of the representatives' noise on a member's yearly invitations",
                            source="A: was a number in the rule; declared so that sweeps and calibration reach it")
    max_effort: float = P(3.0, plausible=(2.0, 5.0), range_source="judgement: service hours are bounded (A)", unit="factor", ge=1, le=100,
                          meaning="cap on a member's effort after repeated low ratings",
                          source="A: was a number in the rule; declared so that sweeps and calibration reach it: service hours are bounded")
    representative_party_weight: float = P(1.0, plausible=(0.5, 1.5), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="score", ge=0, le=10,
                                           meaning="added to a party member's disposition when representatives are chosen",
                                           source="A: was a number in the rule; declared so that sweeps and calibration reach it: party members first")


class Deliberation(Section):
    processes = ("deliberation",)
    meetings_per_year: int = P(2, per_community="fixed: one council or meeting of the whole community on the lever's calendar (doc003: at least one a quarter)", plausible=(1, 12), range_source="doc003 (Jiayuguan): at least one consultation meeting a quarter; doc004 (Chaoyangmen): a residents' representatives meeting at the start of every month", unit="meetings/year", ge=0, le=52, role="lever",
                               zh="每年议事协商会议次数",
                               meaning="deliberation meetings a year",
                               source="003: 每季度召开协商议事会议不少于1次; 004: 每月初各社区召开的居民代表常务会")
    format: Literal["council", "open_space", "hearing", "courtyard"] = P(
        "council", unit="format", role="lever",
        zh="议事形式：居民议事会、开放空间、利益相关居民听证会、院落举手会",
        zh_choices={"council": "居民议事会", "open_space": "开放空间", "hearing": "听证会",
                    "courtyard": "院落举手会"},
        meaning="residents' council, open space, hearing for affected residents, show-of-hands courtyard meeting",
        source="000: 要召开社区听证会; 经过几次坝坝会举手表决; 004: 采取开放空间讨论、社区工作坊、公益项目协商等形式")
    decision_rule: Literal["majority", "two_thirds", "consensus"] = P(
        "majority", unit="rule", role="lever", zh="提案通过所需票数规则",
        zh_choices={"majority": "过半数", "two_thirds": "三分之二", "consensus": "全体同意"}, meaning="votes a proposal needs", source="A")
    representatives: int = P(30, per_community='households', plausible=(20, 40), range_source="judgement: doc004 (Chaoyangmen) holds monthly representatives' meetings; a council of 20-40 (see seats)", unit="residents", ge=0, le=1000,
                             meaning="invited resident representatives, party members and organization delegates",
                             source="004: 每月初各社区召开的居民代表常务会 (number: A)")
    hearing_representatives: Literal["grid", "community"] = P(
        "grid", unit="rule", role="constant",
        meaning="representatives invited to a contested session (hearing / courtyard) on a collective "
                "dispute: those of the affected residents' grids (grid), or all the community's "
                "(community: the rule before issue 'meetings', whose hearings grew with the community "
                "while the affected households did not)",
        source="000: 要召开社区听证会 (a hearing of the parties concerned); A: a representative speaks for "
               "the households of the grid that elected them (居民代表按网格/楼栋推选), so the affected "
               "grids' representatives sit in; a declared structure, no count: it follows the grids, "
               "each of grid.households_per_grid households, so a hearing's size is the same in a "
               "community of any size")
    seats: int = P(80, per_community='households', range_source="judgement: a community meeting room or multi-purpose hall seats some 50-100; a residents' council has 20-40 members", unit="residents", ge=1, le=5000, plausible=(40, 150),
                   meaning="residents a meeting room holds: those who would come beyond it are turned away "
                           "(invited representatives are seated first)",
                   source="R: a community's meeting room or multi-purpose hall seats some 50-100; a residents' "
                          "council has 20-40 members. Without a limit a monthly open-space meeting drew 110-140 "
                          "of 5,000 adults each time and raised yearly participation by 12 pp (issue 10)")
    issues_per_meeting: int = P(3, per_community='households', plausible=(1, 6), range_source="judgement: one to a few issues a meeting (A)", unit="issues", ge=1, le=50,
                                meaning="top public issues taken up per meeting", source="A")
    contest_sd: float = P(0.15, plausible=(0.075, 0.225), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="share", ge=0, le=0.5,
                          meaning="spread of an issue's support across residents", source="A")
    stage_days_review: int = P(7, plausible=(3, 14), range_source="judgement: doc000 (Wuhou) names the stages, not their length; half a week to two weeks", unit="days", ge=0, le=365, meaning="collect and review stage",
                               source="000: 收集、审查、决议、公示、执行(监督)、测评、归档 (days: A)")
    stage_days_publicize: int = P(7, plausible=(3, 14), range_source="judgement: doc000 (Wuhou) names the stages, not their length; half a week to two weeks", unit="days", ge=0, le=365, meaning="publicize stage",
                                  source="000: 收集、审查、决议、公示、执行(监督)、测评、归档 (days: A)")
    execution_days: float = P(45.0, plausible=(22.5, 67.5), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="days", ge=0, le=730,
                              meaning="mean days to carry out a passed proposal", source="A")
    execution_success: float = P(0.75, plausible=(0.6, 0.9), range_source="judgement: the default ±0.15 (A)", unit="probability", ge=0, le=1,
                                 meaning="chance a passed proposal is carried out rather than stalling",
                                 source="A")
    hours_per_meeting: float = P(6.0, plausible=(3.0, 9.0), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="staff-hours", ge=0, le=200,
                                 meaning="committee time to prepare and run one meeting", source="A")
    meeting_cost_yuan: float = P(800.0, per_community='households', plausible=(300.0, 3000.0), range_source="judgement: from materials alone in the committee's own room (300) to a hired venue and a professional facilitator (3,000)", unit="yuan/meeting", ge=0, le=1e7,
                                 meaning="cash one deliberation meeting held costs: venue, materials, and a facilitator from a social organization (its committee staff hours are valued apart, at the staff's hourly cost)",
                                 source="A: no seed document gives a figure; 004 (Chaoyangmen) has social organizations run workshops (社区工作坊): a facilitator's session of about 500 yuan, 300 yuan of materials and refreshments, the venue the committee's own")
    preparation_share: float = P(0.25, range_source="judgement: a tenth to half of the free hours go into preparing a session (A)", unit="share", ge=0, le=1, plausible=(0.1, 0.5),
                                 meaning="share of its free hours a day a committee puts into preparing the next session while an issue waits for one (until hours_per_meeting are in)",
                                 source="A: a meeting is prepared over the days before it (notices, venue, agenda); out of one day's free hours a committee of 5 staff under load never convened one at 2,000 adults")
    convergence_per_session: float = P(0.1, plausible=(0.05, 0.15), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="share", ge=0, le=1,
                                       meaning="share of the gap to full agreement a failed vote closes before the next session",
                                       source="A: deliberation narrows a contest")
    contested_convergence: float = P(0.03, plausible=(0.015, 0.06), range_source="judgement: half to twice the default, which doc004 (Chaoyangmen: 170 households, 20-odd meetings over a year) pins", unit="share", ge=0, le=1,
                                     meaning="the same for a collective dispute's contested issue",
                                     source="004: 170户, 20多次议事协商会议 over a year (calibrated)")
    contested_session_days: int = P(18, plausible=(14, 30), range_source="doc004 (Chaoyangmen): 20-odd meetings in a year, one every two to three weeks; judgement: up to monthly", unit="days", ge=1, le=365,
                                    meaning="days between hearing / courtyard sessions on a collective dispute's issue",
                                    source="004: 20+ meetings in a year, about one every 2-3 weeks")
    max_sessions: int = P(30, plausible=(15, 45), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="sessions", ge=1, le=1000,
                          meaning="failed sessions after which an issue is rejected", source="A")
    issue_shelf_days: int = P(365, plausible=(180, 730), range_source="judgement: half a year to two years (A)", unit="days", ge=1, le=3650,
                              meaning="an issue not taken up within this long is shelved", source="A")
    execution_slots: int = P(3, per_community='households', plausible=(1, 6), range_source="judgement: a committee runs a few projects at a time (A)", unit="proposals", ge=1, le=100,
                             meaning="passed proposals the committee carries out at once in a community (the rest wait)",
                             source="A: a committee of a dozen staff runs a few projects at a time")
    execution_hours_per_day: float = P(1.0, plausible=(0.5, 1.5), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="staff-hours/proposal/day", ge=0, le=24,
                                       meaning="committee time a proposal it carries out needs each day; days without it do not count",
                                       source="000: 执行(监督) (hours: A)")
    department_slots: int = P(2, per_community='households', plausible=(1, 4), range_source="judgement: departments take a few proposals of one community at a time (A)", unit="proposals", ge=0, le=100,
                              meaning="passed proposals functional departments carry out for a community at once (collective issues: 部门报到)",
                              source="A; 003/004: 街道吹哨、部门报到")
    department_execution_days: float = P(60.0, plausible=(30.0, 90.0), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="days", ge=0, le=730,
                                         meaning="mean days a department takes to carry out a proposal",
                                         source="A: slower than the committee (approval, budget)")
    stage_days_evaluate: int = P(14, plausible=(7, 28), range_source="judgement: doc004 (Chaoyangmen) names the evaluation step, not its length; one to four weeks", unit="days", ge=0, le=365,
                                 meaning="evaluate stage (residents' evaluation) before archiving",
                                 source="004 七步议事法")
    consensus_share: float = P(0.9, plausible=(0.8, 0.95), range_source="judgement: near-unanimity (A)", unit="share", gt=0.5, le=1,
                               meaning="yes share that counts as consensus (decision_rule consensus)",
                               source="A: near-unanimity")
    needs_issue_support: float = P(0.62, plausible=(0.5, 0.75), range_source="judgement: shared needs are mostly uncontested (A)", unit="share", ge=0, le=1,
                                   meaning="mean initial support for a public issue pooled from shared needs",
                                   source="A: shared needs are mostly uncontested")
    issue_support_sd: float = P(0.1, plausible=(0.05, 0.15), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="share", ge=0, le=0.5,
                                meaning="spread of an issue's initial support across issues",
                                source="A")
    households_per_shared_need: int = P(10, plausible=(5, 15), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="households", ge=1, le=1000,
                                        meaning="households a reported shared need stands for (most do not report)",
                                        source="A")
    council_notice_share: float = P(0.5, plausible=(0.25, 0.75), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="share", ge=0, le=1,
                                    meaning="share of the affected grid's residents a council meeting's notice reaches",
                                    source="A")
    open_space_notice_share: float = P(0.3, plausible=(0.15, 0.45), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="share", ge=0, le=1,
                                       meaning="share of the community an open-space meeting's notice reaches",
                                       source="004: 开放空间讨论 (share: A)")
    evaluation_share: float = P(0.1, plausible=(0.05, 0.15), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="share", ge=0, le=1,
                                meaning="share of the affected residents asked to evaluate a carried-out or stalled proposal",
                                source="004 七步议事法: 测评 (share: A)")
    publicize_trust_gain: float = P(0.0025, plausible=(0.00125, 0.00375), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="share", ge=0, le=0.2,
                                    meaning="community trust moved towards 1 by the public notice of a passed proposal",
                                    source="000: 公示 (A: a quarter of a monthly publication)")
    support_min: float = P(0.05, plausible=(0.02, 0.1), range_source="judgement: no issue starts settled (A)", unit="share", ge=0, le=1,
                           meaning="an issue's initial support is at least this",
                           source="A: was a number in the rule; declared so that sweeps and calibration reach it: no issue starts settled")
    support_max: float = P(0.95, plausible=(0.9, 0.98), range_source="judgement: no issue starts settled (A)", unit="share", ge=0, le=1,
                           meaning="an issue's initial support is at most this",
                           source="A: was a number in the rule; declared so that sweeps and calibration reach it: no issue starts settled")
    attendee_trust_scale: float = P(0.5, plausible=(0.25, 0.75), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="factor", ge=0, le=5,
                                    meaning="attendees' trust moves towards the outcome by this times trust_learning",
                                    source="A: was a number in the rule; declared so that sweeps and calibration reach it: the institutions kept their word, or not")


class Disputes(Section):
    per_1000_year: dict[str, float] = P(
        {"noise_leak": 3.5, "parking": 2.0, "pets": 1.5, "renovation_property": 2.0, "family": 3.0},
        unit="disputes/1,000 residents/year",
        meaning="rate of neighbour disputes by type",
        source="T: 6-11 mediated disputes per 1,000 residents a year (all types); neighbour disputes a fifth")

    @model_validator(mode="after")
    def _known(self) -> Disputes:
        for k, v in self.per_1000_year.items():
            if k not in DISPUTE_TYPES or k == "collective" or v < 0:
                raise ValueError(f"per_1000_year: unknown type or negative rate {k!r}; types are "
                                 + ", ".join(t for t in DISPUTE_TYPES if t != "collective"))
        for name, d in (("channel_skill", self.channel_skill), ("channel_delay_days", self.channel_delay_days)):
            missing = set(CHANNELS[1:]) - set(d)
            extra = set(d) - set(CHANNELS[1:])
            if missing or extra or min(d.values()) < 0:
                raise ValueError(f"{name} needs exactly the channels {', '.join(CHANNELS[1:])} "
                                 "with non-negative values")
        bad = set(self.type_success_factor) - set(DISPUTE_TYPES)
        if bad or min(self.type_success_factor.values(), default=0) < 0:
            raise ValueError(f"type_success_factor: unknown types {sorted(bad)} or negative values")
        if max(self.channel_skill.values()) > 1:
            raise ValueError("channel_skill values are probabilities (at most 1)")
        for name in ("severity_beta", "collective_severity_beta"):
            v = getattr(self, name)
            if len(v) != 2 or min(v) <= 0:
                raise ValueError(f"{name} must be two positive numbers [a, b] of a Beta(a, b), got {v}")
        return self
    collective_per_year: float = P(1.0, plausible=(0.5, 3.0), range_source="judgement: doc000 (Wuhou) and doc004 (Chaoyangmen) report a few collective cases (parking, a house purchase) without a rate; half to three a year per 5,000 adults", unit="disputes/5,000 adults/year", ge=0, le=100,
                                   meaning="collective disputes with the property company or a unit, per 5,000 adults (scaled to the community's size)",
                                   source="000, 004 parking cases; 004 house purchase")
    direct_settle_strong: float = P(0.45, plausible=(0.225, 0.675), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="probability", ge=0, le=1,
                                    meaning="chance parties with a strong (household/building) tie settle directly",
                                    source="A")
    report_prob_day: float = P(0.3, plausible=(0.15, 0.45), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="probability/day", ge=0, le=1,
                               meaning="daily chance parties report an unsettled dispute (times trust)",
                               source="A")
    severity_growth_day: float = P(0.01, plausible=(0.005, 0.015), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="severity/day", ge=0, le=1,
                                   meaning="growth of an open dispute's severity (0-1)", source="A")
    trust_erosion: float = P(0.002, plausible=(0.001, 0.003), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="trust/day", ge=0, le=0.1,
                             meaning="daily trust lost by parties of an open dispute (half for their ties)",
                             source="A")
    tie_erosion_share: float = P(0.5, plausible=(0.25, 0.75), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="share", ge=0, le=1,
                                 meaning="share of the parties' daily trust and satisfaction loss that their ties lose too",
                                 source="A: a neighbour's quarrel weighs less on those around it")
    channel_skill: dict[str, float] = P(
        {"volunteer": 0.7, "committee": 0.82, "professional": 0.9, "police": 0.8,
         "online": 0.7, "street": 0.8, "court": 0.9}, unit="probability",
        meaning="chance of success of one attempt by each channel at severity 0 and trust 0.5",
        source="T: official success 95-98% (upper bound), court pre-litigation ~70% (calibrated); "
               "court: A, a judgment or court mediation ends most cases, some are appealed or not complied with")
    channel_delay_days: dict[str, float] = P(
        {"volunteer": 0.3, "committee": 1.0, "professional": 5.0, "police": 0.5, "online": 1.0,
         "street": 15.0, "court": 75.0}, unit="days", meaning="mean days one attempt takes after the day it starts, by channel (the police: days they are present, ODD 7.9)",
        source="T: 'generally concluded within one month'; 003 调解矛盾不过夜 (A: values); court: "
               "Civil Procedure Law, summary procedure within 3 months (art. 164), ordinary within 6 (art. 152)")
    severity_weight: float = P(0.4, plausible=(0.2, 0.6), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="factor", ge=0, le=1,
                               meaning="success falls by this share at severity 1", source="A")
    trust_success_weight: float = P(0.4, plausible=(0.2, 0.6), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="factor", ge=0, le=2,
                                    meaning="an attempt's success is scaled by 1 - w/2 + w x mean trust of the parties",
                                    source="A: trusting parties accept a mediator's proposal more readily")
    severity_per_failure: float = P(0.05, plausible=(0.025, 0.075), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="severity", ge=0, le=1,
                                    meaning="rise in severity after a failed attempt", source="A")
    success_cap: float = P(0.999, plausible=(0.95, 0.999), range_source="judgement: no mediation is certain; TARGETS: official success 95-98% (an upper bound)", unit="probability", ge=0, le=1,
                           meaning="highest chance that one attempt succeeds, however skilled the channel and trusting the parties",
                           source="A: no mediation is certain")
    severity_beta: list[float] = P([2.0, 5.0], unit="Beta(a, b)",
                                   meaning="shape of a two-party dispute's initial severity (mean a/(a+b))",
                                   source="A: most neighbour disputes are minor")
    collective_severity_beta: list[float] = P([4.0, 4.0], unit="Beta(a, b)",
                                              meaning="shape of a collective dispute's initial severity",
                                              source="A: collective disputes are seldom minor")
    committee_hours_per_case: float = P(3.0, plausible=(1.5, 4.5), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="staff-hours", ge=0, le=100,
                                        meaning="committee time one people's mediation attempt takes",
                                        source="A")
    volunteer_cases_per_mediator_day: float = P(0.05, plausible=(0.025, 0.075), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="cases/day", ge=0, le=10,
                                                meaning="cases a building head or volunteer mediator takes a day",
                                                source="A")
    lawyer_hours_per_case: float = P(4.0, plausible=(2.0, 6.0), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="hours", gt=0, le=100,
                                     meaning="lawyer or professional mediator time per case", source="A")
    police_cases_per_day: float = P(3.0, per_community='fixed: doc003 (Jiayuguan) posts one officer and two auxiliaries to each community', plausible=(1.0, 6.0), range_source="judgement: doc003 (Jiayuguan) posts one officer and two auxiliaries per community; a few cases a day", unit="cases/day", ge=0, le=100,
                                    meaning="cases the community police take on a day they are present",
                                    source="003: one officer and two auxiliaries")
    online_cases_per_day: float = P(10.0, per_community='households', plausible=(5.0, 15.0), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="cases/community/day", ge=0, le=1000,
                                    meaning="capacity of the online mediation platform", source="A")
    street_cases_per_day: float = P(0.5, per_community='households', plausible=(0.25, 0.75), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="cases/community/day", ge=0, le=100,
                                    meaning="escalated cases the street and departments take up a day",
                                    source="A: 街道吹哨、部门报到")
    max_wait_days: int = P(14, plausible=(7, 30), range_source="judgement: one week to a month; TARGETS: mediation 'generally concluded within one month' (Ministry of Justice regulation 2002, art. 33)", unit="days", ge=1, le=365,
                           meaning="days a case waits for a busy channel before trying the next",
                           source="A")
    give_up_days: int = P(180, plausible=(90, 365), range_source="judgement: a season to a year (A)", unit="days", ge=1, le=3650,
                          meaning="an unresolved dispute is closed as unresolved after this long",
                          source="A")
    cohort_horizon_days: int = P(90, plausible=(30, 180), range_source="judgement: from the month within which TARGETS says mediation is 'generally concluded' (Ministry of Justice regulation 2002, art. 33) to give_up_days, when every dispute not in court has closed", unit="days", ge=1, le=3650,
                                 meaning="the dispute shares follow each dispute this long from its opening: they are measured on the disputes opened at least this long before the report's last day (ODD 7.9)",
                                 source="A: three times the month a mediation should take; a dispute still open then counts as not resolved within the horizon")
    collective_households: float = P(30.0, plausible=(10.0, 170.0), range_source="doc004 (Chaoyangmen): 170 households in the house-purchase case; judgement: from a building's stairwell up to that case", unit="households", ge=2, le=2000,
                                     meaning="mean households in a collective dispute",
                                     source="004: 170户 in the house-purchase case")
    collective_households_min: int = P(2, plausible="none", range_source="a definition, not an uncertainty: a collective dispute involves at least two households", unit="households", ge=2, le=2000,
                                       meaning="fewest households in a collective dispute (the Poisson draw is raised to it)",
                                       source="A: a dispute of one household with itself is not collective")
    collective_support: float = P(0.3, plausible=(0.15, 0.45), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="share", ge=0, le=1,
                                  meaning="mean initial support for a settlement of a collective dispute among the affected",
                                  source="004: contested (20+ meetings); A: value")
    type_success_factor: dict[str, float] = P(
        {"noise_leak": 1.0, "parking": 0.95, "pets": 1.0, "renovation_property": 0.9,
         "family": 0.85, "collective": 0.5}, unit="factor",
        meaning="multiplier on each attempt's chance of success, by dispute type",
        source="T: family and complex cases succeed less often (Statistical Yearbook 2012); A: values")
    court_filing_prob: float = P(0.35, range_source="judgement: a tenth to four fifths of parties who could not settle go to court; the calibrated baseline lands near TARGETS' 1% of mediated cases going to court", unit="probability", ge=0, le=1,
                                 meaning="chance the parties sue (诉讼) when the street and departments could not settle their dispute; otherwise it closes unresolved",
                                 source="T: about 1% of mediated cases go on to court (Ministry of Justice 2009; calibrated: the baseline lands near 1%); A: suing a neighbour costs fees, months and the relation", plausible=(0.1, 0.8))
    court_fee_yuan_per_case: float = P(50.0, unit="yuan/case", ge=0, le=1e6, role="constant",
                                       meaning="acceptance fee the parties pay for a neighbour case in court (reported, not a lever's cost)",
                                       source="诉讼费用交纳办法 (2007) art. 13: 50-100 yuan for a non-property case, 50 yuan for a property claim up to 10,000 yuan")
    abandon_after_failure: float = P(0.3, plausible=(0.15, 0.45), range_source="judgement: ±50% of the default; TARGETS: official success of 95-98% is an upper bound", unit="probability", ge=0, le=1,
                                     meaning="chance the parties stop seeking help after a failed attempt (the dispute festers)",
                                     source="T: official success 95-98% is an upper bound (calibrated)")


class Legal(Section):
    processes = ("disputes",)
    lawyer_hours_per_week: float = P(0.0, per_community='fixed: a community lawyer (doc000, doc003) serves one community, whatever its size', plausible=(0.0, 8.0), range_source="judgement: doc000 (Wuhou) and doc003 (Jiayuguan) bring lawyers into communities without hours; from none to a working day a week", unit="hours/week", ge=0, le=80, role="lever",
                                      zh="社区律师/专职调解员时长",
                                      meaning="community lawyer / professional mediator hours",
                                      source="000: 律师深入社区接受群众法律咨询; 003: 打造“律师进社区” (hours: A)")
    lawyer_cost_yuan_per_hour: float = P(300, unit="yuan/hour", ge=0, le=1e4, role="constant",
                                         meaning="cost of a lawyer hour", source="A")
    police_days_per_week: float = P(1.0, plausible=(1.0, 5.0), range_source="doc003 (Jiayuguan): community police at least 3 days a week; judgement: from the unreformed one day to five", unit="days/week", ge=0, le=7, role="lever",
                                    zh="社区民警和辅警在社区的天数",
                                    meaning="days the community police officer and auxiliaries are present",
                                    source="003: 推进城市社区“一区一警两辅”; 每周在社区工作时间不少于3天")
    same_day_mediation: bool = P(False, unit="switch", role="lever",
                                 zh="调解矛盾不过夜：当天报告的纠纷尽量当天由社区渠道调解",
                                 meaning="调解矛盾不过夜: a dispute reported today is mediated today where a community channel can: today's reports are routed before older waiting cases, the committee's on-duty mediator steps in when the case's own channel is busy or absent, and an attempt a community channel (volunteer, committee, police) takes on the day of the report holds its session that day",
                                 source="003: 按照调解矛盾不过夜、服务保障不打烊、办理事项不出门的治理目标 (the rules that realise it: A)")
    volunteer_mediators_per_1000: float = P(1.0, plausible=(0.5, 4.0), range_source="judgement: half to four times the assumed default (A)", unit="mediators/1,000 residents", ge=0, le=50,
                                            role="lever",
                                            zh="楼栋长和志愿调解员",
                                            meaning="building heads and volunteer mediators", source="A")
    police_cost_yuan_per_day: float = P(1500, plausible=(750.0, 2250.0), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="yuan/day", ge=0, le=1e6,
                                        meaning="cost of a day of the community police officer and two auxiliaries in the community",
                                        source="A: one officer and two auxiliaries (003: 一区一警两辅), a day's pay")
    mediator_stipend_yuan_per_year: float = P(1200, plausible=(600.0, 1800.0), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="yuan/mediator/year", ge=0, le=1e6,
                                              meaning="stipend of a building head or volunteer mediator",
                                              source="A: a small yearly subsidy")


class Transparency(Section):
    processes = ("transparency",)
    publish_affairs: bool = P(False, unit="switch", role="lever",
                              zh="每月公开党务、居务和财务（三公开一监督）",
                              meaning="publish party, residents' and financial affairs monthly (三公开一监督)",
                              source="000: 党务、居务、财务公开和民主评议党员干部")
    publish_trust_gain: float = P(0.01, plausible=(0.005, 0.015), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="trust/month", ge=0, le=0.2,
                                  meaning="trust moved towards 1 each publication", source="A")
    supervision_success_gain: float = P(0.1, plausible=(0.05, 0.15), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="probability", ge=0, le=1,
                                        meaning="added chance a passed proposal is carried out when affairs are published (supervision)",
                                        source="000: 三公开一监督 (A: value)")
    satisfaction_linked_payment: bool = P(False, unit="switch", role="lever",
                                          zh="物业费与每月满意度测评挂钩",
                                          meaning="property company paid in full only if monthly satisfaction tests pass",
                                          source="004: 每月的测评结果,将作为物业公司季度款项是否全额拨付")
    linked_payment_success_gain: float = P(0.15, plausible=(0.075, 0.225), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="probability", ge=0, le=1,
                                           meaning="most the property company can raise the success of environment/property needs by working harder",
                                           source="A")
    linked_payment_pass_share: float = P(0.5, plausible=(0.25, 0.75), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="share", ge=0, le=1,
                                         meaning="share of the month's environment/property needs fulfilled for the monthly satisfaction test to pass",
                                         source="004: 每月的测评结果 (threshold: A)")
    linked_payment_effort_step: float = P(0.03, plausible=(0.015, 0.045), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="probability", ge=0, le=1,
                                          meaning="rise in the company's success gain after each failed monthly test",
                                          source="A")
    property_fee_yuan_per_quarter: float = P(150000, per_community='households', plausible=(75000.0, 225000.0), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="yuan/community/quarter", ge=0, le=1e8,
                                             meaning="quarterly payment to the property company",
                                             source="A")
    withheld_share: float = P(0.1, plausible=(0.05, 0.15), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="share", ge=0, le=1,
                              meaning="share of the quarterly payment withheld for each failed monthly test in the quarter",
                              source="004: 季度款项是否全额拨付 (share: A)")
    cost_yuan_per_year: float = P(10000, unit="yuan/year", ge=0, le=1e8, role="constant",
                                  meaning="cost of publishing and testing", source="A")


class Moral(Section):
    processes = ("day_start",)
    recognition: bool = P(False, unit="switch", role="lever",
                          zh="志愿者评优表彰",
                          meaning="role-model awards for volunteers",
                          source="003: 常态化选树“雄关好人”“道德模范”")
    recognition_fatigue_factor: float = P(0.8, plausible=(0.6, 0.95), range_source="judgement: recognition lightens fatigue somewhat (A)", unit="factor", ge=0, le=1,
                                          meaning="fatigue per act under recognition", source="A")
    evening_opening: bool = P(False, unit="switch", role="lever",
                              zh="设施下班后开放",
                              meaning="facilities open after working hours",
                              source="003: “8小时外社区文体娱乐设施开放计划”")
    evening_free_time_gain: float = P(0.15, plausible=(0.075, 0.225), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="0-1", ge=0, le=1,
                                      meaning="free time added to working adults by evening opening", source="A")
    cost_yuan_per_year: float = P(30000, unit="yuan/year", ge=0, le=1e8, role="constant",
                                  meaning="cost of awards and evening opening, each", source="A")


class Volunteers(Section):
    """Community volunteer teams (志愿服务队): rosters and regular duties (ODD 7.17)."""
    processes = ("volunteer_teams",)
    teams: bool = P(True, unit="switch", role="constant",
                    meaning="the committee keeps volunteer teams with member rosters and regular duties (off: volunteering only from offered tasks and party invitations)",
                    source="002: 发挥社区志愿者在…关爱帮助等方面的积极作用,引导社区居民开展自助互助服务; 004: 社区志愿者联盟, 流动人口…开展环境美化、安全检查…为老服务等志愿活动")
    households_per_team: float = P(300.0, plausible=(150.0, 600.0), range_source="judgement: a team for a few buildings to a team for a grid and a half (A)", unit="households", ge=1, le=1e5,  # a team serves a household at least (a tiny value made the team count overflow)
                                   meaning="households per volunteer team: a community keeps max(1, round(households / this)) teams",
                                   source="A: one team (patrol, elderly visits, environment) per two to three grids of about 120 households (grid.households_per_grid)")
    roster_size: int = P(20, plausible=(10, 40), range_source="judgement: a squad of ten to a large team (A)", unit="members", ge=1, le=1000,
                         meaning="most members on one team's roster",
                         source="A: a building-patrol or visiting team of a dozen to a few dozen")
    duties_per_week: float = P(1.0, plausible=(0.5, 2.0), range_source="judgement: a fortnightly to a twice-weekly round (A)", unit="duties/week", ge=0, le=7,
                               meaning="regular duties a team holds a week (a patrol, a round of elderly visits, a clean-up)",
                               source="A: weekly rounds; T: 13.85 h a year per registered volunteer (China Volunteer Service Federation 2017) bounds how often a member turns up")
    members_per_duty: int = P(4, plausible=(3, 10), range_source="judgement: a patrol pair to a clean-up squad (A)", unit="members", ge=1, le=1000,
                              meaning="rostered members called to one duty, in turn (those called least recently first)",
                              source="A: a patrol of a few; tuned with call_logit so that a member gives about T's 13.85 h a year on duties at the baseline (6 gave 24 h)")
    call_logit: float = P(2.0, plausible=(1.0, 4.0), range_source="judgement: a call on the roster is a stronger ask than a tie's invitation (behaviour.w_invited, 1.5) (A)", unit="logit", ge=0, le=10,
                          meaning="added to the volunteering decision of a member called to a duty (the decision is otherwise the same: fatigue, time budget and efficacy act alike)",
                          source="A: a roster and a fixed turn bring volunteers back (role commitment); value tuned so the baseline's volunteer hours stay near T's 13.85 h a year")
    join_probability: float = P(0.3, plausible=(0.1, 0.5), range_source="judgement: a tenth to half of those asked (A)", unit="probability", ge=0, le=1,
                                meaning="chance that a resident who volunteered today (a task or an invitation) and is on no team joins one of the community's teams with room",
                                source="A: volunteers are asked to register with a team (志愿者注册; 志愿服务条例 2017)")
    max_missed_calls: int = P(4, plausible=(2, 8), range_source="judgement: a month to two of missed weekly turns (A)", unit="calls", ge=1, le=100,
                              meaning="consecutive duty calls a member misses before leaving the roster",
                              source="A: members who keep not turning up drop out")


class Migrants(Section):
    """Constraints on migrants and renters (ODD 7.16): each a switch, so that a paired run can
    turn it off."""
    processes = ("tenure", "day_start", "deliberation", "party_evaluation")
    working_hours: bool = P(True, unit="switch", role="constant",
                            meaning="working-age migrants have less free time (longer working weeks)",
                            source="NBS 2016年农民工监测调查报告: 24.9 working days a month, 8.5 hours a day; 78.4% work over 44 hours a week")
    working_free_time_factor: float = P(0.63, plausible=(0.5, 0.85), range_source="NBS 2016 (24.9 working days a month) against a five-day week (21.75 days): 5.5 against 8.7 free days a month, 0.63; judgement: up to 0.85 for migrants in office work", unit="factor", ge=0, le=1,
                                        meaning="working-age migrants' free time relative to locals' of the same age",
                                        source="NBS 2016年农民工监测调查报告: 月从业时间平均24.9天, 日从业时间8.5小时")
    turnover: bool = P(True, unit="switch", role="constant",
                       meaning="renter households move out and newcomers with fresh attitudes, no memberships and fewer ties move in",
                       source="A: renters' tenure is short (population.renter_share_local/migrant)")
    renter_moves_per_year: float = P(0.3, plausible=(0.15, 0.5), range_source="judgement: renters staying two to seven years (A, grade D)", unit="1/year", ge=0, le=12,
                                     meaning="yearly rate at which a renter household moves out (replaced at once by a newcomer household)",
                                     source="A: short leases (one to two years) renewed a few times; no survey pins the rate")
    newcomer_tie_factor: float = P(0.4, plausible=(0.2, 0.7), range_source="judgement: a newcomer knows a few neighbours (A)", unit="factor", ge=0, le=1,
                                   meaning="a newcomer's building and wider ties relative to the resident they replace (household ties are kept: the household moves in together)",
                                   source="A: new residents know few neighbours (T: migrants start with fewer ties)")
    eligibility: bool = P(True, unit="switch", role="constant",
                          meaning="resident representatives (deliberation seats, evaluators) are locals, or migrants resident at least eligibility_residence_days who apply",
                          source="中办发〔2010〕27号 (关于加强和改进城市社区居民委员会建设工作的意见): 户籍不在本社区、在本社区居住一年以上的居民, 本人申请…可以参加本社区居民委员会的选举")
    eligibility_residence_days: int = P(365, plausible="none", range_source="a rule, not an uncertainty: the 2010 opinion's one year of residence", unit="days", ge=0, le=36500,
                                        meaning="residence a migrant needs to be eligible",
                                        source="中办发〔2010〕27号: 在本社区居住一年以上")
    application_share: float = P(0.2, plausible=(0.05, 0.5), range_source="judgement: few migrants apply to a residents' election (A; T: migrants take part clearly less)", unit="share", ge=0, le=1,
                                 meaning="share of eligible migrants who have applied to take part in the committee's elections (a fixed draw per resident)",
                                 source="A: 本人申请 (the 2010 opinion); T: clearly lower migrant participation")
    notices: bool = P(True, unit="switch", role="constant",
                      meaning="committee notices of open and council meetings reach migrants directly at notice_reach_migrant of the locals' rate; a migrant not reached hears through ties with chance notice share x the tie-weighted share of their ties reached",
                      source="A: notices go through registered households and building heads; migrants hear through ties (T: migrants with ties to locals take part more)")
    notice_reach_migrant: float = P(0.5, plausible=(0.25, 0.8), range_source="judgement: a quarter to most of the locals' reach (A)", unit="factor", ge=0, le=1,
                                    meaning="chance a committee notice reaches a migrant relative to a local",
                                    source="A")


class Smart(Section):
    processes = ("disputes", "needs")
    digital_ordering: bool = P(False, unit="switch", role="lever",
                               zh="小程序报需求：报告更容易、派单更省",
                               meaning="needs reported by mini-program: easier reporting, cheaper dispatch",
                               source="003: 开发居民通微信小程序应用")
    digital_report_gain: float = P(0.1, plausible=(0.05, 0.15), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="probability/day", ge=0, le=1,
                                   meaning="added daily reporting chance of needs with digital ordering, and of disputes with digital ordering or the online platform", source="A")
    digital_dispatch_factor: float = P(0.5, plausible=(0.25, 0.75), range_source="judgement: ±50% of the assumed default (A); no source pins it", unit="factor", ge=0, le=1,
                                       meaning="dispatch hours per order with digital ordering", source="A")
    online_mediation: bool = P(False, unit="switch", role="lever",
                               zh="线上纠纷调解平台",
                               meaning="an online dispute mediation platform", source="003: 构建线上化解纠纷工作机制")
    cost_yuan_per_year: float = P(50000, unit="yuan/year", ge=0, le=1e8, role="constant",
                                  meaning="platform cost, each", source="A")


class Run(Section):
    days: int = P(365, unit="days", ge=1, le=36500, role="constant",
                  meaning="simulated days reported (after the spin-up)", source="A")
    spin_up_days: int = P(1825, unit="days", ge=0, le=7300, role="constant",
                          meaning="days simulated before day 0 with every lever at its baseline value and nothing reported, so that day 0 is a settled community",
                          source="measured: once established groups became durable (ODD 7.7) the organizations of a 2,000-adult community took about five years to settle (with three, organization participation still rose 2.5% a year over years 2-10; with five, +0.6%; 10 seeds); 5,000 and 15,000 adults settle within three (docs/VALIDATION.md)")
    policy_start_day: int = P(0, unit="day", ge=0, le=36500, role="constant",
                              meaning="day on which the scenario's levers replace the baseline's (0: from the first reported day)",
                              source="A")
    record_every: int = P(1, unit="days", ge=1, le=3650, role="constant",
                          meaning="days between rows of the time series", source="A")


class Meta(Section):
    name: str = P("scenario", unit="text", role="constant", meaning="scenario name", source="user")
    description: str = P("", unit="text", role="constant", meaning="what the scenario represents",
                         source="user")
    sources: list[str] = P([], unit="text", role="constant",
                           meaning="documents and figures the scenario draws on", source="user")


class Scenario(Section):
    """A whole scenario: one section per concept."""
    meta: Meta = Meta()
    run: Run = Run()
    population: Population = Population()
    network: Network = Network()
    behaviour: Behaviour = Behaviour()
    committee: Committee = Committee()
    grid: Grid = Grid()
    needs: Needs = Needs()
    organizations: Organizations = Organizations()
    grants: Grants = Grants()
    purchased_services: PurchasedServices = PurchasedServices()
    incubation: Incubation = Incubation()
    party: Party = Party()
    deliberation: Deliberation = Deliberation()
    disputes: Disputes = Disputes()
    legal: Legal = Legal()
    transparency: Transparency = Transparency()
    moral: Moral = Moral()
    smart: Smart = Smart()
    volunteers: Volunteers = Volunteers()
    migrants: Migrants = Migrants()


def iter_parameters(model: type[BaseModel] = Scenario, prefix: str = ""):
    """Yield (key_path, field_info, section_class) for every leaf parameter."""
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            yield from iter_parameters(ann, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", field, model


def field_bounds(field) -> dict:
    """The validity bounds of a field: {"ge": .., "le": .., "gt": .., "lt": ..} as declared."""
    bounds = {}
    for m in field.metadata:
        for k in ("ge", "le", "gt", "lt"):
            if getattr(m, k, None) is not None:
                bounds[k] = getattr(m, k)
    return bounds


def _field(path: str):
    for p, field, _ in iter_parameters():
        if p == path:
            return field
    raise KeyError(path)


def range_status(path: str) -> str:
    """How the plausible range of ``path`` is known: ``declared`` (with its range_source),
    ``none`` (declared to have none: left out of default studies) or ``bounds`` (nothing
    declared: a constant, or a list, text or switch, which studies do not sample by range)."""
    p = (_field(path).json_schema_extra or {}).get("plausible")
    return "none" if p == "none" else "declared" if p is not None else "bounds"


def plausible_range(path: str) -> tuple[float, float] | None:
    """The declared plausible range of the parameter at ``path`` (``section.key``); None if
    it is declared to have none; else (constants) its validity bounds (None where a side is
    unbounded or the field is not numeric)."""
    field = _field(path)
    extra = field.json_schema_extra or {}
    if extra.get("plausible") == "none":
        return None
    if "plausible" in extra:
        lo, hi = extra["plausible"]
        return float(lo), float(hi)
    b = field_bounds(field)
    lo = b.get("ge", b.get("gt"))
    hi = b.get("le", b.get("lt"))
    if lo is None or hi is None:
        return None
    return float(lo), float(hi)


# ------------------------------------------------------------------------ linked parameters
# Parameters that cannot be chosen independently, declared once. Every design respects them
# (sim/study/experiment.py for sweeps and SALib, sim/study/ema.py, sim/study/paramlist.py):
# an ordered pair is sampled as (low, position of high in what is left of its range), a
# share list is renormalized; a point given explicitly that breaks a link is refused.
class Ordered(BaseModel):
    """``low`` must not exceed ``high`` (a min/max pair)."""
    model_config = ConfigDict(frozen=True)
    low: str
    high: str
    why: str

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.low, self.high)

    def describe(self) -> str:
        return f"{self.low} <= {self.high}"


class SumsToOne(BaseModel):
    """The entries of the list ``key`` are non-negative shares summing to one."""
    model_config = ConfigDict(frozen=True)
    key: str
    why: str

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.key,)

    def describe(self) -> str:
        return f"{self.key} sums to 1"


LINKS: tuple[Ordered | SumsToOne, ...] = (
    Ordered(low="grants.amount_min_yuan", high="grants.amount_max_yuan",
            why="the smallest grant cannot exceed the largest (the schema refuses it)"),
    Ordered(low="deliberation.support_min", high="deliberation.support_max",
            why="the clip of an issue's initial support needs min <= max"),
    Ordered(low="behaviour.time_budget_floor_hours_week", high="behaviour.time_budget_hours_week",
            why="the floor of the weekly time budget is what anyone can spare, at most the "
                "budget of a retiree (the model takes the smaller)"),
    SumsToOne(key="population.age_shares", why="shares of adults by age group"),
    SumsToOne(key="needs.type_shares", why="shares of needs by type"),
)


def links_of(key: str) -> list[Ordered | SumsToOne]:
    """The declared links ``key`` takes part in."""
    return [link for link in LINKS if key in link.keys]


def link_violation(point: dict[str, Any], base: dict[str, Any] | None = None) -> str | None:
    """A one-line description of the first link ``point`` ({key path: value}, missing keys
    taken from ``base``) breaks, or None."""
    base = base or {}

    def get(k):
        return point[k] if k in point else base.get(k)

    for link in LINKS:
        if isinstance(link, Ordered):
            lo, hi = get(link.low), get(link.high)
            if lo is not None and hi is not None and lo > hi:
                return (f"{link.low} ({lo:g}) exceeds {link.high} ({hi:g}): the schema links "
                        f"them ({link.describe()}: {link.why})")
        else:
            v = get(link.key)
            if v is not None and (min(v) < 0 or abs(sum(v) - 1) > 1e-6):
                return f"{link.key} {list(v)} is not shares summing to 1 ({link.why})"
    return None


def respect_links(point: dict[str, Any], ranges: dict[str, tuple[float, float]] | None = None
                  ) -> dict[str, Any]:
    """``point`` with the links made to hold, for a *sampled* design point.

    An ordered pair whose both keys are in the point: ``high`` is read as its position in its
    sampled range ``ranges[high]`` (default: its plausible range) and moved to the same
    position in the part of that range at or above ``low``, i.e. the pair is sampled as
    (low, where high lies above it). The map is applied to every point, not only to those
    that break the link, so the design stays a deterministic transform of the sampler's
    and the pair's marginal of ``low`` is unchanged. A share list is renormalized. Keys of a
    link the point does not hold are left alone (:func:`link_violation` checks them)."""
    out = dict(point)
    ranges = ranges or {}
    for link in LINKS:
        if isinstance(link, Ordered):
            if link.low not in out or link.high not in out:
                continue
            lo, hi = float(out[link.low]), float(out[link.high])
            r_lo, r_hi = ranges.get(link.high) or plausible_range(link.high) or (hi, hi)
            floor = max(lo, r_lo)
            if r_hi <= r_lo:
                new = max(hi, lo)
            else:
                u = min(max((hi - r_lo) / (r_hi - r_lo), 0.0), 1.0)
                new = floor + u * (max(r_hi, floor) - floor)
            out[link.high] = max(new, lo)
        elif link.key in out and out[link.key] is not None:
            v = [float(x) for x in out[link.key]]
            total = sum(v)
            if min(v) >= 0 and total > 0:
                out[link.key] = [x / total for x in v]
    return out


def check_link_ranges(ranges: dict[str, tuple[float, float]], fixed: dict[str, Any],
                      origin: str) -> None:
    """Refuse (ValueError, one line) sampled ranges that no repair can make obey a link: the
    low key's range reaching above the high key's, or one key of a pair sampled while the
    other stays at a value the sampled range crosses."""
    for link in LINKS:
        if not isinstance(link, Ordered):
            continue
        lo_r, hi_r = ranges.get(link.low), ranges.get(link.high)
        if lo_r and hi_r and lo_r[0] > hi_r[1]:
            raise ValueError(f"{origin}: {link.low} is sampled from {lo_r[0]:g}, above the top "
                             f"of {link.high}'s range ({hi_r[1]:g}): {link.describe()} cannot hold")
        if lo_r and hi_r and lo_r[1] > hi_r[1]:
            raise ValueError(f"{origin}: {link.low}'s range reaches {lo_r[1]:g}, above the top of "
                             f"{link.high}'s range ({hi_r[1]:g}); lower it so that "
                             f"{link.describe()} can hold at every point")
        if lo_r and not hi_r and fixed.get(link.high) is not None and lo_r[1] > fixed[link.high]:
            raise ValueError(f"{origin}: {link.low} is sampled up to {lo_r[1]:g} while "
                             f"{link.high} stays at {fixed[link.high]:g}: {link.describe()} "
                             f"would break; sample both or narrow the range")
        if hi_r and not lo_r and fixed.get(link.low) is not None and hi_r[0] < fixed[link.low]:
            raise ValueError(f"{origin}: {link.high} is sampled from {hi_r[0]:g} while "
                             f"{link.low} stays at {fixed[link.low]:g}: {link.describe()} "
                             f"would break; sample both or narrow the range")


def parameter_table() -> list[dict]:
    """Every parameter with default, unit, bounds, role, meaning and source (for docs)."""
    rows = []
    for path, field, _ in iter_parameters():
        extra = field.json_schema_extra or {}
        bounds = field_bounds(field)
        rows.append({"key": path, "default": field.default, "unit": extra.get("unit", ""),
                     "bounds": bounds, "role": extra.get("role", ""),
                     "plausible": extra.get("plausible"),
                     "range_source": extra.get("range_source", ""),
                     "per_community": extra.get("per_community", ""),
                     "meaning": field.description or "", "source": extra.get("source", "")})
    return rows
