"""The checks Binance makes before it accepts a futures order (New-Algo-Order.md, New-Order.md;
binance-api.md §10.3, §10.5): position side per mode, closePosition / reduceOnly combinations,
PRICE_FILTER, LOT_SIZE, MIN_NOTIONAL, clientAlgoId uniqueness, the immediate-trigger rule."""

from __future__ import annotations

from decimal import Decimal

from oco_reconcile.json_types import JsonObject
from oco_reconcile.sim.engine import errors
from oco_reconcile.sim.engine.errors import SimError
from oco_reconcile.sim.engine.usdm import errors as fx
from oco_reconcile.sim.engine.usdm.records import (
    BOTH,
    LONG,
    MARK_PRICE,
    SHORT,
    FuturesState,
)
from oco_reconcile.sim.engine.usdm.specs import AlgoSpec

MAX_OPEN_ALGO_ORDERS = 200  # "The condtional order limits is 200 across all symbols" (§10.2)


def symbol_rules(state: FuturesState, symbol: str) -> JsonObject:
    rules = state.symbols.get(symbol)
    if rules is None:
        raise SimError(-1121, errors.MSG_BAD_SYMBOL)
    return rules


def symbol_filter(rules: JsonObject, kind: str) -> JsonObject:
    return next(item for item in rules["filters"] if item["filterType"] == kind)


def position_side(state: FuturesState, requested: str | None) -> str:
    """BOTH in one-way mode, LONG/SHORT (required) in hedge mode: else -4061 (§10.5)."""
    side = requested or BOTH
    if state.dual_side != (side in (LONG, SHORT)):
        raise SimError(-4061, fx.MSG_POSITION_SIDE)
    return side


def check_reduce_only(state: FuturesState, reduce_only: bool | None) -> None:
    """``reduceOnly`` is not accepted in hedge mode at all, not even ``false`` (§10.3)."""
    if state.dual_side and reduce_only is not None:
        raise errors.not_required("reduceOnly")


def check_price(rules: JsonObject, value: Decimal) -> None:
    """PRICE_FILTER and the contract's pricePrecision."""
    price_filter = symbol_filter(rules, "PRICE_FILTER")
    if value <= 0:
        raise SimError(-4001, fx.MSG_PRICE_NOT_POSITIVE)
    if _places(value) > int(rules["pricePrecision"]):
        raise SimError(-1111, fx.MSG_PRECISION)
    if value < Decimal(price_filter["minPrice"]):
        raise SimError(-4013, fx.MSG_PRICE_BELOW_MIN)
    if value > Decimal(price_filter["maxPrice"]):
        raise SimError(-4002, fx.MSG_PRICE_ABOVE_MAX)
    if value % Decimal(price_filter["tickSize"]) != 0:
        raise SimError(-4014, fx.MSG_PRICE_TICK)


def check_quantity(rules: JsonObject, value: Decimal, *, market: bool) -> None:
    """LOT_SIZE (MARKET_LOT_SIZE for market orders) and the contract's quantityPrecision."""
    lot = symbol_filter(rules, "MARKET_LOT_SIZE" if market else "LOT_SIZE")
    if value <= 0:
        raise SimError(-4003, fx.MSG_QTY_NOT_POSITIVE)
    if _places(value) > int(rules["quantityPrecision"]):
        raise SimError(-1111, fx.MSG_PRECISION)
    if value < Decimal(lot["minQty"]):
        raise SimError(-4004, fx.MSG_QTY_BELOW_MIN)
    if value > Decimal(lot["maxQty"]):
        raise SimError(-4005, fx.MSG_QTY_ABOVE_MAX)
    if value % Decimal(lot["stepSize"]) != 0:
        raise SimError(-4023, fx.MSG_QTY_STEP)


def check_notional(rules: JsonObject, quantity: Decimal, price: Decimal) -> None:
    notional = symbol_filter(rules, "MIN_NOTIONAL")["notional"]
    if quantity * price < Decimal(notional):
        raise fx.min_notional(str(Decimal(notional).normalize()))


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def working_price(state: FuturesState, symbol: str, working_type: str) -> Decimal:
    prices = state.mark_prices if working_type == MARK_PRICE else state.last_prices
    return prices[symbol]


def fires(order_type: str, side: str, trigger: Decimal, price: Decimal) -> bool:
    """STOP*: BUY at price >= trigger, SELL at <=; TAKE_PROFIT*: BUY at <=, SELL at >= (§10.3)."""
    rises = (order_type.startswith("STOP")) == (side == "BUY")
    return price >= trigger if rises else price <= trigger


def check_algo(state: FuturesState, spec: AlgoSpec) -> str:
    """Every placement rule for ``spec``; returns the position side it works on."""
    rules = symbol_rules(state, spec.symbol)
    side = position_side(state, spec.position_side)
    check_reduce_only(state, spec.reduce_only)
    _check_shape(spec)
    if spec.close_position:
        _check_close_position(spec, side)
    assert spec.trigger_price is not None  # noqa: S101 - _check_shape
    check_price(rules, spec.trigger_price)
    if spec.price is not None:
        check_price(rules, spec.price)
    if spec.quantity is not None:
        check_quantity(rules, spec.quantity, market=spec.order_type not in ("STOP", "TAKE_PROFIT"))
    _check_client_id(state, spec.client_algo_id)
    now_price = working_price(state, spec.symbol, spec.working_type)
    if fires(spec.order_type, spec.side, spec.trigger_price, now_price):
        raise fx.would_trigger()
    if spec.quantity is not None and not spec.reduce_only:
        check_notional(rules, spec.quantity, spec.price or spec.trigger_price)
    if len(state.open_algo_orders()) >= MAX_OPEN_ALGO_ORDERS:
        raise SimError(-4045, fx.MSG_TOO_MANY_ALGO)
    return side


def _check_shape(spec: AlgoSpec) -> None:
    """Which parameters go with which type (New-Algo-Order.md parameter notes)."""
    limit = spec.order_type in ("STOP", "TAKE_PROFIT")
    if spec.trigger_price is None:
        raise errors.mandatory("triggerPrice")
    if limit and spec.price is None:
        raise errors.mandatory("price")
    if not limit and spec.price is not None:
        raise errors.not_required("price")
    if spec.close_position and limit:
        raise fx.close_position_type(spec.order_type)
    if spec.close_position and spec.quantity is not None:
        raise SimError(-4137, fx.MSG_CLOSE_POSITION_QTY)
    if spec.close_position and spec.reduce_only is not None:
        raise errors.not_required("reduceOnly")
    if not spec.close_position and spec.quantity is None:
        raise errors.mandatory("quantity")


def _check_close_position(spec: AlgoSpec, side: str) -> None:
    """Hedge mode: closePosition never on BUY+LONG or SELL+SHORT (it could only open)."""
    if (spec.side, side) in (("BUY", LONG), ("SELL", SHORT)):
        raise fx.reduce_only_rejected()


def _check_client_id(state: FuturesState, client_id: str | None) -> None:
    if client_id is None:
        return
    if any(order.client_algo_id == client_id for order in state.open_algo_orders()):
        raise SimError(-4116, fx.MSG_DUPLICATE_ID)
