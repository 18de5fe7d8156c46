"""Placing an OCO (rest-api.md "New Order list - OCO (TRADE)", filters.md).

The rules of ``rules.py`` and the filters of ``filters.py``, then the matching engine's own checks
in this order: duplicate ``listClientOrderId`` among open lists / leg ``clientOrderId`` among open
orders ("Duplicate order sent."), the price relationship with the last price, the free balance.
Order ids: the stop-loss leg first, then the take-profit leg (as in the docs' examples). Every
filter's reference price is the last price.
"""

from __future__ import annotations

from decimal import Decimal

from oco_reconcile.json_types import JsonMapping
from oco_reconcile.sim.engine import errors
from oco_reconcile.sim.engine.balances import lock_needed, sync_locked
from oco_reconcile.sim.engine.book import symbol_info
from oco_reconcile.sim.engine.filters import (
    FilterContext,
    OpenCounts,
    check_exchange_filters,
    check_filters,
)
from oco_reconcile.sim.engine.history import record_event
from oco_reconcile.sim.engine.prices import trigger_price
from oco_reconcile.sim.engine.records import ZERO, Clock, EngineState, SimOrder, SimOrderList
from oco_reconcile.sim.engine.rules import check_price_relationship, validate_request
from oco_reconcile.sim.engine.specs import ALGO_TYPES, LegSpec, OcoSpec


def place_oco(state: EngineState, spec: OcoSpec, clock: Clock) -> SimOrderList:
    """Validate like Binance, then open the list, lock the balance and log ``placed``."""
    symbol = symbol_info(state, spec.symbol)
    validate_request(symbol, spec)
    last = state.prices[spec.symbol]
    counts = open_counts(state, spec.symbol), open_counts(state, None)
    context = FilterContext(last, *counts, state.reference_prices.get(spec.symbol))
    check_filters(symbol, spec, context)
    check_exchange_filters(state.exchange_filters, spec, context)
    _check_duplicates(state, spec)
    check_price_relationship(spec, last)
    lock_asset, lock_amount = lock_needed(symbol, spec, last)
    if state.holding(lock_asset).free < lock_amount:
        raise errors.rejected(errors.MSG_INSUFFICIENT_BALANCE)
    return _open_list(state, symbol, spec, last, lock_asset, now=clock())


def open_counts(state: EngineState, symbol: str | None) -> OpenCounts:
    """Open orders and lists of ``symbol`` (None: the whole account) for the count filters."""
    tally = state.open.tally(symbol)
    return OpenCounts(
        orders=tally.orders,
        algo_orders=sum(tally.types[name] for name in ALGO_TYPES),
        iceberg_orders=tally.icebergs,
        order_lists=tally.lists,
    )


def _check_duplicates(state: EngineState, spec: OcoSpec) -> None:
    list_id = spec.list_client_order_id
    if list_id and state.open.has_list_client_order_id(list_id):
        raise errors.rejected(errors.MSG_DUPLICATE_ORDER)
    leg_ids = [leg.client_order_id for leg in spec.legs if leg.client_order_id]
    if any(state.open.has_client_order_id(leg_id) for leg_id in leg_ids):
        raise errors.rejected(errors.MSG_DUPLICATE_ORDER)


def _open_list(
    state: EngineState,
    symbol: JsonMapping,
    spec: OcoSpec,
    last: Decimal,
    lock_asset: str,
    *,
    now: int,
) -> SimOrderList:
    list_id = state.take_order_list_id()
    stop_leg, take_profit_leg = sorted(spec.legs, key=lambda leg: leg.is_take_profit)
    default_stp = str(symbol.get("defaultSelfTradePreventionMode", "NONE"))
    stp = spec.self_trade_prevention_mode or default_stp
    orders = [
        _new_order(state, spec, leg, list_id, last=last, stp=stp, now=now)
        for leg in (stop_leg, take_profit_leg)
    ]
    client_id = spec.list_client_order_id or state.take_client_order_id()
    order_list = SimOrderList(
        order_list_id=list_id,
        symbol=spec.symbol,
        list_client_order_id=client_id,
        side=spec.side,
        transaction_time=now,
        order_ids=[order.order_id for order in orders],
        lock_asset=lock_asset,
    )
    state.add_list(order_list)
    sync_locked(state, order_list)  # the same amount lock_needed checked against the balance
    record_event(state, now, "placed", order_list, detail=f"{spec.side} {spec.quantity}")
    return order_list


def _new_order(
    state: EngineState,
    spec: OcoSpec,
    leg: LegSpec,
    list_id: int,
    *,
    last: Decimal,
    stp: str,
    now: int,
) -> SimOrder:
    order_id = state.take_order_id()
    client_id = leg.client_order_id or state.take_client_order_id()
    resting = leg.type == "LIMIT_MAKER"
    order = SimOrder(
        order_id=order_id,
        order_list_id=list_id,
        symbol=spec.symbol,
        side=spec.side,
        type=leg.type,
        position=leg.position,
        client_order_id=client_id,
        placed_client_order_id=client_id,
        price=leg.price if leg.price is not None else ZERO,
        orig_qty=spec.quantity,
        time_in_force=leg.time_in_force or "GTC",
        self_trade_prevention_mode=stp,
        time=now,
        update_time=now,
        stop_price=leg.stop_price,
        trigger_price=trigger_price(leg, spec.side, last),
        trailing_delta=leg.trailing_delta,
        iceberg_qty=leg.iceberg_qty,
        strategy_id=leg.strategy_id,
        strategy_type=leg.strategy_type,
        working_time=now if resting else -1,
        is_working=resting,
    )
    state.add_order(order)
    return order
