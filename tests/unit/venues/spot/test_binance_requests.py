"""What the client sends: paths, parameters, encoding, signatures, timestamps (via MockTransport).

The fake exchange verifies every signature independently over the raw query bytes with the known
secret, the way Binance does, and answers -1022 when it does not match.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from oco_reconcile.core.model import Leg, LegRequest, LegType, OcoRequest, Side, TimeInForce
from oco_reconcile.core.ratelimits import RateUsage
from oco_reconcile.errors import ClockSkewError, RejectedError, UsageError
from oco_reconcile.venues.credentials import Credentials
from oco_reconcile.venues.spot.client import BinanceClient
from oco_reconcile.venues.spot.params import oco_params
from oco_reconcile.venues.urls import DEMO_URL, PRODUCTION_URL, TESTNET_URL, resolve_base_url
from tests.support.fake_binance import FAKE_API_KEY, SERVER_TIME_MS, FakeBinance, SentRequest

Load = Callable[[str], Any]

SELL_BRACKET = OcoRequest(
    symbol="BTCUSDT",
    side=Side.SELL,
    quantity=Decimal("0.05000"),
    list_client_order_id="ocr-btc-core-exit-abc234",
    above=LegRequest(
        Leg(LegType.LIMIT_MAKER, price=Decimal("125000.00")), "ocr-btc-core-exit-abc234-tp"
    ),
    below=LegRequest(
        Leg(
            LegType.STOP_LOSS_LIMIT,
            price=Decimal("97900"),
            stop_price=Decimal("98000.0"),
            time_in_force=TimeInForce.GTC,
        ),
        "ocr-btc-core-exit-abc234-sl",
    ),
)

BUY_BRACKET = OcoRequest(
    symbol="ETHUSDT",
    side=Side.BUY,
    quantity=Decimal("5E-1"),
    list_client_order_id="ocr-eth-breakout-xyz765",
    above=LegRequest(
        Leg(LegType.STOP_LOSS, stop_price=Decimal("4400"), trailing_delta=150),
        "ocr-eth-breakout-xyz765-sl",
    ),
    below=LegRequest(
        Leg(
            LegType.TAKE_PROFIT_LIMIT,
            price=Decimal("3600"),
            stop_price=Decimal("3610"),
            time_in_force=TimeInForce.GTC,
            iceberg_qty=Decimal("0.1"),
        ),
        "ocr-eth-breakout-xyz765-tp",
    ),
)


def signed_ok(sent: SentRequest, recv_window: str = "5000") -> None:
    assert sent.signature_valid is True
    assert sent.api_key == FAKE_API_KEY
    names = [name for name, _ in sent.params]
    assert names[-3:] == ["recvWindow", "timestamp", "signature"]
    assert sent.param("recvWindow") == recv_window


# --- signing, time, headers ---------------------------------------------------------------------


def test_signed_request_carries_key_window_timestamp_and_valid_signature(
    fake_binance: FakeBinance, fixture_json: Load
) -> None:
    fake_binance.reply("GET", "/api/v3/account", fixture_json("account_response.json")["response"])
    with fake_binance.client() as client:
        balances = client.balances()
    assert balances["BTC"].free == Decimal("4723846.89208129")
    (sent,) = fake_binance.sent("/api/v3/account")
    signed_ok(sent)
    assert sent.param("timestamp") == str(SERVER_TIME_MS)


def test_timestamp_follows_the_server_clock_offset(
    fake_binance: FakeBinance, fixture_json: Load
) -> None:
    """No time request up front: the local clock until exchangeInfo's ``serverTime`` gives the
    offset (a plan reads exchangeInfo alongside its signed reads)."""
    fake_binance.server_time_ms = SERVER_TIME_MS + 2_500  # server 2.5 s ahead of our clock
    fake_binance.reply("GET", "/api/v3/openOrderList", [])
    info = fixture_json("exchange_info_btcusdt.json")["response_filtered_to_BTCUSDT"]
    fake_binance.reply(
        "GET", "/api/v3/exchangeInfo", {**info, "serverTime": SERVER_TIME_MS + 2_500}
    )
    with fake_binance.client() as client:
        client.open_order_lists()
        client.exchange_info(["BTCUSDT"])
        fake_binance.time.advance(10)
        client.open_order_lists()
    first, second = fake_binance.sent("/api/v3/openOrderList")
    assert first.param("timestamp") == str(SERVER_TIME_MS)
    assert second.param("timestamp") == str(SERVER_TIME_MS + 12_500)
    assert fake_binance.sent("/api/v3/time") == []


def test_server_time_resyncs_the_offset(fake_binance: FakeBinance) -> None:
    with fake_binance.client() as client:
        fake_binance.server_time_ms = SERVER_TIME_MS - 700
        assert client.server_time() == SERVER_TIME_MS - 700
        fake_binance.reply("GET", "/api/v3/openOrders", [])
        client.open_orders("BTCUSDT")
    assert fake_binance.sent("/api/v3/openOrders")[0].param("timestamp") == str(
        SERVER_TIME_MS - 700
    )


def test_recv_window_is_configurable_and_bounded(fake_binance: FakeBinance) -> None:
    fake_binance.reply("GET", "/api/v3/openOrderList", [])
    with fake_binance.client(recv_window_ms=2500) as client:
        client.open_order_lists()
    signed_ok(fake_binance.sent("/api/v3/openOrderList")[0], recv_window="2500")
    for bad in (0, 60_001):
        with pytest.raises(UsageError, match="recv_window_ms"):
            fake_binance.client(recv_window_ms=bad)


def test_clock_skew_resyncs_once_and_resends(fake_binance: FakeBinance, fixture_json: Load) -> None:
    fake_binance.error(
        "POST",
        "/api/v3/orderList/oco",
        400,
        -1021,
        "Timestamp for this request is outside of the recvWindow.",
    )
    fake_binance.reply(
        "POST", "/api/v3/orderList/oco", fixture_json("oco_new_response.json")["response"]
    )
    with fake_binance.client() as client:
        fake_binance.server_time_ms = SERVER_TIME_MS  # first sync: no offset
        client.server_time()
        fake_binance.server_time_ms = SERVER_TIME_MS + 9_000  # the server moved on
        placed = client.place_oco(SELL_BRACKET)
    assert placed.order_list_id == 1
    first, second = fake_binance.sent("/api/v3/orderList/oco")
    assert first.param("timestamp") == str(SERVER_TIME_MS)
    assert second.param("timestamp") == str(SERVER_TIME_MS + 9_000)
    signed_ok(second)
    assert len(fake_binance.sent("/api/v3/time")) == 2


def test_a_second_clock_skew_on_placement_is_raised(fake_binance: FakeBinance) -> None:
    fake_binance.error(
        "POST",
        "/api/v3/orderList/oco",
        400,
        -1021,
        "Timestamp for this request was 1000ms ahead of the server's time.",
    )
    with fake_binance.client() as client, pytest.raises(ClockSkewError) as caught:
        client.place_oco(SELL_BRACKET)
    assert caught.value.code == -1021
    assert len(fake_binance.sent("/api/v3/orderList/oco")) == 2


def test_unsigned_requests_send_no_key_and_need_no_credentials(fake_binance: FakeBinance) -> None:
    fake_binance.reply("GET", "/api/v3/ticker/price", {"symbol": "BTCUSDT", "price": "101.5"})
    client = BinanceClient(PRODUCTION_URL, None, transport=httpx.MockTransport(fake_binance.handle))
    with client:
        assert client.prices(["BTCUSDT"]) == {"BTCUSDT": Decimal("101.5")}
        with pytest.raises(UsageError, match="needs API credentials"):
            client.open_order_lists()
    (sent,) = fake_binance.sent("/api/v3/ticker/price")
    assert sent.api_key is None
    assert sent.signature_valid is None


# --- endpoints and parameters -------------------------------------------------------------------


def test_exchange_info_is_one_request_for_all_symbols(
    fake_binance: FakeBinance, fixture_json: Load
) -> None:
    payload = fixture_json("exchange_info_btcusdt.json")["response_filtered_to_BTCUSDT"]
    fake_binance.reply("GET", "/api/v3/exchangeInfo", payload)
    with fake_binance.client() as client:
        info = client.exchange_info(["BTCUSDT", "ETHUSDT", "BTCUSDT"])
        assert client.rate_limits() == info.rate_limits
    (sent,) = fake_binance.sent("/api/v3/exchangeInfo")
    assert sent.raw_query == "symbols=%5B%22BTCUSDT%22%2C%22ETHUSDT%22%5D"
    assert sent.api_key is None
    assert "BTCUSDT" in info.symbols


@pytest.mark.parametrize(
    ("symbols", "query"),
    [
        (["BTCUSDT"], "symbol=BTCUSDT"),
        (["BTCUSDT", "ETHUSDT"], "symbols=%5B%22BTCUSDT%22%2C%22ETHUSDT%22%5D"),
        ([], ""),
    ],
)
def test_prices_query(
    fake_binance: FakeBinance, fixture_json: Load, symbols: list[str], query: str
) -> None:
    fake_binance.reply(
        "GET",
        "/api/v3/ticker/price",
        fixture_json("ticker_price_response.json")["response_no_symbol_or_symbols"],
    )
    with fake_binance.client() as client:
        prices = client.prices(symbols)
    assert prices["ETHBTC"] == Decimal("0.07946600")
    assert fake_binance.sent("/api/v3/ticker/price")[0].raw_query == query


@pytest.mark.parametrize(
    "case",
    [
        (
            lambda c: c.open_order_lists(),
            "/api/v3/openOrderList",
            [],
            "open_order_list_response.json",
        ),
        (lambda c: c.open_orders(), "/api/v3/openOrders", [], None),
        (lambda c: c.open_orders("BTCUSDT"), "/api/v3/openOrders", [("symbol", "BTCUSDT")], None),
        (
            lambda c: c.order_list("ocr-btc-core-exit-abc234"),
            "/api/v3/orderList",
            [("origClientOrderId", "ocr-btc-core-exit-abc234")],
            "order_list_get_response.json",
        ),
        (
            lambda c: c.all_order_lists(start_time=1, end_time=2, limit=1000),
            "/api/v3/allOrderList",
            [("startTime", "1"), ("endTime", "2"), ("limit", "1000")],
            "all_order_list_response.json",
        ),
        (
            lambda c: c.all_order_lists(from_id=28),
            "/api/v3/allOrderList",
            [("fromId", "28")],
            "all_order_list_response.json",
        ),
    ],
)
def test_signed_reads_send_their_parameters(
    fake_binance: FakeBinance,
    fixture_json: Load,
    case: tuple[Callable[[BinanceClient], object], str, list[tuple[str, str]], str | None],
) -> None:
    call, path, params, fixture = case
    body = fixture_json(fixture)["response"] if fixture else []
    fake_binance.reply("GET", path, body)
    with fake_binance.client() as client:
        result = call(client)
    assert result is not None
    (sent,) = fake_binance.sent(path)
    signed_ok(sent)
    assert sent.params[:-3] == params


def test_order_lookup(fake_binance: FakeBinance, fixture_json: Load) -> None:
    report = fixture_json("order_new_responses_doc.json")["responses"]["RESULT"]
    fake_binance.reply("GET", "/api/v3/order", report["parsed_comments_stripped"])
    with fake_binance.client() as client:
        order = client.order("BTCUSDT", 28)
    assert order is not None
    assert order.order_id == 28
    (sent,) = fake_binance.sent("/api/v3/order")
    assert sent.params[:2] == [("symbol", "BTCUSDT"), ("orderId", "28")]


def test_place_sell_oco_sends_only_the_set_parameters_in_order(
    fake_binance: FakeBinance, fixture_json: Load
) -> None:
    fake_binance.reply(
        "POST", "/api/v3/orderList/oco", fixture_json("oco_new_response.json")["response"]
    )
    with fake_binance.client() as client:
        placed = client.place_oco(SELL_BRACKET)
    assert placed.reports[1].type == "LIMIT_MAKER"
    (sent,) = fake_binance.sent("/api/v3/orderList/oco", "POST")
    signed_ok(sent)
    assert sent.params[:-3] == [
        ("symbol", "BTCUSDT"),
        ("side", "SELL"),
        ("quantity", "0.05"),
        ("listClientOrderId", "ocr-btc-core-exit-abc234"),
        ("aboveType", "LIMIT_MAKER"),
        ("aboveClientOrderId", "ocr-btc-core-exit-abc234-tp"),
        ("abovePrice", "125000"),
        ("belowType", "STOP_LOSS_LIMIT"),
        ("belowClientOrderId", "ocr-btc-core-exit-abc234-sl"),
        ("belowPrice", "97900"),
        ("belowStopPrice", "98000"),
        ("belowTimeInForce", "GTC"),
        ("newOrderRespType", "RESULT"),
    ]


def test_buy_oco_parameters_with_trailing_delta_and_iceberg() -> None:
    assert oco_params(BUY_BRACKET) == [
        ("symbol", "ETHUSDT"),
        ("side", "BUY"),
        ("quantity", "0.5"),
        ("listClientOrderId", "ocr-eth-breakout-xyz765"),
        ("aboveType", "STOP_LOSS"),
        ("aboveClientOrderId", "ocr-eth-breakout-xyz765-sl"),
        ("aboveStopPrice", "4400"),
        ("aboveTrailingDelta", "150"),
        ("belowType", "TAKE_PROFIT_LIMIT"),
        ("belowClientOrderId", "ocr-eth-breakout-xyz765-tp"),
        ("belowPrice", "3600"),
        ("belowStopPrice", "3610"),
        ("belowTimeInForce", "GTC"),
        ("belowIcebergQty", "0.1"),
        ("newOrderRespType", "RESULT"),
    ]


def test_cancel_order_list_parameters(fake_binance: FakeBinance, fixture_json: Load) -> None:
    fake_binance.reply(
        "DELETE", "/api/v3/orderList", fixture_json("order_list_cancel_response.json")["response"]
    )
    with fake_binance.client() as client:
        cancelled = client.cancel_order_list(
            "BTCUSDT", "ocr-btc-core-exit-abc234", "ocr-btc-core-exit-abc234-cx"
        )
        client.cancel_order_list("BTCUSDT", "ocr-other-list-aaaaaa")
    assert cancelled is not None
    assert cancelled.list_order_status == "ALL_DONE"
    with_id, without_id = fake_binance.sent("/api/v3/orderList", "DELETE")
    signed_ok(with_id)
    assert with_id.params[:-3] == [
        ("symbol", "BTCUSDT"),
        ("listClientOrderId", "ocr-btc-core-exit-abc234"),
        ("newClientOrderId", "ocr-btc-core-exit-abc234-cx"),
    ]
    assert [name for name, _ in without_id.params[:-3]] == ["symbol", "listClientOrderId"]


def test_usage_headers_of_every_response_are_tracked(fake_binance: FakeBinance) -> None:
    fake_binance.reply("GET", "/api/v3/openOrderList", [], headers={"X-MBX-USED-WEIGHT-1M": "7"})
    fake_binance.reply(
        "POST",
        "/api/v3/orderList/oco",
        None,
        status=400,
        headers={"x-mbx-used-weight-1m": "8", "x-mbx-order-count-10s": "2"},
        raw=b'{"code":-1013,"msg":"Filter failure: LOT_SIZE"}',
    )
    with fake_binance.client() as client:
        client.open_order_lists()
        assert client.rate_usage() == RateUsage(used_weight={"1m": 7}, order_count={})
        with pytest.raises(Exception, match="LOT_SIZE"):
            client.place_oco(SELL_BRACKET)
        assert client.rate_usage() == RateUsage(used_weight={"1m": 8}, order_count={"10s": 2})


# --- base URLs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exchange", "url"),
    [
        ("production", PRODUCTION_URL),
        ("testnet", TESTNET_URL),
        ("demo", DEMO_URL),
        ("https://api1.binance.com/", "https://api1.binance.com"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("http://localhost:9000/", "http://localhost:9000"),
        ("http://[::1]:9000", "http://[::1]:9000"),
    ],
)
def test_resolve_base_url(exchange: str, url: str) -> None:
    assert resolve_base_url(exchange) == url


@pytest.mark.parametrize(
    ("exchange", "message"),
    [
        ("http://api.binance.com", "loopback"),
        ("http://192.168.1.5:8000", "loopback"),
        ("ftp://127.0.0.1", "http\\(s\\)://"),
        ("mainnet", "http\\(s\\)://"),
        ("https://user:pw@api.binance.com", "user name"),
        ("https://api.binance.com/?x=1", "query"),
    ],
)
def test_resolve_base_url_refuses(exchange: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        resolve_base_url(exchange)
    assert "pw" not in str(caught.value)


def test_plain_http_to_a_remote_host_is_refused_without_an_injected_transport() -> None:
    with pytest.raises(UsageError, match="loopback"):
        BinanceClient("http://example.com", None)
    sim_like = BinanceClient(
        "http://sim.local", None, transport=httpx.MockTransport(lambda r: httpx.Response(200))
    )
    sim_like.close()


def test_the_fake_exchange_really_checks_signatures(fake_binance: FakeBinance) -> None:
    """Guards the guard: a client signing with another secret is refused with -1022."""
    fake_binance.reply("GET", "/api/v3/openOrderList", [])
    client = BinanceClient(
        PRODUCTION_URL,
        Credentials.hmac(FAKE_API_KEY, "some-other-secret"),
        transport=httpx.MockTransport(fake_binance.handle),
        clock=fake_binance.time.clock,
    )
    with client, pytest.raises(RejectedError) as caught:
        client.open_order_lists()
    assert caught.value.code == -1022
    assert fake_binance.sent("/api/v3/openOrderList")[0].signature_valid is False


def test_concurrent_callers_share_one_client_safely(fake_binance: FakeBinance) -> None:
    fake_binance.reply("GET", "/api/v3/openOrders", [], headers={"x-mbx-used-weight-1m": "6"})
    errors: list[BaseException] = []
    with fake_binance.client() as client:

        def worker() -> None:
            try:
                for _ in range(10):
                    client.open_orders("BTCUSDT")
            except BaseException as error:  # collected: a thread's failure must fail the test
                errors.append(error)

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    sent = fake_binance.sent("/api/v3/openOrders")
    assert len(sent) == 80
    assert all(request.signature_valid for request in sent)
    assert fake_binance.sent("/api/v3/time") == []  # signed with the local clock
