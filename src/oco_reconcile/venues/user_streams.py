"""The user data streams, as iterators of :class:`~oco_reconcile.core.events.StreamEvent`.

* Spot: the WebSocket API (``/ws-api/v3``), ``userDataStream.subscribe.signature`` with the
  alphabetically sorted ``apiKey``, ``recvWindow``, ``timestamp`` signed like REST (any key
  type; binance-api.md §11.1), then events wrapped as ``{"subscriptionId", "event"}``;
* USDⓈ-M futures: the private route ``/private/ws?listenKey=<key>&events=<names>`` with a key
  from ``POST /fapi/v1/listenKey`` (§11.2): the futures docs' "Important WebSocket Change Notice"
  (websocket-market-streams) moves user data there and keeps the legacy ``/ws/<listenKey>`` only
  for a transition period; each event page names its event and ``URL PATH /private``.

The `websockets` library does the framing, pings and close handshakes. Foreign exceptions are
translated here, in one place: a closed or failed connection ends the iteration with
:class:`StreamClosedError` (the caller reconnects and re-plans over REST, because events sent
while disconnected are lost). No URL with a listen key, no key and no signature reaches a
message or a log line.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from decimal import Decimal
from typing import Self

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.sync.client import ClientConnection, connect

from oco_reconcile.core.events import StreamEvent
from oco_reconcile.errors import ExchangeError, UnauthorizedError
from oco_reconcile.venues.credentials import Credentials
from oco_reconcile.venues.spot.fields import ResponseFormatError
from oco_reconcile.venues.spot.stream_events import spot_event
from oco_reconcile.venues.usdm.stream_events import futures_event
from oco_reconcile.venues.usdm.streams import ListenKey

SUBSCRIBE = "userDataStream.subscribe.signature"
FUTURES_EVENTS = ("ORDER_TRADE_UPDATE", "ALGO_UPDATE", "listenKeyExpired")
OPEN_TIMEOUT_S = 10.0
_FOREIGN = (OSError, InvalidHandshake, InvalidURI, TimeoutError)


class StreamClosedError(ExchangeError):
    """The stream ended or could not be opened: reconnect, then re-plan over REST."""


def signed_subscription(credentials: Credentials, now_ms: int, recv_window_ms: int) -> str:
    """The JSON request that subscribes this account's Spot user data (WebSocket API)."""
    params = {
        "apiKey": credentials.api_key,
        "recvWindow": str(recv_window_ms),
        "timestamp": str(now_ms),
    }
    payload = "&".join(f"{key}={params[key]}" for key in sorted(params))
    signed = {**params, "signature": credentials.signer.sign(payload.encode("ascii"))}
    return json.dumps({"id": uuid.uuid4().hex, "method": SUBSCRIBE, "params": signed})


class _Stream:
    """One open WebSocket whose messages are parsed into events by ``parse``."""

    def __init__(self, open_: Callable[[], ClientConnection], venue: str) -> None:
        self._venue = venue
        self._stack = ExitStack()
        try:
            self._socket = self._stack.enter_context(open_())
        except _FOREIGN as error:
            raise StreamClosedError(f"{venue} user data stream: {type(error).__name__}") from None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stack.close()

    def receive(self, timeout: float | None = None) -> object:
        """The next message as JSON; TimeoutError when none came within ``timeout``."""
        try:
            text = self._socket.recv(timeout)
        except TimeoutError:
            raise  # no message within ``timeout``: the connection is fine
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd is not None else "none"
            raise StreamClosedError(f"{self._venue} user data stream closed ({code})") from None
        except OSError as error:
            raise StreamClosedError(f"{self._venue} user data stream: {error.strerror}") from None
        try:
            return json.loads(text, parse_float=Decimal)
        except ValueError:
            raise StreamClosedError(
                f"{self._venue} user data stream: a message is not JSON"
            ) from None

    def send(self, text: str) -> None:
        try:
            self._socket.send(text)
        except (ConnectionClosed, OSError):
            raise StreamClosedError(f"{self._venue} user data stream closed") from None


class SpotUserStream(_Stream):
    """The Spot user data subscription on one WebSocket API connection."""

    def __init__(self, url: str, credentials: Credentials, now_ms: int, recv_window_ms: int):
        super().__init__(lambda: connect(url, open_timeout=OPEN_TIMEOUT_S), "Spot")
        self.send(signed_subscription(credentials, now_ms, recv_window_ms))
        self._confirm()

    def _confirm(self) -> None:
        answer = self.receive(OPEN_TIMEOUT_S)
        status = answer.get("status") if isinstance(answer, dict) else None
        if status == 200:
            return
        error = answer.get("error") if isinstance(answer, dict) else None
        msg = error.get("msg") if isinstance(error, dict) else None
        self.close()
        raise UnauthorizedError(f"the Spot user data subscription was refused: {msg}")

    def events(self, timeout: float | None = None) -> Iterator[StreamEvent]:
        """Events as they come; ends (TimeoutError) when none came within ``timeout``."""
        while True:
            event = _parsed(spot_event, self.receive(timeout), "Spot")
            if event is not None:
                yield event


class FuturesUserStream(_Stream):
    """The futures user data stream of one listen key."""

    def __init__(self, stream_base_url: str, key: ListenKey) -> None:
        url = futures_stream_url(stream_base_url, key)
        super().__init__(lambda: connect(url, open_timeout=OPEN_TIMEOUT_S), "futures")

    def events(self, timeout: float | None = None) -> Iterator[StreamEvent]:
        while True:
            event = _parsed(futures_event, self.receive(timeout), "futures")
            if event is not None:
                yield event


def futures_stream_url(stream_base_url: str, key: ListenKey) -> str:
    """The private route of one listen key, for the events :func:`futures_event` reads."""
    events = "/".join(FUTURES_EVENTS)
    return f"{stream_base_url}/private/ws?listenKey={key.reveal()}&events={events}"


def _parsed(
    parse: Callable[[object], StreamEvent | None], message: object, venue: str
) -> StreamEvent | None:
    try:
        return parse(message)
    except ResponseFormatError as error:
        raise StreamClosedError(f"{venue} user data stream: unreadable event ({error})") from None
