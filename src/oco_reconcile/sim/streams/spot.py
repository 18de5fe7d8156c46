"""Spot user-data events (binance-api.md §11.1; [SPOT] ``user-data-stream.md``) from two digests:
``executionReport`` per order change, ``listStatus`` per order-list change,
``outboundAccountPosition`` for the balances that changed. The WebSocket API wraps each as
``{"subscriptionId": N, "event": ...}`` (``server.py`` does)."""

from __future__ import annotations

from decimal import Decimal

from oco_reconcile.json_types import JsonObject
from oco_reconcile.sim.engine.machine import Engine
from oco_reconcile.sim.engine.records import NO_ORDER_LIST, ZERO, SimOrder
from oco_reconcile.sim.streams.digest import Digest, OrderMark
from oco_reconcile.sim.wire.shapes import Shapes, decimal_text

_ENDED_TYPES = {"CANCELED": "CANCELED", "EXPIRED": "EXPIRED", "REJECTED": "REJECTED"}
_PLACED: OrderMark = ("NEW", ZERO, ZERO, "")


def events(engine: Engine, before: Digest, after: Digest, now: int) -> list[JsonObject]:
    state = engine.state
    shapes = Shapes(engine)
    out: list[JsonObject] = []
    for order_id in sorted(after.orders):
        mark = before.orders.get(order_id)
        if mark == after.orders[order_id]:
            continue
        order = state.orders[order_id]
        if mark is None:
            out.append(_report(shapes, order, "NEW", _PLACED, now, placed=True))
            mark = _PLACED
        kind = _execution_type(order, mark)
        if kind is not None:
            out.append(_report(shapes, order, kind, mark, now))
    out.sort(key=lambda report: report["x"] == "EXPIRED")  # a fill first, then its sibling's end
    for list_id in sorted(after.lists):
        if before.lists.get(list_id) != after.lists[list_id]:
            out.append(_list_status(engine, list_id, now))
    changed = [
        asset for asset, held in after.balances.items() if before.balances.get(asset) != held
    ]
    if changed:
        out.append(_account_position(engine, changed, now))
    return out


def _execution_type(order: SimOrder, mark: OrderMark) -> str | None:
    if order.executed_qty > mark[1]:
        return "TRADE"
    if order.status != mark[0]:
        return _ENDED_TYPES.get(order.status, "NEW")
    return None


def _report(
    shapes: Shapes, order: SimOrder, kind: str, mark: OrderMark, now: int, *, placed: bool = False
) -> JsonObject:
    """One ``executionReport``; ``placed``: the order as it was when placed (X NEW, nothing
    filled)."""
    symbol = order.symbol
    last_qty = ZERO if placed else order.executed_qty - mark[1]
    last_quote = ZERO if placed else order.cummulative_quote_qty - mark[2]
    last_price = last_quote / last_qty if last_qty else ZERO
    executed = ZERO if placed else order.executed_qty
    quote = ZERO if placed else order.cummulative_quote_qty
    cancelled = kind == "CANCELED" and order.orig_client_order_id is not None
    client_id = order.placed_client_order_id if placed else order.client_order_id
    event: JsonObject = {
        "e": "executionReport",
        "E": now,
        "s": symbol,
        "c": client_id,
        "S": order.side,
        "o": order.type,
        "f": order.time_in_force,
        "q": shapes.qty_text(symbol, order.orig_qty),
        "p": shapes.price_text(symbol, order.price),
        "P": shapes.price_text(symbol, order.stop_price or ZERO),
        "F": shapes.qty_text(symbol, order.iceberg_qty or ZERO),
        "g": order.order_list_id,
        "C": order.placed_client_order_id if cancelled else "",
        "x": kind,
        "X": "NEW" if placed else order.status,
        "r": "NONE",
        "i": order.order_id,
        "l": shapes.qty_text(symbol, last_qty),
        "z": shapes.qty_text(symbol, executed),
        "L": shapes.price_text(symbol, last_price),
        "n": decimal_text(Decimal(0)),
        "N": None,
        "T": order.time if placed else order.update_time,
        "t": _last_trade_id(shapes, order) if kind == "TRADE" else -1,
        "I": order.order_id * 2 + (0 if placed else 1),
        "w": order.is_working and order.is_open,
        "m": False,
        "M": False,
        "O": order.time,
        "Z": shapes.price_text(symbol, quote),
        "Y": shapes.price_text(symbol, last_quote),
        "Q": shapes.price_text(symbol, ZERO),
        "W": order.working_time,
        "V": order.self_trade_prevention_mode,
    }
    if not placed and order.expiry_reason:
        event["eR"] = order.expiry_reason
    return event


def _last_trade_id(shapes: Shapes, order: SimOrder) -> int:
    for trade in reversed(shapes.engine.state.trades):
        if trade.order_id == order.order_id:
            return trade.trade_id
    return -1


def _list_status(engine: Engine, list_id: int, now: int) -> JsonObject:
    item = engine.state.lists[list_id]
    legs = [engine.state.orders[order_id] for order_id in item.order_ids]
    return {
        "e": "listStatus",
        "E": now,
        "s": item.symbol,
        "g": item.order_list_id if item.order_list_id != NO_ORDER_LIST else -1,
        "c": item.contingency_type,
        "l": item.list_status_type,
        "L": item.list_order_status,
        "r": "NONE",
        "C": item.list_client_order_id,
        "T": item.transaction_time,
        "O": [{"s": leg.symbol, "i": leg.order_id, "c": leg.client_order_id} for leg in legs],
    }


def _account_position(engine: Engine, assets: list[str], now: int) -> JsonObject:
    balances = engine.state.balances
    return {
        "e": "outboundAccountPosition",
        "E": now,
        "u": now,
        "B": [
            {
                "a": asset,
                "f": decimal_text(balances[asset].free),
                "l": decimal_text(balances[asset].locked),
            }
            for asset in sorted(assets)
        ],
    }
