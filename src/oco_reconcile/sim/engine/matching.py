"""Matching on a price move, fills, and the OCO rule that one working leg expires the other.

* A resting LIMIT_MAKER fills at its price when the market reaches it; a STOP_LOSS / TAKE_PROFIT
  leg triggers when its stop price is reached (SELL stop: price <= stop; SELL take-profit: price >=
  stop; BUY mirrored) and fills at the new price; a STOP_LOSS_LIMIT / TAKE_PROFIT_LIMIT leg
  triggers and becomes a working limit order (filled at once at the market price when marketable,
  else later at its limit price).
* The moment one leg fills or triggers - even partly - the other expires with ``expiryReason``
  ``OCO_TRIGGER`` and the list becomes ``ALL_DONE``; a still-working leg stays in ``openOrders``
  with its ``orderListId``.
* An order placed on its own (``orderListId`` -1) follows the same rules without a sibling.
* Every fill is a :class:`SimTrade`; it is a maker fill when the order rested at its own price.

Simplified: there is no order book, so every fill is for the whole remaining quantity unless
forced partial with :func:`force_fill`.
"""

from __future__ import annotations

from decimal import Decimal

from oco_reconcile.errors import UsageError
from oco_reconcile.sim.engine.balances import settle, sync_locked
from oco_reconcile.sim.engine.book import latest_list, open_orders, orders_of
from oco_reconcile.sim.engine.history import record_event, record_order_event, record_price
from oco_reconcile.sim.engine.prices import crosses, triggers
from oco_reconcile.sim.engine.records import (
    ZERO,
    EngineState,
    Event,
    SimOrder,
    SimOrderList,
    SimTrade,
)
from oco_reconcile.sim.engine.specs import STOP_LOSS_TYPES


def move_price(state: EngineState, symbol: str, price: Decimal, now: int) -> list[Event]:
    """Set the last price and match every open order of the symbol against it; the events."""
    if symbol not in state.symbols:
        raise UsageError(f"unknown symbol {symbol!r}")
    if price <= 0:
        raise UsageError("the price must be positive")
    before = len(state.events)
    state.prices[symbol] = price
    state.price_times[symbol] = now
    record_price(state, now, symbol, str(price))
    for order in open_orders(state, symbol):
        _match_order(state, order, price, now)
    return state.events[before:]


def _match_order(state: EngineState, order: SimOrder, price: Decimal, now: int) -> None:
    if not order.is_open:  # an earlier order of the same list expired it
        return
    if order.is_working:
        if order.has_limit_price and crosses(order, price):
            fill(state, order, order.remaining, order.price, now)
        return
    if order.trigger_price is not None and triggers(order, order.trigger_price, price):
        trigger(state, order, now)
        if not order.has_limit_price:
            fill(state, order, order.remaining, price, now)
        elif crosses(order, price):
            fill(state, order, order.remaining, price, now)  # marketable: a taker fill


def trigger(state: EngineState, order: SimOrder, now: int) -> None:
    """The leg starts working; its siblings expire."""
    order.is_working = True
    order.working_time = now
    order.update_time = now
    order_list = state.lists.get(order.order_list_id)
    if order_list is None:
        record_order_event(state, now, "triggered", order)
        return
    record_event(state, now, "triggered", order_list, order)
    _expire_other_legs(state, order_list, order, now)


def _expire_other_legs(
    state: EngineState, order_list: SimOrderList, active: SimOrder, now: int
) -> None:
    """One leg started working or filled: the others expire (OCO_TRIGGER), the list is done."""
    if not order_list.is_open:
        return
    for sibling in orders_of(state, order_list):
        if sibling.order_id != active.order_id and sibling.is_open:
            state.set_order_status(sibling, "EXPIRED")
            sibling.expiry_reason = "OCO_TRIGGER"
            sibling.update_time = now
            sibling.is_working = False
            record_event(state, now, "expired", order_list, sibling, detail="OCO_TRIGGER")
    close_list(state, order_list, now)


def close_list(state: EngineState, order_list: SimOrderList, now: int) -> None:
    state.close_list(order_list)
    order_list.transaction_time = now
    sync_locked(state, order_list)


def fill(
    state: EngineState,
    order: SimOrder,
    qty: Decimal,
    price: Decimal,
    now: int,
    *,
    maker: bool | None = None,
) -> None:
    """Fill ``qty`` at ``price``; ``maker`` defaults to whether the order rested at its price."""
    order_list = state.lists.get(order.order_list_id)
    settle(state, order_list, order, qty, price)
    if maker is None:
        maker = order.is_working and order.has_limit_price and price == order.price
    _record_trade(state, order, qty, price, now, maker=maker)
    order.executed_qty += qty
    order.cummulative_quote_qty += qty * price
    state.set_order_status(order, "FILLED" if order.remaining == 0 else "PARTIALLY_FILLED")
    order.update_time = now
    if order.working_time < 0:
        order.working_time = now
    order.is_working = order.is_open
    kind = "filled" if order.status == "FILLED" else "partially_filled"
    if order_list is None:
        record_order_event(state, now, kind, order, detail=f"{qty} @ {price}")
        return
    record_event(state, now, kind, order_list, order, detail=f"{qty} @ {price}")
    _expire_other_legs(state, order_list, order, now)
    sync_locked(state, order_list)


def _record_trade(
    state: EngineState, order: SimOrder, qty: Decimal, price: Decimal, now: int, *, maker: bool
) -> None:
    trade = SimTrade(
        trade_id=state.take_trade_id(),
        symbol=order.symbol,
        order_id=order.order_id,
        order_list_id=order.order_list_id,
        price=price,
        qty=qty,
        quote_qty=qty * price,
        time=now,
        is_buyer=order.side == "BUY",
        is_maker=maker,
    )
    state.trades.append(trade)


def force_fill(
    state: EngineState, list_client_order_id: str, qty: Decimal, position: str | None, now: int
) -> SimOrder:
    """Fill ``qty`` of one leg of the latest list with that id, at the leg's own price.

    The leg is ``position`` (``above``/``below``) or, by default, the leg working on the book,
    else the take-profit leg. A partial fill activates the leg like a full one: the other leg
    expires and the list is done (Binance: "if one is fully or partially filled, the other is
    canceled").
    """
    order_list = latest_list(state, list_client_order_id)
    if order_list is None:
        raise UsageError(f"no order list {list_client_order_id!r}")
    order = _leg_to_fill(state, order_list, position)
    if qty <= 0:
        raise UsageError("the quantity must be positive")
    if not order.is_working:
        trigger(state, order, now)
    price = order.price if order.has_limit_price else order.trigger_price or ZERO
    fill(state, order, min(qty, order.remaining), price, now)
    return order


def _leg_to_fill(state: EngineState, order_list: SimOrderList, position: str | None) -> SimOrder:
    legs = [order for order in orders_of(state, order_list) if order.is_open]
    if position is not None:
        legs = [order for order in legs if order.position == position]
    working = [order for order in legs if order.is_working]
    take_profit = [order for order in legs if order.type not in STOP_LOSS_TYPES]
    chosen = (working or take_profit or legs)[:1]
    if not chosen:
        raise UsageError(f"order list {order_list.list_client_order_id!r} has no open leg")
    return chosen[0]
