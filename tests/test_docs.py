"""docs/ODD.md stays in step with the code.

(a) The parameter table between the markers is exactly what docs/gen_params.py generates
    from the current schema.
(b) Every process of ``sim.model.DAY_ORDER`` has a matching "**N." entry in ODD section 3,
    N being its place in the list (then one more entry, the day's outcomes); entry N names
    the process's class and every function or method of the ``sim`` package that its
    ``step`` and ``end_day`` call (as ``Class.method`` / ``module.function``, or as written in
    the code without ``self.``).
"""

from __future__ import annotations

import ast
import copy
import importlib.util
import inspect
import re
import sys
import textwrap
from pathlib import Path

import pytest

from sim.model import DAY_ORDER, CoGovModel
from sim.params import Scenario

DOCS = Path(__file__).resolve().parent.parent / "docs"
ODD = DOCS / "ODD.md"
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
def _method_body(cls, method: str) -> list[ast.stmt]:
    """The statements of ``cls.method`` as written (none if the class inherits it)."""
    if method not in vars(cls):
        return []
    src = textwrap.dedent(inspect.getsource(vars(cls)[method]))
    return ast.parse(src).body[0].body


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


def _namespace(model: CoGovModel, process, stmts) -> dict:
    """Names that a process's code uses, bound to live objects of a small model."""
    ns = dict(vars(sys.modules[type(process).__module__]))
    ns.update(self=process, m=model, model=model, p=model.p, pop=model.pop, s=model.streams)
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


def _sim_callees(stmts, ns, own: str = "") -> list[tuple[str, set[str]]]:
    """(source name, accepted spellings) of each call to a function of the sim package
    (not the process's own methods, ``own.*``: its ODD 7.x section describes those)."""
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
            if not module.startswith("sim.") or not callable(obj) or isinstance(obj, type):
                continue
            qual = func.__qualname__
            if own and qual.startswith(own + "."):
                continue
            spellings = {qual, name.removeprefix("self.").removeprefix("m.")}
            if "." not in qual:  # a module-level function: module.function
                spellings.add(f"{module.rsplit('.', 1)[-1]}.{qual}")
            out.append((name, spellings))
    return out


@pytest.fixture(scope="module")
def tiny_model():
    sc = Scenario.model_validate({"population": {"residents_per_community": 300},
                                  "run": {"days": 3}})
    return CoGovModel(sc, rng=3, collect=False)


def _odd_entries() -> dict[int, str]:
    """The text of each "**N." entry of ODD section 3, up to the next entry."""
    sec3 = _section3(_odd())
    marks = [(m.start(), int(m.group(1))) for m in ODD_STEP.finditer(sec3)]
    return {n: sec3[a:b] for (a, n), (b, _) in zip(marks, marks[1:] + [(len(sec3), None)])}


def test_section3_has_a_step_for_every_process_in_day_order():
    odd_steps = sorted(_odd_entries())
    want = list(range(len(DAY_ORDER) + 1))  # the processes, then the day's outcomes
    assert odd_steps == want, (
        f"sim.model.DAY_ORDER has {len(DAY_ORDER)} processes (steps 0..{len(DAY_ORDER) - 1}, "
        f"then {len(DAY_ORDER)}: outcomes) but ODD section 3 has steps {odd_steps}: update "
        "docs/ODD.md section 3 ('**N. ...**' paragraphs) to the order of DAY_ORDER")


def test_section3_names_every_process_and_what_it_calls(tiny_model):
    entries = _odd_entries()
    problems = []
    checked = 0
    for n, cls in enumerate(DAY_ORDER):
        text = entries.get(n, "")
        module_file = cls.__module__.replace(".", "/") + ".py"
        if f"`{cls.__name__}`" not in text or module_file not in text:
            problems.append(f"step {n}: name the process as `{cls.__name__}` ({module_file})")
        process = tiny_model.process(cls.name)
        stmts = _method_body(cls, "step") + _method_body(cls, "end_day")
        ns = _namespace(tiny_model, process, stmts)
        for name, spellings in _sim_callees(stmts, ns, own=cls.__name__):
            checked += 1
            if not any(sp in text for sp in spellings):
                problems.append(f"step {n}: `{name}` (write one of {sorted(spellings)})")
    assert checked >= 20, f"only {checked} sim calls found in the processes' steps: the parser is broken"
    assert "outcomes.daily" in entries.get(len(DAY_ORDER), ""), "the last ODD step is the day's outcomes"
    assert not problems, ("ODD section 3 does not name these processes and calls under their "
                          "step number:\n  " + "\n  ".join(problems))


def test_the_step_loop_follows_day_order(tiny_model):
    """The model runs its processes in DAY_ORDER: a recorder wrapped around every step sees
    them in that order, once each, then every end_day."""
    m = copy.deepcopy(tiny_model)
    seen = []
    for proc in m.processes:
        for method in ("step", "end_day"):
            inner = getattr(proc, method)
            setattr(proc, method, lambda inner=inner, name=f"{proc.name}.{method}": (seen.append(name), inner()))
    m.step()
    names = [cls.name for cls in DAY_ORDER]
    assert seen == [f"{n}.step" for n in names] + [f"{n}.end_day" for n in names]


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


@pytest.mark.slow
def test_where_the_defaults_land_is_current():
    """ODD 1.3 is what docs/gen_patterns.py computes from the current model (ten baseline
    years): the calibration figures cannot drift from the code."""
    spec = importlib.util.spec_from_file_location("gen_patterns", DOCS / "gen_patterns.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.current_block(_odd()) == mod.table(mod.baseline_summaries()), \
        "ODD 1.3 is stale: run `python docs/gen_patterns.py`"
