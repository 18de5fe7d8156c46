"""Model values <-> JSON for the plan document: legs, brackets, order lists and their legs, the
exact requests (place, cancel, remnant cancel). Decimals go out as their wire strings, never
floats; reading back raises the usual ``KeyError``/``TypeError``/``ValueError`` for a wrong shape,
which :mod:`~oco_reconcile.planfile.codec` reports as a malformed document.
"""

from __future__ import annotations

from decimal import Decimal

from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.model import (
    Bracket,
    Fired,
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
from oco_reconcile.core.plan import CancelStep, RemnantStep
from oco_reconcile.json_types import JsonMapping, JsonObject, JsonValue


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else to_wire(value)


def _undec(value: JsonValue) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def leg_json(leg: Leg) -> JsonObject:
    return {
        "type": leg.type.value,
        "price": _dec(leg.price),
        "stop_price": _dec(leg.stop_price),
        "trailing_delta": leg.trailing_delta,
        "time_in_force": None if leg.time_in_force is None else leg.time_in_force.value,
        "iceberg_qty": _dec(leg.iceberg_qty),
    }


def leg_from(data: JsonMapping) -> Leg:
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
        "above": leg_json(bracket.above),
        "below": leg_json(bracket.below),
        "protect": bracket.protect,
        "rev": bracket.rev,
        "adopt": bracket.adopt,
    }


def bracket_from(data: JsonMapping) -> Bracket:
    return Bracket(
        name=data["name"],
        symbol=data["symbol"],
        side=Side(data["side"]),
        quantity=Decimal(data["quantity"]),
        above=leg_from(data["above"]),
        below=leg_from(data["below"]),
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


def report_json(report: OrderReport) -> JsonObject:
    data: JsonObject = {name: getattr(report, name) for name in _REPORT_PLAIN}
    data["side"] = report.side.value
    data.update({name: _dec(getattr(report, name)) for name in _REPORT_DECIMALS})
    return data


def report_from(data: JsonMapping) -> OrderReport:
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
        "reports": [report_json(report) for report in order_list.reports],
    }


def order_list_from(data: JsonMapping) -> OrderList:
    return OrderList(
        order_list_id=data["order_list_id"],
        list_client_order_id=data["list_client_order_id"],
        symbol=data["symbol"],
        contingency_type=data["contingency_type"],
        list_status_type=data["list_status_type"],
        list_order_status=data["list_order_status"],
        transaction_time=data["transaction_time"],
        orders=tuple(OrderRef(**ref) for ref in data["orders"]),
        reports=tuple(report_from(report) for report in data["reports"]),
    )


def request_json(request: OcoRequest) -> JsonObject:
    return {
        "symbol": request.symbol,
        "side": request.side.value,
        "quantity": to_wire(request.quantity),
        "list_client_order_id": request.list_client_order_id,
        "above": {**leg_json(request.above.leg), "client_order_id": request.above.client_order_id},
        "below": {**leg_json(request.below.leg), "client_order_id": request.below.client_order_id},
    }


def request_from(data: JsonMapping) -> OcoRequest:
    def leg(part: JsonMapping) -> LegRequest:
        return LegRequest(leg_from(part), part["client_order_id"])

    return OcoRequest(
        symbol=data["symbol"],
        side=Side(data["side"]),
        quantity=Decimal(data["quantity"]),
        list_client_order_id=data["list_client_order_id"],
        above=leg(data["above"]),
        below=leg(data["below"]),
    )


def cancel_json(step: CancelStep) -> JsonObject:
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
        "order": report_json(remnant.order),
    }


def remnant_step_json(step: RemnantStep) -> JsonObject:
    return {**remnant_json(step.remnant), "cancel_client_order_id": step.cancel_client_order_id}


def remnant_step_from(data: JsonMapping) -> RemnantStep:
    remnant = Remnant(
        name=data["name"],
        list_client_order_id=data["list_client_order_id"],
        order=report_from(data["order"]),
        take_profit=bool(data["take_profit"]),
    )
    return RemnantStep(remnant, data["cancel_client_order_id"])


def fired_json(fired: Fired | None) -> JsonObject | None:
    if fired is None:
        return None
    return {
        "leg": fired.leg,
        "client_order_id": fired.client_order_id,
        "status": fired.status,
        "executed_qty": _dec(fired.executed_qty),
        "price": _dec(fired.price),
    }


def fired_from(data: JsonValue) -> Fired | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise TypeError("fired must be an object or null")
    texts = [data["leg"], data["client_order_id"], data["status"]]
    if any(value is not None and not isinstance(value, str) for value in texts):
        raise TypeError("fired: leg, client_order_id and status must be text or null")
    leg, client_order_id, status = texts
    return Fired(leg, client_order_id, status, _undec(data["executed_qty"]), _undec(data["price"]))
