"""One visitor's simulation: what the page shows, with no browser code in it.

A :class:`Setup` (scenario file, overrides, seed, optional comparison scenario) says what is
run; :class:`Session` holds the models built from it and steps them. Everything a visitor
types (query, lever values, uploads) goes through :func:`resolve_setup` and the schema, so
a mistake becomes a :class:`ScenarioError` with a message, and no file path ever comes from
the browser: scenarios are chosen by name from ``scenarios/*.yaml``.

Why one long module: everything a visitor's session may do, with its limits and checks, kept apart from the browser code so it can be tested without a browser.
"""

from __future__ import annotations

import dataclasses
import math
import re
import threading
import time
import typing
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import numpy as np
import yaml

from ..config import (ScenarioError, _deep_merge, _yaml_problem, apply_overrides, load_yaml_text,
                      parse_set, resolve_extends, validate)
from . import spinup
from ..params import Scenario, iter_parameters, plausible_range

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
MAX_RESIDENTS = 100_000        # per model
MAX_DAY = 3650                 # horizon a visitor may run to
MAX_COMPUTE_SECONDS = 600.0    # model time one session may spend (every Run and Play together)
MAX_UPLOAD_BYTES = 64 * 1024
MAX_SEED = 2**63 - 1           # the largest seed a link (and cogov run) takes
MAX_NUMBER_CHARS = 40          # a number typed in a field: longer text is not a number
UPLOAD = "upload"              # the scenario name of an uploaded scenario
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


# ------------------------------------------------------------------------ scenarios
_names_cache: tuple[tuple, dict] = ((), {})


def scenario_names() -> dict[str, tuple[str, str]]:
    """{file stem: (meta.name, description)} of every scenario in ``scenarios/``.

    Read again only when a file of the folder changed (name, size or time): parsing every
    file took ~0.2 s, and the page asks at every redraw."""
    global _names_cache
    paths = sorted(SCENARIOS.glob("*.yaml"))
    stamp = tuple((p.name, st.st_mtime_ns, st.st_size) for p in paths for st in (p.stat(),))
    kept_stamp, kept = _names_cache
    if stamp == kept_stamp:
        return dict(kept)
    out = {}
    for path in paths:
        try:
            meta = resolve_extends(path).get("meta", {})
        except ScenarioError:
            continue  # a broken file is not offered (cogov run names its problem)
        out[path.stem] = (str(meta.get("name", path.stem)),
                          " ".join(str(meta.get("description", "")).split()))
    _names_cache = (stamp, out)
    return dict(out)


def scenario_path(name: str) -> Path:
    """The file of a scenario chosen by name; never a path the browser gives."""
    names = scenario_names()
    if not isinstance(name, str) or not _NAME.match(name) or name not in names:
        shown = name if isinstance(name, str) and len(name) < 80 else "(too long)"
        raise ScenarioError(f"unknown scenario {shown!r}; choose one of: {', '.join(names)}")
    return SCENARIOS / f"{name}.yaml"


def read_upload(text: str | bytes) -> dict:
    """An uploaded scenario (YAML text) merged over the file it ``extends`` in ``scenarios/``.

    Returns the resolved data, validated by the schema; raises ScenarioError on any problem."""
    if isinstance(text, bytes):
        if len(text) > MAX_UPLOAD_BYTES:
            raise ScenarioError(f"uploaded scenario: {len(text):,} bytes; at most "
                                f"{MAX_UPLOAD_BYTES:,} are accepted")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ScenarioError("uploaded scenario: not UTF-8 text") from None
    if len(text.encode("utf-8")) > MAX_UPLOAD_BYTES:
        raise ScenarioError(f"uploaded scenario: more than {MAX_UPLOAD_BYTES:,} bytes")
    # the loader of ``cogov run``: duplicate keys, deep nesting and alias bombs refused
    try:
        data = load_yaml_text(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(f"uploaded scenario: not valid YAML{_yaml_problem(exc)}") from None
    except RecursionError:
        raise ScenarioError("uploaded scenario: nested too deeply") from None
    if data is None:
        raise ScenarioError("uploaded scenario: empty (or only comments); a scenario needs at "
                            "least one key, e.g. `extends: baseline.yaml`")
    if not isinstance(data, dict):
        raise ScenarioError("uploaded scenario: the top level must be a mapping of sections, "
                            f"got {type(data).__name__}")
    parent = data.pop("extends", None)
    if parent is not None:
        stem = parent[:-5] if isinstance(parent, str) and parent.endswith(".yaml") else parent
        if not isinstance(stem, str) or not _NAME.match(stem) or stem not in scenario_names():
            raise ScenarioError(f"uploaded scenario: 'extends' may only name a file of "
                                f"scenarios/ ({', '.join(scenario_names())}), got {parent!r}")
        data = _deep_merge(resolve_extends(SCENARIOS / f"{stem}.yaml"), data)
    validate(data, "uploaded scenario")
    return data


# --------------------------------------------------------------------------- levers
@dataclasses.dataclass(frozen=True)
class Lever:
    """One lever of the schema, as a control shows it."""
    key: str
    section: str
    meaning: str
    unit: str
    kind: str                  # "bool", "int", "float", "choice", "choices"
    default: Any
    lo: float | None = None
    hi: float | None = None
    options: tuple = ()
    zh: str = ""               # the meaning in Chinese (``zh=`` of the schema)
    options_zh: tuple = ()     # ((option, its name in Chinese), ...) (``zh_choices=``)

    def option_label(self, option: str, lang: str) -> str:
        """An option of a choice as the page shows it (the option itself in English)."""
        return dict(self.options_zh).get(option, option) if lang == "zh" else option

    @property
    def label(self) -> str:
        return self.label_in("en")

    def label_in(self, lang: str) -> str:
        """Meaning, unit and range, in English or Chinese (``lang`` "zh")."""
        from .i18n import unit as unit_in
        rng = f", {_num(self.lo)}-{_num(self.hi)}" if self.lo is not None else ""
        meaning = self.zh or self.meaning if lang == "zh" else self.meaning
        if self.unit in ("switch", "rule", "format"):
            return meaning
        u = unit_in(self.unit, lang)
        return f"{meaning}（{u}{rng}）" if lang == "zh" else f"{meaning} ({u}{rng})"

    def check(self, value: Any, lang: str = "en") -> Any:
        """The value as the model takes it, or a ScenarioError saying what is allowed."""
        if self.kind in ("int", "float"):
            from .i18n import unit as unit_in
            return parse_number(value, self.kind, self.lo, self.hi, self.key, lang,
                                unit_in(self.unit, lang))
        return value


def parse_number(value: Any, kind: str, lo: float | None, hi: float | None, what: str,
                 lang: str = "en", unit: str = "") -> int | float:
    """A number typed in a field (text or number), checked: finite, whole for ``kind``
    "int", within lo-hi; else a ScenarioError in the visitor's language. ``inf``, ``nan``,
    ``1e400`` (overflows to inf) and text longer than MAX_NUMBER_CHARS are not numbers."""
    from .i18n import t
    shown = value if not isinstance(value, str) or len(value) <= 24 else value[:20] + "..."
    if isinstance(value, bool) or value is None:
        raise ScenarioError(t("not_number", lang, what=what, value=shown))
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "")
        if not text or len(text) > MAX_NUMBER_CHARS:
            raise ScenarioError(t("not_number", lang, what=what, value=shown))
        try:
            v = int(text) if kind == "int" and text.lstrip("+-").isdigit() else float(text)
        except ValueError:
            raise ScenarioError(t("not_number", lang, what=what, value=shown)) from None
    elif isinstance(value, (int, float)):
        v = value
    else:
        raise ScenarioError(t("not_number", lang, what=what, value=shown))
    if isinstance(v, float) and not math.isfinite(v):
        raise ScenarioError(t("not_finite", lang, what=what, value=shown))
    if kind == "int":
        if v != int(v):
            raise ScenarioError(t("not_whole", lang, what=what, value=shown))
        v = int(v)
    if lo is not None and hi is not None and not lo <= v <= hi:
        raise ScenarioError(t("outside", lang, what=what, value=_num(v), lo=_num(lo), hi=_num(hi),
                              unit=unit).rstrip())
    return v


def _num(x) -> str:
    """A number for a message: thousands separators, no needless decimals (any float)."""
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    if x == int(x) and abs(x) < 1e21:
        return f"{int(x):,}"
    return f"{x:,g}"


def public_message(text: str) -> str:
    """A message as a visitor may read it: no file path of the server (the repository's
    folders shown relative to it, any other absolute path by its file name)."""
    root = str(SCENARIOS.parent)
    text = text.replace(root + "/", "").replace(root, ".")
    return re.sub(r"(?<![\w.])/(?:[\w.@+-]+/)+([\w.@+-]+)", r"\1", text)


def levers() -> list[Lever]:
    """Every parameter whose role is 'lever', in schema order."""
    out = []
    for key, field, _ in iter_parameters():
        extra = field.json_schema_extra or {}
        if extra.get("role") != "lever":
            continue
        ann, section = field.annotation, key.split(".")[0]
        common = dict(key=key, section=section, meaning=field.description or key,
                      unit=extra.get("unit", ""), default=field.default, zh=extra.get("zh", ""),
                      options_zh=tuple(extra.get("zh_choices", {}).items()))
        if ann is bool:
            out.append(Lever(kind="bool", **common))
        elif ann in (int, float):
            lo, hi = plausible_range(key) or (None, None)
            out.append(Lever(kind=ann.__name__, lo=lo, hi=hi, **common))
        elif typing.get_origin(ann) is typing.Literal:
            out.append(Lever(kind="choice", options=typing.get_args(ann), **common))
        elif typing.get_origin(ann) is list and typing.get_args(ann) \
                and typing.get_origin(typing.get_args(ann)[0]) is typing.Literal:
            out.append(Lever(kind="choices", options=typing.get_args(typing.get_args(ann)[0]),
                             **common))
    return out


# ---------------------------------------------------------------------------- setup
@dataclasses.dataclass(frozen=True)
class Setup:
    """What a run is: scenario (by name), flat overrides, seed, optional comparison."""
    scenario: str = "baseline"
    overrides: tuple = ()          # ((key, value), ...) in the order given
    seed: int = 1
    compare: str | None = None     # scenario name of side B (same population and seed)
    upload: str | None = None      # YAML text when scenario == UPLOAD

    @property
    def override_dict(self) -> dict:
        return dict(self.overrides)

    def set_args(self) -> list[str]:
        """The overrides as ``cogov run --set`` arguments."""
        return [f"{k}={_yaml_scalar(v)}" for k, v in self.overrides]

    def query(self, day: int = 0) -> str:
        """The URL query that reproduces this setup (and the day reached)."""
        if self.scenario == UPLOAD:
            raise ScenarioError("an uploaded scenario has no link; download its YAML instead")
        q: list[tuple[str, Any]] = [("scenario", self.scenario), ("seed", self.seed)]
        q += [("set", s) for s in self.set_args()]
        if self.compare:
            q.append(("compare", self.compare))
        if day:
            q.append(("day", day))
        return urlencode(q)


def _yaml_scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, dict)):
        return yaml.safe_dump(v, default_flow_style=True).strip()
    return str(v)


QUERY_KEYS = ("scenario", "seed", "set", "day", "compare", "lang")


def parse_query(search: str | None) -> tuple[Setup, int]:
    """(setup, day) from a URL query ``scenario=..&seed=..&set=k=v&compare=..&day=N``."""
    if not search:
        return Setup(), 0
    if len(search) > 8000:
        raise ScenarioError("link: the query is too long")
    q = parse_qs(search.lstrip("?"), keep_blank_values=True)
    unknown = [k for k in q if k not in QUERY_KEYS]
    if unknown:
        raise ScenarioError(f"link: unknown query key {unknown[0]!r}; allowed: {', '.join(QUERY_KEYS)}")
    for k in ("scenario", "seed", "day", "compare", "lang"):
        if len(q.get(k, [])) > 1:
            raise ScenarioError(f"link: {k!r} is given more than once")
    name = q.get("scenario", ["baseline"])[0]
    scenario_path(name)
    compare = q.get("compare", [None])[0]
    if compare is not None:
        scenario_path(compare)
    seed = _int_arg(q.get("seed", ["1"])[0], "seed", 0, MAX_SEED)
    day = _int_arg(q.get("day", ["0"])[0], "day", 0, MAX_DAY)
    overrides = tuple(parse_set(q.get("set", [])).items())
    setup = Setup(name, overrides, seed, compare)
    resolve_setup(setup)  # every key and value checked by the schema now
    return setup, day


def _int_arg(text: str, what: str, lo: int, hi: int) -> int:
    try:
        v = int(text)
    except ValueError:
        raise ScenarioError(f"link: {what} must be a whole number, got {text[:40]!r}") from None
    if not lo <= v <= hi:
        raise ScenarioError(f"link: {what} must be between {lo:,} and {hi:,}, got {v:,}")
    return v


def _check_size(scenario: Scenario, origin: str) -> Scenario:
    n = scenario.population.n_communities * scenario.population.residents_per_community
    if n > MAX_RESIDENTS:
        raise ScenarioError(f"{origin}: {n:,} residents (population.n_communities x "
                            f"population.residents_per_community); the app runs at most "
                            f"{MAX_RESIDENTS:,}. Run larger populations with `cogov run`.")
    return scenario


def resolve_setup(setup: Setup, side: str = "A") -> Scenario:
    """The validated scenario of side A (or B: the comparison file, with the same overrides
    of ``population.*`` and ``run.*``) of a setup; a ScenarioError names what is wrong."""
    if isinstance(setup.seed, bool) or not isinstance(setup.seed, int) \
            or not 0 <= setup.seed <= MAX_SEED:
        raise ScenarioError(f"seed: a whole number from 0 to {MAX_SEED:,}, got {setup.seed!r}")
    overrides = setup.override_dict
    if side == "B":
        name = setup.compare
        # side B shares the population and the run's settings (spin-up, policy start), not levers
        overrides = {k: v for k, v in overrides.items() if k.startswith(("population.", "run."))}
    else:
        name = setup.scenario
    if name == UPLOAD:
        data = apply_overrides(read_upload(setup.upload or ""), overrides)
        scenario = validate(data, "uploaded scenario" + (" with changes" if overrides else ""))
    else:
        from ..config import load_scenario
        scenario = load_scenario(scenario_path(name), overrides or None)
    return _check_size(scenario, f"scenario {name}")


# -------------------------------------------------------------------------- session
class Budget(Exception):
    """The session has used its share of the server (compute time or horizon)."""


class Session:
    """One visitor's models: side A and, when comparing, side B with the same seed."""

    def __init__(self, setup: Setup):
        self.lock = threading.RLock()
        self.compute_seconds = 0.0
        self.replications = None
        self._wish: Setup | None = None          # what prepare() spins up next
        self._preparing: threading.Thread | None = None
        self._wish_lock = threading.Lock()
        self.reset(setup)

    def reset(self, setup: Setup, resolved: tuple | None = None) -> None:
        """Build fresh models from a setup (raises ScenarioError, leaving the old ones).

        ``resolved``: the scenarios of sides A and B as :func:`resolve_setup` gave them for
        this setup just before (the page checks a setup at the click, then builds it)."""
        if resolved is None:
            a = resolve_setup(setup)
            b = resolve_setup(setup, "B") if setup.compare else None
        else:
            a, b = resolved
        if hasattr(self, "model"):
            self._check_budget()  # building spins the model up: it is model time too
        t0 = time.perf_counter()
        model_a = spinup.build(a, setup.seed)  # a kept spin-up when only levers changed
        model_b = spinup.build(b, setup.seed) if b is not None else None
        with self.lock:
            self.setup, self.scenario, self.scenario_b = setup, a, b
            self.model, self.model_b = model_a, model_b
            self.compute_seconds += time.perf_counter() - t0
            self.version = getattr(self, "version", 0) + 1

    def prepare(self, setup: Setup) -> None:
        """Spin up a setup's day-0 state in the background, ahead of the Reset that may
        follow (the page calls it when a new seed is entered): the Reset then only copies
        it. One such build per session at a time; a newer wish replaces one still waiting.
        Its time counts as the session's model time; a setup with a mistake is skipped (the
        Reset will say what is wrong)."""
        with self._wish_lock:
            self._wish = setup
            if self._preparing is not None:
                return
            self._preparing = threading.Thread(target=self._prepare_wishes, daemon=True,
                                               name="cogov-prepare")
            self._preparing.start()

    def _prepare_wishes(self) -> None:
        while True:
            with self._wish_lock:
                setup, self._wish = self._wish, None
                if setup is None or self.model is None:
                    self._preparing = None
                    return
            try:
                a = resolve_setup(setup)
                b = resolve_setup(setup, "B") if setup.compare else None
                self._check_budget()
            except (ScenarioError, Budget):
                continue
            t0 = time.perf_counter()
            try:
                spinup.warm(a, setup.seed)
                if b is not None:
                    spinup.warm(b, setup.seed)
            except Exception:  # noqa: BLE001 - only a head start: the Reset reports the problem
                pass
            with self.lock:
                self.compute_seconds += time.perf_counter() - t0

    @property
    def day(self) -> int:
        return self.model.day

    def used_seconds(self) -> float:
        """Model time so far: every build (with its spin-up), step and replication."""
        job = self.replications
        return self.compute_seconds + (job.seconds() if job is not None else 0.0)

    def _check_budget(self) -> None:
        limit = model_seconds()
        if self.used_seconds() > limit:
            raise Budget(f"this session has used its {limit:g} s of model time (every Reset "
                         "with its spin-up, Step, Run and replication counts); reload the page "
                         "for a new session")

    def start_replications(self, reps: int, days: int, lang: str = "en"):
        """Start the paired comparison of A and B in a background process (replacing any
        earlier one); its wall time counts against the session's compute budget."""
        from .replications import MAX_REPS, MIN_REPS, Replications
        if self.scenario_b is None:
            raise ValueError("replications: choose a scenario to compare with (B) first")
        if not MIN_REPS <= reps <= MAX_REPS:
            raise ValueError(f"replications: between {MIN_REPS} and {MAX_REPS}, got {reps}")
        if not 1 <= days <= MAX_DAY:
            raise ValueError(f"days per replication: between 1 and {MAX_DAY:,}, got {days}")
        with self.lock:
            self._check_budget()
            self.cancel_replications()
            names = (self.setup.scenario, self.setup.compare)
            self.replications = Replications(self.scenario, self.scenario_b, names,
                                             self.setup.seed, reps, days, lang)
            return self.replications

    def cancel_replications(self) -> None:
        """Stop the background comparison; its wall time so far stays counted."""
        job = self.replications
        if job is not None:
            job.cancel()
            self.compute_seconds += job.seconds()
            self.replications = None

    def close(self) -> None:
        """The visitor left: stop background work and drop the models."""
        self.cancel_replications()
        self.model = self.model_b = None

    def step(self, days: int = 1) -> int:
        """Step both sides ``days`` days (stopping at the horizon); returns days stepped."""
        with self.lock:
            self._check_budget()
            days = max(0, min(days, MAX_DAY - self.model.day))
            t0 = time.perf_counter()
            for _ in range(days):
                self.model.step()
                if self.model_b is not None:
                    self.model_b.step()
            self.compute_seconds += time.perf_counter() - t0
            self.version += 1
            return days

    def at_horizon(self) -> bool:
        return self.model.day >= MAX_DAY

    def summary(self, side: str = "A") -> dict:
        with self.lock:
            return (self.model if side == "A" else self.model_b).summary()

    def series(self, names, side: str = "A") -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(days, {name: values}) of the recorded daily outcomes."""
        with self.lock:
            model = self.model if side == "A" else self.model_b
            rows = model.datacollector.model_vars
            days = np.asarray(rows.get("day", []), float)
            return days, {n: np.asarray(rows.get(n, []), float) for n in names}

    def differences(self, names) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """A minus B, day by day, for each series (both sides step together)."""
        days, a = self.series(names, "A")
        _, b = self.series(names, "B")
        n = min(len(days), *(len(v) for v in b.values())) if b else 0
        return days[:n], {k: a[k][:n] - b[k][:n] for k in names}


# ------------------------------------------------------------------- who is served
MAX_SESSIONS_DEFAULT = 8
_active: set[str] = set()
_active_lock = threading.Lock()


def model_seconds() -> float:
    """The per-session model-time limit (cogov app --model-seconds)."""
    import os
    return float(os.environ.get("COGOV_APP_MODEL_SECONDS", MAX_COMPUTE_SECONDS))


def max_sessions() -> int:
    import os
    return int(os.environ.get("COGOV_APP_MAX_SESSIONS", MAX_SESSIONS_DEFAULT))


def admit(context) -> bool:
    """Count a visitor's connection (a Solara kernel context) in, unless the server is full;
    it is counted out when the context closes (tab closed, or idle past the cull timeout)."""
    with _active_lock:
        if context.id in _active:
            return True
        if len(_active) >= max_sessions():
            return False
        _active.add(context.id)

    def leave():
        with _active_lock:
            _active.discard(context.id)
    context.on_close(leave)
    return True
