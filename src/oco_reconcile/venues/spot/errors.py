"""Binance Spot error answers -> the project's error tree: the one place that maps them.

An HTTP status, a Binance ``code`` / ``msg`` body (errors.md) or an httpx exception becomes one
:class:`ExchangeError` subclass; no httpx exception escapes. Messages carry the path, status, code
and Binance's message, never the query string (it holds the signature) or headers (the API key).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import httpx

from oco_reconcile.errors import (
    ArchivedOrderError,
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
)
from oco_reconcile.venues.retry import Operation
from oco_reconcile.venues.spot.fields import ResponseFormatError

_OUTCOME_UNKNOWN_CODES = frozenset({-1000, -1001, -1006, -1007})
_RATE_LIMIT_CODES = frozenset({-1003, -1015})
_UNAUTHORIZED_CODES = frozenset({-2014, -2015})
_NOT_FOUND_CODES = frozenset({-2013, -2018})
# Binance pairs these messages with -2011, -2013 or -2018, and the pairing is not fixed (errors.md
# "-2011 CANCEL_REJECTED", "-2013 NO_SUCH_ORDER"; -2018 is the Spot testnet's answer), so the
# message alone is enough: any code (or none) carrying one of them means "not there" -- except a
# new-order rejection (-1010, -2010 share the matching-engine messages, errors.md "Messages for
# -1010, -2010, -2011, -2038"), which refuses a placement and never answers a lookup.
_NOT_FOUND_MESSAGES = frozenset(
    {
        "unknown order sent.",
        "unknown order list sent.",
        "order does not exist.",
        "order list does not exist.",
    }
)
_NEW_ORDER_REJECTED = frozenset({-1010, -2010})
_ARCHIVED = -2026
_CLOCK_SKEW = -1021
_SERVER_BUSY = -1008
_DUPLICATE = "Duplicate order sent."
_BANNED_UNTIL = re.compile(r"banned until (\d{13})")


def map_error(
    endpoint: str, outcome: httpx.Response | Exception, now: float, host: str | None = None
) -> ExchangeError:
    """The error for a non-2xx response or an httpx exception; ``now`` is the injected clock,
    ``host`` the exchange's host (and port) to name when it could not be reached."""
    if isinstance(outcome, httpx.Response):
        return _response_error(endpoint, outcome, now)
    return _transport_error(endpoint, outcome, host or "the exchange")


def _response_error(endpoint: str, response: httpx.Response, now: float) -> ExchangeError:
    status = response.status_code
    code, msg = error_body(response)
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
    if code == _ARCHIVED:
        return ArchivedOrderError(text, **kw)
    if is_not_found(code, text):
        return UnknownOrderListError(text, **kw)
    if 400 <= kw["status"] < 500:
        return RejectedError(text, **kw)
    return None


def is_not_found(code: int | None, msg: str) -> bool:
    """Whether a 4xx answer says the order or list is not (or no longer) there: by code
    (-2013, -2018) or by message, whatever code other than a new-order rejection comes with it."""
    if code in _NOT_FOUND_CODES:
        return True
    return code not in _NEW_ORDER_REJECTED and msg.strip().lower() in _NOT_FOUND_MESSAGES


_STATUS_TEXT = {
    4: "request rejected without an error body",
    5: "server error: the request may or may not have executed",
}


def error_body(response: httpx.Response) -> tuple[int | None, str | None]:
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


def _transport_error(endpoint: str, error: Exception, host: str) -> ExchangeError:
    # Only the exception's class name is kept: its text can contain the URL (and so the signature).
    kind = type(error).__name__
    if isinstance(error, _NOT_SENT):
        return TransientError(f"could not connect to {host} ({kind})", endpoint=endpoint)
    if isinstance(error, _NEVER_SENT_LOCALLY):
        return ExchangeError(f"the request could not be built ({kind})", endpoint=endpoint)
    if isinstance(error, httpx.TimeoutException):
        return OutcomeUnknownError(
            f"no response from {host} in time after sending ({kind}): the request may have "
            "executed",
            endpoint=endpoint,
        )
    if isinstance(error, httpx.TransportError | httpx.DecodingError):
        return OutcomeUnknownError(
            f"the connection to {host} failed after sending ({kind}): the request may have "
            "executed",
            endpoint=endpoint,
        )
    return ExchangeError(f"HTTP client error ({kind})", endpoint=endpoint)


HTTPX_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError)


def unreadable_response(
    operation: Operation, path: str, error: ResponseFormatError, *, placed: str = "list"
) -> ExchangeError:
    """An answer we cannot read: for a placement the ``placed`` thing may exist (outcome
    unknown)."""
    if operation is Operation.PLACE:
        return OutcomeUnknownError(
            f"the placement response could not be read ({error}): the {placed} may exist",
            endpoint=path,
        )
    return ExchangeError(f"unexpected response: {error}", endpoint=path)
