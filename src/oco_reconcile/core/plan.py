"""A plan is data: the changes that make the exchange match the desired state, and why.

Terraform's ``internal/plans`` is the model: each change has an action and a display-only reason;
notices (fired, drift, hold, protected, unmanaged) are reported but change nothing; problems make
the plan an error, and a plan with errors applies nothing.

Also here: the bracket-shaped *view* of a live list (its legs mapped to above/below), the field by
field diff the renderers show, the versioned JSON document (``--format json`` and saved plans are
the same document), and the fingerprints a saved plan carries.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from oco_reconcile import __version__
from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.model import (
    Bracket,
    Leg,
    LegPosition,
    LegRequest,
    LegType,
    LiveState,
    OcoRequest,
    OrderList,
    OrderRef,
    OrderReport,
    Side,
    TimeInForce,
    take_profit_position,
)
from oco_reconcile.core.settings import Settings
from oco_reconcile.errors import UsageError


class Action(StrEnum):
    CREATE = "create"
    CANCEL = "cancel"
    REPLACE = "replace"
    NOOP = "no-op"

    @property
    def symbol(self) -> str:
        return {"create": "+", "cancel": "-", "replace": "-/+", "no-op": " "}[self.value]


class NoticeKind(StrEnum):
    FIRED = "fired"
    DRIFT = "drift"
    HOLD = "hold"
    PROTECTED = "protected"
    UNMANAGED = "unmanaged"
    KEPT = "kept"  # a managed list no longer desired, left alone because prune is false
    ADOPTED = "adopted"  # an unmanaged list a bracket adopts (`adopt:`), matching its spec
    OUTSIDE_SELECTION = "outside_selection"  # a managed list a PATH or --target did not select


@dataclass(frozen=True)
class CancelStep:
    """``DELETE /api/v3/orderList`` for one managed list."""

    symbol: str
    list_client_order_id: str
    cancel_client_order_id: str


@dataclass(frozen=True)
class Change:
    """One thing apply will do (or, for no-op, deliberately not do).

    ``address`` is the stable display name (``bracket.<name>`` or ``list.<listClientOrderId>``);
    ``before`` is the live list (with its legs) and ``after`` the desired bracket; ``place`` and
    ``cancel`` are the exact requests apply sends. ``reason`` is for humans only.
    """

    action: Action
    address: str
    symbol: str
    reason: str
    before: OrderList | None = None
    after: Bracket | None = None
    cancel: CancelStep | None = None
    place: OcoRequest | None = None

    def before_view(self) -> dict[str, str | None] | None:
        return None if self.before is None else list_view(self.before)

    def after_view(self) -> dict[str, str | None] | None:
        return None if self.after is None else bracket_view(self.after)

    def diff(self) -> tuple[FieldDiff, ...]:
        """The fields whose value differs between the live list and the desired bracket."""
        return diff_views(self.before_view(), self.after_view())


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    address: str
    symbol: str
    message: str


@dataclass(frozen=True)
class PlanProblem:
    """A plan-time check that failed, naming the bracket and the leg."""

    address: str
    message: str
    bracket: str | None = None
    leg: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = [self.address]
        if self.leg:
            parts.append(self.leg)
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    notices: tuple[Notice, ...] = ()
    problems: tuple[PlanProblem, ...] = ()

    @property
    def actionable(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.action is not Action.NOOP)

    @property
    def has_changes(self) -> bool:
        return bool(self.actionable)

    @property
    def has_errors(self) -> bool:
        return bool(self.problems)

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action is action)

    def desired_brackets(self) -> tuple[Bracket, ...]:
        """Every desired bracket the plan was made from (each yields exactly one change)."""
        return tuple(c.after for c in self.changes if c.after is not None)

    def summary(self) -> PlanSummary:
        return PlanSummary(
            place=self.count(Action.CREATE),
            replace=self.count(Action.REPLACE),
            cancel=self.count(Action.CANCEL),
            unchanged=self.count(Action.NOOP),
            errors=len(self.problems),
        )


@dataclass(frozen=True)
class PlanSummary:
    place: int
    replace: int
    cancel: int
    unchanged: int
    errors: int

    @property
    def line(self) -> str:
        return f"Plan: {self.place} to place, {self.replace} to replace, {self.cancel} to cancel."


# --- bracket-shaped views of desired brackets and live lists -----------------------------------

LEG_FIELDS = ("type", "price", "stop_price", "trailing_delta", "time_in_force", "iceberg_qty")
VIEW_FIELDS = (
    "symbol",
    "side",
    "quantity",
    *(f"{position.value}.{name}" for position in LegPosition for name in LEG_FIELDS),
)


@dataclass(frozen=True)
class LiveBracket:
    """An open (or closed) list's legs read back in the bracket's terms."""

    symbol: str
    side: Side
    quantity: Decimal
    above: Leg
    below: Leg


@dataclass(frozen=True)
class FieldDiff:
    field: str
    before: str | None
    after: str | None


def leg_from_report(report: OrderReport) -> Leg | None:
    """The :class:`Leg` a report describes, keeping only the fields its type carries (Binance
    reports ``price: 0`` for a STOP_LOSS and ``timeInForce: GTC`` for a LIMIT_MAKER)."""
    try:
        leg_type = LegType(report.type)
    except ValueError:
        return None
    stop = report.stop_price if leg_type.needs_trigger and report.stop_price else None
    delta = report.trailing_delta if leg_type.needs_trigger and report.trailing_delta else None
    tif = report.time_in_force if leg_type.needs_time_in_force else None
    time_in_force = TimeInForce(tif) if tif is not None and tif in TimeInForce.__members__ else None
    return Leg(
        type=leg_type,
        price=report.price if leg_type.needs_price else None,
        stop_price=stop,
        trailing_delta=delta,
        time_in_force=time_in_force,
        iceberg_qty=report.iceberg_qty if report.iceberg_qty else None,
    )


def position_of(side: Side, leg_type: LegType) -> LegPosition:
    """Where a leg of this type sits in an OCO of this side (rest-api.md "New Order list - OCO
    (TRADE)" table)."""
    take_profit = take_profit_position(side)
    if not leg_type.is_stop_loss:
        return take_profit
    return LegPosition.BELOW if take_profit is LegPosition.ABOVE else LegPosition.ABOVE


def live_bracket(order_list: OrderList) -> LiveBracket | None:
    """The list's two legs mapped to above/below, or None when they are unknown or not an OCO."""
    if len(order_list.reports) != 2:
        return None
    side = order_list.reports[0].side
    legs: dict[LegPosition, Leg] = {}
    for report in order_list.reports:
        leg = leg_from_report(report)
        if leg is None or report.side is not side:
            return None
        legs[position_of(side, leg.type)] = leg
    if len(legs) != 2:
        return None
    quantity = order_list.reports[0].orig_qty
    above, below = legs[LegPosition.ABOVE], legs[LegPosition.BELOW]
    return LiveBracket(order_list.symbol, side, quantity, above, below)


def comparable_leg(leg: Leg) -> Leg:
    """A leg normalised for comparison: GTC where the type needs a time in force and none was
    written, and only the fields the type carries."""
    tif = leg.time_in_force
    if leg.type.needs_time_in_force and tif is None:
        tif = TimeInForce.GTC
    return Leg(
        type=leg.type,
        price=leg.price if leg.type.needs_price else None,
        stop_price=leg.stop_price if leg.type.needs_trigger else None,
        trailing_delta=leg.trailing_delta if leg.type.needs_trigger else None,
        time_in_force=tif if leg.type.needs_time_in_force else None,
        iceberg_qty=leg.iceberg_qty or None,
    )


def desired_live_bracket(bracket: Bracket) -> LiveBracket:
    return LiveBracket(
        bracket.symbol,
        bracket.side,
        bracket.quantity,
        comparable_leg(bracket.above),
        comparable_leg(bracket.below),
    )


def matches(order_list: OrderList, bracket: Bracket) -> bool:
    """True when the live list's legs are exactly what the bracket asks for."""
    live = live_bracket(order_list)
    return live is not None and _same(live, desired_live_bracket(bracket))


def _same(live: LiveBracket, desired: LiveBracket) -> bool:
    return (
        live.symbol == desired.symbol
        and live.side is desired.side
        and live.quantity == desired.quantity
        and comparable_leg(live.above) == desired.above
        and comparable_leg(live.below) == desired.below
    )


def is_partly_executed(order_list: OrderList) -> bool:
    return any(report.executed_qty > 0 for report in order_list.reports)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return to_wire(value)
    return str(value)


def _leg_view(position: LegPosition, leg: Leg | None) -> dict[str, str | None]:
    values = {name: None if leg is None else _text(getattr(leg, name)) for name in LEG_FIELDS}
    return {f"{position.value}.{name}": value for name, value in values.items()}


def _view(live: LiveBracket) -> dict[str, str | None]:
    view: dict[str, str | None] = {
        "symbol": live.symbol,
        "side": live.side.value,
        "quantity": to_wire(live.quantity),
    }
    view.update(_leg_view(LegPosition.ABOVE, comparable_leg(live.above)))
    view.update(_leg_view(LegPosition.BELOW, comparable_leg(live.below)))
    return view


def bracket_view(bracket: Bracket) -> dict[str, str | None]:
    """Flat ``field -> text`` view of a desired bracket (``above.price`` ...), for diffs."""
    return _view(desired_live_bracket(bracket))


def list_view(order_list: OrderList) -> dict[str, str | None]:
    """The same flat view of a live list; legs unknown -> only the symbol."""
    live = live_bracket(order_list)
    if live is None:
        return {name: (order_list.symbol if name == "symbol" else None) for name in VIEW_FIELDS}
    return _view(live)


def diff_views(
    before: Mapping[str, str | None] | None, after: Mapping[str, str | None] | None
) -> tuple[FieldDiff, ...]:
    before = before or {}
    after = after or {}
    return tuple(
        FieldDiff(name, before.get(name), after.get(name))
        for name in VIEW_FIELDS
        if before.get(name) != after.get(name)
    )


# --- the versioned JSON document: `plan --format json` and saved plans ---------------------------

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
    selection: Any = None  # the recorded selection (core/selection.py), None for everything


Json = dict[str, Any]


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else to_wire(value)


def _undec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _leg_json(leg: Leg) -> Json:
    return {
        "type": leg.type.value,
        "price": _dec(leg.price),
        "stop_price": _dec(leg.stop_price),
        "trailing_delta": leg.trailing_delta,
        "time_in_force": None if leg.time_in_force is None else leg.time_in_force.value,
        "iceberg_qty": _dec(leg.iceberg_qty),
    }


def _leg_from(data: Json) -> Leg:
    tif = data.get("time_in_force")
    return Leg(
        type=LegType(data["type"]),
        price=_undec(data.get("price")),
        stop_price=_undec(data.get("stop_price")),
        trailing_delta=data.get("trailing_delta"),
        time_in_force=None if tif is None else TimeInForce(tif),
        iceberg_qty=_undec(data.get("iceberg_qty")),
    )


def bracket_json(bracket: Bracket) -> Json:
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


def _bracket_from(data: Json) -> Bracket:
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


def _report_json(report: OrderReport) -> Json:
    data: Json = {name: getattr(report, name) for name in _REPORT_PLAIN}
    data["side"] = report.side.value
    data.update({name: _dec(getattr(report, name)) for name in _REPORT_DECIMALS})
    return data


def _report_from(data: Json) -> OrderReport:
    fields: Json = {name: data.get(name) for name in _REPORT_PLAIN}
    fields.update({name: _undec(data.get(name)) for name in _REPORT_DECIMALS})
    return OrderReport(side=Side(data["side"]), **fields)


def order_list_json(order_list: OrderList) -> Json:
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


def _order_list_from(data: Json) -> OrderList:
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


def _request_json(request: OcoRequest) -> Json:
    return {
        "symbol": request.symbol,
        "side": request.side.value,
        "quantity": to_wire(request.quantity),
        "list_client_order_id": request.list_client_order_id,
        "above": {**_leg_json(request.above.leg), "client_order_id": request.above.client_order_id},
        "below": {**_leg_json(request.below.leg), "client_order_id": request.below.client_order_id},
    }


def _request_from(data: Json) -> OcoRequest:
    def leg(part: Json) -> LegRequest:
        return LegRequest(_leg_from(part), part["client_order_id"])

    return OcoRequest(
        symbol=data["symbol"],
        side=Side(data["side"]),
        quantity=Decimal(data["quantity"]),
        list_client_order_id=data["list_client_order_id"],
        above=leg(data["above"]),
        below=leg(data["below"]),
    )


def _cancel_json(step: CancelStep) -> Json:
    return {
        "symbol": step.symbol,
        "list_client_order_id": step.list_client_order_id,
        "cancel_client_order_id": step.cancel_client_order_id,
    }


def _nested(view: Mapping[str, str | None] | None) -> Json | None:
    """``{"above.price": ..}`` -> ``{"above": {"price": ..}}`` for readers of the JSON."""
    if view is None:
        return None
    nested: Json = {}
    for name, value in view.items():
        head, _, tail = name.partition(".")
        if tail:
            nested.setdefault(head, {})[tail] = value
        else:
            nested[head] = value
    return nested


def _before_json(change: Change) -> Json | None:
    if change.before is None:
        return None
    view = _nested(change.before_view()) or {}
    view["list_client_order_id"] = change.before.list_client_order_id
    view["order_list_id"] = change.before.order_list_id
    view["order_list"] = order_list_json(change.before)
    return view


def _after_json(change: Change) -> Json | None:
    if change.after is None:
        return None
    data = bracket_json(change.after)
    if change.place is not None:
        data["list_client_order_id"] = change.place.list_client_order_id
    return data


def change_json(change: Change) -> Json:
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
    }


def _change_from(data: Json) -> Change:
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
    )


def _problem_json(problem: PlanProblem) -> Json:
    return {
        "address": problem.address,
        "message": problem.message,
        "bracket": problem.bracket,
        "leg": problem.leg,
        "field": problem.field,
    }


def plan_document(
    plan: Plan, fingerprints: Fingerprints | None = None, selection: Json | None = None
) -> Json:
    """The versioned JSON document of a plan (schema: ``schemas/plan.schema.json``)."""
    document = _document(plan, fingerprints)
    if selection is not None:
        document["selection"] = selection
    return document


def _document(plan: Plan, fingerprints: Fingerprints | None) -> Json:
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


def plan_from_document(data: Json) -> SavedPlan:
    """Rebuild a plan from its document; raises :class:`UsageError` for anything else."""
    if not isinstance(data, dict) or data.get("kind") != DOCUMENT_KIND:
        raise UsageError("not an oco-reconcile plan document")
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise UsageError(f"unsupported plan format_version {version!r} (expected {FORMAT_VERSION})")
    prints = data.get("fingerprints")
    if not isinstance(prints, dict):
        raise UsageError("the plan document carries no fingerprints; save it with `plan --out`")
    try:
        plan = Plan(
            changes=tuple(_change_from(change) for change in data["changes"]),
            notices=tuple(
                Notice(NoticeKind(n["kind"]), n["address"], n["symbol"], n["message"])
                for n in data["notices"]
            ),
            problems=tuple(PlanProblem(**problem) for problem in data["problems"]),
        )
    except (KeyError, TypeError, ValueError, ArithmeticError) as error:
        raise UsageError(f"the plan document is malformed: {error!r}") from error
    fingerprints = Fingerprints(str(prints["live"]), str(prints["desired"]))
    return SavedPlan(plan, fingerprints, version, data.get("selection"))


def dump_document(document: Json) -> str:
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def save_plan(
    plan: Plan, path: Path | str, fingerprints: Fingerprints, selection: Json | None = None
) -> None:
    """Write the plan document to ``path`` (Decimals as strings; no secrets exist in a plan)."""
    document = plan_document(plan, fingerprints, selection)
    Path(path).write_text(dump_document(document), encoding="utf-8")


def load_plan(path: Path | str) -> SavedPlan:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot read the saved plan {path}: {error.strerror}") from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"{path} is not a saved plan (invalid JSON: {error.msg})") from error
    return plan_from_document(data)


# --- fingerprints -------------------------------------------------------------------------------


def _digest(payload: object) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def live_fingerprint(live: LiveState) -> str:
    """Hash of the live state a plan depends on: every open order list with its legs, and the
    history of the desired brackets that were not open.

    Last prices and balances are left out on purpose: they move all the time, so a saved plan would
    always be stale; ``apply`` re-checks them against the exchange when it runs.
    """
    lists = sorted(live.open_lists, key=lambda item: (item.symbol, item.order_list_id))
    history = {
        key: {
            "outcome": entry.outcome.value,
            "order_list": None if entry.order_list is None else order_list_json(entry.order_list),
        }
        for key, entry in sorted(live.history.items())
    }
    return _digest({"open_lists": [order_list_json(item) for item in lists], "history": history})


def desired_fingerprint(brackets: Iterable[Bracket], settings: Settings) -> str:
    """Hash of the desired brackets and the settings the planner reads."""
    guardrails = settings.guardrails
    return _digest(
        {
            "brackets": [bracket_json(b) for b in sorted(brackets, key=lambda b: b.name)],
            "owner": settings.owner,
            "prune": settings.prune,
            "allow_empty": settings.allow_empty,
            "guardrails": {
                "max_notional": _dec(guardrails.max_notional),
                "max_total_notional": _dec(guardrails.max_total_notional),
                "max_distance_pct": _dec(guardrails.max_distance_pct),
                "symbols": None if guardrails.symbols is None else sorted(guardrails.symbols),
            },
        }
    )


def fingerprints_for(
    live: LiveState, brackets: Sequence[Bracket], settings: Settings
) -> Fingerprints:
    return Fingerprints(live_fingerprint(live), desired_fingerprint(brackets, settings))
