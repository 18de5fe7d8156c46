"""The bracket names defined in the repository but outside the selected files.

When PATH arguments select some bracket files, the repository's other bracket files (the
``brackets/`` directory next to the settings file, as default discovery finds it) are read only
for their names, so the planner can leave those brackets' live lists alone instead of pruning
them. Those files are not validated further: a bad price elsewhere does not stop planning here.

A file whose names cannot all be read (unreadable YAML, no ``brackets`` list, an entry without a
string ``name``) is an input error: without its names the plan could cancel what it defines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from oco_reconcile.errors import InputError, Problem
from oco_reconcile.inputs.discovery import DEFAULT_BRACKETS_DIR, bracket_files, file_key
from oco_reconcile.inputs.document import Document
from oco_reconcile.inputs.yamldoc import read_document

WHY = "needed to leave this file's brackets alone while planning other files"


def repository_brackets_dir(settings_file: Path | None) -> Path:
    """The repository's default bracket directory: ``brackets/`` beside the settings file."""
    root = Path() if settings_file is None else settings_file.parent
    return root / DEFAULT_BRACKETS_DIR


def names_outside(
    settings_file: Path | None, selected: Sequence[Path]
) -> tuple[dict[str, str], list[Problem]]:
    """(name -> the file defining it, problems) for the repository's bracket files that are not
    among ``selected``; the first file defining a name wins (duplicates are `validate`'s job)."""
    directory = repository_brackets_dir(settings_file)
    if not directory.is_dir():
        return {}, []
    chosen = {file_key(path) for path in selected}
    found: dict[str, str] = {}
    problems: list[Problem] = []
    for file in bracket_files([directory]):
        if file_key(file) in chosen:
            continue
        names, file_problems = _names_in(file)
        problems.extend(file_problems)
        for name in names:
            found.setdefault(name, str(file))
    return found, problems


def _names_in(file: Path) -> tuple[list[str], list[Problem]]:
    try:
        document = read_document(file)
    except InputError as error:
        return [], [_explained(problem) for problem in error.problems]
    if document.empty:
        return [], []
    data = document.data
    items = data.get("brackets") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return [], [Problem(document.file, f"no 'brackets' list: the names are {WHY}")]
    return _item_names(document, items)


def _item_names(document: Document, items: list[object]) -> tuple[list[str], list[Problem]]:
    names: list[str] = []
    problems: list[Problem] = []
    for i, item in enumerate(items):
        name = item.get("name") if isinstance(item, dict) else None
        if isinstance(name, str):
            names.append(name)
        else:
            line = document.line_of(("brackets", i))
            message = f"brackets[{i}] has no name: the names are {WHY}"
            problems.append(Problem(document.file, message, line=line, field="name"))
    return names, problems


def _explained(problem: Problem) -> Problem:
    return replace(problem, message=f"{problem.message} ({WHY})")
