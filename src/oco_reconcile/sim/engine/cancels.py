"""Cancelling an order list, one order, or everything open on a symbol (rest-api.md "Cancel
Order list", "Cancel order", "Cancel All Open Orders on a Symbol").

Cancelling a list (or any of its legs) cancels both legs and renames them to the cancel's
``newClientOrderId`` (the old id moves to ``origClientOrderId``), which frees the ids. A leg that
kept working after its list was done, and an order placed on its own, are cancelled alone.
"""

from __future__ import annotations

from oco_reconcile.sim.engine import errors
from oco_reconcile.sim.engine.balances import release_order, sync_locked
from oco_reconcile.sim.engine.book import open_order_lists, open_orders, orders_of, symbol_info
from oco_reconcile.sim.engine.history import record_event, record_order_event
from oco_reconcile.sim.engine.matching import close_list
from oco_reconcile.sim.engine.records import CancelResult, EngineState, SimOrder, SimOrderList

# cancelRestrictions -> the one status the order must have to be cancelled.
_RESTRICTED_TO_STATUS = {"ONLY_NEW": "NEW", "ONLY_PARTIALLY_FILLED": "PARTIALLY_FILLED"}
CANCEL_RESTRICTIONS = tuple(_RESTRICTED_TO_STATUS)


def cancel_order_list(
    state: EngineState,
    symbol: str,
    order_list_id: int | None,
    list_client_order_id: str | None,
    new_client_order_id: str | None,
    *,
    now: int,
) -> CancelResult:
    """``DELETE /api/v3/orderList``: -2011 "Unknown order list sent." unless open."""
    symbol_info(state, symbol)
    found = _open_list_for_cancel(state, symbol, order_list_id, list_client_order_id)
    if found is None:
        raise errors.cancel_rejected(errors.MSG_UNKNOWN_ORDER_LIST)
    return _cancel_list(state, found, new_client_order_id, now)


def _open_list_for_cancel(
    state: EngineState, symbol: str, order_list_id: int | None, client_id: str | None
) -> SimOrderList | None:
    for item in open_order_lists(state):
        if item.symbol != symbol:
            continue
        if order_list_id is not None and item.order_list_id != order_list_id:
            continue
        if client_id is not None and item.list_client_order_id != client_id:
            continue
        return item
    return None


def _cancel_list(
    state: EngineState, order_list: SimOrderList, cancel_id: str | None, now: int
) -> CancelResult:
    new_id = cancel_id or state.take_client_order_id()
    orders = orders_of(state, order_list)
    for order in orders:
        if order.is_open:
            _mark_cancelled(state, order, new_id, now)
    close_list(state, order_list, now)
    record_event(state, now, "cancelled", order_list, client_order_id=new_id)
    return CancelResult(tuple(orders), order_list)


def _mark_cancelled(state: EngineState, order: SimOrder, new_id: str, now: int) -> None:
    state.set_order_status(order, "CANCELED")
    order.client_order_id = new_id
    order.update_time = now
    order.is_working = False


def cancel_order(
    state: EngineState,
    symbol: str,
    *,
    order_id: int | None,
    client_id: str | None,
    new_client_order_id: str | None,
    restriction: str | None,
    now: int,
) -> CancelResult:
    """``DELETE /api/v3/order``: a leg of an open list cancels the whole list."""
    symbol_info(state, symbol)
    order = _open_order_for_cancel(state, symbol, order_id, client_id)
    _check_restriction(order, restriction)
    return _cancel(state, order, new_client_order_id, now)


def cancel_open_orders(state: EngineState, symbol: str, *, now: int) -> list[CancelResult]:
    """``DELETE /api/v3/openOrders``: every open list and order of the symbol, by order id;
    nothing open is ``-2011 Unknown order sent.`` (as Binance answers it)."""
    symbol_info(state, symbol)
    results = [
        _cancel(state, order, None, now) for order in open_orders(state, symbol) if order.is_open
    ]
    if not results:
        raise errors.cancel_rejected(errors.MSG_UNKNOWN_ORDER)
    return results


def _cancel(state: EngineState, order: SimOrder, new_id: str | None, now: int) -> CancelResult:
    """The order's open list, or else the order alone."""
    order_list = state.lists.get(order.order_list_id)
    if order_list is not None and order_list.is_open:
        return _cancel_list(state, order_list, new_id, now)
    _mark_cancelled(state, order, new_id or state.take_client_order_id(), now)
    if order_list is not None:
        sync_locked(state, order_list)
        record_event(state, now, "cancelled", order_list, order, detail="working leg")
    else:
        release_order(state, order)
        record_order_event(state, now, "cancelled", order)
    return CancelResult((order,))


def _open_order_for_cancel(
    state: EngineState, symbol: str, order_id: int | None, client_id: str | None
) -> SimOrder:
    if order_id is not None:
        order = state.orders.get(order_id)
        if order is None or order.symbol != symbol:
            raise errors.cancel_rejected(errors.MSG_UNKNOWN_ORDER)
        if client_id is not None and client_id not in order.client_ids:
            raise errors.cancel_rejected(errors.MSG_UNKNOWN_ORDER)
    else:
        order = next(
            (o for o in open_orders(state, symbol) if o.client_order_id == client_id), None
        )
    if order is None or not order.is_open:
        raise errors.cancel_rejected(errors.MSG_UNKNOWN_ORDER)
    return order


def _check_restriction(order: SimOrder, restriction: str | None) -> None:
    if restriction is not None and order.status != _RESTRICTED_TO_STATUS[restriction]:
        raise errors.cancel_rejected(errors.MSG_CANCEL_RESTRICTED)
