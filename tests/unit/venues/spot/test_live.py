"""The live reader against a fake ``Exchange`` at the seam: which requests, in which rounds, at
what weight, and how their answers are joined (lists carry ids, openOrders carries the legs)."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

import pytest

from oco_reconcile.core.identity import bracket_ids
from oco_reconcile.core.model import (
    AccountFilters,
    Balance,
    Bracket,
    ExchangeInfo,
    HistoryOutcome,
    OcoRequest,
    OrderList,
    OrderReport,
    RateUsage,
)
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.settings import Settings
from oco_reconcile.errors import RejectedError
from oco_reconcile.venues.spot.live import read_live, read_open_lists
from tests.support.plan_support import (
    OWNER,
    PRICES,
    RICH,
    btcusdt_rules,
    closed,
    foreign_list,
    market_info,
    open_list,
    sell,
)

WEIGHTS = {
    "exchange_info": 20,
    "prices": 4,
    "balances": 20,
    "open_order_lists": 6,
    "order_list": 4,
    "order": 4,
}
ROUND_ONE = {"exchange_info", "prices", "balances", "open_order_lists", "open_orders"}


@dataclass
class FakeExchange:
    """Answers from in-memory state; records every call (method, argument) and, when
    ``barrier`` is set, holds each round-one call until all of them are in flight together."""

    info: ExchangeInfo = field(default_factory=market_info)
    prices_by_symbol: Mapping[str, Decimal] = field(default_factory=lambda: dict(PRICES))
    lists: Sequence[OrderList] = ()
    history: Mapping[str, OrderList] = field(default_factory=dict)
    extra_orders: Sequence[OrderReport] = ()
    barrier: threading.Barrier | None = None
    calls: list[tuple[str, object]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _record(self, method: str, argument: object = None) -> None:
        with self.lock:
            self.calls.append((method, argument))
        if self.barrier is not None and method in ROUND_ONE:
            self.barrier.wait(timeout=30)

    # -- the Exchange protocol --
    def server_time(self) -> int:
        raise AssertionError("not needed for reading")

    def exchange_info(self, symbols: Sequence[str]) -> ExchangeInfo:
        self._record("exchange_info", tuple(symbols))
        unknown = [s for s in symbols if s not in self.info.symbols]
        if unknown:
            raise RejectedError("Invalid symbol.", status=400, code=-1121)
        return replace(self.info, symbols={s: self.info.symbols[s] for s in symbols})

    def prices(self, symbols: Sequence[str]) -> Mapping[str, Decimal]:
        self._record("prices", tuple(symbols))
        if any(s not in self.prices_by_symbol for s in symbols):
            raise RejectedError("Invalid symbol.", status=400, code=-1121)
        return {s: self.prices_by_symbol[s] for s in symbols}

    def balances(self) -> Mapping[str, Balance]:
        self._record("balances")
        return dict(RICH)

    def open_order_lists(self) -> tuple[OrderList, ...]:
        self._record("open_order_lists")
        return tuple(replace(item, reports=()) for item in self.lists)  # ids only, like Binance

    def open_orders(self, symbol: str | None = None) -> tuple[OrderReport, ...]:
        self._record("open_orders", symbol)
        if symbol is not None and symbol not in self.info.symbols:
            raise RejectedError("Invalid symbol.", status=400, code=-1121)
        legs = [r for item in self.lists for r in item.reports] + list(self.extra_orders)
        return tuple(r for r in legs if symbol is None or r.symbol == symbol)

    def order_list(self, list_client_order_id: str) -> OrderList | None:
        self._record("order_list", list_client_order_id)
        found = self.history.get(list_client_order_id)
        return None if found is None else replace(found, reports=())

    def order(self, symbol: str, order_id: int) -> OrderReport | None:
        self._record("order", (symbol, order_id))
        for item in self.history.values():
            for report in item.reports:
                if (report.symbol, report.order_id) == (symbol, order_id):
                    return report
        return None

    def place_oco(self, request: OcoRequest) -> OrderList:
        raise AssertionError("the reader never places")

    def cancel_order_list(
        self, symbol: str, list_client_order_id: str, new_client_order_id: str | None = None
    ) -> OrderList | None:
        raise AssertionError("the reader never cancels")

    def rate_usage(self) -> RateUsage:
        return RateUsage()

    # -- accounting --
    def methods(self) -> list[str]:
        return [method for method, _ in self.calls]

    def weight(self) -> int:
        total = 0
        for method, argument in self.calls:
            if method == "open_orders":
                total += 80 if argument is None else 6
            else:
                total += WEIGHTS[method]
        return total


A = sell("alpha")
E = sell("echo", symbol="ETHUSDT", qty="0.5", tp="4400", stop="3600", limit="3590")
SETTINGS = Settings()


def test_round_one_runs_concurrently_and_nothing_else_is_needed() -> None:
    exchange = FakeExchange(lists=[open_list(A, 1), open_list(E, 2)])
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

    assert [arg for method, arg in exchange.calls if method == "open_orders"] == [None]


def test_thirteen_symbols_are_still_read_one_by_one() -> None:
    symbols = [f"S{i:02d}USDT" for i in range(13)]  # 13 x 6 = 78 <= 80
    rules = {s: replace(btcusdt_rules(), symbol=s) for s in symbols}
    exchange = FakeExchange(
        info=replace(market_info(), symbols=rules),
        prices_by_symbol=dict.fromkeys(symbols, Decimal(100000)),
    )

    read_live(exchange, [sell(f"b{i}", symbol=s) for i, s in enumerate(symbols)], SETTINGS)

    assert sorted(arg for method, arg in exchange.calls if method == "open_orders") == symbols


def test_history_is_looked_up_only_for_desired_brackets_that_are_not_open() -> None:
    exchange = FakeExchange(lists=[open_list(A, 1)])

    live = read_live(exchange, [A, E], SETTINGS)

    lookups = [arg for method, arg in exchange.calls if method == "order_list"]
    assert lookups == [bracket_ids(OWNER, E).list_client_order_id]
    assert live.history[lookups[0]].outcome is HistoryOutcome.NEVER_PLACED
    assert "order" not in exchange.methods()


def test_lookups_come_after_round_one_and_leg_lookups_after_them() -> None:
    gone = closed(open_list(E, 7), ("CANCELED", "0"), ("CANCELED", "0"))
    exchange = FakeExchange(history={gone.list_client_order_id: gone})

    live = read_live(exchange, [E], SETTINGS)

    methods = exchange.methods()
    assert sorted(methods[:5]) == sorted(ROUND_ONE)  # one symbol: one openOrders call
    assert methods[5:] == ["order_list", "order", "order"]
    assert live.history[gone.list_client_order_id].outcome is HistoryOutcome.CANCELLED_OUTSIDE
    plan = make_plan([E], live, SETTINGS)
    assert [n.kind.value for n in plan.notices] == ["drift"]


def test_a_triggered_leg_still_open_means_fired_without_a_lookup() -> None:
    fired = closed(open_list(A, 7), ("NEW", "0"), ("EXPIRED", "0"))  # the stop-limit works on
    working = fired.reports[0]
    exchange = FakeExchange(history={fired.list_client_order_id: fired}, extra_orders=[working])

    live = read_live(exchange, [A], SETTINGS)

    assert [arg for method, arg in exchange.calls if method == "order"] == [
        ("BTCUSDT", fired.reports[1].order_id)
    ]
    assert live.history[fired.list_client_order_id].outcome is HistoryOutcome.FIRED
    assert not make_plan([A], live, SETTINGS).has_changes


def test_a_list_placed_between_reads_is_treated_as_open() -> None:
    late = open_list(A, 8)
    exchange = FakeExchange(history={late.list_client_order_id: late})

    live = read_live(exchange, [A], SETTINGS)

    assert [item.list_client_order_id for item in live.open_lists] == [late.list_client_order_id]
    assert live.open_lists[0].reports == late.reports
    assert live.history == {}
    assert not make_plan([A], live, SETTINGS).has_changes


def test_managed_lists_on_other_symbols_get_their_legs_and_rules() -> None:
    exchange = FakeExchange(lists=[open_list(E, 2)])

    live = read_live(exchange, [A], SETTINGS)

    assert ("open_orders", "ETHUSDT") in exchange.calls
    assert ("exchange_info", ("ETHUSDT",)) in exchange.calls
    (orphan,) = live.open_lists
    assert len(orphan.reports) == 2
    assert "ETHUSDT" in live.info.symbols


def test_unmanaged_lists_on_other_symbols_cost_nothing_more() -> None:
    exchange = FakeExchange(lists=[foreign_list(E, 2, "manual1")])

    read_live(exchange, [A], SETTINGS)

    assert ("open_orders", "ETHUSDT") not in exchange.calls
    assert exchange.weight() == 20 + 4 + 20 + 6 + 6 + 4  # + the lookup of alpha


def test_an_empty_desired_set_reads_no_rules_and_no_prices() -> None:
    exchange = FakeExchange(lists=[open_list(A, 1)])

    live = read_live(exchange, [], SETTINGS)

    assert sorted(exchange.methods()) == ["balances", "open_order_lists", "open_orders"]
    assert ("open_orders", "BTCUSDT") in exchange.calls
    assert len(live.open_lists[0].reports) == 2


def test_account_count_filters_need_every_open_order() -> None:
    info = replace(market_info(), account_filters=AccountFilters(max_num_orders=1000))
    exchange = FakeExchange(info=info)

    read_live(exchange, [A], SETTINGS)

    assert [arg for method, arg in exchange.calls if method == "open_orders"] == ["BTCUSDT", None]


def test_an_unknown_symbol_is_reported_by_the_plan_not_raised() -> None:
    nope = sell("nope", symbol="NOPEUSDT")
    exchange = FakeExchange()

    live = read_live(exchange, [A, nope], SETTINGS)

    assert set(live.info.symbols) == {"BTCUSDT"}
    assert live.prices == {"BTCUSDT": PRICES["BTCUSDT"]}
    plan = make_plan([A, nope], live, SETTINGS)
    assert [p.message for p in plan.problems] == ["symbol NOPEUSDT does not exist on the exchange"]


def test_other_rejections_are_not_swallowed() -> None:
    class Refusing(FakeExchange):
        def balances(self) -> Mapping[str, Balance]:
            raise RejectedError("Invalid API-key, IP, or permissions for action.", code=-2015)

    with pytest.raises(RejectedError):
        read_live(Refusing(), [A], SETTINGS)


def test_an_adopted_list_that_is_gone_is_looked_up_too() -> None:
    adopted: Bracket = replace(A, adopt="web_1")
    gone = closed(foreign_list(A, 9, "web_1"), ("EXPIRED", "0"), ("FILLED", "0.01"))
    exchange = FakeExchange(history={"web_1": gone})

    live = read_live(exchange, [adopted], SETTINGS)

    lookups = sorted(arg for method, arg in exchange.calls if method == "order_list")
    assert lookups == sorted(["web_1", bracket_ids(OWNER, A).list_client_order_id])
    assert live.history["web_1"].outcome is HistoryOutcome.FIRED
    assert not make_plan([adopted], live, SETTINGS).has_changes


def test_read_open_lists_for_import_filters_by_symbol() -> None:
    exchange = FakeExchange(lists=[open_list(A, 1), foreign_list(E, 2, "manual1")])

    lists = read_open_lists(exchange, ["ETHUSDT"])

    assert [item.list_client_order_id for item in lists] == ["manual1"]
    assert len(lists[0].reports) == 2
    assert exchange.calls.count(("open_orders", "ETHUSDT")) == 1
    assert ("open_orders", "BTCUSDT") not in exchange.calls
