"""USDⓈ-M futures error answers -> the project's error tree: Spot's mapping plus the fapi cases.

The fapi answers the same ``{"code", "msg"}`` bodies, statuses and httpx failures as Spot
(binance-api.md §10.6), so :func:`~oco_reconcile.venues.spot.errors.map_error` maps them; only
what fapi answers differently is decided here first:

* HTTP 503 "Service Unavailable." is a definite failure (not counted, nothing executed), and
  -1008 "Request throttled by system-level protection" a failure to back off from (§10.6):
  both :class:`TransientError`, where Spot counts every 5xx as an unknown outcome (a 5xx -1008
  with the older "overloaded" text stays unknown: it has been seen to place the order);
* HTTP 408 is fapi's backend timeout (§6.1): the outcome is unknown;
* -4116 "ClientOrderId is duplicated." is the clientAlgoId of an open order: a duplicate;
* -2021, -2022, -4120, -4164 and the rest of the 4xx codes are plain rejections.

Messages carry the path, status, code and Binance's message, never the query or headers.
"""

from __future__ import annotations

from typing import Any

import httpx

from oco_reconcile.errors import (
    DuplicateOrderError,
    ExchangeError,
    OutcomeUnknownError,
    TransientError,
)
from oco_reconcile.venues.retry import Operation
from oco_reconcile.venues.spot.errors import error_body, map_error, unreadable_response
from oco_reconcile.venues.spot.fields import ResponseFormatError

IMMEDIATE_TRIGGER = -2021  # "Order would immediately trigger."
REDUCE_ONLY_REJECTED = -2022  # "ReduceOnly Order is rejected."
USE_ALGO_ENDPOINT = -4120  # STOP_ORDER_SWITCH_ALGO: a conditional type sent to /fapi/v1/order
MIN_NOTIONAL = -4164  # "Order's notional must be no smaller than ..."
DUPLICATE_CLIENT_ID = -4116  # "ClientOrderId is duplicated."
THROTTLED = -1008
_SERVICE_UNAVAILABLE = "service unavailable."
_BACKEND_TIMEOUT = 408


def map_futures_error(
    endpoint: str, outcome: httpx.Response | Exception, now: float, host: str | None = None
) -> ExchangeError:
    """The error for a non-2xx fapi response or an httpx exception (see the module docstring)."""
    if isinstance(outcome, httpx.Response):
        special = _futures_specific(endpoint, outcome)
        if special is not None:
            return special
    return map_error(endpoint, outcome, now, host)


def _futures_specific(endpoint: str, response: httpx.Response) -> ExchangeError | None:
    status = response.status_code
    code, msg = error_body(response)
    kw: dict[str, Any] = {"status": status, "code": code, "endpoint": endpoint}
    if status in (418, 429):
        return None  # a ban or a rate limit, whatever the body says: Spot's mapping
    if _definitely_not_executed(status, code, (msg or "").strip().lower()):
        return TransientError(msg or "service unavailable", **kw)
    if status == _BACKEND_TIMEOUT:
        text = "backend timeout: the request may or may not have executed"
        return OutcomeUnknownError(msg or text, **kw)
    if code == DUPLICATE_CLIENT_ID:
        return DuplicateOrderError(msg or "clientAlgoId is duplicated", **kw)
    return None


def _definitely_not_executed(status: int, code: int | None, msg: str) -> bool:
    # binance-api.md §10.6: 503 "Service Unavailable." and -1008 "Request throttled by
    # system-level protection" are failures; a 503/-1008 with the older "Server is currently
    # overloaded" text once placed the order (banbox/banbot #114), so that one stays unknown.
    if status == 503 and msg == _SERVICE_UNAVAILABLE:
        return True
    return code == THROTTLED and (status < 500 or "throttled" in msg)


def unreadable_futures_response(
    operation: Operation, path: str, error: ResponseFormatError
) -> ExchangeError:
    """An answer we cannot read: for a placement the algo order may exist (outcome unknown)."""
    return unreadable_response(operation, path, error, placed="algo order")
