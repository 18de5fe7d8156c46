"""Plan-time checks of futures changes against the live futures venue (PURE).

Each failure is a :class:`PlanProblem` naming the bracket, the leg and the field; a plan with one
applies nothing. Only changes that place something are checked (DESIGN.md "Futures brackets"
plan-time checks; binance-api.md §10.3 trigger rules and §10.5 position mode).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from oco_reconcile.core.decimals import is_multiple, nearest_steps, to_wire
from oco_reconcile.core.draft import address_of
from oco_reconcile.core.listing import did_you_mean
from oco_reconcile.core.model import Side
from oco_reconcile.core.plan import Change, PlanProblem
from oco_reconcile.core.settings import Settings
from oco_reconcile.core.usdm.model import (
    MAX_OPEN_CONDITIONAL_ORDERS,
    AlgoCancel,
    AlgoOrderType,
    AlgoRequest,
    AlgoStep,
    FuturesBracket,
    FuturesLiveState,
    FuturesSymbolRules,
    LegRole,
    PositionSide,
)


def check_futures(
    changes: Sequence[Change], live: FuturesLiveState, settings: Settings
) -> tuple[PlanProblem, ...]:
    problems: list[PlanProblem] = []
    for change in changes:
        futures = change.futures
        if futures is None or futures.after is None or not futures.places:
            continue
        problems.extend(_bracket_problems(futures.after, futures.places, live, settings))
    problems.extend(_count_problems(changes, live))
    return tuple(problems)


def _bracket_problems(
    bracket: FuturesBracket,
    places: Sequence[AlgoRequest],
    live: FuturesLiveState,
    settings: Settings,
) -> Iterator[PlanProblem]:
    address = address_of(bracket.name)

    def problem(message: str, role: LegRole | None = None, field: str | None = None) -> PlanProblem:
        leg = None if role is None else role.field
        return PlanProblem(address, message, bracket=bracket.name, leg=leg, field=field)

    rules = live.info.symbols.get(bracket.symbol)
    if rules is None or rules.status != "TRADING":
        state = (
            f"does not exist{did_you_mean(bracket.symbol, live.info.symbols)}"
            if rules is None
            else f"is {rules.status}, not TRADING"
        )
        yield problem(f"futures symbol {bracket.symbol} {state}", field="symbol")
        return
    allowed = settings.guardrails.symbols
    if allowed is not None and bracket.symbol not in allowed:
        yield problem(
            f"guardrail symbols: {bracket.symbol} is not an allowed symbol", field="symbol"
        )
    yield from (problem(m, field="position_side") for m in _mode_problems(bracket, live))
    yield from (problem(m, field="quantity") for m in _position_problems(bracket, live))
    for request in places:
        for message, field in _leg_problems(request, rules, live, settings):
            yield problem(message, request.role, field)
    yield from (problem(m, field="quantity") for m in _notional_problems(bracket, live, settings))


def _mode_problems(bracket: FuturesBracket, live: FuturesLiveState) -> Iterator[str]:
    hedge_side = bracket.position_side is not PositionSide.BOTH
    if live.hedge_mode and not hedge_side:
        yield "the account is in hedge mode: position_side must be LONG or SHORT"
    if not live.hedge_mode and hedge_side:
        yield "the account is in one-way mode: position_side must be BOTH (or omitted)"


def _position_problems(bracket: FuturesBracket, live: FuturesLiveState) -> Iterator[str]:
    position = live.position(bracket.symbol, bracket.position_side)
    amount = Decimal(0) if position is None else position.amount
    closes = amount if bracket.side is Side.SELL else -amount  # SELL closes a long (amount > 0)
    if bracket.position_side is not PositionSide.BOTH:
        closes = abs(amount)
    if closes < 0:
        held = "short" if amount < 0 else "long"
        size = to_wire(abs(amount))
        yield f"the position is {held} {size}: a {bracket.side.value} bracket would add to it"
    elif bracket.quantity is not None and closes > 0 and bracket.quantity > closes:
        yield (
            f"reduce-only quantity {to_wire(bracket.quantity)} is larger than the position "
            f"{to_wire(closes)}"
        )


def _leg_problems(
    request: AlgoRequest, rules: FuturesSymbolRules, live: FuturesLiveState, settings: Settings
) -> Iterator[tuple[str, str]]:
    if request.type.value not in rules.order_types:
        yield f"{rules.symbol} does not allow {request.type.value} orders", "type"
    for name, value in (("stop_price", request.trigger_price), ("price", request.price)):
        if value is not None:
            yield from ((m, name) for m in _price_problems(value, rules))
    if request.quantity is not None:
        yield from ((m, "quantity") for m in _quantity_problems(request, rules))
    working = live.working_price(request.symbol, request.working_type)
    yield from _distance_problems(request, working, settings)
    if working is not None and _would_trigger(request, working):
        yield (
            f"stop_price {to_wire(request.trigger_price)} would trigger at once against the "
            f"{request.working_type.value} {to_wire(working)} (Binance answers -2021 "
            '"Order would immediately trigger.")',
            "stop_price",
        )


def _distance_problems(
    request: AlgoRequest, working: Decimal | None, settings: Settings
) -> Iterator[tuple[str, str]]:
    """Guardrail ``max_distance_pct``: each trigger and limit price within that percentage of the
    leg's working price (mark or last, as the leg triggers on)."""
    limit = settings.guardrails.max_distance_pct
    if limit is None or working is None or working <= 0:
        return
    for name, value in (("stop_price", request.trigger_price), ("price", request.price)):
        distance = None if value is None else abs(value - working) / working * 100
        if value is not None and distance is not None and distance > limit:
            yield (
                f"guardrail max_distance_pct: {to_wire(value)} is {distance:.2f}% from the "
                f"{request.working_type.value} {to_wire(working)}, limit {to_wire(limit)}%",
                name,
            )


def _would_trigger(request: AlgoRequest, working: Decimal) -> bool:
    """binance-api.md §10.3 "Trigger rules": STOP* BUY fires at >= trigger, SELL at <=;
    TAKE_PROFIT* BUY at <=, SELL at >=."""
    stop = request.type in (AlgoOrderType.STOP, AlgoOrderType.STOP_MARKET)
    rises = (request.side is Side.BUY) == stop
    return working >= request.trigger_price if rises else working <= request.trigger_price


def _price_problems(value: Decimal, rules: FuturesSymbolRules) -> Iterator[str]:
    price_filter = rules.price_filter
    if price_filter is None:
        return
    if value < price_filter.min_price or (
        price_filter.max_price and value > price_filter.max_price
    ):
        yield (
            f"{to_wire(value)} is outside PRICE_FILTER [{to_wire(price_filter.min_price)}, "
            f"{to_wire(price_filter.max_price)}]"
        )
    elif not is_multiple(value - price_filter.min_price, price_filter.tick_size):
        below, above = nearest_steps(value, price_filter.tick_size)
        yield (
            f"{to_wire(value)} is not a multiple of the tick size "
            f"{to_wire(price_filter.tick_size)} "
            f"(nearest valid: {to_wire(below)} or {to_wire(above)})"
        )


def _quantity_problems(request: AlgoRequest, rules: FuturesSymbolRules) -> Iterator[str]:
    market = request.type.is_market and rules.market_lot_size is not None
    lot = rules.market_lot_size if market else rules.lot_size
    name = "MARKET_LOT_SIZE" if market else "LOT_SIZE"
    quantity = request.quantity
    if lot is None or quantity is None:
        return
    shown, least, most = to_wire(quantity), to_wire(lot.min_qty), to_wire(lot.max_qty)
    if quantity < lot.min_qty:
        yield f"{shown} is below minQty {least} ({name}); at least {least}"
    elif lot.max_qty and quantity > lot.max_qty:
        yield f"{shown} is above maxQty {most} ({name}); at most {most}"
    elif not is_multiple(quantity - lot.min_qty, lot.step_size):
        below, above = nearest_steps(quantity, lot.step_size)
        yield (
            f"{to_wire(quantity)} is not a multiple of the step size {to_wire(lot.step_size)} "
            f"(nearest valid: {to_wire(max(below, lot.min_qty))} or {to_wire(above)})"
        )


def futures_notional(bracket: FuturesBracket, live: FuturesLiveState) -> Decimal:
    """Quantity (or the position's size for ``close``) x the larger trigger price."""
    size = bracket.quantity
    if size is None:
        position = live.position(bracket.symbol, bracket.position_side)
        size = Decimal(0) if position is None else abs(position.amount)
    top = max(bracket.take_profit.trigger_price, bracket.stop_loss.trigger_price)
    return size * top


def _notional_problems(
    bracket: FuturesBracket, live: FuturesLiveState, settings: Settings
) -> Iterator[str]:
    limit = settings.guardrails.max_notional
    notional = futures_notional(bracket, live)
    if limit is not None and notional > limit:
        yield f"guardrail max_notional: notional {to_wire(notional)} is over {to_wire(limit)}"


def _count_problems(changes: Sequence[Change], live: FuturesLiveState) -> Iterator[PlanProblem]:
    """The 200 open conditional orders across all symbols (fapi change log 2025-12-29), at the
    worst moment apply can reach: its pure cancels run first, then the other changes at once,
    each at the peak of its own steps (apply/executor.py phases)."""
    steps = [change.futures.steps for change in changes if change.futures is not None]
    open_now = len([o for o in live.open_algo_orders if o.status.is_open])
    cancelled_first = sum(len(s) for s in steps if all(isinstance(x, AlgoCancel) for x in s))
    peak = open_now - cancelled_first + sum(_own_peak(s) for s in steps)
    if peak > MAX_OPEN_CONDITIONAL_ORDERS:
        message = (
            f"the plan would hold {peak} open conditional orders; Binance allows "
            f"{MAX_OPEN_CONDITIONAL_ORDERS} across all symbols"
        )
        yield PlanProblem("plan", message, field="count")


def _own_peak(steps: Sequence[AlgoStep]) -> int:
    """How far above its starting count one change's steps take the open orders (never < 0)."""
    level = peak = 0
    for step in steps:
        level += -1 if isinstance(step, AlgoCancel) else 1
        peak = max(peak, level)
    return peak
