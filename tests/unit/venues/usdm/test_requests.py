"""What the fapi client sends: paths, exact parameters, signatures, the API key, the -1021
re-sync against ``/fapi/v1/time`` and the usage headers (httpx.MockTransport, FakeFapi)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from oco_reconcile.core.model import TimeInForce
from oco_reconcile.core.ratelimits import RateLimitType
from oco_reconcile.core.usdm.model import AlgoOrderType, PositionSide, WorkingType
from oco_reconcile.errors import UsageError
from oco_reconcile.venues.usdm.client import UsdmClient
from oco_reconcile.venues.usdm.protocol import FuturesExchange
from tests.support.fake_binance import FAKE_API_KEY, SentRequest
from tests.unit.venues.usdm.fake_fapi import (
    STOP_REQUEST,
    FakeFapi,
    algo_order,
    balance,
    exchange_info,
    last_price,
    mark_price,
    position,
)

D = Decimal
ALGO = "/fapi/v1/algoOrder"
CLOSE_TP = replace(
    STOP_REQUEST,
    type=AlgoOrderType.TAKE_PROFIT_MARKET,
    client_algo_id="ocr-btc-long-abc234-tp",
    trigger_price=D("110000.0"),
    price_protect=True,
)


def signed(sent: SentRequest) -> list[tuple[str, str]]:
    """The request's own parameters, after checking it is signed like Binance checks it."""
    assert sent.signature_valid is True
    assert sent.api_key == FAKE_API_KEY
    names = [name for name, _ in sent.params]
    assert names[-3:] == ["recvWindow", "timestamp", "signature"]
    return sent.params[:-3]


def test_the_client_is_a_futures_exchange() -> None:
    client: FuturesExchange = FakeFapi().usdm()
    assert isinstance(client, UsdmClient)


def test_public_reads_are_unsigned_and_ask_for_every_symbol() -> None:
    fake = FakeFapi()
    fake.reply("GET", "/fapi/v1/exchangeInfo", exchange_info())
    fake.reply("GET", "/fapi/v1/premiumIndex", [mark_price()])
    fake.reply("GET", "/fapi/v1/ticker/price", [last_price()])
    client = fake.usdm()
    client.exchange_info()
    client.mark_prices()
    client.last_prices()
    for path in ("/fapi/v1/exchangeInfo", "/fapi/v1/premiumIndex", "/fapi/v1/ticker/price"):
        (sent,) = fake.sent(path, "GET")
        assert sent.params == []
        assert sent.api_key is None
        assert sent.signature_valid is None


@pytest.mark.parametrize(
    ("call", "path", "body"),
    [
        ("positions", "/fapi/v3/positionRisk", [position()]),
        ("hedge_mode", "/fapi/v1/positionSide/dual", {"dualSidePosition": False}),
        ("balances", "/fapi/v3/balance", [balance()]),
        ("open_algo_orders", "/fapi/v1/openAlgoOrders", [algo_order()]),
    ],
)
def test_account_reads_are_signed_gets_without_parameters(
    call: str, path: str, body: object
) -> None:
    fake = FakeFapi()
    fake.reply("GET", path, body)
    getattr(fake.usdm(), call)()
    (sent,) = fake.sent(path, "GET")
    assert signed(sent) == []
    # the first signed request syncs the clock against the futures server time
    assert [r.path for r in fake.requests] == ["/fapi/v1/time", path]


def test_open_algo_orders_of_one_symbol() -> None:
    fake = FakeFapi()
    fake.reply("GET", "/fapi/v1/openAlgoOrders", [])
    fake.usdm().open_algo_orders("BTCUSDT")
    (sent,) = fake.sent("/fapi/v1/openAlgoOrders")
    assert signed(sent) == [("symbol", "BTCUSDT")]


def test_algo_order_is_looked_up_by_client_algo_id() -> None:
    fake = FakeFapi()
    fake.reply("GET", ALGO, algo_order(clientAlgoId="ocr-x-abc234-tp"))
    order = fake.usdm().algo_order("ocr-x-abc234-tp")
    assert order is not None
    assert order.client_algo_id == "ocr-x-abc234-tp"
    (sent,) = fake.sent(ALGO, "GET")
    assert signed(sent) == [("clientAlgoId", "ocr-x-abc234-tp")]


def test_algo_history_sends_symbol_start_time_and_limit() -> None:
    fake = FakeFapi()
    fake.reply("GET", "/fapi/v1/allAlgoOrders", [algo_order(), algo_order(algoId=2146761)])
    orders = fake.usdm().algo_history("BNBUSDT", start_time=1750000000000, limit=50)
    assert [o.algo_id for o in orders] == [2146760, 2146761]
    (sent,) = fake.sent("/fapi/v1/allAlgoOrders")
    assert signed(sent) == [
        ("symbol", "BNBUSDT"),
        ("startTime", "1750000000000"),
        ("limit", "50"),
    ]


def test_close_position_leg_sends_close_position_and_no_quantity_or_reduce_only() -> None:
    fake = FakeFapi()
    fake.reply("POST", ALGO, algo_order(orderType="TAKE_PROFIT_MARKET", closePosition=True))
    fake.usdm().place_algo(CLOSE_TP)
    (sent,) = fake.sent(ALGO, "POST")
    assert signed(sent) == [
        ("algoType", "CONDITIONAL"),
        ("symbol", "BTCUSDT"),
        ("side", "SELL"),
        ("positionSide", "BOTH"),
        ("type", "TAKE_PROFIT_MARKET"),
        ("triggerPrice", "110000"),
        ("workingType", "MARK_PRICE"),
        ("clientAlgoId", "ocr-btc-long-abc234-tp"),
        ("closePosition", "true"),
        ("priceProtect", "TRUE"),
    ]


def test_reduce_only_quantity_limit_leg_sends_price_and_time_in_force() -> None:
    fake = FakeFapi()
    fake.reply("POST", ALGO, algo_order())
    request = replace(
        STOP_REQUEST,
        type=AlgoOrderType.STOP,
        trigger_price=D("95000.00"),
        working_type=WorkingType.CONTRACT_PRICE,
        price=D("94900.0"),
        quantity=D("0.0100"),
        reduce_only=True,
        time_in_force=TimeInForce.IOC,
    )
    fake.usdm().place_algo(request)
    params = dict(signed(fake.sent(ALGO, "POST")[0]))
    assert params == {
        "algoType": "CONDITIONAL",
        "symbol": "BTCUSDT",
        "side": "SELL",
        "positionSide": "BOTH",
        "type": "STOP",
        "triggerPrice": "95000",
        "workingType": "CONTRACT_PRICE",
        "clientAlgoId": "ocr-btc-long-abc234-sl",
        "quantity": "0.01",
        "reduceOnly": "true",
        "price": "94900",
        "timeInForce": "IOC",
    }


def test_hedge_mode_never_sends_reduce_only_and_limit_legs_default_to_gtc() -> None:
    fake = FakeFapi()
    fake.reply("POST", ALGO, algo_order(positionSide="LONG"))
    request = replace(
        STOP_REQUEST,
        position_side=PositionSide.LONG,
        type=AlgoOrderType.TAKE_PROFIT,
        client_algo_id="ocr-btc-hedge-abc234-tp",
        trigger_price=D("110000"),
        price=D("110100"),
        quantity=D("0.5"),
        reduce_only=True,
    )
    fake.usdm().place_algo(request)
    params = dict(signed(fake.sent(ALGO, "POST")[0]))
    assert params["positionSide"] == "LONG"
    assert "reduceOnly" not in params
    assert "closePosition" not in params
    assert "priceProtect" not in params
    assert params["timeInForce"] == "GTC"


def test_market_legs_send_no_price_or_time_in_force() -> None:
    fake = FakeFapi()
    fake.reply("POST", ALGO, algo_order())
    fake.usdm().place_algo(CLOSE_TP)
    names = {name for name, _ in fake.sent(ALGO, "POST")[0].params}
    assert not names & {"price", "timeInForce", "quantity", "reduceOnly", "newOrderRespType"}


def test_cancel_deletes_by_client_algo_id_and_reads_the_order_back() -> None:
    fake = FakeFapi()
    fake.reply(
        "DELETE",
        ALGO,
        {"algoId": 2146760, "clientAlgoId": "ocr-x-abc234-sl", "code": "200", "msg": "success"},
    )
    fake.reply("GET", ALGO, algo_order(clientAlgoId="ocr-x-abc234-sl", algoStatus="CANCELED"))
    order = fake.usdm().cancel_algo("BNBUSDT", "ocr-x-abc234-sl")
    assert order is not None
    assert order.status.value == "CANCELED"
    (deleted,) = fake.sent(ALGO, "DELETE")
    assert signed(deleted) == [("clientAlgoId", "ocr-x-abc234-sl")]
    assert signed(fake.sent(ALGO, "GET")[0]) == [("clientAlgoId", "ocr-x-abc234-sl")]


@pytest.mark.parametrize(
    ("code", "msg"), [(-2011, "Unknown order sent."), (-2013, "Order does not exist.")]
)
def test_cancel_of_an_order_already_gone_is_none(code: int, msg: str) -> None:
    fake = FakeFapi()
    fake.error("DELETE", ALGO, 400, code, msg)
    assert fake.usdm().cancel_algo("BTCUSDT", "ocr-x-abc234-sl") is None
    assert fake.sent(ALGO, "GET") == []


def test_lookup_of_an_unknown_id_is_none() -> None:
    fake = FakeFapi()
    fake.error("GET", ALGO, 400, -2013, "Order does not exist.")
    assert fake.usdm().algo_order("ocr-never-abc234-tp") is None


def test_clock_skew_resyncs_against_the_futures_time_and_resends_once() -> None:
    fake = FakeFapi()
    fake.error("GET", "/fapi/v3/positionRisk", 400, -1021, "Timestamp outside of the recvWindow.")
    fake.reply("GET", "/fapi/v3/positionRisk", [position()])
    assert len(fake.usdm().positions()) == 1
    paths = [r.path for r in fake.requests]
    assert paths == [
        "/fapi/v1/time",
        "/fapi/v3/positionRisk",
        "/fapi/v1/time",
        "/fapi/v3/positionRisk",
    ]
    assert "/api/v3/time" not in paths


def test_usage_headers_and_published_limits_are_tracked() -> None:
    fake = FakeFapi()
    headers = {
        "X-MBX-USED-WEIGHT-1M": "41",
        "X-MBX-ORDER-COUNT-10S": "3",
        "X-MBX-ORDER-COUNT-1M": "7",
    }
    fake.reply("GET", "/fapi/v1/exchangeInfo", exchange_info(), headers=headers)
    client = fake.usdm()
    client.exchange_info()
    usage = client.rate_usage()
    assert usage.used_weight == {"1m": 41}
    assert usage.order_count == {"10s": 3, "1m": 7}
    limits = client.rate_limits()
    assert [(x.type, x.header_suffix, x.limit) for x in limits] == [
        (RateLimitType.REQUEST_WEIGHT, "1m", 2400),
        (RateLimitType.ORDERS, "1m", 1200),
        (RateLimitType.ORDERS, "10s", 300),
    ]


def test_a_cancel_whose_order_cannot_be_read_back_is_left_to_the_callers_lookup() -> None:
    fake = FakeFapi()
    fake.reply("DELETE", ALGO, {"algoId": 1, "clientAlgoId": "ocr-x-abc234-sl", "code": "200"})
    fake.error("GET", ALGO, 400, -2013, "Order does not exist.")
    assert fake.usdm().cancel_algo("BTCUSDT", "ocr-x-abc234-sl") is None
    assert len(fake.sent(ALGO, "GET")) == 1


@pytest.mark.parametrize("limit", [0, 101])
def test_history_limit_outside_binances_range_is_refused_before_sending(limit: int) -> None:
    fake = FakeFapi()
    with pytest.raises(UsageError, match="between 1 and 100"):
        fake.usdm().algo_history("BTCUSDT", limit=limit)
    assert fake.requests == []


def test_a_placement_rejected_for_its_timestamp_is_resent_once_after_a_resync() -> None:
    fake = FakeFapi()
    fake.error("POST", ALGO, 400, -1021, "Timestamp for this request is outside of the recvWindow.")
    fake.reply("POST", ALGO, algo_order())
    fake.usdm().place_algo(STOP_REQUEST)
    assert [r.path for r in fake.requests] == ["/fapi/v1/time", ALGO, "/fapi/v1/time", ALGO]
