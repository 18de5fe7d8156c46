"""Fixtures for the simulator tests (the helpers live in tests/support/sim_api.py): a fake clock,
an in-memory exchange on it, ``sim serve`` on 127.0.0.1, and an :class:`Api` client to it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from oco_reconcile.sim.engine.machine import Engine
from oco_reconcile.sim.exchange import SimExchange
from tests.support.fake_time import FakeTime
from tests.support.open_book import open_book_problems
from tests.support.sim_api import SIM_START, Api, make_sim, serve


@pytest.fixture
def clock() -> FakeTime:
    return FakeTime(SIM_START)


@pytest.fixture
def sim(clock: FakeTime) -> Iterator[SimExchange]:
    """The simulator; after the test, its open-order index must still match its records."""
    exchange = make_sim(clock)
    yield exchange
    assert open_book_problems(exchange.engine.state) == []


@pytest.fixture
def engine(sim: SimExchange) -> Engine:
    return sim.engine


@pytest.fixture
def server_url(sim: SimExchange) -> Iterator[str]:
    yield from serve(sim)


@pytest.fixture
def api(server_url: str, clock: FakeTime) -> Iterator[Api]:
    with httpx.Client(base_url=server_url, timeout=10) as http:
        yield Api(http, clock)
