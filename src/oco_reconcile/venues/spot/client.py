"""The Binance Spot REST client: the only module that speaks HTTP to the exchange.

It implements the :class:`Exchange` seam over ``httpx``. What it owns:

* **Requests.** Parameters (``params.py``) are percent-encoded in the order given, signed over
  exactly those bytes and sent in the query string, also for POST and DELETE (rest-api.md
  "SIGNED (TRADE and USER_DATA) Endpoint security").
* **Time.** ``timestamp`` is the injected clock plus the offset measured with ``GET
  /api/v3/time``; a -1021 answer re-syncs and re-sends (rejected before the matching engine, so a
  re-send cannot duplicate anything: errors.md "-1021 INVALID_TIMESTAMP").
* **Errors.** Every non-2xx answer and httpx exception goes through ``errors.map_error``.
* **Retries.** Only those :mod:`oco_reconcile.venues.retry` gives to ``Layer.CLIENT``: every
  retryable read, and the -1021 re-sync of any request. A write is otherwise sent once: a 429 or
  an unknown outcome is raised for the apply engine, which pauses or looks the list up first.
* **Pacing data.** Usage headers and published limits are tracked for the apply engine.

Secrets never leave this module: logs carry the method, path and status only; error messages the
path, status, code and Binance's message, never the query string (it holds the signature) or
headers (they hold the API key).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import httpx

from oco_reconcile import __version__
from oco_reconcile.core.model import Balance, ExchangeInfo, OcoRequest, OrderList, OrderReport
from oco_reconcile.core.ratelimits import RateLimit, RateUsage
from oco_reconcile.errors import (
    OutcomeUnknownError,
    TransientError,
    UnknownOrderListError,
    UsageError,
)
from oco_reconcile.venues.credentials import Credentials
from oco_reconcile.venues.ratelimit import Headroom, UsageTracker
from oco_reconcile.venues.redaction import install_log_redaction
from oco_reconcile.venues.retry import Layer, Operation, RetryPolicy, retrying
from oco_reconcile.venues.spot.errors import HTTPX_ERRORS, map_error, unreadable_response
from oco_reconcile.venues.spot.fields import ResponseFormatError
from oco_reconcile.venues.spot.filter_prices import parse_avg, parse_reference_price
from oco_reconcile.venues.spot.params import Params, encode_query, oco_params, symbols_json
from oco_reconcile.venues.spot.parse import (
    parse_account_permissions,
    parse_balances,
    parse_exchange_info,
    parse_order_list,
    parse_order_lists,
    parse_order_report,
    parse_order_reports,
    parse_prices,
    parse_server_time,
)
from oco_reconcile.venues.urls import client_base_url

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_RECV_WINDOW_MS = 60_000
# The one owner of the timeouts: an unreachable host fails in seconds, an answer may take longer.
CONNECT_TIMEOUT_S, TIMEOUT_S = 3.0, 10.0

install_log_redaction()


# --- the client ---------------------------------------------------------------------------------


class BinanceClient:
    """Binance Spot over REST; thread-safe; implements the ``Exchange`` protocol."""

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
        self._clock = clock
        self._sleep = sleep
        self._recv_window = str(recv_window_ms)
        self._retry = retry or RetryPolicy()
        self._lock = threading.Lock()
        self._first_sync = threading.Lock()
        self._offset_ms: int | None = None
        self._permissions: frozenset[str] | None = None
        self._usage = UsageTracker()
        self._http = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(connect_timeout, timeout)),
            headers={"User-Agent": f"oco-reconcile/{__version__}"},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"BinanceClient(base_url={self._base_url!r}, credentials={self._credentials!r})"

    __str__ = __repr__

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def timeout(self) -> httpx.Timeout:
        return self._http.timeout

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> BinanceClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- Exchange protocol: reads ---

    def server_time(self) -> int:
        """``GET /api/v3/time``; also sets the clock offset used for ``timestamp``."""
        return self._run(Operation.READ, self._sync_clock, "GET /api/v3/time")

    def exchange_info(self, symbols: Sequence[str]) -> ExchangeInfo:
        """Rules for ``symbols`` in one request; an empty sequence asks for every symbol."""
        params = [("symbols", symbols_json(symbols))] if symbols else []
        info = self._call(
            Operation.READ, "GET", "/api/v3/exchangeInfo", params, parse_exchange_info
        )
        self._usage.set_limits(info.rate_limits)
        return info

    def prices(self, symbols: Sequence[str]) -> dict[str, Decimal]:
        """Last prices in one request; an empty sequence asks for every symbol."""
        unique = list(dict.fromkeys(symbols))
        if len(unique) == 1:
            params = [("symbol", unique[0])]
        else:
            params = [("symbols", symbols_json(unique))] if unique else []
        return self._call(Operation.READ, "GET", "/api/v3/ticker/price", params, parse_prices)

    def reference_price(self, symbol: str) -> Decimal | None:
        path, params = "/api/v3/referencePrice", [("symbol", symbol)]
        return self._call(Operation.READ, "GET", path, params, parse_reference_price)

    def average_price(self, symbol: str) -> Decimal:
        one = [("symbol", symbol)]
        return self._call(Operation.READ, "GET", "/api/v3/avgPrice", one, parse_avg)

    def balances(self) -> dict[str, Balance]:
        """``GET /api/v3/account``; its ``permissions`` are kept for :meth:`account_permissions`."""
        return self._call(Operation.READ, "GET", "/api/v3/account", [], self._account, signed=True)

    def _account(self, payload: object) -> dict[str, Balance]:
        self._permissions = parse_account_permissions(payload)
        return parse_balances(payload)

    def account_permissions(self) -> frozenset[str] | None:
        return self._permissions

    def open_order_lists(self) -> tuple[OrderList, ...]:
        return self._call(
            Operation.READ, "GET", "/api/v3/openOrderList", [], parse_order_lists, signed=True
        )

    def open_orders(self, symbol: str | None = None) -> tuple[OrderReport, ...]:
        """Open orders of ``symbol``, or of every symbol (weight 80: the caller decides)."""
        params = [] if symbol is None else [("symbol", symbol)]
        return self._call(
            Operation.READ, "GET", "/api/v3/openOrders", params, parse_order_reports, signed=True
        )

    def order_list(self, list_client_order_id: str) -> OrderList | None:
        """The latest list with this client id, or None (-2018, as the Spot testnet answers)."""
        params = [("origClientOrderId", list_client_order_id)]
        return self._unless_gone(
            Operation.READ, "GET", "/api/v3/orderList", params, parse_order_list
        )

    def all_order_lists(
        self,
        *,
        from_id: int | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
    ) -> tuple[OrderList, ...]:
        """``GET /api/v3/allOrderList`` (weight 20): history, at most 24 h per time window."""
        named = (
            ("fromId", from_id),
            ("startTime", start_time),
            ("endTime", end_time),
            ("limit", limit),
        )
        params = [(name, str(value)) for name, value in named if value is not None]
        return self._call(
            Operation.READ, "GET", "/api/v3/allOrderList", params, parse_order_lists, signed=True
        )

    def order(self, symbol: str, order_id: int) -> OrderReport | None:
        """One order by id, or None when Binance does not know it (-2013)."""
        params = [("symbol", symbol), ("orderId", str(order_id))]
        return self._unless_gone(Operation.READ, "GET", "/api/v3/order", params, parse_order_report)

    # --- Exchange protocol: writes ---

    def place_oco(self, request: OcoRequest) -> OrderList:
        """``POST /api/v3/orderList/oco``, sent at most once (a -1021 re-send excepted).

        Raises ``OutcomeUnknownError`` when the list may or may not exist (5xx, -1006, -1007,
        timeout or dropped connection after sending): look it up before placing it again.
        """
        return self._call(
            Operation.PLACE,
            "POST",
            "/api/v3/orderList/oco",
            oco_params(request),
            parse_order_list,
            signed=True,
        )

    def cancel_order_list(
        self, symbol: str, list_client_order_id: str, new_client_order_id: str | None = None
    ) -> OrderList | None:
        """``DELETE /api/v3/orderList``; None when the list was already gone (-2011)."""
        params = [("symbol", symbol), ("listClientOrderId", list_client_order_id)]
        if new_client_order_id is not None:
            params.append(("newClientOrderId", new_client_order_id))
        return self._unless_gone(
            Operation.CANCEL, "DELETE", "/api/v3/orderList", params, parse_order_list
        )

    def cancel_order(
        self, symbol: str, order_id: int, new_client_order_id: str | None = None
    ) -> OrderReport | None:
        """``DELETE /api/v3/order`` (rest-api.md "Cancel order"); None when already gone
        (-2011 "Unknown order sent.")."""
        params = [("symbol", symbol), ("orderId", str(order_id))]
        if new_client_order_id is not None:
            params.append(("newClientOrderId", new_client_order_id))
        return self._unless_gone(
            Operation.CANCEL, "DELETE", "/api/v3/order", params, parse_order_report
        )

    def rate_usage(self) -> RateUsage:
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
    ) -> T:
        def attempt() -> T:
            try:
                return parse(self._send(method, path, params, signed=signed))
            except ResponseFormatError as error:
                raise unreadable_response(operation, path, error) from None

        return self._run(operation, attempt, f"{method} {path}")

    def _unless_gone(
        self,
        operation: Operation,
        method: str,
        path: str,
        params: Params,
        parse: Callable[[Any], T],
    ) -> T | None:
        """A signed call whose "not found" answer (errors.is_not_found) is None."""
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

    def _send(self, method: str, path: str, params: Params, *, signed: bool) -> Any:
        url, headers = self._build(path, params, signed=signed, retry_sync=method != "GET")
        try:
            response = self._http.request(method, url, headers=headers)
        except HTTPX_ERRORS as error:
            log.debug("%s %s -> %s", method, path, type(error).__name__)
            raise map_error(path, error, self._clock(), self._host) from None
        log.debug("%s %s -> %s", method, path, response.status_code)
        self._usage.record(response.headers.multi_items())
        if not response.is_success:
            raise map_error(path, response, self._clock())
        try:
            return json.loads(response.content, parse_float=Decimal)
        except ValueError:
            raise ResponseFormatError("the body is not JSON") from None

    def _build(
        self, path: str, params: Params, *, signed: bool, retry_sync: bool
    ) -> tuple[str, dict[str, str]]:
        if not signed:
            query = encode_query(params)
            return f"{self._base_url}{path}" + (f"?{query}" if query else ""), {}
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
        if offset is None:
            offset = self._initial_offset(retry_sync)
        return str(int(self._clock() * 1000) + offset)

    def _initial_offset(self, retry_sync: bool) -> int:
        # One sync for all threads that sign their first request at the same moment. A read's own
        # retries cover a failed sync; retried here too, an unreachable host took minutes.
        with self._first_sync:
            with self._lock:
                offset = self._offset_ms
            if offset is None and retry_sync:
                self._run(Operation.READ, self._sync_clock, "GET /api/v3/time")
            elif offset is None:
                self._sync_clock()
        with self._lock:
            return self._offset_ms or 0

    def _sync_clock(self) -> int:
        """One ``GET /api/v3/time``; the offset is taken against the request's midpoint."""
        before = self._clock()
        try:
            payload = self._send("GET", "/api/v3/time", [], signed=False)
            server = parse_server_time(payload)
        except ResponseFormatError as error:
            raise unreadable_response(Operation.READ, "/api/v3/time", error) from None
        except OutcomeUnknownError as error:
            # Reading the time has no effect to be unknown about; report it as a plain failure.
            raise TransientError(
                error.msg, status=error.status, code=error.code, endpoint=error.endpoint
            ) from None
        local_ms = int((before + self._clock()) / 2 * 1000)
        with self._lock:
            self._offset_ms = server - local_ms
        return server
