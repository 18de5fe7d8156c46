"""Which method + path runs which endpoint, at what request weight (rest-api.md, each endpoint's
"Weight"), whether it is SIGNED, and what a success adds to the ORDERS count."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from oco_reconcile.json_types import JsonValue
from oco_reconcile.sim.engine.specs import ORDERS_PER_OCO
from oco_reconcile.sim.wire.endpoints import Endpoints
from oco_reconcile.sim.wire.params import Params

EndpointHandler = Callable[[Endpoints, Params], JsonValue]
Weight = Callable[[Mapping[str, str]], int]
"""The request weight, from the request's query parameters."""


@dataclass(frozen=True)
class Route:
    handler: EndpointHandler
    weight: Weight
    signed: bool = False
    trade: bool = False  # order/cancel: a success weighs 0 (CHANGELOG 2026-03-27)
    order_count: int = 0  # unfilled orders a success adds


def _fixed(weight: int) -> Weight:
    return lambda _values: weight


def _by_symbol(with_symbol: int, without: int) -> Weight:
    return lambda values: with_symbol if values.get("symbol") else without


def _place(handler: EndpointHandler) -> Route:
    return Route(handler, _fixed(1), signed=True, trade=True, order_count=ORDERS_PER_OCO)


def _cancel(handler: EndpointHandler) -> Route:
    return Route(handler, _fixed(1), signed=True, trade=True)


ROUTES: Mapping[tuple[str, str], Route] = {
    ("GET", "/api/v3/ping"): Route(Endpoints.ping, _fixed(1)),
    ("GET", "/api/v3/time"): Route(Endpoints.get_time, _fixed(1)),
    ("GET", "/api/v3/exchangeInfo"): Route(Endpoints.exchange_info, _fixed(20)),
    ("GET", "/api/v3/ticker/price"): Route(Endpoints.ticker_price, _by_symbol(2, 4)),
    ("GET", "/api/v3/avgPrice"): Route(Endpoints.avg_price, _fixed(2)),
    ("GET", "/api/v3/account"): Route(Endpoints.account, _fixed(20), signed=True),
    ("GET", "/api/v3/openOrderList"): Route(Endpoints.open_order_list, _fixed(6), signed=True),
    ("GET", "/api/v3/orderList"): Route(Endpoints.order_list, _fixed(4), signed=True),
    ("GET", "/api/v3/allOrderList"): Route(Endpoints.all_order_list, _fixed(20), signed=True),
    ("GET", "/api/v3/openOrders"): Route(Endpoints.open_orders, _by_symbol(6, 80), signed=True),
    ("GET", "/api/v3/order"): Route(Endpoints.get_order, _fixed(4), signed=True),
    ("POST", "/api/v3/orderList/oco"): _place(Endpoints.new_oco),
    ("POST", "/api/v3/order/oco"): _place(Endpoints.new_oco_deprecated),
    ("DELETE", "/api/v3/orderList"): _cancel(Endpoints.cancel_order_list),
    ("DELETE", "/api/v3/order"): _cancel(Endpoints.cancel_order),
}
