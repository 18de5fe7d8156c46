"""The one owner of hosts: named URLs, loopback, production by host, base URL validation."""

from __future__ import annotations

import pytest

from oco_reconcile.errors import UsageError
from oco_reconcile.venues import urls


@pytest.mark.parametrize(
    "url",
    [
        "production",
        "PRODUCTION",
        "https://api.binance.com",
        "https://API.Binance.COM/",
        "https://api.binance.com:443",
        "https://api1.binance.com",
        "https://api2.binance.com",
        "https://api3.binance.com",
        "https://api4.binance.com",
        "https://api-gcp.binance.com",
        "https://fapi.binance.com",
        "https://api.binance.com.",
    ],
)
def test_every_production_host_is_production(url: str) -> None:
    assert urls.is_production_url(url) is True


@pytest.mark.parametrize(
    "url",
    [
        "testnet",
        "demo",
        "sim",
        "https://testnet.binance.vision",
        "https://demo-api.binance.com",
        "https://demo-fapi.binance.com",
        "https://testnet.binancefuture.com",
        "https://notbinance.com",
        "http://127.0.0.1:8765",
        "not a url",
    ],
)
def test_other_hosts_are_not_production(url: str) -> None:
    assert urls.is_production_url(url) is False


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("LOCALHOST", True),
        ("localhost.", True),
        ("10.0.0.1", False),
        ("localhost.evil.com", False),
        ("", False),
        (None, False),
    ],
)
def test_loopback_hosts(host: str | None, loopback: bool) -> None:
    assert urls.is_loopback_host(host) is loopback


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://api.binance.com", None),
        ("http://127.0.0.1:8765", None),
        ("http://[::1]:8765", None),
        (
            "http://api.binance.com",
            "plain http:// is only allowed to a loopback host; use https://",
        ),
        ("ftp://x.example", "must be an http(s):// URL with a host"),
        ("https://user:secret@x.example", "must not contain a user name or password"),
        ("https://x.example/?k=v", "must be a base URL without a query or fragment"),
        ("https://x.example:99999", "is not a valid URL"),
    ],
)
def test_base_url_problems(url: str, problem: str | None) -> None:
    found = urls.base_url_problem(url)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert found.startswith(problem)
        assert "secret" not in found


def test_resolve_named_and_custom_urls() -> None:
    assert urls.resolve_base_url(" Testnet ") == urls.TESTNET_URL
    assert urls.resolve_base_url("http://127.0.0.1:8765/") == "http://127.0.0.1:8765"
    with pytest.raises(UsageError, match="plain http"):
        urls.resolve_base_url("http://example.com")


def test_stream_urls_of_named_exchanges_loopback_and_overrides() -> None:
    from oco_reconcile.venues.urls import StreamUrls, resolve_stream_urls

    assert resolve_stream_urls("production") == StreamUrls(
        "wss://ws-api.binance.com:443/ws-api/v3", "wss://fstream.binance.com"
    )
    assert resolve_stream_urls("testnet").spot == "wss://ws-api.testnet.binance.vision/ws-api/v3"
    assert resolve_stream_urls("http://127.0.0.1:8765") == StreamUrls(
        "ws://127.0.0.1:8766/ws-api/v3", "ws://127.0.0.1:8766"
    )
    assert resolve_stream_urls("production", "wss://streams.example/").futures == (
        "wss://streams.example"
    )


@pytest.mark.parametrize(
    ("exchange", "stream_url", "why"),
    [
        ("https://api.example.com", None, "--stream-url"),
        ("production", "ws://streams.example", "plain ws://"),
        ("production", "https://streams.example", r"ws\(s\)://"),
        ("production", "wss://user:pw@streams.example", "without credentials"),
    ],
)
def test_stream_urls_refused(exchange: str, stream_url: str | None, why: str) -> None:
    from oco_reconcile.venues.urls import resolve_stream_urls

    with pytest.raises(UsageError, match=why):
        resolve_stream_urls(exchange, stream_url)
