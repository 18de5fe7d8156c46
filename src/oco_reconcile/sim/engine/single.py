"""Placing an order on its own (rest-api.md "New order (TRADE)"); its ``orderListId`` is -1.

Checks, API level first: a type Binance knows (-1116); the parameters the type needs and refuses
(-1102 / -1106, the docs' type table); precision (-1111); what the symbol allows (-2010); the
filters, as for an OCO (-1013); then the matching engine (-2010): an open order with the same
``newClientOrderId``, a LIMIT_MAKER that would take, a stop that would trigger at once, the free
balance.

Simplified matching (docs/simulator.md): there is no order book. A MARKET order, and a LIMIT order
whose price the last price already reaches, fill at once and whole at the last price (a taker
fill); a LIMIT order that does not rests (GTC) or expires (IOC, FOK). Resting orders fill at their
own price when the market reaches it, stop orders trigger as an OCO's legs do (``matching.py``).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from oco_reconcile.json_types import JsonMapping
from oco_reconcile.sim.engine import errors
from oco_reconcile.sim.engine.balances import lock_needed, lock_order, release_order
from oco_reconcile.sim.engine.book import symbol_info
from oco_reconcile.sim.engine.errors import SimError
from oco_reconcile.sim.engine.filters import FilterContext, check_exchange_filters, check_filters
from oco_reconcile.sim.engine.history import record_order_event
from oco_reconcile.sim.engine.matching import fill
from oco_reconcile.sim.engine.placement import open_counts
from oco_reconcile.sim.engine.prices import crosses, trigger_price
from oco_reconcile.sim.engine.records import NO_ORDER_LIST, ZERO, Clock, EngineState, SimOrder
from oco_reconcile.sim.engine.rules import check_precision
from oco_reconcile.sim.engine.specs import (
    ALGO_TYPES,
    ORDER_TYPES,
    PRICED_TYPES,
    OrderSpec,
    SingleRequest,
    triggers_above,
)

# rest-api.md "New order (TRADE)": the parameters each type needs (stopPrice: or trailingDelta).
_NEEDS = {
    "LIMIT": ("timeInForce", "price"),
    "MARKET": (),
    "STOP_LOSS": ("stopPrice",),
    "STOP_LOSS_LIMIT": ("timeInForce", "price", "stopPrice"),
    "TAKE_PROFIT": ("stopPrice",),
    "TAKE_PROFIT_LIMIT": ("timeInForce", "price", "stopPrice"),
    "LIMIT_MAKER": ("price",),
}
_ICEBERG_TYPES = PRICED_TYPES | {"LIMIT"}
_EXPIRE_UNFILLED = ("IOC", "FOK")


def place_order(state: EngineState, spec: OrderSpec, clock: Clock) -> SimOrder:
    """Validate like Binance, open the order, lock what it needs, and execute what is marketable."""
    symbol, request, last = check_order(state, spec)
    _check_matching(state, spec, last)
    asset, amount = lock_needed(symbol, request, last)
    if state.holding(asset).free < amount:
        raise errors.rejected(errors.MSG_INSUFFICIENT_BALANCE)
    order = _new_order(state, symbol, spec, request.quantity, last, now=clock())
    _execute(state, order, last, order.time)
    return order


def check_order(state: EngineState, spec: OrderSpec) -> tuple[JsonMapping, SingleRequest, Decimal]:
    """Every check before the matching engine's (``POST /api/v3/order/test`` stops here): the
    symbol, the request as the filters see it, and the last price."""
    symbol = symbol_info(state, spec.symbol)
    if spec.type not in ORDER_TYPES:
        raise SimError(-1116, errors.MSG_INVALID_ORDER_TYPE)
    check_parameters(spec)
    last = state.prices[spec.symbol]
    request = SingleRequest(spec.symbol, spec.side, _quantity(symbol, spec, last), (spec.leg,))
    check_precision(symbol, request)
    _check_symbol_allows(symbol, spec)
    counts = open_counts(state, spec.symbol), open_counts(state, None)
    context = FilterContext(last, *counts, state.reference_prices.get(spec.symbol))
    check_filters(symbol, request, context)
    check_exchange_filters(state.exchange_filters, request, context)
    return symbol, request, last


def check_parameters(spec: OrderSpec) -> None:
    needs = _NEEDS[spec.type]
    stop = spec.stop_price if spec.stop_price is not None else spec.trailing_delta
    sent = {"timeInForce": spec.time_in_force, "price": spec.price, "stopPrice": stop}
    for name, value in sent.items():
        if name in needs and value is None:
            if name == "stopPrice":
                raise errors.one_of("stopPrice", "trailingDelta")
            raise errors.mandatory(name)
        if name not in needs and value is not None:
            trailing = name == "stopPrice" and spec.stop_price is None
            raise errors.not_required("trailingDelta" if trailing else name)
    if spec.iceberg_qty is not None and spec.type not in _ICEBERG_TYPES:
        raise errors.not_required("icebergQty")
    _check_quantity(spec)


def _check_quantity(spec: OrderSpec) -> None:
    if spec.type == "MARKET" and spec.quantity is None and spec.quote_order_qty is None:
        raise errors.one_of("quantity", "quoteOrderQty")
    if spec.quote_order_qty is not None and (spec.type != "MARKET" or spec.quantity is not None):
        raise errors.not_required("quoteOrderQty")
    if spec.type != "MARKET" and spec.quantity is None:
        raise errors.mandatory("quantity")


def _quantity(symbol: JsonMapping, spec: OrderSpec, last: Decimal) -> Decimal:
    """``quantity``, or what ``quoteOrderQty`` buys at the last price, down to the LOT_SIZE step."""
    if spec.quantity is not None:
        return spec.quantity
    if not symbol.get("quoteOrderQtyMarketAllowed", False):
        raise errors.rejected(errors.MSG_QUOTE_QTY_NOT_SUPPORTED)
    quote = spec.quote_order_qty or ZERO
    lot = next((f for f in symbol.get("filters", ()) if f["filterType"] == "LOT_SIZE"), None)
    step = Decimal(lot["stepSize"]) if lot else ZERO
    raw = quote / last
    return (raw / step).to_integral_value(ROUND_DOWN) * step if step else raw


def _check_symbol_allows(symbol: JsonMapping, spec: OrderSpec) -> None:
    if symbol.get("status") != "TRADING":
        raise errors.rejected(errors.MSG_MARKET_CLOSED)
    if spec.type not in set(symbol.get("orderTypes", ())):
        message = errors.TYPE_NOT_SUPPORTED.get(spec.type, errors.MSG_UNSUPPORTED_COMBINATION)
        raise errors.rejected(message)
    if spec.iceberg_qty is not None and not symbol.get("icebergAllowed", False):
        raise errors.rejected(errors.MSG_ICEBERG_NOT_SUPPORTED)
    if spec.trailing_delta is not None and not symbol.get("allowTrailingStop", False):
        raise errors.rejected(errors.MSG_TRAILING_NOT_SUPPORTED)


def _check_matching(state: EngineState, spec: OrderSpec, last: Decimal) -> None:
    if spec.client_order_id is not None and state.open.has_client_order_id(spec.client_order_id):
        raise errors.rejected(errors.MSG_DUPLICATE_ORDER)
    if spec.type == "LIMIT_MAKER" and spec.price is not None and _reached(spec.price, last, spec):
        raise errors.rejected(errors.MSG_WOULD_TAKE)
    if spec.stop_price is not None and _reached(spec.stop_price, last, spec):
        raise errors.rejected(errors.MSG_WOULD_TRIGGER)


def _reached(price: Decimal, last: Decimal, spec: OrderSpec) -> bool:
    """Whether the last price already reaches ``price``: a SELL limit or a rising trigger at or
    below it, a BUY limit or a falling trigger at or above it."""
    rising = (
        spec.side == "SELL" if spec.type == "LIMIT_MAKER" else triggers_above(spec.side, spec.type)
    )
    return last >= price if rising else last <= price


def _new_order(
    state: EngineState,
    symbol: JsonMapping,
    spec: OrderSpec,
    quantity: Decimal,
    last: Decimal,
    *,
    now: int,
) -> SimOrder:
    leg = spec.leg
    working = spec.type in ("LIMIT", "LIMIT_MAKER", "MARKET")
    default_stp = str(symbol.get("defaultSelfTradePreventionMode", "NONE"))
    order = SimOrder(
        order_id=state.take_order_id(),
        order_list_id=NO_ORDER_LIST,
        symbol=spec.symbol,
        side=spec.side,
        type=spec.type,
        position="",
        client_order_id=spec.client_order_id or state.take_client_order_id(),
        placed_client_order_id="",
        price=spec.price if spec.price is not None else ZERO,
        orig_qty=quantity,
        time_in_force=spec.time_in_force or "GTC",
        self_trade_prevention_mode=spec.self_trade_prevention_mode or default_stp,
        time=now,
        update_time=now,
        stop_price=spec.stop_price,
        trigger_price=trigger_price(leg, spec.side, last) if spec.type in ALGO_TYPES else None,
        trailing_delta=spec.trailing_delta,
        iceberg_qty=spec.iceberg_qty,
        strategy_id=spec.strategy_id,
        strategy_type=spec.strategy_type,
        working_time=now if working else -1,
        is_working=working,
    )
    order.placed_client_order_id = order.client_order_id
    state.add_order(order)
    lock_order(state, order)
    record_order_event(state, now, "placed", order, detail=f"{spec.side} {quantity}")
    return order


def _execute(state: EngineState, order: SimOrder, last: Decimal, now: int) -> None:
    """Fill what is marketable at the last price; an unfilled IOC / FOK LIMIT order expires."""
    if order.type == "MARKET" or (order.type == "LIMIT" and crosses(order, last)):
        fill(state, order, order.remaining, last, now, maker=False)
    elif order.type == "LIMIT" and order.time_in_force in _EXPIRE_UNFILLED:
        release_order(state, order)
        state.set_order_status(order, "EXPIRED")
        order.is_working = False
        record_order_event(state, now, "expired", order, detail=order.time_in_force)
