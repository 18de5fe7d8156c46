"""-2026 ORDER_ARCHIVED through the live reader: the order "was canceled or expired with no
executed qty over 90 days ago and has been archived" (errors.md), so an archived leg proves it
never filled; the read goes on and the list counts as cancelled/expired, not as fired."""

from __future__ import annotations

from dataclasses import replace

import pytest

from oco_reconcile.core.identity import bracket_ids, cancel_id_for
from oco_reconcile.core.model import HistoryOutcome, OrderList
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.settings import Settings
from oco_reconcile.errors import ArchivedOrderError
from oco_reconcile.venues.spot.live import read_live
from tests.support.fake_binance import FakeBinance
from tests.support.fake_exchange import ARCHIVED_MSG, FakeExchange, Fault
from tests.support.plan_support import OWNER, closed, open_list, sell

A = sell("alpha")
LIST_ID = bracket_ids(OWNER, A).list_client_order_id
SETTINGS = Settings()


def exchange_with(history: OrderList, *archived_legs: int) -> FakeExchange:
    exchange = FakeExchange(read_only=True, history={history.list_client_order_id: history})
    for index in archived_legs:
        exchange.script("order", str(history.reports[index].order_id), Fault.ARCHIVED)
    return exchange


def test_both_legs_archived_is_an_expiry_the_plan_heals() -> None:
    exchange = exchange_with(closed(open_list(A, 7), ("EXPIRED", "0"), ("EXPIRED", "0")), 0, 1)

    live = read_live(exchange, [A], SETTINGS)

    history = live.history[LIST_ID]
    assert history.outcome is HistoryOutcome.EXPIRED
    assert "archived" in history.detail
    plan = make_plan([A], live, SETTINGS)
    assert [n.kind.value for n in plan.notices] == ["drift"]
    assert plan.has_changes


def test_an_archived_leg_beside_a_filled_one_is_still_fired() -> None:
    exchange = exchange_with(closed(open_list(A, 7), ("EXPIRED", "0"), ("FILLED", "0.01")), 0)

    live = read_live(exchange, [A], SETTINGS)

    assert live.history[LIST_ID].outcome is HistoryOutcome.FIRED
    assert not make_plan([A], live, SETTINGS).has_changes


def test_an_archived_leg_beside_one_we_cancelled_is_cancelled_by_the_tool() -> None:
    gone = closed(
        open_list(A, 7), ("CANCELED", "0"), ("CANCELED", "0"), cancel_id=cancel_id_for(LIST_ID)
    )
    exchange = exchange_with(gone, 1)

    live = read_live(exchange, [A], SETTINGS)

    assert live.history[LIST_ID].outcome is HistoryOutcome.CANCELLED_BY_TOOL


def test_archived_legs_of_a_list_we_cancelled_are_cancelled_by_the_tool() -> None:
    done = closed(open_list(A, 7), ("CANCELED", "0"), ("CANCELED", "0"))
    ours = tuple(replace(ref, client_order_id=cancel_id_for(LIST_ID)) for ref in done.orders)
    exchange = exchange_with(replace(done, orders=ours), 0, 1)

    live = read_live(exchange, [A], SETTINGS)

    assert live.history[LIST_ID].outcome is HistoryOutcome.CANCELLED_BY_TOOL


def test_an_archived_list_is_an_expiry_without_leg_lookups() -> None:
    exchange = FakeExchange(read_only=True)
    exchange.script("order_list", LIST_ID, Fault.ARCHIVED)

    live = read_live(exchange, [A], SETTINGS)

    assert live.history[LIST_ID].outcome is HistoryOutcome.EXPIRED
    assert "order" not in exchange.methods()
    assert make_plan([A], live, SETTINGS).has_changes


@pytest.mark.parametrize("path", ["/api/v3/order", "/api/v3/orderList"])
def test_the_client_raises_2026_as_archived(fake_binance: FakeBinance, path: str) -> None:
    fake_binance.error("GET", path, 400, -2026, ARCHIVED_MSG)
    with fake_binance.client() as client:
        lookup = (
            (lambda: client.order("BTCUSDT", 12345))
            if path == "/api/v3/order"
            else (lambda: client.order_list(LIST_ID))
        )
        with pytest.raises(ArchivedOrderError, match="-2026"):
            lookup()
