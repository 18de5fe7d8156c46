"""Shared by the check tests: a plan made by the real planner against BTCUSDT's recorded
filters (PRICE_FILTER 0.01..1000000 tick 0.01, LOT_SIZE 0.00001..9000 step 0.00001, NOTIONAL
5..9000000, PERCENT_PRICE_BY_SIDE 0.2..5, TRAILING_DELTA 10..2000, ICEBERG_PARTS 10,
MAX_NUM_ORDERS 200, MAX_NUM_ALGO_ORDERS 5, from the 2025-08-07 exchangeInfo recording). The last
price is 100000 throughout."""

from __future__ import annotations

from dataclasses import replace

from oco_reconcile.core.live import LiveState
from oco_reconcile.core.model import Bracket, SymbolRules
from oco_reconcile.core.plan import Plan, PlanProblem
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.settings import Settings
from tests.support.plan_support import live_state, market_info


def plan_for(
    *brackets: Bracket, live: LiveState | None = None, settings: Settings | None = None
) -> Plan:
    return make_plan(brackets, live or live_state(), settings or Settings())


def with_rules(rules: SymbolRules, **kw: object) -> LiveState:
    info = market_info()
    info = replace(info, symbols={**info.symbols, rules.symbol: rules})
    return live_state(info=info, **kw)  # type: ignore[arg-type]


def only_problem(plan: Plan) -> PlanProblem:
    assert len(plan.problems) == 1, [str(p) for p in plan.problems]
    return plan.problems[0]
