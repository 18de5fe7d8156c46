"""Start-up stays small: ``--help`` and ``validate`` import nothing they do not use (issue 17).

Each case runs the command in a real process with ``python -X importtime`` and reads the modules
it imported from stderr, so an eager import anywhere on the path (ours or a library's) shows.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# pydantic: typer's adapter, which commands/typer_params.py keeps out; rich.markdown: typer's
# rich help; httpx: only commands that talk to an exchange; jsonschema: only what checks files.
NEVER = ("httpx", "pydantic", "rich.markdown")
CASES = {
    "--help": ("--help",),
    "validate --help": ("validate", "--help"),
    "validate": ("validate",),
    "validate PATHS": ("validate", "brackets", "oco-reconcile.yaml"),
}
NOT_FOR_HELP = ("jsonschema",)
BRACKETS = """\
brackets:
  - name: btc-exit
    symbol: BTCUSDT
    side: SELL
    quantity: "0.01"
    take_profit: {price: "125000"}
    stop_loss: {stop_price: "98000", price: "97900"}
"""


def imported_modules(args: tuple[str, ...], cwd: Path) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "oco_reconcile", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert lines, "python -X importtime printed nothing"
    return {line.rsplit("|", 1)[1].strip() for line in lines}


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    (root / "oco-reconcile.yaml").write_text("exchange: sim\n", encoding="utf-8")
    (root / "brackets").mkdir()
    (root / "brackets" / "btc.yaml").write_text(BRACKETS, encoding="utf-8")
    return root


@pytest.mark.parametrize("case", sorted(CASES))
def test_start_up_imports_nothing_it_does_not_use(repository: Path, case: str) -> None:
    modules = imported_modules(CASES[case], repository)
    unwanted = NEVER + (NOT_FOR_HELP if "--help" in case else ())
    found = sorted(
        name
        for name in unwanted
        if any(module == name or module.startswith(name + ".") for module in modules)
    )
    assert found == [], f"{case} imports {found}"


def test_validate_does_check_the_schema(repository: Path) -> None:
    """The other side of the cases above: validate does load jsonschema and libyaml."""
    modules = imported_modules(CASES["validate"], repository)
    assert {"jsonschema", "yaml._yaml"} <= modules
