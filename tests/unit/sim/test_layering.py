"""The simulator's two halves stay apart: the engine never reaches for the HTTP face.

``sim/engine/`` is the exchange state machine; ``sim/wire/`` (and ``exchange.py`` / ``cli.py``
that join and drive them) may import the engine, never the other way round, and the engine imports
no HTTP, socket or crypto library.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT

SIM_DIR = REPO_ROOT / "src" / "oco_reconcile" / "sim"
ENGINE_FORBIDDEN = (
    "oco_reconcile.sim.wire",
    "oco_reconcile.sim.exchange",
    "oco_reconcile.sim.cli",
    "httpx",
    "http",
    "socket",
    "socketserver",
    "cryptography",
    "typer",
)


def imported_modules(source: str) -> set[str]:
    """Every module a source imports, at any level (absolute imports only: the package uses no
    relative ones)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def forbidden_imports(source: str) -> list[str]:
    return sorted(
        name
        for name in imported_modules(source)
        if any(name == bad or name.startswith(bad + ".") for bad in ENGINE_FORBIDDEN)
    )


def engine_modules() -> list[Path]:
    return sorted((SIM_DIR / "engine").glob("*.py"))


def test_the_engine_has_modules() -> None:
    assert len(engine_modules()) > 5


@pytest.mark.parametrize("path", engine_modules(), ids=lambda path: path.name)
def test_engine_module_imports_no_wire_and_no_http(path: Path) -> None:
    assert forbidden_imports(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "from oco_reconcile.sim.wire.codes import MSG_BUSY",
        "from oco_reconcile.sim import wire",
        "import httpx",
        "def f():\n    from http.server import HTTPServer\n",
        "from oco_reconcile.sim.exchange import open_sim",
    ],
)
def test_the_check_finds_a_planted_violation(source: str) -> None:
    assert forbidden_imports(source)


def test_the_check_passes_engine_style_imports() -> None:
    source = "from oco_reconcile.sim.engine.records import Event\nimport threading\n"
    assert forbidden_imports(source) == []
