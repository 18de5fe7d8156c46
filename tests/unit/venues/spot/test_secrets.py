"""Secrets never appear in a repr, an exception (with its traceback) or a log record.

Known fake secrets are used end to end, and every surface is searched for them, for the signature
and for the query string that carries it. (Cassettes are checked in test_cassettes.py.)
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from oco_reconcile.errors import ExchangeError
from oco_reconcile.venues.credentials import Credentials
from oco_reconcile.venues.retry import RetryPolicy
from oco_reconcile.venues.spot.client import BinanceClient
from oco_reconcile.venues.urls import PRODUCTION_URL
from tests.support.fake_binance import FAKE_API_KEY, FAKE_SECRET, FakeBinance

from .test_binance_requests import SELL_BRACKET

OCO = "/api/v3/orderList/oco"


def forbidden(fake: FakeBinance) -> list[str]:
    """The secret values, plus every signature and signed query string the fake has seen."""
    values = [FAKE_API_KEY, FAKE_SECRET]
    for sent in fake.requests:
        if sent.signature_valid is not None:
            values += [sent.raw_query, sent.param("signature") or "<none>"]
    return values


def assert_clean(text: str, values: list[str]) -> None:
    for value in values:
        assert value not in text
    assert "signature=" not in text


def pem(key: ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda: Credentials.hmac(FAKE_API_KEY, FAKE_SECRET),
        lambda: Credentials.from_private_key_pem(
            FAKE_API_KEY, pem(ed25519.Ed25519PrivateKey.generate())
        ),
        lambda: Credentials.from_private_key_pem(
            FAKE_API_KEY, pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
        ),
    ],
)
def test_client_repr_shows_no_key_material(make: Callable[[], Credentials]) -> None:
    credentials = make()
    client = BinanceClient(PRODUCTION_URL, credentials)
    with client:
        for shown in (repr(client), str(client), f"{client!r}", repr(credentials)):
            assert FAKE_API_KEY not in shown
            assert FAKE_SECRET not in shown
            assert "PRIVATE KEY" not in shown
            assert "***" in shown


ERROR_REPLIES: list[dict[str, Any]] = [
    {"status": 400, "raw": b'{"code":-1013,"msg":"Filter failure: PRICE_FILTER"}'},
    {"status": 400, "raw": b'{"code":-1022,"msg":"Signature for this request is not valid."}'},
    {
        "status": 401,
        "raw": b'{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}',
    },
    {"status": 403, "raw": b"<html>blocked</html>"},
    {"status": 418, "raw": b'{"code":-1003,"msg":"IP banned"}', "headers": {"Retry-After": "60"}},
    {"status": 429, "raw": b'{"code":-1015,"msg":"Too many"}', "headers": {"Retry-After": "1"}},
    {"status": 503, "raw": b""},
    {"raises": httpx.ReadTimeout},
    {"raises": httpx.ConnectError},
    {"raises": httpx.RemoteProtocolError},
    {"status": 200, "raw": b"not json"},
]


@pytest.mark.parametrize("reply", ERROR_REPLIES)
def test_exceptions_and_tracebacks_carry_no_secret(
    fake_binance: FakeBinance, reply: dict[str, Any]
) -> None:
    fake_binance.reply("POST", OCO, None, **reply)
    with fake_binance.client() as client, pytest.raises(ExchangeError) as caught:
        client.place_oco(SELL_BRACKET)
    error = caught.value
    text = "".join(traceback.format_exception(error)) + repr(error) + repr(error.args)
    assert_clean(text, forbidden(fake_binance))
    assert error.endpoint == OCO


def test_logs_carry_method_path_status_only(
    fake_binance: FakeBinance, caplog: pytest.LogCaptureFixture
) -> None:
    fake_binance.reply("GET", "/api/v3/openOrderList", None, status=503, raw=b"")
    fake_binance.reply("GET", "/api/v3/openOrderList", [])
    fake_binance.reply("POST", OCO, None, raises=httpx.ReadTimeout)
    client = fake_binance.client(retry=RetryPolicy(jitter=0.0))
    with caplog.at_level(logging.DEBUG), client:
        client.open_order_lists()
        with pytest.raises(ExchangeError):
            client.place_oco(SELL_BRACKET)
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("oco_reconcile")]
    everything = "\n".join(r.getMessage() for r in caplog.records)
    for value in forbidden(fake_binance):
        assert value not in everything
    messages = ours
    assert "GET /api/v3/openOrderList -> 503" in messages
    assert "GET /api/v3/openOrderList -> 200" in messages
    assert f"POST {OCO} -> ReadTimeout" in messages
    assert any(
        message.startswith("retrying GET /api/v3/openOrderList on api.binance.com after")
        for message in messages
    )
    assert_clean("\n".join(messages), forbidden(fake_binance))


def test_httpx_request_log_has_the_signature_redacted(
    fake_binance: FakeBinance, caplog: pytest.LogCaptureFixture
) -> None:
    fake_binance.reply("GET", "/api/v3/openOrderList", [])
    with caplog.at_level(logging.INFO, logger="httpx"), fake_binance.client() as client:
        client.open_order_lists()
    httpx_lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert any("/api/v3/openOrderList?" in line for line in httpx_lines)
    assert any("signature=<redacted>" in line for line in httpx_lines)
    values = [v for v in forbidden(fake_binance) if "signature=" not in v]  # the query minus it
    assert_clean("\n".join(httpx_lines).replace("signature=<redacted>", ""), values)
