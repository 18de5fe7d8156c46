"""Settings -> a connected :class:`Exchange` (Spot) or :class:`FuturesExchange` (USDⓈ-M): the one
place that decides which exchange a command talks to and with which credentials.

``exchange: sim`` (the default) is the real :class:`BinanceClient` over an in-process transport to
the simulated exchange, its state kept in ``sim_state`` (relative to the settings file), so the
default path exercises the production client. Any other exchange reads credentials from the
environment variables the settings name. A loopback base URL with no credentials in the
environment uses the simulator's public keys: nothing on loopback can be Binance.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import httpx

from oco_reconcile.core.settings import Settings
from oco_reconcile.venues.credentials import Credentials, credentials_from_env
from oco_reconcile.venues.protocol import Exchange
from oco_reconcile.venues.signed import SignedRestClient
from oco_reconcile.venues.spot.client import BinanceClient
from oco_reconcile.venues.urls import (
    SIM_URL,
    is_loopback_host,
    resolve_base_url,
    resolve_futures_base_url,
)
from oco_reconcile.venues.usdm.client import UsdmClient
from oco_reconcile.venues.usdm.protocol import FuturesExchange

C = TypeVar("C", bound=SignedRestClient)


def sim_state_path(settings: Settings) -> Path:
    """Where the in-process simulator keeps its state: relative to the settings file's folder."""
    path = Path(settings.sim_state)
    if path.is_absolute() or settings.source is None:
        return path
    return settings.source.parent / path


def _sim_credentials() -> Credentials:
    from oco_reconcile.sim.wire.keys import SIM_API_KEY, SIM_API_SECRET

    return Credentials.hmac(SIM_API_KEY, SIM_API_SECRET)


def _has_credentials(settings: Settings, environ: Mapping[str, str]) -> bool:
    names = settings.credentials
    return bool(environ.get(names.api_key_env))


def _credentials_for(url: str, settings: Settings, environ: Mapping[str, str]) -> Credentials:
    if is_loopback_host(urlsplit(url).hostname) and not _has_credentials(settings, environ):
        return _sim_credentials()
    return credentials_from_env(settings.credentials, environ)


def _sim_transport(settings: Settings) -> httpx.BaseTransport:
    from oco_reconcile.sim.exchange import open_sim

    return open_sim(sim_state_path(settings)).transport()


@dataclass(frozen=True)
class _Target:
    """Which exchange a command talks to: everything but the venue's client class."""

    settings: Settings
    base_url: str | None
    transport: httpx.BaseTransport | None
    environ: Mapping[str, str] | None

    def client(self, make: type[C], resolve: Callable[[str], str]) -> C:
        settings = self.settings
        if self.base_url is None and settings.exchange == "sim":
            transport = self.transport if self.transport is not None else _sim_transport(settings)
            return make(SIM_URL, _sim_credentials(), transport=transport)
        env = os.environ if self.environ is None else self.environ
        url = resolve(self.base_url or settings.exchange)
        credentials = _credentials_for(url, settings, env)
        return make(
            url, credentials, transport=self.transport, recv_window_ms=settings.recv_window_ms
        )


def stream_credentials(
    settings: Settings, base_url: str | None = None, environ: Mapping[str, str] | None = None
) -> Credentials:
    """The credentials that sign the Spot user data subscription: the same as the REST client's
    (the simulator's public keys for ``exchange: sim`` and an empty loopback environment)."""
    if base_url is None and settings.exchange == "sim":
        return _sim_credentials()
    env = os.environ if environ is None else environ
    return _credentials_for(resolve_base_url(base_url or settings.exchange), settings, env)


@contextmanager
def open_exchange(
    settings: Settings,
    *,
    base_url: str | None = None,
    transport: httpx.BaseTransport | None = None,
    environ: Mapping[str, str] | None = None,
) -> Iterator[Exchange]:
    """A connected exchange for ``settings`` (``base_url`` overrides ``settings.exchange``)."""
    target = _Target(settings, base_url, transport, environ)
    with target.client(BinanceClient, resolve_base_url) as client:
        yield client


@contextmanager
def open_futures(
    settings: Settings,
    *,
    base_url: str | None = None,
    transport: httpx.BaseTransport | None = None,
    environ: Mapping[str, str] | None = None,
) -> Iterator[FuturesExchange]:
    """The USDⓈ-M futures venue for ``settings``, with the same credentials as Spot: the named
    exchange's ``/fapi`` host, or the one server a custom (or simulated) base URL names."""
    target = _Target(settings, base_url, transport, environ)
    with target.client(UsdmClient, resolve_futures_base_url) as client:
        yield client
