"""The processes of the day (sim/processes/base.py, sim.model.DAY_ORDER) keep their
declarations: the lever sections they act through and the outcomes they count."""

from __future__ import annotations

import pytest

from sim.model import DAY_ORDER, CoGovModel
from sim.outcomes import COUNTER_KEYS
from sim.params import Scenario, iter_parameters
from sim.processes.base import Process

NAMES = [cls.name for cls in DAY_ORDER]


def _lever_sections() -> dict[str, type]:
    out = {}
    for path, field, section in iter_parameters():
        if (field.json_schema_extra or {}).get("role") == "lever":
            out[path.split(".")[0]] = section
    return out


def test_every_process_is_a_process_with_a_name_of_its_own():
    assert all(issubclass(cls, Process) for cls in DAY_ORDER)
    assert all(NAMES) and len(set(NAMES)) == len(NAMES)
    assert all(set(cls.hands_to) <= set(NAMES) - {cls.name} for cls in DAY_ORDER)
    for cls in DAY_ORDER:
        assert set(cls.sections) <= set(Scenario.model_fields), (cls.__name__, cls.sections)


def test_every_lever_section_names_the_processes_it_acts_through():
    """``Section.processes`` of each lever section and ``Process.sections`` say the same."""
    levers = _lever_sections()
    assert len(levers) >= 10
    for key, section in levers.items():
        assert section.processes, f"params.py: {section.__name__} names no process (processes = ...)"
        unknown = set(section.processes) - set(NAMES)
        assert not unknown, f"{section.__name__}.processes names no process of DAY_ORDER: {unknown}"
        acting = {cls.name for cls in DAY_ORDER if key in cls.sections}
        assert set(section.processes) == acting, (
            f"{section.__name__}.processes = {section.processes} but the processes declaring "
            f"the section {key!r} are {sorted(acting)}")


def test_every_counted_outcome_has_one_process():
    recorded = [k for cls in DAY_ORDER for k in cls.records]
    assert len(recorded) == len(set(recorded)), "an outcome is declared by two processes"
    assert set(recorded) == set(COUNTER_KEYS)


LEVERS_ON = {"population": {"residents_per_community": 400}, "run": {"days": 60},
             "grants": {"contests_per_year": 12}, "incubation": {"hub": True},
             "purchased_services": {"items": 2}, "party": {"evaluation": True},
             "transparency": {"publish_affairs": True, "satisfaction_linked_payment": True},
             "smart": {"digital_ordering": True, "online_mediation": True},
             "deliberation": {"meetings_per_year": 12}, "legal": {"lawyer_hours_per_week": 8.0}}


@pytest.fixture(scope="module")
def busy_model():
    return CoGovModel(Scenario.model_validate(LEVERS_ON), rng=5, collect=False)


def test_each_process_counts_only_its_declared_outcomes(busy_model):
    """A recorder around every step: what a process changes in ``model.today`` is in its
    ``records`` (or those of a process it hands work to), and between them the processes change every outcome they declare."""
    m = busy_model
    seen: set[str] = set()
    wrong = []
    for proc in m.processes:
        inner = proc.step

        def watched(proc=proc, inner=inner):
            before = dict(m.today)
            inner()
            changed = {k for k in m.today if m.today[k] != before.get(k, 0)}
            seen.update(changed)
            own = set(proc.records).union(*(m.process(n).records for n in proc.hands_to))
            wrong.extend((proc.name, k) for k in changed - own)

        proc.step = watched
    m.run(60)
    assert not wrong, f"processes counted outcomes they do not declare: {sorted(set(wrong))}"
    assert len(seen) >= 20, sorted(seen)


def test_running_costs_are_the_processes_daily_costs(busy_model):
    """The costs process books, on a day without money events, each process's declared
    daily costs and what changes during the run, by lever, and nothing else."""
    m = busy_model
    costs = m.process("costs")
    want: dict[str, float] = {}
    for proc in m.processes:
        for k, v in list(proc.daily_costs().items()) + list(proc.costs_today().items()):
            want[k] = want.get(k, 0.0) + v
    before = dict(m.spend)
    costs.step()
    got = {k: m.spend[k] - before[k] for k in m.spend}
    assert {k for k, v in got.items() if v} == {k for k, v in want.items() if v}
    assert all(got[k] == pytest.approx(v, rel=1e-9) for k, v in want.items())
    for lever in ("staffing", "grid", "legal", "transparency", "smart", "incubation"):
        assert got[lever] > 0, lever


def test_each_process_gives_the_daily_outcomes_of_its_own_state(busy_model):
    """The daily row takes the committees' hours, the need book, the dispute backlog, the
    organizations and the spend from the processes that hold them (``daily_outcomes``): their
    keys are declared columns, no two processes give one key, and the row holds what they give
    (a changed process value shows in the row)."""
    from sim.outcomes import DAILY_ORDER, TIMESERIES_COLUMNS, daily
    m = busy_model
    given: dict[str, str] = {}
    for proc in m.processes:
        keys = set(proc.daily_outcomes())
        assert keys <= set(TIMESERIES_COLUMNS), (proc.name, keys - set(TIMESERIES_COLUMNS))
        assert not keys & given.keys(), (proc.name, keys & given.keys())
        given.update(dict.fromkeys(keys, proc.name))
        assert (proc.name in DAILY_ORDER) == bool(keys), proc.name
    assert {"committee_hours_duty", "needs_open", "disputes_backlog", "organizations",
            "spend_total"} <= given.keys()
    row = daily(m)
    for name in DAILY_ORDER:
        assert m.process(name).daily_outcomes().items() <= row.items(), name
    m.process("costs").book("grants", 1234.0)
    assert daily(m)["spend_total"] == pytest.approx(row["spend_total"] + 1234.0)


def test_participation_in_activities_counts_meetings_volunteering_and_groups_not_evaluations():
    """The band of participation (TARGETS P1) is of meetings, volunteering and organizations:
    a resident whose only act in the year was an evaluation takes part in the headline, not in
    ``participation_year_activities``; an act of any of the three counts once."""
    import numpy as np

    from sim.residents import ACT_TYPES, NEVER
    m = CoGovModel(Scenario(), rng=4, **{"population.residents_per_community": 400,
                                        "run.spin_up_days": 0, "run.days": 1})
    m.step()
    pop, day = m.pop, m.clock - 1
    pop.last_act[:] = NEVER
    pop.last_act[ACT_TYPES.index("evaluation"), 0] = day          # evaluation only
    pop.last_act[ACT_TYPES.index("meeting"), 1] = day - 10        # a meeting
    pop.last_act[ACT_TYPES.index("volunteering"), 2] = day - 364  # volunteering, a year ago
    pop.last_act[ACT_TYPES.index("organization"), 2] = day        # and a group: counted once
    pop.last_act[ACT_TYPES.index("organization"), 3] = day - 365  # more than a year ago
    pop._last_any[:] = pop.last_act.max(axis=0)  # as decide keeps it
    s = m.summary()
    assert s["participation_year"] == pytest.approx(3 / pop.n)
    assert s["participation_year_activities"] == pytest.approx(2 / pop.n)
    assert s["participation_year_evaluation"] == pytest.approx(1 / pop.n)
    assert np.isclose(s["participation_year_organization"], 1 / pop.n)
