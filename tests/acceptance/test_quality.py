"""Lint and types are part of the suite, so the README's one test command checks them too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT

ROOT = REPO_ROOT
BIN = Path(sys.executable).parent
CODE_DIRS = [d for d in ("src", "tests", "bench") if (ROOT / d).is_dir()]


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", *CODE_DIRS],
        ["ruff", "format", "--check", *CODE_DIRS],
        ["mypy"],
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict"],
)
def test_code_quality_gate(command: list[str]) -> None:
    executable = BIN / command[0]
    assert executable.exists(), f"{command[0]} is part of the test extra"
    result = subprocess.run(
        [str(executable), *command[1:]], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
