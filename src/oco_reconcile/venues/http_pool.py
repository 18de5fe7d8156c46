"""The HTTP seam of the REST clients: :func:`open_http` gives what :class:`SignedRestClient`
sends its requests through.

Against a real host it is a :class:`ClientPool`: httpx clients lent one per request in flight
(last freed, first lent: its connection is the warmest), all sharing one TLS context. One shared
``httpx.Client`` serialises every request of an ``apply`` on its connection pool's lock, and that
pool scans all its connections for each request: at 32 requests in flight that was ~12 % of the
client's CPU for 50 replacements (bench/apply_bench.py). Each lent client keeps its one connection
alive, so a second wave reuses the first wave's connections (a shared pool kept only 20).

With an injected transport (tests, the in-process simulator) one ``httpx.Client`` wraps it: there
is no connection pool to contend for.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import httpx

from oco_reconcile.venues.urls import uses_tls


class Http(Protocol):
    """What the REST clients need of HTTP: send one request, report the timeout, close."""

    @property
    def timeout(self) -> httpx.Timeout: ...

    def request(
        self, method: str, url: str, *, headers: Mapping[str, str] | None = None
    ) -> httpx.Response: ...

    def close(self) -> None: ...


def open_http(
    base_url: str,
    transport: httpx.BaseTransport | None,
    *,
    timeout: httpx.Timeout,
    headers: Mapping[str, str],
) -> Http:
    """The HTTP a REST client for ``base_url`` sends through (see the module docstring). A
    plain-http base URL loads no CA bundle (~20 ms a client): it never uses TLS."""

    def client(**options: Any) -> httpx.Client:
        return httpx.Client(
            timeout=timeout, headers=dict(headers), follow_redirects=False, **options
        )

    if transport is not None:
        return client(transport=transport)
    verify = httpx.create_ssl_context() if uses_tls(base_url) else False
    one_connection = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    return ClientPool(lambda: client(verify=verify, limits=one_connection), timeout)


class ClientPool:
    """httpx clients lent one per request; as many exist as requests were ever in flight at
    once. Thread-safe."""

    def __init__(self, make: Callable[[], httpx.Client], timeout: httpx.Timeout) -> None:
        self._make = make
        self._timeout = timeout
        self._free: deque[httpx.Client] = deque()
        self._every: list[httpx.Client] = []
        self._lock = threading.Lock()
        self._closed = False

    @property
    def timeout(self) -> httpx.Timeout:
        return self._timeout

    @property
    def size(self) -> int:
        """How many clients exist (the most requests that were in flight at once)."""
        with self._lock:
            return len(self._every)

    def request(
        self, method: str, url: str, *, headers: Mapping[str, str] | None = None
    ) -> httpx.Response:
        client = self._lend()
        try:
            return client.request(method, url, headers=headers)
        finally:
            self._free.append(client)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            every, self._every = self._every, []
            self._free.clear()
        for client in every:
            client.close()

    def _lend(self) -> httpx.Client:
        with self._lock:
            if self._closed:
                raise RuntimeError("Cannot send a request, as the client has been closed.")
            if self._free:
                return self._free.pop()
            client = self._make()
            self._every.append(client)
            return client
