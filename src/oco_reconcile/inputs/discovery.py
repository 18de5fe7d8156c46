"""Which files are inputs: CLI PATH arguments -> the settings file and the bracket files.

A file named ``oco-reconcile.yaml``/``.yml`` is the settings file; anything else is a bracket file
or a directory of them. With no PATH the current directory's settings file and ``brackets/``
apply. A bracket-named entry that is not a regular file (a dangling symlink, a symlink loop, a
FIFO) is kept, not skipped: reading it (``files.py``) reports what it is.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from oco_reconcile.errors import InputError, Problem
from oco_reconcile.inputs.settings import SETTINGS_FILE_NAMES, settings_file_in

DEFAULT_BRACKETS_DIR = "brackets"
BRACKET_SUFFIXES = (".yaml", ".yml")


def resolve_inputs(paths: Sequence[Path]) -> tuple[Path | None, tuple[Path, ...]]:
    """Split CLI PATH arguments into (settings file, bracket paths). A file named
    ``oco-reconcile.yaml``/``.yml`` is the settings file; defaults (in the current directory) are
    ``oco-reconcile.yaml`` when it exists and ``brackets/`` when no bracket path is given.
    A PATH that does not exist is a problem (:class:`InputError`)."""
    settings, brackets, problems = classify_paths(paths)
    if problems:
        raise InputError(problems)
    return settings, brackets


def classify_paths(paths: Sequence[Path]) -> tuple[Path | None, tuple[Path, ...], list[Problem]]:
    """:func:`resolve_inputs` that returns its problems instead of raising them."""
    settings: Path | None = None
    brackets: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        is_settings = _is_settings_file(path)
        if not os.path.lexists(path):
            problems.append(Problem(str(path), "no such file or directory"))
        elif is_settings and settings is not None and file_key(settings) != file_key(path):
            problems.append(
                Problem(str(path), f"a second settings file (already using {settings})")
            )
        elif is_settings:
            settings = path
        else:
            brackets.append(path)
    gave_brackets = any(not _is_settings_file(path) for path in paths)
    if settings is None:
        settings = settings_file_in(Path())
    if not gave_brackets and Path(DEFAULT_BRACKETS_DIR).is_dir():
        brackets.append(Path(DEFAULT_BRACKETS_DIR))
    return settings, tuple(brackets), problems


def _is_settings_file(path: Path) -> bool:
    return path.name in SETTINGS_FILE_NAMES and not path.is_dir()


def bracket_files(paths: Sequence[Path]) -> tuple[Path, ...]:
    """Bracket files from files and directories (recursively ``*.yaml``/``*.yml``, sorted, hidden
    files and directories and settings files skipped), each file once."""
    files: dict[str, Path] = {}
    for path in paths:
        for file in _walk(path) if path.is_dir() else [path]:
            files.setdefault(file_key(file), file)
    return tuple(files.values())


def file_key(path: Path) -> str:
    """Where ``path`` leads; ``Path.resolve`` raises on a symlink loop, ``realpath`` does not."""
    return os.path.realpath(path)


def _walk(directory: Path) -> list[Path]:
    """Bracket-named entries under ``directory``, sorted. Symlinked directories are followed (a
    repository may share a directory of brackets that way), each real directory once, so a link
    back up the tree ends instead of looping. A directory that cannot be listed is an error, not
    a skip: its brackets would otherwise be pruned."""
    found: list[Path] = []
    seen: set[tuple[int, int]] = set()
    for root, directories, names in os.walk(directory, onerror=_unlistable, followlinks=True):
        identity = _identity(root)
        if identity in seen:
            directories[:] = []
            continue
        seen.add(identity)
        directories[:] = [name for name in directories if not name.startswith(".")]
        found.extend(Path(root, name) for name in names if _is_bracket_name(name))
    return sorted(found)


def _identity(directory: str) -> tuple[int, int]:
    try:
        info = os.stat(directory)
    except OSError as error:  # it went away while being walked
        _unlistable(error)
    return (info.st_dev, info.st_ino)


def _is_bracket_name(name: str) -> bool:
    hidden = name.startswith(".") or name in SETTINGS_FILE_NAMES
    return not hidden and Path(name).suffix in BRACKET_SUFFIXES


def _unlistable(error: OSError) -> NoReturn:
    reason = error.strerror or type(error).__name__
    raise InputError([Problem(str(error.filename), f"cannot list: {reason}")])
