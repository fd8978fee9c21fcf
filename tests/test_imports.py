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


def _dynamic_imports(path: Path) -> list[str]:
    """``__import__(...)``, ``importlib`` and ``import_module`` in a source file: imports the
    graph above cannot see."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Name) and node.id == "__import__":
            found.append(f"{path.name}:{node.lineno} __import__")
        elif isinstance(node, ast.Attribute) and node.attr in ("import_module", "__import__"):
            found.append(f"{path.name}:{node.lineno} {node.attr}")
        elif isinstance(node, ast.Import) and any(a.name.split(".")[0] == "importlib" for a in node.names):
            found.append(f"{path.name}:{node.lineno} import importlib")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "importlib":
            found.append(f"{path.name}:{node.lineno} from importlib")
    return found


def test_the_command_line_imports_its_commands_statically():
    """sim/cli loads no module by name: every subcommand is a plain import the graph sees."""
    dynamic = [d for p in sorted((ROOT / "cli").rglob("*.py")) for d in _dynamic_imports(p)]
    assert not dynamic, "dynamic imports in sim/cli: " + ", ".join(dynamic)
    g = import_graph()
    for command in ("run", "compare", "sweep", "report", "replay", "params", "calibrate",
                    "validate", "app"):
        assert f"sim.cli.{command}" in g["sim.cli"], command
    assert "sim.study.compare" in g["sim.cli.compare"] and "sim.app.server" in g["sim.cli.app"]


def test_a_dynamic_import_is_found(tmp_path):
    f = tmp_path / "m.py"
    f.write_text("import importlib\nm = __import__('sim.study.compare')\n"
                 "n = importlib.import_module('sim.study.sweep')\n")
    assert len(_dynamic_imports(f)) == 3


def test_study_and_app_never_import_the_command_line():
    """The command line sits on top: sim.study and sim.app import nothing of sim.cli (lazy
    imports included), so that the library works without it and no cycle can pass through it."""
    g = import_graph()
    up = sorted(f"{m} -> {d}" for m, deps in g.items() if m.startswith(("sim.study", "sim.app"))
                for d in deps if d == "sim.cli" or d.startswith("sim.cli."))
    assert not up, "imports of sim.cli from study/app modules: " + ", ".join(up)
