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
from oco_reconcile.core.usdm.model import FuturesBracket
from oco_reconcile.errors import BugError, InputError, Problem
from oco_reconcile.inputs.brackets import BracketFile, read_bracket_file
from oco_reconcile.inputs.discovery import bracket_files, classify_paths
from oco_reconcile.inputs.names import name_warnings
from oco_reconcile.inputs.outside import names_outside
from oco_reconcile.inputs.settings import read_settings
from oco_reconcile.json_types import JsonObject


def load_brackets(paths: Sequence[Path], settings: Settings) -> tuple[Bracket, ...]:
    """Every bracket in ``paths`` (files or directories); raises :class:`InputError` carrying every
    problem in every file."""
    missing = [
        Problem(str(path), "no such file or directory")
        for path in paths
        if not os.path.lexists(path)
    ]
    brackets, _, problems = _read_brackets(
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
    futures: tuple[FuturesBracket, ...] = ()


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
    return _summary_text(loaded)


VALIDATE_FORMAT_VERSION = 1


def validate_json(paths: Sequence[Path]) -> tuple[JsonObject, bool]:
    """``validate --format json``: every problem (file, line, bracket, field, message) and the
    summary counts, and whether the input is valid (exit 0) or not (exit 1)."""
    loaded, problems = _gather(paths)
    valid = not problems
    warnings = name_warnings(loaded.brackets) if valid else []
    futures = len(loaded.futures)
    summary = {
        "brackets": len(loaded.brackets) + futures,
        "futures": futures,
        "files": len(loaded.files),
        "settings": None if loaded.settings_file is None else str(loaded.settings_file),
        "problems": len(problems),
        "warnings": len(warnings),
    }
    document = {
        "format_version": VALIDATE_FORMAT_VERSION,
        "valid": valid,
        "summary": summary,
        "problems": [_problem_json(problem) for problem in problems],
        "warnings": warnings,
    }
    return document, valid


def _problem_json(problem: Problem) -> JsonObject:
    return {
        "file": problem.file,
        "line": problem.line,
        "bracket": problem.bracket,
        "field": problem.field,
        "message": problem.message,
    }


def _summary_text(loaded: LoadedInputs) -> str:
    futures = len(loaded.futures)
    count, files = len(loaded.brackets) + futures, len(loaded.files)
    settings = "defaults" if loaded.settings_file is None else str(loaded.settings_file)
    brackets = f"{count} bracket{'s' if count != 1 else ''}"
    if futures:
        brackets += f" ({futures} futures)"
    summary = f"OK: {brackets} in {files} file{'s' if files != 1 else ''} (settings: {settings})"
    return "\n".join([summary, *name_warnings(loaded.brackets)])


def _load(paths: Sequence[Path]) -> LoadedInputs:
    loaded, problems = _gather(paths)
    if problems:
        raise InputError(problems)
    return loaded


def _gather(paths: Sequence[Path]) -> tuple[LoadedInputs, list[Problem]]:
    """What was read, and every problem found (the brackets are partial when there are any)."""
    settings_file, bracket_paths, problems = classify_paths(paths)
    settings, settings_problems = read_settings(settings_file)
    files = bracket_files(bracket_paths)
    brackets, futures, bracket_problems = _read_brackets(files, settings)
    everything = problems + settings_problems + bracket_problems + _unread_market(futures, settings)
    return LoadedInputs(settings, settings_file, files, brackets, futures=futures), everything


def _read_brackets(
    files: Sequence[Path], settings: Settings
) -> tuple[tuple[Bracket, ...], tuple[FuturesBracket, ...], list[Problem]]:
    results = [(str(path), read_bracket_file(path, settings)) for path in files]
    duplicates = _duplicate_problems(results)
    problems: list[Problem] = []
    for file, result in results:
        extra = duplicates.get(file, [])
        problems.extend(
            sorted([*result.problems, *extra], key=lambda p: (p.line or 0, p.field or ""))
        )
    brackets = tuple(bracket for _, result in results for bracket in result.brackets)
    futures = tuple(bracket for _, result in results for bracket in result.futures)
    problems.extend(_adopt_problems(brackets))
    problems.extend(_futures_adopt_problems(futures))
    read = len(brackets) + len(futures)
    if not problems and sum(len(result.names) for _, result in results) != read:
        raise BugError("a bracket was dropped without a reported problem")
    return brackets, futures, problems


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


def _unread_market(futures: Sequence[FuturesBracket], settings: Settings) -> list[Problem]:
    """A futures bracket in a run whose settings' ``markets`` leave USDⓈ-M futures unread would
    be silently ignored: an error instead."""
    if settings.reads_usdm(bool(futures)):
        return []
    where = "the settings" if settings.source is None else str(settings.source)
    message = f"market usdm is not in the markets of {where}: add usdm to read this bracket"
    return [
        Problem(source.file, message, line=source.line, bracket=bracket.name, field="market")
        for bracket in futures
        for source in [bracket.source or SourceLocation("?")]
    ]


def _futures_adopt_problems(brackets: Sequence[FuturesBracket]) -> list[Problem]:
    """One live algo order stands for at most one futures bracket leg."""
    first: dict[str, str] = {}
    problems = []
    for bracket in brackets:
        for client_algo_id in bracket.adopt:
            if client_algo_id not in first:
                first[client_algo_id] = bracket.name
                continue
            source = bracket.source or SourceLocation("?")
            message = (
                f"algo order {client_algo_id!r} is already adopted by bracket "
                f"'{first[client_algo_id]}'"
            )
            problems.append(
                Problem(source.file, message, line=source.line, bracket=bracket.name, field="adopt")
            )
    return problems
