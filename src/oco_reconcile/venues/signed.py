"""The request machinery every Binance REST client shares: signing, time, retries, usage.

Spot (``/api``) and USDⓈ-M futures (``/fapi``) sign and time requests the same way
(binance-api.md §8 and §10.6): parameters are percent-encoded in the order given, signed over
exactly those bytes and sent in the query string, also for POST and DELETE; ``timestamp`` is the
injected clock plus the server's offset, once known: taken from the first unsigned answer that
carries ``serverTime`` (exchangeInfo) or from the venue's server-time endpoint; before either,
one sync (``Dialect.sync_first``, futures) or the local clock (Spot: no plan pays a GET of the
time before its reads). A -1021 answer re-syncs and re-sends
(rejected before the matching engine, so a re-send cannot duplicate anything: errors.md "-1021
INVALID_TIMESTAMP"). :class:`SignedRestClient` owns those rules once; each venue's client
subclasses it, names its :class:`Dialect` (the time path and its error mapping) and adds its
endpoints.

Retries are only those :mod:`oco_reconcile.venues.retry` gives to ``Layer.CLIENT``. Secrets never
leave this module: logs carry the method, path and status only; error messages the path, status,
code and Binance's message, never the query string (it holds the signature) or headers (the key).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Self, TypeVar
from urllib.parse import quote, urlsplit

import httpx

from oco_reconcile import __version__
from oco_reconcile.core.ratelimits import RateLimit, RateUsage
from oco_reconcile.errors import (
    ExchangeError,
    OutcomeUnknownError,
    TransientError,
    UnknownOrderListError,
    UsageError,
)
from oco_reconcile.venues.credentials import Credentials
from oco_reconcile.venues.http_pool import open_http
from oco_reconcile.venues.ratelimit import Headroom, UsageTracker
from oco_reconcile.venues.redaction import install_log_redaction
from oco_reconcile.venues.retry import Layer, Operation, RetryPolicy, retrying
from oco_reconcile.venues.spot.errors import HTTPX_ERRORS
from oco_reconcile.venues.spot.fields import ResponseFormatError
from oco_reconcile.venues.spot.params import Params, encode_query
from oco_reconcile.venues.spot.parse import parse_server_time
from oco_reconcile.venues.urls import client_base_url

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_RECV_WINDOW_MS = 60_000
# The one owner of the timeouts: an unreachable host fails in seconds, an answer may take longer.
CONNECT_TIMEOUT_S, TIMEOUT_S = 3.0, 10.0

install_log_redaction()

ErrorMapper = Callable[[str, httpx.Response | Exception, float, str | None], ExchangeError]
UnreadableMapper = Callable[[Operation, str, ResponseFormatError], ExchangeError]


@dataclass(frozen=True)
class Dialect:
    """What differs between the REST APIs :class:`SignedRestClient` speaks."""

    time_path: str  # GET, unsigned, answers {"serverTime": ms}
    map_error: ErrorMapper  # (endpoint, response or httpx exception, now, host) -> error
    unreadable: UnreadableMapper  # an answer we could not read -> error
    # True: the first signed request waits for one server-time sync. False: it signs with the
    # local clock (plus the offset an exchangeInfo answer gave) and relies on the -1021 re-sync.
    sync_first: bool = True


class SignedRestClient:
    """A Binance REST client's shared half: one httpx client with Binance's signing, clock
    offset, retry rules and usage tracking; thread-safe. A venue's client subclasses it, names
    its :attr:`DIALECT` and adds its endpoints (through :meth:`_call` / :meth:`_unless_gone`)."""

    DIALECT: ClassVar[Dialect]

    def __init__(
        self,
        base_url: str,
        credentials: Credentials | None,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        recv_window_ms: int = 5000,
        timeout: float = TIMEOUT_S,
        connect_timeout: float = CONNECT_TIMEOUT_S,
        retry: RetryPolicy | None = None,
    ) -> None:
        if not 0 < recv_window_ms <= MAX_RECV_WINDOW_MS:
            raise UsageError(f"recv_window_ms must be between 1 and {MAX_RECV_WINDOW_MS}")
        self._base_url = client_base_url(base_url, has_transport=transport is not None)
        self._host = urlsplit(self._base_url).netloc  # no user info or query: see urls.py
        self._credentials = credentials
        self._usage = UsageTracker()
        self._clock = clock
        self._sleep = sleep
        self._recv_window = str(recv_window_ms)
        self._retry = retry or RetryPolicy()
        self._lock = threading.Lock()
        self._first_sync = threading.Lock()
        self._offset_ms: int | None = None
        self._http = open_http(
            self._base_url,
            transport,
            timeout=httpx.Timeout(timeout, connect=min(connect_timeout, timeout)),
            headers={"User-Agent": f"oco-reconcile/{__version__}"},
        )

    def __repr__(self) -> str:
        name, credentials = type(self).__name__, self._credentials
        return f"{name}(base_url={self._base_url!r}, credentials={credentials!r})"

    __str__ = __repr__

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def timeout(self) -> httpx.Timeout:
        return self._http.timeout

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def server_time(self) -> int:
        """The venue's server time (``GET`` its time path); also sets the clock offset."""
        return self._run(Operation.READ, self._sync_clock, f"GET {self.DIALECT.time_path}")

    def rate_usage(self) -> RateUsage:
        """The latest usage headers seen (``X-MBX-USED-WEIGHT-1M`` ...)."""
        return self._usage.usage()

    def rate_limits(self) -> tuple[RateLimit, ...]:
        """The ``rateLimits`` of the last exchangeInfo read (empty before the first)."""
        return self._usage.limits()

    def headroom(self) -> tuple[Headroom, ...]:
        return self._usage.headroom()

    # --- request machinery ---

    def _call(
        self,
        operation: Operation,
        method: str,
        path: str,
        params: Params,
        parse: Callable[[Any], T],
        *,
        signed: bool = False,
        keyed: bool = False,
    ) -> T:
        """One request, parsed, with the client's retries; every failure an ``ExchangeError``.
        ``keyed``: unsigned but with the API key header (USER_STREAM endpoints)."""

        def attempt() -> T:
            try:
                return parse(self._send(method, path, params, signed=signed, keyed=keyed))
            except ResponseFormatError as error:
                raise self.DIALECT.unreadable(operation, path, error) from None

        return self._run(operation, attempt, f"{method} {path}")

    def _unless_gone(
        self,
        operation: Operation,
        method: str,
        path: str,
        params: Params,
        parse: Callable[[Any], T],
    ) -> T | None:
        """A signed call whose "not found" answer (``UnknownOrderListError``) is None."""
        try:
            return self._call(operation, method, path, params, parse, signed=True)
        except UnknownOrderListError:
            return None

    def _run(self, operation: Operation, attempt: Callable[[], T], request: str) -> T:
        """``attempt()`` with the retries :mod:`~oco_reconcile.venues.retry` gives the client."""
        return retrying(
            Layer.CLIENT,
            operation,
            attempt,
            self._retry,
            wait=self._sleep,
            resync=self._sync_clock,
            label=f"{request} on {self._host}",
        )

    def _send(
        self, method: str, path: str, params: Params, *, signed: bool, keyed: bool = False
    ) -> Any:
        url, headers = self._build(
            path, params, signed=signed, retry_sync=method != "GET", keyed=keyed
        )
        started = self._clock()
        try:
            response = self._http.request(method, url, headers=headers)
        except HTTPX_ERRORS as error:
            log.debug("%s %s -> %s", method, path, type(error).__name__)
            raise self.DIALECT.map_error(path, error, self._clock(), self._host) from None
        log.debug("%s %s -> %s", method, path, response.status_code)
        self._usage.record(response.headers.multi_items())
        if not response.is_success:
            raise self.DIALECT.map_error(path, response, self._clock(), None)
        try:
            answer = json.loads(response.content, parse_float=Decimal)
        except ValueError:
            raise ResponseFormatError("the body is not JSON") from None
        if not signed and not self.DIALECT.sync_first and self._offset_ms is None:
            self._learn_offset(answer, started)
        return answer

    def _build(
        self, path: str, params: Params, *, signed: bool, retry_sync: bool, keyed: bool = False
    ) -> tuple[str, dict[str, str]]:
        if not signed:
            query = encode_query(params)
            key = {"X-MBX-APIKEY": self._require_credentials(path).api_key} if keyed else {}
            return f"{self._base_url}{path}" + (f"?{query}" if query else ""), key
        credentials = self._require_credentials(path)
        stamp = [("recvWindow", self._recv_window), ("timestamp", self._timestamp(retry_sync))]
        query = encode_query([*params, *stamp])
        # Sign exactly the bytes sent; base64 signatures need percent-encoding too (§8.3, §8.4).
        signature = quote(credentials.signer.sign(query.encode("ascii")), safe="")
        url = f"{self._base_url}{path}?{query}&signature={signature}"
        return url, {"X-MBX-APIKEY": credentials.api_key}

    def _require_credentials(self, path: str) -> Credentials:
        if self._credentials is None:
            raise UsageError(f"{path} needs API credentials, and none are configured")
        return self._credentials

    # --- clock ---

    def _timestamp(self, retry_sync: bool) -> str:
        with self._lock:
            offset = self._offset_ms
        if offset is None and self.DIALECT.sync_first:
            offset = self._initial_offset(retry_sync)
        return str(int(self._clock() * 1000) + (offset or 0))

    def _initial_offset(self, retry_sync: bool) -> int:
        # One sync for all threads that sign their first request at the same moment. A read's own
        # retries cover a failed sync; retried here too, an unreachable host took minutes.
        with self._first_sync:
            with self._lock:
                offset = self._offset_ms
            if offset is None and retry_sync:
                self.server_time()
            elif offset is None:
                self._sync_clock()
        with self._lock:
            return self._offset_ms or 0

    def _learn_offset(self, answer: Any, started: float) -> None:
        """The first unsigned answer carrying ``serverTime`` (exchangeInfo) sets the offset,
        against the request's midpoint, as a sync would."""
        if not isinstance(answer, dict):
            return
        server = answer.get("serverTime")
        if isinstance(server, int) and not isinstance(server, bool):
            local_ms = int((started + self._clock()) / 2 * 1000)
            with self._lock:
                if self._offset_ms is None:
                    self._offset_ms = server - local_ms

    def _sync_clock(self) -> int:
        """One server-time request; the offset is taken against the request's midpoint."""
        path = self.DIALECT.time_path
        before = self._clock()
        try:
            server = parse_server_time(self._send("GET", path, [], signed=False))
        except ResponseFormatError as error:
            raise self.DIALECT.unreadable(Operation.READ, path, error) from None
        except OutcomeUnknownError as error:
            # Reading the time has no effect to be unknown about; report it as a plain failure.
            raise TransientError(
                error.msg, status=error.status, code=error.code, endpoint=error.endpoint
            ) from None
        local_ms = int((before + self._clock()) / 2 * 1000)
        with self._lock:
            self._offset_ms = server - local_ms
        return server
