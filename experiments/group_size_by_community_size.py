"""(The results below are of the model before the committee's support hours were set aside at
the day's start and need service carried its credit, commit e5b36ab; ODD 7.15 gives the
before/after. Run on today's model, ``base`` shows the support ratio at about 0.3 at every size.)

Why organizations are larger in small communities (memberships per adult 0.083 at 2,000
adults, 0.049 at 15,000 in docs/validation/yearly.csv): the monthly flows per group by size,
and paired runs with the office support to groups equalized.

    PYTHONPATH=. COGOV_NO_CACHE=1 python experiments/group_size_by_community_size.py SEEDS YEARS [SIZES]

e.g. ``1,2,3 2 2000,15000``. One process; the spin-up runs with each configuration's levers
(``office_budget_yuan`` and ``org_support_share`` are levers, which the spin-up otherwise
resets to the baseline, so a configuration would show the baseline's groups decaying).
Configurations:

- ``base``: the baseline;
- ``ratio1``: ``committee.org_support_hours_per_org = 0``, so ``org_support_ratio`` is 1 at
  every size (all the support money reaches the groups);
- ``budget_scaled``: ``committee.office_budget_yuan = 100,000 x adults / 5,000``;
- ``both``: the two together (the office money per group the same at every size);
- ``no_money``: ``committee.org_support_share = 0``.

Columns: groups at the end, memberships per adult (end; and the mean over the months),
core activist share, participation via organizations, mean members per group, joins and
leavers per member a month, share of group-months broke (funds below one activity's cost),
median funds, the mean support ratio, and the yuan a month of office support per group.

Results (seeds 1-2, years 1-2 after the spin-up; mean of seeds):

| config | adults | members/group | memberships/adult | core share | broke | support ratio | support yuan/group/month |
|---|---|---|---|---|---|---|---|
| base | 2,000 | 31 | 0.084 | 5.5% | 0% | 0.69 | 310 |
| base | 5,000 | 23 | 0.059 | 3.1% | 30% | 0.30 | 55 |
| base | 15,000 | 19 | 0.051 | 2.3% | 65% | 0.10 | 6 |
| both | 2,000 | 29 | 0.076 | 4.6% | 0% | 1 | 171 |
| both | 5,000 | 30 | 0.088 | 4.5% | 0% | 1 | 174 |
| both | 15,000 | 29 | 0.084 | 4.6% | 0% | 1 | 173 |

The office support per group (``organizations.monthly``: ``office_budget_yuan x
org_support_share / 12 x org_support_ratio`` shared among the groups) carries the size
effect: a fixed budget (ODD 7.15) over a number of groups that grows with the adults, times
a support ratio (committee hours granted / wanted, ``CommitteeSupportAndVolunteering``) that
falls from 0.7 to 0.1, since the hours for groups are what is left after dispatch and
service, and free hours per 1,000 adults fall ~10% from 2,000 to 15,000 adults. Either
factor alone closes about half of the gap (seeds 1-3, mean members per group 2,000 / 15,000:
ratio1 26 / 22, budget_scaled 23 / 19); with no office money at all (no_money) 15 / 18.
"""

from __future__ import annotations

import json
import sys

import numpy as np

import sim.model as model_mod
import sim.processes.organizations as orgs_mod
from sim.config import load_scenario
from sim.model import CoGovModel

model_mod.with_baseline_levers = lambda s: s  # this experiment only: spin up with the levers

CONFIGS = {
    "base": {},
    "ratio1": {"committee.org_support_hours_per_org": 0},
    "budget_scaled": {"scale_budget": True},
    "both": {"committee.org_support_hours_per_org": 0, "scale_budget": True},
    "no_money": {"committee.org_support_share": 0},
}
REC: list[dict] = []
_CUR: dict = {"m": None, "orgs": None}
_members_round, _monthly = orgs_mod.members_round, orgs_mod.monthly


def _recording_round(rng, ptr, members, comm, p_join, *rest):
    out = _members_round(rng, ptr, members, comm, p_join, *rest)
    m = _CUR["m"]
    if m.clock >= m.day0:
        ratio = m.process("committee_support").org_support_ratio
        pc = m.p.committee
        n_with = max(1, sum(o.members.size > 0 for o in _CUR["orgs"]))
        for g in range(comm.size):
            old, new = members[ptr[g]:ptr[g + 1]], out[1][out[0][g]:out[0][g + 1]]
            org = _CUR["orgs"][g]
            REC.append({"size": old.size, "joins": np.setdiff1d(new, old).size,
                        "leaves": np.setdiff1d(old, new).size, "funds": org.funds,
                        "broke": org.funds < m.p.organizations.cost_per_activity_yuan,
                        "ratio": float(ratio[org.community]),
                        "support": pc.office_budget_yuan * pc.org_support_share / 12 * ratio[org.community] / n_with})
    return out


def _recording_monthly(model, rng):
    _CUR["m"], _CUR["orgs"] = model, list(model.orgs)
    return _monthly(model, rng)


orgs_mod.members_round, orgs_mod.monthly = _recording_round, _recording_monthly


def run(adults: int, seed: int, years: int, config: str) -> dict:
    over = dict(CONFIGS[config])
    if over.pop("scale_budget", False):
        over["committee.office_budget_yuan"] = 100000 * adults / 5000
    REC.clear()
    sc = load_scenario("scenarios/baseline.yaml", {"population.residents_per_community": adults,
                                                  "run.days": 365 * years, **over})
    m = CoGovModel(sc, rng=seed, collect=False)
    m.run(365 * years)
    s = m.summary()
    r = {k: np.array([x[k] for x in REC], float) for k in REC[0]}
    nz = r["size"] > 0
    months = (years * 365) // 30  # month-ends in the report
    return {"config": config, "adults": adults, "seed": seed, "groups": len(m.orgs),
            "mpa": s["memberships_per_adult"], "mpa_months": float(r["size"].sum() / months / m.pop.n),
            "core": s["core_activist_share"], "p_org": s["participation_year_organization"],
            "members_per_group": float(r["size"][nz].mean()),
            "joins_per_member": float(r["joins"][nz].sum() / r["size"][nz].sum()),
            "leaves_per_member": float(r["leaves"][nz].sum() / r["size"][nz].sum()),
            "broke": float(r["broke"][nz].mean()), "funds_median": float(np.median(r["funds"][nz])),
            "ratio": float(r["ratio"].mean()), "support_per_group": float(r["support"].mean())}


if __name__ == "__main__":
    seeds = [int(x) for x in sys.argv[1].split(",")]
    years = int(sys.argv[2])
    sizes = [int(x) for x in (sys.argv[3] if len(sys.argv) > 3 else "2000,15000").split(",")]
    configs = sys.argv[4].split(",") if len(sys.argv) > 4 else list(CONFIGS)
    for config in configs:
        for adults in sizes:
            for seed in seeds:
                row = run(adults, seed, years, config)
                print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}), flush=True)
