"""Issue 16: colour follows one rule (commands/console.py) -- escape codes appear with
``FORCE_COLOR`` even through a pipe, never with ``--no-color`` or ``NO_COLOR``."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from oco_reconcile.commands.console import choose_color, make_console
from tests.support.bracket_files import ONE_BRACKET
from tests.support.cli import run_main

ESC = "\x1b["


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    yield
    choose_color(no_color=False)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "oco-reconcile.yaml").write_text("exchange: sim\nowner: ocr\n", encoding="utf-8")
    (tmp_path / "brackets").mkdir()
    (tmp_path / "brackets" / "btc.yaml").write_text(ONE_BRACKET, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def output(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    capsys.readouterr()
    assert run_main(list(argv)) in (0, 2)
    return capsys.readouterr().out


@pytest.mark.parametrize("command", ["plan", "show"])
def test_force_color_colours_through_a_pipe(
    command: str, repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ESC not in output(capsys, command)  # a pipe, nothing forced: plain
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert ESC in output(capsys, command)


@pytest.mark.parametrize("command", ["plan", "show"])
def test_no_color_wins_over_force_color(
    command: str, repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert ESC not in output(capsys, command, "--no-color")
    monkeypatch.setenv("NO_COLOR", "1")
    assert ESC not in output(capsys, command)


def test_every_colouring_command_takes_no_color(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("plan", "apply", "watch", "show"):
        assert run_main([command, "--help"]) == 0
        assert "--no-color" in capsys.readouterr().out, command


def test_a_console_prints_no_escape_code_at_all_when_colour_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = io.StringIO()
    make_console(file=coloured).print("x", style="bold red")
    assert ESC in coloured.getvalue()

    choose_color(no_color=True)
    plain = io.StringIO()
    make_console(file=plain).print("x", style="bold red")  # not even bold
    assert plain.getvalue() == "x\n"

    choose_color(no_color=False)
    monkeypatch.setenv("NO_COLOR", "1")
    plain = io.StringIO()
    make_console(file=plain).print("x", style="bold red")
    assert plain.getvalue() == "x\n"
