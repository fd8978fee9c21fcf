"""The sim package's import graph has no cycles, lazy imports (inside functions) included:
each module can be read after the modules it imports."""

from __future__ import annotations

import ast
from pathlib import Path

import sim

ROOT = Path(sim.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """module -> the sim modules it imports anywhere in its source."""
    files = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[:len(base) - (node.level - 1)]
                    mod = ".".join(base + ([node.module] if node.module else []))
                else:
                    mod = node.module or ""
                # "from . import x" imports the module x when there is one (the package
                # itself is always initialised first, by Python, not by this import)
                subs = [f"{mod}.{a.name}" for a in node.names if f"{mod}.{a.name}" in files]
                targets = subs or [mod]
            else:
                continue
            for t in targets:
                if t in files and t != name:
                    deps.add(t)
        graph[name] = deps
    return graph


def _cycle(graph):
    colour, stack = {}, []

    def visit(n):
        colour[n] = 1
        stack.append(n)
        for d in sorted(graph[n]):
            if colour.get(d) == 1:
                return stack[stack.index(d):] + [d]
            if d not in colour:
                found = visit(d)
                if found:
                    return found
        colour[n] = 2
        stack.pop()
        return None

    for n in sorted(graph):
        if n not in colour:
            found = visit(n)
            if found:
                return found
    return None


def test_the_graph_is_read_from_the_source():
    g = import_graph()
    assert "sim.model" in g and "sim.kernels" in g["sim.processes.needs"]
    assert "sim.app.server" in g


def test_the_sim_package_has_no_import_cycle():
    cycle = _cycle(import_graph())
    assert cycle is None, " -> ".join(cycle)


def test_a_cycle_is_found():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_long_modules_say_why():
    """A module of the package over 400 lines says in its docstring why it is one module
    ("Why one long module: ...")."""
    silent = []
    for path in sorted(ROOT.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(text)) or ""
        if text.count("\n") > 400 and "Why one long module" not in doc:
            silent.append(f"{path.relative_to(ROOT.parent)} ({text.count(chr(10))} lines)")
    assert not silent, "long modules without their reason in the docstring: " + ", ".join(silent)
