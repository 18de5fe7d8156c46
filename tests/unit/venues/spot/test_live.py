"""The live reader against a fake ``Exchange`` at the seam: which requests, in which rounds, at
what weight, and how their answers are joined (lists carry ids, openOrders carries the legs)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal

import pytest

from oco_reconcile.core.identity import bracket_ids
from oco_reconcile.core.model import AccountFilters, Balance, Bracket, HistoryOutcome
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.settings import Settings
from oco_reconcile.errors import RejectedError
from oco_reconcile.venues.spot.live import read_live, read_open_lists
from tests.support.fake_exchange import ROUND_ONE, FakeExchange
from tests.support.plan_support import (
    OWNER,
    PRICES,
    btcusdt_rules,
    closed,
    foreign_list,
    market_info,
    open_list,
    sell,
)

A = sell("alpha")
E = sell("echo", symbol="ETHUSDT", qty="0.5", tp="4400", stop="3600", limit="3590")
SETTINGS = Settings()


def test_round_one_runs_concurrently_and_nothing_else_is_needed() -> None:
    exchange = FakeExchange(read_only=True, lists=[open_list(A, 1), open_list(E, 2)])
    exchange.barrier = threading.Barrier(6)  # info, prices, balances, lists, 2 x openOrders

    live = read_live(exchange, [A, E], SETTINGS)

    assert sorted(exchange.methods()) == sorted(
        ["exchange_info", "prices", "balances", "open_order_lists", "open_orders", "open_orders"]
    )
    assert exchange.weight() == 20 + 4 + 20 + 6 + 6 + 6
    assert ("exchange_info", ("BTCUSDT", "ETHUSDT")) in exchange.calls
    assert {item.list_client_order_id for item in live.open_lists} == {
        bracket_ids(OWNER, A).list_client_order_id,
        bracket_ids(OWNER, E).list_client_order_id,
    }
    assert all(len(item.reports) == 2 for item in live.open_lists)  # legs joined
    assert live.history == {}
    assert not make_plan([A, E], live, SETTINGS).has_changes


def test_many_symbols_read_all_open_orders_in_one_call() -> None:
    symbols = [f"S{i:02d}USDT" for i in range(14)]  # 14 x 6 = 84 > 80
    rules = {s: replace(btcusdt_rules(), symbol=s) for s in symbols}
    exchange = FakeExchange(
        info=replace(market_info(), symbols=rules),
        prices_by_symbol=dict.fromkeys(symbols, Decimal(100000)),
    )
    brackets = [sell(f"b{i}", symbol=s) for i, s in enumerate(symbols)]

    read_live(exchange, brackets, SETTINGS)

    assert exchange.arguments("open_orders") == [None]


def test_thirteen_symbols_are_still_read_one_by_one() -> None:
    symbols = [f"S{i:02d}USDT" for i in range(13)]  # 13 x 6 = 78 <= 80
    rules = {s: replace(btcusdt_rules(), symbol=s) for s in symbols}
    exchange = FakeExchange(
        info=replace(market_info(), symbols=rules),
        prices_by_symbol=dict.fromkeys(symbols, Decimal(100000)),
    )

    read_live(exchange, [sell(f"b{i}", symbol=s) for i, s in enumerate(symbols)], SETTINGS)

    assert sorted(exchange.arguments("open_orders")) == symbols


def test_history_is_looked_up_only_for_desired_brackets_that_are_not_open() -> None:
    exchange = FakeExchange(read_only=True, lists=[open_list(A, 1)])

    live = read_live(exchange, [A, E], SETTINGS)

    lookups = exchange.arguments("order_list")
    assert lookups == [bracket_ids(OWNER, E).list_client_order_id]
    assert live.history[lookups[0]].outcome is HistoryOutcome.NEVER_PLACED
    assert "order" not in exchange.methods()


def test_lookups_come_after_round_one_and_leg_lookups_after_them() -> None:
    gone = closed(open_list(E, 7), ("CANCELED", "0"), ("CANCELED", "0"))
    exchange = FakeExchange(read_only=True, history={gone.list_client_order_id: gone})

    live = read_live(exchange, [E], SETTINGS)

    methods = exchange.methods()
    assert sorted(methods[:5]) == sorted(ROUND_ONE)  # one symbol: one openOrders call
    # then the filter price of the bracket's symbol (no reference price: the 5-minute average)
    assert methods[5:] == ["order_list", "order", "order", "reference_price", "average_price"]
    assert live.history[gone.list_client_order_id].outcome is HistoryOutcome.CANCELLED_OUTSIDE
    plan = make_plan([E], live, SETTINGS)
    assert [n.kind.value for n in plan.notices] == ["drift"]


def test_a_triggered_leg_still_open_means_fired_without_a_lookup() -> None:
    fired = closed(open_list(A, 7), ("NEW", "0"), ("EXPIRED", "0"))  # the stop-limit works on
    working = fired.reports[0]
    exchange = FakeExchange(
        read_only=True, history={fired.list_client_order_id: fired}, extra_orders=[working]
    )

    live = read_live(exchange, [A], SETTINGS)

    assert exchange.arguments("order") == [("BTCUSDT", fired.reports[1].order_id)]
    assert live.history[fired.list_client_order_id].outcome is HistoryOutcome.FIRED
    assert not make_plan([A], live, SETTINGS).has_changes


def test_a_partly_filled_leg_of_a_done_list_is_a_remnant_of_its_bracket() -> None:
    done = closed(open_list(A, 7), ("EXPIRED", "0"), ("PARTIALLY_FILLED", "0.004"))
    working = done.reports[1]  # the take profit keeps working with the rest
    exchange = FakeExchange(read_only=True, extra_orders=[working])
    moved = replace(A, above=replace(A.above, price=A.above.price + 1 if A.above.price else None))

    live = read_live(exchange, [moved], SETTINGS)

    assert [(r.name, r.list_client_order_id, r.order) for r in live.remnants] == [
        ("alpha", done.list_client_order_id, working)
    ]
    [change] = make_plan([moved], live, SETTINGS).actionable
    assert [step.order.order_id for step in change.remnants] == [working.order_id]


def test_a_list_placed_between_reads_is_treated_as_open() -> None:
    late = open_list(A, 8)
    exchange = FakeExchange(read_only=True, history={late.list_client_order_id: late})

    live = read_live(exchange, [A], SETTINGS)

    assert [item.list_client_order_id for item in live.open_lists] == [late.list_client_order_id]
    assert live.open_lists[0].reports == late.reports
    assert live.history == {}
    assert not make_plan([A], live, SETTINGS).has_changes


def test_managed_lists_on_other_symbols_get_their_legs_and_rules() -> None:
    exchange = FakeExchange(read_only=True, lists=[open_list(E, 2)])

    live = read_live(exchange, [A], SETTINGS)

    assert ("open_orders", "ETHUSDT") in exchange.calls
    assert ("exchange_info", ("ETHUSDT",)) in exchange.calls
    (orphan,) = live.open_lists
    assert len(orphan.reports) == 2
    assert "ETHUSDT" in live.info.symbols


def test_unmanaged_lists_on_other_symbols_get_their_legs_but_no_rules() -> None:
    exchange = FakeExchange(read_only=True, lists=[foreign_list(E, 2, "manual1")])

    live = read_live(exchange, [A], SETTINGS)

    assert ("open_orders", "ETHUSDT") in exchange.calls  # so the plan can show side and quantity
    assert ("exchange_info", ("ETHUSDT",)) not in exchange.calls
    # + the lookup of alpha, + its filter price (reference price, then average: 2 + 2), + the
    # unmanaged list's openOrders (6)
    assert exchange.weight() == 20 + 4 + 20 + 6 + 6 + 4 + 2 + 2 + 6
    (unmanaged,) = live.open_lists
    assert len(unmanaged.reports) == 2
    (notice,) = make_plan([], live, replace(SETTINGS, allow_empty=True)).notices
    assert notice.message == "orderListId 2, SELL 0.5 ETHUSDT; never touched"


def test_an_empty_desired_set_reads_no_rules_and_no_prices() -> None:
    exchange = FakeExchange(read_only=True, lists=[open_list(A, 1)])

    live = read_live(exchange, [], SETTINGS)

    assert sorted(exchange.methods()) == ["balances", "open_order_lists", "open_orders"]
    assert ("open_orders", "BTCUSDT") in exchange.calls
    assert len(live.open_lists[0].reports) == 2


def test_account_count_filters_need_every_open_order() -> None:
    info = replace(market_info(), account_filters=AccountFilters(max_num_orders=1000))
    exchange = FakeExchange(read_only=True, info=info)

    read_live(exchange, [A], SETTINGS)

    assert exchange.arguments("open_orders") == ["BTCUSDT", None]


def test_an_unknown_symbol_is_reported_by_the_plan_not_raised() -> None:
    nope = sell("nope", symbol="NOPEUSDT")
    exchange = FakeExchange(
        read_only=True,
    )

    live = read_live(exchange, [A, nope], SETTINGS)

    assert set(live.info.symbols) == {"BTCUSDT"}
    assert live.prices == {"BTCUSDT": PRICES["BTCUSDT"]}
    plan = make_plan([A, nope], live, SETTINGS)
    assert [p.message for p in plan.problems] == ["symbol NOPEUSDT does not exist on the exchange"]


def test_an_unknown_symbol_reads_the_symbol_list_once_and_the_plan_offers_the_close_one() -> None:
    typo = sell("typo", symbol="BTCUSDTT")
    exchange = FakeExchange(read_only=True)

    live = read_live(exchange, [A, typo], SETTINGS)

    assert "BTCUSDT" in live.market.symbol_names
    assert exchange.arguments("prices").count(()) == 1  # every symbol's last price: weight 4
    assert live.prices == {"BTCUSDT": PRICES["BTCUSDT"]}
    plan = make_plan([A, typo], live, SETTINGS)
    assert [p.message for p in plan.problems] == [
        "symbol BTCUSDTT does not exist on the exchange; did you mean BTCUSDT?"
    ]


def test_known_symbols_read_no_symbol_list() -> None:
    exchange = FakeExchange(read_only=True)

    live = read_live(exchange, [A], SETTINGS)

    assert live.market.symbol_names == frozenset()
    assert () not in exchange.arguments("prices")


def test_other_rejections_are_not_swallowed() -> None:
    class Refusing(FakeExchange):
        def balances(self) -> Mapping[str, Balance]:
            raise RejectedError("Invalid API-key, IP, or permissions for action.", code=-2015)

    with pytest.raises(RejectedError):
        read_live(Refusing(read_only=True), [A], SETTINGS)


def test_an_adopted_list_that_is_gone_is_looked_up_too() -> None:
    adopted: Bracket = replace(A, adopt="web_1")
    gone = closed(foreign_list(A, 9, "web_1"), ("EXPIRED", "0"), ("FILLED", "0.01"))
    exchange = FakeExchange(read_only=True, history={"web_1": gone})

    live = read_live(exchange, [adopted], SETTINGS)

    lookups = sorted(exchange.arguments("order_list"))
    assert lookups == sorted(["web_1", bracket_ids(OWNER, A).list_client_order_id])
    assert live.history["web_1"].outcome is HistoryOutcome.FIRED
    assert not make_plan([adopted], live, SETTINGS).has_changes


def test_read_open_lists_for_import_filters_by_symbol() -> None:
    exchange = FakeExchange(read_only=True, lists=[open_list(A, 1), foreign_list(E, 2, "manual1")])

    lists = read_open_lists(exchange, ["ETHUSDT"])

    assert [item.list_client_order_id for item in lists] == ["manual1"]
    assert len(lists[0].reports) == 2
    assert exchange.calls.count(("open_orders", "ETHUSDT")) == 1
    assert ("open_orders", "BTCUSDT") not in exchange.calls


def test_the_accounts_permissions_come_with_the_balances_read() -> None:
    exchange = FakeExchange(read_only=True, permissions=frozenset({"SPOT"}))
    live = read_live(exchange, [A], SETTINGS)
    assert live.market.account_permissions == frozenset({"SPOT"})
    assert "account_permissions" not in exchange.methods()  # no request of its own


def test_a_symbol_the_account_may_not_trade_is_a_plan_problem() -> None:
    exchange = FakeExchange(read_only=True, permissions=frozenset({"MARGIN"}))
    rules = replace(exchange.info.symbols["BTCUSDT"], permission_sets=(frozenset({"SPOT"}),))
    exchange.info = replace(exchange.info, symbols={**exchange.info.symbols, "BTCUSDT": rules})
    plan = make_plan([A], read_live(exchange, [A], SETTINGS), SETTINGS)
    assert [p.bracket for p in plan.problems] == [A.name]
    assert "SPOT" in plan.problems[0].message
