"""The simulator's open-order index, recomputed from the records: what ``EngineState.open`` must
equal after any sequence of engine calls."""

from __future__ import annotations

from collections import Counter

from oco_reconcile.sim.engine.records import EngineState


def open_book_problems(state: EngineState) -> list[str]:
    """Every way the index differs from a full scan of the orders and lists (empty: none)."""
    open_orders = [order for _, order in sorted(state.orders.items()) if order.is_open]
    open_lists = [item for _, item in sorted(state.lists.items()) if item.is_open]
    problems = []
    if state.open.orders() != open_orders:
        problems.append("open orders")
    if state.open.lists() != open_lists:
        problems.append("open lists")
    for symbol in {order.symbol for order in state.orders.values()} | {None}:
        problems += _tally_problems(state, symbol)
    for order in state.orders.values():
        expected = any(o.client_order_id == order.client_order_id for o in open_orders)
        if state.open.has_client_order_id(order.client_order_id) != expected:
            problems.append(f"client order id {order.client_order_id}")
    for item in state.lists.values():
        expected = any(o.list_client_order_id == item.list_client_order_id for o in open_lists)
        if state.open.has_list_client_order_id(item.list_client_order_id) != expected:
            problems.append(f"list client order id {item.list_client_order_id}")
    return problems


def _tally_problems(state: EngineState, symbol: str | None) -> list[str]:
    orders = state.open.orders(symbol)
    if orders != [o for o in state.open.orders() if symbol in (None, o.symbol)]:
        return [f"open orders of {symbol}"]
    tally = state.open.tally(symbol)
    lists = [item for item in state.open.lists() if symbol in (None, item.symbol)]
    types = Counter(order.type for order in orders)
    icebergs = sum(order.iceberg_qty is not None for order in orders)
    found = (+tally.types, tally.icebergs, tally.lists)
    return [] if found == (types, icebergs, len(lists)) else [f"tally of {symbol}: {found}"]
