"""Plan-time checks against the live exchange: every problem at once, none silently rounded.

PURE. For each list the plan places: the symbol exists, is trading and allows OCO and the leg
types; PRICE_FILTER / LOT_SIZE / NOTIONAL or MIN_NOTIONAL per leg at that leg's price /
PERCENT_PRICE(_BY_SIDE) / TRAILING_DELTA / iceberg rules; each leg on its side of the last price;
the guardrails. For the plan as a whole: free balances (counting what the plan's cancels release)
and the count filters *after* the plan. Each problem names the bracket, the leg and the field, and
states the nearest valid value.

Rules where Binance is not explicit, documented in the README:

* Reference price: Binance checks PERCENT_PRICE_BY_SIDE (and NOTIONAL for market legs) against
  the symbol's reference price or an average over ``avgPriceMins`` (filters.md notes); the
  planner uses the last price, the closest value one cheap request gives.
* Notional per leg: qty x the leg's limit price; a market leg (STOP_LOSS, TAKE_PROFIT) at the
  lower of its stop price and the last price (JKorf/Binance.Net #1048: a far stop leg fails
  MIN_NOTIONAL on its own; the simulator counts market legs at the last price).
* Balance (the simulator locks the same way): a SELL list locks its base quantity once; a BUY
  list locks quote = qty x the highest leg price, each leg counted at its limit price, else its
  stop price (the worst case of either leg executing). A cancel releases what the list locks by
  the same rule, on the remaining (unexecuted) quantity.
* Bracket notional for guardrails: qty x the highest price among its legs; ``max_total_notional``
  sums, per quote asset, every bracket live after the plan, and is checked only where the plan
  places something.
* Count filters: an OCO is 1 order list and 2 orders; every leg but a LIMIT_MAKER is an algo
  order. Account-wide order counts are exact only when every symbol's open orders were read (the
  reader does so when exchangeInfo has EXCHANGE_MAX_NUM_* filters).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from oco_reconcile.core.decimals import (
    ceil_to_step,
    floor_to_step,
    is_multiple,
    nearest_steps,
    to_wire,
)
from oco_reconcile.core.model import (
    Bracket,
    Leg,
    LegPosition,
    LegType,
    LiveState,
    LotSize,
    OrderList,
    OrderReport,
    Side,
    SymbolRules,
    take_profit_position,
)
from oco_reconcile.core.plan import Action, Change, PlanProblem, live_bracket
from oco_reconcile.core.settings import Settings

ALGO_TYPES = frozenset(t.value for t in LegType if t.is_algo)
HUNDRED = Decimal(100)
ZERO = Decimal(0)


def check_plan(
    plan_changes: Sequence[Change],
    brackets: Sequence[Bracket],
    live: LiveState,
    settings: Settings,
) -> tuple[PlanProblem, ...]:
    """Every problem with the lists ``plan_changes`` would place, in a stable order."""
    placed = [c.after for c in plan_changes if c.place is not None and c.after is not None]
    problems: list[PlanProblem] = []
    for bracket in placed:
        problems.extend(check_bracket(bracket, live, settings))
    problems.extend(check_balances(plan_changes, live))
    problems.extend(check_counts(plan_changes, live))
    problems.extend(check_total_notional(plan_changes, live, settings))
    return tuple(problems)


# --- one bracket --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ctx:
    """What the per-bracket checks share: the bracket, its symbol's rules, the last price."""

    bracket: Bracket
    rules: SymbolRules
    last: Decimal | None
    settings: Settings

    @property
    def address(self) -> str:
        return f"bracket.{self.bracket.name}"

    def problem(
        self, message: str, leg: str | None = None, field: str | None = None
    ) -> PlanProblem:
        return PlanProblem(self.address, message, self.bracket.name, leg, field)


def leg_label(bracket: Bracket, position: LegPosition) -> str:
    """``take_profit (above)`` / ``stop_loss (below)``: the leg by intent and by Binance's name."""
    intent = "take_profit" if position is take_profit_position(bracket.side) else "stop_loss"
    return f"{intent} ({position.value})"


def check_bracket(bracket: Bracket, live: LiveState, settings: Settings) -> list[PlanProblem]:
    """Exchange rules and guardrails for one bracket the plan places."""
    address = f"bracket.{bracket.name}"
    problems = _symbol_guardrail(bracket, settings)
    rules = live.info.symbols.get(bracket.symbol)
    if rules is None:
        message = f"symbol {bracket.symbol} does not exist on the exchange"
        return [*problems, PlanProblem(address, message, bracket.name, None, "symbol")]
    ctx = _Ctx(bracket, rules, live.prices.get(bracket.symbol), settings)
    problems += _symbol_problems(ctx)
    problems += _quantity_problems(ctx)
    for position in LegPosition:
        problems += _leg_problems(ctx, position)
    problems += _notional_guardrail(ctx)
    return problems


def _symbol_guardrail(bracket: Bracket, settings: Settings) -> list[PlanProblem]:
    allowed = settings.guardrails.symbols
    if allowed is None or bracket.symbol in allowed:
        return []
    message = (
        f"guardrail symbols: {bracket.symbol} is not an allowed symbol "
        f"({', '.join(sorted(allowed))})"
    )
    return [PlanProblem(f"bracket.{bracket.name}", message, bracket.name, None, "symbol")]


def _symbol_problems(ctx: _Ctx) -> list[PlanProblem]:
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


def _quantity_problems(ctx: _Ctx) -> list[PlanProblem]:
    lot = ctx.rules.lot_size
    if lot is None:
        return []
    return [
        ctx.problem(message, field="quantity")
        for message in _grid_messages(ctx.bracket.quantity, _lot_grid(lot))
    ]


@dataclass(frozen=True)
class _Grid:
    """PRICE_FILTER or LOT_SIZE, in one shape: bounds and step (each disabled when 0, §5)."""

    low: Decimal
    high: Decimal
    step: Decimal
    name: str
    noun: str  # Price | Qty: Binance's field names are min<noun> / max<noun>


def _lot_grid(lot: LotSize) -> _Grid:
    return _Grid(lot.min_qty, lot.max_qty, lot.step_size, "LOT_SIZE", "Qty")


def _grid_messages(value: Decimal, grid: _Grid) -> list[str]:
    """PRICE_FILTER / LOT_SIZE: bounds and step, each rule disabled when it is 0 (§5)."""
    low, high, step, name, noun = grid.low, grid.high, grid.step, grid.name, grid.noun
    messages = []
    shown = to_wire(value)
    if low > 0 and value < low:
        messages.append(
            f"{shown} is below min{noun} {to_wire(low)} ({name}); smallest valid: "
            f"{to_wire(ceil_to_step(low, step))}"
        )
    if high > 0 and value > high:
        messages.append(
            f"{shown} is above max{noun} {to_wire(high)} ({name}); largest valid: "
            f"{to_wire(floor_to_step(high, step))}"
        )
    if not is_multiple(value, step):
        down, up = nearest_steps(value, step)
        step_name = "tickSize" if noun == "Price" else "stepSize"
        messages.append(
            f"{shown} is not a multiple of {step_name} {to_wire(step)} ({name}); "
            f"nearest valid: {to_wire(down)} or {to_wire(up)}"
        )
    return messages


# --- one leg ------------------------------------------------------------------------------------


def _leg_problems(ctx: _Ctx, position: LegPosition) -> list[PlanProblem]:
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
    problems += _distance_guardrail(ctx, leg, label)
    return problems


def _price_filter(ctx: _Ctx, value: Decimal) -> list[str]:
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


def _tick(ctx: _Ctx) -> Decimal:
    price_filter = ctx.rules.price_filter
    return price_filter.tick_size if price_filter is not None else Decimal(0)


def _side_of_market(ctx: _Ctx, position: LegPosition, leg: Leg, label: str) -> list[PlanProblem]:
    """rest-api.md "New Order list - OCO (TRADE)" price relationship: the take-profit limit price
    (LIMIT_MAKER,
    TAKE_PROFIT_LIMIT) and every stop price sit on the leg's side of the last price."""
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
        tick = _tick(ctx) or Decimal(1).scaleb(-ctx.rules.quote_asset_precision)
        nearest = ctx.last + tick if above else ctx.last - tick
        message = (
            f"{to_wire(value)} must be {'above' if above else 'below'} the last price "
            f"{to_wire(ctx.last)} for a {ctx.bracket.side.value} OCO; nearest valid: "
            f"{to_wire(nearest)}"
        )
        problems.append(ctx.problem(message, label, name))
    return problems


def leg_reference_price(leg: Leg, last: Decimal | None) -> Decimal | None:
    """The price a leg's notional is counted at: its limit price; for a market leg the lower of
    its stop price and the last price."""
    if leg.price is not None:
        return leg.price
    candidates = [p for p in (leg.stop_price, last) if p is not None]
    return min(candidates, default=None)


def _notional(ctx: _Ctx, leg: Leg, label: str) -> list[PlanProblem]:
    notional_filter = ctx.rules.notional
    price = leg_reference_price(leg, ctx.last)
    if notional_filter is None or price is None or price <= 0:
        return []
    quantity = ctx.bracket.quantity
    notional = quantity * price
    name = "MIN_NOTIONAL" if notional_filter.legacy else "NOTIONAL"
    step = ctx.rules.lot_size.step_size if ctx.rules.lot_size else Decimal(0)
    shown = f"notional {to_wire(notional)} ({to_wire(quantity)} x {to_wire(price)})"
    if notional < notional_filter.min_notional:
        smallest = ceil_to_step(notional_filter.min_notional / price, step)
        message = (
            f"{shown} is below minNotional {to_wire(notional_filter.min_notional)} ({name}); "
            f"smallest valid quantity at this price: {to_wire(smallest)}"
        )
        return [ctx.problem(message, label, "quantity")]
    maximum = notional_filter.max_notional
    if maximum is not None and maximum > 0 and notional > maximum:
        largest = floor_to_step(maximum / price, step)
        message = (
            f"{shown} is above maxNotional {to_wire(maximum)} ({name}); "
            f"largest valid quantity at this price: {to_wire(largest)}"
        )
        return [ctx.problem(message, label, "quantity")]
    return []


def _percent_price(ctx: _Ctx, leg: Leg, label: str) -> list[PlanProblem]:
    """PERCENT_PRICE_BY_SIDE (and the older PERCENT_PRICE) on the leg's limit price."""
    if ctx.last is None or leg.price is None:
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
    ctx: _Ctx, price: Decimal, down: Decimal, up: Decimal, name: str
) -> list[str]:
    assert ctx.last is not None  # noqa: S101 - checked by the caller
    low, high = ctx.last * down, ctx.last * up
    tick = _tick(ctx)
    if down > 0 and price < low:
        return [
            f"{to_wire(price)} is below {to_wire(down)} x the last price {to_wire(ctx.last)} "
            f"({name}); lowest valid: {to_wire(ceil_to_step(low, tick))}"
        ]
    if up > 0 and price > high:
        return [
            f"{to_wire(price)} is above {to_wire(up)} x the last price {to_wire(ctx.last)} "
            f"({name}); highest valid: {to_wire(floor_to_step(high, tick))}"
        ]
    return []


def _trailing(ctx: _Ctx, position: LegPosition, leg: Leg, label: str) -> list[PlanProblem]:
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


def _iceberg(ctx: _Ctx, leg: Leg, label: str) -> list[PlanProblem]:
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


# --- guardrails ---------------------------------------------------------------------------------


def _distance_guardrail(ctx: _Ctx, leg: Leg, label: str) -> list[PlanProblem]:
    limit = ctx.settings.guardrails.max_distance_pct
    last = ctx.last
    if limit is None or last is None or last <= 0:
        return []
    problems = []
    for name in ("price", "stop_price"):
        value = getattr(leg, name)
        if value is None:
            continue
        distance = abs(value - last) / last * HUNDRED
        if distance <= limit:
            continue
        tick = _tick(ctx)
        offset = last * limit / HUNDRED
        nearest = (
            floor_to_step(last + offset, tick)
            if value > last
            else ceil_to_step(last - offset, tick)
        )
        message = (
            f"guardrail max_distance_pct: {to_wire(value)} is {distance:.2f}% from the last price "
            f"{to_wire(last)}, limit {to_wire(limit)}%; nearest valid: {to_wire(nearest)}"
        )
        problems.append(ctx.problem(message, label, name))
    return problems


def bracket_notional(bracket: Bracket, last: Decimal | None) -> Decimal:
    """qty x the highest price among the legs (the worst case), in the quote asset."""
    prices = [
        p
        for leg in (bracket.above, bracket.below)
        for p in (leg.price, leg.stop_price)
        if p is not None
    ]
    if not prices and last is not None:
        prices = [last]
    return bracket.quantity * max(prices, default=Decimal(0))


def _notional_guardrail(ctx: _Ctx) -> list[PlanProblem]:
    limit = ctx.settings.guardrails.max_notional
    if limit is None:
        return []
    notional = bracket_notional(ctx.bracket, ctx.last)
    if notional <= limit:
        return []
    message = (
        f"guardrail max_notional: notional {to_wire(notional)} {ctx.rules.quote_asset} "
        f"(quantity x highest leg price) exceeds {to_wire(limit)}"
    )
    return [ctx.problem(message, field="quantity")]


def check_total_notional(
    changes: Sequence[Change], live: LiveState, settings: Settings
) -> list[PlanProblem]:
    limit = settings.guardrails.max_total_notional
    if limit is None:
        return []
    totals: dict[str, Decimal] = defaultdict(Decimal)
    placing: dict[str, list[str]] = defaultdict(list)
    for bracket, placed in _live_after(changes):
        rules = live.info.symbols.get(bracket.symbol)
        if rules is None:
            continue
        totals[rules.quote_asset] += bracket_notional(bracket, live.prices.get(bracket.symbol))
        if placed:
            placing[rules.quote_asset].append(bracket.name)
    return [
        PlanProblem(
            f"guardrail.max_total_notional.{asset}",
            f"guardrail max_total_notional: brackets live after this plan total "
            f"{to_wire(totals[asset])} {asset}, limit {to_wire(limit)} (placed by this plan: "
            f"{', '.join(f'bracket.{n}' for n in sorted(names))})",
            field="quantity",
        )
        for asset, names in sorted(placing.items())
        if totals[asset] > limit
    ]


def _live_after(changes: Sequence[Change]) -> Iterable[tuple[Bracket, bool]]:
    """Desired brackets that will be live after the plan, and whether the plan places them."""
    for change in changes:
        if change.after is None:
            continue
        if change.place is not None:
            yield change.after, True
        elif change.action is Action.NOOP and change.before is not None and change.before.is_open:
            yield change.after, False


# --- balances -----------------------------------------------------------------------------------


def locked_by(
    side: Side, quantity: Decimal, legs: Sequence[Leg], rules: SymbolRules
) -> tuple[str, Decimal]:
    """The asset and amount an OCO of this shape locks (module docstring: the balance rule)."""
    if side is Side.SELL:
        return rules.base_asset, quantity
    prices = [leg.price if leg.price is not None else leg.stop_price for leg in legs]
    return rules.quote_asset, quantity * max((p for p in prices if p is not None), default=ZERO)


def released_by(order_list: OrderList, live: LiveState) -> tuple[str, Decimal] | None:
    """What cancelling ``order_list`` frees, or None when its legs or symbol are unknown."""
    view = live_bracket(order_list)
    rules = live.info.symbols.get(order_list.symbol)
    if view is None or rules is None:
        return None
    executed = max(report.executed_qty for report in order_list.reports)
    remaining = max(view.quantity - executed, Decimal(0))
    return locked_by(view.side, remaining, (view.above, view.below), rules)


def check_balances(changes: Sequence[Change], live: LiveState) -> list[PlanProblem]:
    needed: dict[str, Decimal] = defaultdict(Decimal)
    users: dict[str, list[str]] = defaultdict(list)
    released: dict[str, Decimal] = defaultdict(Decimal)
    for change in changes:
        if change.cancel is not None and change.before is not None:
            freed = released_by(change.before, live)
            if freed is not None:
                released[freed[0]] += freed[1]
        bracket = change.after
        rules = None if bracket is None else live.info.symbols.get(bracket.symbol)
        if change.place is None or bracket is None or rules is None:
            continue
        asset, amount = locked_by(
            bracket.side, bracket.quantity, (bracket.above, bracket.below), rules
        )
        needed[asset] += amount
        users[asset].append(f"bracket.{bracket.name} ({to_wire(amount)})")
    return [
        _balance_problem(asset, needed[asset], released[asset], users[asset], live)
        for asset in sorted(needed)
        if needed[asset] > _free(live, asset) + released[asset]
    ]


def _free(live: LiveState, asset: str) -> Decimal:
    balance = live.balances.get(asset)
    return Decimal(0) if balance is None else balance.free


def _balance_problem(
    asset: str, needed: Decimal, released: Decimal, users: list[str], live: LiveState
) -> PlanProblem:
    available = _free(live, asset) + released
    address = users[0].split(" ")[0] if len(users) == 1 else f"balance.{asset}"
    message = (
        f"free {asset} {to_wire(_free(live, asset))} (+{to_wire(released)} released by this "
        f"plan's cancels) does not cover {to_wire(needed)} {asset} needed by "
        f"{', '.join(users)}; short by {to_wire(needed - available)}"
    )
    bracket = address.removeprefix("bracket.") if address.startswith("bracket.") else None
    return PlanProblem(address, message, bracket, None, "quantity")


# --- count filters ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Counts:
    lists: int = 0
    orders: int = 0
    algo: int = 0
    iceberg: int = 0

    def __add__(self, other: _Counts) -> _Counts:
        return _Counts(
            self.lists + other.lists,
            self.orders + other.orders,
            self.algo + other.algo,
            self.iceberg + other.iceberg,
        )

    def __neg__(self) -> _Counts:
        return _Counts(-self.lists, -self.orders, -self.algo, -self.iceberg)


def _report_counts(reports: Iterable[OrderReport]) -> _Counts:
    reports = list(reports)
    return _Counts(
        orders=len(reports),
        algo=sum(1 for r in reports if r.type in ALGO_TYPES),
        iceberg=sum(1 for r in reports if r.iceberg_qty),
    )


def _placed_counts(bracket: Bracket) -> _Counts:
    legs = (bracket.above, bracket.below)
    return _Counts(
        lists=1,
        orders=2,
        algo=sum(1 for leg in legs if leg.type.is_algo),
        iceberg=sum(1 for leg in legs if leg.iceberg_qty),
    )


def _cancelled_counts(order_list: OrderList) -> _Counts:
    if order_list.reports:
        return _Counts(lists=1) + _report_counts(order_list.reports)
    return _Counts(lists=1, orders=len(order_list.orders))


def check_counts(changes: Sequence[Change], live: LiveState) -> list[PlanProblem]:
    """MAX_NUM_ORDER_LISTS / MAX_NUM_ORDERS / MAX_NUM_ALGO_ORDERS / MAX_NUM_ICEBERG_ORDERS per
    symbol, and the EXCHANGE_MAX_NUM_* account filters, counted after the plan."""
    delta: dict[str, _Counts] = defaultdict(_Counts)
    placing: dict[str, list[str]] = defaultdict(list)
    for change in changes:
        if change.cancel is not None and change.before is not None:
            delta[change.before.symbol] += -_cancelled_counts(change.before)
        if change.place is not None and change.after is not None:
            delta[change.after.symbol] += _placed_counts(change.after)
            placing[change.after.symbol].append(f"bracket.{change.after.name}")
    problems = []
    for symbol in sorted(placing):
        rules = live.info.symbols.get(symbol)
        if rules is not None:
            after = _open_counts(live, symbol) + delta[symbol]
            problems += _count_problems(f"symbol.{symbol}", symbol, rules, after, placing[symbol])
    if placing:
        total = sum(delta.values(), _open_counts(live, None))
        brackets = [name for names in placing.values() for name in names]
        problems += _count_problems("account", None, live.info.account_filters, total, brackets)
    return problems


def _open_counts(live: LiveState, symbol: str | None) -> _Counts:
    lists = sum(1 for item in live.open_lists if symbol is None or item.symbol == symbol)
    orders = [r for r in live.open_orders if symbol is None or r.symbol == symbol]
    return _Counts(lists=lists) + _report_counts(orders)


class _CountLimits(Protocol):
    """Per-symbol (SymbolRules) or account-wide (AccountFilters) count filters."""

    @property
    def max_num_orders(self) -> int | None: ...
    @property
    def max_num_algo_orders(self) -> int | None: ...
    @property
    def max_num_order_lists(self) -> int | None: ...
    @property
    def max_num_iceberg_orders(self) -> int | None: ...


def _count_problems(
    address: str, symbol: str | None, limits: _CountLimits, after: _Counts, brackets: list[str]
) -> list[PlanProblem]:
    prefix = "" if symbol is not None else "EXCHANGE_"
    where = f"on {symbol}" if symbol is not None else "on the account"
    checks = (
        ("MAX_NUM_ORDER_LISTS", limits.max_num_order_lists, after.lists, "lists"),
        ("MAX_NUM_ORDERS", limits.max_num_orders, after.orders, "orders"),
        ("MAX_NUM_ALGO_ORDERS", limits.max_num_algo_orders, after.algo, "algo orders"),
        ("MAX_NUM_ICEBERG_ORDERS", limits.max_num_iceberg_orders, after.iceberg, "iceberg orders"),
    )
    problems = []
    for name, limit, count, noun in checks:
        if limit is not None and count > limit:
            message = (
                f"{prefix}{name}: {count} open {noun} {where} after this plan, limit {limit} "
                f"(placed by {', '.join(sorted(brackets))}); cancel some or place fewer"
            )
            problems.append(PlanProblem(address, message))
    return problems


__all__ = [
    "check_balances",
    "check_bracket",
    "check_counts",
    "check_plan",
    "check_total_notional",
    "leg_label",
    "leg_reference_price",
    "locked_by",
    "released_by",
]
