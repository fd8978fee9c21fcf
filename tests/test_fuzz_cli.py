"""Property-based fuzzing of what the commands read (issue 24): manifests given to ``cogov
replay``, calibration files, and the flags of ``calibrate`` and ``validate``. Whatever is
generated (wrong types, extreme numbers, deep nesting, unicode, path-like names) must give
a result or one ``error:`` line: exit code 0, 1 or 2, never a traceback, and no file outside
``--out``.

Budget: the ``fast`` profile (25 examples a test, derandomized, so every run tries the same
inputs) unless ``COGOV_FUZZ=full`` selects the ``full`` profile (150 examples, also
derandomized; .ci/run sets it); the tests that run models for the inputs that pass are marked slow.
The commands run in this process (``sim.cli.main``) on tiny models; calibration trials are
replaced by a stand-in (the inputs, not the model, are under test here)."""

from __future__ import annotations

import copy
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sim.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
GRANTS = ROOT / "scenarios" / "lever_grants.yaml"
TINY = ["--set", "population.residents_per_community=500", "--set", "run.spin_up_days=0",
        "--days", "3"]

_common = dict(deadline=None, derandomize=True, database=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                      HealthCheck.data_too_large, HealthCheck.filter_too_much])
settings.register_profile("fast", max_examples=25, **_common)
settings.register_profile("full", max_examples=150, **_common)
PROFILE = os.environ.get("COGOV_FUZZ", "fast")
if PROFILE not in ("fast", "full"):
    raise pytest.UsageError(f"COGOV_FUZZ={PROFILE!r}: use fast (the default) or full")
FUZZ = settings(settings.get_profile(PROFILE))


# ---------------------------------------------------------------------- generated values
PATHLIKE = st.sampled_from(["../escaped", "../../escaped", "/tmp/escaped_abs", "a/b", "a\\b", "..",
                            ".", "", " ", "~/escaped", "C:\\escaped", "x\x00y", "tab\tname", "new\nline",
                            "\u202eevil", "名字", "\udcff", "a" * 300])
# numbers at the edges: out of every schema bound, or not finite (none makes a valid long run)
EXTREME = st.sampled_from([-1, -(2**63), 2**64, 10**30, float("nan"), float("inf"), float("-inf"),
                           1e308, -1e308, 5e-324, -0.0, True, False])
SCALAR = st.one_of(st.none(), EXTREME, PATHLIKE, st.text(max_size=20),
                   st.integers(min_value=-(2**70), max_value=-1))


def nested(depth: int):
    """A list or mapping nested ``depth`` levels deep."""
    return st.builds(lambda d, kind: _deep(d, kind), st.just(depth), st.sampled_from(["list", "dict"]))


def _deep(depth: int, kind: str):
    v: object = 0
    for _ in range(depth):
        v = [v] if kind == "list" else {"k": v}
    return v


VALUE = st.one_of(SCALAR, st.lists(SCALAR, max_size=4), st.dictionaries(st.text(max_size=8), SCALAR, max_size=3),
                  st.integers(min_value=40, max_value=400).flatmap(nested))


def _paths(tree, prefix=()):
    """Every key path of a JSON-like tree (mappings and lists)."""
    yield prefix
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield from _paths(v, prefix + (i,))


def _set(tree, path, value):
    if not path:
        return value
    node = tree
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    return tree


def _delete(tree, path):
    if path:
        node = tree
        for p in path[:-1]:
            node = node[p]
        del node[path[-1]]
    return tree


@st.composite
def mutated(draw, original: dict, times: int = 3):
    """``original`` with 1-``times`` changes: a value replaced, a key removed or a key added."""
    tree = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, times))):
        paths = list(_paths(tree))
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if action == "delete" and path:
            tree = _delete(tree, path)
        elif action == "add":
            parent = path if isinstance(_get(tree, path), dict) else path[:-1]
            node = _get(tree, parent)
            if isinstance(node, dict):
                node[draw(st.one_of(PATHLIKE, st.text(max_size=10)))] = draw(VALUE)
        else:
            tree = _set(tree, path, draw(VALUE))
    return tree


def _get(tree, path):
    for p in path:
        tree = tree[p]
    return tree


# ------------------------------------------------------------------------------ checks
def cogov(capsys, argv) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def result_or_one_error(code, out: str, err: str) -> None:
    event(f"exit code {code}")  # pytest --hypothesis-show-statistics: how often each ends
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err and "Traceback" not in out, err
    if code == 2:
        assert err.strip().splitlines()[0].startswith("error:"), err


def files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")}


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """The working directory of the commands: nothing may appear in it but --out."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ------------------------------------------------------------------------------- replay
@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("recorded")
    assert main(["run", str(BASELINE), *TINY, "--out", str(tmp / "run"), "-q"]) == 0
    assert main(["compare", str(BASELINE), str(GRANTS), "--reps", "2", *TINY, "--no-figures",
                 "--out", str(tmp / "cmp"), "-q"]) == 0
    return tmp


def _replay_example(capsys, workdir: Path, source: Path, manifest) -> None:
    case = Path(tempfile.mkdtemp(dir=workdir, prefix="case"))
    folder = case / "given"
    shutil.copytree(source, folder)
    text = manifest if isinstance(manifest, str) else json.dumps(manifest, allow_nan=True)
    (folder / "manifest.json").write_text(text, encoding="utf-8", errors="surrogatepass")
    before = files(workdir)
    code, out, err = cogov(capsys, ["replay", folder, "--out", case / "out", "-q"])
    result_or_one_error(code, out, err)
    if code != 0 and code != 1:
        assert "identical" not in out
    made = {p for p in files(workdir) - before if case / "out" not in (p, *p.parents)}
    assert not made, f"written outside --out: {sorted(map(str, made))[:5]}"
    assert not Path("/tmp/escaped_abs.yaml").exists()
    shutil.rmtree(case)


@FUZZ
@given(data=st.data())
def test_fuzzed_run_manifests_give_a_result_or_one_error(capsys, workdir, recorded, data):
    original = json.loads((recorded / "run" / "manifest.json").read_text())
    _replay_example(capsys, workdir, recorded / "run", data.draw(mutated(original)))


@FUZZ
@given(text=st.one_of(st.text(max_size=200), st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
                      st.integers(40, 3000).map(lambda d: "[" * d + "]" * d),
                      st.just('{"command": "run"}'), st.just('{"command": "compare", "scenarios": [[], {}]}'),
                      st.just('{"command": "sweep"}'), st.just("NaN"), st.just('{"command": "run", "seed": 1e999}')))
def test_fuzzed_manifest_text_gives_one_error(capsys, workdir, recorded, text):
    _replay_example(capsys, workdir, recorded / "run", text)


@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_fuzzed_compare_manifests_give_a_result_or_one_error(capsys, workdir, recorded, data):
    original = json.loads((recorded / "cmp" / "manifest.json").read_text())
    _replay_example(capsys, workdir, recorded / "cmp", data.draw(mutated(original)))


# ---------------------------------------------------------------------------- calibrate
QUICK = {
    "name": "quick", "scenario": str(BASELINE),
    "set": {"population.residents_per_community": 500, "run.spin_up_days": 0},
    "years": 1, "replications": 1, "check_replications": 2, "trials": 2, "batch": 2, "seed": 3,
    "targets": [{"outcome": "participation_year", "band": [0.1, 0.3], "source": "T"},
                {"outcome": "committee_duty_share", "band": [0.6, 0.9], "weight": 2, "source": "T"}],
    "parameters": [{"key": "committee.hours_per_duty_item", "low": 0.1, "high": 0.2},
                   {"key": "network.org_ties_per_join"}],
}


@pytest.fixture
def no_trials(monkeypatch):
    """Calibration trials without the model: each target's outcome from its band (the
    inputs are under test, not the model)."""
    import sim.study.calibrate as calibrate

    def stand_in(cal, base, param_sets, seeds, *rest):
        return [{t.outcome: [sum(t.band) / 2] * len(seeds) for t in cal.targets} for _ in param_sets]
    monkeypatch.setattr(calibrate, "_evaluate", stand_in)


def _calibrate_example(capsys, workdir: Path, text: str, flags: list[str]) -> None:
    case = Path(tempfile.mkdtemp(dir=workdir, prefix="case"))
    path = case / "cal.yaml"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    before = files(workdir)
    code, out, err = cogov(capsys, ["calibrate", path, "--out", case / "out", "-q", *flags])
    result_or_one_error(code, out, err)
    made = {p for p in files(workdir) - before if case / "out" not in (p, *p.parents)}
    assert not made, f"written outside --out: {sorted(map(str, made))[:5]}"
    if code == 2:  # refused: no study.log left to block the same --out
        assert not (case / "out" / "study.log").exists() or (case / "out" / "best.json").exists()
    shutil.rmtree(case)


def _yaml(data) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True)
    except (yaml.YAMLError, RecursionError, ValueError):
        return json.dumps(data, allow_nan=True, default=str)


@FUZZ
@given(data=st.data())
def test_fuzzed_calibration_files_give_a_result_or_one_error(capsys, workdir, no_trials, data):
    _calibrate_example(capsys, workdir, _yaml(data.draw(mutated(QUICK))), [])


@FUZZ
@given(text=st.one_of(st.text(max_size=300), st.integers(40, 400).map(lambda d: "a:\n" + "".join(
    "  " * i + "b:\n" for i in range(1, d))), st.just("years: 1\nyears: 2\n"),
    st.just("&a [*a]"), st.just("targets: !!python/object:os.system echo\n")))
def test_fuzzed_calibration_text_gives_one_error(capsys, workdir, no_trials, text):
    _calibrate_example(capsys, workdir, text, [])


FLAG_VALUE = st.one_of(st.integers(-5, 5).map(str), EXTREME.map(str), PATHLIKE.filter(lambda s: "\x00" not in s),
                       st.text(max_size=8).filter(lambda s: "\x00" not in s))


@FUZZ
@given(flags=st.lists(st.tuples(st.sampled_from(["--trials", "--workers", "--executor", "--scheduler"]),
                                FLAG_VALUE), max_size=3),
       resume=st.booleans())
def test_fuzzed_calibrate_flags_give_a_result_or_one_error(capsys, workdir, no_trials, flags, resume):
    argv = [x for pair in flags for x in pair] + (["--resume"] if resume else [])
    if "--scheduler" in argv:  # never a real network address: a closed local port or garbage
        i = argv.index("--scheduler") + 1
        argv[i] = "tcp://127.0.0.1:9" if argv[i].isdigit() else argv[i]
    _calibrate_example(capsys, workdir, yaml.safe_dump(QUICK), argv)


# ----------------------------------------------------------------------------- validate
@pytest.fixture
def no_validation_runs(monkeypatch):
    """validate's runs replaced by a record of the call: what reaches it passed every check."""
    import sim.cli.validate as command
    calls = []
    monkeypatch.setattr(command, "validate", lambda *a, **k: calls.append((a, k)))
    return calls


VALIDATE_FLAGS = st.sampled_from(["--seeds", "--years", "--sizes", "--lever-reps", "--pool-seeds",
                                  "--workers"])
LIST_VALUE = st.one_of(FLAG_VALUE, st.lists(st.integers(-3, 60_000), min_size=1, max_size=4).map(
    lambda xs: ",".join(map(str, xs))))


@FUZZ
@given(flags=st.lists(st.tuples(VALIDATE_FLAGS, LIST_VALUE), max_size=4))
def test_fuzzed_validate_flags_are_checked_before_any_run(capsys, workdir, no_validation_runs, flags):
    no_validation_runs.clear()
    argv = ["validate", "--out", workdir / "out", *[x for pair in flags for x in pair]]
    code, out, err = cogov(capsys, argv)
    result_or_one_error(code, out, err)
    if code == 0:  # it reached the runs: every setting within its bounds
        (seeds, years, sizes, workers, _out, lever_reps), kw = no_validation_runs[0]
        assert 2 <= seeds <= 100 and 2 <= lever_reps <= 1000 and 1 <= workers <= 1024
        assert max(years) >= 4 and all(1 <= y <= 30 for y in years)
        assert all(50 <= s <= 50_000 for s in sizes) and 0 <= kw["pool_seeds"] <= 1000
    else:
        assert not no_validation_runs
    assert sorted(p.name for p in workdir.iterdir()) in ([], ["out"])


REPORT_BLOCK = st.one_of(
    st.text(max_size=200),
    st.builds(lambda body: f"# Validation report\n<!-- VALIDATION DATA\n{body}\n-->\n",
              st.one_of(st.text(max_size=100), st.just('{"config": {}, "fingerprint": {}}'),
                        st.just('{"config": [], "fingerprint": 1}'), st.just("NaN"),
                        st.recursive(st.one_of(st.none(), st.integers(), st.text(max_size=5)),
                                     lambda c: st.dictionaries(st.text(max_size=5), c, max_size=3),
                                     max_leaves=10).map(lambda d: json.dumps(d)))))


@FUZZ
@given(report=REPORT_BLOCK, tables=st.booleans())
def test_fuzzed_reports_for_render_only_give_one_error(capsys, workdir, report, tables):
    out = Path(tempfile.mkdtemp(dir=workdir, prefix="case"))
    (out / "VALIDATION.md").write_text(report, encoding="utf-8", errors="surrogatepass")
    if tables:
        (out / "validation").mkdir()
        for name in ("targets", "stationarity", "levers", "yearly"):
            (out / "validation" / f"{name}.csv").write_text("a,b\n1,2\n")
    code, out_text, err = cogov(capsys, ["validate", "--render-only", "--out", out])
    result_or_one_error(code, out_text, err)
    assert code == 2  # no generated report is a complete one
    shutil.rmtree(out)


def test_the_profiles_are_deterministic():
    """Both budgets are derandomized: a failure is found again on the next run."""
    for name in ("fast", "full"):
        p = settings.get_profile(name)
        assert p.derandomize and p.deadline is None
    assert settings.get_profile("fast").max_examples == 25
    assert settings.get_profile("full").max_examples == 150
