"""docs/ODD.md stays in step with the code.

(a) The parameter table between the markers is exactly what docs/gen_params.py generates
    from the current schema.
(b) Every step of CoGovModel.step (its "# N." comments) has a matching "**N." entry in ODD
    section 3, in the same numbering, and every function or method of the ``sim`` package
    that the code of step N calls is named in ODD's entry N (as ``Class.method`` /
    ``module.function``, or as written in the code without ``self.``).
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import re
import textwrap
from pathlib import Path

import pytest

from sim import model as model_mod
from sim.model import CoGovModel
from sim.params import Scenario

DOCS = Path(__file__).resolve().parent.parent / "docs"
ODD = DOCS / "ODD.md"
STEP_COMMENT = re.compile(r"^\s*#\s*(\d+)\.\s")
ODD_STEP = re.compile(r"^\*\*(\d+)\.", re.M)


def _gen_params():
    spec = importlib.util.spec_from_file_location("gen_params", DOCS / "gen_params.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _odd() -> str:
    return ODD.read_text(encoding="utf-8")


def _section3(text: str) -> str:
    m = re.search(r"^## 3\.[^\n]*\n(.*?)(?=^## 4\.)", text, re.M | re.S)
    assert m, "docs/ODD.md has no '## 3. ...' section followed by '## 4. ...'"
    return m.group(1)


# ------------------------------------------------------------------------- (a) parameters
def test_parameter_table_is_current():
    gen = _gen_params()
    text = _odd()
    assert gen.BEGIN in text and gen.END in text, \
        "docs/ODD.md lacks the parameter markers; add them and run `python docs/gen_params.py`"
    assert gen.current_block(text) == gen.render_block(), (
        "The parameter table in docs/ODD.md does not match sim/params.py: "
        "run `python docs/gen_params.py` to regenerate it")


def test_parameter_table_lists_every_key():
    from sim.params import parameter_table
    block = _gen_params().current_block(_odd())
    missing = [r["key"] for r in parameter_table() if f"`{r['key']}`" not in block]
    assert not missing, f"parameters missing from docs/ODD.md: {missing}; run `python docs/gen_params.py`"


# ------------------------------------------------------------------------ (b) the day
def _step_chunks() -> dict[int, list[ast.stmt]]:
    """Statements of CoGovModel.step grouped by the numbered comment that precedes them."""
    src = textwrap.dedent(inspect.getsource(CoGovModel.step))
    lines = src.splitlines()
    marks = [(i + 1, int(m.group(1))) for i, line in enumerate(lines)
             if (m := STEP_COMMENT.match(line))]
    assert marks, "CoGovModel.step has no numbered '# N.' comments; tests/test_docs.py needs them"
    func = ast.parse(src).body[0]
    chunks: dict[int, list[ast.stmt]] = {n: [] for _, n in marks}
    for stmt in func.body:
        before = [n for line, n in marks if line < stmt.lineno]
        if before:
            chunks[before[-1]].append(stmt)
    return chunks


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _bind(target: ast.AST, value, ns: dict) -> None:
    if isinstance(target, ast.Name):
        ns[target.id] = value
    elif isinstance(target, (ast.Tuple, ast.List)):
        for t, v in zip(target.elts, value):
            _bind(t, v, ns)


def _namespace(model: CoGovModel, chunks) -> dict:
    """Names that the code of step() uses, bound to live objects of a small model."""
    ns = dict(vars(model_mod))
    ns.update(self=model, p=model.p, pop=model.pop, s=model.streams, day=model.clock)
    for stmts in chunks.values():
        for stmt in stmts:
            for node in ast.walk(stmt):
                if isinstance(node, ast.For):
                    try:
                        first = next(iter(eval(compile(ast.Expression(node.iter), "<step>", "eval"), ns)))
                    except Exception:
                        continue
                    _bind(node.target, first, ns)
    return ns


def _resolve(name: str, ns: dict):
    root, *rest = name.split(".")
    if root not in ns:
        return None
    obj = ns[root]
    for part in rest:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _sim_callees(stmts, ns) -> list[tuple[str, set[str]]]:
    """(source name, accepted spellings) of each call to a function of the sim package."""
    out = []
    for stmt in stmts:
        for node in ast.walk(stmt):
            if not isinstance(node, ast.Call):
                continue
            name = _dotted(node.func)
            if name is None:
                continue
            obj = _resolve(name, ns)
            func = getattr(obj, "__func__", obj)
            module = getattr(func, "__module__", "") or ""
            if not module.startswith("sim.") or not callable(obj):
                continue
            qual = func.__qualname__
            spellings = {qual, name.removeprefix("self.")}
            if "." not in qual:  # a module-level function: module.function
                spellings.add(f"{module.rsplit('.', 1)[-1]}.{qual}")
            out.append((name, spellings))
    return out


@pytest.fixture(scope="module")
def tiny_model():
    sc = Scenario.model_validate({"population": {"residents_per_community": 300},
                                  "run": {"days": 3}})
    return CoGovModel(sc, rng=3, collect=False)


def test_section3_has_every_numbered_step():
    code_steps = sorted(_step_chunks())
    odd_steps = sorted(int(n) for n in ODD_STEP.findall(_section3(_odd())))
    assert odd_steps == code_steps, (
        f"CoGovModel.step is numbered {code_steps} but ODD section 3 has steps {odd_steps}: "
        "update docs/ODD.md section 3 ('**N. ...**' paragraphs) to the order of the code")


def test_section3_names_every_process(tiny_model):
    chunks = _step_chunks()
    ns = _namespace(tiny_model, chunks)
    sec3 = _section3(_odd())
    # the text of ODD step N runs from its "**N." marker to the next marker
    marks = [(m.start(), int(m.group(1))) for m in ODD_STEP.finditer(sec3)]
    text_of = {n: sec3[a:b] for (a, n), (b, _) in zip(marks, marks[1:] + [(len(sec3), None)])}
    problems = []
    checked = 0
    for n, stmts in chunks.items():
        for name, spellings in _sim_callees(stmts, ns):
            checked += 1
            if not any(sp in text_of.get(n, "") for sp in spellings):
                problems.append(f"step {n}: `{name}` (write one of {sorted(spellings)})")
    assert checked >= 8, f"only {checked} sim calls found in CoGovModel.step: the parser is broken"
    assert not problems, ("ODD section 3 does not name these processes of CoGovModel.step "
                          "under their step number:\n  " + "\n  ".join(problems))


def test_dispute_chains_in_odd_match_the_code():
    """The chain table of ODD 7.9 lists, per dispute type, the channels of
    ``sim.processes.disputes.PREFERENCE`` in the same order."""
    from sim.processes.disputes import PREFERENCE
    text = _odd()
    block = text[text.index("**Chains**"):]
    block = block[block.index("```") + 3:]
    block = block[:block.index("```")]
    table = {}
    for line in block.strip().splitlines():
        dtype, rest = line.split(":", 1)
        table[dtype.strip()] = tuple(ch.strip() for ch in rest.split("(")[0].split(","))
    assert table == {t: tuple(chain) for t, chain in PREFERENCE.items()}


def test_where_the_defaults_land_is_current():
    """ODD 1.3 is what docs/gen_patterns.py computes from the current model (ten baseline
    years): the calibration figures cannot drift from the code."""
    spec = importlib.util.spec_from_file_location("gen_patterns", DOCS / "gen_patterns.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.current_block(_odd()) == mod.table(mod.baseline_summaries()), \
        "ODD 1.3 is stale: run `python docs/gen_patterns.py`"
