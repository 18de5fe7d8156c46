"""The retry policy: the one place that decides which failed request is sent again, by whom, how
often and after what delay.

Every retryable failure is one :class:`Condition`, and each (operation, condition) pair has exactly
one :class:`Layer` that re-sends; every other layer raises it on. The rule (:func:`owner`):

* **-1021** (timestamp outside ``recvWindow``) is the client's for every request: it is rejected
  before the matching engine (errors.md "-1021 INVALID_TIMESTAMP"), so the client re-syncs its clock
  and re-sends at once, at most ``max_clock_resyncs`` times per request;
* **reads** are the client's for every condition: a GET has no side effect, so a 429 waits for
  ``Retry-After`` and a failed or unanswered read backs off, up to ``max_attempts`` sends;
* **writes** (place, cancel) on a 429 are the pacer's (the apply engine pauses every worker for the
  ``Retry-After``, rest-api.md "LIMITS"), up to ``max_attempts`` sends;
* **writes** that failed or went unanswered belong to the lookup: a 5xx or a timeout leaves the
  outcome UNKNOWN (rest-api.md "HTTP Return Codes"), so the apply engine looks the list up by its
  client id and re-sends the same request only when the write is confirmed not to have happened,
  up to ``max_write_attempts`` sends.

A ban (418) is never retried by anyone.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Generic, TypeVar

import tenacity

from oco_reconcile.errors import (
    ClockSkewError,
    OutcomeUnknownError,
    RateLimitedError,
    TransientError,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


class Operation(Enum):
    """What a request does, which decides whether it may be repeated (rest-api.md "HTTP Return
    Codes")."""

    READ = "read"  # GET: no side effect, repeat freely
    CANCEL = "cancel"  # DELETE: a repeat of a cancel that went through answers -2011 (gone)
    PLACE = "place"  # POST: a repeat could place a second list; only after a lookup


class Condition(Enum):
    """A failure after which sending the request again can help."""

    RATE_LIMITED = "rate limited"  # 429, -1003, -1015: nothing executed, wait and repeat
    CLOCK_SKEW = "clock skew"  # -1021: nothing executed, re-sync and repeat
    NOT_EXECUTED = "not executed"  # never reached the exchange, or -1008 busy
    OUTCOME_UNKNOWN = "outcome unknown"  # 5xx, -1006/-1007, timeout after sending


class Layer(Enum):
    """Who sends a request again."""

    CLIENT = "client"  # the venue client: the same request, after a wait or a clock re-sync
    PACER = "pacer"  # the apply engine: after pausing every worker for the Retry-After
    LOOKUP = "lookup"  # the apply engine: only once a lookup shows the write did not happen


@dataclass(frozen=True)
class LookupPolicy:
    """How a write whose outcome is unknown is looked up before the same request is sent again.

    Binance answers from two sources (rest-api.md "Data Sources"): "Memory" (the matching
    engine's state) and "Database", and "Memory => Database" means memory is checked first.
    ``GET /api/v3/orderList`` and ``GET /api/v3/openOrderList`` read only the database, which can
    lag behind a list the engine has just accepted; ``GET /api/v3/openOrders`` reads memory
    first. So each of ``attempts`` lookups asks openOrders for the list's legs, then orderList for
    the list, and waits ``delay`` seconds before the next: a write is re-sent only after the list
    was absent from both for the whole window (``(attempts - 1) * delay`` seconds).
    """

    attempts: int = 3
    delay: float = 0.75

    def window(self) -> float:
        """Seconds between the first lookup and the last."""
        return max(self.attempts - 1, 0) * self.delay


@dataclass(frozen=True)
class RetryPolicy:
    """How often and after what delay each layer re-sends.

    Waits are exponential from ``base_delay`` capped at ``max_delay``, plus up to ``jitter``
    seconds of random jitter; a ``Retry-After`` is honoured instead, unless it is longer than
    ``max_retry_after`` (then the error is raised).
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0
    jitter: float = 0.5
    max_retry_after: float = 120.0
    max_clock_resyncs: int = 1
    max_write_attempts: int = 3
    lookup: LookupPolicy = LookupPolicy()
    uniform: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        exponential = min(self.base_delay * 2.0 ** (attempt - 1), self.max_delay)
        return exponential + self.jitter * self.uniform()


def condition_of(error: BaseException) -> Condition | None:
    """The retryable condition ``error`` reports, or None (a ban, a rejection, a bug)."""
    if isinstance(error, RateLimitedError):
        return Condition.RATE_LIMITED
    if isinstance(error, ClockSkewError):
        return Condition.CLOCK_SKEW
    if isinstance(error, TransientError):
        return Condition.NOT_EXECUTED
    if isinstance(error, OutcomeUnknownError):
        return Condition.OUTCOME_UNKNOWN
    return None


def owner(operation: Operation, condition: Condition) -> Layer:
    """The one layer that re-sends ``operation`` after ``condition`` (see the module docstring)."""
    if condition is Condition.CLOCK_SKEW or operation is Operation.READ:
        return Layer.CLIENT
    if condition is Condition.RATE_LIMITED:
        return Layer.PACER
    return Layer.LOOKUP


def should_retry(
    layer: Layer, operation: Operation, error: BaseException, policy: RetryPolicy
) -> bool:
    """Whether ``layer`` may send ``operation`` again after ``error`` (attempt limits aside)."""
    condition = condition_of(error)
    if condition is None or owner(operation, condition) is not layer:
        return False
    retry_after = getattr(error, "retry_after", None)
    return retry_after is None or retry_after <= policy.max_retry_after


def retry_delay(error: BaseException | None, attempt: int, policy: RetryPolicy) -> float:
    """Seconds to wait before the next attempt: ``Retry-After`` when given, else backoff."""
    retry_after = getattr(error, "retry_after", None)
    if isinstance(retry_after, int | float) and retry_after >= 0:
        return float(retry_after)
    return policy.backoff(attempt)


def retrying(
    layer: Layer,
    operation: Operation,
    send: Callable[[], T],
    policy: RetryPolicy,
    *,
    wait: Callable[[float], None],
    resync: Callable[[], object] | None = None,
    label: str | None = None,
) -> T:
    """``send()``, repeated (by tenacity) while ``layer`` owns the failure and the policy allows.

    A -1021 is followed by ``resync()`` and an immediate re-send that does not count as an
    attempt, at most ``max_clock_resyncs`` times for the whole call; any other owned failure waits
    (``Retry-After`` or backoff) and counts. Each wait is logged (WARNING) as it starts, naming
    ``label`` (the method, path and host: never a URL, which may carry a signature).
    """
    attempt = _ResyncingSend(layer, operation, send, policy, resync)
    retryer = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(policy.max_attempts),
        wait=lambda state: retry_delay(_failure(state), state.attempt_number, policy),
        retry=tenacity.retry_if_exception(
            lambda error: (
                not isinstance(error, ClockSkewError)
                and should_retry(layer, operation, error, policy)
            )
        ),
        sleep=wait,
        before_sleep=_retry_logger(label, policy.max_attempts),
        reraise=True,
    )
    return retryer(attempt)


@dataclass
class _ResyncingSend(Generic[T]):
    """One attempt: the send, re-sent at once after a clock re-sync on -1021."""

    layer: Layer
    operation: Operation
    send: Callable[[], T]
    policy: RetryPolicy
    resync: Callable[[], object] | None
    resyncs: int = 0

    def __call__(self) -> T:
        while True:
            try:
                return self.send()
            except ClockSkewError as error:
                resync = self._resync_for(error)
                if resync is None:
                    raise
                self.resyncs += 1
                log.info("%s: timestamp outside recvWindow, re-syncing the clock", error.endpoint)
                resync()

    def _resync_for(self, error: ClockSkewError) -> Callable[[], object] | None:
        """The re-sync to run before re-sending, or None when this -1021 is to be raised."""
        allowed = self.resyncs < self.policy.max_clock_resyncs
        if not allowed or not should_retry(self.layer, self.operation, error, self.policy):
            return None
        return self.resync


def _failure(state: tenacity.RetryCallState) -> BaseException | None:
    return None if state.outcome is None else state.outcome.exception()


def _retry_logger(label: str | None, attempts: int) -> Callable[[tenacity.RetryCallState], None]:
    what = "retrying" if label is None else f"retrying {label}"

    def log_retry(state: tenacity.RetryCallState) -> None:
        delay = 0.0 if state.next_action is None else state.next_action.sleep
        log.warning(
            "%s after %s (attempt %d of %d, waiting %.1fs)",
            what,
            _reason(_failure(state)),
            state.attempt_number,
            attempts,
            delay,
        )

    return log_retry


def _reason(error: BaseException | None) -> str:
    message = getattr(error, "msg", None)
    return message if isinstance(message, str) else str(error)
