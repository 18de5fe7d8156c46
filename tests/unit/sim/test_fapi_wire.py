"""``/fapi`` through the in-process transport: shapes, weights and order-count headers, signed
endpoints, error answers, triggering seen through the wire, and fault injection on /fapi paths."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from oco_reconcile.sim.exchange import SimExchange
from oco_reconcile.sim.wire.faults import FaultKind, FaultPlan, FaultRule
from tests.support.fake_time import FakeTime
from tests.support.fapi_api import ALGO, in_process, stop_loss, take_profit
from tests.support.sim_api import Api, error, make_sim

ALGO_KEYS = [
    "algoId",
    "clientAlgoId",
    "algoType",
    "orderType",
    "symbol",
    "side",
    "positionSide",
    "timeInForce",
    "quantity",
    "algoStatus",
    "triggerPrice",
    "price",
    "icebergQuantity",
    "selfTradePreventionMode",
    "workingType",
    "priceMatch",
    "closePosition",
    "priceProtect",
    "reduceOnly",
    "activatePrice",
    "callbackRate",
    "createTime",
    "updateTime",
    "triggerTime",
    "goodTillDate",
]  # fmt: skip  (binance-api.md §10.3 response example, in its order)


@pytest.fixture
def fapi(sim: SimExchange, clock: FakeTime) -> Iterator[Api]:
    with in_process(sim, clock) as api:
        yield api


def used_weight(response: httpx.Response) -> int:
    return int(response.headers["X-MBX-USED-WEIGHT-1M"])


def test_time_and_exchange_info(fapi: Api, clock: FakeTime) -> None:
    assert fapi.public("GET", "/fapi/v1/time").json() == {"serverTime": clock.clock_ms()}
    info = fapi.public("GET", "/fapi/v1/exchangeInfo").json()
    assert [item["symbol"] for item in info["symbols"]] == ["BTCUSDT", "ETHUSDT"]
    btc = info["symbols"][0]
    filters = {item["filterType"]: item for item in btc["filters"]}
    assert filters["PRICE_FILTER"]["tickSize"] == "0.10"
    assert filters["LOT_SIZE"]["stepSize"] == "0.001"
    assert filters["MIN_NOTIONAL"]["notional"] == "100"
    assert (btc["contractType"], btc["triggerProtect"]) == ("PERPETUAL", "0.0500")
    limits = [
        (item["rateLimitType"], item["intervalNum"], item["limit"]) for item in info["rateLimits"]
    ]
    assert limits == [("REQUEST_WEIGHT", 1, 2400), ("ORDERS", 1, 1200), ("ORDERS", 10, 300)]


def test_market_data_weights_by_symbol(fapi: Api) -> None:
    one = fapi.public("GET", "/fapi/v1/premiumIndex", symbol="BTCUSDT")
    assert (one.json()["markPrice"], used_weight(one)) == ("110000.00000000", 1)
    every = fapi.public("GET", "/fapi/v1/premiumIndex")
    assert (len(every.json()), used_weight(every)) == (2, 11)
    price = fapi.public("GET", "/fapi/v1/ticker/price", symbol="ETHUSDT")
    assert (price.json()["price"], used_weight(price)) == ("4000.00", 12)
    assert used_weight(fapi.public("GET", "/fapi/v1/ticker/price")) == 14
    assert error(fapi.public("GET", "/fapi/v1/premiumIndex", symbol="XRPUSDT"))[:2] == (400, -1121)


def test_futures_weight_is_counted_apart_from_spot(fapi: Api) -> None:
    fapi.public("GET", "/fapi/v1/premiumIndex")  # 10 on the futures limits
    assert used_weight(fapi.public("GET", "/api/v3/time")) == 1


def test_placing_answers_the_documented_shape_with_order_counts(fapi: Api) -> None:
    response = fapi.signed("POST", ALGO, **take_profit())
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ALGO_KEYS
    assert (body["triggerPrice"], body["price"], body["quantity"]) == ("125000.00", "0.00", "0.000")
    assert (body["closePosition"], body["priceProtect"], body["algoStatus"]) == (True, True, "NEW")
    assert response.headers["X-MBX-ORDER-COUNT-10S"] == "1"
    assert response.headers["X-MBX-ORDER-COUNT-1M"] == "1"
    assert used_weight(response) == 0  # a successful order weighs 0 on the IP limit


def test_query_list_and_cancel(fapi: Api) -> None:
    placed = fapi.signed("POST", ALGO, **take_profit()).json()
    fapi.signed("POST", ALGO, **stop_loss())
    by_client = fapi.signed("GET", ALGO, clientAlgoId="me-btc-long-1a2b3c-tp").json()
    assert by_client == placed
    listed = fapi.signed("GET", "/fapi/v1/openAlgoOrders", symbol="BTCUSDT")
    assert [item["clientAlgoId"] for item in listed.json()] == [
        "me-btc-long-1a2b3c-tp",
        "me-btc-long-1a2b3c-sl",
    ]
    assert (listed.json()[0]["actualOrderId"], listed.json()[0]["actualPrice"]) == ("", "")
    assert (
        used_weight(fapi.signed("GET", "/fapi/v1/openAlgoOrders")) == 1 + 1 + 40
    )  # query, list one symbol, list all
    cancelled = fapi.signed("DELETE", ALGO, algoId=placed["algoId"]).json()
    assert cancelled == {
        "algoId": placed["algoId"],
        "clientAlgoId": "me-btc-long-1a2b3c-tp",
        "code": "200",
        "msg": "success",
    }
    assert error(fapi.signed("DELETE", ALGO, algoId=placed["algoId"])) == (
        400,
        -2011,
        "Unknown order sent.",
    )
    assert error(fapi.signed("GET", ALGO, algoId=999)) == (400, -2013, "Order does not exist.")
    with_symbol = fapi.signed("GET", ALGO, symbol="BTCUSDT", clientAlgoId="me-btc-long-1a2b3c-sl")
    assert with_symbol.json()["algoStatus"] == "NEW"  # a symbol is tolerated
    assert error(fapi.signed("GET", ALGO, symbol="XRPUSDT", algoId=1))[1] == -1121
    done = fapi.signed("DELETE", "/fapi/v1/algoOpenOrders", symbol="BTCUSDT").json()
    assert done["code"] == 200
    history = fapi.signed("GET", "/fapi/v1/allAlgoOrders", symbol="BTCUSDT").json()
    assert [item["algoStatus"] for item in history] == ["CANCELED", "CANCELED"]


def test_a_trigger_seen_through_the_wire(fapi: Api, sim: SimExchange) -> None:
    fapi.signed("POST", ALGO, **take_profit())
    fapi.signed("POST", ALGO, **stop_loss())
    sim.engine.usdm.set_prices("BTCUSDT", Decimal("125000"), Decimal("125000"))
    tp = fapi.signed("GET", ALGO, clientAlgoId="me-btc-long-1a2b3c-tp").json()
    assert tp["algoStatus"] == "FINISHED"
    assert (tp["actualOrderId"], tp["actualPrice"]) == ("1", "125000.00")
    assert tp["triggerTime"] > 0
    still = fapi.signed("GET", "/fapi/v1/openAlgoOrders", symbol="BTCUSDT").json()
    assert [item["clientAlgoId"] for item in still] == ["me-btc-long-1a2b3c-sl"]  # the orphan
    positions = fapi.signed("GET", "/fapi/v3/positionRisk").json()
    assert [(row["symbol"], row["positionAmt"]) for row in positions] == [("BTCUSDT", "0.000")]
    wallet = fapi.signed("GET", "/fapi/v3/balance").json()
    assert wallet[0]["balance"] == "100150.00000000"


def test_position_risk_and_position_mode(fapi: Api) -> None:
    rows = fapi.signed("GET", "/fapi/v3/positionRisk").json()
    assert [(row["symbol"], row["positionSide"], row["positionAmt"], row["entryPrice"])
            for row in rows] == [("BTCUSDT", "BOTH", "0.010", "110000")]  # fmt: skip
    mode = fapi.signed("GET", "/fapi/v1/positionSide/dual")
    assert (mode.json(), used_weight(mode)) == ({"dualSidePosition": False}, 35)
    refused = fapi.signed("POST", "/fapi/v1/positionSide/dual", dualSidePosition="true")
    assert error(refused)[:2] == (400, -4068)
    closing = {"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.010"}
    assert fapi.signed("POST", "/fapi/v1/order", **closing).json()["status"] == "FILLED"
    assert fapi.signed("GET", "/fapi/v3/positionRisk").json() == []
    done = fapi.signed("POST", "/fapi/v1/positionSide/dual", dualSidePosition="true")
    assert done.json() == {"code": 200, "msg": "success"}
    one_way = fapi.signed("POST", ALGO, **take_profit())
    assert error(one_way) == (400, -4061, "Order's position side does not match user's setting.")


def test_plain_orders_refuse_conditional_types(fapi: Api) -> None:
    stop = {"symbol": "BTCUSDT", "side": "SELL", "type": "STOP_MARKET", "stopPrice": "100000"}
    assert error(fapi.signed("POST", "/fapi/v1/order", **stop)) == (
        400,
        -4120,
        "Order type not supported for this endpoint. Please use the Algo Order API endpoints "
        "instead.",
    )


@pytest.mark.parametrize(
    ("params", "code"),
    [
        (take_profit(algoType="VP"), -1116),
        (take_profit(type="LIMIT"), -1116),
        (take_profit(side="HOLD"), -1117),
        (take_profit(clientAlgoId="has space"), -4015),
        (take_profit(triggerPrice="105000"), -2021),
        (take_profit(triggerPrice="125000.05"), -4014),
        (take_profit(reduceOnly="true"), -1106),
        (take_profit(positionSide="LONG"), -4061),
        (take_profit(foo="1"), -1104),
    ],
)
def test_wire_rejections(fapi: Api, params: dict[str, str], code: int) -> None:
    assert error(fapi.signed("POST", ALGO, **params))[1] == code


def test_signed_endpoints_check_key_and_signature(fapi: Api) -> None:
    no_key = fapi.public("GET", "/fapi/v3/balance", timestamp=1, signature="x")
    assert error(no_key)[:2] == (401, -2014)
    fapi.secret = "wrong"
    assert error(fapi.signed("GET", "/fapi/v3/balance"))[:2] == (400, -1022)


# --- fault injection on /fapi ------------------------------------------------------------------


def faulty(clock: FakeTime, *rules: FaultRule) -> SimExchange:
    return make_sim(clock, FaultPlan(rules))


def test_5xx_after_commit_leaves_the_order_placed(clock: FakeTime) -> None:
    sim = faulty(clock, FaultRule(FaultKind.HTTP_5XX, f"POST {ALGO}", after=True, sequence=(True,)))
    with in_process(sim, clock) as fapi:
        assert error(fapi.signed("POST", ALGO, **take_profit()))[:2] == (503, -1006)
        assert len(fapi.signed("GET", "/fapi/v1/openAlgoOrders").json()) == 1
        assert error(fapi.signed("POST", ALGO, **take_profit()))[1] == -4116  # the retry's proof


def test_timeout_1007_and_a_drop_after_commit(clock: FakeTime) -> None:
    sim = faulty(
        clock,
        FaultRule(FaultKind.TIMEOUT, f"POST {ALGO}", sequence=(True,)),
        FaultRule(FaultKind.DROP, f"DELETE {ALGO}", after=True, sequence=(True,)),
    )
    with in_process(sim, clock) as fapi:
        assert error(fapi.signed("POST", ALGO, **take_profit()))[:2] == (408, -1007)
        with pytest.raises(httpx.RemoteProtocolError):
            fapi.signed("DELETE", ALGO, clientAlgoId="me-btc-long-1a2b3c-tp")
        assert fapi.signed("GET", "/fapi/v1/openAlgoOrders").json() == []


def test_429_ban_and_clock_skew_on_fapi(clock: FakeTime) -> None:
    sim = faulty(
        clock,
        FaultRule(FaultKind.RATE_LIMIT, "GET /fapi/v1/openAlgoOrders", sequence=(True,)),
        FaultRule(FaultKind.CLOCK_SKEW, f"POST {ALGO}", sequence=(True,)),
        FaultRule(FaultKind.BAN, "GET /fapi/v1/time", sequence=(True,), retry_after=30),
    )
    with in_process(sim, clock) as fapi:
        limited = fapi.signed("GET", "/fapi/v1/openAlgoOrders")
        assert (error(limited)[:2], limited.headers["Retry-After"]) == ((429, -1003), "1")
        assert error(fapi.signed("POST", ALGO, **take_profit()))[1] == -1021
        assert fapi.signed("GET", "/fapi/v1/openAlgoOrders").json() == []  # nothing placed
        assert fapi.public("GET", "/fapi/v1/time").status_code == 418
        assert fapi.public("GET", "/fapi/v1/exchangeInfo").status_code == 418
        assert fapi.public("GET", "/api/v3/time").status_code == 200  # the futures limiter's ban
