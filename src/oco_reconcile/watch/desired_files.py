"""The bracket files as ``watch`` sees them: reloaded when they change, validated first.

A ``git pull`` in the working tree changes the files under a running watch. Each look compares
the (path, size, mtime) of the settings file and every bracket file the PATHs name (so a file
added or removed counts too); on a change everything is loaded and validated again. A broken
edit is reported with every problem and the last good desired state stays in force. A changed
settings file is reported but not used: the venues, the owner and the guardrails a watch runs
with are those it started with (restart it to change them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from oco_reconcile.errors import InputError, Problem
from oco_reconcile.inputs.desired import LoadedInputs, load_selected
from oco_reconcile.inputs.discovery import bracket_files, classify_paths

Stamp = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class Reloaded:
    inputs: LoadedInputs
    settings_changed: bool


@dataclass(frozen=True)
class Rejected:
    problems: tuple[Problem, ...]


def stamp_of(paths: Sequence[Path]) -> Stamp:
    """What :class:`DesiredFiles` compares: every input file's path, size and mtime."""
    settings, bracket_paths, _ = classify_paths(paths)
    files = [*([settings] if settings is not None else []), *bracket_files(bracket_paths)]
    return tuple(_stat(path) for path in files)


def _stat(path: Path) -> tuple[str, int, int]:
    try:
        info = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), info.st_size, info.st_mtime_ns)


class DesiredFiles:
    """The last good inputs, and :meth:`look` for a newer good (or a rejected) version."""

    def __init__(
        self,
        paths: Sequence[Path],
        load: Callable[[Sequence[Path]], LoadedInputs] = load_selected,
    ) -> None:
        self._paths = list(paths)
        self._load = load
        self._stamp = stamp_of(self._paths)
        self.current = load(self._paths)

    def look(self) -> Reloaded | Rejected | None:
        """None when nothing changed since the last look."""
        try:
            stamp = stamp_of(self._paths)
        except (InputError, OSError) as error:
            stamp = (("unreadable", hash(str(error)), 0),)
        if stamp == self._stamp:
            return None
        self._stamp = stamp
        try:
            loaded = self._load(self._paths)
        except InputError as error:
            return Rejected(tuple(error.problems))
        settings_changed = loaded.settings != self.current.settings
        self.current = loaded if not settings_changed else _keep_settings(loaded, self.current)
        return Reloaded(self.current, settings_changed)


def _keep_settings(loaded: LoadedInputs, running: LoadedInputs) -> LoadedInputs:
    return replace(loaded, settings=running.settings, settings_file=running.settings_file)
