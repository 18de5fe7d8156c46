"""The futures listenKey flow: the requests sent, the key kept secret, odd answers refused."""

from __future__ import annotations

import logging

import pytest

from oco_reconcile.errors import ExchangeError
from oco_reconcile.venues.usdm.streams import ListenKey
from tests.support.fake_binance import FAKE_API_KEY
from tests.unit.venues.usdm.fake_fapi import FakeFapi

PATH = "/fapi/v1/listenKey"
KEY = "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"  # the docs' example


def test_start_keepalive_close_send_the_api_key_and_no_signature() -> None:
    fake = FakeFapi()
    fake.reply("POST", PATH, {"listenKey": KEY})
    fake.reply("PUT", PATH, {})
    fake.reply("DELETE", PATH, {})
    with fake.usdm() as client:
        key = client.start_user_stream()
        client.keepalive_user_stream()
        client.close_user_stream()
    assert key.reveal() == KEY
    sent = fake.sent(PATH)
    assert [r.method for r in sent] == ["POST", "PUT", "DELETE"]
    assert all(r.api_key == FAKE_API_KEY for r in sent)
    assert all(r.signature_valid is None and r.params == [] for r in sent)


def test_the_listen_key_never_shows_in_repr_str_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeFapi()
    fake.reply("POST", PATH, {"listenKey": KEY})
    with caplog.at_level(logging.DEBUG), fake.usdm() as client:
        key = client.start_user_stream()
    assert KEY not in repr(key)
    assert KEY not in str(key)
    assert KEY not in f"{key} {key!r} {[key]}"
    assert KEY not in caplog.text
    assert key == ListenKey(KEY)


@pytest.mark.parametrize("body", [{}, {"listenKey": ""}, {"listenKey": 5}, [KEY]])
def test_an_odd_answer_is_an_exchange_error_without_the_body(body: object) -> None:
    fake = FakeFapi()
    fake.reply("POST", PATH, body)
    with fake.usdm() as client, pytest.raises(ExchangeError) as raised:
        client.start_user_stream()
    assert KEY not in str(raised.value)
    assert "listenKey" in str(raised.value) or "listen" in str(raised.value).lower()
