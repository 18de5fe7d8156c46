"""The contributor tools agree with the contracts they stand for: ``make test`` is the README's test
command, ``make lint`` / ``make types`` are the quality gates, mypy checks every code directory,
and the repository's own validate hook is the published one."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import pytest
import yaml

from tests.support.paths import REPO_ROOT
from tests.support.readme import readme_test_command

CODE_DIRS = ["src", "tests", "bench"]
TARGETS = ("install", "lint", "types", "test", "bench", "schemas", "record")


def make_variables(text: str) -> dict[str, str]:
    found = re.findall(r"^([A-Z_]+)\s*[?:]?=\s*(.*?)\s*$", text, flags=re.MULTILINE)
    return dict(found)


def expand(line: str, variables: dict[str, str]) -> str:
    previous = None
    while previous != line:
        previous = line
        line = re.sub(r"\$\(([A-Z_]+)\)", lambda m: variables[m.group(1)], line)
    return line


def recipe(target: str) -> list[str]:
    """The commands ``make <target>`` runs, variables expanded (defaults, no overrides)."""
    text = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(rf"^{target}:.*\n((?:\t.*\n?)+)", text, flags=re.MULTILINE)
    assert match, f"the Makefile has no recipe for {target!r}"
    variables = make_variables(text)
    return [expand(line.strip(), variables) for line in match.group(1).splitlines()]


def precommit_hooks(name: str) -> list[dict[str, Any]]:
    config = yaml.safe_load((REPO_ROOT / name).read_text(encoding="utf-8"))
    hooks: list[dict[str, Any]] = (
        config if isinstance(config, list) else [h for r in config["repos"] for h in r["hooks"]]
    )
    return hooks


def test_make_test_is_the_readme_test_command() -> None:
    assert recipe("test") == [readme_test_command()]


@pytest.mark.parametrize("target", TARGETS)
def test_every_contributor_target_exists(target: str) -> None:
    assert recipe(target)


def test_make_lint_and_types_are_the_quality_gates() -> None:
    code = " ".join(CODE_DIRS)
    assert recipe("lint") == [
        f".venv/bin/ruff check {code}",
        f".venv/bin/ruff format --check {code}",
    ]
    assert recipe("types") == [".venv/bin/mypy"]


def test_mypy_checks_every_code_directory() -> None:
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["mypy"]["files"] == CODE_DIRS
    assert sorted(d.name for d in REPO_ROOT.iterdir() if d.name in CODE_DIRS) == sorted(CODE_DIRS)


def test_the_repository_validates_its_brackets_like_the_published_hook() -> None:
    (published,) = precommit_hooks(".pre-commit-hooks.yaml")
    ours = {hook["id"]: hook for hook in precommit_hooks(".pre-commit-config.yaml")}
    assert set(ours) == {"ruff-check", "ruff-format", "mypy", "oco-reconcile-validate"}
    validate = ours[published["id"]]
    assert validate["entry"].endswith(published["entry"])
    assert (validate["files"], validate["pass_filenames"]) == (
        published["files"],
        published["pass_filenames"],
    )
    assert all(hook["language"] == "system" for hook in ours.values())
