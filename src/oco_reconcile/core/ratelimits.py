"""Rate limits as Binance states them (``exchangeInfo.rateLimits``) and the usage headers seen.

Shared by every venue: Spot and USDⓈ-M futures report both the same way (rest-api.md "LIMITS").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class RateLimitType(StrEnum):
    REQUEST_WEIGHT = "REQUEST_WEIGHT"
    ORDERS = "ORDERS"
    RAW_REQUESTS = "RAW_REQUESTS"


@dataclass(frozen=True)
class RateLimit:
    """One entry of exchangeInfo.rateLimits; ``window_seconds`` derived from interval x num."""

    type: RateLimitType
    interval: str
    interval_num: int
    limit: int

    @property
    def window_seconds(self) -> int:
        unit = {"SECOND": 1, "MINUTE": 60, "HOUR": 3600, "DAY": 86400}[self.interval]
        return unit * self.interval_num

    @property
    def header_suffix(self) -> str:
        """The ``1m`` / ``10s`` / ``1d`` suffix Binance uses in usage headers."""
        return f"{self.interval_num}{self.interval[0].lower()}"


@dataclass(frozen=True)
class RateUsage:
    """The last usage headers seen (``X-MBX-USED-WEIGHT-1M``...) by suffix (``1m``, ``10s``)."""

    used_weight: Mapping[str, int] = field(default_factory=dict)
    order_count: Mapping[str, int] = field(default_factory=dict)
