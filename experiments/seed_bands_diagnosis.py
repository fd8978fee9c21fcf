"""Which lever blocks and which channels carry the seed scenarios' excess over the published
bands (issue 21): doc003 with each block set back to the baseline's values, the baseline with
each doc003 block added alone, at doc003's population, year 3; participation by channel,
and participation counting only meetings, volunteering and organizations (the band's own
list, TARGETS P1) besides the model's count, which includes evaluations.

    PYTHONPATH=. python experiments/seed_bands_diagnosis.py SEEDS YEARS OUT.jsonl [--seeds-files]

Results of a run (4 seeds, 3 years) are in docs/seed_bands_diagnosis.md.
"""

from __future__ import annotations

import json
import sys
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from sim.config import load_scenario
from sim.model import CoGovModel
from sim.residents import ACT_TYPES

SCEN = Path(__file__).resolve().parent.parent / "scenarios"
KEYS = ("participation_year", "core_activist_share", "participation_year_meeting",
        "participation_year_volunteering", "participation_year_organization",
        "participation_year_evaluation", "time_used_share_mean", "volunteering_acts_invitation",
        "volunteering_acts_task", "volunteering_acts_team")
# the baseline's values (scenarios/baseline.yaml and the schema defaults) and doc003's
BASE = {"committee.pushed_down_duty_items": 200, "committee.plaques": 70, "committee.duty_list_cap": False,
        "committee.staff_per_10k": 12, "committee.office_budget_yuan": 100000, "grid.workers_per_grid": 0.5,
        "legal.police_days_per_week": 1, "legal.lawyer_hours_per_week": 0, "legal.same_day_mediation": False,
        "deliberation.meetings_per_year": 2, "purchased_services.items": 0,
        "party.double_registration_share": 0.2, "party.evaluation": False, "moral.recognition": False,
        "moral.evening_opening": False, "smart.digital_ordering": False, "smart.online_mediation": False,
        "population.n_communities": 1, "population.community_type": "mixed_old"}
DOC003 = {"committee.pushed_down_duty_items": 97, "committee.plaques": 27, "committee.duty_list_cap": True,
          "committee.staff_per_10k": 18, "committee.office_budget_yuan": 200000, "grid.workers_per_grid": 1,
          "legal.police_days_per_week": 3, "legal.lawyer_hours_per_week": 4, "legal.same_day_mediation": True,
          "deliberation.meetings_per_year": 4, "purchased_services.items": 3,
          "party.double_registration_share": 0.8, "party.evaluation": True, "moral.recognition": True,
          "moral.evening_opening": True, "smart.digital_ordering": True, "smart.online_mediation": True,
          "population.n_communities": 2, "population.community_type": "work_unit"}
BLOCKS = {"committee": ["committee.pushed_down_duty_items", "committee.plaques", "committee.duty_list_cap",
                        "committee.staff_per_10k", "committee.office_budget_yuan"],
          "grid": ["grid.workers_per_grid"],
          "legal": ["legal.police_days_per_week", "legal.lawyer_hours_per_week", "legal.same_day_mediation"],
          "deliberation": ["deliberation.meetings_per_year"], "purchased": ["purchased_services.items"],
          "party": ["party.double_registration_share", "party.evaluation"],
          "moral": ["moral.recognition", "moral.evening_opening"],
          "smart": ["smart.digital_ordering", "smart.online_mediation"],
          "type": ["population.community_type"], "n_communities": ["population.n_communities"]}
SEED_FILES = ("baseline", "doc000_chengdu_wuhou", "doc001_shenzhen_shatou", "doc002_provincial_guideline",
              "doc003_jiayuguan", "doc004_chaoyangmen", "five_governance")


def job(args) -> dict:
    label, scenario, overrides, seed, years = args
    m = CoGovModel(load_scenario(SCEN / f"{scenario}.yaml", {**overrides, "run.days": 365 * years}),
                   rng=seed, collect=False)
    m.run(365 * years)
    s = m.summary()
    pop, day = m.pop, m.clock - 1
    activities = np.zeros(pop.n, bool)  # meetings, volunteering, organizations in the last year
    for i, t in enumerate(ACT_TYPES):
        if t != "evaluation":
            activities |= pop.last_act[i] > day - 365
    return {"label": label, "seed": seed, "adults": pop.n, **{k: s.get(k) for k in KEYS},
            "participation_year_activities": float(activities.mean())}


def jobs(seeds, years, seed_files: bool) -> list:
    out = []
    for s in seeds:
        if seed_files:
            out += [(f, f, {}, s, years) for f in SEED_FILES]
            continue
        out += [("doc003", "doc003_jiayuguan", {}, s, years), ("baseline", "baseline", {}, s, years)]
        for b, ks in BLOCKS.items():
            out.append((f"doc003-{b}", "doc003_jiayuguan", {k: BASE[k] for k in ks}, s, years))
            out.append((f"baseline+{b}", "baseline", {k: DOC003[k] for k in ks}, s, years))
    return out


if __name__ == "__main__":
    seeds, years, out = range(1, int(sys.argv[1]) + 1), int(sys.argv[2]), sys.argv[3]
    with Pool(2) as p, open(out, "w") as fh:
        for r in p.imap_unordered(job, jobs(seeds, years, "--seeds-files" in sys.argv)):
            fh.write(json.dumps(r) + "\n")
            fh.flush()
