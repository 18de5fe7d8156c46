"""Desired state: CLI PATH arguments -> settings and validated, frozen ``Bracket`` values.

Every problem of every file (settings and brackets, every layer) is reported in one run as
``file:line: ...``. Each bracket file is read on its own (:mod:`~oco_reconcile.inputs.brackets`);
what only the whole set can show is checked here: names are unique across files, and one live
order list is adopted by at most one bracket.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from oco_reconcile.core.model import Bracket, SourceLocation
from oco_reconcile.core.settings import Settings
from oco_reconcile.errors import BugError, InputError, Problem
from oco_reconcile.inputs.brackets import BracketFile, read_bracket_file
from oco_reconcile.inputs.discovery import bracket_files, classify_paths
from oco_reconcile.inputs.names import name_warnings
from oco_reconcile.inputs.outside import names_outside
from oco_reconcile.inputs.settings import read_settings


def load_brackets(paths: Sequence[Path], settings: Settings) -> tuple[Bracket, ...]:
    """Every bracket in ``paths`` (files or directories); raises :class:`InputError` carrying every
    problem in every file."""
    missing = [
        Problem(str(path), "no such file or directory")
        for path in paths
        if not os.path.lexists(path)
    ]
    brackets, problems = _read_brackets(
        bracket_files([path for path in paths if os.path.lexists(path)]), settings
    )
    if missing or problems:
        raise InputError(missing + problems)
    return brackets


@dataclass(frozen=True)
class LoadedInputs:
    """Everything one run read: the settings (and their file), the bracket files, the brackets,
    and (for :func:`load_selected`) the names defined in the repository's other bracket files."""

    settings: Settings
    settings_file: Path | None
    files: tuple[Path, ...]
    brackets: tuple[Bracket, ...]
    outside: Mapping[str, str] = field(default_factory=dict)


def load_inputs(paths: Sequence[Path]) -> tuple[Settings, tuple[Bracket, ...]]:
    """Settings and brackets from CLI PATH arguments; every problem of both in one InputError."""
    loaded = _load(paths)
    return loaded.settings, loaded.brackets


def load_selected(paths: Sequence[Path]) -> LoadedInputs:
    """:func:`load_inputs` for ``plan``/``apply``: also the names the repository's bracket files
    outside the selected ones define (:mod:`~oco_reconcile.inputs.outside`)."""
    loaded = _load(paths)
    outside, problems = names_outside(loaded.settings_file, loaded.files)
    if problems:
        raise InputError(problems)
    return replace(loaded, outside=outside)


def validate_paths(paths: Sequence[Path]) -> str:
    """``validate``: load everything (raising InputError with every problem) and summarise, then
    one warning line per name Binance's firewall may reject (:mod:`~oco_reconcile.inputs.names`)."""
    loaded = _load(paths)
    count, files = len(loaded.brackets), len(loaded.files)
    settings = "defaults" if loaded.settings_file is None else str(loaded.settings_file)
    brackets = f"{count} bracket{'s' if count != 1 else ''}"
    summary = f"OK: {brackets} in {files} file{'s' if files != 1 else ''} (settings: {settings})"
    return "\n".join([summary, *name_warnings(loaded.brackets)])


def _load(paths: Sequence[Path]) -> LoadedInputs:
    settings_file, bracket_paths, problems = classify_paths(paths)
    settings, settings_problems = read_settings(settings_file)
    files = bracket_files(bracket_paths)
    brackets, bracket_problems = _read_brackets(files, settings)
    everything = problems + settings_problems + bracket_problems
    if everything:
        raise InputError(everything)
    return LoadedInputs(settings, settings_file, files, brackets)


def _read_brackets(
    files: Sequence[Path], settings: Settings
) -> tuple[tuple[Bracket, ...], list[Problem]]:
    results = [(str(path), read_bracket_file(path, settings)) for path in files]
    duplicates = _duplicate_problems(results)
    problems: list[Problem] = []
    for file, result in results:
        extra = duplicates.get(file, [])
        problems.extend(
            sorted([*result.problems, *extra], key=lambda p: (p.line or 0, p.field or ""))
        )
    brackets = tuple(bracket for _, result in results for bracket in result.brackets)
    problems.extend(_adopt_problems(brackets))
    if not problems and sum(len(result.names) for _, result in results) != len(brackets):
        raise BugError("a bracket was dropped without a reported problem")
    return brackets, problems


def _duplicate_problems(results: Sequence[tuple[str, BracketFile]]) -> dict[str, list[Problem]]:
    """Names are identities: each repeat is reported where it is, naming the first definition."""
    first: dict[str, tuple[str, int | None]] = {}
    found: dict[str, list[Problem]] = {}
    for file, result in results:
        for name, line in result.names:
            if name not in first:
                first[name] = (file, line)
                continue
            where = (
                first[name][0] if first[name][1] is None else f"{first[name][0]}:{first[name][1]}"
            )
            message = (
                f"duplicate name: already defined at {where} "
                "(names must be unique across all files)"
            )
            found.setdefault(file, []).append(
                Problem(file, message, line=line, bracket=name, field="name")
            )
    return found


def _adopt_problems(brackets: Sequence[Bracket]) -> list[Problem]:
    """One live list stands for at most one bracket."""
    first: dict[str, Bracket] = {}
    problems = []
    for bracket in brackets:
        if bracket.adopt is None:
            continue
        if bracket.adopt not in first:
            first[bracket.adopt] = bracket
            continue
        source = bracket.source or SourceLocation("?")
        message = (
            f"list {bracket.adopt!r} is already adopted by bracket '{first[bracket.adopt].name}'"
        )
        problems.append(
            Problem(source.file, message, line=source.line, bracket=bracket.name, field="adopt")
        )
    return problems
