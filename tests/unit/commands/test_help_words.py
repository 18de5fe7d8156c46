"""Issue 16 "Details": every ``--help`` names values with words (``PATH...``, ``SYMBOL PRICE``,
``URL``), never typer's Python types (``<list[Path]>``, ``<bool>``, ``{symbol}``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import typer
from typer._click import Command, Context  # typer >= 0.29 ships its own click
from typer.core import TyperGroup

from oco_reconcile.commands.app import app
from tests.support.cli import run_main

# A Python type where a word belongs: <...>, {...}, or a bare type name as a metavar.
PYTHON_TYPES = re.compile(r"<[^>]*>|\{[^}]*\}|\b(?:list\[|str|int|float|bool|Path|NoneType)\b")


def command_paths(group: Command, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield prefix
    if isinstance(group, TyperGroup):
        ctx = Context(group)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None
            yield from command_paths(command, (*prefix, name))


ALL_COMMANDS = list(command_paths(typer.main.get_command(app)))


def help_of(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> str:
    assert run_main([*path, "--help"]) == 0
    return capsys.readouterr().out


def test_every_command_is_visited() -> None:
    names = {" ".join(path) for path in ALL_COMMANDS}
    assert {"", "plan", "apply", "watch", "sim price", "sim fill"} <= names


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda p: " ".join(p) or "root")
def test_help_shows_words_not_python_types(
    path: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    text = help_of(path, capsys)
    assert PYTHON_TYPES.findall(text) == [], text


def test_the_words_the_issue_asks_for(capsys: pytest.CaptureFixture[str]) -> None:
    plan = help_of(("plan",), capsys)
    assert " plan [OPTIONS] [PATH]...\n" in plan
    assert "--base-url URL" in plan
    assert "--target NAME" in plan
    assert "--out FILE" in plan
    assert "--interval SECONDS" in help_of(("watch",), capsys)
    assert " sim price [OPTIONS] SYMBOL PRICE\n" in help_of(("sim", "price"), capsys)
