"""Rate limits as Binance enforces them (rest-api.md "LIMITS").

* ``REQUEST_WEIGHT`` and ``RAW_REQUESTS`` per IP in fixed windows (a 1-minute window resets on the
  minute); the wire layer reports the usage (:meth:`RateLimiter.usage`) in
  ``X-MBX-USED-WEIGHT-1M``. Going over answers HTTP 429 with ``-1003`` and ``Retry-After``
  (seconds to the window's end).
* ``ORDERS`` (the unfilled order count) per account: an OCO adds 2; successful placements report
  it in ``X-MBX-ORDER-COUNT-10S`` / ``-1D``; going over answers 429 ``-1015``. Fills do not
  decrement it here (simplified).
* A client that keeps sending after 429s is banned: the ``ban_after``-th 429 in one window turns
  into HTTP 418 with ``Retry-After`` until the ban ends. Bans start at 2 minutes and double for a
  repeat offender, up to 3 days (the docs' range; the exact ladder is not documented).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from oco_reconcile.json_types import JsonMapping
from oco_reconcile.sim.engine import errors
from oco_reconcile.sim.engine.errors import SimError

UNIT_MS = {"SECOND": 1000, "MINUTE": 60_000, "HOUR": 3_600_000, "DAY": 86_400_000}
FIRST_BAN_MS = 120_000
LONGEST_BAN_MS = 3 * 86_400_000


@dataclass(frozen=True)
class Limit:
    kind: str
    interval: str
    interval_num: int
    limit: int

    @property
    def window_ms(self) -> int:
        return UNIT_MS[self.interval] * self.interval_num

    @property
    def suffix(self) -> str:
        return f"{self.interval_num}{self.interval[0]}"

    @classmethod
    def from_json(cls, data: JsonMapping) -> Limit:
        return cls(
            str(data["rateLimitType"]),
            str(data["interval"]),
            int(data["intervalNum"]),
            int(data["limit"]),
        )


class _FixedWindow:
    """A counter over one fixed window."""

    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self.start = -1
        self.used = 0

    def current(self, now: int) -> int:
        start = now - now % self.limit.window_ms
        if start != self.start:
            self.start, self.used = start, 0
        return self.used

    def retry_after_s(self, now: int) -> int:
        return max(1, math.ceil((self.start + self.limit.window_ms - now) / 1000))


class RateLimiter:
    """Weight, raw-request and order counters plus the ban state, behind one lock."""

    def __init__(
        self, limits: Sequence[Limit], clock: Callable[[], int], *, ban_after: int = 3
    ) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._windows = [_FixedWindow(limit) for limit in limits]
        self._ban_after = ban_after
        self._strikes = 0
        self._strike_window = -1
        self._banned_until = 0
        self._bans = 0

    def _windows_of(self, kind: str) -> list[_FixedWindow]:
        return [window for window in self._windows if window.limit.kind == kind]

    def admit(self, weight: int) -> None:
        """Raise the 418 / 429 answer when this request may not run; count the raw request."""
        with self._lock:
            now = self._clock()
            self._check_ban(now)
            for window in self._windows_of("REQUEST_WEIGHT"):
                if window.current(now) + weight > window.limit.limit:
                    raise self._too_many(now, window, weight_message(window.limit))
            for window in self._windows_of("RAW_REQUESTS"):
                if window.current(now) + 1 > window.limit.limit:
                    raise self._too_many(now, window, errors.MSG_TOO_MANY_RAW)
                window.used += 1

    def admit_orders(self, count: int) -> None:
        """429 -1015 when ``count`` more unfilled orders would break an ORDERS limit."""
        with self._lock:
            now = self._clock()
            for window in self._windows_of("ORDERS"):
                if window.current(now) + count > window.limit.limit:
                    message = errors.MSG_TOO_MANY_ORDERS.format(
                        limit=window.limit.limit, interval=_interval_text(window.limit)
                    )
                    raise _reject_429(-1015, message, window.retry_after_s(now))

    def charge(self, weight: int, orders: int = 0) -> None:
        with self._lock:
            now = self._clock()
            for window in self._windows_of("REQUEST_WEIGHT"):
                window.current(now)
                window.used += weight
            for window in self._windows_of("ORDERS"):
                window.current(now)
                window.used += orders

    def ban(self, seconds: int) -> SimError:
        """Install a ban (a fault injected it) and return its 418 answer."""
        with self._lock:
            now = self._clock()
            self._banned_until = now + seconds * 1000
            return self._ban_answer(now)

    def usage(self, kind: str) -> list[tuple[str, int]]:
        """``(suffix, used)`` per window of ``kind`` (``REQUEST_WEIGHT``, ``ORDERS``), e.g.
        ``("1M", 20)``: what the ``X-MBX-USED-WEIGHT-*`` / ``X-MBX-ORDER-COUNT-*`` headers say."""
        with self._lock:
            now = self._clock()
            return [(w.limit.suffix, w.current(now)) for w in self._windows_of(kind)]

    def counts(self, kind: str) -> list[tuple[Limit, int]]:
        """Each limit of ``kind`` with its use in the current window (``GET
        /api/v3/rateLimit/order``)."""
        with self._lock:
            now = self._clock()
            return [(w.limit, w.current(now)) for w in self._windows_of(kind)]

    def first_limit(self, kind: str) -> Limit | None:
        windows = self._windows_of(kind)
        return windows[0].limit if windows else None

    def _check_ban(self, now: int) -> None:
        if now < self._banned_until:
            raise self._ban_answer(now)

    def _ban_answer(self, now: int) -> SimError:
        message = errors.MSG_BANNED.format(until=self._banned_until)
        retry = max(1, math.ceil((self._banned_until - now) / 1000))
        return SimError(-1003, message, status=418, headers=errors.retry_after(retry))

    def _too_many(self, now: int, window: _FixedWindow, message: str) -> SimError:
        """A 429, or the ban it escalates to when the client ignored the previous ones."""
        if self._strike_window != window.start:
            self._strike_window, self._strikes = window.start, 0
        self._strikes += 1
        if self._strikes >= self._ban_after:
            duration = min(FIRST_BAN_MS * 2**self._bans, LONGEST_BAN_MS)
            self._bans += 1
            self._strikes = 0
            self._banned_until = now + duration
            return self._ban_answer(now)
        return _reject_429(-1003, message, window.retry_after_s(now))


def _reject_429(code: int, message: str, retry_after: int) -> SimError:
    return SimError(code, message, status=429, headers=errors.retry_after(retry_after))


def _interval_text(limit: Limit) -> str:
    return f"{limit.interval_num} {limit.interval}"


def weight_message(limit: Limit) -> str:
    """The -1003 message of a request-weight limit."""
    return errors.MSG_TOO_MUCH_WEIGHT.format(limit=limit.limit, interval=_interval_text(limit))
