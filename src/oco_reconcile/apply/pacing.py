"""A thread-safe pacer that keeps apply under the exchange's rate limits without ever hitting them.

Binance counts three things (rest-api.md "LIMITS"): ``ORDERS`` (unfilled order count, per account:
an OCO counts **2**), ``REQUEST_WEIGHT`` (per IP) and ``RAW_REQUESTS``. Each limit comes from
``exchangeInfo.rateLimits``; every one of them gets a sliding window here, and a request waits
(through the injected ``sleep``) until every window has room for it.

Safety margin (why a 429 should never happen), in time rather than in count:

* a request is reserved when it starts but re-stamped with the time it *finished*, so it leaves
  the local window only ``window + 50 ms`` after the exchange could possibly have counted it.
  The exchange counted it at some moment before the answer arrived, so whatever the latency or
  the clock offset, and whether the exchange counts sliding or fixed windows, the local sliding
  count is never below the exchange's count of our own requests;
* the usage headers of every response (``exchange.rate_usage()``) correct the local count upward
  when someone else (another process, the client's own retries) used the same budget;
* every placement attempt counts, even one the exchange may not have counted (a rejection);
* while other processes on the same IP are seen using the weight budget (the headers report more
  than this process counted), :data:`SHARED_WEIGHT_SHARE` of the weight limit stays free: their
  requests in flight are invisible until their answers arrive.

Reads are paced too (``apply/reads.py``), at the weights of rest-api.md, so a large plan or
several runs in one minute wait for room instead of earning a 429 (and, repeated, a 418 ban).

The full published limit is used (``count_margin`` = 0 by default): the ORDERS limit is spent in
whole OCOs, so keeping back even one order would cost a whole OCO per window (100/10s: 49
instead of 50, 2% of throughput) without protecting against anything the points above miss.

A ``Retry-After`` (a 429 that happened anyway) pauses every caller until it has passed. A wait
longer than ``max_wait`` (for example an exhausted daily order budget) raises
:class:`PacingExhaustedError` instead of sleeping for hours. A wait given a :class:`StopToken`
wakes when it is set and raises :class:`StoppedError` (an interrupt: nothing new starts).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from oco_reconcile.apply.stop import StopToken
from oco_reconcile.core.ratelimits import RateLimit, RateLimitType, RateUsage
from oco_reconcile.errors import RateLimitedError
from oco_reconcile.venues.spot.weights import (
    ACCOUNT_WEIGHT,
    ALL_ORDER_LISTS_WEIGHT,
    AVG_PRICE_WEIGHT,
    CANCEL_LIST_WEIGHT,
    EXCHANGE_INFO_WEIGHT,
    OCO_ORDER_COUNT,
    OPEN_ORDER_LISTS_WEIGHT,
    OPEN_ORDERS_WEIGHT_ALL,
    OPEN_ORDERS_WEIGHT_ONE,
    ORDER_LIST_WEIGHT,
    ORDER_WEIGHT,
    PLACE_OCO_WEIGHT,
    PRICE_MANY_WEIGHT,
    PRICE_ONE_WEIGHT,
    REFERENCE_PRICE_WEIGHT,
    SERVER_TIME_WEIGHT,
)

TIME_GUARD_SECONDS = 0.05
# How soon a caller waiting only on requests still in flight looks again.
IN_FLIGHT_RECHECK_SECONDS = 0.05
DEFAULT_MAX_WAIT_SECONDS = 120.0

# Until exchangeInfo is read, or when it carried no rateLimits (rest-api.md "LIMITS", the
# published values).
DEFAULT_LIMITS = (
    RateLimit(RateLimitType.REQUEST_WEIGHT, "MINUTE", 1, 6000),
    RateLimit(RateLimitType.ORDERS, "SECOND", 10, 100),
    RateLimit(RateLimitType.ORDERS, "DAY", 1, 200000),
)

SHARED_WEIGHT_SHARE = 0.1


class PacingExhaustedError(RateLimitedError):
    """A limit would only have room again after longer than the pacer is willing to wait."""


@dataclass(frozen=True)
class Cost:
    """What one request uses: unfilled orders and request weight (and always one raw request)."""

    orders: int = 0
    weight: int = 0


PLACE_OCO = Cost(orders=OCO_ORDER_COUNT, weight=PLACE_OCO_WEIGHT)
CANCEL_LIST = Cost(weight=CANCEL_LIST_WEIGHT)
ORDER_LIST_LOOKUP = Cost(weight=ORDER_LIST_WEIGHT)
ORDER_LOOKUP = Cost(weight=ORDER_WEIGHT)
SERVER_TIME = Cost(weight=SERVER_TIME_WEIGHT)
EXCHANGE_INFO = Cost(weight=EXCHANGE_INFO_WEIGHT)
ACCOUNT = Cost(weight=ACCOUNT_WEIGHT)
OPEN_ORDER_LISTS = Cost(weight=OPEN_ORDER_LISTS_WEIGHT)
ALL_ORDER_LISTS = Cost(weight=ALL_ORDER_LISTS_WEIGHT)
REFERENCE_PRICE = Cost(weight=REFERENCE_PRICE_WEIGHT)
AVG_PRICE = Cost(weight=AVG_PRICE_WEIGHT)


def prices_cost(symbol_count: int) -> Cost:
    return Cost(weight=PRICE_ONE_WEIGHT if symbol_count == 1 else PRICE_MANY_WEIGHT)


def open_orders_cost(symbol: str | None) -> Cost:
    return Cost(weight=OPEN_ORDERS_WEIGHT_ALL if symbol is None else OPEN_ORDERS_WEIGHT_ONE)


def effective_limit(limit: int, margin: int = 0) -> int:
    """The share of ``limit`` the pacer uses: ``margin`` units stay free (at least 1 is used)."""
    return max(1, limit - margin)


class _Event:
    """One request's use of a window; ``at`` moves to the finish time when the request ends.

    A request still in flight never leaves a window, however long it has been out: the exchange
    counts it when it arrives, which may be any time before its answer.
    """

    __slots__ = ("amount", "at", "in_flight")

    def __init__(self, at: float, amount: int) -> None:
        self.at = at
        self.amount = amount
        self.in_flight = True

    def expiry(self, span: float, now: float) -> float:
        """When this use leaves a window of ``span`` seconds (in flight: re-check shortly)."""
        if self.in_flight:
            return max(self.at + span, now + IN_FLIGHT_RECHECK_SECONDS)
        return self.at + span


class _Window:
    """Sliding-window accounting for one rate limit (not thread-safe: the pacer holds a lock)."""

    def __init__(self, rate_limit: RateLimit, margin: int) -> None:
        self.rate_limit = rate_limit
        self.span = rate_limit.window_seconds + TIME_GUARD_SECONDS
        self.allowed = effective_limit(rate_limit.limit, margin)
        self.shared_margin = 0
        if rate_limit.type is RateLimitType.REQUEST_WEIGHT:
            self.shared_margin = int(rate_limit.limit * SHARED_WEIGHT_SHARE)
        self.shared_until = 0.0  # others were seen using this budget: keep the margin till then
        self.events: deque[_Event] = deque()

    def cost_of(self, cost: Cost) -> int:
        kind = self.rate_limit.type
        if kind is RateLimitType.ORDERS:
            return cost.orders
        if kind is RateLimitType.REQUEST_WEIGHT:
            return cost.weight
        return 1

    def used(self, now: float) -> int:
        self._expire(now)
        return sum(event.amount for event in self.events)

    def wait_for(self, amount: int, now: float) -> float:
        """Seconds until ``amount`` more fits; 0 when it fits now."""
        used = self.used(now)
        allowed = self.allowed
        if now < self.shared_until:
            allowed = max(1, allowed - self.shared_margin)
        if amount == 0 or used + amount <= allowed or used == 0:
            return 0.0
        excess = used + amount - allowed
        expiries = sorted((event.expiry(self.span, now), event.amount) for event in self.events)
        for expiry, event_amount in expiries:
            excess -= event_amount
            if excess <= 0:
                return expiry - now
        return expiries[-1][0] - now

    def record(self, now: float, amount: int, *, in_flight: bool) -> _Event | None:
        if amount <= 0:
            return None
        event = _Event(now, amount)
        event.in_flight = in_flight
        self.events.append(event)
        return event

    def _expire(self, now: float) -> None:
        # Re-stamping can leave later-expiring events in front, so filter rather than pop left.
        if any(e.at + self.span <= now and not e.in_flight for e in self.events):
            self.events = deque(e for e in self.events if e.at + self.span > now or e.in_flight)


def _reported(usage: RateUsage, rate_limit: RateLimit) -> int | None:
    suffix = rate_limit.header_suffix
    source: Mapping[str, int]
    if rate_limit.type is RateLimitType.ORDERS:
        source = usage.order_count
    elif rate_limit.type is RateLimitType.REQUEST_WEIGHT:
        source = usage.used_weight
    else:
        return None
    return source.get(suffix)


class Pacer:
    """Blocks before a request that would exceed any limit; corrected by the usage headers."""

    def __init__(
        self,
        limits: Sequence[RateLimit],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
        max_wait: float = DEFAULT_MAX_WAIT_SECONDS,
        count_margin: int = 0,
    ) -> None:
        self._windows = [_Window(item, count_margin) for item in limits]
        self._margin = count_margin
        self._clock = clock
        self._sleep = sleep
        self._max_wait = max_wait
        self._lock = threading.Lock()
        self._paused_until = 0.0
        self._last_reported: dict[tuple[RateLimitType, str], int] = {}

    @contextmanager
    def slot(self, cost: Cost, stop: StopToken | None = None) -> Iterator[None]:
        """Wait for room, hold it for the request, and stamp it with the time it finished; while
        the request is out its use never leaves a window."""
        events = self.acquire(cost, stop, in_flight=True)
        try:
            yield
        finally:
            self._finish(events)

    def acquire(
        self, cost: Cost, stop: StopToken | None = None, *, in_flight: bool = False
    ) -> list[_Event]:
        """Block until ``cost`` fits in every window, then reserve it (stamped now; a request sent
        and answered at once unless ``in_flight``, which :meth:`slot` ends).

        With ``stop``, the wait ends when it is set: :class:`StoppedError`, nothing reserved.
        """
        while True:
            if stop is not None:
                stop.check()
            with self._lock:
                now = self._clock()
                wait = self._wait_needed(cost, now)
                if wait <= 0:
                    return self._reserve(cost, now, in_flight)
            if wait > self._max_wait:
                raise PacingExhaustedError(
                    f"rate limit budget exhausted: room again in {wait:.0f} s",
                    retry_after=wait,
                )
            self._wait(wait, stop)

    def adopt(self, limits: Sequence[RateLimit]) -> None:
        """Use the limits exchangeInfo published; what was counted in a window of the same type
        and length is kept."""
        with self._lock:
            old = {(w.rate_limit.type, w.rate_limit.window_seconds): w for w in self._windows}
            fresh = []
            for item in limits:
                window = _Window(item, self._margin)
                previous = old.get((item.type, item.window_seconds))
                if previous is not None:
                    window.events, window.shared_until = previous.events, previous.shared_until
                fresh.append(window)
            self._windows = fresh

    def pause(self, seconds: float) -> None:
        """Hold every caller for ``seconds`` (a ``Retry-After`` the exchange asked for)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def delay(self, seconds: float, stop: StopToken | None = None) -> None:
        """Wait ``seconds`` for this caller only (through the injected ``sleep``); with ``stop``,
        the wait ends early when it is set."""
        self._wait(seconds, stop)

    def observe(self, usage: RateUsage) -> None:
        """Raise local counts to what the exchange reported (usage by others, client retries).

        Only a value that changed since the last observation counts: ``rate_usage()`` keeps the
        last value seen, and a stale one must not be charged twice.
        """
        with self._lock:
            now = self._clock()
            for window in self._windows:
                reported = _reported(usage, window.rate_limit)
                key = (window.rate_limit.type, window.rate_limit.header_suffix)
                if reported is None or self._last_reported.get(key) == reported:
                    continue
                self._last_reported[key] = reported
                missing = reported - window.used(now)
                if window.record(now, missing, in_flight=False) is not None:
                    window.shared_until = now + window.span

    def used(self, limit_type: RateLimitType) -> dict[str, int]:
        """Current local counts per window suffix (for reports and tests)."""
        with self._lock:
            now = self._clock()
            return {
                w.rate_limit.header_suffix: w.used(now)
                for w in self._windows
                if w.rate_limit.type is limit_type
            }

    def _wait(self, seconds: float, stop: StopToken | None) -> None:
        if self._sleep is not None:
            self._sleep(seconds)
        elif stop is not None:
            stop.wait(seconds)
        else:
            time.sleep(seconds)

    def _wait_needed(self, cost: Cost, now: float) -> float:
        waits = [window.wait_for(window.cost_of(cost), now) for window in self._windows]
        return max([self._paused_until - now, *waits])

    def _reserve(self, cost: Cost, now: float, in_flight: bool) -> list[_Event]:
        events = [
            window.record(now, window.cost_of(cost), in_flight=in_flight)
            for window in self._windows
        ]
        return [event for event in events if event is not None]

    def _finish(self, events: list[_Event]) -> None:
        with self._lock:
            now = self._clock()
            for event in events:
                event.at = max(event.at, now)
                event.in_flight = False
