"""The versioned JSON document of a plan: ``plan --format json`` and saved plans are the same.

:func:`plan_document` turns a :class:`~oco_reconcile.core.plan.Plan` into a JSON object (Decimals
as strings, never floats; schema: ``schemas/plan.schema.json``); :func:`plan_from_document` turns
an *untrusted* one back into a plan, raising :class:`~oco_reconcile.errors.UsageError` for
anything that is not a plan this version wrote. A round trip is exact.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from oco_reconcile import __version__
from oco_reconcile.core.model import SourceLocation
from oco_reconcile.core.plan import (
    Action,
    CancelStep,
    Change,
    Notice,
    NoticeKind,
    Plan,
    PlanProblem,
)
from oco_reconcile.errors import UsageError
from oco_reconcile.json_types import JsonMapping, JsonObject, JsonValue
from oco_reconcile.planfile.futures_values import futures_change_from, futures_change_json
from oco_reconcile.planfile.values import (
    bracket_from,
    bracket_json,
    cancel_json,
    fired_from,
    fired_json,
    order_list_from,
    order_list_json,
    remnant_step_from,
    remnant_step_json,
    request_from,
    request_json,
)

# 1: Spot only; 2: with futures changes; 3: every change's ``state`` and ``fired``, every problem's
# ``file`` and ``line``. An older version is refused (apply re-derives the plan and compares every
# field, so an older document could not be checked): make it again with ``plan --out``.
FORMAT_VERSION = 3
READABLE_VERSIONS = (FORMAT_VERSION,)
DOCUMENT_KIND = "oco-reconcile-plan"


@dataclass(frozen=True)
class Fingerprints:
    """What a saved plan was made from: the live state it read and the desired state it wanted."""

    live: str
    desired: str


@dataclass(frozen=True)
class SavedPlan:
    plan: Plan
    fingerprints: Fingerprints
    format_version: int = FORMAT_VERSION
    selection: JsonValue = None  # the recorded selection (core/selection.py), None: everything


def _nested(view: Mapping[str, str | None] | None) -> JsonObject | None:
    """``{"above.price": ..}`` -> ``{"above": {"price": ..}}`` for readers of the JSON."""
    if view is None:
        return None
    nested: JsonObject = {}
    for name, value in view.items():
        head, _, tail = name.partition(".")
        if tail:
            nested.setdefault(head, {})[tail] = value
        else:
            nested[head] = value
    return nested


def _before_json(change: Change) -> JsonObject | None:
    if change.before is None:
        return None
    view = _nested(change.before_view()) or {}
    view["list_client_order_id"] = change.before.list_client_order_id
    view["order_list_id"] = change.before.order_list_id
    view["order_list"] = order_list_json(change.before)
    return view


def _after_json(change: Change) -> JsonObject | None:
    if change.after is None:
        return None
    data = bracket_json(change.after)
    if change.place is not None:
        data["list_client_order_id"] = change.place.list_client_order_id
    return data


def change_json(change: Change) -> JsonObject:
    return {
        "action": change.action.value,
        "address": change.address,
        "symbol": change.symbol,
        "reason": change.reason,
        "before": _before_json(change),
        "after": _after_json(change),
        "diff": [{"field": d.field, "before": d.before, "after": d.after} for d in change.diff()],
        "cancel": None if change.cancel is None else cancel_json(change.cancel),
        "place": None if change.place is None else request_json(change.place),
        "remnants": [remnant_step_json(step) for step in change.remnants],
        "state": change_state(change),
        "fired": fired_json(change.fired),
    } | _futures_json(change)


def change_state(change: Change) -> str | None:
    """What became of the bracket, for machines: ``fired`` (never re-placed), ``partly_fired`` (a
    leg still working), else None (the action says what happens)."""
    if change.fired is not None:
        return "fired"
    if change.action is Action.NOOP and change.remnants:
        return "partly_fired"
    return None


def _futures_json(change: Change) -> JsonObject:
    if change.futures is None:
        return {}
    return {"market": change.market.value, "futures": futures_change_json(change.futures)}


def _change_from(data: JsonMapping) -> Change:
    before = data.get("before")
    cancel = data.get("cancel")
    place = data.get("place")
    return Change(
        action=Action(data["action"]),
        address=data["address"],
        symbol=data["symbol"],
        reason=data["reason"],
        before=None if before is None else order_list_from(before["order_list"]),
        after=None if data.get("after") is None else bracket_from(data["after"]),
        cancel=None if cancel is None else CancelStep(**cancel),
        place=None if place is None else request_from(place),
        remnants=tuple(remnant_step_from(step) for step in data.get("remnants", [])),
        futures=None if data.get("futures") is None else futures_change_from(data["futures"]),
        fired=fired_from(data["fired"]),
    )


def _problem_json(problem: PlanProblem) -> JsonObject:
    return {
        "address": problem.address,
        "message": problem.message,
        "bracket": problem.bracket,
        "leg": problem.leg,
        "field": problem.field,
        "file": None if problem.source is None else problem.source.file,
        "line": None if problem.source is None else problem.source.line,
    }


def _problem_from(data: JsonMapping) -> PlanProblem:
    file, line = data["file"], data["line"]
    if file is not None and not isinstance(file, str):
        raise TypeError("a problem's file must be text")
    if line is not None and (not isinstance(line, int) or isinstance(line, bool)):
        raise TypeError("a problem's line must be an integer")
    fields = {key: data[key] for key in ("address", "message", "bracket", "leg", "field")}
    source = None if file is None else SourceLocation(file, line)
    return PlanProblem(**fields, source=source)


def plan_document(
    plan: Plan, fingerprints: Fingerprints | None = None, selection: JsonObject | None = None
) -> JsonObject:
    """The versioned JSON document of a plan (schema: ``schemas/plan.schema.json``)."""
    document = _document(plan, fingerprints)
    if selection is not None:
        document["selection"] = selection
    return document


def _document(plan: Plan, fingerprints: Fingerprints | None) -> JsonObject:
    summary = plan.summary()
    return {
        "format_version": FORMAT_VERSION,
        "kind": DOCUMENT_KIND,
        "tool_version": __version__,
        "fingerprints": None
        if fingerprints is None
        else {"live": fingerprints.live, "desired": fingerprints.desired},
        "summary": {
            "place": summary.place,
            "replace": summary.replace,
            "cancel": summary.cancel,
            "unchanged": summary.unchanged,
            "errors": summary.errors,
            "fired": summary.fired,
            "partly_fired": summary.partly_fired,
            "has_changes": plan.has_changes,
            "has_errors": plan.has_errors,
            "text": summary.line,
        },
        "changes": [change_json(change) for change in plan.changes],
        "notices": [
            {"kind": n.kind.value, "address": n.address, "symbol": n.symbol, "message": n.message}
            for n in plan.notices
        ],
        "problems": [_problem_json(problem) for problem in plan.problems],
    }


def plan_from_document(data: JsonValue) -> SavedPlan:
    """Rebuild a plan from its (untrusted) document; raises :class:`UsageError` for anything
    else."""
    if not isinstance(data, dict) or data.get("kind") != DOCUMENT_KIND:
        raise UsageError("not an oco-reconcile plan document")
    version = data.get("format_version")
    if version not in READABLE_VERSIONS:
        expected = " or ".join(str(v) for v in READABLE_VERSIONS)
        raise UsageError(
            f"unsupported plan format_version {version!r} (expected {expected}): make the plan "
            "again with this version's `plan --out`"
        )
    prints = data.get("fingerprints")
    if not isinstance(prints, dict):
        raise UsageError("the plan document carries no fingerprints; save it with `plan --out`")
    try:
        plan = _plan_from(data)
        fingerprints = _fingerprints_from(prints)
    except _MALFORMED as error:
        raise UsageError(f"the plan document is malformed: {_describe(error)}") from None
    return SavedPlan(plan, fingerprints, version, data.get("selection"))


def _fingerprints_from(prints: JsonMapping) -> Fingerprints:
    live, desired = prints["live"], prints["desired"]
    if not isinstance(live, str) or not isinstance(desired, str):
        raise TypeError("fingerprints must be text")
    return Fingerprints(live, desired)


def _describe(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"missing {error}"
    return f"{type(error).__name__}: {error}"


# What reading a wrong shape raises: a missing key, a value of the wrong type (a list where an
# object belongs: no ``.get``), a bad enum or Decimal text.
_MALFORMED = (KeyError, TypeError, AttributeError, ValueError, ArithmeticError)


def _plan_from(data: JsonMapping) -> Plan:
    return Plan(
        changes=tuple(_change_from(change) for change in _list(data, "changes")),
        notices=tuple(
            Notice(NoticeKind(n["kind"]), n["address"], n["symbol"], n["message"])
            for n in _list(data, "notices")
        ),
        problems=tuple(_problem_from(problem) for problem in _list(data, "problems")),
    )


def _list(data: JsonMapping, key: str) -> list[JsonValue]:
    """A list the document must hold: text or an object would iterate into nonsense."""
    value = data[key]
    if not isinstance(value, list):
        raise TypeError(f"{key!r} must be a list")
    return value


def dump_document(document: JsonObject) -> str:
    """The document as the text ``plan --format json`` prints and ``plan --out`` saves."""
    return json.dumps(document, indent=2, sort_keys=False) + "\n"
