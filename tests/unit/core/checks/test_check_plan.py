"""``check_plan``: every problem at once, in a stable order, and only for what the plan places."""

from __future__ import annotations

from decimal import Decimal

from oco_reconcile.core.settings import Guardrails, Settings
from tests.support.plan_support import (
    buy,
    live_state,
    open_list,
    sell,
)
from tests.unit.core.checks.support import plan_for

D = Decimal


def test_a_valid_bracket_has_no_problems() -> None:
    assert plan_for(sell("ok"), buy("ok2")).problems == ()


# --- all at once, and only for what the plan places ---------------------------------------------


def test_every_problem_is_reported_at_once() -> None:
    bad = sell("bad", qty="0.000105", tp="99999.999", stop="100001", limit="100000.005")
    worse = buy("worse", symbol="NOPEUSDT")

    plan = plan_for(bad, worse)

    where = {(p.bracket, p.leg, p.field) for p in plan.problems}
    assert ("bad", None, "quantity") in where
    assert ("bad", "take_profit (above)", "price") in where
    assert ("bad", "stop_loss (below)", "stop_price") in where
    assert ("bad", "stop_loss (below)", "price") in where
    assert ("worse", None, "symbol") in where
    assert len(plan.problems) >= 6


def test_lists_already_in_place_are_not_checked() -> None:
    # the live list was placed when 99000 was above the market; it stays, so no complaint
    stale = sell("x", tp="99000")
    plan = plan_for(stale, live=live_state([open_list(stale)]))

    assert plan.problems == ()
    assert not plan.has_changes


def test_one_brackets_problems_come_in_a_stable_order() -> None:
    """Symbol guardrail, quantity, then each leg's filters followed by its distance guardrail,
    then the bracket's notional guardrail: the order the text and JSON show them in."""
    guardrails = Guardrails(
        symbols=frozenset({"ETHUSDT"}), max_notional=D(1), max_distance_pct=D(5)
    )
    bad = sell("bad", qty="0.000105", tp="120000.005", stop="100001", limit="80000")

    plan = plan_for(bad, settings=Settings(guardrails=guardrails))

    assert [(p.leg, p.field, p.message.split(" ")[0]) for p in plan.problems] == [
        (None, "symbol", "guardrail"),
        (None, "quantity", "0.000105"),
        ("take_profit (above)", "price", "120000.005"),
        ("take_profit (above)", "price", "guardrail"),
        ("stop_loss (below)", "stop_price", "100001"),
        ("stop_loss (below)", "price", "guardrail"),
        (None, "quantity", "guardrail"),
    ]
