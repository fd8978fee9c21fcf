"""Loading scenario files: YAML, ``extends:``, ``--set`` overrides and clear errors.

Every mistake in user input becomes a :class:`ScenarioError` naming the file (and, through
``extends:``, the chain of files), the key path, what was given and what is allowed; the
command line prints it without a traceback.

Dict-valued parameters (``disputes.channel_skill``, ``disputes.channel_delay_days``,
``disputes.per_1000_year``, ``disputes.type_success_factor``) merge: a file or a ``--set``
that gives only some keys (``--set disputes.channel_skill.volunteer=0.5``) changes those and
keeps the rest from the parent file or, failing that, from the schema's default. So a key
cannot be removed: to drop, say, a dispute type from ``per_1000_year``, set its rate to 0.
A key the default lacks is reported with the default's keys as the valid ones.

Why one long module: most of its length is the messages (what was given, what is allowed,
which file in an ``extends:`` chain), which must all read alike.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import os
import re
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .communities import TYPES, fill_preset, retype
from .params import Scenario, iter_parameters

Loc = tuple[str, ...]
_MISSING = object()


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


MAX_SHOWN = 160  # characters of a file name in a message (the middle of a longer one is cut)


# control characters in a name, written as escapes: a newline in a file name would split a
# one-line error message (found by tests/test_fuzz_scenarios.py: ``extends: "\n"``)
_VISIBLE = {i: f"\\x{i:02x}" for i in (*range(32), 127)} | {0: "\\0", 9: "\\t", 10: "\\n", 13: "\\r"}


def _clip(text: str) -> str:
    """A name as shown in a message: at most MAX_SHOWN characters, control characters (NUL,
    newlines, tabs, ...) and unpaired surrogates made visible (a message must print on any
    terminal, on one line)."""
    text = text.translate(_VISIBLE).encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= MAX_SHOWN else f"{text[:90]}...{text[-60:]}"


def _not_a_file_name(name: str) -> str | None:
    """Why ``name`` cannot name a file on this system (None: it can)."""
    if "\x00" in name:
        return "it contains a NUL character"
    try:
        os.fsencode(name)
    except UnicodeError:  # lone surrogates (YAML's "\ud800") have no bytes
        return "it contains characters that are not text (unpaired surrogates)"
    return None


def _show(path: str | Path) -> str:
    """A file name for messages: relative to the working directory when inside it."""
    path = Path(path)
    try:
        return _clip(str(path.resolve().relative_to(Path.cwd().resolve())))
    except (ValueError, OSError):
        return _clip(str(path))


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """' at line L, column C: problem (context)' without PyYAML's '<unicode string>' excerpt."""
    mark = getattr(exc, "problem_mark", None)
    if not isinstance(exc, yaml.MarkedYAMLError) or mark is None:
        return f": {' '.join(str(exc).split())}"
    text = f" at line {mark.line + 1}, column {mark.column + 1}: {exc.problem}"
    if exc.context:
        cm = exc.context_mark
        text += f" ({exc.context}" + (f" started at line {cm.line + 1}, column {cm.column + 1}"
                                      if cm is not None else "") + ")"
    return text


MAX_FILE_BYTES = 5_000_000   # a scenario or experiment file is a page of YAML, not data
MAX_DEPTH = 50               # nesting of mappings and lists
MAX_ALIAS_NODES = 100_000    # nodes that YAML aliases (*name) may repeat, all told
MAX_EXTENDS = 64             # files in an 'extends' chain (README, scenario files); a cycle is refused apart


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (a second section would silently replace the
    first) and bounds nesting and alias expansion (an 'alias bomb' expands exponentially)."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._alias_nodes = 0
        self._sizes: dict[int, int] = {}

    def _size(self, node) -> int:
        key = id(node)
        if key not in self._sizes:
            self._sizes[key] = 1  # a cycle counts once
            if isinstance(node, yaml.MappingNode):
                n = 1 + sum(self._size(k) + self._size(v) for k, v in node.value)
            elif isinstance(node, yaml.SequenceNode):
                n = 1 + sum(self._size(v) for v in node.value)
            else:
                n = 1
            self._sizes[key] = n
        return self._sizes[key]

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            node = self.anchors.get(event.anchor)
            if node is not None:
                self._alias_nodes += self._size(node)
                if self._alias_nodes > MAX_ALIAS_NODES:
                    raise yaml.composer.ComposerError(
                        None, None, f"aliases (*{event.anchor}) repeat more than "
                        f"{MAX_ALIAS_NODES:,} values in all; write the values out", event.start_mark)
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node, deep=False):
        # a tag's constructor may fail with a plain exception (!!int 1e3: ValueError): report
        # it as YAML's own errors are, with its line and column
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError, ArithmeticError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {_clip(str(node.value))[:80]!r} as {node.tag}: "
                f"{_clip(str(exc))}", node.start_mark) from None

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: the constructor reports it
                    continue
                if first is not None:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r} (first at line {first.line + 1}); "
                        "each key and section may appear once", key_node.start_mark)
                seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


def _read_text(path: Path, name: str, what: str) -> str:
    """The file's text (universal newlines), read without blocking and at most
    MAX_FILE_BYTES: a regular file's size can be 0 and its reading endless (/proc files)."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ScenarioError(f"{name}: {size:,} bytes; a {what} file may have at most "
                            f"{MAX_FILE_BYTES:,}")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        chunks, total = [], 0
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
            total += len(chunk)
            if total > MAX_FILE_BYTES:
                raise ScenarioError(f"{name}: more than {MAX_FILE_BYTES:,} bytes; a {what} file "
                                    f"may have at most {MAX_FILE_BYTES:,}")
    finally:
        os.close(fd)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def load_yaml_text(text: str):
    """Parse YAML with :class:`_StrictLoader` (raises yaml.YAMLError or RecursionError)."""
    loader = _StrictLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def read_yaml(path: str | Path, what: str = "scenario") -> dict:
    """Read a YAML mapping, turning every problem into a ScenarioError naming the file."""
    path = Path(path)
    name = _show(path)
    why = _not_a_file_name(str(path))
    if why:
        raise ScenarioError(f"{name}: not a file name ({why})")
    try:
        if path.is_dir():
            raise ScenarioError(f"{name}: is a folder, not a {what} file")
        if not path.exists():
            raise ScenarioError(f"{name}: no such file")
        if not path.is_file():
            raise ScenarioError(f"{name}: not a regular file (a device, pipe or socket); a {what} "
                                "file is a text file")
        text = _read_text(path, name, what)
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{name}: not a UTF-8 text file ({exc.reason} at byte {exc.start}); "
                            "save it as UTF-8") from None
    except OSError as exc:  # permissions, a name too long for the file system, ...
        raise ScenarioError(f"{name}: cannot be read: {exc.strerror or exc}") from None
    try:
        data = load_yaml_text(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{name}: not valid YAML{_yaml_problem(exc)}") from None
    except RecursionError:
        raise ScenarioError(f"{name}: nested too deeply") from None
    if data is None:
        raise ScenarioError(f"{name}: the file is empty (or only comments); a {what} file needs "
                            "at least one key (a scenario of all defaults: `meta: {name: defaults}`)")
    if not isinstance(data, dict):
        raise ScenarioError(f"{name}: the top level must be a mapping of sections, "
                            f"got {type(data).__name__}")
    return data


# ------------------------------------------------------------------ provenance of keys
def _leaves(data: dict, prefix: Loc = ()):
    for k, v in data.items():
        loc = (*prefix, str(k))
        if isinstance(v, dict):
            yield from _leaves(v, loc)
        else:
            yield loc


def _record(sources: dict[Loc, str], data: dict, label: str, prefix: Loc = ()) -> None:
    """Note that ``label`` set every leaf of ``data`` (merged at ``prefix``)."""
    for loc in _leaves(data, prefix):
        for k in [k for k in sources if k[:len(loc)] == loc or loc[:len(k)] == k]:
            del sources[k]
        sources[loc] = label


def _resolve(path: str | Path, seen: tuple = (), via: str | None = None
             ) -> tuple[dict, list[Path], dict[Loc, str]]:
    """(merged data, [file, its parent, ...], {key path: file that set it})."""
    why = _not_a_file_name(str(path))  # (resolve() would raise ValueError)
    if why:
        raise ScenarioError(f"{_show(seen[-1]) if seen else _show(path)}: 'extends' names "
                            f"{_clip(str(via if via is not None else path))!r}, which is not a "
                            f"file name ({why})")
    path = Path(path).resolve()
    if len(seen) >= MAX_EXTENDS:
        raise ScenarioError(f"{_show(seen[0])}: 'extends' chains more than {MAX_EXTENDS} files "
                            f"(reached {_show(path)})")
    if path in seen:
        raise ScenarioError(f"{_show(path)}: 'extends' forms a cycle: "
                            + " -> ".join(_show(p) for p in (*seen, path)))
    try:
        data = read_yaml(path)
    except ScenarioError as exc:
        if not seen:
            raise
        named = f"It is named by 'extends: {_clip(str(via))}' in {_show(seen[-1])}" \
            + "".join(f", which {_show(s)} extends" for s in reversed(seen[:-1]))
        raise ScenarioError(f"{exc}. {named}.") from None
    parent = data.pop("extends", None)
    if parent is None:
        base, chain, sources = {}, [], {}
    elif not isinstance(parent, str):
        raise ScenarioError(f"{_show(path)}: key 'extends' must be the name of one scenario file "
                            f"(relative to this file's folder), got {parent!r}")
    else:
        base, chain, sources = _resolve(path.parent / parent, (*seen, path), parent)
    _record(sources, data, _show(path))
    return _deep_merge(base, data), [path, *chain], sources


def resolve_extends(path: str | Path) -> dict:
    """Read a scenario file and merge it over the file it ``extends`` (recursively)."""
    return _resolve(path)[0]


def describe_chain(path: str | Path, chain: list[Path]) -> str:
    """``child.yaml (extends base.yaml, which extends root.yaml)``."""
    if len(chain) < 2:
        return str(path)
    return f"{path} (extends " + ", which extends ".join(_show(p) for p in chain[1:]) + ")"


# ------------------------------------------------------------------------------ --set
def parse_set(items: list[str] | None) -> dict[str, Any]:
    """Parse ``key.path=value`` strings; values are read as YAML scalars/lists."""
    out: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise ScenarioError(f"--set {item!r}: expected key.path=value")
        key, raw = item.split("=", 1)
        if not key.strip():
            raise ScenarioError(f"--set {item!r}: the key before '=' is empty")
        try:
            out[key.strip()] = load_yaml_text(raw)
        except yaml.YAMLError:
            out[key.strip()] = raw
        except RecursionError:
            raise ScenarioError(f"--set {item!r}: nested too deeply") from None
    return out


def _key_parts(key: str) -> Loc:
    return tuple(key.replace("__", ".").split("."))


def apply_overrides(data: dict, overrides: dict[str, Any], origin: str = "--set") -> dict:
    """Set dotted key paths (``committee.pushed_down_duty_items``) in a nested dict.

    A mapping value merges over a mapping already there (as ``extends`` does)."""
    data = copy.deepcopy(data)
    for key, value in overrides.items():
        parts = _key_parts(key)
        node = data
        for p in parts[:-1]:
            nxt = node.setdefault(p, {})
            if not isinstance(nxt, dict):
                raise ScenarioError(f"{origin}: key '{key}': '{p}' is a value, not a section")
            node = nxt
        last = parts[-1]
        if isinstance(value, dict) and isinstance(node.get(last), dict):
            node[last] = _deep_merge(node[last], value)
        else:
            node[last] = copy.deepcopy(value)
    return data


# --------------------------------------------------------------------- the schema side
def _is_model(ann: Any) -> bool:
    return isinstance(ann, type) and issubclass(ann, BaseModel)


def _model_at(loc: tuple) -> type[BaseModel] | None:
    model: type[BaseModel] = Scenario
    for part in loc:
        field = model.model_fields.get(str(part))
        if field is None or not _is_model(field.annotation):
            return None
        model = field.annotation
    return model


def _field_at(loc: tuple):
    """The pydantic FieldInfo of the parameter at ``loc`` (None for sections and unknowns)."""
    parent = _model_at(loc[:-1]) if loc else None
    return parent.model_fields.get(str(loc[-1])) if parent is not None else None


def _dict_default(loc: tuple) -> dict | None:
    """The default of a dict-valued parameter, else None."""
    field = _field_at(loc)
    if field is None or _is_model(field.annotation):
        return None
    default = field.get_default(call_default_factory=True)
    return default if isinstance(default, dict) else None


def _fill_dict_defaults(data: Any, model: type[BaseModel] = Scenario) -> Any:
    """Merge each partial dict-valued parameter over its default (see the module docstring)."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for name, field in model.model_fields.items():
        value = out.get(name)
        if not isinstance(value, dict):
            continue
        if _is_model(field.annotation):
            out[name] = _fill_dict_defaults(value, field.annotation)
        else:
            default = field.get_default(call_default_factory=True)
            if isinstance(default, dict):
                out[name] = {**default, **value}
    return out


def _bounds_and_unit(field) -> list[str]:
    bits = []
    for m in field.metadata:
        for k, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            if getattr(m, k, None) is not None:
                bits.append(f"{sym} {getattr(m, k)}")
    extra = field.json_schema_extra or {}
    if extra.get("unit"):
        bits.append(f"unit: {extra['unit']}")
    return bits


def _type_name(ann: Any) -> str:
    return (getattr(ann, "__name__", None) if isinstance(ann, type) else None) \
        or str(ann).replace("typing.", "")


def _allowed(loc: tuple) -> str:
    """Describe what a key allows: type, bounds, unit and meaning."""
    field = _field_at(loc)
    entry_of = None
    if field is None and len(loc) > 1 and _dict_default(loc[:-1]) is not None:
        field, entry_of = _field_at(loc[:-1]), loc[:-1]   # one entry of a dict parameter
    if field is None or _is_model(field.annotation):
        return ""
    if entry_of is not None:
        args = typing.get_args(field.annotation)
        bits = [f"type {_type_name(args[1] if len(args) == 2 else Any)}"]
    else:
        bits = [f"type {_type_name(field.annotation)}"]
    bits += _bounds_and_unit(field)
    default = _dict_default(entry_of or loc)
    if default:
        bits.append("keys: " + ", ".join(default))
    text = ", ".join(bits)
    if field.description:
        text += f" ({field.description})"
    return text


def _sections_with(name: str, besides: tuple) -> list[str]:
    return [p.rsplit(".", 1)[0] for p, _, _ in iter_parameters()
            if "." in p and p.rsplit(".", 1)[1] == name and tuple(p.split(".")[:-1]) != besides]


def _unknown_key(loc: Loc, valid: list[str]) -> str:
    """'unknown key; did you mean ...? Valid keys here: ...'."""
    name = loc[-1]
    text = "unknown key"
    elsewhere = _sections_with(name, loc[:-1]) if _model_at(loc[:-1]) is not None else []
    close = difflib.get_close_matches(name, valid, n=2, cutoff=0.6)
    if elsewhere:
        text += f"; '{name}' is a key of section {' and '.join(elsewhere)}"
    elif close:
        text += "; did you mean " + " or ".join(repr(c) for c in close) + "? "
    return text + ("" if text.endswith(" ") else ". ") + f"Valid keys here: {', '.join(sorted(valid))}"


def _short(value: Any, limit: int = 240) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 4] + " ..."


def _get(data: Any, loc: tuple) -> Any:
    for part in loc:
        if not isinstance(data, dict) or part not in data:
            return _MISSING
        data = data[part]
    return data


def _fields_named(msg: str, model: type[BaseModel]) -> list[str]:
    """Fields of ``model`` that a validator's message names, in order of mention."""
    found = []
    for name in model.model_fields:
        m = re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", msg)
        if m:
            found.append((m.start(), name))
    return [name for _, name in sorted(found)]


def _problems(err: dict, given: Any):
    """Yield (key path, text, key paths whose source to show) for one pydantic error."""
    loc: Loc = tuple(str(p) for p in err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        yield loc, _unknown_key(loc, list(parent.model_fields) if parent else []), [loc]
        return
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        what = "a mapping (a section)" if _model_at(loc) is not None else "a mapping of key: value"
        yield loc, f"must be {what}, got {_short(err.get('input'))}", [loc]
        return
    msg = err["msg"].removeprefix("Value error, ")
    model = _model_at(loc)
    if kind == "value_error" and model is not None:
        # a rule across the fields of a section: report it at the field its message names
        named = _fields_named(msg, model)
        if not named:
            yield loc or ("(top level)",), msg, [loc]
            return
        key = (*loc, named[0])
        default = _dict_default(key)
        user = _get(given, key)
        if default and isinstance(user, dict):
            bad = [k for k in user if k not in default]
            if bad:
                for k in bad:
                    yield (*key, str(k)), _unknown_key((*key, str(k)), list(default)), [key]
                return
        section_input = err.get("input") if isinstance(err.get("input"), dict) else {}
        got = []
        for name in named:
            value = section_input.get(name, _MISSING)
            if value is _MISSING:
                value = model.model_fields[name].get_default(call_default_factory=True)
            mark = " (default)" if _get(given, (*loc, name)) is _MISSING else ""
            got.append((f"{name}=" if len(named) > 1 else "") + f"{_short(value)}{mark}")
        text = re.sub(rf"^{re.escape(named[0])}:?\s+", "", msg)
        allowed = _allowed(key)
        yield key, f"{text}; got {', '.join(got)}" + (f". Allowed: {allowed}" if allowed else ""), \
            [(*loc, n) for n in named]
        return
    allowed = _allowed(loc)
    yield loc, f"{msg}; got {_short(err.get('input'))}" + (f". Allowed: {allowed}" if allowed else ""), [loc]


def _from(sources: dict[Loc, str] | None, locs: list[Loc]) -> str:
    if not sources:
        return ""
    files: list[str] = []
    for loc in locs:
        for k, label in sources.items():
            if (k[:len(loc)] == loc or loc[:len(k)] == k) and label not in files:
                files.append(label)
    return f" (from {', '.join(files)})" if files else ""


def format_validation_error(exc: ValidationError, origin: str, sources: dict[Loc, str] | None = None,
                            given: Any = None) -> str:
    """One line per problem: file, key path, what is wrong, what is allowed.

    ``sources`` ({key path: file or '--set'}) adds which file set each key; ``given`` is the
    data as the user wrote it (before dict parameters were merged over their defaults)."""
    lines = [f"{origin}: invalid scenario"]
    for err in exc.errors():
        for loc, text, src in _problems(err, given):
            # a key or value with a newline in it must not split its problem's line
            lines.append(f"  {'.'.join(loc) or '(top level)'}{_from(sources, src)}: {text}".translate(_VISIBLE))
    return "\n".join(lines)


def validate(data: dict, origin: str, sources: dict[Loc, str] | None = None) -> Scenario:
    """Validate a resolved dict into a Scenario, or raise a ScenarioError.

    The preset of its community type fills the keys it does not set (sim/communities.py),
    and partial dict-valued parameters are merged over their defaults (module docstring)."""
    try:
        return Scenario.model_validate(_fill_dict_defaults(fill_preset(data)))
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc, origin, sources, data)) from None


def load_scenario(path: str | Path, overrides: dict[str, Any] | list[str] | None = None) -> Scenario:
    """Load a scenario file, resolve ``extends``, apply overrides and validate."""
    data, chain, sources = _resolve(path)
    if isinstance(overrides, list):
        overrides = parse_set(overrides)
    if overrides:
        data = apply_overrides(data, overrides)
        for key, value in overrides.items():
            parts = _key_parts(key)
            _record(sources, value if isinstance(value, dict) else {parts[-1]: value}, "--set",
                    parts if isinstance(value, dict) else parts[:-1])
    origin = describe_chain(path, chain) \
        + (" (with --set " + ", ".join(overrides) + ")" if overrides else "")
    return validate(data, origin, sources if len(chain) > 1 or overrides else None)


def scenario_from_kwargs(scenario: Scenario | dict | str | None, overrides: dict[str, Any]) -> Scenario:
    """Build a Scenario from a Scenario/dict/path plus flat ``section.key`` keyword overrides."""
    origin = "model parameters"
    if scenario is None:
        data: dict = {}
    elif isinstance(scenario, Scenario):
        # a resolved scenario sets every key: a new type re-types what the old one gave it
        new_type = next((v for k, v in overrides.items()
                         if _key_parts(k) == ("population", "community_type")), None)
        if isinstance(new_type, str) and new_type in TYPES:
            scenario = retype(scenario, new_type)
        data = scenario.model_dump()
    elif isinstance(scenario, (str, Path)):
        data, chain, _ = _resolve(scenario)
        origin = describe_chain(scenario, chain) + (" with model keywords" if overrides else "")
    else:
        data = copy.deepcopy(scenario)
    if overrides:
        data = apply_overrides(data, overrides, origin="model keyword")
    return validate(data, origin)


def with_baseline_levers(scenario: Scenario) -> Scenario:
    """The scenario with every lever (role ``lever``) at its schema default: the unreformed
    baseline that the spin-up simulates before the policy starts (the schema's defaults are
    ``scenarios/baseline.yaml``'s levers, which a test checks)."""
    data = scenario.model_dump()
    defaults = Scenario().model_dump()
    for path, field, _ in iter_parameters():
        if (field.json_schema_extra or {}).get("role") == "lever":
            section, key = path.split(".")
            data[section][key] = defaults[section][key]
    return Scenario.model_validate(data)


def config_hash(scenario: Scenario) -> str:
    """Short hash of the fully resolved scenario (names results directories)."""
    blob = json.dumps(scenario.model_dump(mode="json"), sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:8]
