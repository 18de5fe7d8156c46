"""Reading a file a user named: the one bounded read every input goes through.

A path from the user (a bracket or settings file, a saved plan, a key file, the simulator's state)
may be huge, endless (``/dev/zero``) or never answer (a FIFO blocks its reader until a writer
comes). Only a regular file is opened: the kind is checked with ``stat`` first, so nothing else is
ever opened, and once more on the open descriptor (opened non-blocking) in case the path was
swapped in between. Reading at most ``limit + 1`` bytes tells "too large" without ever holding
more. Errors become :class:`FileReadError` with a reason for the caller's message.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

# Opening never waits (a FIFO swapped in after the check) and never adopts a terminal.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class FileReadError(Exception):
    """A file could not be read within its bound; ``reason`` is for the user."""

    def __init__(self, reason: str, *, too_large: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.too_large = too_large


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, refusing one larger than ``limit`` bytes."""
    _check_regular(_stat(path).st_mode)
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        raise FileReadError(_reason(path, error)) from None
    with os.fdopen(descriptor, "rb") as stream:
        _check_regular(os.fstat(descriptor).st_mode)
        try:
            data = stream.read(limit + 1)
        except OSError as error:
            raise FileReadError(_reason(path, error)) from None
    if len(data) > limit:
        raise FileReadError(f"larger than {describe_size(limit)}", too_large=True)
    return data


def _stat(path: Path) -> os.stat_result:
    try:
        return os.stat(path)
    except OSError as error:
        raise FileReadError(_reason(path, error)) from None


def _check_regular(mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    kind = next((name for test, name in _KINDS if test(mode)), "not a file")
    raise FileReadError(f"not a regular file ({kind})")


def _reason(path: Path, error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "a symbolic link loop"
    if error.errno == errno.ENOENT and os.path.islink(path):
        return "a dangling symbolic link (its target does not exist)"
    return error.strerror or type(error).__name__


def describe_size(limit: int) -> str:
    """``1 MiB``, ``64 KiB`` or ``512 bytes``: a bound as people read it."""
    for unit, size in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if limit >= size and limit % size == 0:
            return f"{limit // size} {unit}"
    return f"{limit} bytes"
