"""A small synchronous client of the simulator's user data streams for the tests: subscribe on
the Spot WebSocket API, read until a message matches within a deadline."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from websockets.sync.client import ClientConnection, connect

from oco_reconcile.sim.exchange import SimExchange
from oco_reconcile.sim.streams.server import StreamServer, start_streams
from oco_reconcile.sim.wire.keys import SIM_API_KEY, SIM_API_SECRET

WITHIN_S = 5.0  # generous: the server polls every 0.1 s


@contextmanager
def streams(sim: SimExchange) -> Iterator[StreamServer]:
    server = start_streams(sim.app)
    try:
        yield server
    finally:
        server.stop()


def subscribe_request(
    timestamp: int, *, secret: str = SIM_API_SECRET, api_key: str = SIM_API_KEY, req_id: Any = 1
) -> dict[str, Any]:
    payload = f"apiKey={api_key}&timestamp={timestamp}"
    signature = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    params = {"apiKey": api_key, "timestamp": timestamp, "signature": signature}
    return {"id": req_id, "method": "userDataStream.subscribe.signature", "params": params}


class Reader:
    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.seen: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any]) -> None:
        self.connection.send(json.dumps(message))

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        self.send(message)
        return self.until(lambda item: item.get("id") == message["id"])

    def until(
        self, matches: Callable[[dict[str, Any]], bool], within: float = WITHIN_S
    ) -> dict[str, Any]:
        """The first message that ``matches`` (those before it are kept in :attr:`seen`)."""
        deadline = time.monotonic() + within
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching message within {within} s; seen {self.seen}")
            try:
                item = json.loads(self.connection.recv(timeout=left))
            except TimeoutError:
                continue
            self.seen.append(item)
            if matches(item):
                found: dict[str, Any] = item
                return found


@contextmanager
def spot_subscribed(url: str, timestamp: int) -> Iterator[Reader]:
    with connect(url + "/ws-api/v3") as connection:
        reader = Reader(connection)
        answer = reader.request(subscribe_request(timestamp))
        assert answer == {"id": 1, "status": 200, "result": {"subscriptionId": 0}}
        yield reader


def event_named(name: str, **fields: Any) -> Callable[[dict[str, Any]], bool]:
    """A Spot (wrapped) or futures (bare) event of type ``name`` with these fields."""

    def matches(item: dict[str, Any]) -> bool:
        event = item.get("event", item)
        if not isinstance(event, dict) or event.get("e") != name:
            return False
        body = event.get("o", event) if name != "executionReport" else event
        return all(body.get(key) == value for key, value in fields.items())

    return matches
