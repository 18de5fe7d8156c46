"""Reaching the simulator in tests: an in-memory exchange on a fake clock, ``sim serve`` on
127.0.0.1 in a thread, and a minimal client that signs like Binance's docs.

:class:`Api` builds the query string, signs exactly those bytes (rest-api.md "SIGNED endpoint
security") and sends it, so the wire tests control every byte; ``sell_oco`` / ``buy_oco`` are
valid OCO parameters at the seeded last prices.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from binance_common.configuration import ConfigurationRestAPI

from oco_reconcile.sim.exchange import SimExchange, open_sim
from oco_reconcile.sim.wire.faults import FaultPlan
from oco_reconcile.sim.wire.keys import SIM_API_KEY, SIM_API_SECRET
from oco_reconcile.sim.wire.server import start_server, stop_server
from tests.support.fake_time import FakeTime

SIM_START = 1_780_000_000.0  # seconds: where the simulator tests' clock starts


def sign(query: str, secret: str = SIM_API_SECRET) -> str:
    return hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()


@dataclass
class Api:
    """A minimal Binance client: builds the query string, signs exactly it, sends it."""

    http: httpx.Client
    time: FakeTime
    api_key: str = SIM_API_KEY
    secret: str = SIM_API_SECRET

    def public(self, method: str, path: str, **params: Any) -> httpx.Response:
        query = urlencode(params)
        return self.http.request(method, f"{path}?{query}" if query else path)

    def signed(self, method: str, path: str, **params: Any) -> httpx.Response:
        params.setdefault("timestamp", self.time.clock_ms())
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


def make_sim(time: FakeTime, faults: FaultPlan | None = None) -> SimExchange:
    """An in-memory simulator (seeded) whose clock and latency are ``time``."""
    return open_sim(None, clock=time.clock_ms, sleep=time.sleep, faults=faults)


def serve(sim: SimExchange) -> Iterator[str]:
    """``sim serve`` on 127.0.0.1 (port 0) in a thread: yields its base URL, then stops it."""
    server, url = start_server(sim)
    try:
        yield url
    finally:
        stop_server(server)


def error(response: httpx.Response) -> tuple[int, int, str]:
    body = response.json()
    return response.status_code, body["code"], body["msg"]


def sdk_configuration(url: str) -> ConfigurationRestAPI:
    """The official Binance SDKs' REST configuration for the simulator at ``url``: its keys, no
    retries (a refusal must show), a 5 s timeout."""
    return ConfigurationRestAPI(
        api_key=SIM_API_KEY, api_secret=SIM_API_SECRET, base_path=url, retries=0, timeout=5000
    )
