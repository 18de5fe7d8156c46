"""TLS verification: every https client verifies against the CA bundle; a plain-http loopback
client (the simulator) has no TLS to verify and does not pay for loading the bundle."""

from __future__ import annotations

import ssl

import pytest

from oco_reconcile.venues.spot.client import BinanceClient
from oco_reconcile.venues.urls import PRODUCTION_URL, TESTNET_URL
from oco_reconcile.venues.usdm.client import UsdmClient


@pytest.fixture
def bundle_loads(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every CA bundle load (a spy on the stdlib call; the load itself still happens)."""
    loads: list[object] = []
    real = ssl.SSLContext.load_verify_locations

    def spy(self: ssl.SSLContext, *args: object, **kwargs: object) -> None:
        loads.append(args or kwargs)
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", spy)
    return loads


@pytest.mark.parametrize("url", [PRODUCTION_URL, TESTNET_URL])
def test_an_https_client_verifies_certificates(url: str, bundle_loads: list[object]) -> None:
    with BinanceClient(url, None):
        pass
    assert len(bundle_loads) == 1


def test_a_futures_https_client_verifies_certificates(bundle_loads: list[object]) -> None:
    with UsdmClient("https://fapi.binance.com", None):
        pass
    assert len(bundle_loads) == 1


def test_a_loopback_http_client_loads_no_bundle(bundle_loads: list[object]) -> None:
    with BinanceClient("http://127.0.0.1:8765", None):
        pass
    assert bundle_loads == []
