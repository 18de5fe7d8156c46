"""Shared pieces for the Binance client tests.

* The network guard of ``tests/conftest.py`` applies to every test here; tests marked ``testnet``
  are exempt only while re-recording the cassettes with ``--record-testnet``.
* ``fake_binance``: an ``httpx.MockTransport`` handler that checks every signed request the way
  Binance does (HMAC over the exact query bytes, API key header) and answers queued replies.
* vcrpy configuration for the contract cassettes in ``tests/cassettes/``
  (docs/recording-cassettes.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx
import pytest
import vcr

from oco_reconcile.venues.credentials import Credentials
from oco_reconcile.venues.retry import RetryPolicy
from oco_reconcile.venues.spot.client import BinanceClient
from tests.support.paths import CASSETTES_DIR, FIXTURES_DIR

RECORD_TESTNET = "--record-testnet"
RECORD_SIM = "--record-sim"


# The --record-testnet / --record-sim switches are registered in tests/conftest.py (the root), so
# they work from the repository root as well as with `pytest tests/exchange`.


def record_flag(config: pytest.Config, name: str) -> bool:
    try:
        return bool(config.getoption(name))
    except ValueError:  # not registered (e.g. a foreign conftest layout): not recording
        return False


# --- the network guard ---------------------------------------------------------------------------
# tests/conftest.py patches ``socket`` for every test so that only loopback works. Re-recording the
# contract cassettes against the real testnet is the one exception: opted into with the flag, and
# only for tests marked ``testnet``.

_REAL_SOCKET_FUNCTIONS = (
    (socket.socket, "connect", socket.socket.connect),
    (socket.socket, "connect_ex", socket.socket.connect_ex),
    (socket, "create_connection", socket.create_connection),
    (socket, "getaddrinfo", socket.getaddrinfo),
)


def recording_testnet(request: pytest.FixtureRequest) -> bool:
    marked = request.node.get_closest_marker("testnet") is not None
    return marked and record_flag(request.config, RECORD_TESTNET)


@pytest.fixture(autouse=True)
def _network_only_when_recording_testnet(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, _no_network: None
) -> None:
    if recording_testnet(request):
        for owner, name, real in _REAL_SOCKET_FUNCTIONS:
            monkeypatch.setattr(owner, name, real)


# --- fixture files ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def fixture_json() -> Callable[[str], Any]:
    """Load ``tests/fixtures/binance/<name>`` (exact payloads from the Binance docs)."""

    def load(name: str) -> Any:
        path = FIXTURES_DIR / name
        if not path.is_file():
            raise FileNotFoundError(f"Binance fixture missing: {path}")
        return json.loads(path.read_text(encoding="utf-8"))

    return load


# --- a fake Binance behind httpx.MockTransport --------------------------------------------------

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


class FakeClock:
    """Injected clock and sleep: sleeping advances the clock and is recorded, never real."""

    def __init__(self, start: float) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class FakeBinance:
    """Checks requests like Binance does and answers from per-endpoint reply queues.

    The last reply queued for an endpoint keeps answering once the queue is down to it.
    ``GET /api/v3/time`` answers ``server_time_ms`` unless replies are queued for it.
    """

    def __init__(self) -> None:
        self.requests: list[SentRequest] = []
        self.replies: dict[tuple[str, str], list[Reply]] = defaultdict(list)
        self.server_time_ms = SERVER_TIME_MS
        self.clock = FakeClock(SERVER_TIME_MS / 1000)

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
        kw.setdefault("clock", self.clock)
        kw.setdefault("sleep", self.clock.sleep)
        kw.setdefault("retry", RetryPolicy(jitter=0.0))
        return BinanceClient(
            "https://api.binance.com",
            Credentials.hmac(FAKE_API_KEY, FAKE_SECRET),
            transport=httpx.MockTransport(self.handle),
            **kw,
        )


@pytest.fixture
def fake_binance() -> FakeBinance:
    return FakeBinance()


# --- vcrpy: the contract cassettes --------------------------------------------------------------

_KEPT_RESPONSE_HEADERS = ("content-type", "retry-after")


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Keep only the headers the client reads; drop cookies, dates and anything else."""
    headers = response.get("headers", {})
    response["headers"] = {
        name: value
        for name, value in headers.items()
        if name.lower() in _KEPT_RESPONSE_HEADERS or name.lower().startswith("x-mbx-")
    }
    return response


def contract_vcr(record_mode: str) -> vcr.VCR:
    """Cassettes replay by method, path and query with the signature, timestamp and API key
    filtered out, so they match whatever host recorded them and contain no secret."""
    return vcr.VCR(
        cassette_library_dir=str(CASSETTES_DIR),
        record_mode=record_mode,
        match_on=("method", "path", "query"),
        filter_query_parameters=["signature", "timestamp"],
        filter_headers=["X-MBX-APIKEY", "Authorization", "Cookie"],
        before_record_response=_scrub_response,
        decode_compressed_response=True,
        serializer="yaml",
    )
