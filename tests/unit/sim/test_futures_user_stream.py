"""The futures user data stream of ``sim serve`` (binance-api.md §11.2): the listenKey REST
lifecycle, ``ALGO_UPDATE`` / ``ORDER_TRADE_UPDATE`` / ``ACCOUNT_UPDATE`` on ``/ws/<listenKey>``
and the private route ``/private/ws?listenKey=...&events=...`` the client uses (read back by the
production parser), and ``listenKeyExpired`` after 60 minutes without a
keepalive (engine clock)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from oco_reconcile.core.events import EventKind
from oco_reconcile.sim.exchange import SimExchange
from oco_reconcile.sim.wire.server import SimHTTPServer, stop_server
from oco_reconcile.venues.usdm.stream_events import futures_event
from oco_reconcile.venues.usdm.streams import ListenKey
from oco_reconcile.venues.user_streams import FuturesUserStream, futures_stream_url
from tests.support.fake_time import FakeTime
from tests.support.fapi_api import ALGO, in_process, stop_loss, take_profit
from tests.support.sim_api import Api, error
from tests.unit.sim.stream_client import Reader, event_named, streams

LISTEN_KEY = "/fapi/v1/listenKey"
KEY_HEADER = {"X-MBX-APIKEY": "oco-reconcile-sim-api-key-0000000000000000000000000000000000000000"}


@pytest.fixture
def fapi(sim: SimExchange, clock: FakeTime) -> Iterator[Api]:
    with in_process(sim, clock) as api:
        yield api


def start_key(fapi: Api) -> str:
    response = fapi.http.post(LISTEN_KEY, headers=KEY_HEADER)
    assert response.status_code == 200, response.text
    key: str = response.json()["listenKey"]
    return key


def test_the_listen_key_lifecycle(fapi: Api, clock: FakeTime) -> None:
    key = start_key(fapi)
    assert len(key) == 64
    assert key.isalnum()
    assert start_key(fapi) == key  # an active key is extended, not replaced
    kept = fapi.http.put(LISTEN_KEY, headers=KEY_HEADER)
    assert kept.json() == {"listenKey": key}
    assert kept.headers["X-MBX-USED-WEIGHT-1M"] == "3"
    assert error(fapi.http.post(LISTEN_KEY))[:2] == (401, -2014)
    assert error(fapi.http.post(LISTEN_KEY, headers={"X-MBX-APIKEY": "x"}))[:2] == (401, -2015)
    clock.advance(3600)  # 60 minutes without a keepalive
    assert error(fapi.http.put(LISTEN_KEY, headers=KEY_HEADER))[:2] == (400, -1125)
    fresh = start_key(fapi)
    assert fresh != key
    assert fapi.http.delete(LISTEN_KEY, headers=KEY_HEADER).json() == {}
    assert error(fapi.http.put(LISTEN_KEY, headers=KEY_HEADER))[:2] == (400, -1125)


def test_algo_orders_and_their_trigger_are_streamed(sim: SimExchange, fapi: Api) -> None:
    key = start_key(fapi)
    with streams(sim) as server, connect(f"{server.url}/ws/{key}") as connection:
        reader = Reader(connection)
        fapi.signed("POST", ALGO, **take_profit())
        fapi.signed("POST", ALGO, **stop_loss())
        placed = futures_event(reader.until(event_named("ALGO_UPDATE", X="NEW")))
        assert placed is not None
        assert (placed.kind, placed.client_id) == (EventKind.PLACED, "me-btc-long-1a2b3c-tp")
        reader.until(event_named("ALGO_UPDATE", X="NEW", caid="me-btc-long-1a2b3c-sl"))
        sim.engine.usdm.set_prices("BTCUSDT", Decimal("125000"), Decimal("125000"))
        done = futures_event(reader.until(event_named("ALGO_UPDATE", X="FINISHED")))
        assert done is not None
        assert done.kind is EventKind.FILLED
        assert done.price == Decimal(125000)
        filled = futures_event(reader.until(event_named("ORDER_TRADE_UPDATE", X="FILLED")))
        assert filled is not None
        assert (filled.kind, filled.price) == (EventKind.FILLED, Decimal(125000))
        account = reader.until(event_named("ACCOUNT_UPDATE"))
        assert account["a"]["P"][0]["s"] == "BTCUSDT"
        assert Decimal(account["a"]["P"][0]["pa"]) == 0


def test_the_stream_ends_when_the_key_expires(sim: SimExchange, fapi: Api, clock: FakeTime) -> None:
    key = start_key(fapi)
    with streams(sim) as server, connect(f"{server.url}/ws/{key}") as connection:
        reader = Reader(connection)
        clock.advance(3600)
        expired = reader.until(event_named("listenKeyExpired"))
        ended = futures_event(expired)
        assert ended is not None
        assert ended.kind is EventKind.STREAM_ENDED
        with pytest.raises(ConnectionClosed):
            reader.until(lambda _item: False)


def test_an_unknown_listen_key_is_refused(sim: SimExchange) -> None:
    with streams(sim) as server, pytest.raises(InvalidStatus) as refused:
        connect(f"{server.url}/ws/{'x' * 64}")
    assert refused.value.response.status_code == 400


def test_a_listen_key_is_never_logged(sim: SimExchange, capsys: pytest.CaptureFixture[str]) -> None:
    server = SimHTTPServer(("127.0.0.1", 0), sim, quiet=False)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with httpx.Client(base_url=server.url, headers=KEY_HEADER) as http:
            key = http.post(LISTEN_KEY).json()["listenKey"]
            assert http.put(f"{LISTEN_KEY}?listenKey={key}").status_code == 200
    finally:
        stop_server(server)
    logged = capsys.readouterr().err
    assert "listenKey=***" in logged
    assert key not in logged


def test_the_private_route_sends_only_the_events_asked_for(sim: SimExchange, fapi: Api) -> None:
    key = start_key(fapi)
    route = f"/private/ws?listenKey={key}&events=ALGO_UPDATE"
    with streams(sim) as server, connect(server.url + route) as ws:
        reader = Reader(ws)
        fapi.signed("POST", ALGO, **take_profit())
        reader.until(event_named("ALGO_UPDATE", X="NEW"))
        sim.engine.usdm.set_prices("BTCUSDT", Decimal("125000"), Decimal("125000"))
        reader.until(event_named("ALGO_UPDATE", X="FINISHED"))
        fapi.signed("POST", ALGO, **stop_loss())  # after the trade and position updates
        reader.until(event_named("ALGO_UPDATE", X="NEW", caid="me-btc-long-1a2b3c-sl"))
    assert {item["e"] for item in reader.seen} == {"ALGO_UPDATE"}


def test_the_client_reads_the_private_route_to_the_end_of_its_key(
    sim: SimExchange, fapi: Api, clock: FakeTime
) -> None:
    key = ListenKey(start_key(fapi))
    assert futures_stream_url("wss://fstream.binance.com", key) == (
        f"wss://fstream.binance.com/private/ws?listenKey={key.reveal()}"
        "&events=ORDER_TRADE_UPDATE/ALGO_UPDATE/listenKeyExpired"
    )
    with streams(sim) as server, FuturesUserStream(server.url, key) as stream:
        fapi.signed("POST", ALGO, **take_profit())
        placed = next(stream.events(10))
        assert (placed.kind, placed.client_id) == (EventKind.PLACED, "me-btc-long-1a2b3c-tp")
        clock.advance(3600)
        ended = next(stream.events(10))
        assert ended.kind is EventKind.STREAM_ENDED


def test_the_private_route_refuses_an_unknown_key(sim: SimExchange) -> None:
    with streams(sim) as server, pytest.raises(InvalidStatus) as refused:
        connect(f"{server.url}/private/ws?listenKey={'x' * 64}&events=ALGO_UPDATE")
    assert refused.value.response.status_code == 400
