"""The architecture, checked on the source tree itself (with ``ast``, nothing is imported):

* ``core`` is pure: no I/O, clock, randomness, threads, terminal or network module, no
  ``open(``/``print(``, and nothing of this package outside ``core``, ``errors`` and
  ``json_types``;
* no import cycle between the modules of ``src/oco_reconcile``;
* no module over :data:`MAX_MODULE_LINES` lines.

Each checker also runs on a small planted violation, so a checker that stopped finding anything
fails too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT

PACKAGE = "oco_reconcile"
SRC = REPO_ROOT / "src"
PACKAGE_DIR = SRC / PACKAGE
MAX_MODULE_LINES = 400
PARALLEL_RESHAPE = "cycles removed by the parallel reshape; lead removes this mark"
OVERSIZE_RESHAPE = "modules split by the parallel reshape; lead removes this mark"

# Modules core may not import: I/O, processes, network, clocks, randomness, concurrency, the
# terminal and the CLI framework. A prefix bans its submodules too (``http`` bans ``http.client``).
IMPURE_MODULES = frozenset(
    {
        "io",
        "os",
        "sys",
        "pathlib",
        "socket",
        "ssl",
        "http",
        "urllib.request",
        "httpx",
        "requests",
        "websockets",
        "threading",
        "concurrent",
        "asyncio",
        "multiprocessing",
        "subprocess",
        "time",
        "datetime",
        "random",
        "signal",
        "selectors",
        "logging",
        "rich",
        "typer",
        "shutil",
        "tempfile",
    }
)
# core/settings.py types its ``source`` field as a Path: the name as a type, never its I/O.
ALLOWED_FROM_IMPORTS = {"pathlib": frozenset({"Path"})}
IMPURE_CALLS = frozenset({"open", "print", "input"})
IO_METHODS = frozenset(
    {
        "open",
        "read_text",
        "read_bytes",
        "write_text",
        "write_bytes",
        "iterdir",
        "glob",
        "rglob",
        "mkdir",
        "unlink",
        "touch",
        "rmdir",
        "exists",
    }
)
CORE_MAY_IMPORT = (f"{PACKAGE}.core", f"{PACKAGE}.errors", f"{PACKAGE}.json_types")


# --- reading the tree ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    """One import statement's target, resolved to an absolute dotted name."""

    module: str
    names: tuple[str, ...]  # for ``from module import a, b``; () for ``import module``
    line: int


def module_name(path: Path, root: Path = SRC) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_modules(package_dir: Path = PACKAGE_DIR) -> dict[str, Path]:
    return {module_name(p, package_dir.parent): p for p in sorted(package_dir.rglob("*.py"))}


def imports_of(tree: ast.AST, module: str, is_package: bool) -> Iterator[Import]:
    """Every import anywhere in the tree (top level, in functions, under TYPE_CHECKING)."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (Import(alias.name, (), node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, package)
            yield Import(base, tuple(alias.name for alias in node.names), node.lineno)


def _absolute(target: str | None, level: int, package: str) -> str:
    if level == 0:
        return target or ""
    parts = package.split(".")
    base = parts[: len(parts) - (level - 1)]
    return ".".join([*base, target] if target else base)


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


# --- core is pure -------------------------------------------------------------------------------


def _banned(module: str) -> bool:
    return any(module == name or module.startswith(f"{name}.") for name in IMPURE_MODULES)


def _import_violations(found: Import) -> Iterator[str]:
    allowed = ALLOWED_FROM_IMPORTS.get(found.module)
    if allowed is not None and found.names and set(found.names) <= allowed:
        return
    if _banned(found.module):
        yield f"line {found.line}: imports {found.module}"
        return
    # ``from oco_reconcile import x``: x is the target, a module or a name of the package root.
    targets = [f"{PACKAGE}.{n}" for n in found.names] if found.module == PACKAGE else [found.module]
    for target in targets:
        if _within(target, PACKAGE) and not any(_within(target, o) for o in CORE_MAY_IMPORT):
            yield f"line {found.line}: imports {target} (outside core)"


def _within(module: str, owner: str) -> bool:
    return module == owner or module.startswith(f"{owner}.")


def _call_violations(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in IMPURE_CALLS:
            yield f"line {node.lineno}: calls {func.id}()"
        elif isinstance(func, ast.Attribute) and func.attr in IO_METHODS:
            yield f"line {node.lineno}: calls .{func.attr}()"


def purity_violations(source: str, module: str, is_package: bool = False) -> list[str]:
    """What makes this core module impure, one line each (empty: pure)."""
    tree = ast.parse(source)
    found = [v for i in imports_of(tree, module, is_package) for v in _import_violations(i)]
    return found + list(_call_violations(tree))


CORE_MODULES = {
    name: path for name, path in source_modules().items() if _within(name, f"{PACKAGE}.core")
}


@pytest.mark.parametrize("module", sorted(CORE_MODULES))
def test_core_is_pure(module: str) -> None:
    path = CORE_MODULES[module]
    source = path.read_text(encoding="utf-8")

    assert purity_violations(source, module, path.name == "__init__.py") == []


@pytest.mark.parametrize(
    "source",
    [
        "import os",
        "import os.path",
        "from datetime import datetime",
        "import time as clock",
        "from http.client import HTTPSConnection",
        "from pathlib import Path, PurePath",
        "import pathlib",
        "def f():\n    import random\n    return random.random()",
        "from oco_reconcile.venues.urls import PRODUCTION_URL",
        "from oco_reconcile import __version__",
        "from oco_reconcile.inputs import desired",
        "from ..render import plan",
        "print('hi')",
        "def f(p):\n    return open(p)",
        "def f(p):\n    return p.read_text()",
    ],
)
def test_the_purity_check_catches_a_planted_violation(source: str) -> None:
    assert purity_violations(source, f"{PACKAGE}.core.planted") != []


@pytest.mark.parametrize(
    "source",
    [
        "from pathlib import Path\nsource: Path | None = None",
        "from oco_reconcile.core.model import Bracket",
        "from oco_reconcile.errors import UsageError",
        "from oco_reconcile.json_types import JsonObject",
        "from .model import Bracket",
        "import hashlib, json, re",
        "from decimal import Decimal",
    ],
)
def test_the_purity_check_allows_what_core_may_use(source: str) -> None:
    assert purity_violations(source, f"{PACKAGE}.core.planted") == []


# --- no import cycle ----------------------------------------------------------------------------


def import_graph(modules: Mapping[str, Path]) -> dict[str, set[str]]:
    """module -> the package modules it imports (``from pkg import mod`` is an edge to pkg.mod)."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for found in imports_of(_parse(path), name, path.name == "__init__.py"):
            graph[name].update(_targets(found, modules))
        graph[name].discard(name)
    return graph


def _targets(found: Import, modules: Mapping[str, Path]) -> Iterator[str]:
    submodules = [f"{found.module}.{n}" for n in found.names if f"{found.module}.{n}" in modules]
    yield from submodules
    if found.module in modules and len(submodules) < max(len(found.names), 1):
        yield found.module


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in graph.get(node, ()):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = _pop_component(stack, on_stack, node)
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _pop_component(stack: list[str], on_stack: set[str], root: str) -> list[str]:
    component = []
    while True:
        node = stack.pop()
        on_stack.discard(node)
        component.append(node)
        if node == root:
            return component


def cycle_path(graph: Mapping[str, Iterable[str]], component: list[str]) -> list[str]:
    """One concrete cycle through the component's first module: ``a -> b -> a``."""
    start, members = component[0], set(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for succ in sorted(graph.get(node, ())):
            if succ == start:
                return [*paths[node], start]
            if succ in members and succ not in paths:
                paths[succ] = [*paths[node], succ]
                queue.append(succ)
    return component


def _describe(graph: Mapping[str, Iterable[str]], found: list[list[str]]) -> str:
    return "; ".join(" -> ".join(cycle_path(graph, component)) for component in found)


OWN_AREA = tuple(f"{PACKAGE}.{name}" for name in ("core", "planfile", "render"))


def test_core_planfile_and_render_are_in_no_import_cycle() -> None:
    graph = import_graph(source_modules())
    mine = [c for c in cycles(graph) if any(_within(m, a) for m in c for a in OWN_AREA)]

    assert mine == [], _describe(graph, mine)


def test_no_import_cycle_in_the_package() -> None:
    graph = import_graph(source_modules())
    found = cycles(graph)

    assert found == [], _describe(graph, found)


def test_the_cycle_check_finds_a_planted_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}, "f": set()}

    found = cycles(graph)

    assert found == [["a", "b", "c"]]
    assert _describe(graph, found) == "a -> b -> c -> a"
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_the_import_graph_sees_function_level_and_relative_imports(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from pkg import b\n    return b\n")
    (package / "b.py").write_text("from . import c\n")
    (package / "c.py").write_text("from .a import f\n")

    graph = import_graph(source_modules(package))

    assert graph["pkg.a"] == {"pkg.b"}
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]


# --- module size --------------------------------------------------------------------------------


def oversized(modules: Mapping[str, Path], limit: int = MAX_MODULE_LINES) -> dict[str, int]:
    counts = {
        name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in modules.items()
    }
    return {name: count for name, count in sorted(counts.items()) if count > limit}


def test_core_planfile_and_render_modules_are_small() -> None:
    modules = source_modules()
    mine = {n: p for n, p in modules.items() if any(_within(n, area) for area in OWN_AREA)}

    assert oversized(mine) == {}


def test_no_module_is_over_the_line_limit() -> None:
    assert oversized(source_modules()) == {}


def test_the_size_check_finds_a_planted_long_module(tmp_path: Path) -> None:
    (tmp_path / "long.py").write_text("x = 1\n" * 5)
    (tmp_path / "short.py").write_text("x = 1\n")

    found = oversized({"long": tmp_path / "long.py", "short": tmp_path / "short.py"}, limit=4)

    assert found == {"long": 5}
