"""Property-based fuzzing (Hypothesis) of scenario files and ``cogov run``'s flags: whatever is
given, the command ends with a result or an error message (exit code 2, ``error: ...``, no
traceback), never hangs and writes nothing outside ``--out``.

Generated: scenario files with every kind of wrong value at schema keys (wrong types, extreme
numbers in all their YAML spellings: 1e400, -0, .nan, huge integers), unknown and unicode keys
and values, duplicate keys and sections, deep nesting, ``extends`` to odd paths (folders,
devices, absent, overlong, NUL bytes, itself), truncated files; and ``--seed``, ``--days`` and
``--set`` with junk. Values that would make a valid run large (population, days) are kept
small, so a run takes a fraction of a second.

The budget: 30 examples per test, derandomized (the same examples every run), by default;
``COGOV_FUZZ=full`` runs 500 random ones per test (marked slow).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import signal
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.cli.common import RESULTS
from sim.params import field_bounds, iter_parameters

FULL = os.environ.get("COGOV_FUZZ") == "full"
BUDGET = settings(max_examples=500 if FULL else 30, derandomize=not FULL, deadline=None,
                  database=None, print_blob=FULL,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                         HealthCheck.function_scoped_fixture,
                                         HealthCheck.filter_too_much])
pytestmark = [pytest.mark.slow] if FULL else []
HANG_SECONDS = 120  # one example: a tiny run takes well under a second
OUTPUTS = {"timeseries.parquet", "summary.json", "manifest.json"}

PATHS = [p for p, _, _ in iter_parameters()]
SECTIONS = sorted({p.split(".")[0] for p in PATHS})
# keys whose valid values make a run bigger: only small valid values (or invalid ones)
COST = {"population.residents_per_community": (50, 600), "population.n_communities": (1, 3),
        "run.days": (1, 4), "run.spin_up_days": (0, 3)}
SPELLINGS = [
    "1e400", "-1e400", "1e-400", "4.9e-324", "1.7976931348623157e308", "1.0e+3", "1e3",
    ".nan", ".NaN", "nan", "NaN", ".inf", "-.inf", "+.inf", ".Inf", "inf", "-inf", "Infinity",
    "-0", "-0.0", "+0", "0x7fffffffffffffff", "0o777", "0b101", "1_000", "9" * 40, "-" + "9" * 40,
    "9" * 400, "~", "null", "yes", "no", "on", "true", "False", "''", '"5"', "'1e3'", "[]", "{}",
    "[1, 2]", "{a: 1}", "[[[[[[1]]]]]]", "!!binary aGk=", "!!python/object/apply:os.system [id]",
    "!!float nan", "!!int 1e3", "&a 1", "*nowhere", "2001-12-14", "12:30:00", "- 1", "{", "]",
    '"\\ud800"', '"\\x00"', "\t5", "5 # comment", "|\n    text", ">-\n    folded",
    "Ⅻ", "٣", "１２", "\U0001f600", "🙂: 1",
]


def _number_in_range(text: str, lo: float, hi: float) -> bool:
    try:
        v = yaml.safe_load(text)
    except Exception:  # noqa: BLE001 (any parse failure: not a number)
        return False
    return isinstance(v, (int, float)) and not isinstance(v, bool) and lo < v <= hi


def _float_text(x: float) -> str:
    if math.isnan(x):
        return ".nan"
    if math.isinf(x):
        return ".inf" if x > 0 else "-.inf"
    return repr(x)


FIELDS = {p: f for p, f, _ in iter_parameters()}


def in_bounds(path: str) -> st.SearchStrategy[str] | None:
    """A valid value of a number or text parameter, in one of YAML's spellings (None: the
    parameter is a list or mapping)."""
    field = FIELDS[path]
    b = field_bounds(field)
    lo, hi = b.get("ge", b.get("gt", -1e6)), b.get("le", b.get("lt", 1e6))
    if path in COST:
        lo, hi = COST[path]
    if field.annotation is int:
        lo, hi = math.ceil(lo), math.floor(min(hi, lo + 10**6))
        return st.integers(lo, hi).flatmap(lambda v: st.sampled_from(
            [str(v), f"{v}.0", f"{v:_}", f"0x{v:x}" if v >= 0 else str(v), f"+{v}" if v >= 0 else str(v)]))
    if field.annotation is float:
        exclude = "gt" in b
        return st.floats(lo, hi, exclude_min=exclude).flatmap(lambda v: st.sampled_from(
            [repr(v), f"{v:.3f}" if lo <= round(v, 3) <= hi and not (exclude and round(v, 3) <= lo)
             else repr(v), "-0.0" if lo <= 0 and not exclude else repr(v)]))
    if field.annotation is str:
        return st.text(max_size=60).map(json.dumps)
    return None


def values(path: str | None = None) -> st.SearchStrategy[str]:
    """YAML text for one value: junk of every kind, or at a parameter a valid value half the
    time (so that some examples run); for a cost key only small valid values."""
    junk = st.one_of(
        st.sampled_from(SPELLINGS),
        st.integers().map(str),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.floats().map(_float_text),
        st.floats(allow_nan=False, allow_infinity=False).map(lambda x: f"{x:e}"),
        st.text(max_size=40).map(json.dumps),
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20),
        st.booleans().map(str),
        st.lists(st.floats(allow_nan=True), max_size=6).map(
            lambda xs: "[" + ", ".join(_float_text(x) for x in xs) + "]"),
        st.dictionaries(st.text(max_size=8), st.integers(-5, 5), max_size=4).map(json.dumps),
        st.integers(1, 80).map(lambda d: "[" * d + "1" + "]" * d),
        st.integers(1, 80).map(lambda d: "{a: " * d + "1" + "}" * d),
    )
    if path in COST:
        hi = COST[path][1]
        ceiling = 50_000  # the largest bound among the cost keys
        junk = junk.filter(lambda t: not _number_in_range(t, hi, ceiling))
    valid = in_bounds(path) if path in FIELDS else None
    return junk if valid is None else st.one_of(valid, junk)


keys = st.one_of(st.sampled_from(PATHS), st.sampled_from(SECTIONS),
                 st.tuples(st.sampled_from(SECTIONS), st.text(min_size=1, max_size=12)).map(
                     lambda t: f"{t[0]}.{t[1]}"),
                 st.text(min_size=1, max_size=12))


@st.composite
def assignments(draw) -> tuple[str, str]:
    key = draw(keys)
    return key, draw(values(key))


ODD_EXTENDS = [
    "/", ".", "..", "", "/dev/null", "/dev/zero", "/dev/stdin", "/proc/self/status",
    "/etc/passwd", "../../../../../../etc/hostname", "nonexistent.yaml", "a\x00b.yaml",
    "x" * 300, "x/" * 3000 + "y.yaml", "~/scenario.yaml", "http://example.org/base.yaml",
    "self.yaml", "binary.bin", "dir", "list.yaml", "ünïcødé 场景.yaml", "base.yaml",
]


def _quote(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML string


TAME_PATHS = [p for p in PATHS if in_bounds(p) is not None]


@st.composite
def tame_assignments(draw) -> tuple[str, str]:
    """A parameter at a valid value in one of its spellings (such a file usually runs)."""
    key = draw(st.sampled_from(TAME_PATHS))
    return key, draw(in_bounds(key))


@st.composite
def scenario_files(draw) -> str:
    """The text of a tiny valid scenario with generated changes: a third of the time only valid
    values in odd spellings (so that runs happen), else junk of every kind."""
    if draw(st.integers(0, 2)) == 2:  # a third of the examples
        sections: dict[str, dict[str, str]] = {
            "meta": {"name": '"fuzz"'}, "run": {"days": "3", "spin_up_days": "0"},
            "population": {"residents_per_community": "500"}}
        for key, value in draw(st.lists(tame_assignments(), max_size=6)):
            section, _, name = key.partition(".")
            sections.setdefault(section, {})[name] = value
        return "".join(f"{_quote(sec)}:\n" + "".join(f"  {_quote(k)}: {v}\n" for k, v in kv.items())
                       for sec, kv in sections.items())
    sections = {
        "meta": {"name": '"fuzz"'},
        "run": {"days": "3", "spin_up_days": "0"},
        "population": {"residents_per_community": "500"}}
    duplicates: list[tuple[str, str, str]] = []
    top: list[tuple[str, str]] = []
    for key, value in draw(st.lists(assignments(), max_size=6)):
        section, _, name = key.partition(".")
        if not name:
            top.append((key, value))  # a whole section (or an unknown top-level key) as junk
        elif draw(st.booleans()) and name in sections.get(section, {}):
            duplicates.append((section, name, value))
        else:
            sections.setdefault(section, {})[name] = value
    lines = []
    extends = draw(st.none() | st.sampled_from(ODD_EXTENDS) | st.text(max_size=30))
    if extends is not None:
        lines.append(f"extends: {_quote(extends)}")
    for section, entries in sections.items():
        lines.append(f"{_quote(section)}:")
        lines += [f"  {_quote(k)}: {v}" for k, v in entries.items()]
        lines += [f"  {_quote(k)}: {v}" for s, k, v in duplicates if s == section]
    lines += [f"{_quote(k)}: {v}" for k, v in top]
    if draw(st.booleans()) and sections:  # a section given twice
        lines.append(f"{_quote(draw(st.sampled_from(sorted(sections))))}:\n  x: 1")
    text = "\n".join(lines) + "\n"
    cut = draw(st.none() | st.integers(0, len(text)))  # a truncated file
    return text if cut is None else text[:cut]


def junk_flag_values(kind: str) -> st.SearchStrategy[str]:
    small = st.integers(1, 4) if kind == "days" else st.integers(0, 2**32 - 1)
    return st.one_of(small.map(str), st.integers().map(str), st.sampled_from(SPELLINGS),
                     st.text(max_size=20), st.just(""), st.just("-1"), st.just("1.5"),
                     st.just(str(2**32)), st.just("0"))


@st.composite
def set_items(draw) -> str:
    kind = draw(st.integers(0, 3))
    if kind == 0:  # a schema key with junk
        key = draw(st.sampled_from(PATHS))
        return f"{key}={draw(values(key))}"
    if kind == 1:  # any key
        key, value = draw(assignments())
        return f"{key}={value}"
    if kind == 2:  # dotted paths of every shape
        key = draw(st.sampled_from([".", "..", "a..b", ".run.days", "run.days.", "__", "run__days",
                                    "run.days.x", "meta.name.first", "population", "run",
                                    "=", " ", "run.days = 2"]))
        return f"{key}={draw(values())}"
    return draw(st.text(max_size=30))  # anything, '=' or not


# ------------------------------------------------------------------------ the property
class Hang(BaseException):
    """Raised by the alarm: not an Exception, so no handler of the command catches it."""


def _alarm(signum, frame):
    raise Hang(f"no answer within {HANG_SECONDS} s")


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")} if folder.exists() else set()


def _results_tree() -> set[str]:
    """results/ as a run could change it: without the browser tests' screenshots, which
    another worker of the suite (pytest-xdist) may be writing meanwhile."""
    return {p for p in _tree(RESULTS) if p != "screenshots" and not p.startswith("screenshots/")}


def cogov(args: list[str]) -> tuple[int, str, str]:
    """``cogov ARGS`` in this process: (exit code, stdout, stderr)."""
    err, out = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_SECONDS)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            try:
                rc = main(args)
            except SystemExit as exc:  # argparse's usage errors
                rc = exc.code
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return rc, out.getvalue(), err.getvalue()


def check_run(base: Path, text: str | None, flags: list[str], name: str = "fuzz.yaml") -> int:
    """Run ``cogov run`` on ``text`` (or on a tiny valid file) with ``flags`` from a fresh
    working folder; assert a result or an error message, and nothing written outside --out.
    ``name``: the scenario argument, relative to the folder of generated files."""
    work = Path(tempfile.mkdtemp(dir=base))
    scen = work / "scenarios"
    scen.mkdir()
    (scen / "dir").mkdir()
    (scen / "binary.bin").write_bytes(bytes(range(256)) * 4)
    (scen / "list.yaml").write_text("- 1\n- 2\n")
    (scen / "base.yaml").write_text("run: {days: 2, spin_up_days: 0}\n"
                                    "population: {residents_per_community: 500}\n")
    (scen / "self.yaml").write_text("extends: self.yaml\n")
    path = scen / "fuzz.yaml"
    path.write_text(text if text is not None else
                    "meta: {name: fuzz}\nrun: {days: 3, spin_up_days: 0}\n"
                    "population: {residents_per_community: 500}\n", encoding="utf-8")
    cwd = work / "cwd"
    cwd.mkdir()
    out = cwd / "out"
    before, results_before = _tree(work), _results_tree()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        rc, stdout, stderr = cogov(["run", str(scen / name), "--out", str(out), *flags])
    finally:
        os.chdir(old)
    assert "Traceback" not in stderr, stderr
    assert rc in (0, 2), f"exit code {rc}: {stderr}"
    if rc == 0:
        assert set(os.listdir(out)) >= OUTPUTS
        written = _tree(work) - before
        assert all(p == "cwd/out" or p.startswith("cwd/out/") for p in written), written
    else:
        lines = stderr.rstrip("\n").split("\n")
        assert lines[0].startswith("error: "), stderr
        # one line, or the scenario's list of problems (one indented line each)
        assert all(line.startswith("  ") for line in lines[1:]), stderr
        assert all(len(line) <= 1000 for line in lines), "an error line of over 1,000 characters"
        assert _tree(work) == before, _tree(work) - before
    assert _results_tree() == results_before
    return rc


@BUDGET
@given(text=scenario_files())
@example(text="extends: \"a\\0b.yaml\"\n")  # a NUL byte in a path: ValueError traceback
@example(text=f"extends: {'x' * 5000}\n")  # too long a name: 'cannot read or write', exit 1
@example(text='extends: "\\ud800\\udc00"\n')  # unpaired surrogates: UnicodeEncodeError traceback
@example(text="behaviour: !!int 1e3\n")  # a tag's constructor failing: ValueError traceback
@example(text='extends: "\\n"\nrun: {days: 3, spin_up_days: 0}\n')  # a newline in a name split the message
@example(text='run: {days: 3, spin_up_days: 0}\n"\\n": 1\n')  # a newline in a key split the message
@example(text="run: {days: 3, spin_up_days: 0}\npopulation: {residents_per_community: 500}\n"
              "committee: {staff_per_10k: 3.9e-276}\n")  # duty triage overflowed: OverflowError traceback
def test_any_scenario_file_gives_a_result_or_a_message(tmp_path, text):
    event(f"exit code {check_run(tmp_path, text, ['-q'])}")  # --hypothesis-show-statistics


@st.composite
def run_flags(draw) -> list[str]:
    """--seed, --days and --set: a third of the time valid values in odd spellings, else junk."""
    if draw(st.integers(0, 2)) == 2:
        seed = draw(st.none() | st.integers(0, 2**32 - 1).map(str))
        days = draw(st.none() | st.integers(1, 4).map(str))
        sets = [f"{k}={v}" for k, v in draw(st.lists(tame_assignments(), max_size=4))]
    else:
        seed = draw(st.none() | junk_flag_values("seed"))
        days = draw(st.none() | junk_flag_values("days"))
        sets = draw(st.lists(set_items(), max_size=4))
    flags = ["--seed", seed] if seed is not None else []
    flags += ["--days", days] if days is not None else []
    for item in sets:
        flags += ["--set", item]
    return flags


@BUDGET
@given(flags=run_flags())
# -0.0 passed ge=0 and numpy's normal() refused it as a scale: ValueError traceback
@example(flags=["--set", "behaviour.initial_attitude_sd=-0.0"])
def test_any_run_flags_give_a_result_or_a_message(tmp_path, flags):
    event(f"exit code {check_run(tmp_path, None, ['-q', *flags])}")


@pytest.mark.parametrize("name", ODD_EXTENDS)
def test_odd_scenario_arguments_give_a_result_or_a_message(tmp_path, name):
    check_run(tmp_path, None, ["-q"], name)
