"""The user data stream clients against a local WebSocket server playing Binance's part
(binance-api.md §11): the signed subscription, events parsed, refusals and closes translated,
no secret in any message."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from websockets.sync.server import ServerConnection, serve

from oco_reconcile.core.events import EventKind
from oco_reconcile.errors import UnauthorizedError
from oco_reconcile.venues.credentials import Credentials
from oco_reconcile.venues.usdm.streams import ListenKey
from oco_reconcile.venues.user_streams import (
    FuturesUserStream,
    SpotUserStream,
    StreamClosedError,
    signed_subscription,
)
from tests.support.fake_binance import FAKE_API_KEY, FAKE_SECRET

CREDENTIALS = Credentials.hmac(FAKE_API_KEY, FAKE_SECRET)
LISTEN_KEY = "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"
FILL = {
    "subscriptionId": 0,
    "event": {
        "e": "executionReport", "E": 1499405658658, "s": "BTCUSDT", "c": "ocr-a-aaaaaa-tp",
        "S": "SELL", "X": "FILLED", "x": "TRADE", "l": "0.05", "L": "125000", "C": "",
    },
}  # fmt: skip
TRIGGER = {
    "e": "ALGO_UPDATE", "E": 1750515742303, "T": 1750515742297,
    "o": {"caid": "ocr-p-bbbbbb-sl", "s": "BTCUSDT", "S": "SELL", "X": "TRIGGERED",
          "tp": "98000", "ap": "0", "aq": "0"},
}  # fmt: skip


@contextmanager
def server(handler: Callable[[ServerConnection], None]) -> Iterator[str]:
    with serve(handler, "127.0.0.1", 0) as running:
        thread = threading.Thread(target=running.serve_forever, daemon=True)
        thread.start()
        port = running.socket.getsockname()[1]
        try:
            yield f"ws://127.0.0.1:{port}"
        finally:
            running.shutdown()
            thread.join(5)


def binance_ws_api(events: list[object], seen: list[dict[str, object]]) -> Callable[..., None]:
    def handle(connection: ServerConnection) -> None:
        request = json.loads(connection.recv())
        seen.append(request)
        params = request["params"]
        payload = "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "signature")
        expected = hmac.new(FAKE_SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
        if params["signature"] != expected:
            error = {"code": -1022, "msg": "Signature for this request is not valid."}
            connection.send(json.dumps({"id": request["id"], "status": 400, "error": error}))
            return
        answer = {"id": request["id"], "status": 200, "result": {"subscriptionId": 0}}
        connection.send(json.dumps(answer))
        for event in events:
            connection.send(json.dumps(event))

    return handle


def test_spot_subscribes_signed_and_yields_parsed_events() -> None:
    seen: list[dict[str, object]] = []
    handler = binance_ws_api([{"result": None, "id": 7}, FILL], seen)
    with (
        server(handler) as url,
        SpotUserStream(f"{url}/ws-api/v3", CREDENTIALS, 1_700_000_000_000, 5000) as stream,
    ):
        event = next(stream.events(timeout=5))
    assert (event.kind, event.client_id, str(event.price)) == (
        EventKind.FILLED,
        "ocr-a-aaaaaa-tp",
        "125000",
    )
    (request,) = seen
    assert request["method"] == "userDataStream.subscribe.signature"
    params = request["params"]
    assert isinstance(params, dict)
    assert sorted(params) == ["apiKey", "recvWindow", "signature", "timestamp"]


def test_a_refused_subscription_is_unauthorized_without_the_secret() -> None:
    bad = Credentials.hmac(FAKE_API_KEY, "not-the-secret")
    with server(binance_ws_api([], [])) as url, pytest.raises(UnauthorizedError) as raised:
        SpotUserStream(url, bad, 1_700_000_000_000, 5000)
    assert "Signature for this request is not valid." in str(raised.value)
    assert FAKE_SECRET not in str(raised.value)
    assert FAKE_API_KEY not in str(raised.value)


def test_a_closed_stream_ends_with_stream_closed() -> None:
    with (
        server(binance_ws_api([FILL], [])) as url,
        SpotUserStream(url, CREDENTIALS, 1, 5000) as stream,
    ):
        events = stream.events(timeout=5)
        assert next(events).kind is EventKind.FILLED
        with pytest.raises(StreamClosedError):
            next(events)


def test_futures_stream_reads_the_private_route_and_never_shows_the_key() -> None:
    paths: list[str] = []

    def handle(connection: ServerConnection) -> None:
        paths.append(connection.request.path if connection.request else "")
        connection.send(json.dumps(TRIGGER))

    with server(handle) as url, FuturesUserStream(url, ListenKey(LISTEN_KEY)) as stream:
        events = stream.events(timeout=5)
        event = next(events)
        with pytest.raises(StreamClosedError) as closed:
            next(events)
    events_asked = "ORDER_TRADE_UPDATE/ALGO_UPDATE/listenKeyExpired"
    assert paths == [f"/private/ws?listenKey={LISTEN_KEY}&events={events_asked}"]
    assert (event.kind, event.client_id) == (EventKind.TRIGGERED, "ocr-p-bbbbbb-sl")
    assert LISTEN_KEY not in str(closed.value)


def test_nothing_listening_is_stream_closed_naming_no_key() -> None:
    with pytest.raises(StreamClosedError) as raised:
        FuturesUserStream("ws://127.0.0.1:9", ListenKey(LISTEN_KEY))
    assert LISTEN_KEY not in str(raised.value)


def test_the_subscription_signs_the_sorted_parameters() -> None:
    request = json.loads(signed_subscription(CREDENTIALS, 1_700_000_000_000, 5000))
    params = request["params"]
    payload = f"apiKey={FAKE_API_KEY}&recvWindow=5000&timestamp=1700000000000"
    expected = hmac.new(FAKE_SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
    assert params["signature"] == expected
