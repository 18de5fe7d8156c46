"""The REST clients' HTTP seam: one httpx client lent per request in flight, reused after."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar

import httpx
import pytest

from oco_reconcile.venues.http_pool import ClientPool, open_http
from oco_reconcile.venues.urls import uses_tls

TIMEOUT = httpx.Timeout(5.0)


class Gate:
    """A transport that holds each request until ``width`` requests are in flight at once."""

    def __init__(self, width: int) -> None:
        self.barrier = threading.Barrier(width, timeout=5)
        self.seen: list[str] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.barrier.wait()
        self.seen.append(request.url.path)
        return httpx.Response(200, json={"ok": True})


def _pool(transport: httpx.BaseTransport, made: list[httpx.Client]) -> ClientPool:
    def make() -> httpx.Client:
        client = httpx.Client(transport=transport)
        made.append(client)
        return client

    return ClientPool(make, TIMEOUT)


def _wave(pool: ClientPool, width: int, url: str | None = None) -> list[int]:
    """``width`` GETs at once: to ``url``, or else to ``http://h/0`` ... (one path each)."""
    urls = [url or f"http://h/{i}" for i in range(width)]
    with ThreadPoolExecutor(max_workers=width) as workers:
        futures = [workers.submit(pool.request, "GET", item) for item in urls]
        return [future.result().status_code for future in futures]


def test_requests_in_flight_at_once_each_get_a_client_and_a_second_wave_reuses_them() -> None:
    gate, made = Gate(8), list[httpx.Client]()
    pool = _pool(httpx.MockTransport(gate.handle), made)
    assert _wave(pool, 8) == [200] * 8
    assert pool.size == 8
    assert _wave(pool, 8) == [200] * 8
    assert pool.size == 8
    assert len(made) == 8
    assert sorted(gate.seen) == sorted([f"/{i}" for i in range(8)] * 2)


def test_requests_one_after_another_share_one_client() -> None:
    made: list[httpx.Client] = []
    pool = _pool(httpx.MockTransport(lambda request: httpx.Response(204)), made)
    for _ in range(5):
        assert pool.request("DELETE", "http://h/x").status_code == 204
    assert pool.size == 1


def test_close_closes_every_client_and_refuses_new_requests() -> None:
    made: list[httpx.Client] = []
    pool = _pool(httpx.MockTransport(Gate(3).handle), made)
    _wave(pool, 3)
    pool.close()
    assert len(made) == 3
    assert all(client.is_closed for client in made)
    with pytest.raises(RuntimeError, match="closed"):
        pool.request("GET", "http://h/late")


def test_a_failed_request_gives_its_client_back() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    pool = _pool(httpx.MockTransport(refuse), [])
    for _ in range(3):
        with pytest.raises(httpx.ConnectError):
            pool.request("GET", "http://h/x")
    assert pool.size == 1


def test_an_injected_transport_is_wrapped_by_one_client() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200))
    http = open_http("https://api.binance.com", transport, timeout=TIMEOUT, headers={})
    assert isinstance(http, httpx.Client)
    assert http.request("GET", "https://api.binance.com/api/v3/ping").status_code == 200
    http.close()


def test_a_real_host_gets_a_pool_with_the_timeout_given() -> None:
    http = open_http("https://api.binance.com", None, timeout=TIMEOUT, headers={})
    assert isinstance(http, ClientPool)
    assert http.timeout == TIMEOUT
    http.close()


@pytest.mark.parametrize(
    ("url", "tls"),
    [
        ("https://api.binance.com", True),
        ("http://127.0.0.1:8765", False),
        ("HTTP://[::1]:1", False),
    ],
)
def test_only_plain_http_skips_tls(url: str, tls: bool) -> None:
    assert uses_tls(url) is tls


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers 200 and records each request line (a proxy sees the absolute URL)."""

    lines: ClassVar[list[str]]

    def do_GET(self) -> None:
        self.lines.append(self.requestline)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server: (its base URL, the request lines it received)."""
    lines: list[str] = []
    handler = type("Handler", (_Recorder,), {"lines": lines})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", lines
    server.shutdown()
    server.server_close()


def _open(base_url: str) -> ClientPool:
    pool = open_http(base_url, None, timeout=TIMEOUT, headers={})
    assert isinstance(pool, ClientPool)
    return pool


def test_a_proxy_set_in_the_environment_carries_the_requests(
    recorder: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every lent client goes through the proxy the environment names (as httpx does)."""
    proxy, lines = recorder
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    pool = _open("http://exchange.invalid")
    assert _wave(pool, 3, "http://exchange.invalid/api/v3/ping") == [200] * 3
    pool.close()
    assert lines == ["GET http://exchange.invalid/api/v3/ping HTTP/1.1"] * 3


def test_without_a_proxy_the_requests_go_straight_to_the_host(
    recorder: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, lines = recorder
    for name in (
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    pool = _open(url)
    assert _wave(pool, 3, f"{url}/api/v3/ping") == [200] * 3
    pool.close()
    assert lines == ["GET /api/v3/ping HTTP/1.1"] * 3
