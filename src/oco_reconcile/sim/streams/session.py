"""One Spot WebSocket API connection (``/ws-api/v3``): requests in, responses out, and the
user data stream subscriptions it holds (binance-api.md §11.1, option B).

Requests are ``{"id": ..., "method": ..., "params": {...}}``; answers
``{"id": ..., "status": 200, "result": ...}`` or ``{"id": ..., "status": 4xx, "error":
{"code": ..., "msg": ...}}``. Methods: ``userDataStream.subscribe.signature`` (``apiKey``,
``timestamp``, optional ``recvWindow``, ``signature`` over the other parameters sorted by name,
``k=v`` joined by ``&``, checked with the REST keys and verifiers), ``userDataStream.unsubscribe``
(optional ``subscriptionId``; none: all), ``session.subscriptions``, ``ping``, ``time``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from decimal import Decimal

from oco_reconcile.json_types import JsonObject, JsonValue
from oco_reconcile.sim.engine import errors
from oco_reconcile.sim.engine.errors import SimError
from oco_reconcile.sim.wire.auth import (
    DEFAULT_RECV_WINDOW_MS,
    MAX_RECV_WINDOW_MS,
    Verifier,
    check_timestamp,
    known_key,
)
from oco_reconcile.sim.wire.codes import MSG_BAD_SIGNATURE

MSG_UNSUPPORTED = "This operation is not supported."  # -1020
MSG_MALFORMED = "Malformed request."  # simulator wording for a frame that is no JSON request
MSG_BAD_SUBSCRIPTION = "Invalid data sent for a parameter."  # -1130
_SIGNED_PARAMS = frozenset({"apiKey", "timestamp", "recvWindow", "signature"})


def signature_payload(params: Mapping[str, JsonValue]) -> bytes:
    """The WebSocket API signs ``k=v`` of every parameter but ``signature``, sorted by name."""
    return "&".join(
        f"{name}={_text(value)}" for name, value in sorted(params.items()) if name != "signature"
    ).encode()


def _text(value: JsonValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Session:
    """The requests of one connection; :meth:`answer` returns what to send back, in order (the
    response, then any ``eventStreamTerminated``)."""

    def __init__(self, keys: Mapping[str, Verifier], server_time: Callable[[], int]) -> None:
        self.keys = keys
        self.server_time = server_time
        self.subscriptions: list[int] = []
        self._next_id = 0

    def wrap(self, event: JsonObject) -> list[JsonObject]:
        """A user data event as this connection's subscriptions receive it."""
        return [{"subscriptionId": sub, "event": event} for sub in self.subscriptions]

    def answer(self, raw: str | bytes) -> list[JsonObject]:
        try:
            request = json.loads(raw)
        except ValueError:
            request = None
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            return [_error(None, SimError(-1000, MSG_MALFORMED))]
        request_id = request.get("id")
        params = request.get("params") or {}
        if not isinstance(params, dict):
            return [_error(request_id, SimError(-1000, MSG_MALFORMED))]
        try:
            result, after = self._run(request["method"], params)
        except SimError as reject:
            return [_error(request_id, reject)]
        return [{"id": request_id, "status": 200, "result": result}, *after]

    def _run(self, method: str, params: JsonObject) -> tuple[JsonValue, list[JsonObject]]:
        if method == "ping":
            return {}, []
        if method == "time":
            return {"serverTime": self.server_time()}, []
        if method == "userDataStream.subscribe.signature":
            return {"subscriptionId": self._subscribe(params)}, []
        if method == "userDataStream.unsubscribe":
            return {}, self._unsubscribe(params)
        if method == "session.subscriptions":
            return [{"subscriptionId": sub} for sub in self.subscriptions], []
        raise SimError(-1020, MSG_UNSUPPORTED)

    def _subscribe(self, params: JsonObject) -> int:
        unknown = set(params) - _SIGNED_PARAMS
        if unknown:
            raise SimError(-1104, f"Not all sent parameters were read; read 0 of {len(params)}")
        api_key = params.get("apiKey")
        verifier = known_key(api_key if isinstance(api_key, str) else None, self.keys)
        signature = params.get("signature")
        if not isinstance(signature, str) or not signature:
            raise errors.mandatory("signature")
        timestamp = params.get("timestamp")
        if isinstance(timestamp, bool) or not isinstance(timestamp, int | str):
            raise errors.mandatory("timestamp")
        window = params.get("recvWindow", DEFAULT_RECV_WINDOW_MS)
        if not verifier.verify(signature_payload(params), signature):
            raise SimError(-1022, MSG_BAD_SIGNATURE)
        try:
            stamp, recv_window = int(timestamp), Decimal(str(window))
        except (ArithmeticError, ValueError):
            raise SimError(-1100, "Illegal characters found in parameter 'timestamp'.") from None
        if recv_window > MAX_RECV_WINDOW_MS:
            raise SimError(-1131, "recvWindow must be less than 60000")
        check_timestamp(stamp, recv_window or Decimal(DEFAULT_RECV_WINDOW_MS), self.server_time())
        if self.subscriptions:  # one subscription per account per connection: the same one
            return self.subscriptions[0]
        sub = self._next_id
        self._next_id += 1
        self.subscriptions.append(sub)
        return sub

    def _unsubscribe(self, params: JsonObject) -> list[JsonObject]:
        wanted = params.get("subscriptionId")
        if wanted is None:
            ended, self.subscriptions = self.subscriptions, []
        elif isinstance(wanted, int) and wanted in self.subscriptions:
            ended = [wanted]
            self.subscriptions.remove(wanted)
        else:
            raise SimError(-1130, MSG_BAD_SUBSCRIPTION)
        now = self.server_time()
        return [
            {"subscriptionId": sub, "event": {"e": "eventStreamTerminated", "E": now}}
            for sub in ended
        ]


def _error(request_id: JsonValue, reject: SimError) -> JsonObject:
    return {
        "id": request_id,
        "status": reject.status,
        "error": {"code": reject.code, "msg": reject.msg},
    }
