"""The exchange filters of one OCO request (filters.md), in the symbol's order, then the
exchange-wide ``EXCHANGE_MAX_*`` ones; a failure is ``-1013 Filter failure: NAME``.

PERCENT_PRICE*, and NOTIONAL / MIN_NOTIONAL for market legs, use the symbol's reference price when
it has one, else the average over ``avgPriceMins`` (filters.md "PERCENT_PRICE", "NOTIONAL";
CHANGELOG.md 2026-05-06). Simplifications (documented in ``docs/simulator.md``): the simulator's
average price is its last price; a market leg (STOP_LOSS / TAKE_PROFIT) is checked against
NOTIONAL at that price only when the filter applies to market orders; a trailing leg without a stop
price is checked against the trailing-delta bounds but not against the last price.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from oco_reconcile.json_types import JsonMapping
from oco_reconcile.sim.engine import errors
from oco_reconcile.sim.engine.specs import ALGO_TYPES, Request, SymbolInfo, triggers_above


@dataclass(frozen=True)
class OpenCounts:
    """Open orders on one symbol (or the account, for the EXCHANGE_MAX_* filters)."""

    orders: int = 0
    algo_orders: int = 0
    iceberg_orders: int = 0
    order_lists: int = 0


@dataclass(frozen=True)
class FilterContext:
    """What the filters need beyond the request: the prices and the open counts."""

    last_price: Decimal
    symbol_counts: OpenCounts
    account_counts: OpenCounts
    reference_price: Decimal | None = None  # GET /api/v3/referencePrice; None: not set

    @property
    def filter_price(self) -> Decimal:
        """The reference price, else the average (the simulator's: its last price)."""
        return self.last_price if self.reference_price is None else self.reference_price


def check_filters(symbol: SymbolInfo, spec: Request, context: FilterContext) -> None:
    """Every filter of the symbol, in the symbol's order; -1013 ``Filter failure: NAME``."""
    for rule in symbol.get("filters", ()):
        _check_filter(rule, spec, context, context.symbol_counts)


def check_exchange_filters(
    exchange_filters: Sequence[JsonMapping], spec: Request, context: FilterContext
) -> None:
    for rule in exchange_filters:
        _check_filter(rule, spec, context, context.account_counts)


def _check_filter(
    rule: JsonMapping, spec: Request, context: FilterContext, counts: OpenCounts
) -> None:
    name = str(rule["filterType"])
    check = _PRICE_CHECKS.get(name)
    passed = (
        check(rule, spec, context.filter_price) if check else _count_ok(name, rule, spec, counts)
    )
    if not passed:
        raise errors.filter_failure(name)


def _price_filter(rule: JsonMapping, spec: Request, _last: Decimal) -> bool:
    low, high, tick = (Decimal(rule[key]) for key in ("minPrice", "maxPrice", "tickSize"))
    for leg in spec.legs:
        for value in (leg.price, leg.stop_price):
            if value is not None and not _in_grid(value, low, high, tick):
                return False
    return True


def _lot_size(rule: JsonMapping, spec: Request, _last: Decimal) -> bool:
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


def _percent_price(rule: JsonMapping, spec: Request, base: Decimal) -> bool:
    up, down = Decimal(rule["multiplierUp"]), Decimal(rule["multiplierDown"])
    return all(base * down <= leg.price <= base * up for leg in spec.legs if leg.price is not None)


def _percent_price_by_side(rule: JsonMapping, spec: Request, base: Decimal) -> bool:
    prefix = "bid" if spec.side == "BUY" else "ask"
    up = Decimal(rule[f"{prefix}MultiplierUp"])
    down = Decimal(rule[f"{prefix}MultiplierDown"])
    return all(base * down <= leg.price <= base * up for leg in spec.legs if leg.price is not None)


def _leg_notionals(spec: Request, price: Decimal, apply_to_market: bool) -> list[Decimal]:
    """Notional per leg at its limit price; market legs at ``price`` when the rule applies."""
    values = []
    for leg in spec.legs:
        if leg.price is not None:
            values.append(leg.price * spec.quantity)
        elif apply_to_market:
            values.append(price * spec.quantity)
    return values


def _min_notional(rule: JsonMapping, spec: Request, price: Decimal) -> bool:
    minimum = Decimal(rule["minNotional"])
    notionals = _leg_notionals(spec, price, bool(rule.get("applyToMarket", False)))
    return all(value >= minimum for value in notionals)


def _notional(rule: JsonMapping, spec: Request, price: Decimal) -> bool:
    minimum, maximum = Decimal(rule["minNotional"]), Decimal(rule["maxNotional"])
    lows = _leg_notionals(spec, price, bool(rule.get("applyMinToMarket", False)))
    highs = _leg_notionals(spec, price, bool(rule.get("applyMaxToMarket", False)))
    return all(value >= minimum for value in lows) and all(value <= maximum for value in highs)


def _iceberg_parts(rule: JsonMapping, spec: Request, _last: Decimal) -> bool:
    limit = int(rule["limit"])
    for leg in spec.legs:
        if leg.iceberg_qty is not None and -(-spec.quantity // leg.iceberg_qty) > limit:
            return False
    return True


def _trailing_delta(rule: JsonMapping, spec: Request, _last: Decimal) -> bool:
    """Above bounds for STOP_LOSS* BUY and TAKE_PROFIT* SELL; below bounds for the mirrors."""
    for leg in spec.legs:
        if leg.trailing_delta is None:
            continue
        prefix = "Above" if triggers_above(spec.side, leg.type) else "Below"
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


def _count_ok(name: str, rule: JsonMapping, spec: Request, counts: OpenCounts) -> bool:
    """The MAX_NUM_* and EXCHANGE_MAX_NUM_* count filters; an OCO adds 2 orders and 1 list."""
    orders = counts.orders + len(spec.legs)
    lists = counts.order_lists + spec.order_lists
    algo = sum(1 for leg in spec.legs if leg.type in ALGO_TYPES)
    icebergs = sum(1 for leg in spec.legs if leg.iceberg_qty is not None)
    checks = {
        "MAX_NUM_ORDERS": ("maxNumOrders", orders),
        "EXCHANGE_MAX_NUM_ORDERS": ("maxNumOrders", orders),
        "MAX_NUM_ALGO_ORDERS": ("maxNumAlgoOrders", counts.algo_orders + algo),
        "EXCHANGE_MAX_NUM_ALGO_ORDERS": ("maxNumAlgoOrders", counts.algo_orders + algo),
        "MAX_NUM_ICEBERG_ORDERS": ("maxNumIcebergOrders", counts.iceberg_orders + icebergs),
        "EXCHANGE_MAX_NUM_ICEBERG_ORDERS": (
            "maxNumIcebergOrders",
            counts.iceberg_orders + icebergs,
        ),
        "MAX_NUM_ORDER_LISTS": ("maxNumOrderLists", lists),
        "EXCHANGE_MAX_NUM_ORDER_LISTS": ("maxNumOrderLists", lists),
    }
    if name not in checks:
        return True  # MARKET_LOT_SIZE, MAX_POSITION, MAX_NUM_ORDER_AMENDS ...: not for an OCO
    key, after = checks[name]
    return after <= int(rule[key])
