"""The checks GitHub files must pass, as the tests run them: actionlint (with shellcheck on every
``run:`` script) and check-jsonschema's vendored GitHub schemas, both from the test extra."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    path = BIN / name
    assert path.exists(), f"{name} is part of the test extra; reinstall with .[test]"
    return str(path)


def actionlint(paths: list[Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    """actionlint on ``paths`` as the repository at ``cwd`` sees them."""
    return subprocess.run(
        [
            tool("actionlint"),
            "-no-color",
            "-oneline",
            "-pyflakes=",
            f"-shellcheck={tool('shellcheck')}",
            *(str(path.relative_to(cwd)) for path in paths),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )


def check_schema(schema: str, paths: list[Path]) -> subprocess.CompletedProcess[str]:
    """check-jsonschema with one of its built-in schemas (``vendor.github-workflows``...)."""
    return subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", schema, *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
