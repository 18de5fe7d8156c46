"""Conditional orders of the Algo Service (binance-api.md §10.2-§10.4): place, query, list,
cancel. Triggering is ``triggers.py``."""

from __future__ import annotations

from decimal import Decimal

from oco_reconcile.sim.engine import errors
from oco_reconcile.sim.engine.errors import SimError
from oco_reconcile.sim.engine.records import EngineState
from oco_reconcile.sim.engine.usdm import errors as fx
from oco_reconcile.sim.engine.usdm import validation
from oco_reconcile.sim.engine.usdm.orders import log, new_client_id
from oco_reconcile.sim.engine.usdm.records import AlgoRecord, FuturesState
from oco_reconcile.sim.engine.usdm.specs import AlgoSpec

ALL_ALGO_DEFAULT_LIMIT = 100
ALL_ALGO_MAX_LIMIT = 100
ALL_ALGO_SPAN_MS = 7 * 86_400_000  # allAlgoOrders: at most 7 days between start and end


def place(state: EngineState, spec: AlgoSpec, now: int) -> AlgoRecord:
    usdm = state.usdm
    side = validation.check_algo(usdm, spec)
    assert spec.trigger_price is not None  # noqa: S101 - check_algo
    order = AlgoRecord(
        algo_id=usdm.take_algo_id(),
        client_algo_id=spec.client_algo_id or new_client_id(usdm),
        symbol=spec.symbol,
        side=spec.side,
        position_side=side,
        order_type=spec.order_type,
        time_in_force=spec.time_in_force,
        quantity=spec.quantity or Decimal(0),
        trigger_price=spec.trigger_price,
        price=spec.price or Decimal(0),
        working_type=spec.working_type,
        close_position=spec.close_position,
        price_protect=spec.price_protect,
        reduce_only=bool(spec.reduce_only),
        self_trade_prevention_mode=spec.self_trade_prevention_mode,
        price_match=spec.price_match,
        good_till_date=spec.good_till_date,
        create_time=now,
        update_time=now,
    )
    usdm.algo_orders[order.algo_id] = order
    detail = f"{order.order_type} {order.side} trigger {order.trigger_price}"
    log(
        state,
        now,
        "algo placed",
        order.symbol,
        order_id=order.algo_id,
        client_id=order.client_algo_id,
        detail=detail,
    )
    return order


def find(usdm: FuturesState, algo_id: int | None, client_id: str | None) -> AlgoRecord:
    """By algoId, else by clientAlgoId (the newest with that id): -2013 when unknown."""
    if algo_id is None and client_id is None:
        raise errors.one_of("algoId", "clientAlgoId")
    if algo_id is not None:
        order = usdm.algo_orders.get(algo_id)
        if order is None or (client_id is not None and order.client_algo_id != client_id):
            raise SimError(-2013, fx.MSG_NO_SUCH_ORDER)
        return order
    matches = [item for item in usdm.algo_orders.values() if item.client_algo_id == client_id]
    if not matches:
        raise SimError(-2013, fx.MSG_NO_SUCH_ORDER)
    return max(matches, key=lambda item: item.algo_id)


def cancel(state: EngineState, algo_id: int | None, client_id: str | None, now: int) -> AlgoRecord:
    """``DELETE /fapi/v1/algoOrder``: only an open order; anything else is -2011."""
    try:
        order = find(state.usdm, algo_id, client_id)
    except SimError as error:
        if error.code == -2013:
            raise SimError(-2011, fx.MSG_UNKNOWN_ORDER) from None
        raise
    if not order.is_open:
        raise SimError(-2011, fx.MSG_UNKNOWN_ORDER)
    _cancel(state, order, now)
    return order


def _cancel(state: EngineState, order: AlgoRecord, now: int) -> None:
    order.status, order.update_time = "CANCELED", now
    log(
        state,
        now,
        "algo cancelled",
        order.symbol,
        order_id=order.algo_id,
        client_id=order.client_algo_id,
    )


def cancel_all(state: EngineState, symbol: str, now: int) -> list[AlgoRecord]:
    """``DELETE /fapi/v1/algoOpenOrders``: every open conditional order of ``symbol``."""
    validation.symbol_rules(state.usdm, symbol)
    cancelled = state.usdm.open_algo_orders(symbol)
    for order in cancelled:
        _cancel(state, order, now)
    return cancelled


def history(
    usdm: FuturesState, symbol: str, window: tuple[int | None, int | None], limit: int
) -> list[AlgoRecord]:
    """``GET /fapi/v1/allAlgoOrders``: oldest first, within the window, the last ``limit``."""
    validation.symbol_rules(usdm, symbol)
    start, end = window
    found = [
        order
        for _, order in sorted(usdm.algo_orders.items())
        if order.symbol == symbol
        and (start is None or order.create_time >= start)
        and (end is None or order.create_time <= end)
    ]
    return found[-limit:] if start is None else found[:limit]
