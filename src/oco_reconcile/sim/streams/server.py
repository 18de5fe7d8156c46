"""The user data streams over WebSocket (the ``websockets`` library), on a second loopback port
beside ``sim serve``'s HTTP one (the stdlib HTTP server cannot upgrade a connection):

* ``/ws-api/v3``: the Spot WebSocket API (``session.py``); a subscription receives
  ``{"subscriptionId": N, "event": {...}}``;
* ``/private/ws?listenKey=<key>&events=<name>/<name>``, and the legacy ``/ws/<listenKey>``:
  the futures stream of a key from ``POST /fapi/v1/listenKey``; it receives the bare events
  (on the private route only those named in ``events``, when given) and ``listenKeyExpired``
  (then the close) once the key expired or was deleted. An unknown key is refused at the
  handshake (HTTP 400).

One task polls the engine (``watch.py``) every :data:`POLL_INTERVAL_S`, and at once when the
engine reports a change made in this process; each connection has a queue and a sender task, so
a slow client holds up nobody. Stream faults (``faults.py`` rules whose endpoint is
``WS /ws-api/v3`` or ``WS /ws``) are drawn once per event sent: ``drop`` aborts the TCP
connection (the event is lost), ``read_timeout`` stalls the connection for ``latency_ms`` and
then drops it, ``latency`` delays the event, ``server_shutdown`` sends ``serverShutdown`` (Spot)
and closes with 1001.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qs

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from oco_reconcile.errors import OcoReconcileError
from oco_reconcile.json_types import JsonObject
from oco_reconcile.sim.engine.machine import Engine
from oco_reconcile.sim.streams.session import Session
from oco_reconcile.sim.streams.watch import StateWatch
from oco_reconcile.sim.wire.app import SimApp
from oco_reconcile.sim.wire.faults import FaultInjector, FaultKind, FaultPlan, stream_rules

POLL_INTERVAL_S = 0.1
SPOT_PATH = "/ws-api/v3"
FUTURES_PREFIX = "/ws/"
FUTURES_PRIVATE_PATH = "/private/ws"
SPOT_FAULTS = "/ws-api/v3"  # the fault rule endpoint "WS /ws-api/v3"
FUTURES_FAULTS = "/ws"  # "WS /ws": every futures stream
_CLOSE = object()  # a queue item: close the connection normally
# The library's log lines may carry a stream path, i.e. a listen key (a secret): none are shown.
_QUIET = logging.getLogger("oco_reconcile.sim.streams")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False


@dataclass(eq=False)
class _Client:
    connection: ServerConnection
    fault_path: str
    session: Session | None = None  # the Spot WebSocket API's
    listen_key: str | None = None  # the futures stream's
    events: frozenset[str] | None = None  # the private route's ``events`` (None: every event)
    queue: asyncio.Queue[object] = field(default_factory=asyncio.Queue)


class StreamServer:
    def __init__(self, app: SimApp, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.engine: Engine = app.engine
        self.host, self.port = host, port
        self.faults = FaultInjector(FaultPlan(stream_rules(app.fault_plan), app.fault_plan.seed))
        self._watch = StateWatch(self.engine)
        self._clients: set[_Client] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stopped: asyncio.Event | None = None

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    # --- life cycle (from any thread) -----------------------------------------------------

    def start(self) -> str:
        """Serve from a daemon thread; the URL once listening (``port`` 0: a free port)."""
        self._thread = threading.Thread(target=self._run, name="sim-streams", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._server is None:
            raise OcoReconcileError(f"cannot listen on {self.host}:{self.port} for the streams")
        return self.url

    def stop(self) -> None:
        loop, stopped = self._loop, self._stopped
        if loop is not None and stopped is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stopped.set)
        if self._thread is not None:
            self._thread.join(10)

    def drop_all(self) -> None:
        """Abort every stream connection now (a network failure), from any thread."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._abort_all)

    def _run(self) -> None:
        with contextlib.suppress(OSError):
            asyncio.run(self._main())
        self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake, self._stopped = asyncio.Event(), asyncio.Event()
        listener = self._notify
        self.engine.listeners.append(listener)
        try:
            async with serve(
                self._handle,
                self.host,
                self.port,
                process_request=self._check_path,
                logger=_QUIET,
            ) as server:
                self._server = server
                self.port = next(iter(server.sockets)).getsockname()[1]
                self._ready.set()
                poller = asyncio.create_task(self._poll_forever())
                await self._stopped.wait()
                poller.cancel()
                self._abort_all()
        finally:
            self.engine.listeners.remove(listener)

    def _notify(self) -> None:  # an engine listener: any thread, engine lock held
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(wake.set)

    def _abort_all(self) -> None:
        for client in list(self._clients):
            client.connection.transport.abort()

    # --- connections ----------------------------------------------------------------------

    def _check_path(self, _connection: ServerConnection, request: Request) -> Response | None:
        if request.path.partition("?")[0] == SPOT_PATH:
            return None
        route = _futures_route(request.path)
        if route is None:
            return _refusal(HTTPStatus.NOT_FOUND, "not a stream the simulator serves")
        if self.app.listen_keys.is_active(route[0]):
            return None
        return _refusal(HTTPStatus.BAD_REQUEST, "invalid or expired listenKey")

    async def _handle(self, connection: ServerConnection) -> None:
        path = connection.request.path if connection.request else ""
        route = _futures_route(path)
        if route is None:
            client = _Client(connection, SPOT_FAULTS, session=self._session())
        else:
            client = _Client(connection, FUTURES_FAULTS, listen_key=route[0], events=route[1])
        self._clients.add(client)
        sender = asyncio.create_task(self._send_forever(client))
        try:
            async for raw in connection:
                if client.session is not None:
                    for answer in client.session.answer(raw):
                        client.queue.put_nowait(answer)
                # the futures stream takes no requests: anything sent is ignored
        except ConnectionClosed:
            pass
        finally:
            self._clients.discard(client)
            sender.cancel()

    def _session(self) -> Session:
        return Session(self.app.keys, self.app.server_time)

    async def _send_forever(self, client: _Client) -> None:
        connection = client.connection
        with contextlib.suppress(ConnectionClosed):
            while True:
                item = await client.queue.get()
                if item is _CLOSE:
                    await connection.close()
                    return
                assert isinstance(item, dict)  # noqa: S101 - the queue holds messages
                if _is_event(item) and not await self._deliver_faulted(client):
                    return
                await connection.send(json.dumps(item, separators=(",", ":")))

    async def _deliver_faulted(self, client: _Client) -> bool:
        """Apply the fault plan to the next event; False: the connection is gone."""
        draw = self.faults.draw("WS", client.fault_path)
        rule = draw.before or draw.after
        if draw.latency_ms:
            await asyncio.sleep(draw.latency_ms / 1000)
        if rule is None or rule.kind is FaultKind.LATENCY:
            return True
        if rule.kind is FaultKind.SERVER_SHUTDOWN:
            if client.session is not None:
                notice = {"e": "serverShutdown", "E": self.app.server_time()}
                for message in client.session.wrap(notice) or [{"event": notice}]:
                    await client.connection.send(json.dumps(message))
            await client.connection.close(1001, "server shutdown")
            return False
        client.connection.transport.abort()  # drop, or read_timeout after its stall
        return False

    # --- events ---------------------------------------------------------------------------

    async def _poll_forever(self) -> None:
        assert self._wake is not None  # noqa: S101 - set by _main
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_INTERVAL_S)
            self._wake.clear()
            try:
                changes = await asyncio.to_thread(self._watch.poll)
            except OcoReconcileError:
                continue  # the state file is unreadable right now: the next poll tries again
            except Exception as error:  # one bad poll must not end every stream: say so, go on
                print(f"sim serve: user data stream poll failed: {error!r}", file=sys.stderr)
                continue
            for client in list(self._clients):
                self._dispatch(client, changes.spot, changes.usdm)

    def _dispatch(self, client: _Client, spot: list[JsonObject], usdm: list[JsonObject]) -> None:
        if client.session is not None:
            for event in spot:
                for message in client.session.wrap(event):
                    client.queue.put_nowait(message)
            return
        for event in usdm:
            if client.events is None or event.get("e") in client.events:
                client.queue.put_nowait(event)
        key = client.listen_key
        if key is not None and not self.app.listen_keys.is_active(key):
            expired = {"e": "listenKeyExpired", "E": self.app.server_time(), "listenKey": key}
            client.queue.put_nowait(expired)
            client.queue.put_nowait(_CLOSE)
            client.listen_key = None


def _futures_route(target: str) -> tuple[str, frozenset[str] | None] | None:
    """The listen key and the events asked for of a futures stream's request target."""
    path, _, query = target.partition("?")
    if path.startswith(FUTURES_PREFIX):
        return path[len(FUTURES_PREFIX) :], None
    if path != FUTURES_PRIVATE_PATH:
        return None
    fields = parse_qs(query)
    keys, events = fields.get("listenKey", []), fields.get("events", [])
    if len(keys) != 1:
        return None
    return keys[0], frozenset("/".join(events).split("/")) if events else None


def _is_event(message: JsonObject) -> bool:
    return "event" in message or "e" in message


def _refusal(status: HTTPStatus, text: str) -> Response:
    body = f"{text}\n".encode()
    headers = Headers([("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return Response(status.value, status.phrase, headers, body)


def start_streams(app: SimApp, host: str = "127.0.0.1", port: int = 0) -> StreamServer:
    server = StreamServer(app, host=host, port=port)
    server.start()
    return server
