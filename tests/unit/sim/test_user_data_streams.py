"""The Spot user data stream of ``sim serve`` (WebSocket API, binance-api.md §11.1): subscribe
with a signature, the events of a placement and a trigger (read back by the production parser),
refusals, unsubscribe, a change made by another process, and stream faults."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from oco_reconcile.core.events import EventKind
from oco_reconcile.errors import UsageError
from oco_reconcile.sim.exchange import SimExchange, open_sim
from oco_reconcile.sim.wire.faults import FaultPlan
from oco_reconcile.venues.spot.stream_events import spot_event
from tests.support.fake_time import FakeTime
from tests.support.sim_api import Api, make_sim
from tests.unit.sim.stream_client import (
    Reader,
    event_named,
    spot_subscribed,
    streams,
    subscribe_request,
)

LIST_ID = "ocr-btc-exit-abcdef"


def test_a_placement_and_a_trigger_arrive_as_documented_events(
    sim: SimExchange, api: Api, clock: FakeTime
) -> None:
    with streams(sim) as server, spot_subscribed(server.url, clock.clock_ms()) as reader:
        assert api.place().status_code == 200
        first = reader.until(event_named("executionReport", X="NEW"))
        placed = spot_event(first)
        assert placed is not None
        assert (placed.kind, placed.symbol) == (EventKind.PLACED, "BTCUSDT")
        reader.until(event_named("listStatus", l="EXEC_STARTED", C=LIST_ID))
        balances = reader.until(event_named("outboundAccountPosition"))
        assert {row["a"] for row in balances["event"]["B"]} == {"BTC"}
        sim.engine.set_price("BTCUSDT", Decimal("121000"))  # the LIMIT_MAKER leg fills
        fill = spot_event(reader.until(event_named("executionReport", X="FILLED")))
        assert fill is not None
        assert fill.kind is EventKind.FILLED
        assert (fill.price, fill.quantity) == (Decimal(120000), Decimal("0.01"))
        expired = reader.until(event_named("executionReport", X="EXPIRED"))
        assert expired["event"]["eR"] == "OCO_TRIGGER"
        done = spot_event(reader.until(event_named("listStatus", l="ALL_DONE")))
        assert done is not None
        assert (done.kind, done.list_client_id) == (EventKind.EXPIRED, LIST_ID)
        assert all(item["subscriptionId"] == 0 for item in reader.seen if "event" in item)


def test_a_cancel_reports_the_cancelled_order_id(
    sim: SimExchange, api: Api, clock: FakeTime
) -> None:
    with streams(sim) as server, spot_subscribed(server.url, clock.clock_ms()) as reader:
        api.place()
        reader.until(event_named("listStatus"))
        api.signed("DELETE", "/api/v3/orderList", symbol="BTCUSDT", listClientOrderId=LIST_ID)
        cancelled = reader.until(event_named("executionReport", X="CANCELED"))
        event = spot_event(cancelled)
        assert event is not None
        assert event.kind is EventKind.CANCELLED
        assert event.client_id == cancelled["event"]["C"]  # the id it was placed with


@pytest.mark.parametrize(
    ("change", "code", "status"),
    [
        ({"secret": "wrong"}, -1022, 400),
        ({"api_key": "nobody"}, -2015, 401),
    ],
)
def test_a_bad_subscription_is_refused(
    sim: SimExchange, clock: FakeTime, change: dict[str, Any], code: int, status: int
) -> None:
    with streams(sim) as server, connect(server.url + "/ws-api/v3") as connection:
        reader = Reader(connection)
        answer = reader.request(subscribe_request(clock.clock_ms(), **change))
        assert (answer["status"], answer["error"]["code"]) == (status, code)
        stale = reader.request(subscribe_request(clock.clock_ms() - 60_000, req_id=2))
        assert stale["error"]["code"] == -1021
        listed = reader.request({"id": 3, "method": "session.subscriptions"})
        assert listed["result"] == []


def test_ping_unsubscribe_and_the_end_of_the_stream(sim: SimExchange, clock: FakeTime) -> None:
    with streams(sim) as server, spot_subscribed(server.url, clock.clock_ms()) as reader:
        assert reader.request({"id": "p", "method": "ping"})["result"] == {}
        unknown = reader.request({"id": 2, "method": "order.place", "params": {}})
        assert unknown["error"]["code"] == -1020
        assert reader.request({"id": 3, "method": "userDataStream.unsubscribe"})["status"] == 200
        ended = spot_event(reader.until(event_named("eventStreamTerminated")))
        assert ended is not None
        assert ended.kind is EventKind.STREAM_ENDED


def test_a_change_made_by_another_process_is_streamed(tmp_path: Path, clock: FakeTime) -> None:
    state = tmp_path / "sim.json"
    serving = open_sim(state, clock=clock.clock_ms)
    other = open_sim(state, clock=clock.clock_ms)  # as `sim price` in another process
    with streams(serving) as server, spot_subscribed(server.url, clock.clock_ms()) as reader:
        Api(_client(other), clock).place()
        reader.until(event_named("listStatus", l="EXEC_STARTED", C=LIST_ID))
        other.engine.set_price("BTCUSDT", Decimal("99000"))  # the stop leg triggers
        done = spot_event(reader.until(event_named("listStatus", l="ALL_DONE")))
        assert done is not None
        assert done.list_client_id == LIST_ID


def _client(sim: SimExchange) -> httpx.Client:
    return httpx.Client(base_url="http://sim.local", transport=sim.transport())


def test_a_dropped_connection_and_a_server_shutdown(clock: FakeTime) -> None:
    plan = FaultPlan.from_mapping(
        {
            "faults": [
                {"kind": "drop", "endpoint": "WS /ws-api/v3", "sequence": "x"},
                {"kind": "server_shutdown", "endpoint": "WS /ws-api/v3", "sequence": ".x"},
            ]
        }
    )
    sim = make_sim(clock, faults=plan)
    api = Api(_client(sim), clock)
    with streams(sim) as server:
        with spot_subscribed(server.url, clock.clock_ms()) as reader:
            api.place()
            with pytest.raises(ConnectionClosed) as closed:
                reader.until(lambda _item: False)
            assert closed.value.rcvd is None  # no close frame: the TCP connection dropped
        with spot_subscribed(server.url, clock.clock_ms()) as reader:
            sim.engine.set_price("BTCUSDT", Decimal("121000"))
            notice = reader.until(event_named("serverShutdown"))
            assert notice["subscriptionId"] == 0
            with pytest.raises(ConnectionClosed) as closed:
                reader.until(lambda _item: False)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 1001
        with spot_subscribed(server.url, clock.clock_ms()) as reader:
            server.drop_all()
            with pytest.raises(ConnectionClosed):
                reader.until(lambda _item: False)


def test_an_unknown_stream_path_is_refused(sim: SimExchange) -> None:
    with streams(sim) as server, pytest.raises(InvalidStatus) as refused:
        connect(server.url + "/stream")
    assert refused.value.response.status_code == 404


def test_stream_fault_kinds_are_checked() -> None:
    with pytest.raises(UsageError, match="stream fault"):
        FaultPlan.from_mapping({"faults": [{"kind": "server_shutdown", "endpoint": "*"}]})
    with pytest.raises(UsageError, match="stream fault"):
        FaultPlan.from_mapping({"faults": [{"kind": "ban", "endpoint": "WS /ws"}]})


def test_a_partial_fill_reports_the_executed_part(
    sim: SimExchange, api: Api, clock: FakeTime
) -> None:
    with streams(sim) as server, spot_subscribed(server.url, clock.clock_ms()) as reader:
        api.place()
        reader.until(event_named("listStatus"))
        sim.engine.force_fill(LIST_ID, Decimal("0.004"), "above")
        partial = reader.until(event_named("executionReport", X="PARTIALLY_FILLED"))
        assert (partial["event"]["x"], partial["event"]["l"]) == ("TRADE", "0.00400000")
        event = spot_event(partial)
        assert event is not None
        assert (event.kind, event.quantity) == (EventKind.PARTLY_FILLED, Decimal("0.004"))


def test_a_stall_then_a_drop_on_the_futures_stream(clock: FakeTime) -> None:
    plan = FaultPlan.from_mapping(
        {
            "faults": [
                {"kind": "read_timeout", "endpoint": "WS /ws", "latency_ms": 200, "sequence": "x"}
            ]
        }
    )
    sim = make_sim(clock, faults=plan)
    key = sim.app.listen_keys.start()
    with streams(sim) as server, connect(f"{server.url}/ws/{key}") as connection:
        reader = Reader(connection)
        sim.engine.usdm.set_position("BTCUSDT", Decimal("0.02"), "BOTH")
        with pytest.raises(ConnectionClosed) as closed:
            reader.until(lambda _item: False)
        assert closed.value.rcvd is None
        assert reader.seen == []  # the event was lost with the connection


def test_the_engine_tells_its_listeners_of_each_change(sim: SimExchange) -> None:
    heard: list[int] = []
    sim.engine.listeners.append(lambda: heard.append(sim.engine.revision))
    sim.engine.set_price("BTCUSDT", Decimal("111000"))
    sim.engine.usdm.set_position("BTCUSDT", Decimal("0.02"), "BOTH")
    assert heard == [1, 2]
