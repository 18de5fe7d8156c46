"""The error tree as the client raises it, driven through an httpx transport with Binance's own
error bodies, and the client's share of the retries (venues/retry.py ``Layer.CLIENT``; the
decision table itself is in tests/unit/venues/test_retry.py).

Bodies come from tests/fixtures/binance/errors_oco_related.json where it has them; the codes it
does not carry (-1003, -1006, -1007, -1008, -1015, -2018) use the messages quoted in
errors.md from errors.md, and -2018 the one the Spot testnet returns.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from oco_reconcile.errors import (
    BannedError,
    BlockedError,
    ClockSkewError,
    DuplicateOrderError,
    ExchangeError,
    OutcomeUnknownError,
    RateLimitedError,
    RejectedError,
    TransientError,
    UnauthorizedError,
    UnknownOrderListError,
)
from oco_reconcile.venues.retry import RetryPolicy
from oco_reconcile.venues.spot.client import BinanceClient
from oco_reconcile.venues.spot.errors import map_error
from tests.support.fake_binance import SERVER_TIME_MS, FakeBinance

from .test_binance_requests import SELL_BRACKET

Load = Callable[[str], Any]
OCO = "/api/v3/orderList/oco"
LISTS = "/api/v3/openOrderList"
CANCEL = "/api/v3/orderList"

# errors.md messages for codes the fixture file does not carry (quoted in errors.md)
TOO_MUCH_WEIGHT = "Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API."  # noqa: E501
TOO_MANY_ORDERS = "Too many new orders; current limit is 100 orders per 10 SECOND."
UNEXPECTED_RESP = (
    "An unexpected response was received from the message bus. Execution status unknown."
)
BACKEND_TIMEOUT = "Timeout waiting for response from backend server. Send status unknown; execution status unknown."  # noqa: E501
SERVER_BUSY = (
    "Server is currently overloaded with other requests. Please try again in a few minutes."
)


def first_message(fixture_json: Load, code: int) -> str:
    message: str = fixture_json("errors_oco_related.json")["codes"][str(code)]["messages"][0]
    return message


def place_error(
    fake: FakeBinance, status: int, body: dict[str, Any] | bytes, **kw: Any
) -> ExchangeError:
    raw = body if isinstance(body, bytes) else None
    fake.reply("POST", OCO, None if raw else body, status=status, raw=raw, **kw)
    with fake.client() as client, pytest.raises(ExchangeError) as caught:
        client.place_oco(SELL_BRACKET)
    return caught.value


# --- every class of the tree, through the transport ---------------------------------------------

REJECTION_CODES = [-1013, -1100, -1102, -1104, -1106, -1111, -1121, -1158, -1160, -1165, -1166,
                   -1168, -1196, -1197, -1198, -1199, -1022]  # fmt: skip


@pytest.mark.parametrize("code", REJECTION_CODES)
def test_rejections_keep_code_and_message(
    fake_binance: FakeBinance, fixture_json: Load, code: int
) -> None:
    msg = first_message(fixture_json, code)
    error = place_error(fake_binance, 400, {"code": code, "msg": msg})
    assert type(error) is RejectedError
    assert (error.status, error.code, error.msg, error.endpoint) == (400, code, msg, OCO)
    assert str(error) == f"{OCO} HTTP 400 code {code}: {msg}"
    assert len(fake_binance.sent(OCO)) == 1


@pytest.mark.parametrize("item", range(7))
def test_matching_engine_rejections(
    fake_binance: FakeBinance, fixture_json: Load, item: int
) -> None:
    entry = fixture_json("errors_oco_related.json")[
        "matching_engine_messages_for_-1010_-2010_-2011_-2038_selected"
    ][item]
    error = place_error(fake_binance, 400, {"code": -2010, "msg": entry["msg"]})
    expected = DuplicateOrderError if entry["msg"] == "Duplicate order sent." else RejectedError
    assert type(error) is expected
    assert error.msg == entry["msg"]


def test_duplicate_also_when_binance_sends_it_as_1013(fake_binance: FakeBinance) -> None:
    error = place_error(fake_binance, 400, {"code": -1013, "msg": "Duplicate order sent."})
    assert isinstance(error, DuplicateOrderError)


def test_filter_failures_are_rejections(fake_binance: FakeBinance, fixture_json: Load) -> None:
    for entry in fixture_json("errors_oco_related.json")["filter_failure_messages_for_-1013"]:
        error = map_error(OCO, httpx.Response(400, json={"code": -1013, "msg": entry["msg"]}), 0)
        assert type(error) is RejectedError
        assert error.msg == entry["msg"]


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}),
        (400, {"code": -2014, "msg": "API-key format invalid."}),
        (401, b""),
    ],
)
def test_unauthorized(fake_binance: FakeBinance, status: int, body: Any) -> None:
    error = place_error(fake_binance, status, body)
    assert isinstance(error, UnauthorizedError)


def test_blocked_by_the_waf_does_not_echo_the_page(fake_binance: FakeBinance) -> None:
    page = b"<html><body>Request blocked. /api/v3/orderList/oco?signature=abc</body></html>"
    error = place_error(fake_binance, 403, page)
    assert isinstance(error, BlockedError)
    assert "signature" not in str(error)
    assert "html" not in str(error)


@pytest.mark.parametrize(("code", "msg"), [(-1003, TOO_MUCH_WEIGHT), (-1015, TOO_MANY_ORDERS)])
def test_rate_limited_carries_retry_after(fake_binance: FakeBinance, code: int, msg: str) -> None:
    error = place_error(fake_binance, 429, {"code": code, "msg": msg}, headers={"Retry-After": "7"})
    assert isinstance(error, RateLimitedError)
    assert error.retry_after == 7
    assert error.code == code
    assert len(fake_binance.sent(OCO)) == 1  # a placement is never re-sent


def test_banned_until_is_computed_from_retry_after_and_the_clock(fake_binance: FakeBinance) -> None:
    msg = "Way too much request weight used; IP banned until 1700000120000. Please use WebSocket Streams for live updates to avoid bans."  # noqa: E501
    error = place_error(
        fake_binance, 418, {"code": -1003, "msg": msg}, headers={"Retry-After": "120"}
    )
    assert isinstance(error, BannedError)
    assert error.retry_after == 120
    assert error.until == datetime.fromtimestamp(SERVER_TIME_MS / 1000 + 120, tz=UTC)


def test_banned_without_retry_after_reads_the_time_from_the_message() -> None:
    msg = "Way too much request weight used; IP banned until 1700000300000. Please use WebSocket Streams for live updates to avoid bans."  # noqa: E501
    error = map_error(LISTS, httpx.Response(418, json={"code": -1003, "msg": msg}), 0.0)
    assert isinstance(error, BannedError)
    assert error.until == datetime(2023, 11, 14, 22, 18, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, b""),
        (502, b"<html>Bad gateway</html>"),
        (503, {"code": -1008, "msg": SERVER_BUSY}),  # a busy 5xx may still have placed it
        (504, b""),
        (400, {"code": -1006, "msg": UNEXPECTED_RESP}),
        (408, {"code": -1007, "msg": BACKEND_TIMEOUT}),
        (504, {"code": -1007, "msg": BACKEND_TIMEOUT}),
    ],
)
def test_outcome_unknown_placement_is_not_resent(
    fake_binance: FakeBinance, status: int, body: Any
) -> None:
    error = place_error(fake_binance, status, body)
    assert isinstance(error, OutcomeUnknownError)
    assert len(fake_binance.sent(OCO)) == 1


def test_server_busy_with_a_4xx_is_transient(fake_binance: FakeBinance) -> None:
    error = place_error(fake_binance, 400, {"code": -1008, "msg": SERVER_BUSY})
    assert type(error) is TransientError


@pytest.mark.parametrize(
    ("exception", "expected"),
    [
        (httpx.ConnectError, TransientError),
        (httpx.ConnectTimeout, TransientError),
        (httpx.PoolTimeout, TransientError),
        (httpx.ProxyError, TransientError),
        (httpx.ReadTimeout, OutcomeUnknownError),
        (httpx.WriteTimeout, OutcomeUnknownError),
        (httpx.RemoteProtocolError, OutcomeUnknownError),
        (httpx.ReadError, OutcomeUnknownError),
        (httpx.WriteError, OutcomeUnknownError),
        (httpx.UnsupportedProtocol, ExchangeError),
        (httpx.LocalProtocolError, ExchangeError),
        (httpx.DecodingError, OutcomeUnknownError),
    ],
)
def test_httpx_exceptions_never_escape(
    fake_binance: FakeBinance, exception: type[Exception], expected: type[ExchangeError]
) -> None:
    fake_binance.reply("POST", OCO, raises=exception)
    with fake_binance.client() as client, pytest.raises(ExchangeError) as caught:
        client.place_oco(SELL_BRACKET)
    assert type(caught.value) is expected
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
    assert "signature" not in str(caught.value)
    assert len(fake_binance.sent(OCO)) == 1


def test_unreadable_placement_response_is_an_unknown_outcome(fake_binance: FakeBinance) -> None:
    error = place_error(fake_binance, 200, b"<html>maintenance</html>")
    assert isinstance(error, OutcomeUnknownError)
    fake_binance.replies.clear()
    error = place_error(fake_binance, 200, {"orderListId": 1})
    assert isinstance(error, OutcomeUnknownError)
    assert "missing field" in str(error)


def test_unreadable_read_response_is_an_exchange_error_not_retried(
    fake_binance: FakeBinance,
) -> None:
    fake_binance.reply("GET", LISTS, {"not": "a list"})
    with fake_binance.client() as client, pytest.raises(ExchangeError, match="unexpected response"):
        client.open_order_lists()
    assert len(fake_binance.sent(LISTS)) == 1


# --- lookups and cancels of things that are gone (as the testnet answers) ---------------------


def test_unknown_list_lookup_is_none(fake_binance: FakeBinance) -> None:
    fake_binance.error("GET", CANCEL, 400, -2018, "Order list does not exist.")
    with fake_binance.client() as client:
        assert client.order_list("ocr-gone-aaaaaa") is None
    assert len(fake_binance.sent(CANCEL)) == 1


def test_unknown_order_lookup_is_none(fake_binance: FakeBinance, fixture_json: Load) -> None:
    fake_binance.error("GET", "/api/v3/order", 400, -2013, first_message(fixture_json, -2013))
    with fake_binance.client() as client:
        assert client.order("BTCUSDT", 12345) is None


def test_cancel_of_a_list_already_gone_is_none(fake_binance: FakeBinance) -> None:
    fake_binance.error("DELETE", CANCEL, 400, -2011, "Unknown order list sent.")
    with fake_binance.client() as client:
        assert client.cancel_order_list("BTCUSDT", "ocr-gone-aaaaaa") is None


def test_other_cancel_rejections_are_raised(fake_binance: FakeBinance) -> None:
    msg = "Order was not canceled due to cancel restrictions."
    fake_binance.error("DELETE", CANCEL, 400, -2011, msg)
    with fake_binance.client() as client, pytest.raises(RejectedError) as caught:
        client.cancel_order_list("BTCUSDT", "ocr-list-aaaaaa")
    assert not isinstance(caught.value, UnknownOrderListError)


POLICY = RetryPolicy(max_attempts=4, base_delay=0.5, max_delay=3.0, jitter=0.0, max_retry_after=60)


# --- retry behaviour end to end (sleeps observed through the injected sleep) --------------------


def client_with(fake: FakeBinance, policy: RetryPolicy = POLICY) -> BinanceClient:
    return fake.client(retry=policy)


def test_reads_retry_5xx_with_backoff_then_succeed(fake_binance: FakeBinance) -> None:
    for _ in range(3):
        fake_binance.reply("GET", LISTS, None, status=503, raw=b"")
    fake_binance.reply("GET", LISTS, [])
    with client_with(fake_binance) as client:
        assert client.open_order_lists() == ()
    assert len(fake_binance.sent(LISTS)) == 4
    assert fake_binance.time.slept == [0.5, 1.0, 2.0]


def test_reads_honour_retry_after(fake_binance: FakeBinance) -> None:
    fake_binance.error("GET", LISTS, 429, -1003, TOO_MUCH_WEIGHT, headers={"Retry-After": "11"})
    fake_binance.reply("GET", LISTS, [])
    with client_with(fake_binance) as client:
        client.open_order_lists()
    assert fake_binance.time.slept == [11.0]


def test_reads_give_up_after_max_attempts_with_the_last_error(fake_binance: FakeBinance) -> None:
    fake_binance.reply("GET", LISTS, raises=httpx.ConnectError)
    with client_with(fake_binance) as client, pytest.raises(TransientError):
        client.open_order_lists()
    assert len(fake_binance.sent(LISTS)) == POLICY.max_attempts
    assert fake_binance.time.slept == [0.5, 1.0, 2.0]


def test_ban_stops_at_once(fake_binance: FakeBinance) -> None:
    fake_binance.error("GET", LISTS, 418, -1003, "IP banned", headers={"Retry-After": "300"})
    with client_with(fake_binance) as client, pytest.raises(BannedError):
        client.open_order_lists()
    assert len(fake_binance.sent(LISTS)) == 1
    assert fake_binance.time.slept == []


def test_long_retry_after_is_raised_not_slept(fake_binance: FakeBinance) -> None:
    fake_binance.error("GET", LISTS, 429, -1003, TOO_MUCH_WEIGHT, headers={"Retry-After": "900"})
    with client_with(fake_binance) as client, pytest.raises(RateLimitedError) as caught:
        client.open_order_lists()
    assert caught.value.retry_after == 900
    assert fake_binance.time.slept == []


def test_rejections_are_not_retried(fake_binance: FakeBinance, fixture_json: Load) -> None:
    fake_binance.error("GET", LISTS, 400, -1121, first_message(fixture_json, -1121))
    with client_with(fake_binance) as client, pytest.raises(RejectedError):
        client.open_order_lists()
    assert len(fake_binance.sent(LISTS)) == 1


def test_cancel_with_an_unknown_outcome_is_sent_once_and_raised_for_a_lookup(
    fake_binance: FakeBinance,
) -> None:
    """An unknown cancel outcome is the apply engine's (venues/retry.py: Layer.LOOKUP)."""
    fake_binance.reply("DELETE", CANCEL, raises=httpx.ReadTimeout)
    with client_with(fake_binance) as client, pytest.raises(OutcomeUnknownError):
        client.cancel_order_list("BTCUSDT", "ocr-list-aaaaaa")
    assert len(fake_binance.sent(CANCEL, "DELETE")) == 1
    assert fake_binance.time.slept == []


def test_read_clock_skew_resyncs_once_without_a_backoff(fake_binance: FakeBinance) -> None:
    fake_binance.error(
        "GET", LISTS, 400, -1021, "Timestamp for this request is outside of the recvWindow."
    )
    fake_binance.reply("GET", LISTS, [])
    with client_with(fake_binance) as client:
        assert client.open_order_lists() == ()
    assert len(fake_binance.sent(LISTS)) == 2
    assert fake_binance.time.slept == []


def test_a_read_clock_skew_after_a_resync_is_raised(fake_binance: FakeBinance) -> None:
    """One layer, one count: the re-sync is not multiplied by the backoff attempts."""
    fake_binance.error(
        "GET", LISTS, 400, -1021, "Timestamp for this request is outside of the recvWindow."
    )
    with client_with(fake_binance) as client, pytest.raises(ClockSkewError):
        client.open_order_lists()
    assert len(fake_binance.sent(LISTS)) == 2
    assert len(fake_binance.sent("/api/v3/time")) == 1  # one re-sync (none before the first)
    assert fake_binance.time.slept == []


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ({"raises": httpx.ReadTimeout}, OutcomeUnknownError),
        ({"raises": httpx.RemoteProtocolError}, OutcomeUnknownError),
        ({"raises": httpx.ConnectError}, TransientError),
        ({"status": 500, "raw": b""}, OutcomeUnknownError),
        (
            {"status": 429, "raw": b'{"code":-1015,"msg":"x"}', "headers": {"Retry-After": "1"}},
            RateLimitedError,
        ),
    ],
)
def test_placement_is_sent_exactly_once(
    fake_binance: FakeBinance, reply: dict[str, Any], expected: type[ExchangeError]
) -> None:
    fake_binance.reply("POST", OCO, None, **reply)
    with client_with(fake_binance) as client, pytest.raises(expected):
        client.place_oco(SELL_BRACKET)
    assert len(fake_binance.sent(OCO)) == 1
    assert fake_binance.time.slept == []


def test_time_sync_failure_before_a_placement_is_not_an_unknown_outcome(
    fake_binance: FakeBinance,
) -> None:
    """The re-sync after a -1021 placement fails: nothing was placed, so a plain failure."""
    fake_binance.error(
        "POST", OCO, 400, -1021, "Timestamp for this request is outside of the recvWindow."
    )
    fake_binance.reply("GET", "/api/v3/time", None, status=502, raw=b"")
    policy = RetryPolicy(max_attempts=2, jitter=0.0)
    with client_with(fake_binance, policy) as client, pytest.raises(TransientError) as caught:
        client.place_oco(SELL_BRACKET)
    assert caught.value.endpoint == "/api/v3/time"
    assert len(fake_binance.sent(OCO)) == 1


def test_prices_are_decimals_through_the_whole_path(fake_binance: FakeBinance) -> None:
    fake_binance.reply("GET", "/api/v3/ticker/price", None, raw=b'{"symbol":"BTCUSDT","price":0.1}')
    with client_with(fake_binance) as client:
        assert client.prices(["BTCUSDT"]) == {"BTCUSDT": Decimal("0.1")}
