"""A fake Binance behind ``httpx.MockTransport`` for the client tests.

It checks every signed request the way Binance does (rest-api.md "SIGNED endpoint security": an
HMAC-SHA256 over the exact query bytes, the ``X-MBX-APIKEY`` header) and answers from queued
replies, so a test sees precisely what the client sent and scripts what it gets back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx

from oco_reconcile.venues.credentials import Credentials
from oco_reconcile.venues.retry import RetryPolicy
from oco_reconcile.venues.spot.client import BinanceClient
from tests.support.fake_time import FakeTime

FAKE_API_KEY = "fake-api-key-0123456789abcdefABCDEF0123456789abcdefABCDEF01234567"
FAKE_SECRET = "fake-secret-zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJIHGFEDCBA98"
SERVER_TIME_MS = 1_700_000_000_000


@dataclass(frozen=True)
class SentRequest:
    method: str
    path: str
    raw_query: str
    params: list[tuple[str, str]]
    api_key: str | None
    signature_valid: bool | None  # None: unsigned request

    def param(self, name: str) -> str | None:
        return next((value for key, value in self.params if key == name), None)


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raises: type[Exception] | None = None
    raw: bytes | None = None


class FakeBinance:
    """Checks requests like Binance does and answers from per-endpoint reply queues.

    The last reply queued for an endpoint keeps answering once the queue is down to it.
    ``GET /api/v3/time`` answers ``server_time_ms`` unless replies are queued for it. The client
    it builds reads and sleeps on ``time`` (starting at the server's time), never for real.
    """

    def __init__(self) -> None:
        self.requests: list[SentRequest] = []
        self.replies: dict[tuple[str, str], list[Reply]] = defaultdict(list)
        self.server_time_ms = SERVER_TIME_MS
        self.time = FakeTime(SERVER_TIME_MS / 1000)

    def reply(self, method: str, path: str, body: Any = None, **kw: Any) -> None:
        self.replies[(method, path)].append(Reply(body=body, **kw))

    def error(
        self, method: str, path: str, status: int, code: int | None, msg: str, **kw: Any
    ) -> None:
        body = {"code": code, "msg": msg} if code is not None else {"msg": msg}
        self.reply(method, path, body, status=status, **kw)

    def sent(self, path: str, method: str | None = None) -> list[SentRequest]:
        return [r for r in self.requests if r.path == path and method in (None, r.method)]

    def handle(self, request: httpx.Request) -> httpx.Response:
        sent = self._record(request)
        if sent.signature_valid is False:
            return httpx.Response(
                400, json={"code": -1022, "msg": "Signature for this request is not valid."}
            )
        queue = self.replies.get((sent.method, sent.path))
        if not queue and sent.path == "/api/v3/time":
            return httpx.Response(200, json={"serverTime": self.server_time_ms})
        if not queue:
            raise AssertionError(f"unexpected request {sent.method} {sent.path}")
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if reply.raises is not None:
            raise reply.raises("simulated failure", request=request)  # type: ignore[call-arg]
        content = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
        headers = {"Content-Type": "application/json", **reply.headers}
        return httpx.Response(reply.status, content=content, headers=headers)

    def _record(self, request: httpx.Request) -> SentRequest:
        raw_query = request.url.query.decode("ascii")
        payload, marker, signature = raw_query.partition("&signature=")
        valid = None
        if marker:
            expected = hmac.new(FAKE_SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
            valid = hmac.compare_digest(expected, unquote(signature))
        sent = SentRequest(
            method=request.method,
            path=request.url.path,
            raw_query=raw_query,
            params=parse_qsl(raw_query, keep_blank_values=True),
            api_key=request.headers.get("X-MBX-APIKEY"),
            signature_valid=valid,
        )
        assert request.content == b"", "all parameters go in the query string"
        self.requests.append(sent)
        return sent

    def client(self, **kw: Any) -> BinanceClient:
        kw.setdefault("clock", self.time.clock)
        kw.setdefault("sleep", self.time.sleep)
        kw.setdefault("retry", RetryPolicy(jitter=0.0))
        return BinanceClient(
            "https://api.binance.com",
            Credentials.hmac(FAKE_API_KEY, FAKE_SECRET),
            transport=httpx.MockTransport(self.handle),
            **kw,
        )
