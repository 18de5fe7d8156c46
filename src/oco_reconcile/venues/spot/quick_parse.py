"""The common shape of an order and an order list, read without a call per field.

A plan of thousands of open lists spends most of its parsing in the per-field readers of
``fields.py`` (a call, a lookup and a type check each). These functions read the shape Binance
documents in one pass and return ``None`` at the first thing they do not expect -- a missing
field, another type, a decimal that is not finite -- so that ``parse.py`` reads that payload again
with the checked readers, which name the field. Nothing is accepted here that the checked path
would refuse, and nothing it accepts reads differently (tests/unit/venues/spot/test_quick_parse.py
holds the two to each other).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from oco_reconcile.core.model import OrderList, OrderRef, OrderReport, Side

_SIDES = {side.value: side for side in Side}
_NONE = type(None)
_OPTIONAL_STR = frozenset({str, _NONE})
_OPTIONAL_INT = frozenset({int, _NONE})
_OPTIONAL_BOOL = frozenset({bool, _NONE})
_OPTIONAL_LIST = frozenset({list, _NONE})


def quick_decimal(value: object) -> Decimal | None:
    """A finite decimal from a string; None for anything else (the checked path decides)."""
    if type(value) is not str:
        return None
    try:
        result = Decimal(value)
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def _quick_nonzero(value: object) -> Decimal | bool | None:
    """``nonzero_decimal``'s answer (None: absent or zero), or False: not the common shape."""
    if value is None:
        return None
    result = quick_decimal(value)
    if result is None:
        return False
    return result or None


def quick_report(obj: object) -> OrderReport | None:
    """``parse_order_report`` for the common shape; None: read it with the checked path."""
    if type(obj) is not dict:
        return None
    get = obj.get
    symbol, client_id = get("symbol"), get("clientOrderId")
    kind, status = get("type"), get("status")
    order_id, list_id, side = get("orderId"), get("orderListId"), _SIDES.get(str(get("side")))
    if side is None or not type(symbol) is type(client_id) is type(kind) is type(status) is str:
        return None
    price, orig = quick_decimal(get("price")), quick_decimal(get("origQty"))
    executed = quick_decimal(get("executedQty"))
    if type(order_id) is not int or type(list_id) is not int or None in (price, orig, executed):
        return None
    stop, iceberg = _quick_nonzero(get("stopPrice")), _quick_nonzero(get("icebergQty"))
    optional = _quick_optionals(obj)
    if stop is False or iceberg is False or optional is None:
        return None
    return OrderReport(
        symbol, order_id, list_id, client_id, side, kind, status, price, orig, executed,  # type: ignore[arg-type]
        stop, iceberg, *optional,  # type: ignore[arg-type]
    )  # fmt: skip


_Optionals = tuple[int | None, str | None, str | None, str | None, bool | None, int | None]


def _quick_optionals(obj: dict[str, object]) -> _Optionals | None:
    """trailingDelta, timeInForce, origClientOrderId, expiryReason, isWorking, time (or
    transactTime), each absent or of its type; None otherwise."""
    get = obj.get
    delta, tif, orig_id = get("trailingDelta"), get("timeInForce"), get("origClientOrderId")
    reason, working, time = get("expiryReason"), get("isWorking"), get("time")
    if time is None:
        time = get("transactTime")
    if type(delta) not in _OPTIONAL_INT or type(time) not in _OPTIONAL_INT:
        return None
    if type(tif) not in _OPTIONAL_STR or type(orig_id) not in _OPTIONAL_STR:
        return None
    if type(reason) not in _OPTIONAL_STR or type(working) not in _OPTIONAL_BOOL:
        return None
    return (delta, tif, orig_id, reason, working, time)  # type: ignore[return-value]


def quick_ref(obj: object) -> OrderRef | None:
    """``OrderRef`` (a list's leg by id) for the common shape; None: the checked path."""
    if type(obj) is not dict:
        return None
    symbol, order_id, client_id = obj.get("symbol"), obj.get("orderId"), obj.get("clientOrderId")
    if type(symbol) is not str or type(order_id) is not int or type(client_id) is not str:
        return None
    return OrderRef(symbol, order_id, client_id)


def quick_list(obj: object) -> OrderList | None:
    """``parse_order_list`` for the common shape (legs by id, reports when given); None: the
    checked path."""
    if type(obj) is not dict:
        return None
    get = obj.get
    list_id, client_id, symbol = get("orderListId"), get("listClientOrderId"), get("symbol")
    contingency, status_type, status = (
        get("contingencyType"), get("listStatusType"), get("listOrderStatus")
    )  # fmt: skip
    time, orders, reports = get("transactionTime"), get("orders"), get("orderReports")
    if type(list_id) is not int or type(time) is not int or type(orders) is not list:
        return None
    if not type(client_id) is type(symbol) is type(contingency) is str:
        return None
    if not type(status_type) is type(status) is str or type(reports) not in _OPTIONAL_LIST:
        return None
    refs = tuple(quick_ref(item) for item in orders)
    legs = () if reports is None else tuple(quick_report(item) for item in reports)
    if None in refs or None in legs:
        return None
    return OrderList(
        list_id, client_id, symbol, contingency, status_type, status, time, refs, legs  # type: ignore[arg-type]
    )  # fmt: skip
