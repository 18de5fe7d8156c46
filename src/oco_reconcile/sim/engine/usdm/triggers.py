"""Price moves and what they set off (binance-api.md §10.3 "Trigger rules").

When the last (contract) and/or the mark price moves, every open algo order of the symbol whose
condition holds against its working price triggers, in algoId order: it becomes an order in the
matching engine (``actualOrderId``). A *_MARKET order executes at once at the working price
(closePosition closes the whole position side, reduce-only reduces by at most its quantity) and
the algo order is FINISHED with ``actualPrice``; a limit (STOP / TAKE_PROFIT) order rests as a
LIMIT at its price and the algo order stays TRIGGERED until that fills. With nothing to reduce
the algo order is REJECTED (-2022, what ALGO_UPDATE's ``rm`` would say). As on Binance, the other
leg of a bracket is left open: the tool cancels that orphan.
"""

from __future__ import annotations

from decimal import Decimal

from oco_reconcile.sim.engine.records import EngineState
from oco_reconcile.sim.engine.usdm import errors as fx
from oco_reconcile.sim.engine.usdm import orders, positions, validation
from oco_reconcile.sim.engine.usdm.records import AlgoRecord, FuturesOrder


def move_prices(
    state: EngineState, symbol: str, last: Decimal | None, mark: Decimal | None, now: int
) -> None:
    usdm = state.usdm
    validation.symbol_rules(usdm, symbol)
    if last is not None:
        usdm.last_prices[symbol] = last
    if mark is not None:
        usdm.mark_prices[symbol] = mark
    usdm.price_times[symbol] = now
    detail = f"last {usdm.last_prices[symbol]} mark {usdm.mark_prices[symbol]}"
    orders.log(state, now, "futures price", symbol, detail=detail)
    for order in usdm.open_algo_orders(symbol):
        working = validation.working_price(usdm, symbol, order.working_type)
        fired = validation.fires(order.order_type, order.side, order.trigger_price, working)
        if fired and not _protected(state, order):
            trigger(state, order, working, now)
    _finish_limits(state, orders.match_limits(state, symbol, now), now)


def _protected(state: EngineState, order: AlgoRecord) -> bool:
    """priceProtect: no trigger while mark and last are further apart than triggerProtect."""
    if not order.price_protect:
        return False
    usdm = state.usdm
    mark, last = usdm.mark_prices[order.symbol], usdm.last_prices[order.symbol]
    limit = Decimal(usdm.symbols[order.symbol]["triggerProtect"])
    return abs(mark - last) / mark > limit


def trigger(state: EngineState, order: AlgoRecord, working: Decimal, now: int) -> None:
    usdm = state.usdm
    if not _can_reduce(state, order):
        order.status, order.update_time, order.trigger_time = "REJECTED", now, now
        order.reject_reason = fx.MSG_REDUCE_ONLY_REJECTED
        detail = f"-2022 {fx.MSG_REDUCE_ONLY_REJECTED}"
        orders.log(
            state,
            now,
            "algo rejected",
            order.symbol,
            order_id=order.algo_id,
            client_id=order.client_algo_id,
            detail=detail,
        )
        return
    placed = _actual_order(state, order, now)
    usdm.orders[placed.order_id] = placed
    order.status, order.trigger_time, order.update_time = "TRIGGERED", now, now
    order.actual_order_id = placed.order_id
    detail = f"at {working}, order {placed.order_id}"
    orders.log(
        state,
        now,
        "algo triggered",
        order.symbol,
        order_id=order.algo_id,
        client_id=order.client_algo_id,
        detail=detail,
    )
    if placed.type == "MARKET":
        orders.execute(state, placed, working, now)
        _finish(order, placed, now)


def _can_reduce(state: EngineState, order: AlgoRecord) -> bool:
    if not (order.reduce_only or order.close_position):
        return True
    room = positions.reducible(state.usdm, order.symbol, order.position_side, order.side)
    return room > 0


def _actual_order(state: EngineState, order: AlgoRecord, now: int) -> FuturesOrder:
    usdm = state.usdm
    return FuturesOrder(
        order_id=usdm.take_order_id(),
        symbol=order.symbol,
        side=order.side,
        position_side=order.position_side,
        type="LIMIT" if order.is_limit else "MARKET",
        orig_type=order.order_type,
        client_order_id=order.client_algo_id,
        price=order.price,
        orig_qty=order.quantity,
        time_in_force=order.time_in_force,
        reduce_only=order.reduce_only,
        close_position=order.close_position,
        time=now,
        update_time=now,
        stop_price=order.trigger_price,
        working_type=order.working_type,
        price_protect=order.price_protect,
    )


def _finish(order: AlgoRecord, placed: FuturesOrder, now: int) -> None:
    order.status, order.update_time = "FINISHED", now
    if placed.status == "FILLED":
        order.actual_price = placed.avg_price


def _finish_limits(state: EngineState, filled: list[FuturesOrder], now: int) -> None:
    """A triggered limit order that now filled (or expired) finishes its algo order."""
    by_actual = {
        item.actual_order_id: item
        for item in state.usdm.algo_orders.values()
        if item.status == "TRIGGERED"
    }
    for placed in filled:
        algo = by_actual.get(placed.order_id)
        if algo is not None:
            _finish(algo, placed, now)
