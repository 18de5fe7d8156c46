"""Exchange filters for one bracket the plan places (filters.md): symbol status and order types,
PRICE_FILTER / LOT_SIZE, NOTIONAL or MIN_NOTIONAL per leg, PERCENT_PRICE(_BY_SIDE),
TRAILING_DELTA, iceberg rules, and each leg on its side of the last price. Every message states
the nearest valid value; nothing is rounded silently.

Rules where Binance is not explicit, documented in the README:

* Filter price: PERCENT_PRICE(_BY_SIDE), and NOTIONAL / MIN_NOTIONAL for market legs, use the
  symbol's reference price when it has one, else the average over ``avgPriceMins``, else the last
  price (filters.md "PERCENT_PRICE", "NOTIONAL"; CHANGELOG.md 2026-05-06). The live read supplies
  it (``LiveState.market``); without it the checks use the last price.
* Notional per leg: qty x the leg's limit price; a market leg (STOP_LOSS, TAKE_PROFIT) only where
  ``applyMinToMarket`` / ``applyMaxToMarket`` (MIN_NOTIONAL: ``applyToMarket``) say so, at the
  lower of its stop price and the filter price for the minimum, the higher for the maximum
  (JKorf/Binance.Net #1048: a far stop leg fails MIN_NOTIONAL on its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from oco_reconcile.core.checks.context import BracketContext, leg_label
from oco_reconcile.core.decimals import (
    ceil_to_step,
    floor_to_step,
    is_multiple,
    nearest_steps,
    to_wire,
)
from oco_reconcile.core.model import Leg, LegPosition, LegType, LotSize, NotionalFilter, Side
from oco_reconcile.core.plan import PlanProblem


def symbol_problems(ctx: BracketContext) -> list[PlanProblem]:
    """The symbol is trading, allows OCO and has a last price."""
    rules = ctx.rules
    problems = []
    if rules.status != "TRADING":
        message = f"symbol {rules.symbol} is not trading (status {rules.status})"
        problems.append(ctx.problem(message, field="symbol"))
    if not rules.oco_allowed:
        problems.append(ctx.problem(f"symbol {rules.symbol} does not allow OCO order lists"))
    if ctx.last is None:
        problems.append(ctx.problem(f"no last price for {rules.symbol}", field="symbol"))
    return problems


def quantity_problems(ctx: BracketContext) -> list[PlanProblem]:
    """LOT_SIZE on the bracket quantity."""
    lot = ctx.rules.lot_size
    if lot is None:
        return []
    return [
        ctx.problem(message, field="quantity")
        for message in _grid_messages(ctx.bracket.quantity, _lot_grid(lot))
    ]


@dataclass(frozen=True)
class _Grid:
    """PRICE_FILTER or LOT_SIZE, in one shape: bounds and step (each disabled when 0)."""

    low: Decimal
    high: Decimal
    step: Decimal
    name: str
    noun: str  # Price | Qty: Binance's field names are min<noun> / max<noun>


def _lot_grid(lot: LotSize) -> _Grid:
    return _Grid(lot.min_qty, lot.max_qty, lot.step_size, "LOT_SIZE", "Qty")


def _grid_messages(value: Decimal, grid: _Grid) -> list[str]:
    """PRICE_FILTER / LOT_SIZE: bounds and step, each rule disabled when it is 0 (filters.md). A
    value out of bounds is told the bound (0 is never a valid suggestion); one in bounds but off
    the step, its valid neighbours."""
    low, high, step, name, noun = grid.low, grid.high, grid.step, grid.name, grid.noun
    if low > 0 and value < low:
        least = to_wire(ceil_to_step(low, step))
        return [f"{to_wire(value)} is below min{noun} {to_wire(low)} ({name}); at least {least}"]
    if high > 0 and value > high:
        most = to_wire(floor_to_step(high, step))
        shown = to_wire(value)
        return [f"{shown} is above max{noun} {to_wire(high)} ({name}); largest valid: {most}"]
    if is_multiple(value, step):
        return []
    shown = to_wire(value)
    valid = [v for v in nearest_steps(value, step) if v > 0 and (high == 0 or v <= high)]
    step_name = "tickSize" if noun == "Price" else "stepSize"
    return [
        f"{shown} is not a multiple of {step_name} {to_wire(step)} ({name}); "
        f"nearest valid: {' or '.join(to_wire(v) for v in dict.fromkeys(valid))}"
    ]


def leg_problems(ctx: BracketContext, position: LegPosition) -> list[PlanProblem]:
    """The exchange rules for one leg, in a stable order (its guardrail is checked apart)."""
    leg = ctx.bracket.leg(position)
    label = leg_label(ctx.bracket, position)
    problems = []
    if leg.type.value not in ctx.rules.order_types:
        message = f"{leg.type.value} orders are not allowed on {ctx.rules.symbol}"
        problems.append(ctx.problem(message, label, "type"))
    for name in ("price", "stop_price"):
        value = getattr(leg, name)
        if value is not None:
            problems += [ctx.problem(m, label, name) for m in _price_filter(ctx, value)]
    problems += _side_of_market(ctx, position, leg, label)
    problems += _notional(ctx, leg, label)
    problems += _percent_price(ctx, leg, label)
    problems += _trailing(ctx, position, leg, label)
    problems += _iceberg(ctx, leg, label)
    return problems


def _price_filter(ctx: BracketContext, value: Decimal) -> list[str]:
    price_filter = ctx.rules.price_filter
    if price_filter is None:
        return []
    grid = _Grid(
        price_filter.min_price,
        price_filter.max_price,
        price_filter.tick_size,
        "PRICE_FILTER",
        "Price",
    )
    return _grid_messages(value, grid)


def _side_of_market(
    ctx: BracketContext, position: LegPosition, leg: Leg, label: str
) -> list[PlanProblem]:
    """rest-api.md "New Order list - OCO (TRADE)" price relationship: the take-profit limit price
    (LIMIT_MAKER, TAKE_PROFIT_LIMIT) and every stop price sit on the leg's side of the last
    price."""
    if ctx.last is None:
        return []
    fields = [("stop_price", leg.stop_price)]
    if leg.type in (LegType.LIMIT_MAKER, LegType.TAKE_PROFIT_LIMIT):
        fields.append(("price", leg.price))
    problems = []
    above = position is LegPosition.ABOVE
    for name, value in fields:
        if value is None or (value > ctx.last if above else value < ctx.last):
            continue
        tick = ctx.tick or Decimal(1).scaleb(-ctx.rules.quote_asset_precision)
        nearest = ctx.last + tick if above else ctx.last - tick
        message = (
            f"{to_wire(value)} must be {'above' if above else 'below'} the last price "
            f"{to_wire(ctx.last)} for a {ctx.bracket.side.value} OCO; nearest valid: "
            f"{to_wire(nearest)}"
        )
        problems.append(ctx.problem(message, label, name))
    return problems


def _leg_notional_price(leg: Leg, price: Decimal | None, *, lowest: bool = True) -> Decimal | None:
    """The price a leg's notional is counted at: its limit price; for a market leg the lower (or
    the higher) of its stop price and ``price``, the filter price."""
    if leg.price is not None:
        return leg.price
    candidates = [p for p in (leg.stop_price, price) if p is not None]
    if not candidates:
        return None
    return min(candidates) if lowest else max(candidates)


def _notional(ctx: BracketContext, leg: Leg, label: str) -> list[PlanProblem]:
    """NOTIONAL / MIN_NOTIONAL: a market leg only for the bounds that apply to market orders."""
    rule = ctx.rules.notional
    if rule is None:
        return []
    market = leg.price is None
    message = None
    if not market or rule.apply_min_to_market:
        message = _below_minimum(ctx, rule, _leg_notional_price(leg, ctx.filter_price))
    if message is None and (not market or rule.apply_max_to_market):
        highest = _leg_notional_price(leg, ctx.filter_price, lowest=False)
        message = _above_maximum(ctx, rule, highest)
    return [] if message is None else [ctx.problem(message, label, "quantity")]


def _shown(ctx: BracketContext, rule: NotionalFilter, price: Decimal) -> tuple[str, str]:
    """The notional as a message shows it, and the filter's name (only for a problem)."""
    quantity = ctx.bracket.quantity
    name = "MIN_NOTIONAL" if rule.legacy else "NOTIONAL"
    return f"notional {to_wire(quantity * price)} ({to_wire(quantity)} x {to_wire(price)})", name


def _step(ctx: BracketContext) -> Decimal:
    return ctx.rules.lot_size.step_size if ctx.rules.lot_size else Decimal(0)


def _below_minimum(ctx: BracketContext, rule: NotionalFilter, price: Decimal | None) -> str | None:
    if price is None or price <= 0:
        return None
    if ctx.bracket.quantity * price >= rule.min_notional:
        return None
    shown, name = _shown(ctx, rule, price)
    smallest = ceil_to_step(rule.min_notional / price, _step(ctx))
    return (
        f"{shown} is below minNotional {to_wire(rule.min_notional)} ({name}); "
        f"smallest valid quantity at this price: {to_wire(smallest)}"
    )


def _above_maximum(ctx: BracketContext, rule: NotionalFilter, price: Decimal | None) -> str | None:
    maximum = rule.max_notional
    if price is None or price <= 0 or maximum is None or maximum <= 0:
        return None
    if ctx.bracket.quantity * price <= maximum:
        return None
    shown, name = _shown(ctx, rule, price)
    largest = floor_to_step(maximum / price, _step(ctx))
    return (
        f"{shown} is above maxNotional {to_wire(maximum)} ({name}); "
        f"largest valid quantity at this price: {to_wire(largest)}"
    )


def _percent_price(ctx: BracketContext, leg: Leg, label: str) -> list[PlanProblem]:
    """PERCENT_PRICE_BY_SIDE (and the older PERCENT_PRICE) on the leg's limit price, against the
    filter price (filters.md "PERCENT_PRICE_BY_SIDE")."""
    if ctx.filter_price is None or leg.price is None:
        return []
    problems = []
    by_side = ctx.rules.percent_price_by_side
    if by_side is not None:
        buy = ctx.bracket.side is Side.BUY
        up = by_side.bid_multiplier_up if buy else by_side.ask_multiplier_up
        down = by_side.bid_multiplier_down if buy else by_side.ask_multiplier_down
        book = "bid" if buy else "ask"
        problems += _multiplier_range(ctx, leg.price, down, up, f"PERCENT_PRICE_BY_SIDE, {book}")
    plain = ctx.rules.percent_price
    if plain is not None:
        problems += _multiplier_range(
            ctx, leg.price, plain.multiplier_down, plain.multiplier_up, "PERCENT_PRICE"
        )
    return [ctx.problem(message, label, "price") for message in problems]


def _multiplier_range(
    ctx: BracketContext, price: Decimal, down: Decimal, up: Decimal, name: str
) -> list[str]:
    base = ctx.filter_price
    assert base is not None  # noqa: S101 - checked by the caller
    low, high = base * down, base * up
    tick = ctx.tick
    shown = f"the {ctx.filter_price_name} {to_wire(base)} ({name})"
    if down > 0 and price < low:
        return [
            f"{to_wire(price)} is below {to_wire(down)} x {shown}; "
            f"lowest valid: {to_wire(ceil_to_step(low, tick))}"
        ]
    if up > 0 and price > high:
        return [
            f"{to_wire(price)} is above {to_wire(up)} x {shown}; "
            f"highest valid: {to_wire(floor_to_step(high, tick))}"
        ]
    return []


def _trailing(
    ctx: BracketContext, position: LegPosition, leg: Leg, label: str
) -> list[PlanProblem]:
    """TRAILING_DELTA: the above bounds apply to the above leg, the below bounds to the below leg
    (STOP_LOSS BUY / TAKE_PROFIT SELL trigger above the market, filters.md)."""
    delta = leg.trailing_delta
    if delta is None:
        return []
    if not ctx.rules.allow_trailing_stop:
        return [
            ctx.problem(
                f"trailing stops are not allowed on {ctx.rules.symbol}", label, "trailing_delta"
            )
        ]
    bounds = ctx.rules.trailing_delta
    if bounds is None:
        return []
    above = position is LegPosition.ABOVE
    low, high = (
        (bounds.min_above, bounds.max_above) if above else (bounds.min_below, bounds.max_below)
    )
    if low <= delta <= high:
        return []
    nearest = low if delta < low else high
    message = (
        f"trailing delta {delta} is outside {low}..{high} BIPS (TRAILING_DELTA); "
        f"nearest valid: {nearest}"
    )
    return [ctx.problem(message, label, "trailing_delta")]


def _iceberg(ctx: BracketContext, leg: Leg, label: str) -> list[PlanProblem]:
    iceberg = leg.iceberg_qty
    if iceberg is None:
        return []
    rules = ctx.rules
    if not rules.iceberg_allowed:
        return [
            ctx.problem(f"iceberg orders are not allowed on {rules.symbol}", label, "iceberg_qty")
        ]
    messages = []
    if rules.lot_size is not None:
        lot = rules.lot_size
        messages += _grid_messages(iceberg, _lot_grid(lot))
    parts_limit = rules.iceberg_parts
    if parts_limit and iceberg > 0:
        parts = -(-ctx.bracket.quantity // iceberg)
        if parts > parts_limit:
            step = rules.lot_size.step_size if rules.lot_size else Decimal(0)
            smallest = ceil_to_step(ctx.bracket.quantity / parts_limit, step)
            messages.append(
                f"{to_wire(ctx.bracket.quantity)} / {to_wire(iceberg)} needs {parts} parts, "
                f"limit {parts_limit} (ICEBERG_PARTS); smallest valid: {to_wire(smallest)}"
            )
    return [ctx.problem(message, label, "iceberg_qty") for message in messages]
