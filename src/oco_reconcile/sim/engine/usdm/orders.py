"""Orders in the futures matching engine: MARKET / LIMIT from ``POST /fapi/v1/order`` and the
orders triggered algo orders become; executing them against the position; the event log.

Simplified (docs/simulator.md): a MARKET order fills at once in full at the price it is given
(the last price, or a triggered order's working price); a LIMIT order that could trade now fills
at the last price, else rests and fills at its own price when the last price reaches it.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from oco_reconcile.sim.engine import errors
from oco_reconcile.sim.engine.errors import SimError
from oco_reconcile.sim.engine.records import EngineState, Event
from oco_reconcile.sim.engine.usdm import errors as fx
from oco_reconcile.sim.engine.usdm import positions, validation
from oco_reconcile.sim.engine.usdm.records import FuturesOrder, FuturesState
from oco_reconcile.sim.engine.usdm.specs import CONDITIONAL_TYPES, ORDER_TYPES, FuturesOrderSpec

_ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def log(
    state: EngineState,
    now: int,
    kind: str,
    symbol: str,
    *,
    order_id: int | None = None,
    client_id: str | None = None,
    detail: str = "",
) -> None:
    """One line of the shared event log (``sim status``); it also marks the state changed."""
    event = Event(now, kind, symbol, order_id=order_id, client_order_id=client_id, detail=detail)
    state.events.append(event)
    state.update_time = now


def new_client_id(usdm: FuturesState, prefix: str = "") -> str:
    """A 22-character id as Binance generates, deterministic (a counter's hash)."""
    seq = usdm.next_client_seq
    usdm.next_client_seq += 1
    digest = hashlib.sha256(f"oco-reconcile-sim-fapi-{seq}".encode()).digest()
    return prefix + "".join(_ID_ALPHABET[byte % len(_ID_ALPHABET)] for byte in digest[:22])


def place_order(state: EngineState, spec: FuturesOrderSpec, now: int) -> FuturesOrder:
    """``POST /fapi/v1/order``: conditional types belong to the Algo Order API (-4120)."""
    usdm = state.usdm
    if spec.order_type in CONDITIONAL_TYPES:
        raise SimError(-4120, fx.MSG_USE_ALGO)
    if spec.order_type not in ORDER_TYPES:
        raise SimError(-1116, fx.MSG_INVALID_ORDER_TYPE)
    order = _checked_order(usdm, spec, now)
    usdm.orders[order.order_id] = order
    log(
        state,
        now,
        "futures placed",
        order.symbol,
        order_id=order.order_id,
        client_id=order.client_order_id,
    )
    last = usdm.last_prices[order.symbol]
    if order.type == "MARKET" or _crosses(order, last):
        execute(state, order, last, now)
    return order


def _checked_order(usdm: FuturesState, spec: FuturesOrderSpec, now: int) -> FuturesOrder:
    rules = validation.symbol_rules(usdm, spec.symbol)
    side = validation.position_side(usdm, spec.position_side)
    validation.check_reduce_only(usdm, spec.reduce_only)
    validation.check_quantity(rules, spec.quantity, market=spec.order_type == "MARKET")
    if spec.order_type == "LIMIT":
        if spec.price is None:
            raise errors.mandatory("price")
        validation.check_price(rules, spec.price)
    if spec.reduce_only and not positions.reducible(usdm, spec.symbol, side, spec.side):
        raise fx.reduce_only_rejected()
    if not spec.reduce_only:
        validation.check_notional(rules, spec.quantity, spec.price or usdm.last_prices[spec.symbol])
    client_id = spec.client_order_id or new_client_id(usdm)
    if any(item.client_order_id == client_id for item in usdm.open_orders()):
        raise SimError(-4116, fx.MSG_DUPLICATE_ID)
    return FuturesOrder(
        order_id=usdm.take_order_id(),
        symbol=spec.symbol,
        side=spec.side,
        position_side=side,
        type=spec.order_type,
        orig_type=spec.order_type,
        client_order_id=client_id,
        price=spec.price or Decimal(0),
        orig_qty=spec.quantity,
        time_in_force=spec.time_in_force,
        reduce_only=bool(spec.reduce_only),
        close_position=False,
        time=now,
        update_time=now,
    )


def _crosses(order: FuturesOrder, last: Decimal) -> bool:
    return last <= order.price if order.side == "BUY" else last >= order.price


def execute(state: EngineState, order: FuturesOrder, price: Decimal, now: int) -> bool:
    """Fill ``order`` at ``price``. Reduce-only / closePosition take at most what the position
    holds (never flip it); with nothing to reduce the order expires: False."""
    usdm = state.usdm
    quantity = order.orig_qty
    if order.reduce_only or order.close_position:
        room = positions.reducible(usdm, order.symbol, order.position_side, order.side)
        quantity = room if order.close_position else min(quantity, room)
    order.update_time = now
    if quantity <= 0:
        order.status = "EXPIRED"
        log(
            state,
            now,
            "futures expired",
            order.symbol,
            order_id=order.order_id,
            client_id=order.client_order_id,
        )
        return False
    delta = positions.signed(order.side, quantity)
    positions.fill(usdm, order.symbol, order.position_side, delta=delta, price=price, now=now)
    order.status, order.executed_qty, order.avg_price = "FILLED", quantity, price
    order.cum_quote = quantity * price
    if order.close_position:
        order.orig_qty = quantity
    detail = f"{order.side} {quantity} @ {price}"
    log(
        state,
        now,
        "futures filled",
        order.symbol,
        order_id=order.order_id,
        client_id=order.client_order_id,
        detail=detail,
    )
    return True


def match_limits(state: EngineState, symbol: str, now: int) -> list[FuturesOrder]:
    """Resting LIMIT orders of ``symbol`` that the last price reached fill at their price."""
    last = state.usdm.last_prices[symbol]
    done = []
    for order in state.usdm.open_orders(symbol):
        if order.type == "LIMIT" and _crosses(order, last):
            execute(state, order, order.price, now)
            done.append(order)
    return done
