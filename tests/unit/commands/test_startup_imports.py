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
# A valid repository is proven valid by inputs/schema_fast.py: jsonschema explains errors only.
NOT_FOR_VALID_FILES = ("jsonschema",)
BRACKETS = """\
brackets:
  - name: btc-exit
    symbol: BTCUSDT
    side: SELL
    quantity: "0.01"
    take_profit: {price: "125000"}
    stop_loss: {stop_price: "98000", price: "97900"}
"""


def imported_modules(args: tuple[str, ...], cwd: Path, *, exit_code: int = 0) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "oco_reconcile", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == exit_code, done.stderr[-2000:]
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
    unwanted = NEVER + NOT_FOR_VALID_FILES
    found = sorted(
        name
        for name in unwanted
        if any(module == name or module.startswith(name + ".") for module in modules)
    )
    assert found == [], f"{case} imports {found}"


def test_validate_reads_with_libyaml(repository: Path) -> None:
    modules = imported_modules(CASES["validate"], repository)
    assert "yaml._yaml" in modules


def test_an_invalid_file_is_explained_by_jsonschema(tmp_path: Path) -> None:
    """The other side of the cases above: a schema error is reported through jsonschema."""
    (tmp_path / "oco-reconcile.yaml").write_text("exchange: sim\n", encoding="utf-8")
    (tmp_path / "brackets").mkdir()
    broken = BRACKETS.replace("side: SELL", "side: SELL\n    colour: red")
    (tmp_path / "brackets" / "btc.yaml").write_text(broken, encoding="utf-8")
    modules = imported_modules(CASES["validate"], tmp_path, exit_code=1)
    assert "jsonschema" in modules


def test_commands_that_talk_to_an_exchange_skip_httpx_command_line(tmp_path: Path) -> None:
    """httpx imports its command line (click, pygments, rich) whenever click is installed, as it
    is here (the test extra); ``commands/app.main`` keeps it out of every command."""
    plain = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import httpx"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert " click\n" in plain.stderr  # without the entry point's rule, it is imported
    (tmp_path / "oco-reconcile.yaml").write_text("exchange: sim\n", encoding="utf-8")
    (tmp_path / "brackets").mkdir()
    (tmp_path / "brackets" / "btc.yaml").write_text(BRACKETS, encoding="utf-8")
    modules = imported_modules(("plan",), tmp_path)
    assert "httpx" in modules
    assert {"click", "pygments"} & modules == set()
