"""The endpoints other clients call besides OCOs: single orders, cancel-all, allOrders, myTrades,
rateLimit/order, market data, the minimal answers for other Binance APIs, and the 404 for the rest.

Shapes are compared with the docs' examples (``data/docs_examples.json``,
``tests/fixtures/binance/order_new_responses_doc.json``); the rules with rest-api.md "New order
(TRADE)" and docs/simulator.md.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from oco_reconcile.sim.engine.machine import Engine
from oco_reconcile.sim.exchange import open_sim
from tests.support.fake_time import FakeTime
from tests.support.shapes import assert_same_shape
from tests.support.sim_api import Api, error

DOCS = json.loads((Path(__file__).parent / "data" / "docs_examples.json").read_text())


def docs(key: str) -> Any:
    return DOCS[key]["response"]


def new_order_docs(fixtures_dir: Path, response_type: str) -> Any:
    responses = json.loads((fixtures_dir / "order_new_responses_doc.json").read_text())
    return responses["responses"][response_type]["parsed_comments_stripped"]


def order(api: Api, **params: Any) -> httpx.Response:
    return api.signed("POST", "/api/v3/order", **{"symbol": "BTCUSDT", **params})


def limit_buy(api: Api, price: str = "100000", **params: Any) -> httpx.Response:
    defaults = {"side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01"}
    return order(api, **{**defaults, "price": price, **params})


# --- not served -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/v3/historicalTrades"), ("POST", "/sapi/v1/margin/order"), ("GET", "/")],
)
def test_a_path_not_served_is_a_404_no_client_takes_for_binance(
    api: Api, method: str, path: str
) -> None:
    response = api.public(method, path)
    assert response.status_code == 404
    body = response.json()
    assert "code" not in body
    assert "msg" not in body
    assert (body["method"], body["path"]) == (method, path)
    assert "simulator" in body["error"]


def test_other_binance_apis_a_client_reads_at_start_are_empty(api: Api) -> None:
    info = api.public("GET", "/dapi/v1/exchangeInfo").json()  # /fapi is served: test_fapi_wire.py
    assert (info["timezone"], info["symbols"], info["rateLimits"]) == ("UTC", [], [])
    assert api.signed("GET", "/sapi/v1/capital/config/getall").json() == []
    assert api.public("GET", "/sapi/v1/margin/allPairs").json() == []
    assert api.signed("GET", "/sapi/v1/margin/isolated/allPairs").json() == []
    assert error(api.public("GET", "/sapi/v1/capital/config/getall"))[:2] == (401, -2014)


# --- single orders --------------------------------------------------------------------------------


def test_new_order_shapes_ack_result_full(api: Api, fixtures_dir: Path) -> None:
    resting = limit_buy(api, newOrderRespType="ACK").json()
    assert_same_shape(resting, new_order_docs(fixtures_dir, "ACK"))
    assert resting["orderListId"] == -1
    result = limit_buy(api, price="99000").json()  # LIMIT: FULL by default, nothing filled
    assert (result["status"], result["fills"]) == ("NEW", [])
    with_result = limit_buy(api, price="98000", newOrderRespType="RESULT").json()
    assert_same_shape(with_result, new_order_docs(fixtures_dir, "RESULT"))
    market = order(api, side="SELL", type="MARKET", quantity="0.01").json()
    assert_same_shape(market, new_order_docs(fixtures_dir, "FULL"))
    assert (market["status"], market["executedQty"]) == ("FILLED", "0.01000000")
    assert market["fills"][0]["price"] == "110000.00000000"
    stop = order(api, side="SELL", type="STOP_LOSS", quantity="0.01", stopPrice="100000").json()
    assert list(stop) == list(new_order_docs(fixtures_dir, "ACK"))  # other types: ACK


def test_a_limit_order_rests_locks_and_fills_when_the_price_reaches_it(
    api: Api, engine: Engine
) -> None:
    placed = limit_buy(api).json()
    assert api.balance("USDT") == ("99000.00000000", "1000.00000000")
    engine.set_price("BTCUSDT", Decimal("99500"))
    found = api.signed("GET", "/api/v3/order", symbol="BTCUSDT", orderId=placed["orderId"])
    assert (found.json()["status"], found.json()["cummulativeQuoteQty"]) == (
        "FILLED",
        "1000.00000000",
    )
    assert api.balance("USDT") == ("99000.00000000", "0.00000000")
    assert api.balance("BTC") == ("1.01000000", "0.00000000")
    (trade,) = api.signed("GET", "/api/v3/myTrades", symbol="BTCUSDT").json()
    assert (trade["isBuyer"], trade["isMaker"], trade["price"]) == (True, True, "100000.00000000")


def test_marketable_orders_fill_at_the_last_price(api: Api) -> None:
    crossing = limit_buy(api, price="120000").json()
    assert (crossing["status"], crossing["fills"][0]["price"]) == ("FILLED", "110000.00000000")
    unfilled = limit_buy(api, price="90000", timeInForce="IOC").json()
    assert unfilled["status"] == "EXPIRED"
    assert api.balance("USDT") == ("98900.00000000", "0.00000000")
    spent = order(api, side="BUY", type="MARKET", quoteOrderQty="1000").json()
    assert spent["executedQty"] == "0.00909000"  # 1000 / 110000, down to the 0.00001 step
    assert spent["cummulativeQuoteQty"] == "999.90000000"


@pytest.mark.parametrize(
    ("params", "answer"),
    [
        ({"type": "LIMIT", "quantity": "0.01", "price": "100000"}, (-1102, "'timeInForce'")),
        ({"type": "MARKET", "quantity": "0.01", "price": "1"}, (-1106, "'price'")),
        ({"type": "MARKET"}, (-1102, "'quantity' or 'quoteOrderQty'")),
        ({"type": "STOP_LOSS", "quantity": "0.01"}, (-1102, "'stopPrice' or 'trailingDelta'")),
        ({"type": "OTO", "quantity": "0.01"}, (-1116, "Invalid orderType.")),
        ({"type": "LIMIT_MAKER", "quantity": "0.01", "price": "100000"}, (-2010, "take.")),
        (
            {"type": "STOP_LOSS", "quantity": "0.01", "stopPrice": "120000"},
            (-2010, "Stop price would trigger immediately."),
        ),
        ({"type": "MARKET", "quantity": "2"}, (-2010, "insufficient balance")),
        ({"type": "MARKET", "quantity": "0.000000001"}, (-1111, "'quantity' has too much")),
        ({"type": "MARKET", "quantity": "0.00001"}, (-1013, "Filter failure: NOTIONAL")),
    ],
)
def test_order_rejections(api: Api, params: dict[str, str], answer: tuple[int, str]) -> None:
    status, code, message = error(order(api, side="SELL", **params))
    assert (status, code) == (400, answer[0])
    assert answer[1] in message


def test_cancel_all_cancels_orders_and_lists_in_the_docs_shape(api: Api) -> None:
    limit_buy(api)
    limit_buy(api, price="99000")
    api.place()
    cancelled = api.signed("DELETE", "/api/v3/openOrders", symbol="BTCUSDT")
    assert cancelled.status_code == 200
    assert_same_shape(cancelled.json(), docs("DELETE /api/v3/openOrders"))
    assert api.signed("GET", "/api/v3/openOrders", symbol="BTCUSDT").json() == []
    assert api.balance("USDT") == ("100000.00000000", "0.00000000")
    assert api.balance("BTC") == ("1.00000000", "0.00000000")
    nothing = api.signed("DELETE", "/api/v3/openOrders", symbol="BTCUSDT")
    assert error(nothing) == (400, -2011, "Unknown order sent.")


def test_cancelling_a_single_order_releases_its_lock(api: Api) -> None:
    placed = limit_buy(api).json()
    cancelled = api.signed(
        "DELETE", "/api/v3/order", symbol="BTCUSDT", orderId=placed["orderId"]
    ).json()
    assert_same_shape(cancelled, docs("DELETE /api/v3/order"))
    assert (cancelled["status"], cancelled["orderListId"]) == ("CANCELED", -1)
    assert api.balance("USDT") == ("100000.00000000", "0.00000000")


def test_all_orders_my_trades_and_the_order_count(api: Api) -> None:
    api.place()
    order(api, side="BUY", type="MARKET", quantity="0.01")
    every = api.signed("GET", "/api/v3/allOrders", symbol="BTCUSDT").json()
    assert_same_shape(every, docs("GET /api/v3/allOrders"))
    assert [(item["orderId"], item["orderListId"]) for item in every] == [(1, 1), (2, 1), (3, -1)]
    assert [
        item["orderId"]
        for item in api.signed("GET", "/api/v3/allOrders", symbol="BTCUSDT", orderId=2).json()
    ] == [2, 3]
    trades = api.signed("GET", "/api/v3/myTrades", symbol="BTCUSDT").json()
    assert_same_shape(trades, docs("GET /api/v3/myTrades"))
    assert (trades[0]["orderId"], trades[0]["commissionAsset"]) == (3, "BTC")
    both = api.signed("GET", "/api/v3/myTrades", symbol="BTCUSDT", fromId=1, startTime=1)
    assert error(both)[1] == -1128
    counts = api.signed("GET", "/api/v3/rateLimit/order")
    assert_same_shape(counts.json(), docs("GET /api/v3/rateLimit/order"))
    assert [item["count"] for item in counts.json()] == [3, 3]
    assert counts.headers["X-MBX-USED-WEIGHT-1M"] == str(20 * 4 + 40)  # a -1128 weighs too


# --- market data ----------------------------------------------------------------------------------


def test_ticker_shapes_follow_the_last_price_and_the_fills(api: Api, engine: Engine) -> None:
    order(api, side="BUY", type="MARKET", quantity="0.01")
    engine.set_price("BTCUSDT", Decimal("111000"))
    one = api.public("GET", "/api/v3/ticker/24hr", symbol="BTCUSDT")
    assert_same_shape(one.json(), docs("GET /api/v3/ticker/24hr"))
    stats = one.json()
    assert (stats["openPrice"], stats["lastPrice"], stats["priceChange"]) == (
        "110000.00000000",
        "111000.00000000",
        "1000.00000000",
    )
    assert (stats["priceChangePercent"], stats["count"], stats["volume"]) == (
        "0.909",
        1,
        "0.01000000",
    )
    assert (stats["bidPrice"], stats["askPrice"]) == ("110999.99000000", "111000.01000000")
    mini = api.public("GET", "/api/v3/ticker/24hr", symbols='["ETHUSDT"]', type="MINI").json()
    assert_same_shape(mini, [docs("GET /api/v3/ticker/24hr type=MINI")])
    assert (mini[0]["count"], mini[0]["firstId"]) == (0, -1)
    assert api.public("GET", "/api/v3/ticker/24hr").headers["X-MBX-USED-WEIGHT-1M"] == str(
        2 + 2 + 80
    )
    book = api.public("GET", "/api/v3/ticker/bookTicker", symbol="ETHUSDT").json()
    assert_same_shape(book, docs("GET /api/v3/ticker/bookTicker"))
    assert book["bidQty"] == "2.50000000"  # about 10000 USDT at 4000


def test_depth_is_a_synthetic_book_around_the_last_price(api: Api) -> None:
    response = api.public("GET", "/api/v3/depth", symbol="BTCUSDT", limit=3)
    assert_same_shape(response.json(), docs("GET /api/v3/depth"))
    book = response.json()
    assert [price for price, _ in book["bids"]] == [
        "109999.99000000",
        "109999.98000000",
        "109999.97000000",
    ]
    assert book["asks"][0][0] == "110000.01000000"
    assert response.headers["X-MBX-USED-WEIGHT-1M"] == "5"
    wide = api.public("GET", "/api/v3/depth", symbol="BTCUSDT", limit=6000)
    assert len(wide.json()["asks"]) == 5000  # the docs: more than 5000 answers 5000
    assert wide.headers["X-MBX-USED-WEIGHT-1M"] == str(5 + 250)


def test_trades_and_candles(api: Api, clock: FakeTime) -> None:
    order(api, side="BUY", type="MARKET", quantity="0.01")
    trades = api.public("GET", "/api/v3/trades", symbol="BTCUSDT").json()
    assert_same_shape(trades, docs("GET /api/v3/trades"))
    assert trades[0]["isBuyerMaker"] is False  # we bought as the taker
    aggregated = api.public("GET", "/api/v3/aggTrades", symbol="BTCUSDT").json()
    assert_same_shape(aggregated, docs("GET /api/v3/aggTrades"))
    candles = api.public("GET", "/api/v3/klines", symbol="BTCUSDT", interval="1m", limit=2).json()
    assert_same_shape(candles, docs("GET /api/v3/klines"))
    now = clock.clock_ms()
    assert candles[-1][0] == now - now % 60_000
    assert (candles[-1][4], candles[-1][5], candles[-1][8]) == ("110000.00000000", "0.01000000", 1)
    assert candles[0][8] == 0
    weeks = api.public("GET", "/api/v3/klines", symbol="BTCUSDT", interval="1w", limit=1).json()
    assert datetime.fromtimestamp(weeks[0][0] / 1000, tz=UTC).strftime("%a %H:%M") == "Mon 00:00"
    month = api.public("GET", "/api/v3/uiKlines", symbol="BTCUSDT", interval="1M", limit=2).json()
    opens = [datetime.fromtimestamp(item[0] / 1000, tz=UTC) for item in month]
    assert [moment.day for moment in opens] == [1, 1]
    assert (opens[1].month - opens[0].month) % 12 == 1
    bad = api.public("GET", "/api/v3/klines", symbol="BTCUSDT", interval="2w")
    assert error(bad) == (400, -1120, "Invalid interval.")


def test_trades_survive_a_new_process(tmp_path: Path, clock: FakeTime) -> None:
    path = tmp_path / "sim.json"
    transport = open_sim(path, clock=clock.clock_ms).transport()
    with httpx.Client(base_url="http://sim.local", transport=transport) as http:
        order(Api(http, clock), side="BUY", type="MARKET", quantity="0.01")
    again = open_sim(path, clock=clock.clock_ms)
    (trade,) = again.engine.trades("BTCUSDT")
    assert (trade.qty, trade.price, again.engine.state.next_trade_id) == (
        Decimal("0.01"),
        Decimal("110000"),
        2,
    )


def test_sim_status_shows_an_order_placed_on_its_own(
    tmp_path: Path, clock: FakeTime, capsys: pytest.CaptureFixture[str]
) -> None:
    from oco_reconcile.commands.app import main

    path = tmp_path / "sim.json"
    transport = open_sim(path, clock=clock.clock_ms).transport()
    with httpx.Client(base_url="http://sim.local", transport=transport) as http:
        limit_buy(Api(http, clock), newClientOrderId="single-buy")
    with pytest.raises(SystemExit) as exit_info:
        main(["sim", "status", "--state", str(path)])
    assert exit_info.value.code in (0, None)
    out = capsys.readouterr().out
    assert "order single-buy LIMIT BUY 0.01 @ 100000 (on its own)" in out


def test_a_test_order_is_checked_and_never_placed(api: Api) -> None:
    sent = {"side": "SELL", "type": "MARKET", "quantity": "0.01"}
    assert api.signed("POST", "/api/v3/order/test", symbol="BTCUSDT", **sent).json() == {}
    rates = api.signed(
        "POST", "/api/v3/order/test", symbol="BTCUSDT", computeCommissionRates="true", **sent
    ).json()
    assert rates["standardCommissionForOrder"] == {"maker": "0.00000000", "taker": "0.00000000"}
    too_small = {**sent, "quantity": "0.00001"}
    refused = api.signed("POST", "/api/v3/order/test", symbol="BTCUSDT", **too_small)
    assert error(refused) == (400, -1013, "Filter failure: NOTIONAL")
    assert api.signed("GET", "/api/v3/allOrders", symbol="BTCUSDT").json() == []
    assert api.balance("BTC") == ("1.00000000", "0.00000000")


def test_every_route_is_in_the_simulator_docs() -> None:
    from oco_reconcile.sim.wire.routes import ROUTES
    from tests.support.paths import REPO_ROOT

    text = (REPO_ROOT / "docs" / "simulator.md").read_text(encoding="utf-8")
    missing = [f"{method} {path}" for method, path in ROUTES if f"`{method} {path}`" not in text]
    assert not missing
    assert len(ROUTES) > 30


def test_a_stop_order_on_its_own_triggers_and_fills_like_an_oco_leg(
    api: Api, engine: Engine
) -> None:
    stop = order(api, side="SELL", type="STOP_LOSS", quantity="0.01", stopPrice="105000").json()
    assert api.balance("BTC") == ("0.99000000", "0.01000000")
    engine.set_price("BTCUSDT", Decimal("104000"))  # a gap: fills at the new price
    found = api.signed("GET", "/api/v3/order", symbol="BTCUSDT", orderId=stop["orderId"]).json()
    assert (found["status"], found["cummulativeQuoteQty"]) == ("FILLED", "1040.00000000")
    assert api.balance("BTC") == ("0.99000000", "0.00000000")
    assert api.balance("USDT") == ("101040.00000000", "0.00000000")
    kinds = [event.kind for event in engine.events() if event.order_id == stop["orderId"]]
    assert kinds == ["placed", "triggered", "filled"]


@pytest.mark.parametrize(
    "window",
    [
        {"startTime": "99999999999999999999"},
        {"startTime": "-99999999999999999999"},
        {"endTime": "-99999999999999999999"},
        {"startTime": "1", "endTime": "0"},
    ],
)
def test_candles_for_any_window_answer(api: Api, window: dict[str, str]) -> None:
    for interval in ("1M", "1w", "1s"):
        response = api.public(
            "GET", "/api/v3/klines", symbol="BTCUSDT", interval=interval, limit=3, **window
        )
        assert response.status_code == 200
        assert all(0 <= candle[0] <= candle[6] for candle in response.json())


@pytest.mark.parametrize("limit", ["0", "-5"])
def test_a_limit_of_zero_or_less_is_the_default(api: Api, limit: str) -> None:
    limit_buy(api)
    book = api.public("GET", "/api/v3/depth", symbol="BTCUSDT", limit=limit).json()
    assert len(book["bids"]) == len(book["asks"]) == 100
    every = api.signed("GET", "/api/v3/allOrders", symbol="BTCUSDT", limit=limit).json()
    assert len(every) == 1
    candles = api.public("GET", "/api/v3/klines", symbol="BTCUSDT", interval="1d", limit=limit)
    assert len(candles.json()) == 500
