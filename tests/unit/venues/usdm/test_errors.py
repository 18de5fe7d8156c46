"""Every fapi error answer -> the one error tree (usdm/errors.py on top of Spot's mapping), and
what a placement's failures mean for the caller (sent once; outcome unknown raised)."""

from __future__ import annotations

import httpx
import pytest

from oco_reconcile.errors import (
    BannedError,
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
from oco_reconcile.venues.usdm.errors import map_futures_error
from tests.unit.venues.usdm.fake_fapi import STOP_REQUEST, FakeFapi

ALGO = "/fapi/v1/algoOrder"


def answer(
    status: int, body: object = None, headers: dict[str, str] | None = None
) -> ExchangeError:
    response = httpx.Response(status, json=body, headers=headers or {})
    return map_futures_error(ALGO, response, 1_700_000_000.0)


@pytest.mark.parametrize(
    ("status", "code", "msg", "kind"),
    [
        (400, -2021, "Order would immediately trigger.", RejectedError),
        (400, -2022, "ReduceOnly Order is rejected.", RejectedError),
        (
            400,
            -4120,
            "Order type not supported for this endpoint. Please use the Algo Order API "
            "endpoints instead.",
            RejectedError,
        ),
        (
            400,
            -4164,
            "Order's notional must be no smaller than 100 (unless you choose reduce only).",
            RejectedError,
        ),
        (400, -4116, "ClientOrderId is duplicated.", DuplicateOrderError),
        (400, -2011, "Unknown order sent.", UnknownOrderListError),
        (400, -2013, "Order does not exist.", UnknownOrderListError),
        (400, -1021, "Timestamp for this request is outside of the recvWindow.", ClockSkewError),
        (401, -2015, "Invalid API-key, IP, or permissions for action.", UnauthorizedError),
        (400, -2014, "API-key format invalid.", UnauthorizedError),
        (400, -1022, "Signature for this request is not valid.", RejectedError),
        (
            408,
            -1007,
            "Timeout waiting for response from backend server. Send status unknown; execution "
            "status unknown.",
            OutcomeUnknownError,
        ),
        (503, None, "Service Unavailable.", TransientError),
        (
            503,
            -1008,
            "Request throttled by system-level protection. Reduce-only/close-position orders "
            "are exempt. Please try again.",
            TransientError,
        ),
        (
            503,
            -1008,
            "Server is currently overloaded with other requests. Please try again in a few "
            "minutes.",
            OutcomeUnknownError,
        ),
        (
            503,
            None,
            "Unknown error, please check your request or try again later.",
            OutcomeUnknownError,
        ),
        (
            500,
            -1000,
            "An unknown error occurred while processing the request.",
            OutcomeUnknownError,
        ),
        (429, -1003, "Too much request weight used; current limit is 2400", RateLimitedError),
        (
            418,
            -1003,
            "Way too much request weight used; IP banned until 1700000100000.",
            BannedError,
        ),
    ],
)
def test_error_codes_map_to_the_error_tree(
    status: int, code: int | None, msg: str, kind: type[ExchangeError]
) -> None:
    body = {"msg": msg} if code is None else {"code": code, "msg": msg}
    error = answer(status, body)
    assert type(error) is kind
    assert error.status == status
    assert error.code == code
    assert error.endpoint == ALGO
    assert msg in str(error)


def test_a_backend_timeout_without_a_body_is_an_unknown_outcome() -> None:
    error = answer(408)
    assert isinstance(error, OutcomeUnknownError)


def test_rate_limit_carries_retry_after_and_a_ban_its_end() -> None:
    limited = answer(429, {"code": -1003, "msg": "Too many requests."}, {"Retry-After": "7"})
    assert isinstance(limited, RateLimitedError)
    assert limited.retry_after == 7.0
    banned = answer(418, {"code": -1003, "msg": "banned"}, {"Retry-After": "120"})
    assert isinstance(banned, BannedError)
    assert banned.until is not None
    assert banned.until.timestamp() == 1_700_000_120.0


def test_a_non_json_error_page_never_reaches_the_message() -> None:
    response = httpx.Response(403, content=b"<html>blocked ?signature=abc</html>")
    error = map_futures_error(ALGO, response, 0.0)
    assert "signature" not in str(error)


@pytest.mark.parametrize("failure", [httpx.ReadTimeout, httpx.RemoteProtocolError])
def test_a_placement_lost_after_sending_is_raised_as_unknown_and_not_resent(
    failure: type[Exception],
) -> None:
    fake = FakeFapi()
    fake.reply("POST", ALGO, raises=failure)
    with pytest.raises(OutcomeUnknownError):
        fake.usdm().place_algo(STOP_REQUEST)
    assert len(fake.sent(ALGO, "POST")) == 1


def test_a_placement_answered_with_a_5xx_is_sent_once() -> None:
    fake = FakeFapi()
    fake.error("POST", ALGO, 502, None, "Bad gateway")
    with pytest.raises(OutcomeUnknownError):
        fake.usdm().place_algo(STOP_REQUEST)
    assert len(fake.sent(ALGO, "POST")) == 1


def test_an_unreadable_placement_answer_is_an_unknown_outcome() -> None:
    fake = FakeFapi()
    fake.reply("POST", ALGO, raw=b"not json")
    with pytest.raises(OutcomeUnknownError, match="algo order may exist"):
        fake.usdm().place_algo(STOP_REQUEST)


def test_reads_are_retried_after_a_service_unavailable() -> None:
    fake = FakeFapi()
    fake.error("GET", "/fapi/v3/balance", 503, None, "Service Unavailable.")
    fake.reply("GET", "/fapi/v3/balance", [])
    assert fake.usdm().balances() == {}
    assert len(fake.sent("/fapi/v3/balance")) == 2


def test_a_connection_refused_is_transient_and_names_the_host() -> None:
    fake = FakeFapi()
    fake.reply("GET", "/fapi/v1/exchangeInfo", raises=httpx.ConnectError)
    with pytest.raises(TransientError, match=r"fapi\.binance\.com"):
        fake.usdm().exchange_info()
