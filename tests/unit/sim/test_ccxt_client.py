"""ccxt's ``binance`` class, with its default options, against ``sim serve``, unmodified.

Only the hosts of ``urls["api"]`` point at the local server (each path kept): ccxt then loads its
markets (which also asks the futures and capital endpoints), reads the balance and the open orders,
places and cancels an OCO through its implicit API methods and cancels everything, exactly as it
does against api.binance.com.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import ccxt
import pytest

from oco_reconcile.sim.exchange import SimExchange, open_sim
from oco_reconcile.sim.wire.keys import SIM_API_KEY, SIM_API_SECRET
from tests.support.sim_api import sell_oco, serve


@pytest.fixture
def sim_now() -> SimExchange:
    return open_sim(None)  # ccxt stamps requests with the real clock


@pytest.fixture
def exchange(sim_now: SimExchange) -> Iterator[Any]:
    for url in serve(sim_now):
        client = ccxt.binance({"apiKey": SIM_API_KEY, "secret": SIM_API_SECRET, "timeout": 5000})
        client.urls["api"] = {
            name: url + urlsplit(address).path for name, address in client.urls["api"].items()
        }
        yield client


def test_load_markets_balance_and_open_orders(exchange: Any) -> None:
    markets = exchange.load_markets()
    btc = markets["BTC/USDT"]
    assert (btc["id"], btc["spot"], btc["active"]) == ("BTCUSDT", True, True)
    assert btc["precision"]["price"] == pytest.approx(0.01)
    assert {"ETH/USDT", "BNB/USDT", "SOL/USDT"} <= set(markets)
    balance = exchange.fetch_balance()
    assert (balance["BTC"]["free"], balance["USDT"]["free"]) == (1.0, 100000.0)
    assert exchange.fetch_open_orders("BTC/USDT") == []


def test_raw_oco_place_and_cancel(exchange: Any) -> None:
    exchange.load_markets()
    placed = exchange.privatePostOrderListOco(sell_oco(listClientOrderId="ccxt-bracket"))
    assert placed["listOrderStatus"] == "EXECUTING"
    legs = exchange.fetch_open_orders("BTC/USDT")
    assert sorted(leg["info"]["type"] for leg in legs) == ["LIMIT_MAKER", "STOP_LOSS_LIMIT"]
    assert sorted(leg["triggerPrice"] or 0 for leg in legs) == [0, 100000]
    cancelled = exchange.privateDeleteOrderList(
        {"symbol": "BTCUSDT", "listClientOrderId": "ccxt-bracket"}
    )
    assert {report["status"] for report in cancelled["orderReports"]} == {"CANCELED"}
    assert exchange.fetch_open_orders("BTC/USDT") == []


def test_cancel_all_orders_cancels_lists_and_single_orders(exchange: Any) -> None:
    exchange.load_markets()
    exchange.privatePostOrderListOco(sell_oco(listClientOrderId="ccxt-all"))
    single = exchange.create_order("BTC/USDT", "limit", "buy", 0.001, 100000)
    assert exchange.fetch_order(single["id"], "BTC/USDT")["status"] == "open"
    cancelled = exchange.cancel_all_orders("BTC/USDT")
    assert len(cancelled) == 2  # one order list and one order, as Binance answers them
    assert exchange.fetch_open_orders("BTC/USDT") == []
    assert exchange.fetch_balance()["USDT"]["used"] == 0


def test_single_orders_trades_and_market_data(exchange: Any) -> None:
    exchange.load_markets()
    bought = exchange.create_order("BTC/USDT", "market", "buy", 0.01)
    assert (bought["status"], bought["filled"], bought["average"]) == ("closed", 0.01, 110000.0)
    resting = exchange.create_order("BTC/USDT", "limit", "sell", 0.01, 115000)
    assert exchange.cancel_order(resting["id"], "BTC/USDT")["status"] == "canceled"
    trades = exchange.fetch_my_trades("BTC/USDT")
    assert [(t["side"], t["amount"], t["price"]) for t in trades] == [("buy", 0.01, 110000.0)]
    assert [t["price"] for t in exchange.fetch_trades("BTC/USDT")] == [110000.0]
    ticker = exchange.fetch_ticker("BTC/USDT")
    assert ticker["last"] == 110000.0
    assert ticker["bid"] < ticker["last"] < ticker["ask"]
    book = exchange.fetch_order_book("BTC/USDT", limit=5)
    assert len(book["bids"]) == len(book["asks"]) == 5
    assert book["bids"][0][0] < 110000 < book["asks"][0][0]
    candles = exchange.fetch_ohlcv("BTC/USDT", "1m", limit=3)
    assert [candle[4] for candle in candles] == [110000.0] * 3
    statuses = [order["status"] for order in exchange.fetch_orders("BTC/USDT")]
    assert statuses == ["closed", "canceled"]
    assert Decimal(str(exchange.fetch_balance()["BTC"]["free"])) == Decimal("1.01")
