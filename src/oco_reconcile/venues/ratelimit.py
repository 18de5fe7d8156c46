"""Rate-limit awareness: the usage Binance reports on every response, and the limits it publishes.

Every response carries ``X-MBX-USED-WEIGHT-(n)(unit)`` and successful order responses carry
``X-MBX-ORDER-COUNT-(n)(unit)`` (rest-api.md "LIMITS"). :class:`UsageTracker` keeps the latest value
of each, plus the ``rateLimits`` from exchangeInfo, behind a lock so the apply engine's worker
threads can read one consistent snapshot and pace themselves with :func:`headroom`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from oco_reconcile.core.ratelimits import RateLimit, RateLimitType, RateUsage

# Header names are case-insensitive; the official SDK matches the same two families.
_USAGE_HEADER = re.compile(r"^x-mbx-(used-weight|order-count)-(\d+[smhd])$", re.IGNORECASE)
_WEIGHT = "used-weight"


def parse_usage(headers: Iterable[tuple[str, str]]) -> RateUsage:
    """The usage headers of one response; headers that are absent are simply not in the maps."""
    weight: dict[str, int] = {}
    orders: dict[str, int] = {}
    for name, value in headers:
        match = _USAGE_HEADER.match(name.strip())
        if match is None or not value.strip().isdigit():
            continue
        family, suffix = match.group(1).lower(), match.group(2).lower()
        (weight if family == _WEIGHT else orders)[suffix] = int(value)
    return RateUsage(used_weight=weight, order_count=orders)


@dataclass(frozen=True)
class Headroom:
    """How much of one published limit is left, by the latest usage header for its window."""

    limit: RateLimit
    used: int | None

    @property
    def remaining(self) -> int | None:
        """``None`` when no header for this window has been seen yet."""
        return None if self.used is None else max(self.limit.limit - self.used, 0)


def headroom(usage: RateUsage, limits: Iterable[RateLimit]) -> tuple[Headroom, ...]:
    """Pair each REQUEST_WEIGHT / ORDERS limit with the usage header of the same window."""
    pairs = []
    for limit in limits:
        seen: Mapping[str, int] | None = {
            RateLimitType.REQUEST_WEIGHT: usage.used_weight,
            RateLimitType.ORDERS: usage.order_count,
        }.get(limit.type)
        if seen is not None:
            pairs.append(Headroom(limit=limit, used=seen.get(limit.header_suffix)))
    return tuple(pairs)


class UsageTracker:
    """Thread-safe store of the latest usage headers and the published limits."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._weight: dict[str, int] = {}
        self._orders: dict[str, int] = {}
        self._limits: tuple[RateLimit, ...] = ()

    def record(self, headers: Iterable[tuple[str, str]]) -> None:
        """Merge one response's usage headers (a window absent from it keeps its last value)."""
        seen = parse_usage(headers)
        with self._lock:
            self._weight.update(seen.used_weight)
            self._orders.update(seen.order_count)

    def usage(self) -> RateUsage:
        with self._lock:
            return RateUsage(used_weight=dict(self._weight), order_count=dict(self._orders))

    def set_limits(self, limits: Iterable[RateLimit]) -> None:
        with self._lock:
            self._limits = tuple(limits)

    def limits(self) -> tuple[RateLimit, ...]:
        with self._lock:
            return self._limits

    def headroom(self) -> tuple[Headroom, ...]:
        with self._lock:
            usage = RateUsage(used_weight=dict(self._weight), order_count=dict(self._orders))
            limits = self._limits
        return headroom(usage, limits)
