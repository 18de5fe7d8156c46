"""Simulator test set-up: a controllable clock, an in-memory exchange, and ``sim serve`` on
127.0.0.1 (port 0) in a thread, reached by a plain httpx client that signs like Binance's docs."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from oco_reconcile.sim.engine.machine import Engine
from oco_reconcile.sim.exchange import SimExchange, open_sim
from oco_reconcile.sim.wire.faults import FaultPlan
from oco_reconcile.sim.wire.keys import SIM_API_KEY, SIM_API_SECRET
from oco_reconcile.sim.wire.server import start_server, stop_server

START_MS = 1_780_000_000_000


@dataclass
class FakeClock:
    """Milliseconds that only move when a test moves them."""

    now: int = START_MS
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> int:
        return self.now

    def advance(self, ms: int) -> None:
        self.now += ms

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += int(seconds * 1000)


def sign(query: str, secret: str = SIM_API_SECRET) -> str:
    return hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()


@dataclass
class Api:
    """A minimal Binance client: builds the query string, signs exactly it, sends it."""

    http: httpx.Client
    clock: FakeClock
    api_key: str = SIM_API_KEY
    secret: str = SIM_API_SECRET

    def public(self, method: str, path: str, **params: Any) -> httpx.Response:
        query = urlencode(params)
        return self.http.request(method, f"{path}?{query}" if query else path)

    def signed(self, method: str, path: str, **params: Any) -> httpx.Response:
        params.setdefault("timestamp", self.clock())
        query = urlencode({k: v for k, v in params.items() if v is not None})
        url = f"{path}?{query}&signature={sign(query, self.secret)}"
        return self.http.request(method, url, headers={"X-MBX-APIKEY": self.api_key})

    def place(self, **overrides: Any) -> httpx.Response:
        return self.signed("POST", "/api/v3/orderList/oco", **sell_oco(**overrides))

    def open_lists(self) -> list[dict[str, Any]]:
        response = self.signed("GET", "/api/v3/openOrderList")
        assert response.status_code == 200, response.text
        lists: list[dict[str, Any]] = response.json()
        return lists

    def balance(self, asset: str) -> tuple[str, str]:
        balances = self.signed("GET", "/api/v3/account").json()["balances"]
        row = next(item for item in balances if item["asset"] == asset)
        return row["free"], row["locked"]


def sell_oco(**overrides: Any) -> dict[str, Any]:
    """A valid SELL bracket on BTCUSDT at the seeded last price 110000."""
    params: dict[str, Any] = {
        "symbol": "BTCUSDT",
        "side": "SELL",
        "quantity": "0.01",
        "aboveType": "LIMIT_MAKER",
        "abovePrice": "120000",
        "belowType": "STOP_LOSS_LIMIT",
        "belowStopPrice": "100000",
        "belowPrice": "99900",
        "belowTimeInForce": "GTC",
        "listClientOrderId": "ocr-btc-exit-abcdef",
    }
    params.update(overrides)
    return {key: value for key, value in params.items() if value is not None}


def buy_oco(**overrides: Any) -> dict[str, Any]:
    """A valid BUY bracket on ETHUSDT at the seeded last price 4000."""
    params: dict[str, Any] = {
        "symbol": "ETHUSDT",
        "side": "BUY",
        "quantity": "0.5",
        "aboveType": "STOP_LOSS_LIMIT",
        "aboveStopPrice": "4400",
        "abovePrice": "4410",
        "aboveTimeInForce": "GTC",
        "belowType": "LIMIT_MAKER",
        "belowPrice": "3600",
        "listClientOrderId": "ocr-eth-entry-abcdef",
    }
    params.update(overrides)
    return {key: value for key, value in params.items() if value is not None}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_sim(clock: FakeClock, faults: FaultPlan | None = None) -> SimExchange:
    return open_sim(None, clock=clock, sleep=clock.sleep, faults=faults)


@pytest.fixture
def sim(clock: FakeClock) -> SimExchange:
    return make_sim(clock)


@pytest.fixture
def engine(sim: SimExchange) -> Engine:
    return sim.engine


def serve(sim: SimExchange) -> Iterator[str]:
    server, url = start_server(sim)
    try:
        yield url
    finally:
        stop_server(server)


@pytest.fixture
def server_url(sim: SimExchange) -> Iterator[str]:
    yield from serve(sim)


@pytest.fixture
def api(server_url: str, clock: FakeClock) -> Iterator[Api]:
    with httpx.Client(base_url=server_url, timeout=10) as http:
        yield Api(http, clock)


def error(response: httpx.Response) -> tuple[int, int, str]:
    body = response.json()
    return response.status_code, body["code"], body["msg"]
