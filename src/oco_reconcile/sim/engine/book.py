"""Reading the order book: symbols, open orders and order lists, and the lookups the query and
cancel endpoints make (rest-api.md "Account endpoints"). Pure reads over :class:`EngineState`;
the caller holds the engine's lock."""

from __future__ import annotations

from oco_reconcile.json_types import JsonObject
from oco_reconcile.sim.engine import errors
from oco_reconcile.sim.engine.errors import SimError
from oco_reconcile.sim.engine.records import EngineState, SimOrder, SimOrderList, SimTrade

# ``GET /api/v3/allOrderList``: the longest startTime..endTime span, and the implied span when only
# one end is given (rest-api.md "Query all Order lists").
ORDER_LIST_QUERY_SPAN_MS = 24 * 3_600_000


def symbol_info(state: EngineState, name: str) -> JsonObject:
    """The symbol's ``exchangeInfo`` entry; -1121 when the symbol is unknown."""
    info = state.symbols.get(name)
    if info is None:
        raise SimError(-1121, errors.MSG_BAD_SYMBOL)
    return info


def open_order_lists(state: EngineState) -> list[SimOrderList]:
    return state.open.lists()


def open_orders(state: EngineState, symbol: str | None = None) -> list[SimOrder]:
    return state.open.orders(symbol)


def orders_of(state: EngineState, order_list: SimOrderList) -> list[SimOrder]:
    return [state.orders[order_id] for order_id in order_list.order_ids]


def latest_list(state: EngineState, client_id: str) -> SimOrderList | None:
    """The newest list placed with ``client_id`` (ids are reusable once a list is done)."""
    matches = [item for item in state.lists.values() if item.list_client_order_id == client_id]
    return max(matches, key=lambda item: item.order_list_id, default=None)


def find_order_list(
    state: EngineState, order_list_id: int | None, client_id: str | None
) -> SimOrderList:
    """``GET /api/v3/orderList``: by id, else the latest list with that client id (-2018)."""
    found = state.lists.get(order_list_id) if order_list_id is not None else None
    if order_list_id is None and client_id is not None:
        found = latest_list(state, client_id)
    if found is None:
        raise SimError(-2018, errors.MSG_NO_SUCH_ORDER_LIST)
    return found


def all_order_lists(
    state: EngineState, from_id: int | None, start: int | None, end: int | None, limit: int
) -> list[SimOrderList]:
    """``GET /api/v3/allOrderList``: ascending from ``fromId``/``startTime``; otherwise the
    most recent ``limit`` lists, newest first (as the docs' example lists them)."""
    lists = [item for _, item in sorted(state.lists.items())]
    if from_id is not None:
        return [item for item in lists if item.order_list_id >= from_id][:limit]
    if start is not None or end is not None:
        low = start if start is not None else (end or 0) - ORDER_LIST_QUERY_SPAN_MS
        high = end if end is not None else low + ORDER_LIST_QUERY_SPAN_MS
        picked = [item for item in lists if low <= item.transaction_time <= high]
        return picked[:limit]
    return list(reversed(lists))[:limit]


def find_order(
    state: EngineState, symbol: str, order_id: int | None, client_id: str | None
) -> SimOrder:
    """``GET /api/v3/order``: -2013 when unknown, -2039 when both ids disagree."""
    symbol_info(state, symbol)
    if order_id is not None:
        order = state.orders.get(order_id)
        if order is None or order.symbol != symbol:
            raise SimError(-2013, errors.MSG_NO_SUCH_ORDER)
        if client_id is not None and client_id not in order.client_ids:
            raise SimError(-2039, errors.MSG_CLIENT_ID_MISMATCH)
        return order
    found = _order_by_client_id(state, symbol, client_id or "")
    if found is None:
        raise SimError(-2013, errors.MSG_NO_SUCH_ORDER)
    return found


def _order_by_client_id(state: EngineState, symbol: str, client_id: str) -> SimOrder | None:
    """An open order with that id if there is one, else the newest."""
    candidates = [
        order
        for order in state.orders.values()
        if order.symbol == symbol and client_id in order.client_ids
    ]
    open_first = sorted(candidates, key=lambda order: (order.is_open, order.order_id))
    return open_first[-1] if open_first else None


def _in_window(time: int, start: int | None, end: int | None) -> bool:
    """``startTime`` / ``endTime``; one end alone implies the 24-hour span from it."""
    low = start if start is not None else (end or 0) - ORDER_LIST_QUERY_SPAN_MS
    high = end if end is not None else low + ORDER_LIST_QUERY_SPAN_MS
    return low <= time <= high


def all_orders(
    state: EngineState,
    symbol: str,
    from_id: int | None,
    window: tuple[int | None, int | None],
    limit: int,
) -> list[SimOrder]:
    """``GET /api/v3/allOrders``: ascending; from ``orderId``, in the time window, or else the
    most recent ``limit`` (rest-api.md "All orders")."""
    symbol_info(state, symbol)
    orders = [order for _, order in sorted(state.orders.items()) if order.symbol == symbol]
    if from_id is not None:
        return [order for order in orders if order.order_id >= from_id][:limit]
    if window != (None, None):
        return [order for order in orders if _in_window(order.time, *window)][:limit]
    return orders[-limit:]


def account_trades(
    state: EngineState,
    symbol: str,
    *,
    order_id: int | None = None,
    from_id: int | None = None,
    window: tuple[int | None, int | None] = (None, None),
    limit: int | None,
) -> list[SimTrade]:
    """``GET /api/v3/myTrades`` (and the public trade list, the account being the only trader):
    ascending, from ``fromId`` or in the window, else the most recent ``limit`` (None: all)."""
    symbol_info(state, symbol)
    trades = [t for t in state.trades if t.symbol == symbol]
    if order_id is not None:
        trades = [t for t in trades if t.order_id == order_id]
    if from_id is not None:
        return [t for t in trades if t.trade_id >= from_id][:limit]
    if window != (None, None):
        return [t for t in trades if _in_window(t.time, *window)][:limit]
    return trades[-limit:] if limit else trades
