"""The inputs package is layered: every module imports its inputs neighbours at top level, and the
import graph has no cycle (the settings loader sits below the desired-state entry, not beside it).
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT

PACKAGE = REPO_ROOT / "src" / "oco_reconcile" / "inputs"
MODULES = sorted(path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__")
PREFIX = "oco_reconcile.inputs."


def imported(path: Path, *, top_level: bool) -> set[str]:
    """The inputs modules ``path`` imports at module level, or anywhere below it."""
    tree = ast.parse(path.read_text("utf-8"))
    nodes = tree.body if top_level else [node for node in ast.walk(tree) if node not in tree.body]
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith(PREFIX):
                found.add(node.module.removeprefix(PREFIX))
            elif node.module == "oco_reconcile.inputs":
                found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("module", MODULES)
def test_no_lazy_imports_of_inputs_modules(module: str) -> None:
    assert imported(PACKAGE / f"{module}.py", top_level=False) == set()


def test_the_inputs_import_graph_has_no_cycle() -> None:
    graph = {module: imported(PACKAGE / f"{module}.py", top_level=True) for module in MODULES}
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as error:
        pytest.fail(f"import cycle: {error.args[1]}")
    assert order.index("settings") < order.index("discovery") < order.index("desired")
    assert graph["settings"] >= {"yamldoc", "schema"}
