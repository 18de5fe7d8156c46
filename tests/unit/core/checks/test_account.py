"""What the account may trade and hold (``core/checks/account.py``): the symbol's permission
sets against the account's permissions, and MAX_POSITION after the plan."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from oco_reconcile.core.live import LiveState
from oco_reconcile.core.market import MarketView
from oco_reconcile.core.model import OrderList
from tests.support.plan_support import btcusdt_rules, buy, foreign_list, open_list, sell
from tests.unit.core.checks.support import only_problem, plan_for, with_rules

D = Decimal
SETS = (frozenset({"SPOT", "MARGIN"}), frozenset({"TRD_GRP_004", "TRD_GRP_005"}))


def _permitted(account: frozenset[str] | None) -> LiveState:
    live = with_rules(replace(btcusdt_rules(), permission_sets=SETS))
    return replace(live, market=MarketView(account_permissions=account))


# --- permissions ---------------------------------------------------------------------------------


def test_a_symbol_the_account_may_not_trade_is_a_plan_problem() -> None:
    problem = only_problem(plan_for(sell("x"), live=_permitted(frozenset({"SPOT"}))))

    assert (problem.bracket, problem.field) == ("x", "symbol")
    assert problem.message == (
        "symbol BTCUSDT is not permitted for this account: it needs one of TRD_GRP_004, "
        "TRD_GRP_005 (permissionSets); the account has SPOT"
    )


def test_one_permission_of_every_set_is_enough() -> None:
    assert plan_for(sell("x"), live=_permitted(frozenset({"MARGIN", "TRD_GRP_005"}))).problems == ()


def test_permissions_unknown_are_not_checked() -> None:
    assert plan_for(sell("x"), live=_permitted(None)).problems == ()


def test_long_permission_lists_are_shortened() -> None:
    many = frozenset(f"TRD_GRP_{i:03}" for i in range(1, 206))
    live = with_rules(replace(btcusdt_rules(), permission_sets=(many,)))
    live = replace(live, market=MarketView(account_permissions=frozenset()))

    message = only_problem(plan_for(sell("x"), live=live)).message
    assert "TRD_GRP_001, TRD_GRP_002, TRD_GRP_003, TRD_GRP_004, TRD_GRP_005, ... (205 in all)" in (
        message
    )
    assert message.endswith("the account has none")


# --- MAX_POSITION ---------------------------------------------------------------------------------


def _capped(maximum: str, lists: tuple[OrderList, ...] = ()) -> LiveState:
    rules = replace(btcusdt_rules(), max_position=D(maximum))
    return with_rules(rules, lists=lists)  # RICH: 100 BTC free


def test_a_buy_above_max_position_states_the_largest_quantity() -> None:
    problem = only_problem(plan_for(buy("x"), live=_capped("100.005")))

    assert (problem.bracket, problem.field) == ("x", "quantity")
    assert problem.message == (
        "position 100 BTC (free + locked + open BUY orders) + 0.01 is above maxPosition 100.005 "
        "(MAX_POSITION); largest valid quantity: 0.005"
    )


def test_sell_brackets_do_not_grow_the_position() -> None:
    assert plan_for(sell("x"), live=_capped("100")).problems == ()


def test_an_open_buy_list_counts_its_quantity_once() -> None:
    hand_made = foreign_list(buy("old", qty="0.5"), 7, "by-hand-1")
    live = _capped("100.6", (hand_made,))

    assert plan_for(buy("x", qty="0.1"), live=live).problems == ()
    assert "position 100.5 BTC" in only_problem(plan_for(buy("x", qty="0.2"), live=live)).message


def test_a_list_the_plan_cancels_no_longer_counts() -> None:
    live = _capped("100.6", (open_list(buy("x", qty="0.5"), 7),))

    assert plan_for(buy("x", qty="0.6"), live=live).problems == ()  # replaced: 100 + 0.6


def test_brackets_of_one_plan_add_up() -> None:
    plan = plan_for(buy("a"), buy("b"), live=_capped("100.015"))

    problem = only_problem(plan)
    assert problem.bracket == "b"
    assert "position 100.01 BTC (free + locked + open BUY orders + earlier brackets)" in (
        problem.message
    )
    assert problem.message.endswith("largest valid quantity: 0.005")
