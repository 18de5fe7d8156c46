"""Plan-time checks against the live exchange: every problem at once, none silently rounded.

PURE. :func:`check_plan` is the one entry the planner calls. For each list the plan places:
the exchange filters (:mod:`.filters`), the guardrails (:mod:`.guardrails`) and the account's
permissions (:mod:`.account`); for the plan as a whole: MAX_POSITION (:mod:`.account`), free
balances counting what the plan's cancels release (:mod:`.balances`), the count filters *after*
the plan (:mod:`.counts`) and ``max_total_notional``. Each problem names the bracket, the leg and
the field, and states the nearest valid value. The rules where Binance is not
explicit are in each module's docstring.
"""

from __future__ import annotations

from collections.abc import Sequence

from oco_reconcile.core.checks.account import check_positions, permission_problems
from oco_reconcile.core.checks.balances import check_balances
from oco_reconcile.core.checks.context import BracketContext
from oco_reconcile.core.checks.counts import check_counts
from oco_reconcile.core.checks.filters import (
    leg_problems,
    quantity_problems,
    symbol_problems,
)
from oco_reconcile.core.checks.guardrails import (
    distance_guardrail,
    notional_guardrail,
    symbol_guardrail,
)
from oco_reconcile.core.listing import did_you_mean
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.model import Bracket, LegPosition
from oco_reconcile.core.plan import Change, PlanProblem
from oco_reconcile.core.settings import Settings


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
    problems.extend(check_positions(plan_changes, live))
    problems.extend(check_counts(plan_changes, live))
    return tuple(problems)


def check_bracket(bracket: Bracket, live: LiveState, settings: Settings) -> list[PlanProblem]:
    """Exchange rules and guardrails for one bracket the plan places."""
    address = f"bracket.{bracket.name}"
    problems = symbol_guardrail(bracket, settings)
    rules = live.info.symbols.get(bracket.symbol)
    if rules is None:
        listed = did_you_mean(bracket.symbol, live.market.symbol_names)
        message = f"symbol {bracket.symbol} does not exist on the exchange{listed}"
        return [*problems, PlanProblem(address, message, bracket.name, None, "symbol")]
    reference = live.market.filter_prices.get(bracket.symbol)
    ctx = BracketContext(bracket, rules, live.prices.get(bracket.symbol), settings, reference)
    problems += symbol_problems(ctx)
    problems += permission_problems(ctx, live.market.account_permissions)
    problems += quantity_problems(ctx)
    for position in LegPosition:
        problems += leg_problems(ctx, position)
        problems += distance_guardrail(ctx, position)
    problems += notional_guardrail(ctx)
    return problems
