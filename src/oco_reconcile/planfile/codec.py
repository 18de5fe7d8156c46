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
from decimal import Decimal

from oco_reconcile import __version__
from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.model import (
    Bracket,
    Leg,
    LegRequest,
    LegType,
    OcoRequest,
    OrderList,
    OrderRef,
    OrderReport,
    Remnant,
    Side,
    TimeInForce,
)
from oco_reconcile.core.plan import (
    Action,
    CancelStep,
    Change,
    Notice,
    NoticeKind,
    Plan,
    PlanProblem,
    RemnantStep,
)
from oco_reconcile.errors import UsageError
from oco_reconcile.json_types import JsonMapping, JsonObject, JsonValue

FORMAT_VERSION = 1
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


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else to_wire(value)


def _undec(value: JsonValue) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _leg_json(leg: Leg) -> JsonObject:
    return {
        "type": leg.type.value,
        "price": _dec(leg.price),
        "stop_price": _dec(leg.stop_price),
        "trailing_delta": leg.trailing_delta,
        "time_in_force": None if leg.time_in_force is None else leg.time_in_force.value,
        "iceberg_qty": _dec(leg.iceberg_qty),
    }


def _leg_from(data: JsonMapping) -> Leg:
    tif = data.get("time_in_force")
    return Leg(
        type=LegType(data["type"]),
        price=_undec(data.get("price")),
        stop_price=_undec(data.get("stop_price")),
        trailing_delta=data.get("trailing_delta"),
        time_in_force=None if tif is None else TimeInForce(tif),
        iceberg_qty=_undec(data.get("iceberg_qty")),
    )


def bracket_json(bracket: Bracket) -> JsonObject:
    return {
        "name": bracket.name,
        "symbol": bracket.symbol,
        "side": bracket.side.value,
        "quantity": to_wire(bracket.quantity),
        "above": _leg_json(bracket.above),
        "below": _leg_json(bracket.below),
        "protect": bracket.protect,
        "rev": bracket.rev,
        "adopt": bracket.adopt,
    }


def _bracket_from(data: JsonMapping) -> Bracket:
    return Bracket(
        name=data["name"],
        symbol=data["symbol"],
        side=Side(data["side"]),
        quantity=Decimal(data["quantity"]),
        above=_leg_from(data["above"]),
        below=_leg_from(data["below"]),
        protect=bool(data.get("protect", False)),
        rev=int(data.get("rev", 0)),
        adopt=data.get("adopt"),
    )


_REPORT_DECIMALS = ("price", "orig_qty", "executed_qty", "stop_price", "iceberg_qty")
_REPORT_PLAIN = (
    "symbol",
    "order_id",
    "order_list_id",
    "client_order_id",
    "type",
    "status",
    "trailing_delta",
    "time_in_force",
    "orig_client_order_id",
    "expiry_reason",
    "is_working",
    "time",
)


def _report_json(report: OrderReport) -> JsonObject:
    data: JsonObject = {name: getattr(report, name) for name in _REPORT_PLAIN}
    data["side"] = report.side.value
    data.update({name: _dec(getattr(report, name)) for name in _REPORT_DECIMALS})
    return data


def _report_from(data: JsonMapping) -> OrderReport:
    fields: JsonObject = {name: data.get(name) for name in _REPORT_PLAIN}
    fields.update({name: _undec(data.get(name)) for name in _REPORT_DECIMALS})
    return OrderReport(side=Side(data["side"]), **fields)


def order_list_json(order_list: OrderList) -> JsonObject:
    return {
        "order_list_id": order_list.order_list_id,
        "list_client_order_id": order_list.list_client_order_id,
        "symbol": order_list.symbol,
        "contingency_type": order_list.contingency_type,
        "list_status_type": order_list.list_status_type,
        "list_order_status": order_list.list_order_status,
        "transaction_time": order_list.transaction_time,
        "orders": [
            {"symbol": o.symbol, "order_id": o.order_id, "client_order_id": o.client_order_id}
            for o in order_list.orders
        ],
        "reports": [_report_json(report) for report in order_list.reports],
    }


def _order_list_from(data: JsonMapping) -> OrderList:
    return OrderList(
        order_list_id=data["order_list_id"],
        list_client_order_id=data["list_client_order_id"],
        symbol=data["symbol"],
        contingency_type=data["contingency_type"],
        list_status_type=data["list_status_type"],
        list_order_status=data["list_order_status"],
        transaction_time=data["transaction_time"],
        orders=tuple(OrderRef(**ref) for ref in data["orders"]),
        reports=tuple(_report_from(report) for report in data["reports"]),
    )


def _request_json(request: OcoRequest) -> JsonObject:
    return {
        "symbol": request.symbol,
        "side": request.side.value,
        "quantity": to_wire(request.quantity),
        "list_client_order_id": request.list_client_order_id,
        "above": {**_leg_json(request.above.leg), "client_order_id": request.above.client_order_id},
        "below": {**_leg_json(request.below.leg), "client_order_id": request.below.client_order_id},
    }


def _request_from(data: JsonMapping) -> OcoRequest:
    def leg(part: JsonMapping) -> LegRequest:
        return LegRequest(_leg_from(part), part["client_order_id"])

    return OcoRequest(
        symbol=data["symbol"],
        side=Side(data["side"]),
        quantity=Decimal(data["quantity"]),
        list_client_order_id=data["list_client_order_id"],
        above=leg(data["above"]),
        below=leg(data["below"]),
    )


def _cancel_json(step: CancelStep) -> JsonObject:
    return {
        "symbol": step.symbol,
        "list_client_order_id": step.list_client_order_id,
        "cancel_client_order_id": step.cancel_client_order_id,
    }


def remnant_json(remnant: Remnant) -> JsonObject:
    return {
        "name": remnant.name,
        "list_client_order_id": remnant.list_client_order_id,
        "take_profit": remnant.take_profit,
        "order": _report_json(remnant.order),
    }


def _remnant_json(step: RemnantStep) -> JsonObject:
    return {**remnant_json(step.remnant), "cancel_client_order_id": step.cancel_client_order_id}


def _remnant_from(data: JsonMapping) -> RemnantStep:
    remnant = Remnant(
        name=data["name"],
        list_client_order_id=data["list_client_order_id"],
        order=_report_from(data["order"]),
        take_profit=bool(data["take_profit"]),
    )
    return RemnantStep(remnant, data["cancel_client_order_id"])


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
        "cancel": None if change.cancel is None else _cancel_json(change.cancel),
        "place": None if change.place is None else _request_json(change.place),
        "remnants": [_remnant_json(step) for step in change.remnants],
    }


def _change_from(data: JsonMapping) -> Change:
    before = data.get("before")
    cancel = data.get("cancel")
    place = data.get("place")
    return Change(
        action=Action(data["action"]),
        address=data["address"],
        symbol=data["symbol"],
        reason=data["reason"],
        before=None if before is None else _order_list_from(before["order_list"]),
        after=None if data.get("after") is None else _bracket_from(data["after"]),
        cancel=None if cancel is None else CancelStep(**cancel),
        place=None if place is None else _request_from(place),
        remnants=tuple(_remnant_from(step) for step in data.get("remnants", [])),
    )


def _problem_json(problem: PlanProblem) -> JsonObject:
    return {
        "address": problem.address,
        "message": problem.message,
        "bracket": problem.bracket,
        "leg": problem.leg,
        "field": problem.field,
    }


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
    if version != FORMAT_VERSION:
        raise UsageError(f"unsupported plan format_version {version!r} (expected {FORMAT_VERSION})")
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
        problems=tuple(PlanProblem(**problem) for problem in _list(data, "problems")),
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
