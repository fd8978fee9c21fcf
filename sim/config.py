"""Loading scenario files: YAML, ``extends:``, ``--set`` overrides and clear errors."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .params import Scenario


class ScenarioError(Exception):
    """A user's mistake in a scenario or experiment file: printed without a traceback."""


def _deep_merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def read_yaml(path: str | Path) -> dict:
    """Read a YAML mapping, turning every problem into a ScenarioError naming the file."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(f"{path}: no such file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: not valid YAML: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: the top level must be a mapping of sections, "
                            f"got {type(data).__name__}")
    return data


def resolve_extends(path: str | Path, _seen: tuple = ()) -> dict:
    """Read a scenario file and merge it over the file it ``extends`` (recursively)."""
    path = Path(path).resolve()
    if path in _seen:
        raise ScenarioError(f"{path}: 'extends' forms a cycle: "
                            + " -> ".join(str(p) for p in (*_seen, path)))
    data = read_yaml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: key 'extends' must be a file name, got {parent!r}")
    base = resolve_extends(path.parent / parent, (*_seen, path))
    return _deep_merge(base, data)


def parse_set(items: list[str] | None) -> dict[str, Any]:
    """Parse ``key.path=value`` strings; values are read as YAML scalars/lists."""
    out: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise ScenarioError(f"--set {item!r}: expected key.path=value")
        key, raw = item.split("=", 1)
        try:
            out[key.strip()] = yaml.safe_load(raw)
        except yaml.YAMLError:
            out[key.strip()] = raw
    return out


def apply_overrides(data: dict, overrides: dict[str, Any], origin: str = "--set") -> dict:
    """Set dotted key paths (``committee.pushed_down_duty_items``) in a nested dict."""
    data = copy.deepcopy(data)
    for key, value in overrides.items():
        parts = key.replace("__", ".").split(".")
        node = data
        for p in parts[:-1]:
            nxt = node.setdefault(p, {})
            if not isinstance(nxt, dict):
                raise ScenarioError(f"{origin}: key '{key}': '{p}' is a value, not a section")
            node = nxt
        node[parts[-1]] = value
    return data


def _model_at(loc: tuple) -> type[BaseModel] | None:
    model: type[BaseModel] = Scenario
    for part in loc:
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            model = ann
        else:
            return None
    return model


def _allowed(loc: tuple) -> str:
    """Describe what a key allows: type, bounds, unit and meaning."""
    parent = _model_at(loc[:-1])
    if parent is None:
        return ""
    field = parent.model_fields.get(str(loc[-1]))
    if field is None:
        return ""
    bits = []
    ann = getattr(field.annotation, "__name__", None) or str(field.annotation)
    bits.append(f"type {ann}".replace("typing.", ""))
    for m in field.metadata:
        for k, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            if getattr(m, k, None) is not None:
                bits.append(f"{sym} {getattr(m, k)}")
    extra = field.json_schema_extra or {}
    if extra.get("unit"):
        bits.append(f"unit: {extra['unit']}")
    text = ", ".join(bits)
    if field.description:
        text += f" ({field.description})"
    return text


def format_validation_error(exc: ValidationError, origin: str) -> str:
    """One line per problem: file, key path, what is wrong, what is allowed."""
    lines = [f"{origin}: invalid scenario"]
    for err in exc.errors():
        loc = tuple(str(p) for p in err["loc"])
        key = ".".join(loc) or "(top level)"
        if err["type"] == "extra_forbidden":
            parent = _model_at(loc[:-1])
            valid = sorted(parent.model_fields) if parent else []
            lines.append(f"  {key}: unknown key. Valid keys here: {', '.join(valid)}")
        elif err["type"] == "model_type" or err["type"] == "dict_type":
            lines.append(f"  {key}: must be a mapping (a section), got {err.get('input')!r}")
        else:
            allowed = _allowed(loc)
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"  {key}: {msg}; got {err.get('input')!r}"
                         + (f". Allowed: {allowed}" if allowed else ""))
    return "\n".join(lines)


def validate(data: dict, origin: str) -> Scenario:
    """Validate a resolved dict into a Scenario, or raise a ScenarioError."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc, origin)) from None


def load_scenario(path: str | Path, overrides: dict[str, Any] | list[str] | None = None) -> Scenario:
    """Load a scenario file, resolve ``extends``, apply overrides and validate."""
    data = resolve_extends(path)
    if isinstance(overrides, list):
        overrides = parse_set(overrides)
    if overrides:
        data = apply_overrides(data, overrides)
    origin = str(path) + (" (with --set " + ", ".join(overrides) + ")" if overrides else "")
    return validate(data, origin)


def scenario_from_kwargs(scenario: Scenario | dict | str | None, overrides: dict[str, Any]) -> Scenario:
    """Build a Scenario from a Scenario/dict/path plus flat ``section.key`` keyword overrides."""
    if scenario is None:
        data: dict = {}
    elif isinstance(scenario, Scenario):
        data = scenario.model_dump()
    elif isinstance(scenario, (str, Path)):
        data = resolve_extends(scenario)
    else:
        data = copy.deepcopy(scenario)
    if overrides:
        data = apply_overrides(data, overrides, origin="model keyword")
    return validate(data, "model parameters")


def config_hash(scenario: Scenario) -> str:
    """Short hash of the fully resolved scenario (names results directories)."""
    blob = json.dumps(scenario.model_dump(mode="json"), sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:8]
