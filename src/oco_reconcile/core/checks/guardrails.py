"""Guardrails: the limits the settings put on what a plan may place, beyond Binance's filters.

``symbols`` and ``max_notional`` per bracket, ``max_distance_pct`` per leg price, and
``max_total_notional`` over the whole plan. Rule documented in the README:

* Bracket notional for guardrails: qty x the highest price among its legs; ``max_total_notional``
  sums, per quote asset, every bracket live after the plan, and is checked only where the plan
  places something.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from oco_reconcile.core.checks.context import BracketContext, leg_label
from oco_reconcile.core.decimals import ceil_to_step, floor_to_step, to_wire
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.model import Bracket, LegPosition
from oco_reconcile.core.plan import Action, Change, PlanProblem
from oco_reconcile.core.settings import Settings

HUNDRED = Decimal(100)


def symbol_guardrail(bracket: Bracket, settings: Settings) -> list[PlanProblem]:
    """``symbols``: the bracket's symbol is one the settings allow."""
    allowed = settings.guardrails.symbols
    if allowed is None or bracket.symbol in allowed:
        return []
    message = (
        f"guardrail symbols: {bracket.symbol} is not an allowed symbol "
        f"({', '.join(sorted(allowed))})"
    )
    return [PlanProblem(f"bracket.{bracket.name}", message, bracket.name, None, "symbol")]


def distance_guardrail(ctx: BracketContext, position: LegPosition) -> list[PlanProblem]:
    """``max_distance_pct``: each price of the leg within that percentage of the last price."""
    limit = ctx.settings.guardrails.max_distance_pct
    last = ctx.last
    if limit is None or last is None or last <= 0:
        return []
    leg = ctx.bracket.leg(position)
    label = leg_label(ctx.bracket, position)
    problems = []
    for name in ("price", "stop_price"):
        value = getattr(leg, name)
        if value is None:
            continue
        distance = abs(value - last) / last * HUNDRED
        if distance > limit:
            message = _distance_message(ctx, value, distance, limit, last)
            problems.append(ctx.problem(message, label, name))
    return problems


def _distance_message(
    ctx: BracketContext, value: Decimal, distance: Decimal, limit: Decimal, last: Decimal
) -> str:
    offset = last * limit / HUNDRED
    if value > last:
        nearest = floor_to_step(last + offset, ctx.tick)
    else:
        nearest = ceil_to_step(last - offset, ctx.tick)
    return (
        f"guardrail max_distance_pct: {to_wire(value)} is {distance:.2f}% from the last price "
        f"{to_wire(last)}, limit {to_wire(limit)}%; nearest valid: {to_wire(nearest)}"
    )


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


def notional_guardrail(ctx: BracketContext) -> list[PlanProblem]:
    """``max_notional``: one bracket's notional (:func:`bracket_notional`)."""
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
    """``max_total_notional``: per quote asset, over every bracket live after the plan."""
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
