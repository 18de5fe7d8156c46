"""Guardrails: the limits the settings put on what a plan may place, beyond Binance's filters.

``symbols`` and ``max_notional`` per bracket, ``max_distance_pct`` per leg price, and
``max_total_notional`` over the whole plan. Rule documented in the README:

* Bracket notional for guardrails: qty x the highest price among its legs; ``max_total_notional``
  sums, per quote asset, every bracket of both venues live after the plan, and is checked only
  where the plan places something (it runs once over the whole plan, from ``core/planner.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from oco_reconcile.core.checks.context import BracketContext, leg_label
from oco_reconcile.core.decimals import ceil_to_step, floor_to_step, to_wire
from oco_reconcile.core.listing import listing
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.model import Bracket, LegPosition
from oco_reconcile.core.plan import Action, Change, PlanProblem
from oco_reconcile.core.settings import Settings
from oco_reconcile.core.usdm.checks import futures_notional

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
    """``max_total_notional``: per quote asset, over every bracket of both venues live after the
    plan (a futures bracket's notional: ``usdm.checks.futures_notional``)."""
    limit = settings.guardrails.max_total_notional
    if limit is None:
        return []
    totals: dict[str, Decimal] = defaultdict(Decimal)
    placing: dict[str, list[str]] = defaultdict(list)
    for name, asset, notional, placed in _live_after(changes, live):
        totals[asset] += notional
        if placed:
            placing[asset].append(name)
    return [
        PlanProblem(
            f"guardrail.max_total_notional.{asset}",
            f"guardrail max_total_notional: brackets live after this plan total "
            f"{to_wire(totals[asset])} {asset}, limit {to_wire(limit)}; placed by this plan:"
            f"{listing(f'bracket.{n}' for n in names)}",
            field="quantity",
        )
        for asset, names in sorted(placing.items())
        if totals[asset] > limit
    ]


_Live = tuple[str, str, Decimal, bool]  # name, quote asset, notional, placed by this plan


def _live_after(changes: Sequence[Change], live: LiveState) -> Iterable[_Live]:
    """Desired brackets that will be live after the plan, and whether the plan places them."""
    for change in changes:
        if change.futures is not None:
            yield from _futures_after(change, live)
            continue
        bracket = change.after
        rules = None if bracket is None else live.info.symbols.get(bracket.symbol)
        if bracket is None or rules is None:
            continue
        notional = bracket_notional(bracket, live.prices.get(bracket.symbol))
        if change.place is not None:
            yield bracket.name, rules.quote_asset, notional, True
        elif change.action is Action.NOOP and change.before is not None and change.before.is_open:
            yield bracket.name, rules.quote_asset, notional, False


def _futures_after(change: Change, live: LiveState) -> Iterable[_Live]:
    futures, usdm = change.futures, live.usdm
    bracket = None if futures is None else futures.after
    if futures is None or bracket is None or usdm is None:
        return
    rules = usdm.info.symbols.get(bracket.symbol)
    if rules is None or not (futures.places or futures.before):
        return
    yield bracket.name, rules.quote_asset, futures_notional(bracket, usdm), bool(futures.places)
