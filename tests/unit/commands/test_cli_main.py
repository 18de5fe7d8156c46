"""The CLI edge: one handler maps outcomes to the exit codes (README "Exit codes"); users never see
tracebacks."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest
import typer.main

from oco_reconcile import errors
from oco_reconcile.commands import app as cli
from tests.support.cli import run_main


def test_version_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main(["--version"]) == 0
    assert "oco-reconcile 0.1.0" in capsys.readouterr().out


def test_the_console_entry_collects_garbage_less_often() -> None:
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)  # CPython's default
        assert run_main(["--version"]) == 0
        assert gc.get_threshold() == cli.GC_THRESHOLDS
        assert cli.GC_THRESHOLDS[0] > 700
    finally:
        gc.set_threshold(*before)


def test_unknown_option_is_a_user_error_without_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_main(["validate", "--no-such-flag"]) == errors.EXIT_ERROR
    err = capsys.readouterr().err
    assert "No such option: --no-such-flag" in err
    assert "Traceback" not in err


def test_input_error_lists_every_problem(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(paths: object) -> str:
        raise errors.InputError(
            [errors.Problem("a.yaml", "first", line=1), errors.Problem("b.yaml", "second")]
        )

    monkeypatch.setattr("oco_reconcile.inputs.desired.validate_paths", broken)
    assert run_main(["validate"]) == errors.EXIT_ERROR
    err = capsys.readouterr().err
    assert "a.yaml:1: first" in err
    assert "b.yaml: second" in err
    assert "Traceback" not in err


def test_an_unexpected_exception_is_a_bug_with_a_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def crash(paths: object) -> str:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("oco_reconcile.inputs.desired.validate_paths", crash)
    assert run_main(["validate"]) == errors.EXIT_BUG
    assert "This is a bug in oco-reconcile" in capsys.readouterr().err


def test_keyboard_interrupt_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(paths: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("oco_reconcile.inputs.desired.validate_paths", interrupted)
    assert run_main(["validate"]) == errors.EXIT_INTERRUPTED


def all_command_paths() -> list[list[str]]:
    """Every command and sub-command of the app, e.g. ``["plan"]``, ``["sim", "serve"]``."""
    root = typer.main.get_command(cli.app)
    paths: list[list[str]] = []

    def walk(group: object, prefix: list[str]) -> None:
        for name, command in getattr(group, "commands", {}).items():
            paths.append([*prefix, name])
            walk(command, [*prefix, name])

    walk(root, [])
    return paths


def test_every_command_has_help() -> None:
    paths = all_command_paths()
    assert {"validate", "plan", "apply", "import", "sim"} <= {p[0] for p in paths}
    for path in paths:
        result = subprocess.run(
            [sys.executable, "-m", "oco_reconcile", *path, "--help"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, (path, result.stderr)
        assert "Usage:" in result.stdout
