"""Community types: a typology of urban Chinese communities, each a sourced preset.

A type's ``preset`` maps ``section.key`` to a value. At scenario load (sim/config.py) the
preset of ``population.community_type`` fills the keys the scenario (with its ``extends``
chain and ``--set``) does not set itself: the scenario always wins, and lever files apply on
top unchanged, since a preset names no lever. A street of several types
(``population.community_types``) gives each community the scenario re-typed to its own type
(:func:`community_scenarios`); the model reads a community's composition and structure from
``model.community_params[c]``.

Only keys that the model reads per community may be in a preset (:data:`PER_COMMUNITY_KEYS`),
so that a street of mixed types is what its types say; the import checks every preset
(:func:`check_preset`). The default type, the mixed old neighbourhood, holds the schema's
defaults (the calibrated community), so a scenario naming no type runs as before.

Sources (author, year, title; numbers not in them are marked "judgement" in ``SOURCES``):
Bray 2005, Wu 2005, Read 2003 and 2012, Tomba 2014, Heberer & Göbel 2011, Zhang, Zhao & Tian
2003, Liu, He, Wu & Webster 2010, Wu, Zhang & Webster 2013, the 2020 census and the National
Bureau of Statistics' migrant-worker monitoring survey (docs/ODD.md, "Community types").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .params import COMMUNITY_TYPES, Scenario, iter_parameters

# keys the model reads per community (model.community_params[c]); a preset may set only these
PER_COMMUNITY_KEYS: tuple[str, ...] = (
    "population.household_size",
    "population.households_per_building",
    "population.age_shares",
    "population.migrant_share",
    "population.party_member_share",
    "population.party_age_gradient",
    "population.renter_share_local",
    "population.renter_share_migrant",
    "population.property_company",
    "population.owners_committee",
    "committee.staff_minimum",
    "organizations.initial_per_1000_adults",
    "transparency.property_fee_yuan_per_quarter",
)

BRAY = "Bray 2005, Social Space and Governance in Urban China: The Danwei System from Origins to Reform"
WU2005 = ("Wu 2005, Rediscovering the 'gate' under market transition: from work-unit compounds "
          "to commodity housing enclaves (Housing Studies 20(2))")
READ2003 = ("Read 2003, Democratizing the neighborhood? New private housing and home-owner "
            "self-organization in urban China (The China Journal 49)")
READ2012 = "Read 2012, Roots of the State: Neighborhood Organization and Social Networks in Beijing and Taipei"
TOMBA = "Tomba 2014, The Government Next Door: Neighborhood Politics in Urban China"
HEBERER = "Heberer & Göbel 2011, The Politics of Community Building in Urban China"
ZHANG2003 = ("Zhang, Zhao & Tian 2003, Self-help in housing and chengzhongcun in China's "
             "urbanization (IJURR 27(4))")
LIU2010 = ("Liu, He, Wu & Webster 2010, Urban villages under China's rapid urbanization: "
           "unregulated assets and transitional neighbourhoods (Habitat International 34(2))")
WU2013 = ("Wu, Zhang & Webster 2013, Informality and the development and demolition of urban "
          "villages in the Chinese peri-urban area (Urban Studies 50(10))")
CENSUS = "2020 census (第七次全国人口普查): 375.8 million people live away from their hukou place"
NBS_MIGRANTS = ("NBS 2018 migrant-worker monitoring survey (农民工监测调查报告): about 61% of "
                "migrant workers in cities rent")


@dataclass(frozen=True)
class CommunityType:
    """One type of urban community: its composition and structure as a preset.

    ``sources`` cite the literature for the type as a whole; ``notes`` give, per preset key,
    where its number comes from ("judgement: ..." where no study gives it)."""
    key: str
    label: str
    label_zh: str
    description: str
    sources: tuple[str, ...]
    preset: dict[str, Any]
    notes: dict[str, str] = field(default_factory=dict)


def _defaults() -> dict[str, Any]:
    d = Scenario().model_dump()
    return {k: d[k.split(".")[0]][k.split(".")[1]] for k in PER_COMMUNITY_KEYS}


_D = _defaults()
_ORGS = _D["organizations.initial_per_1000_adults"]


def _orgs(factor: float) -> list[float]:
    """The default density of initial organizations of every type, times ``factor``."""
    return [round(x * factor, 4) for x in _ORGS]


TYPES: dict[str, CommunityType] = {t.key: t for t in (
    CommunityType(
        key="mixed_old", label="Mixed old neighbourhood", label_zh="老旧小区/混合型老社区",
        description="walk-ups built before 2000, flats sold to sitting tenants in the housing "
                    "reform and partly let to migrants; the calibrated community of the "
                    "schema's defaults",
        sources=(WU2005, BRAY, CENSUS),
        preset=dict(_D),
        notes={k: "the schema's default (the calibrated community; its source in the parameter table)"
               for k in PER_COMMUNITY_KEYS}),
    CommunityType(
        key="work_unit", label="Old work-unit compound", label_zh="单位社区/单位大院",
        description="housing a state employer built for its staff, now mostly their retirees; "
                    "walk-ups, a unit-run property service, a dense civic life of retirees",
        sources=(BRAY, WU2005, READ2012),
        preset={"population.age_shares": [0.12, 0.30, 0.20, 0.38],
                "population.migrant_share": 0.12,
                "population.party_member_share": 0.11,
                "population.party_age_gradient": 2.0,
                "population.households_per_building": 24,
                "population.renter_share_local": 0.08,
                "population.renter_share_migrant": 0.9,
                "population.property_company": True,
                "population.owners_committee": False,
                "organizations.initial_per_1000_adults": _orgs(1.3)},
        notes={"population.age_shares": "judgement: staff aged in place and retired there while their children "
                                        "moved to commodity housing (Bray 2005; Wu 2005); 60+ above the default's 30%",
               "population.migrant_share": "judgement: fewer flats let than in mixed old areas, residents are the "
                                           "unit's own staff (Bray 2005); half the default",
               "population.party_member_share": "judgement: cadres and state-enterprise staff are members more "
                                                "often than the 7% of the population (Bray 2005; Read 2012)",
               "population.party_age_gradient": "judgement: the unit's retired cadres",
               "population.households_per_building": "Bray 2005: four-to-six-storey walk-up blocks (the default's 24)",
               "population.renter_share_local": "judgement: flats sold to sitting tenants in the 1998 reform",
               "population.renter_share_migrant": "NBS 2018: most migrants in cities rent; here nearly all",
               "population.property_company": "Bray 2005: the unit's own housing office serves its compound",
               "population.owners_committee": "Read 2003: owners' committees belong to commodity estates",
               "organizations.initial_per_1000_adults": "judgement: retirees' groups carried over from the "
                                                        "unit's collective life (Bray 2005; Read 2012), 1.3x the default"}),
    CommunityType(
        key="old_town", label="Old-town neighbourhood (hutong)", label_zh="老城区街坊/胡同",
        description="one-storey courtyards shared by several households in the old city, "
                    "many rooms let to migrants; basic property service paid by the street",
        sources=(READ2012, HEBERER, CENSUS),
        preset={"population.age_shares": [0.15, 0.32, 0.19, 0.34],
                "population.migrant_share": 0.25,
                "population.households_per_building": 8,
                "population.renter_share_local": 0.15,
                "population.renter_share_migrant": 0.95,
                "population.property_company": True,
                "population.owners_committee": False},
        notes={"population.age_shares": "judgement: the old city is older than the default community "
                                        "(Read 2012: Beijing's activists are retirees)",
               "population.migrant_share": "judgement: rooms let to migrants, as in 004's Lishi community "
                                           "(外来人口较多); the default's share",
               "population.households_per_building": "judgement: a shared courtyard (大杂院) holds a handful "
                                                     "to a dozen households",
               "population.renter_share_local": "judgement: some locals rent public housing (直管公房)",
               "population.renter_share_migrant": "judgement: migrants in courtyards rent rooms (NBS 2018)",
               "population.property_company": "004: the street pays a property company for the hutongs "
                                              "(物业公司季度款项)",
               "population.owners_committee": "judgement: no owners' association in public courtyards"}),
    CommunityType(
        key="commodity", label="Commodity-housing estate", label_zh="商品房小区",
        description="gated estates of high-rises sold on the market, with a property company "
                    "the owners pay and an owners' committee that supervises it",
        sources=(WU2005, READ2003, TOMBA, HEBERER),
        preset={"population.age_shares": [0.20, 0.45, 0.17, 0.18],
                "population.migrant_share": 0.30,
                "population.party_member_share": 0.07,
                "population.households_per_building": 100,
                "population.renter_share_local": 0.15,
                "population.renter_share_migrant": 0.6,
                "population.property_company": True,
                "population.owners_committee": True,
                "transparency.property_fee_yuan_per_quarter": 225_000,
                "organizations.initial_per_1000_adults": _orgs(0.8)},
        notes={"population.age_shares": "judgement: buyers are working-age families (Tomba 2014: the "
                                        "new middle class); 60+ 18%",
               "population.migrant_share": "judgement: owners and tenants without local hukou in large "
                                           "cities (census 2020)",
               "population.party_member_share": "the default's 7% (no source gives a different share)",
               "population.households_per_building": "judgement: 18-30 storeys of four to six flats (Wu 2005: "
                                                     "high-rise enclaves)",
               "population.renter_share_local": "judgement: most locals own (Tomba 2014)",
               "population.renter_share_migrant": "judgement: fewer than NBS 2018's 61% rent here: migrant "
                                                  "owners are common in estates",
               "population.property_company": "Read 2003; Tomba 2014: every estate has a property company",
               "population.owners_committee": "Read 2003; Tomba 2014: owners' committees (业主委员会) supervise it",
               "transparency.property_fee_yuan_per_quarter": "judgement: owners pay more than a street's basic "
                                                             "service (1.5-3 yuan/m2/month would be near a million "
                                                             "a quarter); held at the top of the parameter's "
                                                             "plausible range, 1.5x the default",
               "organizations.initial_per_1000_adults": "judgement: fewer neighbourhood groups among working "
                                                        "owners (Tomba 2014), 0.8x the default"}),
    CommunityType(
        key="resettlement", label="Resettlement community", label_zh="安置社区/村改居",
        description="blocks built for villagers whose land was requisitioned; the village "
                    "committee became a residents' committee; extra flats let to migrants",
        sources=(WU2013, HEBERER, NBS_MIGRANTS),
        preset={"population.age_shares": [0.17, 0.35, 0.19, 0.29],
                "population.migrant_share": 0.35,
                "population.party_member_share": 0.06,
                "population.households_per_building": 60,
                "population.renter_share_local": 0.05,
                "population.renter_share_migrant": 0.97,
                "population.property_company": True,
                "population.owners_committee": False,
                "committee.staff_minimum": 7.0,
                "transparency.property_fee_yuan_per_quarter": 75_000,
                "organizations.initial_per_1000_adults": _orgs(0.8)},
        notes={"population.age_shares": "judgement: the former villagers, near the default's ages",
               "population.migrant_share": "judgement: resettled households received several flats and "
                                           "let the extra ones (Wu, Zhang & Webster 2013)",
               "population.party_member_share": "judgement: a little below the population's 7% (rural members)",
               "population.households_per_building": "judgement: mid- and high-rise resettlement blocks",
               "population.renter_share_local": "judgement: villagers own their compensation flats",
               "population.renter_share_migrant": "judgement: migrants rent the villagers' extra flats (NBS 2018)",
               "population.property_company": "judgement: a low-fee company, often the former collective's",
               "population.owners_committee": "judgement: titles are often incomplete; no owners' committee",
               "committee.staff_minimum": "judgement: the former village committee's cadres stay on "
                                          "(Heberer & Göbel 2011 on 村改居); 7 against none by default",
               "transparency.property_fee_yuan_per_quarter": "judgement: subsidised low fees; the bottom of "
                                                             "the plausible range, half the default",
               "organizations.initial_per_1000_adults": "judgement: new neighbours, fewer groups, 0.8x"}),
    CommunityType(
        key="urban_village", label="Urban village", label_zh="城中村",
        description="a former village inside the city: villagers' self-built rental blocks "
                    "let room by room to young migrants, who outnumber the villagers",
        sources=(ZHANG2003, LIU2010, WU2013, NBS_MIGRANTS),
        preset={"population.age_shares": [0.32, 0.45, 0.13, 0.10],
                "population.migrant_share": 0.75,
                "population.household_size": 1.8,
                "population.party_member_share": 0.03,
                "population.households_per_building": 30,
                "population.renter_share_local": 0.05,
                "population.renter_share_migrant": 0.97,
                "population.property_company": False,
                "population.owners_committee": False,
                "committee.staff_minimum": 7.0,
                "organizations.initial_per_1000_adults": _orgs(0.5)},
        notes={"population.age_shares": "judgement: young migrant workers (Liu et al. 2010); 60+ 10%",
               "population.migrant_share": "Zhang, Zhao & Tian 2003; Liu et al. 2010: migrants outnumber "
                                           "villagers several to one (share 0.75: judgement)",
               "population.household_size": "judgement: single workers and couples renting rooms",
               "population.party_member_share": "judgement: migrants' membership stays in their home village",
               "population.households_per_building": "Zhang, Zhao & Tian 2003: 'handshake' blocks of six to "
                                                     "eight storeys let room by room (30: judgement)",
               "population.renter_share_local": "judgement: villagers own the blocks",
               "population.renter_share_migrant": "Liu et al. 2010: migrants rent from villagers",
               "population.property_company": "Liu et al. 2010: the village collective (shareholding "
                                              "company) manages, no property company",
               "population.owners_committee": "Liu et al. 2010: no owners' association",
               "committee.staff_minimum": "judgement: the former village committee's cadres stay on, 7",
               "organizations.initial_per_1000_adults": "judgement: few groups among migrants, 0.5x"}),
)}

DEFAULT_TYPE = "mixed_old"
assert Scenario().population.community_type == DEFAULT_TYPE
assert tuple(TYPES) == COMMUNITY_TYPES, "sim/params.py's COMMUNITY_TYPES must list the types"


def check_preset(key: str, preset: dict[str, Any]) -> None:
    """Refuse a preset that names a lever, an unknown key or one the model does not read per
    community (ValueError naming the type and the key)."""
    roles = {path: (f.json_schema_extra or {}).get("role") for path, f, _ in iter_parameters()}
    for k in preset:
        if k not in roles:
            raise ValueError(f"community type {key!r}: preset key {k!r} is not a parameter")
        if roles[k] == "lever":
            raise ValueError(f"community type {key!r}: preset key {k!r} is a lever; a preset sets "
                             "only the place, never a policy")
        if k not in PER_COMMUNITY_KEYS:
            raise ValueError(f"community type {key!r}: preset key {k!r} is not read per community "
                             f"(allowed: {', '.join(PER_COMMUNITY_KEYS)})")


for _t in TYPES.values():
    check_preset(_t.key, _t.preset)
assert TYPES[DEFAULT_TYPE].preset == _D, "the default type must hold the schema's defaults"


def value_under(type_key: str, key: str) -> Any:
    """What ``key`` is for a community of ``type_key`` that does not set it itself."""
    return TYPES[type_key].preset.get(key, _D[key])


def fill_preset(data: dict) -> dict:
    """``data`` (a scenario's sections, as read from its files) with the preset of its
    ``population.community_type`` filling every preset key it does not set. An unknown type
    is left for the schema to refuse."""
    pop = data.get("population") if isinstance(data, dict) else None
    type_key = pop.get("community_type", DEFAULT_TYPE) if isinstance(pop, dict) else DEFAULT_TYPE
    if not isinstance(type_key, str) or type_key not in TYPES:
        return data
    out = dict(data)
    for key, value in TYPES[type_key].preset.items():
        section, name = key.split(".")
        sec = out.get(section, {})
        if not isinstance(sec, dict):
            continue  # the schema reports a section that is not a mapping
        if name not in sec:
            out[section] = {**sec, name: value}
    return out


def retype(scenario: Scenario, new_type: str) -> Scenario:
    """The scenario as a community of ``new_type``: each preset key that holds what the
    scenario's own type gives it takes ``new_type``'s value; a key the scenario set to
    something else keeps it (the scenario wins)."""
    old_type = scenario.population.community_type
    if new_type == old_type:
        return scenario
    data = scenario.model_dump()
    for key in PER_COMMUNITY_KEYS:
        section, name = key.split(".")
        if data[section][name] == value_under(old_type, key):
            data[section][name] = value_under(new_type, key)
    data["population"]["community_type"] = new_type
    return Scenario.model_validate(data)


def community_type_keys(scenario: Scenario) -> tuple[str, ...]:
    """One type key per community of the run."""
    pp = scenario.population
    return tuple(pp.community_types) if pp.community_types else (pp.community_type,) * pp.n_communities


def community_scenarios(scenario: Scenario) -> tuple[Scenario, ...]:
    """Each community's scenario: ``scenario`` itself where the community is of the
    scenario's type (every entry when all are), else the scenario re-typed (:func:`retype`)."""
    keys = community_type_keys(scenario)
    variants = {k: retype(scenario, k) for k in set(keys)}
    return tuple(variants[k] for k in keys)
