"""Plan files on disk: ``plan --out`` writes one, ``apply <file>`` reads one back.

A saved plan is untrusted input (it may be old, edited or not a plan at all): reading stops past
:data:`MAX_PLAN_BYTES` before anything is parsed, and every way it can be wrong is a
:class:`~oco_reconcile.errors.UsageError` naming the file.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from oco_reconcile.core.plan import Plan
from oco_reconcile.errors import UsageError
from oco_reconcile.files import FileReadError, read_bounded
from oco_reconcile.json_types import JsonObject
from oco_reconcile.planfile.codec import (
    Fingerprints,
    SavedPlan,
    dump_document,
    plan_document,
    plan_from_document,
)

# A plan of tens of thousands of brackets stays well below this; anything larger is not a plan
# this tool wrote, and refusing it early keeps json.loads from holding it all in memory.
MAX_PLAN_BYTES = 64 * 1024 * 1024


def save_plan(
    plan: Plan, path: Path | str, fingerprints: Fingerprints, selection: JsonObject | None = None
) -> None:
    """Write the plan document to ``path`` (Decimals as strings; no secrets exist in a plan).

    Written in place, not through a temporary file and a rename: ``path`` may be a device or a
    link the user wants written, never replaced. A write that fails half-way (a full disk)
    removes the regular file it truncated, so no partial plan is left to apply."""
    text = dump_document(plan_document(plan, fingerprints, selection))
    target = Path(path)
    try:
        stream = target.open("w", encoding="utf-8")
    except OSError as error:
        raise _unwritable(target, error) from None
    try:
        with stream:
            stream.write(text)
    except OSError as error:
        _remove_partial(target)
        raise _unwritable(target, error) from None


def _unwritable(path: Path, error: OSError) -> UsageError:
    return UsageError(f"cannot save the plan to {path}: {error.strerror or type(error).__name__}")


def _remove_partial(path: Path) -> None:
    try:
        if stat.S_ISREG(os.lstat(path).st_mode):
            path.unlink()
    except OSError:
        pass  # nothing there to remove, or not ours to remove: the error above says enough


def load_plan(path: Path | str) -> SavedPlan:
    """The saved plan at ``path``, checked: size, UTF-8, JSON, then the document itself; every
    refusal is one :class:`UsageError` naming the file."""
    text = _read_text(Path(path))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"{path} is not a saved plan (invalid JSON: {error.msg})") from None
    except ValueError:  # json reads no integer over 4300 digits (sys.get_int_max_str_digits)
        raise UsageError(f"{path} is not a saved plan (a number too long to read)") from None
    except RecursionError:
        raise UsageError(f"{path} is not a saved plan (JSON nested too deeply)") from None
    try:
        return plan_from_document(data)
    except UsageError as error:
        raise UsageError(f"{path}: {error}") from None


def _read_text(path: Path) -> str:
    try:
        data = read_bounded(path, MAX_PLAN_BYTES)
    except FileReadError as error:
        if error.too_large:
            raise UsageError(f"{path} is not a saved plan ({error.reason})") from None
        raise UsageError(f"cannot read the saved plan {path}: {error.reason}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(f"{path} is not a saved plan (not UTF-8 text)") from error
