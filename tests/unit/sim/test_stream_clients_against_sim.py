"""The tool's own stream clients (``venues/user_streams.py``) against the simulator's streams:
the signed Spot subscription and the futures listen key from ``UsdmClient``, events parsed."""

from __future__ import annotations

from decimal import Decimal

from oco_reconcile.core.events import EventKind, StreamEvent
from oco_reconcile.sim.exchange import SimExchange
from oco_reconcile.sim.wire.keys import SIM_API_KEY, SIM_API_SECRET
from oco_reconcile.venues.credentials import Credentials
from oco_reconcile.venues.urls import SIM_URL
from oco_reconcile.venues.usdm.client import UsdmClient
from oco_reconcile.venues.user_streams import FuturesUserStream, SpotUserStream
from tests.support.fake_time import FakeTime
from tests.support.fapi_api import ALGO, in_process, take_profit
from tests.support.sim_api import Api
from tests.unit.sim.stream_client import WITHIN_S, streams

CREDENTIALS = Credentials.hmac(SIM_API_KEY, SIM_API_SECRET)


def first(events: list[StreamEvent], kind: EventKind) -> StreamEvent:
    return next(event for event in events if event.kind is kind)


def test_the_spot_client_subscribes_and_reads_a_fill(
    sim: SimExchange, api: Api, clock: FakeTime
) -> None:
    with (
        streams(sim) as server,
        SpotUserStream(f"{server.url}/ws-api/v3", CREDENTIALS, clock.clock_ms(), 5000) as stream,
    ):
        api.place()
        sim.engine.set_price("BTCUSDT", Decimal("121000"))
        seen: list[StreamEvent] = []
        for event in stream.events(timeout=WITHIN_S):
            seen.append(event)
            if event.kind is EventKind.EXPIRED and event.list_client_id:
                break
    assert first(seen, EventKind.FILLED).price == Decimal(120000)
    assert first(seen, EventKind.PLACED).symbol == "BTCUSDT"


def test_the_futures_client_reads_an_algo_placement(sim: SimExchange, clock: FakeTime) -> None:
    client = UsdmClient(
        SIM_URL, CREDENTIALS, transport=sim.transport(), clock=clock.clock, sleep=clock.sleep
    )
    key = client.start_user_stream()
    with streams(sim) as server, FuturesUserStream(server.url, key) as stream:
        with in_process(sim, clock) as fapi:
            fapi.signed("POST", ALGO, **take_profit())
        event = next(stream.events(timeout=WITHIN_S))
        assert (event.kind, event.client_id) == (EventKind.PLACED, "me-btc-long-1a2b3c-tp")
        client.keepalive_user_stream()
        client.close_user_stream()
        ended = next(stream.events(timeout=WITHIN_S))
        assert ended.kind is EventKind.STREAM_ENDED


def test_a_quiet_stream_times_out_and_stays_open(sim: SimExchange, clock: FakeTime) -> None:
    client = UsdmClient(
        SIM_URL, CREDENTIALS, transport=sim.transport(), clock=clock.clock, sleep=clock.sleep
    )
    with streams(sim) as server, FuturesUserStream(server.url, client.start_user_stream()) as s:
        try:
            next(s.events(timeout=0.05))
        except TimeoutError:
            pass
        else:
            raise AssertionError("an event arrived on a quiet stream")
        with in_process(sim, clock) as fapi:
            fapi.signed("POST", ALGO, **take_profit())
        event = next(s.events(timeout=WITHIN_S))
    assert event.kind is EventKind.PLACED
