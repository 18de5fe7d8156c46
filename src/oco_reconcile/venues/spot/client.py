"""The Binance Spot REST client: the only module that speaks HTTP to the exchange.

It implements the :class:`Exchange` seam over ``httpx``. What it owns:

* **Requests.** Parameters are percent-encoded in the order given, signed over exactly those bytes
  and sent in the query string, also for POST and DELETE (rest-api.md "SIGNED (TRADE and USER_DATA)
  Endpoint security"). Prices and
  quantities go out as canonical decimal strings.
* **Time.** ``timestamp`` is the injected clock plus the offset measured with ``GET
  /api/v3/time``; a -1021 answer re-syncs once and re-sends (it is rejected before the matching
  engine, so re-sending cannot duplicate anything; §7 "Timestamp rejections and counters").
* **Errors.** :func:`map_error` is the one place that turns an HTTP status, a Binance ``code`` /
  ``msg`` or an httpx exception into the project's error tree. No httpx exception escapes.
* **Retries.** Reads and cancels are retried by a tenacity policy (:class:`RetryPolicy`) with
  exponential backoff, jitter and ``Retry-After``; a placement is never re-sent: an unknown outcome
  is raised as ``OutcomeUnknownError`` and the caller must look the list up first (§6.3).
* **Pacing data.** Usage headers and published limits are tracked for the apply engine.

Secrets never leave this module: logs carry the method, path and status only; error messages the
path, status, code and Binance's message, never the query string (it holds the signature) or
headers (they hold the API key).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar
from urllib.parse import quote, urlencode, urlsplit

import httpx
import tenacity

from oco_reconcile import __version__
from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.model import (
    Balance,
    ExchangeInfo,
    LegRequest,
    OcoRequest,
    OrderList,
    OrderReport,
    RateLimit,
    RateUsage,
)
from oco_reconcile.errors import (
    BannedError,
    BlockedError,
    ClockSkewError,
    DuplicateOrderError,
    ExchangeError,
    OutcomeUnknownError,
    RateLimitedError,
    RejectedError,
    TransientError,
    UnauthorizedError,
    UnknownOrderListError,
    UsageError,
)
from oco_reconcile.venues.credentials import Credentials
from oco_reconcile.venues.ratelimit import Headroom, UsageTracker
from oco_reconcile.venues.spot.parse import (
    ResponseFormatError,
    parse_balances,
    parse_exchange_info,
    parse_order_list,
    parse_order_lists,
    parse_order_report,
    parse_order_reports,
    parse_prices,
    parse_server_time,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
_SIGNATURE_PARAM = re.compile(r"signature=[^&\s\"']*")


class _RedactSignatures(logging.Filter):
    """httpx logs every request URL at INFO; the signature in it must not reach a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(arg) for arg in record.args)
        if isinstance(record.msg, str):
            record.msg = _SIGNATURE_PARAM.sub("signature=<redacted>", record.msg)
        return True


def _redacted(value: object) -> object:
    text = str(value) if isinstance(value, httpx.URL | str) else None
    if text is None or "signature=" not in text:
        return value
    return _SIGNATURE_PARAM.sub("signature=<redacted>", text)


def _install_log_redaction() -> None:
    httpx_log = logging.getLogger("httpx")
    if not any(isinstance(existing, _RedactSignatures) for existing in httpx_log.filters):
        httpx_log.addFilter(_RedactSignatures())


_install_log_redaction()
Params = Sequence[tuple[str, str]]

# --- base URLs (rest-api.md "General API Information") --------------------------------------------

PRODUCTION_URL = "https://api.binance.com"
TESTNET_URL = "https://testnet.binance.vision"
DEMO_URL = "https://demo-api.binance.com"
SIM_URL = "http://sim.local"  # only ever reached through the in-process SimTransport
NAMED_BASE_URLS = {
    "production": PRODUCTION_URL,
    "testnet": TESTNET_URL,
    "demo": DEMO_URL,
    "sim": SIM_URL,
}
MAX_RECV_WINDOW_MS = 60_000


def base_url_for(exchange: str) -> str:
    """The base URL for a named exchange, or ``exchange`` itself when it is a valid base URL.

    Plain ``http://`` is accepted only for loopback hosts (a local ``sim serve``).
    """
    named = NAMED_BASE_URLS.get(exchange.strip().lower())
    if named is not None:
        return named
    url = _valid_url(exchange)
    if urlsplit(url).scheme == "http" and not is_loopback(urlsplit(url).hostname or ""):
        raise UsageError(
            "plain http:// is only allowed for a loopback host (127.0.0.1, ::1, localhost); "
            "use https:// for a remote exchange"
        )
    return url


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _valid_url(url: str) -> str:
    names = ", ".join(NAMED_BASE_URLS)
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"exchange must be one of {names} or an http(s) base URL")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise UsageError("an exchange base URL must not carry user info, a query or a fragment")
    return url.strip().rstrip("/")


# --- retry policy -------------------------------------------------------------------------------


class Operation(Enum):
    """What a request does, which decides whether it may be repeated (rest-api.md "HTTP Return
    Codes")."""

    READ = "read"  # GET: no side effect, repeat freely
    CANCEL = "cancel"  # DELETE: a repeat of a cancel that went through answers -2011 (gone)
    PLACE = "place"  # POST: a repeat could place a second list; never automatic


@dataclass(frozen=True)
class RetryPolicy:
    """Retries for reads and cancels: exponential backoff from ``base_delay`` capped at
    ``max_delay``, plus up to ``jitter`` seconds of random jitter; a ``Retry-After`` header is
    honoured instead, unless it is longer than ``max_retry_after`` (then the error is raised)."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0
    jitter: float = 0.5
    max_retry_after: float = 120.0
    uniform: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        exponential = min(self.base_delay * 2.0 ** (attempt - 1), self.max_delay)
        return exponential + self.jitter * self.uniform()


_RETRYABLE = (TransientError, OutcomeUnknownError, ClockSkewError)


def should_retry(operation: Operation, error: BaseException, policy: RetryPolicy) -> bool:
    """Whether a failed request of this kind may be sent again automatically."""
    if operation is Operation.PLACE or not isinstance(error, ExchangeError):
        return False
    if isinstance(error, RateLimitedError):
        return error.retry_after is None or error.retry_after <= policy.max_retry_after
    return isinstance(error, _RETRYABLE)


def retry_delay(error: BaseException | None, attempt: int, policy: RetryPolicy) -> float:
    """Seconds to wait before the next attempt: ``Retry-After`` when given, else backoff."""
    retry_after = getattr(error, "retry_after", None)
    if isinstance(retry_after, int | float) and retry_after >= 0:
        return float(retry_after)
    return policy.backoff(attempt)


# --- error mapping: the one place (README "How it works", errors.md) -----------

_OUTCOME_UNKNOWN_CODES = frozenset({-1000, -1001, -1006, -1007})
_RATE_LIMIT_CODES = frozenset({-1003, -1015})
_UNAUTHORIZED_CODES = frozenset({-2014, -2015})
_NOT_FOUND_CODES = frozenset({-2013, -2018})
_CLOCK_SKEW = -1021
_SERVER_BUSY = -1008
_CANCEL_REJECTED = -2011
_DUPLICATE = "Duplicate order sent."
_BANNED_UNTIL = re.compile(r"banned until (\d{13})")


def map_error(endpoint: str, outcome: httpx.Response | Exception, now: float) -> ExchangeError:
    """The error for a non-2xx response or an httpx exception; ``now`` is the injected clock."""
    if isinstance(outcome, httpx.Response):
        return _response_error(endpoint, outcome, now)
    return _transport_error(endpoint, outcome)


def _response_error(endpoint: str, response: httpx.Response, now: float) -> ExchangeError:
    status = response.status_code
    code, msg = _error_body(response)
    text = msg or _STATUS_TEXT.get(status // 100, f"unexpected HTTP status {status}")
    retry_after = _retry_after(response)
    kw: dict[str, Any] = {"status": status, "code": code, "endpoint": endpoint}
    if status == 418:
        until = _ban_until(now, retry_after, msg)
        return BannedError(text, retry_after=retry_after, until=until, **kw)
    if status == 429 or code in _RATE_LIMIT_CODES:
        return RateLimitedError(text, retry_after=retry_after, **kw)
    # Any 5xx: the request may have executed (rest-api.md "HTTP Return Codes"); this wins over a
    # -1008 body because a busy 5xx has been seen to place the order (rest-api.md "HTTP Return
    # Codes": 5xx means the execution status is UNKNOWN).
    if status >= 500 or code in _OUTCOME_UNKNOWN_CODES:
        return OutcomeUnknownError(text, **kw)
    if status == 403:
        return BlockedError(text, **kw)
    if status == 401 or code in _UNAUTHORIZED_CODES:
        return UnauthorizedError(text, **kw)
    return _coded_rejection(text, code, kw) or ExchangeError(text, **kw)


def _coded_rejection(text: str, code: int | None, kw: dict[str, Any]) -> ExchangeError | None:
    if code == _CLOCK_SKEW:
        return ClockSkewError(text, **kw)
    if code == _SERVER_BUSY:
        return TransientError(text, **kw)
    if _DUPLICATE in text:
        return DuplicateOrderError(text, **kw)
    if code in _NOT_FOUND_CODES or (code == _CANCEL_REJECTED and text.startswith("Unknown order")):
        return UnknownOrderListError(text, **kw)
    if 400 <= kw["status"] < 500:
        return RejectedError(text, **kw)
    return None


_STATUS_TEXT = {
    4: "request rejected without an error body",
    5: "server error: the request may or may not have executed",
}


def _error_body(response: httpx.Response) -> tuple[int | None, str | None]:
    """Binance's ``{"code": ..., "msg": ...}``; anything else (a WAF page) yields no text, so a
    body that might echo the request never reaches a message."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return None, None
    if not isinstance(body, dict):
        return None, None
    code = body.get("code")
    msg = body.get("msg")
    return (
        code if isinstance(code, int) and not isinstance(code, bool) else None,
        msg if isinstance(msg, str) else None,
    )


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def _ban_until(now: float, retry_after: float | None, msg: str | None) -> datetime | None:
    if retry_after is not None:
        return datetime.fromtimestamp(now + retry_after, tz=UTC)
    match = _BANNED_UNTIL.search(msg or "")
    return datetime.fromtimestamp(int(match.group(1)) / 1000, tz=UTC) if match else None


_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)
_NEVER_SENT_LOCALLY = (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.InvalidURL)


def _transport_error(endpoint: str, error: Exception) -> ExchangeError:
    # Only the exception's class name is kept: its text can contain the URL (and so the signature).
    kind = type(error).__name__
    if isinstance(error, _NOT_SENT):
        return TransientError(f"could not reach the exchange ({kind})", endpoint=endpoint)
    if isinstance(error, _NEVER_SENT_LOCALLY):
        return ExchangeError(f"the request could not be built ({kind})", endpoint=endpoint)
    if isinstance(error, httpx.TimeoutException):
        return OutcomeUnknownError(
            f"no response in time after sending ({kind}): the request may have executed",
            endpoint=endpoint,
        )
    if isinstance(error, httpx.TransportError | httpx.DecodingError):
        return OutcomeUnknownError(
            f"the connection failed after sending ({kind}): the request may have executed",
            endpoint=endpoint,
        )
    return ExchangeError(f"HTTP client error ({kind})", endpoint=endpoint)


_HTTPX_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError)


# --- request parameters -------------------------------------------------------------------------


def _wire(value: Decimal | None) -> str | None:
    return None if value is None else to_wire(value)


def _leg_params(prefix: str, leg_request: LegRequest) -> list[tuple[str, str]]:
    leg = leg_request.leg
    values = (
        ("Type", leg.type.value),
        ("ClientOrderId", leg_request.client_order_id),
        ("Price", _wire(leg.price)),
        ("StopPrice", _wire(leg.stop_price)),
        ("TrailingDelta", None if leg.trailing_delta is None else str(leg.trailing_delta)),
        ("TimeInForce", None if leg.time_in_force is None else leg.time_in_force.value),
        ("IcebergQty", _wire(leg.iceberg_qty)),
    )
    # Only what is set: Binance rejects parameters a leg type does not take (-1104 / -1106).
    return [(prefix + name, value) for name, value in values if value is not None]


def oco_params(request: OcoRequest) -> list[tuple[str, str]]:
    """The parameters of ``POST /api/v3/orderList/oco`` (rest-api.md "New Order list - OCO
    (TRADE)"), in sending order."""
    return [
        ("symbol", request.symbol),
        ("side", request.side.value),
        ("quantity", to_wire(request.quantity)),
        ("listClientOrderId", request.list_client_order_id),
        *_leg_params("above", request.above),
        *_leg_params("below", request.below),
        ("newOrderRespType", "RESULT"),
    ]


def encode_query(params: Params) -> str:
    """Percent-encode every key and value (only ``A-Za-z0-9-_.~`` stay as they are, §8.1)."""
    return urlencode(list(params), quote_via=quote)


def _symbols_json(symbols: Sequence[str]) -> str:
    return json.dumps(list(dict.fromkeys(symbols)), separators=(",", ":"))


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
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        if not 0 < recv_window_ms <= MAX_RECV_WINDOW_MS:
            raise UsageError(f"recv_window_ms must be between 1 and {MAX_RECV_WINDOW_MS}")
        self._base_url = _client_base_url(base_url, has_transport=transport is not None)
        self._credentials = credentials
        self._clock = clock
        self._sleep = sleep
        self._recv_window = str(recv_window_ms)
        self._retry = retry or RetryPolicy()
        self._lock = threading.Lock()
        self._first_sync = threading.Lock()
        self._offset_ms: int | None = None
        self._usage = UsageTracker()
        self._http = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": f"oco-reconcile/{__version__}"},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"BinanceClient(base_url={self._base_url!r}, credentials={self._credentials!r})"

    __str__ = __repr__

    @property
    def base_url(self) -> str:
        return self._base_url

    # --- lifecycle ---

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> BinanceClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- Exchange protocol: reads ---

    def server_time(self) -> int:
        """``GET /api/v3/time``; also sets the clock offset used for ``timestamp``."""
        return self._run(Operation.READ, self._sync_clock)

    def exchange_info(self, symbols: Sequence[str]) -> ExchangeInfo:
        """Rules for ``symbols`` in one request; an empty sequence asks for every symbol."""
        params = [("symbols", _symbols_json(symbols))] if symbols else []
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
            params = [("symbols", _symbols_json(unique))] if unique else []
        return self._call(Operation.READ, "GET", "/api/v3/ticker/price", params, parse_prices)

    def balances(self) -> dict[str, Balance]:
        return self._call(Operation.READ, "GET", "/api/v3/account", [], parse_balances, signed=True)

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
        try:
            return self._call(
                Operation.READ, "GET", "/api/v3/orderList", params, parse_order_list, signed=True
            )
        except UnknownOrderListError:
            return None

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
        try:
            return self._call(
                Operation.READ, "GET", "/api/v3/order", params, parse_order_report, signed=True
            )
        except UnknownOrderListError:
            return None

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
        try:
            return self._call(
                Operation.CANCEL,
                "DELETE",
                "/api/v3/orderList",
                params,
                parse_order_list,
                signed=True,
            )
        except UnknownOrderListError:
            return None

    # --- rate-limit awareness ---

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
                return parse(self._send_resyncing(method, path, params, signed=signed))
            except ResponseFormatError as error:
                raise _unreadable(operation, path, error) from None

        return self._run(operation, attempt)

    def _run(self, operation: Operation, attempt: Callable[[], T]) -> T:
        if operation is Operation.PLACE:
            return attempt()
        policy = self._retry
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(policy.max_attempts),
            wait=lambda state: retry_delay(_failure(state), state.attempt_number, policy),
            retry=tenacity.retry_if_exception(lambda e: should_retry(operation, e, policy)),
            sleep=self._sleep,
            before_sleep=_log_retry,
            reraise=True,
        )
        return retrying(attempt)

    def _send_resyncing(self, method: str, path: str, params: Params, *, signed: bool) -> Any:
        try:
            return self._send(method, path, params, signed=signed)
        except ClockSkewError:
            if not signed:
                raise
            log.info("%s %s: timestamp outside recvWindow, re-syncing the clock", method, path)
            self._sync_clock()
            return self._send(method, path, params, signed=signed)

    def _send(self, method: str, path: str, params: Params, *, signed: bool) -> Any:
        url, headers = self._build(path, params, signed=signed)
        try:
            response = self._http.request(method, url, headers=headers)
        except _HTTPX_ERRORS as error:
            log.debug("%s %s -> %s", method, path, type(error).__name__)
            raise map_error(path, error, self._clock()) from None
        log.debug("%s %s -> %s", method, path, response.status_code)
        self._usage.record(response.headers.multi_items())
        if not response.is_success:
            raise map_error(path, response, self._clock())
        try:
            return json.loads(response.content, parse_float=Decimal)
        except ValueError:
            raise ResponseFormatError("the body is not JSON") from None

    def _build(self, path: str, params: Params, *, signed: bool) -> tuple[str, dict[str, str]]:
        if not signed:
            query = encode_query(params)
            return f"{self._base_url}{path}" + (f"?{query}" if query else ""), {}
        credentials = self._require_credentials(path)
        stamp = [("recvWindow", self._recv_window), ("timestamp", str(self._timestamp_ms()))]
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

    def _timestamp_ms(self) -> int:
        with self._lock:
            offset = self._offset_ms
        if offset is None:
            offset = self._initial_offset()
        return int(self._clock() * 1000) + offset

    def _initial_offset(self) -> int:
        # One sync for all threads that sign their first request at the same moment.
        with self._first_sync:
            with self._lock:
                offset = self._offset_ms
            if offset is None:
                self._run(Operation.READ, self._sync_clock)
        with self._lock:
            return self._offset_ms or 0

    def _sync_clock(self) -> int:
        """One ``GET /api/v3/time``; the offset is taken against the request's midpoint."""
        before = self._clock()
        try:
            payload = self._send("GET", "/api/v3/time", [], signed=False)
            server = parse_server_time(payload)
        except ResponseFormatError as error:
            raise _unreadable(Operation.READ, "/api/v3/time", error) from None
        except OutcomeUnknownError as error:
            # Reading the time has no effect to be unknown about; report it as a plain failure.
            raise TransientError(
                error.msg, status=error.status, code=error.code, endpoint=error.endpoint
            ) from None
        local_ms = int((before + self._clock()) / 2 * 1000)
        with self._lock:
            self._offset_ms = server - local_ms
        return server


def _client_base_url(base_url: str, *, has_transport: bool) -> str:
    url = _valid_url(base_url)
    host = urlsplit(url).hostname or ""
    # A plain-http URL is refused unless it stays on this machine (loopback, or an in-process
    # transport such as the simulator's), so credentials never cross a network unencrypted.
    if urlsplit(url).scheme == "http" and not (has_transport or is_loopback(host)):
        raise UsageError("plain http:// is only allowed for a loopback host")
    return url


def _unreadable(operation: Operation, path: str, error: ResponseFormatError) -> ExchangeError:
    if operation is Operation.PLACE:
        return OutcomeUnknownError(
            f"the placement response could not be read ({error}): the list may exist",
            endpoint=path,
        )
    return ExchangeError(f"unexpected response: {error}", endpoint=path)


def _failure(state: tenacity.RetryCallState) -> BaseException | None:
    return state.outcome.exception() if state.outcome is not None else None


def _log_retry(state: tenacity.RetryCallState) -> None:
    error = _failure(state)
    wait = state.next_action.sleep if state.next_action is not None else 0.0
    log.info("retrying after %s (attempt %d, waiting %.1fs)", error, state.attempt_number, wait)
