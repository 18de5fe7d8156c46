"""Which ``/fapi`` base URL each exchange setting reaches, and ``open_futures``: the same
credentials as Spot, the simulator's in-process transport for ``exchange: sim``."""

from __future__ import annotations

from collections.abc import Mapping

import httpx
import pytest

from oco_reconcile.core.settings import Settings
from oco_reconcile.errors import UsageError
from oco_reconcile.sim.wire.keys import SIM_API_KEY
from oco_reconcile.venues.connect import open_futures
from oco_reconcile.venues.urls import (
    FUTURES_DEMO_URL,
    FUTURES_PRODUCTION_URL,
    SIM_URL,
    is_production_url,
    resolve_futures_base_url,
)


@pytest.mark.parametrize(
    ("exchange", "url"),
    [
        ("production", "https://fapi.binance.com"),
        ("PRODUCTION", "https://fapi.binance.com"),
        ("testnet", "https://demo-fapi.binance.com"),
        ("demo", "https://demo-fapi.binance.com"),
        ("sim", SIM_URL),
        ("http://127.0.0.1:8765/", "http://127.0.0.1:8765"),
        ("http://localhost:9000", "http://localhost:9000"),
        ("https://binance.example.internal", "https://binance.example.internal"),
    ],
)
def test_futures_base_url_per_exchange(exchange: str, url: str) -> None:
    assert resolve_futures_base_url(exchange) == url


def test_a_bad_custom_url_is_refused_without_echoing_it() -> None:
    with pytest.raises(UsageError) as caught:
        resolve_futures_base_url("http://secret-host.example:80")
    assert "secret-host" not in str(caught.value)


@pytest.mark.parametrize(
    "url", ["https://fapi.binance.com", "https://FAPI.Binance.com:443", "https://fapi.binance.com."]
)
def test_the_futures_production_host_is_production_in_any_spelling(url: str) -> None:
    assert is_production_url(url)


def test_the_futures_demo_host_is_not_production() -> None:
    assert is_production_url(FUTURES_PRODUCTION_URL)
    assert not is_production_url(FUTURES_DEMO_URL)


def recording(seen: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/fapi/v1/time":
            return httpx.Response(200, json={"serverTime": 1_700_000_000_000})
        return httpx.Response(200, json=[])

    return httpx.MockTransport(handler)


def opened(
    settings: Settings, environ: Mapping[str, str], base_url: str | None = None
) -> list[httpx.Request]:
    seen: list[httpx.Request] = []
    transport = recording(seen)
    with open_futures(
        settings, base_url=base_url, transport=transport, environ=environ
    ) as exchange:
        assert exchange.open_algo_orders() == ()
    return seen


def test_sim_uses_the_in_process_transport_with_the_simulator_keys() -> None:
    seen = opened(Settings(exchange="sim"), {})
    assert [r.url.path for r in seen] == ["/fapi/v1/time", "/fapi/v1/openAlgoOrders"]
    assert seen[-1].url.host == "sim.local"
    assert seen[-1].headers["X-MBX-APIKEY"] == SIM_API_KEY


def test_a_loopback_base_url_is_the_same_server_as_spot() -> None:
    settings = Settings(exchange="production", confirm_production=True)
    seen = opened(settings, {}, base_url="http://127.0.0.1:8765")
    assert (seen[-1].url.host, seen[-1].url.port) == ("127.0.0.1", 8765)
    assert seen[-1].url.path == "/fapi/v1/openAlgoOrders"
    assert seen[-1].headers["X-MBX-APIKEY"] == SIM_API_KEY


def test_demo_uses_the_demo_futures_host_and_the_configured_credentials() -> None:
    env = {"BINANCE_API_KEY": "demo-key-123", "BINANCE_API_SECRET": "demo-secret-456"}
    seen = opened(Settings(exchange="demo"), env)
    assert seen[-1].url.host == "demo-fapi.binance.com"
    assert seen[-1].url.scheme == "https"
    assert seen[-1].headers["X-MBX-APIKEY"] == "demo-key-123"


def test_production_without_credentials_names_the_variable() -> None:
    settings = Settings(exchange="production", confirm_production=True)
    with pytest.raises(UsageError, match="BINANCE_API_KEY"), open_futures(settings, environ={}):
        pass
