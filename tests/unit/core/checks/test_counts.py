"""Count filters after the plan (``core/checks/counts.py``), per symbol and account-wide."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from oco_reconcile.core.model import AccountFilters, Leg, LegType, Side
from tests.support.plan_support import (
    btcusdt_rules,
    live_state,
    market_info,
    open_list,
    report_for,
    sell,
)
from tests.unit.core.checks.support import only_problem, plan_for, with_rules

D = Decimal


# --- count filters after the plan ---------------------------------------------------------------


def _lists(n: int) -> list:  # type: ignore[type-arg]
    return [open_list(sell(f"l{i}"), i + 1) for i in range(n)]


def test_max_num_algo_orders_counts_after_the_plan() -> None:
    live = live_state(_lists(5))
    keep = [sell(f"l{i}") for i in range(5)]

    problem = only_problem(plan_for(*keep, sell("new"), live=live))
    assert problem.address == "symbol.BTCUSDT"
    assert problem.message.startswith(
        "MAX_NUM_ALGO_ORDERS: 6 open algo orders on BTCUSDT after this plan, limit 5"
    )


def test_a_cancel_in_the_same_plan_makes_room() -> None:
    live = live_state(_lists(5))

    assert plan_for(*[sell(f"l{i}") for i in range(4)], sell("new"), live=live).problems == ()


def test_max_num_orders_counts_plain_orders_too() -> None:
    plain = [
        report_for(
            Leg(LegType.LIMIT_MAKER, price=D("50000")),
            symbol="BTCUSDT",
            side=Side.BUY,
            qty=D("0.001"),
            order_id=5000 + i,
            list_id=-1,
            client_id=f"p{i}",
        )
        for i in range(199)
    ]
    problem = only_problem(plan_for(sell("new"), live=live_state(plain_orders=plain)))

    assert (
        "MAX_NUM_ORDERS: 201 open orders on BTCUSDT after this plan, limit 200" in problem.message
    )


def test_max_num_order_lists_per_symbol() -> None:
    rules = replace(btcusdt_rules(), max_num_order_lists=1)
    live = with_rules(rules, lists=_lists(1))

    problem = only_problem(plan_for(sell("l0"), sell("new"), live=live))
    assert "MAX_NUM_ORDER_LISTS: 2 open lists on BTCUSDT" in problem.message


def test_account_wide_order_list_limit() -> None:
    info = replace(market_info(), account_filters=AccountFilters(max_num_order_lists=2))
    live = live_state(_lists(2), info=info)

    problem = only_problem(
        plan_for(
            sell("l0"),
            sell("l1"),
            sell("e", symbol="ETHUSDT", qty="1", tp="4400", stop="3600", limit="3590"),
            live=live,
        )
    )
    assert problem.address == "account"
    assert problem.message.startswith(
        "EXCHANGE_MAX_NUM_ORDER_LISTS: 3 open lists on the account after this plan, limit 2"
    )


def test_the_brackets_over_a_count_limit_are_listed_naturally_and_wrapped() -> None:
    brackets = [sell(f"b-{i}") for i in range(30)]
    problem = only_problem(plan_for(*brackets))
    head, *lines = problem.message.split("\n")
    assert head.endswith("cancel some or place fewer; placed by:")
    assert len(lines) > 1
    assert all(len(line) <= 80 for line in lines)
    listed = [n.strip() for line in lines for n in line.split(",") if n.strip()]
    assert listed == [f"bracket.b-{i}" for i in range(30)]
