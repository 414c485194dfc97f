"""Static import graph of the project's own modules: no cycles, and the layers import only downwards.

Every ``import``/``from … import`` is read with ``ast`` wherever it stands (module level, functions,
``TYPE_CHECKING`` blocks); relative imports are resolved against the importing module. An import of
``pkg.name`` points at the submodule when one exists, else at the package. Nothing is imported.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "index", "qa", "eval", "fulian_qa")
MODULES = ("ui",)
FORBIDDEN = {
    "core": {"index", "qa", "eval", "fulian_qa", "ui"},
    "index": {"qa", "eval", "fulian_qa", "ui"},
    "qa": {"eval", "fulian_qa", "ui"},
}
Edges = dict[tuple[str, str], str]  # (importer, imported) -> "file:line" of the first such import


def module_files() -> dict[str, Path]:
    """Dotted module name → file, for every .py file of the project's packages and top-level modules."""
    files = {name: ROOT / f"{name}.py" for name in MODULES}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return files


def resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    """The absolute name ``from <level dots><target>`` means inside ``module``."""
    if not level:
        return target or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, target] if target else base)


def known(name: str, modules: set[str]) -> str | None:
    """The deepest project module that ``name`` or one of its parents names, or None."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in modules:
            return ".".join(parts[:end])
    return None


def imports_of(module: str, path: Path, modules: set[str]) -> dict[str, int]:
    """Project modules ``module`` imports → line of the first import."""
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = resolve(module, path.name == "__init__.py", node.level, node.module)
            names = [f"{base}.{alias.name}" if base else alias.name for alias in node.names]
        for name in names:
            target = known(name, modules)
            if target and target != module:
                found.setdefault(target, node.lineno)
    return found


@cache
def import_graph() -> Edges:
    """Every import between two project modules (read once per test session; do not modify)."""
    files = module_files()
    edges: Edges = {}
    for module, path in files.items():
        for target, line in imports_of(module, path, set(files)).items():
            edges[(module, target)] = f"{path.relative_to(ROOT)}:{line}"
    return edges


def find_cycle(edges: Edges) -> list[str]:
    """One import cycle as [a, b, …, a], or [] when the graph has none (iterative depth-first search)."""
    graph: dict[str, list[str]] = {}
    for a, b in sorted(edges):
        graph.setdefault(a, []).append(b)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if state.get(start):
            continue
        path, stack = [start], [iter(graph.get(start, []))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(graph.get(nxt, [])))
    return []


def reachable(edges: Edges, start: str) -> set[str]:
    """Every module ``start`` imports directly or through others."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    seen, todo = set(), [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def cycles(edges: Edges) -> list[list[str]]:
    """One cycle per group of modules that import each other (strongly connected, more than one module)."""
    reach = {m: reachable(edges, m) for m in sorted({m for edge in edges for m in edge})}
    groups = {frozenset(m for m in reach[n] if n in reach[m]) for n in reach if n in reach[n]}
    return sorted(find_cycle({e: w for e, w in edges.items() if set(e) <= group}) for group in groups)


def layer(module: str) -> str:
    return module.split(".")[0]


def test_relative_imports_resolve_against_the_importing_module():
    assert resolve("qa.answer", False, 1, "figures") == "qa.figures"
    assert resolve("fulian_qa.api", True, 1, "deps") == "fulian_qa.api.deps"
    assert resolve("fulian_qa.api.deps", False, 2, None) == "fulian_qa"
    assert known("eval.run.main", {"eval", "eval.run"}) == "eval.run"
    assert find_cycle({("a", "b"): "", ("b", "c"): "", ("c", "a"): ""}) == ["a", "b", "c", "a"]
    assert find_cycle({("a", "b"): "", ("a", "c"): "", ("b", "c"): ""}) == []
    two = {("a", "b"): "", ("b", "a"): "", ("b", "c"): "", ("c", "d"): "", ("d", "c"): "", ("e", "a"): ""}
    assert cycles(two) == [["a", "b", "a"], ["c", "d", "c"]]


def test_the_graph_covers_every_package_and_sees_lazy_imports():
    edges = import_graph()
    assert {layer(a) for a, _ in edges} >= {*PACKAGES, *MODULES}
    assert ("eval.run", "eval.report") in edges  # imported inside a function
    assert ("fulian_qa.cli", "eval.run") in edges


@pytest.mark.parametrize("package", [*PACKAGES, *MODULES])
def test_no_import_cycles(package):
    edges = import_graph()
    found = [c for c in cycles(edges) if any(layer(m) == package for m in c)]
    shown = ["\n  ".join(f"{a} -> {b} ({edges[(a, b)]})" for a, b in zip(c, c[1:], strict=False)) for c in found]
    assert not found, f"import cycles through {package}:\n  " + "\n\n  ".join(shown)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_import_only_downwards(package):
    breaks = [f"{a} -> {b} ({where})" for (a, b), where in sorted(import_graph().items())
              if layer(a) == package and layer(b) in FORBIDDEN[package]]
    assert not breaks, f"{package} imports {', '.join(sorted(FORBIDDEN[package]))}:\n  " + "\n  ".join(breaks)
