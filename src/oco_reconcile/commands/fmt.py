"""``fmt [PATH...] [--check]``: bracket files in the canonical layout (render/bracket_format.py),
comments kept. A file is rewritten only when it is valid and its formatted text reads to exactly
the same brackets; the write is atomic (a sibling file, then a rename). ``--check`` changes
nothing and exits 1 listing the files that would change.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from oco_reconcile.core.settings import Settings
from oco_reconcile.errors import EXIT_ERROR, EXIT_OK, InputError, Problem

if TYPE_CHECKING:
    from oco_reconcile.inputs.brackets import BracketFile


class Outcome(StrEnum):
    UNCHANGED = "unchanged"
    CHANGED = "reformatted"
    WOULD_CHANGE = "would reformat"
    REFUSED = "not formatted"


@dataclass(frozen=True)
class FileResult:
    path: Path
    outcome: Outcome
    reason: str = ""


def run_fmt(paths: Sequence[Path], *, check: bool) -> int:
    """The whole ``fmt`` command; returns the exit code."""
    from oco_reconcile.inputs.discovery import bracket_files, classify_paths
    from oco_reconcile.inputs.settings import read_settings

    settings_file, bracket_paths, problems = classify_paths(paths)
    settings, settings_problems = read_settings(settings_file)
    if problems or settings_problems:
        raise InputError([*problems, *settings_problems])
    results = [_one(path, settings, check=check) for path in bracket_files(bracket_paths)]
    for result in results:
        if result.outcome is not Outcome.UNCHANGED:
            reason = f" ({result.reason})" if result.reason else ""
            typer.echo(f"{result.outcome.value} {result.path}{reason}")
    return _exit_code(results, check=check)


def _exit_code(results: Sequence[FileResult], *, check: bool) -> int:
    refused = any(r.outcome is Outcome.REFUSED for r in results)
    pending = check and any(r.outcome is Outcome.WOULD_CHANGE for r in results)
    return EXIT_ERROR if refused or pending else EXIT_OK


def _one(path: Path, settings: Settings, *, check: bool) -> FileResult:
    from oco_reconcile.inputs.brackets import read_bracket_file
    from oco_reconcile.render.bracket_format import normalised

    before = read_bracket_file(path, settings)
    if before.problems:
        return FileResult(path, Outcome.REFUSED, f"{_count(before.problems)}: run validate")
    from ruamel.yaml.error import YAMLError

    text = path.read_text(encoding="utf-8-sig")
    try:
        formatted = normalised(text)
    except YAMLError as error:  # valid for our reader, yet the round trip cannot read it
        return FileResult(path, Outcome.REFUSED, f"ruamel.yaml cannot read it: {error}")
    if formatted == text:
        return FileResult(path, Outcome.UNCHANGED)
    if check:
        return FileResult(path, Outcome.WOULD_CHANGE)
    return _write_if_same(path, formatted, settings, before)


def _count(problems: Sequence[Problem]) -> str:
    from oco_reconcile.core.words import counted

    return counted(len(problems), "problem")


def _write_if_same(
    path: Path, formatted: str, settings: Settings, before: BracketFile
) -> FileResult:
    """Write ``formatted`` over ``path`` only if it reads to the same brackets as before."""
    from oco_reconcile.inputs.brackets import read_bracket_file

    sibling = path.with_name(f".{path.name}.fmt")
    try:
        sibling.write_text(formatted, encoding="utf-8")
    except OSError as error:
        return FileResult(path, Outcome.REFUSED, f"cannot write beside it: {error.strerror}")
    try:
        after = read_bracket_file(sibling, settings)
        if after.problems or _meaning(after) != _meaning(before):
            return FileResult(path, Outcome.REFUSED, "the formatted file would read differently")
        os.replace(sibling, path)
        return FileResult(path, Outcome.CHANGED)
    finally:
        sibling.unlink(missing_ok=True)


def _meaning(read: BracketFile) -> tuple[object, ...]:
    """What a bracket file means: its brackets (``source`` lines take no part in equality)."""
    return (read.brackets, read.futures)
