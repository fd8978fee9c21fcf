"""Experiment files: what a sweep varies, how, and what it keeps.

An experiment file (``experiments/*.yaml``) is checked against :class:`Experiment`; a wrong
key or value gets one message naming the file, the key path and what is allowed, like a
scenario file. Every varied key path must exist in the scenario schema (``sim/params.py``)
and every value must fit that parameter's bounds (checked by validating each design point
as a scenario, with :func:`sim.config.validate`). The section a key is varied under must
match its role in the schema (``json_schema_extra["role"]``): ``levers`` hold role "lever",
``uncertainties`` role "uncertainty", ``constants`` role "constant" (EMA-workbench
discipline: what a policy maker sets is never confused with what nobody controls).

The design is expanded into a *run table* before anything runs: one row per run with
``run_id``, ``point_id``, ``rep``, ``scenario`` (the base scenario's name), one column per
varied parameter and the run's ``seed``. Seeds derive from the root seed and the run id
(or, with ``common_random_numbers``, from the root seed and the replication, so that every
design point sees the same random streams), never from the order in which runs execute.

Linked parameters (``LINKS`` in sim/params.py: min/max pairs, shares summing to one) hold at
every point: a sampled design (lhs, sobol, morris) reads the high key of a pair as its
position in what is left of its range above the low key (:func:`sim.params.respect_links`;
a Sobol or Morris index of the high key is then that position's); a factorial design leaves
out the combinations that break a link and says how many; an explicit point (oat, points)
that breaks one is refused with the link named.

Why one long module: the experiment-file schema and the expansion of each design type, with their error messages.
"""

from __future__ import annotations

import copy
import csv
import difflib
import sys
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..config import ScenarioError, apply_overrides, read_yaml, resolve_extends, validate
from ..params import LINKS, Scenario, check_link_ranges, iter_parameters, link_violation, respect_links

# experiment-file section -> the schema role (``json_schema_extra["role"]``) its keys must have
SECTIONS = {"uncertainties": "uncertainty", "levers": "lever", "constants": "constant"}
SECTION_OF = {role: section for section, role in SECTIONS.items()}
ROLE_MEANING = {"uncertainty": "a behavioural parameter nobody controls",
                "lever": "a policy parameter a policy maker sets",
                "constant": "a structural constant of the setting"}


class _Strict(BaseModel):
    # no text or true/false where a number is declared, no NaN or infinity
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class Factor(_Strict):
    """One varied parameter: a list of ``values``, a range ``low``..``high``, or nothing
    (``{}``): the parameter's declared plausible range (``cogov params``)."""
    model_config = ConfigDict(extra="forbid", populate_by_name=True, strict=True,
                              allow_inf_nan=False)
    values: list[Any] | None = Field(None, description="explicit values (any type the key takes)")
    low: float | None = Field(None, description="lower end of a numeric range")
    high: float | None = Field(None, description="upper end of a numeric range")
    levels: int | None = Field(None, ge=2, le=1000,
                               description="factorial/oat: evenly spaced values across the range")
    with_: dict[str, Any] = Field(default_factory=dict, alias="with",
                                  description="oat only: other keys set together with this "
                                              "factor's values, {key.path: value} (a lever that "
                                              "acts only when another is on)")

    @model_validator(mode="after")
    def _one_form(self) -> Factor:
        has_range = self.low is not None or self.high is not None
        if self.values is not None and has_range:
            raise ValueError("give either 'values' or 'low' and 'high', not both")
        if self.values is None and not has_range:
            if self.levels is None and not self.with_:
                return self  # {}: the declared plausible range, filled in by load_experiment
            raise ValueError("give 'values: [...]' or a range 'low: ..., high: ...' (or {} for "
                             "the parameter's declared plausible range)")
        if has_range:
            if self.low is None or self.high is None:
                raise ValueError("a range needs both 'low' and 'high'")
            if not self.low < self.high:
                raise ValueError(f"'low' ({self.low}) must be below 'high' ({self.high})")
        if self.values is not None and len(self.values) == 0:
            raise ValueError("'values' is empty")
        return self

    @property
    def is_range(self) -> bool:
        return self.values is None


class Design(_Strict):
    type: Literal["factorial", "oat", "points", "lhs", "sobol", "morris"] = Field(
        "factorial", description="how design points are chosen")
    samples: int | None = Field(None, ge=1, le=1_000_000,
                                description="lhs: points; sobol: base samples N (a power of 2); "
                                            "morris: trajectories")
    points: list[dict[str, Any]] | None = Field(None, description="points: explicit list of {key: value}")
    csv: str | None = Field(None, description="points: CSV file (relative to the experiment file), "
                                              "one column per key path")
    calc_second_order: bool = Field(False, description="sobol: also second-order indices")
    num_levels: int = Field(4, ge=2, le=100, description="morris: grid levels")
    include_base: bool = Field(True, description="oat: include the base point (every factor at "
                                                 "its base-scenario value)")

    @model_validator(mode="after")
    def _needs(self) -> Design:
        if self.points is not None and not self.points:
            raise ValueError("'points' is empty: list at least one {key: value} point")
        if self.type == "points":
            if (self.points is None) == (self.csv is None):
                raise ValueError("a 'points' design needs exactly one of 'points: [...]' or 'csv: file'")
        elif self.points is not None or self.csv is not None:
            raise ValueError(f"'points' and 'csv' belong to a 'points' design, not {self.type!r}")
        if self.type in ("lhs", "sobol", "morris") and self.samples is None:
            raise ValueError(f"a {self.type!r} design needs 'samples'")
        return self


class Experiment(_Strict):
    """A whole experiment file."""
    name: str = Field(..., description="experiment name (names the results directory)")
    description: str = Field("", description="what the experiment asks")
    scenario: str | list[str] = Field(..., description="base scenario file(s), relative to the "
                                                        "experiment file; several are crossed with the design")
    set: dict[str, Any] = Field(default_factory=dict,
                                description="fixed overrides applied to every run, {key.path: value}")
    uncertainties: dict[str, Factor] = Field(default_factory=dict,
                                             description="behavioural parameters nobody controls "
                                                         "(schema role 'uncertainty')")
    levers: dict[str, Factor] = Field(default_factory=dict, description="policy parameters a "
                                      "policy maker sets (schema role 'lever')")
    constants: dict[str, Factor] = Field(default_factory=dict,
                                         description="structural constants varied on purpose, "
                                                     "e.g. population size (schema role 'constant')")
    design: Design = Field(default_factory=Design)
    replications: int = Field(1, ge=1, le=10000, description="runs per design point")
    seed: int = Field(1, ge=0, description="root seed: every run's seed derives from it")
    common_random_numbers: bool = Field(False, description="seed by replication only, so all design "
                                                           "points share random streams")
    outcomes: list[str] | None = Field(None, description="summary keys to keep (default: all)")
    record_every: int | None = Field(None, ge=1, le=3650, description="days between time-series "
                                                                       "rows kept; null: only the summary")
    days: int | None = Field(None, ge=1, le=36500, description="horizon (default: the scenario's run.days)")

    @model_validator(mode="after")
    def _some_factor(self) -> Experiment:
        if isinstance(self.scenario, list) and not self.scenario:
            raise ValueError("'scenario' is an empty list: name at least one scenario file")
        seen: dict[str, str] = {}
        for section in SECTIONS:
            for key in getattr(self, section):
                if key in seen:
                    raise ValueError(f"'{key}' is listed under both '{seen[key]}' and '{section}'")
                seen[key] = section
        if self.design.type != "points" and not seen:
            raise ValueError("nothing to vary: list parameters under 'uncertainties', 'levers' "
                             "or 'constants'")
        if self.design.type != "oat":
            withs = [k for k, f in self.factors.items() if f.with_]
            if withs:
                raise ValueError(f"'with' belongs to 'oat' designs, not {self.design.type!r} "
                                 f"(used by {', '.join(withs)})")
        return self

    @property
    def factors(self) -> dict[str, Factor]:
        return {**self.uncertainties, **self.levers, **self.constants}

    @property
    def scenarios(self) -> list[str]:
        return [self.scenario] if isinstance(self.scenario, str) else list(self.scenario)


# ----------------------------------------------------------------------------- loading
def _format_errors(exc: ValidationError, origin: str) -> str:
    lines = [f"{origin}: invalid experiment"]
    for err in exc.errors():
        loc = tuple(str(p) for p in err["loc"])
        key = ".".join(loc) or "(top level)"
        if err["type"] == "extra_forbidden":
            model = _model_for(loc[:-1])
            valid = ", ".join(f.alias or n for n, f in model.model_fields.items()) if model else ""
            lines.append(f"  {key}: unknown key. Valid keys here: {valid}")
        elif err["type"] == "missing":
            lines.append(f"  {key}: required key is missing")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            field = _field_for(loc)
            allowed = f". Allowed: {field.description}" if field is not None and field.description else ""
            lines.append(f"  {key}: {msg}; got {err.get('input')!r}{allowed}")
    return "\n".join(lines)


def _model_for(loc: tuple) -> type[BaseModel] | None:
    model: type[BaseModel] = Experiment
    for part in loc:
        if model is Experiment and part in SECTIONS:
            model = None  # dict of factors: next part is a key path
            continue
        if model is None:
            model = Factor
            continue
        field = _get_field(model, part)
        if field is None:
            return None
        ann = field.annotation
        if not (isinstance(ann, type) and issubclass(ann, BaseModel)):
            return None
        model = ann
    return model


def _field_for(loc: tuple):
    if not loc:
        return None
    parent = _model_for(loc[:-1])
    return _get_field(parent, loc[-1]) if parent is not None else None


def _get_field(model: type[BaseModel], name: str):
    """A model's field by name or alias (``with`` is the alias of ``Factor.with_``)."""
    for n, f in model.model_fields.items():
        if name in (n, f.alias):
            return f
    return None


PARAMS = {path: field for path, field, _ in iter_parameters()}


def _bounds(field) -> dict[str, float]:
    out = {}
    for m in field.metadata:
        for k in ("ge", "le", "gt", "lt"):
            if getattr(m, k, None) is not None:
                out[k] = getattr(m, k)
    return out


def _check_key(key: str, where: str, origin: str) -> None:
    if key not in PARAMS:
        close = difflib.get_close_matches(key, list(PARAMS), n=3)
        hint = f" Did you mean: {', '.join(close)}?" if close else \
            " Valid keys are the scenario's section.parameter paths (see docs/ODD.md)."
        raise ScenarioError(f"{origin}: {where}: '{key}' is not a scenario parameter.{hint}")


def _param_kind(key: str) -> str:
    ann = PARAMS[key].annotation
    if ann is bool:
        return "bool"
    if ann is int:
        return "int"
    if ann is float:
        return "float"
    return "other"


def schema_role(key: str) -> str | None:
    """A parameter's role in the schema: 'lever', 'uncertainty' or 'constant'."""
    return (PARAMS[key].json_schema_extra or {}).get("role")


def _check_role(key: str, section: str, origin: str) -> None:
    """EMA-workbench discipline: levers are what a policy maker sets, uncertainties what
    nobody controls; a structural constant is varied only on purpose, under 'constants:'."""
    role = schema_role(key)
    if role is None or SECTIONS[section] == role:
        return
    home = SECTION_OF.get(role)
    where = f"under '{home}:'" if home else "under 'set:'"
    extra = " (or fix it for every run with 'set:')" if role == "constant" else ""
    raise ScenarioError(
        f"{origin}: {section}.{key}: '{key}' has role '{role}' in the scenario schema "
        f"(sim/params.py: {ROLE_MEANING.get(role, role)}), so it cannot be listed under "
        f"'{section}:', which holds {SECTIONS[section]}s only. Move it {where}{extra}")


def _check_factor(key: str, f: Factor, section: str, origin: str) -> None:
    where = f"{section}.{key}"
    _check_key(key, section, origin)
    _check_role(key, section, origin)
    for k in f.with_:
        _check_key(k, f"{where}.with", origin)
        if k == key:
            raise ScenarioError(f"{origin}: {where}.with: a factor cannot be set 'with' itself")
    if f.is_range:
        kind = _param_kind(key)
        if kind not in ("int", "float"):
            raise ScenarioError(f"{origin}: {where}: a range (low/high) needs a numeric parameter; "
                                f"'{key}' is {PARAMS[key].annotation}. Give 'values: [...]' instead")
        b = _bounds(PARAMS[key])
        bad = []
        for name, v in (("low", f.low), ("high", f.high)):
            if ("ge" in b and v < b["ge"]) or ("gt" in b and v <= b["gt"]) \
                    or ("le" in b and v > b["le"]) or ("lt" in b and v >= b["lt"]):
                bad.append(f"{name} {v}")
        if bad:
            sym = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}
            allowed = ", ".join(f"{sym[k]} {v}" for k, v in b.items())
            raise ScenarioError(f"{origin}: {where}: {', '.join(bad)} outside the parameter's "
                                f"bounds. Allowed: {allowed} (unit: "
                                f"{(PARAMS[key].json_schema_extra or {}).get('unit', '')})")


def _fill_plausible(key: str, f: Factor, section: str, origin: str) -> None:
    """A factor given as ``{}`` takes the parameter's declared plausible range."""
    from ..params import plausible_range, range_status
    _check_key(key, section, origin)
    if _param_kind(key) not in ("int", "float"):
        raise ScenarioError(f"{origin}: {section}.{key}: {{}} means the declared plausible range, "
                            f"which only numeric parameters have; give 'values: [...]'")
    status = range_status(key)
    if status != "declared":
        why = (PARAMS[key].json_schema_extra or {}).get("range_source", "")
        raise ScenarioError(f"{origin}: {section}.{key}: the parameter declares no plausible range "
                            f"({why or 'a constant: its bounds are not a range to explore'}); "
                            "give 'low' and 'high' or 'values'")
    f.low, f.high = plausible_range(key)


MAX_RUNS = 1_000_000  # a design larger than this is refused before it is expanded


def apply_cli(data: dict, overrides: dict | None) -> dict:
    """An experiment file's data with the command line's sizing applied: ``set`` (merged over
    the file's ``set:``), ``days``, ``replications``."""
    if not overrides:
        return data
    data = dict(data)
    if overrides.get("set"):
        data["set"] = {**(data.get("set") or {}), **overrides["set"]} \
            if isinstance(data.get("set") or {}, dict) else data.get("set")
    for key in ("days", "replications"):
        if overrides.get(key) is not None:
            data[key] = overrides[key]
    return data


def load_experiment(path: str | Path, overrides: dict | None = None) -> Experiment:
    """Read and check an experiment file; every problem is a ScenarioError naming the file.
    ``overrides`` ({"set": {...}, "days": N, "replications": R}) come from the command line."""
    path = Path(path)
    data = apply_cli(read_yaml(path, "experiment"), overrides)
    try:
        exp = Experiment.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_format_errors(exc, str(path))) from None
    for section in SECTIONS:
        for key, f in getattr(exp, section).items():
            if f.values is None and f.low is None:
                _fill_plausible(key, f, section, str(path))
            _check_factor(key, f, section, str(path))
    for key in exp.set:
        _check_key(key, "set", str(path))
    if exp.outcomes is not None:
        _check_outcomes(exp.outcomes, str(path))
    return exp


_SUMMARY_KEYS: set[str] | None = None


def summary_keys() -> set[str]:
    """The summary keys a run reports (from a tiny run: 50 residents, 1 day)."""
    global _SUMMARY_KEYS
    if _SUMMARY_KEYS is None:
        from .runner import run_one
        sc = Scenario.model_validate({"population": {"residents_per_community": 50},
                                      "run": {"days": 1}})
        _SUMMARY_KEYS = set(run_one(sc, 0, record=False).summary)
    return _SUMMARY_KEYS


def _check_outcomes(outcomes: list[str], origin: str) -> None:
    known = summary_keys()
    unknown = [k for k in outcomes if k not in known]
    if unknown:
        hints = []
        for k in unknown:
            close = difflib.get_close_matches(k, sorted(known), n=2)
            hints.append(f"'{k}'" + (f" (did you mean {' or '.join(close)}?)" if close else ""))
        raise ScenarioError(f"{origin}: outcomes: unknown summary key(s) {', '.join(hints)}. "
                            "Summary keys are those in summary.json of `cogov run`")


# ------------------------------------------------------------------------------ design
def _bit_reverse_order(n: int) -> list[int]:
    """0..n-1 in bit-reversed order (van der Corput): any prefix spreads over the range."""
    if n <= 1:
        return list(range(n))
    bits = (n - 1).bit_length()
    order = []
    for i in range(1 << bits):
        r = int(f"{i:0{bits}b}"[::-1], 2)
        if r < n:
            order.append(r)
    return order


def _cast(key: str, value):
    """Numbers to the parameter's type (range levels and samplers give floats); anything else
    is left for the schema to accept or refuse with a message."""
    kind = _param_kind(key)
    if isinstance(value, np.generic):
        value = value.item()
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not np.isfinite(value):
        return value
    if kind == "int":
        return int(round(value))
    if kind == "float":
        return float(value)
    return value


def _factor_values(key: str, f: Factor) -> list:
    if not f.is_range:
        return [_cast(key, v) for v in f.values]
    n = f.levels or 3
    vals = [_cast(key, v) for v in np.linspace(f.low, f.high, n)]
    return list(dict.fromkeys(vals))  # int rounding may repeat


def _problem(factors: dict[str, Factor], design: str, origin: str) -> dict:
    names, bounds = [], []
    for key, f in factors.items():
        if not f.is_range:
            raise ScenarioError(f"{origin}: '{key}': a {design} design samples ranges; "
                                "give 'low' and 'high' instead of 'values'")
        names.append(key)
        bounds.append([f.low, f.high])
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def design_points(exp: Experiment, base_dir: Path, origin: str,
                  base_values: dict[str, Any] | None = None) -> tuple[list[dict], list[str]]:
    """The design's points as {key: value} dicts (in design order) and a label per point."""
    factors = exp.factors
    d = exp.design
    keys = list(factors)
    if d.type == "factorial":
        grids = [_factor_values(k, factors[k]) for k in keys]
        import itertools
        pts = [dict(zip(keys, combo)) for combo in itertools.product(*grids)]
        kept = [p for p in pts if link_violation(p) is None]
        if len(kept) < len(pts):
            links = sorted({link.describe() for link in LINKS
                            if all(k in keys for k in link.keys)})
            print(f"{origin}: the factorial design leaves out {len(pts) - len(kept)} of its "
                  f"{len(pts)} combinations, which break {'; '.join(links)}", file=sys.stderr)
        if not kept:
            raise ScenarioError(f"{origin}: every combination of the factorial design breaks a "
                                f"link of the schema: {link_violation(pts[0])}")
        return kept, ["" for _ in kept]
    if d.type == "oat":
        base_values = base_values or {}
        cols = oat_columns(exp)
        pts, labels = [], []
        if d.include_base:
            pts.append({k: base_values.get(k) for k in cols})
            labels.append("base")
        for k in keys:
            for v in _factor_values(k, factors[k]):
                p = {kk: base_values.get(kk) for kk in cols}
                p.update({kk: _cast(kk, vv) for kk, vv in factors[k].with_.items()})
                p[k] = v
                pts.append(p)
                labels.append(k)
        # a factor set 'with' other keys is compared with the base plus those keys (its
        # proper reference): add that point unless the design already has it
        for k in keys:
            if factors[k].with_:
                ref = {kk: base_values.get(kk) for kk in cols}
                ref.update({kk: _cast(kk, vv) for kk, vv in factors[k].with_.items()})
                if ref not in pts:
                    pts.append(ref)
                    labels.append("reference")
        return pts, labels
    if d.type == "points":
        if d.points is not None:
            raw = d.points
            src = "design.points"
        else:
            csv_path = (base_dir / d.csv)
            if not csv_path.is_file():
                raise ScenarioError(f"{origin}: design.csv: no such file {str(csv_path)!r}")
            with open(csv_path, newline="", encoding="utf-8") as fh:
                raw = [{str(k).strip(): _csv_value(v, csv_path, i + 2) for k, v in row.items()}
                       for i, row in enumerate(csv.DictReader(fh))]
            src = f"design.csv ({csv_path.name})"
            if not raw:
                raise ScenarioError(f"{origin}: {src}: no rows")
        cols = list(dict.fromkeys(k for p in raw for k in p))
        for k in cols:
            _check_key(k, src, origin)
        pts = [{k: _cast(k, p.get(k)) for k in cols} for p in raw]
        return pts, ["" for _ in pts]
    problem = _problem(factors, d.type, origin)
    if d.type == "lhs":
        from SALib.sample import latin
        X = latin.sample(problem, d.samples, seed=exp.seed)
    elif d.type == "sobol":
        from SALib.sample import sobol
        if d.samples & (d.samples - 1):
            raise ScenarioError(f"{origin}: design.samples: a sobol design needs a power of 2, "
                                f"got {d.samples}")
        X = sobol.sample(problem, d.samples, calc_second_order=d.calc_second_order,
                         seed=exp.seed)
    else:  # morris
        from SALib.sample import morris
        X = morris.sample(problem, d.samples, num_levels=d.num_levels, seed=exp.seed)
    ranges = {k: (float(lo), float(hi)) for k, (lo, hi) in zip(problem["names"], problem["bounds"])}
    try:
        check_link_ranges(ranges, base_values or {}, origin)
    except ValueError as exc:
        raise ScenarioError(str(exc)) from None
    pts = [{k: _cast(k, x) for k, x in respect_links(dict(zip(problem["names"], row)),
                                                     ranges).items()} for row in X]
    return pts, ["" for _ in pts]


def _csv_value(text, path: Path, line: int):
    """One CSV cell read as a YAML scalar (a number, true/false, text)."""
    import yaml

    from ..config import load_yaml_text
    if text is None or str(text).strip() == "":
        return None
    try:
        return load_yaml_text(str(text))
    except (yaml.YAMLError, RecursionError):
        raise ScenarioError(f"{path}: line {line}: cannot read the value {text!r}") from None


def oat_columns(exp: Experiment) -> list[str]:
    """The factors, then the keys their 'with' sets (an oat design's run-table columns)."""
    cols = list(exp.factors)
    for f in exp.factors.values():
        cols += [k for k in f.with_ if k not in cols]
    return cols


def derive_seed(root: int, key: int) -> int:
    """A 31-bit seed for stream ``key`` from the root seed (independent of execution order)."""
    return int(np.random.SeedSequence([int(root), int(key)]).generate_state(1)[0] & 0x7FFFFFFF)


def _get(data: dict, key: str):
    node = data
    for p in key.split("."):
        if not isinstance(node, dict) or p not in node:
            return None
        node = node[p]
    return node


def count_points(exp: Experiment, base_dir: Path) -> int:
    """Design points, counted without expanding the design."""
    d, factors = exp.design, exp.factors
    n_factors = len(factors)
    if d.type == "factorial":
        n = 1
        for f in factors.values():
            n *= len(f.values) if not f.is_range else (f.levels or 3)
        return n
    if d.type == "oat":
        return int(d.include_base) + sum(len(f.values) if not f.is_range else (f.levels or 3)
                                         for f in factors.values())
    if d.type == "points":
        if d.points is not None:
            return len(d.points)
        try:
            with open(base_dir / d.csv, encoding="utf-8") as fh:
                return max(0, sum(1 for line in fh if line.strip()) - 1)
        except (OSError, UnicodeDecodeError):
            return 0  # design_points reports the file
    if d.type == "lhs":
        return d.samples
    if d.type == "sobol":
        return d.samples * (2 * n_factors + 2 if d.calc_second_order else n_factors + 2)
    return d.samples * (n_factors + 1)  # morris


def count_runs(exp: Experiment, base_dir: Path) -> int:
    return count_points(exp, base_dir) * len(exp.scenarios) * exp.replications


def expand(exp: Experiment, path: str | Path) -> tuple[pd.DataFrame, dict[str, dict], dict[int, dict]]:
    """Expand an experiment into (run table, {scenario name: resolved base dict},
    {point_id: overrides}). Every design point is validated against the scenario schema.
    A design of more than MAX_RUNS runs is refused first, with its count."""
    path = Path(path)
    origin = str(path)
    base_dir = path.parent
    n_runs = count_runs(exp, base_dir)
    if n_runs > MAX_RUNS:
        raise ScenarioError(
            f"{origin}: the design has {n_runs:,} runs ({count_points(exp, base_dir):,} points x "
            f"{len(exp.scenarios)} scenario(s) x {exp.replications} replications); at most "
            f"{MAX_RUNS:,} are allowed. Use fewer values, samples or replications (--reps)")
    if exp.design.type == "points" and count_points(exp, base_dir) == 0 and exp.design.points is not None:
        raise ScenarioError(f"{origin}: design.points: the list is empty")
    bases: dict[str, dict] = {}
    for sc in exp.scenarios:
        sc_path = base_dir / sc
        data = resolve_extends(sc_path)
        if exp.set:
            data = apply_overrides(data, exp.set, origin=f"{origin}: set")
        if exp.days is not None:
            data = apply_overrides(data, {"run.days": exp.days})
        if exp.record_every is not None:
            data = apply_overrides(data, {"run.record_every": exp.record_every})
        resolved = validate(data, f"{sc_path} (base of {origin})").model_dump(mode="json")
        name = Path(sc).stem
        if name in bases:
            name = sc
        bases[name] = resolved
    first = next(iter(bases.values()))
    linked = [k for link in LINKS for k in link.keys]
    base_values = {k: _get(first, k) for k in [*oat_columns(exp), *linked]}
    pts, labels = design_points(exp, base_dir, origin, base_values)
    # validate every (scenario, point): key paths exist and values fit the schema's bounds
    cache: set = set()
    for name, base in bases.items():
        for i, p in enumerate(pts):
            sig = (name, repr(sorted(p.items(), key=lambda kv: kv[0])))
            if sig in cache:
                continue
            cache.add(sig)
            over = {k: v for k, v in p.items() if not (labels[i] == "base" and v is None)}
            bad = link_violation(over, {k: _get(base, k) for k in linked})
            if bad:
                raise ScenarioError(
                    f"{origin}: design point {i} {over} (base {name}): {bad}. Give values that "
                    "keep the link at every point, or sample the pair in an lhs, sobol or "
                    "morris design, which keeps it")
            validate(apply_overrides(base, over, origin=origin),
                     f"{origin}: design point {i} {over}")
    rows = []
    run_id = 0
    point_id = 0
    overrides: dict[int, dict] = {}
    for name in bases:
        for i, p in enumerate(pts):
            overrides[point_id] = p
            for rep in range(exp.replications):
                seed = derive_seed(exp.seed, rep if exp.common_random_numbers else run_id)
                rows.append({"run_id": run_id, "point_id": point_id, "design_index": i,
                             "rep": rep, "scenario": name, "label": labels[i],
                             **{k: p.get(k) for k in pts[0]}, "seed": seed})
                run_id += 1
            point_id += 1
    table = pd.DataFrame(rows)
    return table, bases, overrides


def dispatch_order(table: pd.DataFrame) -> list[int]:
    """Run ids in the order to dispatch them: replication-major, and within a replication the
    design points in bit-reversed order, so any prefix of the sweep covers the whole design."""
    order = []
    points = sorted(table["point_id"].unique())
    perm = [points[i] for i in _bit_reverse_order(len(points))]
    by = {(int(r.point_id), int(r.rep)): int(r.run_id)
          for r in table[["point_id", "rep", "run_id"]].itertuples(index=False)}
    for rep in sorted(table["rep"].unique()):
        for p in perm:
            rid = by.get((int(p), int(rep)))
            if rid is not None:
                order.append(rid)
    return order


def scenario_for(bases: dict[str, dict], row: dict, keys: list[str]) -> dict:
    """The resolved scenario dict of one run-table row."""
    data = copy.deepcopy(bases[row["scenario"]])
    over = {}
    for k in keys:
        v = row.get(k)
        if row.get("label") == "base" and v is None:
            continue
        if isinstance(v, float) and np.isnan(v) and _param_kind(k) != "float":
            continue
        if isinstance(v, np.generic):
            v = v.item()
        over[k] = v
    return apply_overrides(data, over) if over else data
