"""Futures user-data events (binance-api.md §11.2) from two digests: ``ALGO_UPDATE`` per algo
(conditional) order status change, ``ORDER_TRADE_UPDATE`` per matching-engine order change,
``ACCOUNT_UPDATE`` when positions changed. Margin and fees are not modelled (zeros)."""

from __future__ import annotations

from decimal import Decimal

from oco_reconcile.json_types import JsonObject
from oco_reconcile.sim.engine.usdm.records import ZERO, AlgoRecord, FuturesOrder, FuturesState
from oco_reconcile.sim.streams.digest import Digest, FuturesMark
from oco_reconcile.sim.wire.fapi_shapes import MONEY_PLACES, FuturesShapes, places

_ORDER_EXECUTIONS = {"CANCELED": "CANCELED", "EXPIRED": "EXPIRED", "EXPIRED_IN_MATCH": "EXPIRED"}


def events(state: FuturesState, before: Digest, after: Digest, now: int) -> list[JsonObject]:
    shapes = FuturesShapes(state)
    out: list[JsonObject] = []
    for algo_id in sorted(after.algos):
        status = before.algos.get(algo_id)
        if status == after.algos[algo_id]:
            continue
        algo = state.algo_orders[algo_id]
        if status is None and algo.status != "NEW":
            out.append(_algo_update(shapes, algo, now, status="NEW"))
        out.append(_algo_update(shapes, algo, now))
    for order_id in sorted(after.futures_orders):
        mark = before.futures_orders.get(order_id)
        if mark == after.futures_orders[order_id]:
            continue
        order = state.orders[order_id]
        if mark is None:
            out.append(_order_update(shapes, order, ("NEW", ZERO), now, placed=True))
            mark = ("NEW", ZERO)
        if (order.status, order.executed_qty) != mark:
            out.append(_order_update(shapes, order, mark, now))
    moved = sorted(
        key
        for key in after.positions.keys() | before.positions.keys()
        if after.positions.get(key) != before.positions.get(key)
    )
    if moved:
        out.append(_account_update(shapes, moved, now))
    return out


def _algo_update(
    shapes: FuturesShapes, algo: AlgoRecord, now: int, *, status: str | None = None
) -> JsonObject:
    """One ``ALGO_UPDATE``; ``status``: as it was (NEW) rather than as it is."""
    symbol = algo.symbol
    actual = shapes.state.orders.get(algo.actual_order_id or -1) if status is None else None
    filled = actual is not None and actual.executed_qty > 0
    body: JsonObject = {
        "caid": algo.client_algo_id,
        "aid": algo.algo_id,
        "at": "CONDITIONAL",
        "o": algo.order_type,
        "s": symbol,
        "S": algo.side,
        "ps": algo.position_side,
        "f": algo.time_in_force,
        "q": shapes.qty(symbol, algo.quantity),
        "X": status or algo.status,
        "ai": "" if actual is None else str(actual.order_id),
        "ap": shapes.price(symbol, actual.avg_price if actual is not None and filled else ZERO),
        "aq": shapes.qty(symbol, actual.executed_qty if actual is not None else ZERO),
        "act": "0",
        "tp": shapes.price(symbol, algo.trigger_price),
        "p": shapes.price(symbol, algo.price),
        "V": algo.self_trade_prevention_mode,
        "wt": algo.working_type,
        "pm": algo.price_match,
        "cp": algo.close_position,
        "pP": algo.price_protect,
        "R": algo.reduce_only,
        "tt": algo.trigger_time if status is None else 0,
        "gtd": algo.good_till_date,
        "rm": algo.reject_reason if status is None else "",
    }
    return {"e": "ALGO_UPDATE", "T": algo.update_time, "E": now, "o": body}


def _order_update(
    shapes: FuturesShapes, order: FuturesOrder, mark: FuturesMark, now: int, *, placed: bool = False
) -> JsonObject:
    symbol = order.symbol
    last_qty = ZERO if placed else order.executed_qty - mark[1]
    if placed:
        execution = "NEW"
    elif last_qty > 0:
        execution = "TRADE"
    else:
        execution = _ORDER_EXECUTIONS.get(order.status, "NEW")
    money_zero = places(Decimal(0), MONEY_PLACES)
    body: JsonObject = {
        "s": symbol,
        "c": order.client_order_id,
        "S": order.side,
        "o": order.type,
        "f": order.time_in_force,
        "q": shapes.qty(symbol, order.orig_qty),
        "p": shapes.price(symbol, order.price),
        "ap": shapes.price(symbol, ZERO if placed else order.avg_price),
        "sp": shapes.price(symbol, order.stop_price),
        "x": execution,
        "X": "NEW" if placed else order.status,
        "i": order.order_id,
        "l": shapes.qty(symbol, last_qty),
        "z": shapes.qty(symbol, ZERO if placed else order.executed_qty),
        "L": shapes.price(symbol, order.avg_price if last_qty > 0 else ZERO),
        "N": "USDT",
        "n": money_zero,
        "T": order.update_time,
        "t": 0,
        "b": "0",
        "a": "0",
        "m": False,
        "R": order.reduce_only,
        "wt": order.working_type,
        "ot": order.orig_type,
        "ps": order.position_side,
        "cp": order.close_position,
        "rp": money_zero,
        "pP": order.price_protect,
        "si": 0,
        "ss": 0,
        "V": "NONE",
        "pm": "NONE",
        "gtd": 0,
    }
    return {"e": "ORDER_TRADE_UPDATE", "E": now, "T": order.update_time, "o": body}


def _account_update(shapes: FuturesShapes, keys: list[tuple[str, str]], now: int) -> JsonObject:
    state = shapes.state
    rows: list[JsonObject] = []
    for symbol, side in keys:
        held = state.position(symbol, side)
        amount = held.amount if held is not None else ZERO
        entry = held.entry_price if held is not None else ZERO
        mark = state.mark_prices.get(symbol, ZERO)
        rows.append(
            {
                "s": symbol,
                "pa": shapes.qty(symbol, amount),
                "ep": str(entry),
                "bep": str(entry),
                "cr": "0",
                "up": places((mark - entry) * amount if amount else ZERO, MONEY_PLACES),
                "mt": "cross",
                "iw": "0",
                "ps": side,
            }
        )
    wallet = [
        {"a": asset, "wb": places(amount, MONEY_PLACES), "cw": places(amount, MONEY_PLACES),
         "bc": "0"}
        for asset, amount in sorted(state.wallet.items())
    ]  # fmt: skip
    return {"e": "ACCOUNT_UPDATE", "E": now, "T": now, "a": {"m": "ORDER", "B": wallet, "P": rows}}
