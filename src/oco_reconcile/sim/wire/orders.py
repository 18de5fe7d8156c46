"""The order endpoints other clients call besides OCOs (rest-api.md "Trading endpoints", "Account
endpoints"): a single order, cancel-all, every order, the account's trades, the order counts.

Handlers over :class:`~oco_reconcile.sim.wire.endpoints.Endpoints`, as ``routes.py`` calls them;
each reads its parameters and calls :meth:`Params.finish` before the engine runs.
"""

from __future__ import annotations

from decimal import Decimal

from oco_reconcile.json_types import JsonValue
from oco_reconcile.sim.engine.book import ORDER_LIST_QUERY_SPAN_MS
from oco_reconcile.sim.engine.errors import SimError
from oco_reconcile.sim.wire import codes
from oco_reconcile.sim.wire.endpoints import (
    ORDER_LIST_QUERY_DEFAULT_LIMIT,
    ORDER_LIST_QUERY_MAX_LIMIT,
    Endpoints,
)
from oco_reconcile.sim.wire.order_requests import read_order
from oco_reconcile.sim.wire.params import Params
from oco_reconcile.sim.wire.shapes import decimal_text

Window = tuple[int | None, int | None]


def new_order(api: Endpoints, params: Params) -> JsonValue:
    """``POST /api/v3/order``."""
    spec, response_type = read_order(params)
    params.finish()
    order = api.engine.place_order(spec)
    return api.shapes.order_placement(order, response_type)


def test_order(api: Endpoints, params: Params) -> JsonValue:
    """``POST /api/v3/order/test``: validated, never placed; the commission rates are zero."""
    spec, _ = read_order(params)
    with_rates = params.boolean("computeCommissionRates")
    params.finish()
    api.engine.test_order(spec)
    if not with_rates:
        return {}
    zero = decimal_text(Decimal(0))
    rates = {"maker": zero, "taker": zero}
    discount = {"enabledForAccount": False, "enabledForSymbol": False}
    return {
        "standardCommissionForOrder": rates,
        "specialCommissionForOrder": rates,
        "taxCommissionForOrder": rates,
        "discount": {**discount, "discountAsset": "BNB", "discount": zero},
    }


def cancel_open_orders(api: Endpoints, params: Params) -> JsonValue:
    """``DELETE /api/v3/openOrders``: lists in the list's shape, other orders in the order's."""
    symbol = params.required("symbol")
    params.finish()
    return [api.shapes.cancel_result(item) for item in api.engine.cancel_open_orders(symbol)]


def all_orders(api: Endpoints, params: Params) -> JsonValue:
    """``GET /api/v3/allOrders`` (rest-api.md "All orders")."""
    symbol = params.required("symbol")
    order_id = params.long("orderId")
    window = _window(params)
    limit = _limit(params)
    params.finish()
    orders = api.engine.all_orders(symbol, order_id, window, limit)
    # the docs' example lists the keys as GET /api/v3/openOrders does
    return [api.shapes.query_order(order, open_orders_layout=True) for order in orders]


def my_trades(api: Endpoints, params: Params) -> JsonValue:
    """``GET /api/v3/myTrades`` (rest-api.md "Account trade list"): neither ``fromId`` nor
    ``orderId`` goes with ``startTime`` / ``endTime`` (the docs' supported combinations)."""
    symbol = params.required("symbol")
    order_id = params.long("orderId")
    from_id = params.long("fromId")
    window = _window(params)
    limit = _limit(params)
    params.finish()
    if (from_id is not None or order_id is not None) and window != (None, None):
        raise SimError(-1128, codes.MSG_BAD_COMBO)
    trades = api.engine.trades(
        symbol, order_id=order_id, from_id=from_id, window=window, limit=limit
    )
    return [api.shapes.my_trade(trade) for trade in trades]


def rate_limit_order(api: Endpoints, params: Params) -> JsonValue:
    """``GET /api/v3/rateLimit/order``: each ORDERS limit with the current count."""
    params.finish()
    return [
        {
            "rateLimitType": limit.kind,
            "interval": limit.interval,
            "intervalNum": limit.interval_num,
            "limit": limit.limit,
            "count": count,
        }
        for limit, count in api.order_usage()
    ]


def _window(params: Params) -> Window:
    """``startTime`` / ``endTime``: at most 24 hours apart (-1127)."""
    start, end = params.long("startTime"), params.long("endTime")
    if start is not None and end is not None and end - start > ORDER_LIST_QUERY_SPAN_MS:
        hours = ORDER_LIST_QUERY_SPAN_MS // 3_600_000
        raise SimError(-1127, codes.MSG_INTERVAL_TOO_BIG.format(hours=hours))
    return start, end


def _limit(params: Params) -> int:
    limit = params.long("limit")
    if limit is not None and limit > ORDER_LIST_QUERY_MAX_LIMIT:
        raise codes.too_great("limit", ORDER_LIST_QUERY_MAX_LIMIT)
    if limit is None or limit <= 0:
        return ORDER_LIST_QUERY_DEFAULT_LIMIT  # 0 or less: the default
    return limit
