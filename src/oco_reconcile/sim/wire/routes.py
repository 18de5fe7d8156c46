"""Which method + path runs which endpoint, at what request weight (rest-api.md, each endpoint's
"Weight"), whether it is SIGNED, and what a success adds to the ORDERS count."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from oco_reconcile.json_types import JsonValue
from oco_reconcile.sim.engine.specs import ORDERS_PER_OCO
from oco_reconcile.sim.wire import (
    fapi_market,
    fapi_trade,
    listen_keys,
    market,
    orders,
    other_venues,
)
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
    keyed: bool = False  # USER_STREAM: the API key header, no signature


def _fixed(weight: int) -> Weight:
    return lambda _values: weight


def _by_symbol(with_symbol: int, without: int) -> Weight:
    return lambda values: with_symbol if values.get("symbol") else without


def _by_count(values: Mapping[str, str]) -> int:
    """ticker/24hr: 2 for one symbol or up to 20, 40 up to 100, else (or none) 80."""
    if values.get("symbol"):
        return 2
    count = values.get("symbols", "").count(",") + 1 if values.get("symbols") else 101
    return 2 if count <= 20 else 40 if count <= 100 else 80


def _by_depth(values: Mapping[str, str]) -> int:
    """depth: by ``limit`` (default 100)."""
    raw = values.get("limit", "")
    limit = int(raw) if raw.isdigit() else 100
    return 5 if limit <= 100 else 25 if limit <= 500 else 50 if limit <= 1000 else 250


def _place(handler: EndpointHandler, orders: int = ORDERS_PER_OCO) -> Route:
    return Route(handler, _fixed(1), signed=True, trade=True, order_count=orders)


def _cancel(handler: EndpointHandler) -> Route:
    return Route(handler, _fixed(1), signed=True, trade=True)


def _signed(handler: EndpointHandler, weight: Weight) -> Route:
    return Route(handler, weight, signed=True)


# USDⓈ-M futures (binance-api.md §10; the weights of the common wire contract). Writes weigh 0 on
# the IP limit and 1 on each ORDERS window (New-Algo-Order.md "Weight").
FAPI_ROUTES: Mapping[tuple[str, str], Route] = {
    ("GET", "/fapi/v1/ping"): Route(fapi_market.ping, _fixed(1)),
    ("GET", "/fapi/v1/time"): Route(fapi_market.server_time, _fixed(1)),
    ("GET", "/fapi/v1/exchangeInfo"): Route(fapi_market.exchange_info, _fixed(1)),
    ("GET", "/fapi/v1/premiumIndex"): Route(fapi_market.premium_index, _by_symbol(1, 10)),
    ("GET", "/fapi/v1/ticker/price"): Route(fapi_market.ticker_price, _by_symbol(1, 2)),
    ("GET", "/fapi/v3/positionRisk"): _signed(fapi_market.position_risk, _fixed(5)),
    ("GET", "/fapi/v3/balance"): _signed(fapi_market.balance, _fixed(5)),
    ("GET", "/fapi/v1/positionSide/dual"): _signed(fapi_market.get_position_mode, _fixed(30)),
    ("POST", "/fapi/v1/positionSide/dual"): _signed(fapi_market.set_position_mode, _fixed(1)),
    ("POST", "/fapi/v1/order"): _place(fapi_trade.new_order, orders=1),
    ("POST", "/fapi/v1/algoOrder"): _place(fapi_trade.new_algo_order, orders=1),
    ("GET", "/fapi/v1/algoOrder"): _signed(fapi_trade.get_algo_order, _fixed(1)),
    ("GET", "/fapi/v1/openAlgoOrders"): _signed(fapi_trade.open_algo_orders, _by_symbol(1, 40)),
    ("GET", "/fapi/v1/allAlgoOrders"): _signed(fapi_trade.all_algo_orders, _fixed(5)),
    ("DELETE", "/fapi/v1/algoOrder"): _cancel(fapi_trade.cancel_algo_order),
    ("DELETE", "/fapi/v1/algoOpenOrders"): _cancel(fapi_trade.cancel_algo_open_orders),
    ("POST", "/fapi/v1/listenKey"): Route(listen_keys.start, _fixed(1), keyed=True),
    ("PUT", "/fapi/v1/listenKey"): Route(listen_keys.keep_alive, _fixed(1), keyed=True),
    ("DELETE", "/fapi/v1/listenKey"): Route(listen_keys.close, _fixed(1), keyed=True),
}
FAPI_PREFIX = "/fapi/"


ROUTES: Mapping[tuple[str, str], Route] = {
    ("GET", "/api/v3/ping"): Route(Endpoints.ping, _fixed(1)),
    ("GET", "/api/v3/time"): Route(Endpoints.get_time, _fixed(1)),
    ("GET", "/api/v3/exchangeInfo"): Route(Endpoints.exchange_info, _fixed(20)),
    ("GET", "/api/v3/ticker/price"): Route(Endpoints.ticker_price, _by_symbol(2, 4)),
    ("GET", "/api/v3/avgPrice"): Route(Endpoints.avg_price, _fixed(2)),
    ("GET", "/api/v3/referencePrice"): Route(Endpoints.reference_price, _fixed(2)),
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
    # --- what other clients call (docs/simulator.md "Using other clients") ---
    ("GET", "/api/v3/ticker/24hr"): Route(market.ticker_24hr, _by_count),
    ("GET", "/api/v3/ticker/bookTicker"): Route(market.book_ticker, _by_symbol(2, 4)),
    ("GET", "/api/v3/depth"): Route(market.depth, _by_depth),
    ("GET", "/api/v3/klines"): Route(market.klines, _fixed(2)),
    ("GET", "/api/v3/uiKlines"): Route(market.klines, _fixed(2)),
    ("GET", "/api/v3/trades"): Route(market.recent_trades, _fixed(25)),
    ("GET", "/api/v3/aggTrades"): Route(market.aggregate_trades, _fixed(4)),
    ("POST", "/api/v3/order"): _place(orders.new_order, orders=1),
    ("POST", "/api/v3/order/test"): Route(
        orders.test_order,
        lambda v: 20 if v.get("computeCommissionRates") == "true" else 1,
        signed=True,
    ),
    ("DELETE", "/api/v3/openOrders"): _cancel(orders.cancel_open_orders),
    ("GET", "/api/v3/allOrders"): Route(orders.all_orders, _fixed(20), signed=True),
    ("GET", "/api/v3/myTrades"): Route(
        orders.my_trades, lambda v: 5 if v.get("orderId") else 20, signed=True
    ),
    ("GET", "/api/v3/rateLimit/order"): Route(orders.rate_limit_order, _fixed(40), signed=True),
    # other Binance APIs a client reads when it starts: minimal answers (other_venues.py)
    ("GET", "/dapi/v1/exchangeInfo"): Route(other_venues.futures_exchange_info, _fixed(1)),
    ("GET", "/sapi/v1/capital/config/getall"): Route(
        other_venues.wallet_coins, _fixed(10), signed=True
    ),
    **FAPI_ROUTES,
    ("GET", "/sapi/v1/margin/allPairs"): Route(other_venues.margin_pairs, _fixed(1)),
    ("GET", "/sapi/v1/margin/isolated/allPairs"): Route(other_venues.margin_pairs, _fixed(10)),
}
