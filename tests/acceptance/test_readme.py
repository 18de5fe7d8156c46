"""The README's quick start is the contract with a new user: two one-line commands, and CI runs
exactly the test command it gives."""

from __future__ import annotations

from tests.support.paths import REPO_ROOT
from tests.support.readme import quick_start_commands, readme_test_command

ROOT = REPO_ROOT


def test_quick_start_has_exactly_two_one_line_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    assert all("\n" not in command for command in commands)
    main_job, tests = commands
    assert "oco-reconcile plan" in main_job
    assert "oco-reconcile apply --auto-approve" in main_job
    assert '".[test]"' in tests


def test_ci_runs_the_readme_test_command() -> None:
    assert readme_test_command() == ".venv/bin/python -m pytest"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert '"$venv/bin/python" -m pytest\n' in ci
    assert 'pip install --quiet -e ".[test]"' in ci
