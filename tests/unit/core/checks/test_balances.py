"""Free balances after the plan (``core/checks/balances.py``): what new lists lock, what cancels
release."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from oco_reconcile.core.checks.balances import released_by
from oco_reconcile.core.model import Balance
from tests.support.plan_support import (
    RICH,
    buy,
    live_state,
    open_list,
    sell,
)
from tests.unit.core.checks.support import only_problem, plan_for

D = Decimal


# --- balances -----------------------------------------------------------------------------------


def test_sell_needs_the_base_asset() -> None:
    balances = {**RICH, "BTC": Balance("BTC", D("0.015"), D("0"))}
    plan = plan_for(sell("a"), sell("b"), live=live_state(balances=balances))

    problem = only_problem(plan)
    assert problem.address == "balance.BTC"
    assert problem.message == (
        "free BTC 0.015 (+0 released by this plan's cancels) does not cover 0.02 BTC needed by "
        "bracket.a (0.01), bracket.b (0.01); short by 0.005"
    )


def test_buy_locks_quote_at_the_highest_leg_price() -> None:
    # 0.01 x 110100 (the stop-limit's limit price) = 1101 USDT
    balances = {**RICH, "USDT": Balance("USDT", D("1100"), D(0))}
    problem = only_problem(plan_for(buy("b"), live=live_state(balances=balances)))

    assert (problem.address, problem.bracket) == ("bracket.b", "b")
    assert "does not cover 1101 USDT needed by bracket.b (1101); short by 1" in problem.message


def test_cancels_release_what_they_locked() -> None:
    old = sell("a", qty="0.5")
    balances = {**RICH, "BTC": Balance("BTC", D("0.1"), D("0.5"))}
    live = live_state([open_list(old)], balances=balances)

    assert plan_for(sell("a", qty="0.6"), live=live).problems == ()
    assert len(plan_for(sell("a", qty="0.7"), live=live).problems) == 1


def test_a_partly_executed_list_releases_only_the_rest() -> None:
    live = live_state()
    sold = open_list(sell("old", qty="0.5"), executed="0.4")
    bought = open_list(buy("old", qty="0.5"))

    assert released_by(sold, live) == ("BTC", D("0.1"))
    assert released_by(bought, live) == ("USDT", D("55050"))  # 0.5 x 110100
    assert released_by(replace(sold, reports=()), live) is None
