"""Secrets never appear in the fapi client's repr, exceptions (with tracebacks) or log records:
the API key, the secret, the signature and the signed query string are searched everywhere."""

from __future__ import annotations

import logging
import traceback

import httpx
import pytest

from oco_reconcile.errors import ExchangeError
from tests.support.fake_binance import FAKE_API_KEY, FAKE_SECRET
from tests.unit.venues.spot.test_secrets import assert_clean as assert_spot_clean
from tests.unit.venues.spot.test_secrets import forbidden
from tests.unit.venues.usdm.fake_fapi import STOP_REQUEST, FakeFapi

ALGO = "/fapi/v1/algoOrder"


def assert_clean(text: str, values: list[str]) -> None:
    """As Spot's check, after httpx's own (redacted) request line is taken out of the text."""
    assert_spot_clean(text.replace("signature=<redacted>", ""), values)


def test_repr_masks_the_credentials() -> None:
    client = FakeFapi().usdm()
    assert_clean(repr(client) + str(client), [FAKE_API_KEY, FAKE_SECRET])


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, {"code": -2021, "msg": "Order would immediately trigger."}),
        (400, {"code": -1022, "msg": "Signature for this request is not valid."}),
        (503, {"msg": "Service Unavailable."}),
        (500, {"code": -1000, "msg": "An unknown error occurred."}),
        (429, {"code": -1003, "msg": "Too many requests."}),
    ],
)
def test_error_answers_never_carry_a_secret(
    status: int, body: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeFapi()
    fake.reply("POST", ALGO, body, status=status)
    with (
        caplog.at_level(logging.DEBUG),
        pytest.raises(ExchangeError) as caught,
    ):
        fake.usdm().place_algo(STOP_REQUEST)
    text = str(caught.value) + "".join(traceback.format_exception(caught.value))
    logs = "\n".join(record.getMessage() for record in caplog.records)
    assert_clean(text + logs, forbidden(fake))
    assert "/fapi/v1/algoOrder" in str(caught.value)


@pytest.mark.parametrize(
    "failure", [httpx.ConnectError, httpx.ReadTimeout, httpx.RemoteProtocolError]
)
def test_transport_failures_never_carry_a_secret(
    failure: type[Exception], caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeFapi()
    fake.reply("GET", "/fapi/v3/positionRisk", raises=failure)
    with caplog.at_level(logging.DEBUG), pytest.raises(ExchangeError) as caught:
        fake.usdm().positions()
    text = str(caught.value) + "".join(traceback.format_exception(caught.value))
    logs = "\n".join(record.getMessage() for record in caplog.records)
    assert_clean(text + logs, forbidden(fake))


def test_httpx_request_logs_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeFapi()
    fake.reply("GET", "/fapi/v3/balance", [])
    with caplog.at_level(logging.INFO, logger="httpx"):
        fake.usdm().balances()
    logs = "\n".join(record.getMessage() for record in caplog.records)
    assert "signature=<redacted>" in logs
    assert_clean(logs, forbidden(fake))
