"""Rate limits as Binance enforces them (rest-api.md "LIMITS"; rest-api.md "LIMITS").

* ``REQUEST_WEIGHT`` and ``RAW_REQUESTS`` per IP in fixed windows (a 1-minute window resets on the
  minute); every response carries ``X-MBX-USED-WEIGHT-1M``. Going over answers HTTP 429 with
  ``-1003`` and ``Retry-After`` (seconds to the window's end).
* ``ORDERS`` (the unfilled order count) per account: an OCO adds 2; successful placements carry
  ``X-MBX-ORDER-COUNT-10S`` / ``-1D``; going over answers 429 ``-1015``. Fills do not decrement it
  here (simplified).
* A client that keeps sending after 429s is banned: the ``ban_after``-th 429 in one window turns
  into HTTP 418 with ``Retry-After`` until the ban ends. Bans start at 2 minutes and double for a
  repeat offender, up to 3 days (the docs' range; the exact ladder is not documented).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from oco_reconcile.sim import codes
from oco_reconcile.sim.codes import SimError

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
    def from_json(cls, data: Mapping[str, Any]) -> Limit:
        return cls(
            str(data["rateLimitType"]),
            str(data["interval"]),
            int(data["intervalNum"]),
            int(data["limit"]),
        )


class _Window:
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
        self._windows = [_Window(limit) for limit in limits]
        self._ban_after = ban_after
        self._strikes = 0
        self._strike_window = -1
        self._banned_until = 0
        self._bans = 0

    def _of(self, kind: str) -> list[_Window]:
        return [window for window in self._windows if window.limit.kind == kind]

    def admit(self, weight: int) -> None:
        """Raise the 418 / 429 answer when this request may not run; count the raw request."""
        with self._lock:
            now = self._clock()
            self._check_ban(now)
            for window in self._of("REQUEST_WEIGHT"):
                if window.current(now) + weight > window.limit.limit:
                    raise self._too_many(now, window, _weight_message(window.limit))
            for window in self._of("RAW_REQUESTS"):
                if window.current(now) + 1 > window.limit.limit:
                    raise self._too_many(now, window, codes.MSG_TOO_MANY_RAW)
                window.used += 1

    def admit_orders(self, count: int) -> None:
        """429 -1015 when ``count`` more unfilled orders would break an ORDERS limit."""
        with self._lock:
            now = self._clock()
            for window in self._of("ORDERS"):
                if window.current(now) + count > window.limit.limit:
                    message = codes.MSG_TOO_MANY_ORDERS.format(
                        limit=window.limit.limit, interval=_interval_text(window.limit)
                    )
                    raise _reject_429(-1015, message, window.retry_after_s(now))

    def charge(self, weight: int, orders: int = 0) -> None:
        with self._lock:
            now = self._clock()
            for window in self._of("REQUEST_WEIGHT"):
                window.current(now)
                window.used += weight
            for window in self._of("ORDERS"):
                window.current(now)
                window.used += orders

    def ban(self, seconds: int) -> SimError:
        """Install a ban (a fault injected it) and return its 418 answer."""
        with self._lock:
            now = self._clock()
            self._banned_until = now + seconds * 1000
            return self._ban_answer(now)

    def weight_headers(self) -> list[tuple[str, str]]:
        with self._lock:
            now = self._clock()
            return [
                (f"X-MBX-USED-WEIGHT-{w.limit.suffix}", str(w.current(now)))
                for w in self._of("REQUEST_WEIGHT")
            ]

    def order_headers(self) -> list[tuple[str, str]]:
        with self._lock:
            now = self._clock()
            return [
                (f"X-MBX-ORDER-COUNT-{w.limit.suffix}", str(w.current(now)))
                for w in self._of("ORDERS")
            ]

    def _check_ban(self, now: int) -> None:
        if now < self._banned_until:
            raise self._ban_answer(now)

    def _ban_answer(self, now: int) -> SimError:
        message = codes.MSG_BANNED.format(until=self._banned_until)
        retry = max(1, math.ceil((self._banned_until - now) / 1000))
        return SimError(-1003, message, status=418, headers=(("Retry-After", str(retry)),))

    def _too_many(self, now: int, window: _Window, message: str) -> SimError:
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
    return SimError(code, message, status=429, headers=(("Retry-After", str(retry_after)),))


def _interval_text(limit: Limit) -> str:
    return f"{limit.interval_num} {limit.interval}"


def _weight_message(limit: Limit) -> str:
    return codes.MSG_TOO_MUCH_WEIGHT.format(limit=limit.limit, interval=_interval_text(limit))
