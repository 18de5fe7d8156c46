"""The REST endpoints: each reads its parameters, asks the engine, renders the answer.

One method per endpoint of rest-api.md ("General endpoints", "Market data endpoints", "Trading
endpoints", "Account endpoints"); ``routes.py`` maps method + path to them. Every handler calls
:meth:`Params.finish` before the engine runs, so an unknown parameter is ``-1104`` and changes
nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from oco_reconcile.json_types import JsonValue
from oco_reconcile.sim.engine import errors
from oco_reconcile.sim.engine.book import ORDER_LIST_QUERY_SPAN_MS
from oco_reconcile.sim.engine.cancels import CANCEL_RESTRICTIONS
from oco_reconcile.sim.engine.errors import SimError
from oco_reconcile.sim.engine.limits import Limit
from oco_reconcile.sim.engine.machine import Engine
from oco_reconcile.sim.wire import codes
from oco_reconcile.sim.wire.order_requests import read_deprecated_oco, read_oco
from oco_reconcile.sim.wire.params import Params
from oco_reconcile.sim.wire.shapes import Shapes

SYMBOL_STATUSES = ("TRADING", "HALT", "BREAK", "END_OF_DAY", "CANCEL_ONLY")
ORDER_LIST_QUERY_DEFAULT_LIMIT = 500
ORDER_LIST_QUERY_MAX_LIMIT = 1000


class Endpoints:
    """The handlers, over one engine; ``server_time`` is the engine's clock plus any fault skew.
    The endpoints added for other clients are functions over it (``orders.py``, ``market.py``,
    ``other_venues.py``)."""

    def __init__(
        self,
        engine: Engine,
        shapes: Shapes,
        server_time: Callable[[], int],
        order_usage: Callable[[], list[tuple[Limit, int]]] = list,
    ) -> None:
        self.engine = engine
        self.shapes = shapes
        self.server_time = server_time
        self.order_usage = order_usage  # the ORDERS limits with their current counts
        self.listen_keys: object | None = None  # listen_keys.ListenKeys, set by SimApp

    # --- general and market data ------------------------------------------------------------

    def ping(self, params: Params) -> JsonValue:
        params.finish()
        return {}

    def get_time(self, params: Params) -> JsonValue:
        params.finish()
        return {"serverTime": self.server_time()}

    def exchange_info(self, params: Params) -> JsonValue:
        symbol = params.text("symbol")
        symbols = symbol_list(params, "symbols")
        params.text("permissions")
        show_sets = params.boolean("showPermissionSets")
        status = params.enum("symbolStatus", SYMBOL_STATUSES)
        params.finish()
        if (symbol and symbols) or (status and (symbol or symbols)):
            raise SimError(-1128, codes.MSG_BAD_COMBO)
        names = [symbol] if symbol else symbols or list(self.engine.state.symbols)
        infos = [self.engine.symbol_info(name) for name in names]
        if status:
            infos = [info for info in infos if info.get("status") == status]
        if show_sets is False:
            infos = [{**info, "permissionSets": []} for info in infos]
        return self.shapes.exchange_info(infos, self.server_time())

    def ticker_price(self, params: Params) -> JsonValue:
        symbol = params.text("symbol")
        symbols = symbol_list(params, "symbols")
        status = params.enum("symbolStatus", SYMBOL_STATUSES)
        params.finish()
        if symbol and symbols:
            raise SimError(-1128, codes.MSG_BAD_COMBO)
        if symbol:
            if status and self.engine.symbol_info(symbol).get("status") != status:
                raise SimError(-1220, codes.MSG_SYMBOL_STATUS_MISMATCH)
            self.engine.symbol_info(symbol)
            return self.shapes.ticker_price(symbol)
        names = symbols or list(self.engine.state.symbols)
        for name in names:
            self.engine.symbol_info(name)
        if status:
            names = [n for n in names if self.engine.state.symbols[n].get("status") == status]
        return [self.shapes.ticker_price(name) for name in names]

    def avg_price(self, params: Params) -> JsonValue:
        symbol = params.required("symbol")
        params.finish()
        self.engine.symbol_info(symbol)
        return self.shapes.avg_price(symbol)

    def reference_price(self, params: Params) -> JsonValue:
        """rest-api.md "Query reference price": null when the symbol has none (the simulator
        never answers -2043, "never had one")."""
        symbol = params.required("symbol")
        params.finish()
        self.engine.symbol_info(symbol)
        return self.shapes.reference_price(symbol, self.engine.state.reference_prices.get(symbol))

    # --- account ------------------------------------------------------------------------------

    def account(self, params: Params) -> JsonValue:
        omit_zero = params.boolean("omitZeroBalances")
        params.finish()
        return self.shapes.account(self.engine.balances(), omit_zero=bool(omit_zero))

    def open_order_list(self, params: Params) -> JsonValue:
        params.finish()
        return [self.shapes.order_list(item) for item in self.engine.open_order_lists()]

    def order_list(self, params: Params) -> JsonValue:
        order_list_id = params.long("orderListId")
        client_id = params.text("origClientOrderId")
        params.finish()
        if order_list_id is None and client_id is None:
            raise errors.one_of("orderListId", "origClientOrderId")
        return self.shapes.order_list(self.engine.find_order_list(order_list_id, client_id))

    def all_order_list(self, params: Params) -> JsonValue:
        from_id = params.long("fromId")
        start, end = params.long("startTime"), params.long("endTime")
        limit = params.long("limit")
        params.finish()
        if from_id is not None and (start is not None or end is not None):
            raise SimError(-1128, codes.MSG_BAD_COMBO)
        if start is not None and end is not None and end - start > ORDER_LIST_QUERY_SPAN_MS:
            hours = ORDER_LIST_QUERY_SPAN_MS // 3_600_000
            raise SimError(-1127, codes.MSG_INTERVAL_TOO_BIG.format(hours=hours))
        if limit is not None and limit > ORDER_LIST_QUERY_MAX_LIMIT:
            raise codes.too_great("limit", ORDER_LIST_QUERY_MAX_LIMIT)
        lists = self.engine.all_order_lists(
            from_id, start, end, limit or ORDER_LIST_QUERY_DEFAULT_LIMIT
        )
        return [self.shapes.order_list(item) for item in lists]

    def open_orders(self, params: Params) -> JsonValue:
        symbol = params.text("symbol")
        params.finish()
        if symbol is not None:
            self.engine.symbol_info(symbol)
        orders = self.engine.open_orders(symbol)
        return [self.shapes.query_order(order, open_orders_layout=True) for order in orders]

    def get_order(self, params: Params) -> JsonValue:
        symbol = params.required("symbol")
        order_id = params.long("orderId")
        client_id = params.text("origClientOrderId")
        params.finish()
        if order_id is None and client_id is None:
            raise errors.one_of("orderId", "origClientOrderId")
        return self.shapes.query_order(self.engine.find_order(symbol, order_id, client_id))

    # --- trading ------------------------------------------------------------------------------

    def new_oco(self, params: Params) -> JsonValue:
        spec, response_type = read_oco(params)
        params.finish()
        order_list = self.engine.place_oco(spec)
        return self.shapes.placement(order_list, response_type)

    def new_oco_deprecated(self, params: Params) -> JsonValue:
        spec, response_type = read_deprecated_oco(params)
        params.finish()
        order_list = self.engine.place_oco(spec)
        return self.shapes.placement(order_list, response_type)

    def cancel_order_list(self, params: Params) -> JsonValue:
        symbol = params.required("symbol")
        order_list_id = params.long("orderListId")
        client_id = params.client_id("listClientOrderId")
        new_id = params.client_id("newClientOrderId")
        params.finish()
        if order_list_id is None and client_id is None:
            raise errors.one_of("orderListId", "listClientOrderId")
        result = self.engine.cancel_order_list(symbol, order_list_id, client_id, new_id)
        assert result.order_list is not None  # noqa: S101 - a list cancel always has one
        when = result.order_list.transaction_time
        return self.shapes.cancellation(result.order_list, result.orders, when)

    def cancel_order(self, params: Params) -> JsonValue:
        symbol = params.required("symbol")
        order_id = params.long("orderId")
        client_id = params.text("origClientOrderId")
        new_id = params.client_id("newClientOrderId")
        restriction = params.enum(
            "cancelRestrictions",
            CANCEL_RESTRICTIONS,
            invalid=SimError(-1145, codes.MSG_INVALID_CANCEL_RESTRICTIONS),
        )
        params.finish()
        if order_id is None and client_id is None:
            raise errors.one_of("orderId", "origClientOrderId")
        result = self.engine.cancel_order(
            symbol,
            order_id=order_id,
            client_id=client_id,
            new_client_order_id=new_id,
            restriction=restriction,
        )
        return self.shapes.cancel_result(result)


def symbol_list(params: Params, name: str) -> list[str] | None:
    """A ``symbols`` parameter: a JSON array of distinct names (-1135, -1151)."""
    value = params.text(name)
    if value is None:
        return None
    try:
        names = json.loads(value)
    except ValueError:
        raise SimError(-1135, codes.MSG_INVALID_JSON.format(name=name)) from None
    if not isinstance(names, list) or not all(isinstance(item, str) for item in names):
        raise SimError(-1135, codes.MSG_INVALID_JSON.format(name=name))
    if len(set(names)) != len(names):
        raise SimError(-1151, codes.MSG_DUPLICATE_SYMBOLS)
    return names
