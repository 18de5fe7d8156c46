"""Guardrails from the settings (``core/checks/guardrails.py``)."""

from __future__ import annotations

from decimal import Decimal

from oco_reconcile.core.settings import Guardrails, Settings
from tests.support.plan_support import (
    live_state,
    open_list,
    sell,
)
from tests.unit.core.checks.support import only_problem, plan_for

D = Decimal


# --- guardrails ---------------------------------------------------------------------------------


def test_guardrail_symbols() -> None:
    settings = Settings(guardrails=Guardrails(symbols=frozenset({"ETHUSDT"})))

    problem = only_problem(plan_for(sell("x"), settings=settings))
    assert problem.field == "symbol"
    assert problem.message == "guardrail symbols: BTCUSDT is not an allowed symbol (ETHUSDT)"


def test_guardrail_max_notional_per_bracket() -> None:
    settings = Settings(guardrails=Guardrails(max_notional=D("1000")))

    problem = only_problem(plan_for(sell("x"), settings=settings))
    assert problem.message == (
        "guardrail max_notional: notional 1100 USDT (quantity x highest leg price) exceeds 1000"
    )


def test_guardrail_max_total_notional_counts_what_stays_live() -> None:
    settings = Settings(guardrails=Guardrails(max_total_notional=D("2000")))
    live = live_state([open_list(sell("kept"))])

    problem = only_problem(plan_for(sell("kept"), sell("new"), settings=settings, live=live))
    assert problem.address == "guardrail.max_total_notional.USDT"
    assert "total 2200 USDT, limit 2000; placed by this plan: bracket.new" in problem.message
    assert plan_for(sell("kept"), settings=settings, live=live).problems == ()


def test_guardrail_max_distance_pct() -> None:
    settings = Settings(guardrails=Guardrails(max_distance_pct=D("5")))

    plan = plan_for(sell("x", tp="104000", stop="96000", limit="93000"), settings=settings)

    problem = only_problem(plan)
    assert (problem.leg, problem.field) == ("stop_loss (below)", "price")
    assert problem.message == (
        "guardrail max_distance_pct: 93000 is 7.00% from the last price 100000, limit 5%; "
        "nearest valid: 95000"
    )


def test_max_total_notional_lists_the_placed_brackets_naturally() -> None:
    settings = Settings(guardrails=Guardrails(max_total_notional=D("2000")))
    brackets = [sell(f"b-{i}") for i in (10, 2, 1)]
    problem = only_problem(plan_for(*brackets, settings=settings))
    assert problem.message.endswith("placed by this plan: bracket.b-1, bracket.b-2, bracket.b-10")
