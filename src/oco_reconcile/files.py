"""Reading a file a user named: the one bounded read every input goes through.

A path from the user (a bracket or settings file, a saved plan, a private key file) may be huge or
endless (``/dev/zero``); reading at most ``limit + 1`` bytes tells "too large" without ever
holding more. Errors become :class:`FileReadError` with a reason for the caller's message.
"""

from __future__ import annotations

from pathlib import Path


class FileReadError(Exception):
    """A file could not be read within its bound; ``reason`` is for the user."""

    def __init__(self, reason: str, *, too_large: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.too_large = too_large


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, refusing a file larger than ``limit`` bytes."""
    try:
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
    except OSError as error:
        raise FileReadError(error.strerror or type(error).__name__) from None
    if len(data) > limit:
        raise FileReadError(f"larger than {describe_size(limit)}", too_large=True)
    return data


def describe_size(limit: int) -> str:
    """``1 MiB``, ``64 KiB`` or ``512 bytes``: a bound as people read it."""
    for unit, size in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if limit >= size and limit % size == 0:
            return f"{limit // size} {unit}"
    return f"{limit} bytes"
