"""Signing, timing, parameters, lookups, cancels and rate limits over real HTTP, with the docs'
codes, messages and headers (rest-api.md "Request Security", "Timing security", "LIMITS")."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from oco_reconcile.sim.exchange import SimExchange
from oco_reconcile.sim.wire.app import SimApp
from oco_reconcile.sim.wire.auth import HmacVerifier, PublicKeyVerifier, signed_payload
from tests.support.fake_time import FakeTime
from tests.support.sim_api import Api, error, sell_oco, sign

LIST_ID = "ocr-btc-exit-abcdef"


# --- signatures -----------------------------------------------------------------------------


def test_missing_api_key_header(api: Api) -> None:
    query = urlencode({"timestamp": api.time.clock_ms()})
    response = api.http.get(f"/api/v3/account?{query}&signature={sign(query)}")
    assert error(response) == (401, -2014, "API-key format invalid.")


def test_unknown_api_key(api: Api) -> None:
    api.api_key = "not-a-registered-key"
    response = api.signed("GET", "/api/v3/account")
    assert error(response) == (401, -2015, "Invalid API-key, IP, or permissions for action.")


def test_wrong_secret_is_an_invalid_signature(api: Api) -> None:
    api.secret = "some-other-secret"
    response = api.signed("GET", "/api/v3/account")
    assert error(response) == (400, -1022, "Signature for this request is not valid.")


def test_parameters_reordered_after_signing_are_refused(api: Api) -> None:
    """Binance signs the bytes as sent (Binance_Futures_python #25)."""
    signed_query = f"timestamp={api.time.clock_ms()}&omitZeroBalances=true"
    reordered = f"omitZeroBalances=true&timestamp={api.time.clock_ms()}"
    url = f"/api/v3/account?{reordered}&signature={sign(signed_query)}"
    response = api.http.get(url, headers={"X-MBX-APIKEY": api.api_key})
    assert error(response) == (400, -1022, "Signature for this request is not valid.")


def test_signature_over_query_and_body_without_separator(api: Api) -> None:
    """Parameters split between query string and form body are signed as query + body."""
    params = sell_oco()
    query = urlencode({key: params.pop(key) for key in ("symbol", "side", "quantity")})
    body = urlencode({**params, "timestamp": api.time.clock_ms()})
    response = api.http.post(
        f"/api/v3/orderList/oco?{query}",
        content=f"{body}&signature={sign(query + body)}",
        headers={
            "X-MBX-APIKEY": api.api_key,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert response.status_code == 200, response.text
    assert [item["listClientOrderId"] for item in api.open_lists()] == [LIST_ID]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_docs_hmac_vectors_verify(fixtures_dir: Path, index: int) -> None:
    vector = json.loads((fixtures_dir / "sig_hmac_vectors.json").read_text())[index]
    payload = signed_payload(
        vector["query"] + "&signature=" + vector["signature"], vector.get("body", "")
    )
    verifier = HmacVerifier(vector["secret"])
    assert verifier.verify(payload, vector["signature"])
    assert verifier.verify(payload, vector["signature"].upper())  # HMAC is case-insensitive
    assert not verifier.verify(payload + b"0", vector["signature"])


def test_ed25519_vector_verifies_with_the_public_key(fixtures_dir: Path) -> None:
    vector = json.loads((fixtures_dir / "sig_ed25519_vectors.json").read_text())[0]
    private = serialization.load_pem_private_key(vector["private_key_pem"].encode(), None)
    assert isinstance(private, ed25519.Ed25519PrivateKey)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    verifier = PublicKeyVerifier(public_pem)
    assert verifier.verify(vector["payload"].encode(), vector["signature_base64"])
    assert not verifier.verify(b"tampered", vector["signature_base64"])


# --- timing -----------------------------------------------------------------------------------


def test_timestamp_ahead_of_server_time(api: Api) -> None:
    response = api.signed("GET", "/api/v3/account", timestamp=api.time.clock_ms() + 1000)
    assert error(response) == (
        400,
        -1021,
        "Timestamp for this request was 1000ms ahead of the server's time.",
    )


def test_timestamp_outside_recv_window(api: Api) -> None:
    stale = api.time.clock_ms() - 5001
    response = api.signed("GET", "/api/v3/account", timestamp=stale)
    assert error(response) == (
        400,
        -1021,
        "Timestamp for this request is outside of the recvWindow.",
    )
    wider = api.signed("GET", "/api/v3/account", timestamp=stale, recvWindow="6000")
    assert wider.status_code == 200


def test_microsecond_timestamps_are_accepted(api: Api) -> None:
    response = api.signed("GET", "/api/v3/account", timestamp=api.time.clock_ms() * 1000)
    assert response.status_code == 200


def test_recv_window_above_60000(api: Api) -> None:
    response = api.signed("GET", "/api/v3/account", recvWindow="60001")
    assert error(response) == (
        400,
        -1102,
        "'recvWindow' contains unexpected value. Cannot be greater than 60000.",
    )


def test_missing_timestamp(api: Api) -> None:
    url = "/api/v3/account?signature=" + sign("")
    response = api.http.get(url, headers={"X-MBX-APIKEY": api.api_key})
    assert error(response) == (
        400,
        -1102,
        "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
    )


def test_server_time_is_the_clock(api: Api, clock: FakeTime) -> None:
    assert api.public("GET", "/api/v3/time").json() == {"serverTime": clock.clock_ms()}
    assert api.public("GET", "/api/v3/ping").json() == {}


# --- parameters ---------------------------------------------------------------------------------


def test_parameter_sent_twice(api: Api) -> None:
    query = f"timestamp={api.time.clock_ms()}&timestamp={api.time.clock_ms()}"
    url = f"/api/v3/account?{query}&signature={sign(query)}"
    response = api.http.get(url, headers={"X-MBX-APIKEY": api.api_key})
    assert error(response) == (400, -1101, "Duplicate values for a parameter detected.")


def test_unknown_parameter_on_a_public_endpoint(api: Api) -> None:
    response = api.public("GET", "/api/v3/ticker/price", symbol="BTCUSDT", foo="1")
    assert error(response) == (
        400,
        -1104,
        "Not all sent parameters were read; read '1' parameter(s) but was sent '2'.",
    )


def test_invalid_symbol_on_market_data(api: Api) -> None:
    assert error(api.public("GET", "/api/v3/ticker/price", symbol="NOPE")) == (
        400,
        -1121,
        "Invalid symbol.",
    )
    assert error(api.public("GET", "/api/v3/exchangeInfo", symbols='["BTCUSDT","BTCUSDT"]')) == (
        400,
        -1151,
        "Symbol is present multiple times in the list.",
    )


def test_unknown_path_is_404(api: Api) -> None:
    assert api.public("GET", "/api/v3/nothing").status_code == 404


# --- lookups and cancels ------------------------------------------------------------------------


def test_unknown_lookups_answer_like_binance(api: Api) -> None:
    """As the Spot testnet answers: -2018 / -2013 / -2011 for lists and orders that are not
    there."""
    missing_list = api.signed("GET", "/api/v3/orderList", origClientOrderId="nope")
    assert error(missing_list) == (400, -2018, "Order list does not exist.")
    missing_order = api.signed("GET", "/api/v3/order", symbol="BTCUSDT", orderId=999)
    assert error(missing_order) == (400, -2013, "Order does not exist.")
    cancel = api.signed("DELETE", "/api/v3/orderList", symbol="BTCUSDT", listClientOrderId="nope")
    assert error(cancel) == (400, -2011, "Unknown order list sent.")
    neither = api.signed("DELETE", "/api/v3/orderList", symbol="BTCUSDT")
    assert error(neither) == (
        400,
        -1102,
        "Param 'orderListId' or 'listClientOrderId' must be sent, but both were empty/null!",
    )


def test_cancelling_twice_is_unknown_the_second_time(api: Api) -> None:
    api.place()
    first = api.signed("DELETE", "/api/v3/orderList", symbol="BTCUSDT", listClientOrderId=LIST_ID)
    assert first.status_code == 200
    second = api.signed("DELETE", "/api/v3/orderList", symbol="BTCUSDT", listClientOrderId=LIST_ID)
    assert error(second) == (400, -2011, "Unknown order list sent.")


def test_cancel_renames_legs_and_frees_the_balance(api: Api) -> None:
    placed = api.place(aboveClientOrderId="my-tp", belowClientOrderId="my-sl").json()
    response = api.signed(
        "DELETE",
        "/api/v3/orderList",
        symbol="BTCUSDT",
        listClientOrderId=LIST_ID,
        newClientOrderId="my-cx",
    )
    body = response.json()
    assert body["listStatusType"] == "ALL_DONE"
    assert [r["origClientOrderId"] for r in body["orderReports"]] == ["my-sl", "my-tp"]
    assert {r["clientOrderId"] for r in body["orderReports"]} == {"my-cx"}
    assert {r["status"] for r in body["orderReports"]} == {"CANCELED"}
    assert api.balance("BTC") == ("1.00000000", "0.00000000")
    leg = api.signed(
        "GET", "/api/v3/order", symbol="BTCUSDT", orderId=placed["orders"][0]["orderId"]
    ).json()
    assert (leg["status"], leg["clientOrderId"]) == ("CANCELED", "my-cx")
    looked_up = api.signed("GET", "/api/v3/orderList", origClientOrderId=LIST_ID).json()
    assert looked_up["listOrderStatus"] == "ALL_DONE"


def test_cancelling_one_leg_cancels_the_whole_list(api: Api) -> None:
    placed = api.place().json()
    leg_id = placed["orders"][1]["orderId"]
    response = api.signed("DELETE", "/api/v3/order", symbol="BTCUSDT", orderId=leg_id)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["orderListId"] == placed["orderListId"]
    assert [report["status"] for report in body["orderReports"]] == ["CANCELED", "CANCELED"]
    assert api.open_lists() == []
    assert api.signed("GET", "/api/v3/openOrders").json() == []


def test_order_list_id_sent_to_cancel_order_is_unread(api: Api) -> None:
    """python-binance #1044: orderListId on DELETE /api/v3/order is not a parameter there."""
    placed = api.place().json()
    response = api.signed(
        "DELETE", "/api/v3/order", symbol="BTCUSDT", orderListId=placed["orderListId"]
    )
    assert error(response)[:2] == (400, -1104)
    assert len(api.open_lists()) == 1


def test_cancel_restrictions(api: Api) -> None:
    placed = api.place().json()
    leg_id = placed["orders"][0]["orderId"]
    invalid = api.signed(
        "DELETE", "/api/v3/order", symbol="BTCUSDT", orderId=leg_id, cancelRestrictions="SOMETIMES"
    )
    assert error(invalid) == (400, -1145, "Invalid cancelRestrictions")
    unmet = api.signed(
        "DELETE",
        "/api/v3/order",
        symbol="BTCUSDT",
        orderId=leg_id,
        cancelRestrictions="ONLY_PARTIALLY_FILLED",
    )
    assert error(unmet) == (400, -2011, "Order was not canceled due to cancel restrictions.")
    neither = api.signed("DELETE", "/api/v3/order", symbol="BTCUSDT")
    assert error(neither) == (
        400,
        -1102,
        "Param 'orderId' or 'origClientOrderId' must be sent, but both were empty/null!",
    )


def test_order_lookup_by_client_id_and_mismatch(api: Api) -> None:
    placed = api.place(aboveClientOrderId="tp-leg").json()
    by_client_id = api.signed("GET", "/api/v3/order", symbol="BTCUSDT", origClientOrderId="tp-leg")
    assert by_client_id.json()["type"] == "LIMIT_MAKER"
    mismatch = api.signed(
        "GET",
        "/api/v3/order",
        symbol="BTCUSDT",
        orderId=placed["orders"][0]["orderId"],
        origClientOrderId="tp-leg",
    )
    assert error(mismatch) == (400, -2039, "Client order ID is not correct for this order ID.")


def test_all_order_list_order_and_limits(api: Api) -> None:
    for index in range(3):
        api.place(quantity="0.01", listClientOrderId=f"h{index}")
    newest_first = api.signed("GET", "/api/v3/allOrderList").json()
    assert [item["listClientOrderId"] for item in newest_first] == ["h2", "h1", "h0"]
    from_id = api.signed("GET", "/api/v3/allOrderList", fromId=2, limit=1).json()
    assert [item["orderListId"] for item in from_id] == [2]
    too_many = api.signed("GET", "/api/v3/allOrderList", limit=1001)
    assert error(too_many) == (
        400,
        -1102,
        "'limit' contains unexpected value. Cannot be greater than 1000.",
    )
    window = api.signed("GET", "/api/v3/allOrderList", startTime=1, endTime=1 + 25 * 3_600_000)
    assert error(window) == (400, -1127, "More than 24 hours between startTime and endTime.")


# --- rate limits ----------------------------------------------------------------------------------


def test_weight_header_on_every_response_and_free_successful_orders(api: Api) -> None:
    first = api.public("GET", "/api/v3/exchangeInfo")
    assert first.headers["X-MBX-USED-WEIGHT-1M"] == "20"
    placed = api.place()
    assert placed.headers["X-MBX-USED-WEIGHT-1M"] == "20"  # a successful order weighs 0
    assert placed.headers["X-MBX-ORDER-COUNT-10S"] == "2"
    assert placed.headers["X-MBX-ORDER-COUNT-1D"] == "2"
    failed = api.place()  # duplicate: a failed order weighs 1 and carries no order count
    assert failed.headers["X-MBX-USED-WEIGHT-1M"] == "21"
    assert "X-MBX-ORDER-COUNT-10S" not in failed.headers
    listed = api.signed("GET", "/api/v3/openOrders")  # no symbol: weight 80
    assert listed.headers["X-MBX-USED-WEIGHT-1M"] == "101"


def _tight_limits(sim: SimExchange, clock: FakeTime, weight: int, orders_10s: int) -> None:
    for limit in sim.engine.state.rate_limits:
        if limit["rateLimitType"] == "REQUEST_WEIGHT":
            limit["limit"] = weight
        if limit["rateLimitType"] == "ORDERS" and limit["interval"] == "SECOND":
            limit["limit"] = orders_10s
    sim.app = SimApp(sim.engine, sleep=clock.sleep)


def test_429_with_retry_after_then_418_ban(api: Api, sim: SimExchange, clock: FakeTime) -> None:
    _tight_limits(sim, clock, weight=40, orders_10s=100)
    clock.now -= clock.now % 60  # the start of a minute window
    clock.advance(15)
    for _ in range(2):
        assert api.public("GET", "/api/v3/exchangeInfo").status_code == 200
    limited = api.public("GET", "/api/v3/exchangeInfo")
    assert error(limited) == (
        429,
        -1003,
        "Too much request weight used; current limit is 40 request weight per 1 MINUTE. "
        "Please use WebSocket Streams for live updates to avoid polling the API.",
    )
    assert limited.headers["Retry-After"] == "45"
    assert api.public("GET", "/api/v3/exchangeInfo").status_code == 429
    banned = api.public("GET", "/api/v3/ping")
    assert banned.status_code == 418
    assert banned.json()["code"] == -1003
    assert banned.json()["msg"].startswith("Way too much request weight used; IP banned until ")
    assert banned.headers["Retry-After"] == "120"
    clock.advance(60)
    assert api.public("GET", "/api/v3/ping").status_code == 418  # still banned
    clock.advance(60.001)
    assert api.public("GET", "/api/v3/ping").status_code == 200


def test_unfilled_order_count_limit(api: Api, sim: SimExchange, clock: FakeTime) -> None:
    _tight_limits(sim, clock, weight=6000, orders_10s=4)
    clock.now -= clock.now % 10
    assert api.place(quantity="0.01", listClientOrderId="a").status_code == 200
    assert api.place(quantity="0.01", listClientOrderId="b").status_code == 200
    third = api.place(quantity="0.01", listClientOrderId="c")
    assert error(third) == (
        429,
        -1015,
        "Too many new orders; current limit is 4 orders per 10 SECOND.",
    )
    assert third.headers["Retry-After"] == "10"
    assert len(api.open_lists()) == 2
    clock.advance(10)
    assert api.place(quantity="0.01", listClientOrderId="c").status_code == 200


def test_in_process_transport_answers_like_the_server(sim: SimExchange, clock: FakeTime) -> None:
    with httpx.Client(base_url="http://sim.local", transport=sim.transport()) as http:
        api = Api(http, clock)
        assert api.place().status_code == 200
        assert error(api.place()) == (400, -2010, "Duplicate order sent.")
        assert [item["listClientOrderId"] for item in api.open_lists()] == [LIST_ID]
