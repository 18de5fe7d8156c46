"""Reaching the simulator's ``/fapi`` in tests: an :class:`~tests.support.sim_api.Api` over the
in-process transport, and valid conditional-order parameters at the seeded prices."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from oco_reconcile.sim.exchange import SimExchange
from tests.support.fake_time import FakeTime
from tests.support.sim_api import Api

ALGO = "/fapi/v1/algoOrder"


def take_profit(**overrides: Any) -> dict[str, Any]:
    """A SELL take-profit closing the seeded BTCUSDT long (mark = last = 110000)."""
    params: dict[str, Any] = {
        "algoType": "CONDITIONAL",
        "symbol": "BTCUSDT",
        "side": "SELL",
        "type": "TAKE_PROFIT_MARKET",
        "triggerPrice": "125000",
        "closePosition": "true",
        "workingType": "MARK_PRICE",
        "priceProtect": "TRUE",
        "clientAlgoId": "me-btc-long-1a2b3c-tp",
    }
    params.update(overrides)
    return {key: value for key, value in params.items() if value is not None}


def stop_loss(**overrides: Any) -> dict[str, Any]:
    return take_profit(
        type="STOP_MARKET", triggerPrice="98000", clientAlgoId="me-btc-long-1a2b3c-sl", **overrides
    )


@contextmanager
def in_process(sim: SimExchange, clock: FakeTime) -> Iterator[Api]:
    with httpx.Client(base_url="http://sim.local", transport=sim.transport()) as http:
        yield Api(http, clock)
