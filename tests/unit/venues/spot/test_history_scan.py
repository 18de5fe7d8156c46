"""History of many brackets in ``allOrderList`` pages: used only when cheaper than one lookup each,
the latest list per id, and a history too long to be cheaper falls back to the lookups."""

from __future__ import annotations

from dataclasses import replace

from oco_reconcile.core.identity import bracket_ids
from oco_reconcile.core.model import Bracket, HistoryOutcome
from oco_reconcile.core.settings import Settings
from oco_reconcile.venues.spot.history_scan import PAGE_SIZE, latest_by_scan, scan_pages_allowed
from oco_reconcile.venues.spot.live import read_live
from tests.support.fake_exchange import FakeExchange
from tests.support.plan_support import OWNER, closed, open_list, sell

SETTINGS = Settings()


def brackets(count: int) -> list[Bracket]:
    return [sell(f"b{i}", qty="0.0001") for i in range(count)]


def test_pages_are_allowed_only_while_cheaper_than_the_lookups() -> None:
    assert scan_pages_allowed(5) == 0  # 5 lookups weigh 20, one page as much: not cheaper
    assert scan_pages_allowed(6) == 1
    assert scan_pages_allowed(2000) == 399


def test_few_brackets_are_looked_up_one_by_one() -> None:
    exchange = FakeExchange(read_only=True)
    read_live(exchange, brackets(5), SETTINGS)
    assert exchange.methods().count("order_list") == 5
    assert "all_order_lists" not in exchange.methods()


def test_many_brackets_read_their_history_in_one_page() -> None:
    wanted = brackets(50)
    old = closed(open_list(wanted[0], 7), ("CANCELED", "0"), ("CANCELED", "0"))
    exchange = FakeExchange(read_only=True, history={old.list_client_order_id: old})
    live = read_live(exchange, wanted, SETTINGS)
    assert "order_list" not in exchange.methods()
    assert exchange.arguments("all_order_lists") == [0]
    own = bracket_ids(OWNER, wanted[0]).list_client_order_id
    assert live.history[own].outcome is not HistoryOutcome.NEVER_PLACED
    never = bracket_ids(OWNER, wanted[1]).list_client_order_id
    assert live.history[never].outcome is HistoryOutcome.NEVER_PLACED
    assert len(live.history) == 50


def test_the_latest_list_of_an_id_wins() -> None:
    bracket = sell("b0")
    first = closed(open_list(bracket, 3), ("CANCELED", "0"), ("CANCELED", "0"))
    later = replace(first, order_list_id=9)
    exchange = FakeExchange(history={"x": first, "y": later})
    others = [f"other{i}" for i in range(5)]  # six ids: a page is cheaper than the lookups
    found = latest_by_scan(exchange, [first.list_client_order_id, *others])
    assert found is not None
    chosen = found[first.list_client_order_id]
    assert chosen is not None
    assert chosen.order_list_id == 9
    assert found["other0"] is None


def test_a_history_too_long_to_be_cheaper_falls_back_to_lookups() -> None:
    template = closed(open_list(sell("old"), 1), ("CANCELED", "0"), ("CANCELED", "0"))
    history = {
        f"h{i}": replace(template, order_list_id=10 + i, list_client_order_id=f"h{i}")
        for i in range(PAGE_SIZE)
    }
    exchange = FakeExchange(read_only=True, history=history)
    wanted = brackets(6)  # one page allowed, and it comes back full
    read_live(exchange, wanted, SETTINGS)
    assert exchange.arguments("all_order_lists") == [0]
    assert exchange.methods().count("order_list") == 6
