"""The declared schema and scenario loading: every user mistake is a clear ScenarioError that
names the file and the key path and says what is allowed."""

from pathlib import Path

import pytest

from sim.config import (ScenarioError, apply_overrides, config_hash, load_scenario, parse_set,
                        scenario_from_kwargs, validate)
from sim.params import ROLES, Scenario, iter_parameters, parameter_table

ROOT = Path(__file__).resolve().parent.parent


MINIMAL = "meta: {name: scenario}\n"  # a scenario of every default (an empty file is refused)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def error_of(fn, *args, **kw) -> str:
    with pytest.raises(ScenarioError) as exc:
        fn(*args, **kw)
    return str(exc.value)


# ------------------------------------------------------------------------ the schema
def test_every_parameter_is_documented_and_its_default_valid():
    rows = parameter_table()
    assert len(rows) > 100
    keys = [r["key"] for r in rows]
    assert len(keys) == len(set(keys))
    for r in rows:
        assert r["unit"], r["key"]
        assert r["meaning"], r["key"]
        assert r["source"], r["key"]
        assert r["role"] in ROLES, r["key"]
    # the defaults validate as a whole scenario, and each one lies inside its bounds
    Scenario.model_validate({})
    for r in rows:
        d, b = r["default"], r["bounds"]
        if isinstance(d, (int, float)) and not isinstance(d, bool):
            assert d >= b.get("ge", d) and d <= b.get("le", d) and d > b.get("gt", d - 1), r["key"]


def test_levers_are_tagged():
    levers = {path for path, f, _ in iter_parameters() if (f.json_schema_extra or {}).get("role") == "lever"}
    for key in ("committee.pushed_down_duty_items", "grants.contests_per_year",
                "purchased_services.items", "incubation.hub", "party.double_registration_share",
                "deliberation.meetings_per_year", "grid.households_per_grid"):
        assert key in levers


def test_baseline_scenario_file_loads():
    s = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    assert isinstance(s, Scenario)
    assert s.committee.pushed_down_duty_items == 200


# ---------------------------------------------------------------- errors, one by one
def test_unknown_key_lists_the_valid_keys(tmp_path):
    f = write(tmp_path / "s.yaml", "committee:\n  pushed_down_items: 97\n")
    msg = error_of(load_scenario, f)
    assert str(f) in msg
    assert "committee.pushed_down_items" in msg and "unknown key" in msg
    for valid in ("pushed_down_duty_items", "plaques", "staff_per_10k"):
        assert valid in msg


def test_unknown_section_lists_the_sections(tmp_path):
    f = write(tmp_path / "s.yaml", "comittee:\n  plaques: 27\n")
    msg = error_of(load_scenario, f)
    assert "comittee" in msg and "unknown key" in msg
    for section in ("committee", "population", "network", "grants"):
        assert section in msg


def test_wrong_type_names_key_and_type(tmp_path):
    f = write(tmp_path / "s.yaml", "committee:\n  pushed_down_duty_items: many\n")
    msg = error_of(load_scenario, f)
    assert str(f) in msg
    assert "committee.pushed_down_duty_items" in msg
    assert "'many'" in msg and "type int" in msg
    f = write(tmp_path / "b.yaml", "committee:\n  electronic_ledgers: perhaps\n")
    msg = error_of(load_scenario, f)
    assert "committee.electronic_ledgers" in msg and "bool" in msg


def test_out_of_bounds_value_names_the_bounds(tmp_path):
    f = write(tmp_path / "s.yaml", "population:\n  migrant_share: 1.5\n")
    msg = error_of(load_scenario, f)
    assert str(f) in msg
    assert "population.migrant_share" in msg and "1.5" in msg
    assert ">= 0.0" in msg and "<= 1.0" in msg
    f = write(tmp_path / "n.yaml", "committee:\n  pushed_down_duty_items: -3\n")
    msg = error_of(load_scenario, f)
    assert "committee.pushed_down_duty_items" in msg and ">= 0" in msg and "<= 1000" in msg


def test_choice_lists_the_allowed_values(tmp_path):
    f = write(tmp_path / "s.yaml", "deliberation:\n  format: townhall\n")
    msg = error_of(load_scenario, f)
    assert "deliberation.format" in msg
    for option in ("council", "open_space", "hearing", "courtyard"):
        assert option in msg


def test_section_given_a_value(tmp_path):
    f = write(tmp_path / "s.yaml", "committee: 5\n")
    msg = error_of(load_scenario, f)
    assert "committee" in msg and "mapping" in msg


def test_cross_field_rules_name_their_key(tmp_path):
    cases = {
        "population:\n  age_shares: [0.5, 0.5, 0.5, 0.5]\n": ("population", "age_shares"),
        "needs:\n  type_shares: [1, 0, 0]\n": ("needs", "type_shares"),
        "grants:\n  amount_min_yuan: 5000\n  amount_max_yuan: 1000\n": ("grants", "amount_min_yuan"),
        "disputes:\n  per_1000_year: {noise: 1}\n": ("disputes", "noise"),
    }
    for text, words in cases.items():
        msg = error_of(load_scenario, write(tmp_path / "s.yaml", text))
        for w in words:
            assert w in msg, (text, msg)


def test_several_errors_are_reported_together(tmp_path):
    f = write(tmp_path / "s.yaml", "committee:\n  plaques: -1\n  bogus: 1\nrun:\n  days: 0\n")
    msg = error_of(load_scenario, f)
    assert "committee.plaques" in msg and "committee.bogus" in msg and "run.days" in msg


def test_missing_file():
    msg = error_of(load_scenario, "/nonexistent/dir/scenario.yaml")
    assert "/nonexistent/dir/scenario.yaml" in msg and "no such file" in msg


def test_invalid_yaml(tmp_path):
    f = write(tmp_path / "bad.yaml", "committee:\n  plaques: [27\n  staff: 3\n")
    msg = error_of(load_scenario, f)
    assert str(f) in msg and "not valid YAML" in msg


def test_top_level_must_be_a_mapping(tmp_path):
    f = write(tmp_path / "list.yaml", "- committee\n- plaques\n")
    msg = error_of(load_scenario, f)
    assert str(f) in msg and "mapping" in msg


def test_empty_or_comment_only_file_is_refused(tmp_path):
    for text in ("", "# only a comment\n", "---\n"):
        msg = error_of(load_scenario, write(tmp_path / "empty.yaml", text))
        assert "empty.yaml: the file is empty" in msg
    assert load_scenario(write(tmp_path / "d.yaml", "meta: {name: scenario}\n")) == Scenario()


# ---------------------------------------------------------------------------- extends
def test_extends_with_overrides(tmp_path):
    write(tmp_path / "base.yaml",
          "meta:\n  name: base\ncommittee:\n  pushed_down_duty_items: 200\n  plaques: 70\n"
          "population:\n  residents_per_community: 3000\n")
    sub = tmp_path / "sub"
    sub.mkdir()
    write(sub / "reform.yaml", "extends: ../base.yaml\nmeta:\n  name: reform\n"
          "committee:\n  pushed_down_duty_items: 97\n")
    s = load_scenario(sub / "reform.yaml")
    assert s.meta.name == "reform"
    assert s.committee.pushed_down_duty_items == 97       # overridden
    assert s.committee.plaques == 70                       # merged from the parent section
    assert s.population.residents_per_community == 3000   # inherited section
    # chains of extends resolve relative to each file
    write(sub / "more.yaml", "extends: reform.yaml\ncommittee:\n  plaques: 27\n")
    s = load_scenario(sub / "more.yaml")
    assert (s.committee.pushed_down_duty_items, s.committee.plaques, s.meta.name) == (97, 27, "reform")


def test_extends_cycle(tmp_path):
    write(tmp_path / "a.yaml", "extends: b.yaml\n")
    write(tmp_path / "b.yaml", "extends: a.yaml\n")
    msg = error_of(load_scenario, tmp_path / "a.yaml")
    assert "cycle" in msg and "a.yaml" in msg and "b.yaml" in msg
    write(tmp_path / "self.yaml", "extends: self.yaml\n")
    assert "cycle" in error_of(load_scenario, tmp_path / "self.yaml")


def test_extends_missing_parent_and_bad_value(tmp_path):
    f = write(tmp_path / "child.yaml", "extends: nowhere.yaml\n")
    msg = error_of(load_scenario, f)
    assert "nowhere.yaml" in msg and "no such file" in msg
    f = write(tmp_path / "child2.yaml", "extends: [a, b]\n")
    msg = error_of(load_scenario, f)
    assert "child2.yaml" in msg and "extends" in msg


def test_errors_in_the_parent_name_the_key(tmp_path):
    write(tmp_path / "base.yaml", "committee:\n  plaques: lots\n")
    f = write(tmp_path / "child.yaml", "extends: base.yaml\n")
    msg = error_of(load_scenario, f)
    assert "committee.plaques" in msg


# --------------------------------------------------------------------------- --set
def test_set_overrides(tmp_path):
    f = write(tmp_path / "s.yaml", "committee:\n  pushed_down_duty_items: 200\n")
    s = load_scenario(f, ["committee.pushed_down_duty_items=97", "committee.electronic_ledgers=true",
                          "deliberation.format=open_space", "population.age_shares=[0.25,0.25,0.25,0.25]"])
    assert s.committee.pushed_down_duty_items == 97
    assert s.committee.electronic_ledgers is True
    assert s.deliberation.format == "open_space"
    assert s.population.age_shares == [0.25, 0.25, 0.25, 0.25]
    # double underscores work like dots (keyword-friendly)
    s = load_scenario(f, {"committee__plaques": 27})
    assert s.committee.plaques == 27


def test_set_errors_name_the_key(tmp_path):
    f = write(tmp_path / "s.yaml", MINIMAL)
    msg = error_of(load_scenario, f, ["committee.pushed_down_duty_items=5000"])
    assert "--set" in msg and "committee.pushed_down_duty_items" in msg and "<= 1000" in msg
    msg = error_of(load_scenario, f, ["committee.nope=1"])
    assert "committee.nope" in msg and "pushed_down_duty_items" in msg
    assert "expected key.path=value" in error_of(parse_set, ["committee.plaques"])
    msg = error_of(apply_overrides, {"meta": {"name": "x"}}, {"meta.name.first": 1})
    assert "meta.name.first" in msg and "not a section" in msg


def test_scenario_from_kwargs_and_validate():
    s = scenario_from_kwargs({"committee": {"plaques": 27}}, {"committee.pushed_down_duty_items": 97})
    assert (s.committee.plaques, s.committee.pushed_down_duty_items) == (27, 97)
    base = Scenario()
    s2 = scenario_from_kwargs(base, {"run__days": 10})
    assert s2.run.days == 10 and base.run.days == 365  # the original is not changed
    assert "origin-x" in error_of(validate, {"run": {"days": 0}}, "origin-x")


def test_config_hash_follows_content():
    a = scenario_from_kwargs(None, {})
    b = scenario_from_kwargs(None, {"committee.plaques": 27})
    assert config_hash(a) == config_hash(Scenario())
    assert config_hash(a) != config_hash(b)


# ------------------------------------------------- cross-field rules, dicts, suggestions
def test_cross_field_errors_name_the_field_not_the_whole_section(tmp_path):
    cases = {
        "grants:\n  amount_min_yuan: 5000\n  amount_max_yuan: 1000\n":
            ("grants.amount_min_yuan", "{'amount_min_yuan'", "type Grants"),
        "population:\n  age_shares: [0.5, 0.5, 0.5, 0.5]\n":
            ("population.age_shares", "{'age_shares'", "type Population"),
        "needs:\n  type_shares: [1, 0, 0]\n": ("needs.type_shares", "{'type_shares'", "type Needs"),
        "disputes:\n  channel_skill: {volunteer: 1.5}\n":
            ("disputes.channel_skill", "{'channel_skill'", "type Disputes"),
        "disputes:\n  channel_delay_days: {street: -1}\n":
            ("disputes.channel_delay_days", "{'channel_delay_days'", "type Disputes"),
    }
    for text, (key, section_dump, section_type) in cases.items():
        msg = error_of(load_scenario, write(tmp_path / "s.yaml", text))
        assert f"  {key}" in msg, (text, msg)
        assert section_dump not in msg and section_type not in msg, (text, msg)
    # both sides of a comparison are shown, the one left at its default marked as such
    msg = error_of(load_scenario, write(tmp_path / "g.yaml", "grants:\n  amount_min_yuan: 50000\n"))
    assert "grants.amount_min_yuan" in msg and "amount_max_yuan=" in msg and "(default)" in msg


def test_dict_parameters_merge_over_their_defaults(tmp_path):
    default = Scenario().disputes
    f = write(tmp_path / "s.yaml", "disputes:\n  channel_skill: {volunteer: 0.5}\n"
              "  per_1000_year: {parking: 0}\n")
    s = load_scenario(f)
    assert s.disputes.channel_skill == {**default.channel_skill, "volunteer": 0.5}
    assert s.disputes.per_1000_year == {**default.per_1000_year, "parking": 0}  # "drop" = set 0
    s = load_scenario(write(tmp_path / "e.yaml", MINIMAL),
                      ["disputes.channel_skill.volunteer=0.5", "disputes.type_success_factor.family=0.6"])
    assert s.disputes.channel_skill == {**default.channel_skill, "volunteer": 0.5}
    assert s.disputes.type_success_factor == {**default.type_success_factor, "family": 0.6}
    # a child merges over its parent's dict; a --set mapping merges over the file's
    write(tmp_path / "base.yaml", "disputes:\n  channel_delay_days: {street: 30, police: 2}\n")
    child = write(tmp_path / "child.yaml", "extends: base.yaml\n"
                  "disputes:\n  channel_delay_days: {street: 20}\n")
    s = load_scenario(child, ["disputes.channel_delay_days={online: 4}"])
    assert s.disputes.channel_delay_days == {**default.channel_delay_days, "street": 20,
                                              "police": 2, "online": 4}
    assert scenario_from_kwargs(None, {"disputes.channel_skill": {"street": 0.1}}) \
        .disputes.channel_skill["street"] == 0.1


def test_unknown_key_in_a_dict_parameter_lists_the_valid_ones(tmp_path):
    f = write(tmp_path / "s.yaml", MINIMAL)
    msg = error_of(load_scenario, f, ["disputes.channel_skill.volunteeer=0.5"])
    assert "disputes.channel_skill.volunteeer (from --set): unknown key" in msg
    assert "did you mean 'volunteer'" in msg
    for channel in ("committee", "professional", "police", "online", "street"):
        assert channel in msg
    msg = error_of(load_scenario, write(tmp_path / "c.yaml", "disputes:\n  per_1000_year: {collective: 1}\n"))
    assert "disputes.per_1000_year.collective: unknown key" in msg
    assert "noise_leak" in msg and "renovation_property" in msg
    msg = error_of(load_scenario, f, ["disputes.channel_skill.volunteer=lots"])
    assert "disputes.channel_skill.volunteer" in msg and "'lots'" in msg and "probability" in msg


def test_unknown_keys_suggest_the_closest(tmp_path):
    msg = error_of(load_scenario, write(tmp_path / "s.yaml", "comittee:\n  plaques: 27\n"))
    assert "comittee: unknown key" in msg and "did you mean 'committee'" in msg
    assert "Valid keys here:" in msg and "population" in msg
    empty = write(tmp_path / "e.yaml", MINIMAL)
    msg = error_of(load_scenario, empty, ["comittee.staff_per_10k=3"])
    assert "did you mean 'committee'" in msg and "--set" in msg
    msg = error_of(load_scenario, empty, ["committee.staf_per_10k=3"])
    assert "committee.staf_per_10k (from --set): unknown key" in msg and "did you mean 'staff_per_10k'" in msg
    # a key given in the wrong section says where it belongs
    msg = error_of(load_scenario, empty, ["committee.lawyer_hours_per_week=3"])
    assert "section legal" in msg


def test_errors_through_extends_name_the_parent_and_the_chain(tmp_path):
    write(tmp_path / "badbase.yaml", "committee:\n  plaques: [1\n")
    msg = error_of(load_scenario, write(tmp_path / "child.yaml", "extends: badbase.yaml\n"))
    assert "badbase.yaml: not valid YAML" in msg and "line 2" in msg
    assert "'extends: badbase.yaml' in" in msg and "child.yaml" in msg
    assert "<unicode string>" not in msg
    msg = error_of(load_scenario, write(tmp_path / "c2.yaml", "extends: nowhere.yaml\n"))
    assert "nowhere.yaml: no such file" in msg and "c2.yaml" in msg
    # three files deep: the whole chain
    write(tmp_path / "mid.yaml", "extends: nowhere.yaml\n")
    msg = error_of(load_scenario, write(tmp_path / "top.yaml", "extends: mid.yaml\n"))
    assert "mid.yaml" in msg and "top.yaml" in msg
    # a validation error of the merged scenario names the chain and the file that set the key
    write(tmp_path / "base.yaml", "committee:\n  plaques: lots\n")
    child = write(tmp_path / "c3.yaml", "extends: base.yaml\nrun:\n  days: 0\n")
    msg = error_of(load_scenario, child, ["grants.amount_min_yuan=1e9"])
    assert f"{child} (extends {tmp_path / 'base.yaml'})" in msg
    assert f"committee.plaques (from {tmp_path / 'base.yaml'})" in msg
    assert f"run.days (from {child.resolve()})" in msg
    assert "grants.amount_min_yuan (from --set)" in msg


def test_unreadable_files_are_clear(tmp_path):
    f = tmp_path / "latin1.yaml"
    f.write_bytes("meta:\n  name: caf\xe9\n".encode("latin-1"))
    msg = error_of(load_scenario, f)
    assert str(f) in msg and "UTF-8" in msg
    msg = error_of(load_scenario, tmp_path)
    assert str(tmp_path) in msg and "folder" in msg


# ------------------------------------------------------------ plausible ranges and links
def test_every_lever_and_uncertainty_declares_its_range_and_source():
    """No numeric lever or uncertainty falls back silently on its bounds: each declares a
    plausible range inside its bounds, holding its default, with where the range comes from,
    or declares that it has none (and says why)."""
    from sim.params import field_bounds, plausible_range, range_status
    from sim.study.paramlist import parameter_rows
    checked = 0
    for path, field, _ in iter_parameters():
        extra = field.json_schema_extra or {}
        if extra.get("role") not in ("lever", "uncertainty") or field.annotation not in (int, float):
            continue
        checked += 1
        assert extra.get("range_source"), path
        if range_status(path) == "none":
            assert plausible_range(path) is None, path
            continue
        assert range_status(path) == "declared", path
        lo, hi = plausible_range(path)
        b = field_bounds(field)
        assert lo < hi, path
        assert lo >= b.get("ge", b.get("gt", lo)) and hi <= b.get("le", hi), path
        assert (lo, hi) != (b.get("ge", b.get("gt")), b.get("le")), f"{path}: range = bounds"
        assert lo <= field.default <= hi, f"{path}: default {field.default} outside [{lo}, {hi}]"
    assert checked > 200
    rows = {r["key"]: r for r in parameter_rows()}
    assert rows["party.evaluation_day_of_year"]["range"] == "none"
    assert rows["grid.households_per_grid"]["plausible_high"] <= 1000
    assert rows["committee.office_budget_yuan"]["plausible_high"] <= 1e6
    assert "amount_max_yuan" in rows["grants.amount_min_yuan"]["link"]


def test_links_name_real_parameters_whose_ranges_can_hold():
    from sim.params import LINKS, Ordered, link_violation, plausible_range
    fields = {p: f for p, f, _ in iter_parameters()}
    for link in LINKS:
        assert all(k in fields for k in link.keys), link
        if isinstance(link, Ordered):
            assert plausible_range(link.low)[1] <= plausible_range(link.high)[1], link
    assert link_violation({p: f.default for p, f in fields.items()}) is None  # the defaults hold
    assert "summing to 1" in link_violation({"needs.type_shares": [0.5, 0.6, 0, 0, 0, 0]})
    assert "exceeds" in link_violation({"deliberation.support_min": 0.5},
                                       {"deliberation.support_max": 0.4})


def test_respect_links_maps_a_sampled_pair_and_renormalizes_shares():
    from sim.study.paramlist import respect_links
    r = {"grants.amount_max_yuan": (2000.0, 10000.0)}
    # max at the bottom of its range, min above it: max moves to min (position 0 above min)
    p = respect_links({"grants.amount_min_yuan": 5000.0, "grants.amount_max_yuan": 2000.0}, r)
    assert p["grants.amount_max_yuan"] == 5000.0
    # at the top it stays at the top; halfway it goes halfway through what is left
    p = respect_links({"grants.amount_min_yuan": 5000.0, "grants.amount_max_yuan": 10000.0}, r)
    assert p["grants.amount_max_yuan"] == 10000.0
    p = respect_links({"grants.amount_min_yuan": 6000.0, "grants.amount_max_yuan": 6000.0}, r)
    assert p["grants.amount_max_yuan"] == pytest.approx(8000.0)
    p = respect_links({"population.age_shares": [1, 1, 1, 1]})
    assert p["population.age_shares"] == [0.25] * 4
    with pytest.raises(ScenarioError, match="age_shares"):
        respect_links({"population.age_shares": [-1, 1, 1, 1]})


def test_the_shipped_files_lie_inside_the_declared_ranges():
    """The scenario files' and experiments' values are the documents' figures: a declared
    range that left one out would be narrower than the evidence."""
    import yaml

    from sim.params import plausible_range, range_status
    fields = {p: f for p, f, _ in iter_parameters()}
    studied = [p for p, f in fields.items() if range_status(p) == "declared"
               and (f.json_schema_extra or {}).get("role") in ("lever", "uncertainty")]
    outside = []
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        data = load_scenario(path).model_dump()
        for p in studied:
            section, key = p.split(".")
            lo, hi = plausible_range(p)
            if not lo <= data[section][key] <= hi:
                outside.append(f"{path.name}: {p} = {data[section][key]} not in [{lo}, {hi}]")
    for path in sorted((ROOT / "experiments").glob("*.yaml")):
        exp = yaml.safe_load(path.read_text(encoding="utf-8"))
        for section in ("levers", "uncertainties"):
            for p, f in (exp.get(section) or {}).items():
                if p not in studied:
                    continue
                lo, hi = plausible_range(p)
                values = f.get("values") or [f.get("low"), f.get("high")]
                outside += [f"{path.name}: {p} = {v} not in [{lo}, {hi}]" for v in values
                            if isinstance(v, (int, float)) and not lo <= v <= hi]
    assert not outside, "\n".join(outside)
