"""Binance's placement rules for an OCO, as pure checks over one symbol's exchangeInfo entry.

Each check raises :class:`~oco_reconcile.sim.codes.SimError` with the code and message the docs
give (rest-api.md "New Order list - OCO (TRADE)"; filters.md; ``errors.md``). Order of the checks,
API level before matching
engine: leg types (-1158) → parameters each leg type needs (-1102/-1106/-1160) → which leg may sit
above or below (-1168, -1165/-1166, -1196..-1199) → precision (-1111) → what the symbol allows
(-2010) → filters in the symbol's order (-1013) → last-price relationship (-2010).

Simplifications (documented in ``docs/simulator.md``): the reference price of PERCENT_PRICE*,
NOTIONAL and MIN_NOTIONAL is the last price (``avgPriceMins`` is ignored); a market leg
(STOP_LOSS / TAKE_PROFIT) is checked against NOTIONAL at the last price only when the filter applies
to market orders; a trailing leg without a stop price is checked against the trailing-delta bounds
but not against the last price.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from oco_reconcile.sim import codes
from oco_reconcile.sim.codes import SimError

TAKE_PROFIT_TYPES = frozenset({"LIMIT_MAKER", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"})
STOP_LOSS_TYPES = frozenset({"STOP_LOSS", "STOP_LOSS_LIMIT"})
OCO_TYPES = TAKE_PROFIT_TYPES | STOP_LOSS_TYPES
PRICED_TYPES = frozenset({"LIMIT_MAKER", "TAKE_PROFIT_LIMIT", "STOP_LOSS_LIMIT"})
TIME_IN_FORCE_TYPES = frozenset({"TAKE_PROFIT_LIMIT", "STOP_LOSS_LIMIT"})
ALGO_TYPES = OCO_TYPES - {"LIMIT_MAKER"}
TIME_IN_FORCE_VALUES = ("GTC", "IOC", "FOK")
ABOVE = "above"
BELOW = "below"

SymbolInfo = Mapping[str, Any]


@dataclass(frozen=True)
class LegSpec:
    """One leg of a requested OCO, normalised from either endpoint's parameters.

    ``wire_names`` maps a field (``price``, ``stopPrice`` ...) to the parameter name the request
    used, for error messages; by default ``{position}{Field}`` as ``/orderList/oco`` names them.
    """

    position: str
    type: str
    client_order_id: str | None = None
    price: Decimal | None = None
    stop_price: Decimal | None = None
    trailing_delta: int | None = None
    time_in_force: str | None = None
    iceberg_qty: Decimal | None = None
    strategy_id: int | None = None
    strategy_type: int | None = None
    wire_names: Mapping[str, str] = field(default_factory=dict)

    def name(self, field_name: str) -> str:
        if field_name in self.wire_names:
            return self.wire_names[field_name]
        return self.position + field_name[0].upper() + field_name[1:]

    @property
    def is_take_profit(self) -> bool:
        return self.type in TAKE_PROFIT_TYPES


@dataclass(frozen=True)
class OcoSpec:
    """A requested OCO: both endpoints' parameters end up here before the engine sees them."""

    symbol: str
    side: str
    quantity: Decimal
    above: LegSpec
    below: LegSpec
    list_client_order_id: str | None = None
    self_trade_prevention_mode: str | None = None
    quantity_name: str = "quantity"

    @property
    def legs(self) -> tuple[LegSpec, LegSpec]:
        return (self.above, self.below)


@dataclass(frozen=True)
class OpenCounts:
    """Open orders on one symbol (or the account, for the EXCHANGE_MAX_* filters)."""

    orders: int = 0
    algo_orders: int = 0
    iceberg_orders: int = 0
    order_lists: int = 0


def check_leg_types(spec: OcoSpec) -> None:
    for leg in spec.legs:
        if leg.type not in OCO_TYPES:
            raise SimError(-1158, codes.MSG_OCO_TYPE)


def check_leg_parameters(leg: LegSpec) -> None:
    """Parameters each leg type needs and refuses (rest-api.md "New order" type table)."""
    if leg.type in PRICED_TYPES and leg.price is None:
        raise codes.mandatory(leg.name("price"))
    if leg.type not in PRICED_TYPES and leg.price is not None:
        raise codes.not_required(leg.name("price"))
    if leg.type != "LIMIT_MAKER" and leg.stop_price is None and leg.trailing_delta is None:
        raise codes.one_of(leg.name("stopPrice"), leg.name("trailingDelta"))
    if leg.type == "LIMIT_MAKER":
        for name, value in (("stopPrice", leg.stop_price), ("trailingDelta", leg.trailing_delta)):
            if value is not None:
                raise codes.not_required(leg.name(name))
    _check_time_in_force(leg)
    _check_iceberg_parameters(leg)


def _check_time_in_force(leg: LegSpec) -> None:
    if leg.type in TIME_IN_FORCE_TYPES and leg.time_in_force is None:
        raise codes.mandatory(leg.name("timeInForce"))
    if leg.type not in TIME_IN_FORCE_TYPES and leg.time_in_force is not None:
        raise codes.not_required(leg.name("timeInForce"))


def _check_iceberg_parameters(leg: LegSpec) -> None:
    if leg.iceberg_qty is None:
        return
    if leg.type not in PRICED_TYPES:
        raise codes.not_required(leg.name("icebergQty"))
    if leg.time_in_force not in (None, "GTC"):
        raise SimError(-1160, codes.MSG_OCO_ICEBERG_TIF.format(name=leg.name("icebergQty")))


def check_leg_positions(spec: OcoSpec) -> None:
    """SELL: take-profit family above, stop below; BUY the mirror (rest-api.md "New Order list -
    OCO (TRADE)" table)."""
    if spec.above.type == "LIMIT_MAKER" and spec.below.type == "LIMIT_MAKER":
        raise SimError(-1168, codes.MSG_BOTH_LIMIT)
    take_profit_position = ABOVE if spec.side == "SELL" else BELOW
    for leg in spec.legs:
        if leg.is_take_profit != (leg.position == take_profit_position):
            raise _misplaced(spec.side, leg.type)


def _misplaced(side: str, leg_type: str) -> SimError:
    sell = side == "SELL"
    if leg_type == "LIMIT_MAKER":
        return SimError(*((-1166, codes.MSG_SELL_LIMIT_ABOVE) if sell else _BUY_LIMIT))
    if leg_type in TAKE_PROFIT_TYPES:
        return SimError(*((-1199, codes.MSG_SELL_TP_ABOVE) if sell else _BUY_TP))
    return SimError(*((-1197, codes.MSG_SELL_STOP_BELOW) if sell else _BUY_STOP))


_BUY_LIMIT = (-1165, codes.MSG_BUY_LIMIT_BELOW)
_BUY_TP = (-1198, codes.MSG_BUY_TP_BELOW)
_BUY_STOP = (-1196, codes.MSG_BUY_STOP_ABOVE)


def check_precision(symbol: SymbolInfo, spec: OcoSpec) -> None:
    """-1111 when a value has more decimals than the asset precision (filters.md)."""
    base = int(symbol["baseAssetPrecision"])
    quote = int(symbol["quotePrecision"])
    _check_places(spec.quantity_name, spec.quantity, base)
    for leg in spec.legs:
        _check_places(leg.name("price"), leg.price, quote)
        _check_places(leg.name("stopPrice"), leg.stop_price, quote)
        _check_places(leg.name("icebergQty"), leg.iceberg_qty, base)


def _check_places(name: str, value: Decimal | None, places: int) -> None:
    if value is None:
        return
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise SimError(-1111, codes.MSG_PRECISION.format(name=name))


def check_symbol_allows(symbol: SymbolInfo, spec: OcoSpec) -> None:
    """What the symbol itself allows: trading status, OCO, order types, iceberg, trailing."""
    if symbol.get("status") != "TRADING":
        raise codes.rejected(codes.MSG_MARKET_CLOSED)
    if not symbol.get("ocoAllowed", False):
        raise codes.rejected(codes.MSG_OCO_NOT_SUPPORTED)
    order_types = set(symbol.get("orderTypes", ()))
    for leg in spec.legs:
        if leg.type not in order_types:
            raise codes.rejected(codes.TYPE_NOT_SUPPORTED[leg.type])
        if leg.iceberg_qty is not None and not symbol.get("icebergAllowed", False):
            raise codes.rejected(codes.MSG_ICEBERG_NOT_SUPPORTED)
        if leg.trailing_delta is not None and not symbol.get("allowTrailingStop", False):
            raise codes.rejected(codes.MSG_TRAILING_NOT_SUPPORTED)
        if leg.iceberg_qty is not None and leg.iceberg_qty >= spec.quantity:
            raise codes.rejected(codes.MSG_ICEBERG_EXCEEDS)


@dataclass(frozen=True)
class FilterContext:
    """What the filters need beyond the request: the reference price and the open counts."""

    last_price: Decimal
    symbol_counts: OpenCounts
    account_counts: OpenCounts


def check_filters(symbol: SymbolInfo, spec: OcoSpec, context: FilterContext) -> None:
    """Every filter of the symbol, in the symbol's order; -1013 ``Filter failure: NAME``."""
    for rule in symbol.get("filters", ()):
        _check_filter(rule, spec, context, context.symbol_counts)


def check_exchange_filters(
    exchange_filters: Sequence[Mapping[str, Any]], spec: OcoSpec, context: FilterContext
) -> None:
    for rule in exchange_filters:
        _check_filter(rule, spec, context, context.account_counts)


def _check_filter(
    rule: Mapping[str, Any], spec: OcoSpec, context: FilterContext, counts: OpenCounts
) -> None:
    name = str(rule["filterType"])
    check = _PRICE_CHECKS.get(name)
    passed = check(rule, spec, context.last_price) if check else _count_ok(name, rule, spec, counts)
    if not passed:
        raise codes.filter_failure(name)


def _price_filter(rule: Mapping[str, Any], spec: OcoSpec, _last: Decimal) -> bool:
    low, high, tick = (Decimal(rule[key]) for key in ("minPrice", "maxPrice", "tickSize"))
    for leg in spec.legs:
        for value in (leg.price, leg.stop_price):
            if value is not None and not _in_grid(value, low, high, tick):
                return False
    return True


def _lot_size(rule: Mapping[str, Any], spec: OcoSpec, _last: Decimal) -> bool:
    low, high, step = (Decimal(rule[key]) for key in ("minQty", "maxQty", "stepSize"))
    quantities = [spec.quantity] + [leg.iceberg_qty for leg in spec.legs if leg.iceberg_qty]
    return all(_in_grid(qty, low, high, step) for qty in quantities)


def _in_grid(value: Decimal, low: Decimal, high: Decimal, step: Decimal) -> bool:
    """Each bound is disabled when it is 0 (filters.md)."""
    if low and value < low:
        return False
    if high and value > high:
        return False
    return not step or value % step == 0


def _percent_price(rule: Mapping[str, Any], spec: OcoSpec, last: Decimal) -> bool:
    up, down = Decimal(rule["multiplierUp"]), Decimal(rule["multiplierDown"])
    return all(last * down <= leg.price <= last * up for leg in spec.legs if leg.price is not None)


def _percent_price_by_side(rule: Mapping[str, Any], spec: OcoSpec, last: Decimal) -> bool:
    prefix = "bid" if spec.side == "BUY" else "ask"
    up = Decimal(rule[f"{prefix}MultiplierUp"])
    down = Decimal(rule[f"{prefix}MultiplierDown"])
    return all(last * down <= leg.price <= last * up for leg in spec.legs if leg.price is not None)


def _leg_notionals(spec: OcoSpec, last: Decimal, apply_to_market: bool) -> list[Decimal]:
    """Notional per leg at its limit price; market legs at the last price when the rule applies."""
    values = []
    for leg in spec.legs:
        if leg.price is not None:
            values.append(leg.price * spec.quantity)
        elif apply_to_market:
            values.append(last * spec.quantity)
    return values


def _min_notional(rule: Mapping[str, Any], spec: OcoSpec, last: Decimal) -> bool:
    minimum = Decimal(rule["minNotional"])
    notionals = _leg_notionals(spec, last, bool(rule.get("applyToMarket", False)))
    return all(value >= minimum for value in notionals)


def _notional(rule: Mapping[str, Any], spec: OcoSpec, last: Decimal) -> bool:
    minimum, maximum = Decimal(rule["minNotional"]), Decimal(rule["maxNotional"])
    lows = _leg_notionals(spec, last, bool(rule.get("applyMinToMarket", False)))
    highs = _leg_notionals(spec, last, bool(rule.get("applyMaxToMarket", False)))
    return all(value >= minimum for value in lows) and all(value <= maximum for value in highs)


def _iceberg_parts(rule: Mapping[str, Any], spec: OcoSpec, _last: Decimal) -> bool:
    limit = int(rule["limit"])
    for leg in spec.legs:
        if leg.iceberg_qty is not None and -(-spec.quantity // leg.iceberg_qty) > limit:
            return False
    return True


def _trailing_delta(rule: Mapping[str, Any], spec: OcoSpec, _last: Decimal) -> bool:
    """Above bounds for STOP_LOSS* BUY and TAKE_PROFIT* SELL; below bounds for the mirrors."""
    for leg in spec.legs:
        if leg.trailing_delta is None:
            continue
        stop_like = leg.type in STOP_LOSS_TYPES
        above = (spec.side == "BUY") == stop_like
        prefix = "Above" if above else "Below"
        low = int(rule[f"minTrailing{prefix}Delta"])
        high = int(rule[f"maxTrailing{prefix}Delta"])
        if not low <= leg.trailing_delta <= high:
            return False
    return True


_PRICE_CHECKS = {
    "PRICE_FILTER": _price_filter,
    "LOT_SIZE": _lot_size,
    "PERCENT_PRICE": _percent_price,
    "PERCENT_PRICE_BY_SIDE": _percent_price_by_side,
    "MIN_NOTIONAL": _min_notional,
    "NOTIONAL": _notional,
    "ICEBERG_PARTS": _iceberg_parts,
    "TRAILING_DELTA": _trailing_delta,
}


def _count_ok(name: str, rule: Mapping[str, Any], spec: OcoSpec, counts: OpenCounts) -> bool:
    """The MAX_NUM_* and EXCHANGE_MAX_NUM_* count filters; an OCO adds 2 orders and 1 list."""
    algo = sum(1 for leg in spec.legs if leg.type in ALGO_TYPES)
    icebergs = sum(1 for leg in spec.legs if leg.iceberg_qty is not None)
    checks = {
        "MAX_NUM_ORDERS": ("maxNumOrders", counts.orders + 2),
        "EXCHANGE_MAX_NUM_ORDERS": ("maxNumOrders", counts.orders + 2),
        "MAX_NUM_ALGO_ORDERS": ("maxNumAlgoOrders", counts.algo_orders + algo),
        "EXCHANGE_MAX_NUM_ALGO_ORDERS": ("maxNumAlgoOrders", counts.algo_orders + algo),
        "MAX_NUM_ICEBERG_ORDERS": ("maxNumIcebergOrders", counts.iceberg_orders + icebergs),
        "EXCHANGE_MAX_NUM_ICEBERG_ORDERS": (
            "maxNumIcebergOrders",
            counts.iceberg_orders + icebergs,
        ),
        "MAX_NUM_ORDER_LISTS": ("maxNumOrderLists", counts.order_lists + 1),
        "EXCHANGE_MAX_NUM_ORDER_LISTS": ("maxNumOrderLists", counts.order_lists + 1),
    }
    if name not in checks:
        return True  # MARKET_LOT_SIZE, MAX_POSITION, MAX_NUM_ORDER_AMENDS ...: not for an OCO
    key, after = checks[name]
    return after <= int(rule[key])


def check_price_relationship(spec: OcoSpec, last_price: Decimal) -> None:
    """SELL: take-profit prices > last > stop price; BUY mirrored (rest-api.md OCO rules)."""
    for leg in spec.legs:
        if not _on_its_side(spec.side, leg, last_price):
            raise codes.rejected(codes.MSG_BAD_PRICES)


def _on_its_side(side: str, leg: LegSpec, last: Decimal) -> bool:
    must_be_above = leg.position == ABOVE
    # a take-profit leg: its limit price and its trigger must both be on its side
    prices = [leg.stop_price] if leg.type in STOP_LOSS_TYPES else [leg.price, leg.stop_price]
    for price in prices:
        if price is None:
            continue
        if must_be_above and not price > last:
            return False
        if not must_be_above and not price < last:
            return False
    return True


def validate_request(symbol: SymbolInfo, spec: OcoSpec) -> None:
    """The checks that need only the request and the symbol (API level, before the engine)."""
    check_leg_types(spec)
    for leg in spec.legs:
        check_leg_parameters(leg)
    check_leg_positions(spec)
    check_precision(symbol, spec)
    check_symbol_allows(symbol, spec)
    if spec.above.client_order_id and spec.above.client_order_id == spec.below.client_order_id:
        # Both legs with one id came back -1013 (hughestu/MATLAB-Binance-API #6).
        raise SimError(-1013, codes.MSG_DUPLICATE_ORDER)
