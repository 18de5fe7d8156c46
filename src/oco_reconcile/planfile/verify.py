"""Is a saved plan's body the plan made now? A saved plan is untrusted input.

Fingerprints prove the files and the live state are the ones the plan was made from; they say
nothing about the plan's *body*, which anyone holding the file (a CI artifact) can edit. So apply
re-derives the plan from the files and the live state and compares every change, field by field,
through the same JSON form the file was written in. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

from oco_reconcile.core.listing import listing
from oco_reconcile.core.plan import Change, Plan
from oco_reconcile.json_types import JsonValue
from oco_reconcile.planfile.codec import change_json


def plan_difference(saved: Plan, fresh: Plan) -> str | None:
    """None when ``saved`` holds exactly ``fresh``'s changes; else what differs, for humans."""
    saved_changes, fresh_changes = _by_address(saved.changes), _by_address(fresh.changes)
    if len(saved.changes) != len(fresh.changes) or saved_changes.keys() != fresh_changes.keys():
        return _membership(set(saved_changes), set(fresh_changes), len(saved.changes))
    for address, change in fresh_changes.items():
        where = _first_difference(change_json(saved_changes[address]), change_json(change))
        if where is not None:
            return f"{address}: {where or 'the change'} differs"
    return None


def _by_address(changes: Sequence[Change]) -> dict[str, Change]:
    return {change.address: change for change in changes}


def _membership(saved_set: set[str], fresh_set: set[str], saved_count: int) -> str:
    extra, missing = saved_set - fresh_set, fresh_set - saved_set
    if extra:
        return f"it holds changes the plan made now does not:{listing(extra)}"
    if missing:
        return f"it lacks changes the plan made now has:{listing(missing)}"
    return f"it holds {saved_count} changes for {len(saved_set)} addresses (a change repeated)"


def _first_difference(saved: JsonValue, fresh: JsonValue, path: str = "") -> str | None:
    """The dotted path of the first field that differs ("" for the value itself), or None."""
    if isinstance(saved, dict) and isinstance(fresh, dict):
        for key in sorted(set(saved) | set(fresh)):
            found = _first_difference(saved.get(key), fresh.get(key), _join(path, str(key)))
            if found is not None:
                return found
        return None
    if isinstance(saved, list) and isinstance(fresh, list) and len(saved) == len(fresh):
        for index, (left, right) in enumerate(zip(saved, fresh, strict=True)):
            found = _first_difference(left, right, _join(path, str(index)))
            if found is not None:
                return found
        return None
    return None if saved == fresh and type(saved) is type(fresh) else path


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
