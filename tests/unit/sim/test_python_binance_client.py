"""python-binance's ``Client`` against ``sim serve``, unmodified.

The client is built without its start-up ping (it would reach api.binance.com before ``API_URL``
can be pointed at the local server, as docs/simulator.md says); everything else signs, encodes and
parses as it does against Binance.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from binance.client import Client
from binance.exceptions import BinanceAPIException

from oco_reconcile.sim.exchange import open_sim
from oco_reconcile.sim.wire.keys import SIM_API_KEY, SIM_API_SECRET
from tests.support.sim_api import sell_oco, serve


@pytest.fixture
def client() -> Iterator[Client]:
    for url in serve(open_sim(None)):  # the client stamps requests with the real clock
        binance = Client(SIM_API_KEY, SIM_API_SECRET, ping=False)
        binance.API_URL = url + "/api"
        yield binance


def test_oco_place_list_and_cancel_by_leg(client: Client) -> None:
    placed = client.create_oco_order(**sell_oco(listClientOrderId="pb-bracket"))
    assert [report["type"] for report in placed["orderReports"]] == [
        "STOP_LOSS_LIMIT",
        "LIMIT_MAKER",
    ]
    listed = client.get_open_oco_orders()
    assert [item["listClientOrderId"] for item in listed] == ["pb-bracket"]
    leg_id = placed["orders"][1]["orderId"]
    cancelled = client.cancel_order(symbol="BTCUSDT", orderId=leg_id)
    # rest-api.md "Cancel order": cancelling one leg cancels the list and answers its shape
    assert (cancelled["listClientOrderId"], cancelled["listStatusType"]) == (
        "pb-bracket",
        "ALL_DONE",
    )
    assert {report["status"] for report in cancelled["orderReports"]} == {"CANCELED"}
    assert client.get_open_oco_orders() == []
    with pytest.raises(BinanceAPIException) as rejected:
        client.cancel_order(symbol="BTCUSDT", orderId=leg_id)
    assert (rejected.value.code, rejected.value.message) == (-2011, "Unknown order sent.")


def test_single_orders_and_market_data(client: Client) -> None:
    bought = client.order_market_buy(symbol="ETHUSDT", quantity="0.5")
    assert (bought["status"], bought["fills"][0]["price"]) == ("FILLED", "4000.00000000")
    resting = client.order_limit_sell(symbol="ETHUSDT", quantity="0.5", price="4500")
    found = client.get_order(symbol="ETHUSDT", orderId=resting["orderId"])
    assert (found["status"], found["orderListId"]) == ("NEW", -1)
    assert [order["orderId"] for order in client.get_all_orders(symbol="ETHUSDT")] == [
        bought["orderId"],
        resting["orderId"],
    ]
    assert len(client.get_my_trades(symbol="ETHUSDT")) == 1
    assert client.get_ticker(symbol="ETHUSDT")["lastPrice"] == "4000.00000000"
    assert client.get_order_book(symbol="ETHUSDT", limit=5)["bids"]
    assert len(client.get_klines(symbol="ETHUSDT", interval="1h", limit=2)) == 2
    counts = client.get_current_order_count()
    assert [(item["interval"], item["count"]) for item in counts] == [("SECOND", 2), ("DAY", 2)]
    assert client.cancel_order(symbol="ETHUSDT", orderId=resting["orderId"])["status"] == "CANCELED"
