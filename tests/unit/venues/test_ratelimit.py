"""Usage headers -> RateUsage, and the thread-safe tracker the apply engine reads."""

from __future__ import annotations

import threading

from oco_reconcile.core.ratelimits import RateLimit, RateLimitType, RateUsage
from oco_reconcile.venues.ratelimit import Headroom, UsageTracker, headroom, parse_usage

WEIGHT_1M = RateLimit(RateLimitType.REQUEST_WEIGHT, "MINUTE", 1, 6000)
ORDERS_10S = RateLimit(RateLimitType.ORDERS, "SECOND", 10, 100)
ORDERS_1D = RateLimit(RateLimitType.ORDERS, "DAY", 1, 200000)
RAW_5M = RateLimit(RateLimitType.RAW_REQUESTS, "MINUTE", 5, 61000)


def test_headers_of_both_families_in_any_case() -> None:
    usage = parse_usage(
        [
            ("X-MBX-USED-WEIGHT-1M", "42"),
            ("x-mbx-used-weight", "42"),  # the legacy bare header has no window: ignored
            ("x-mbx-order-count-10s", "3"),
            ("X-Mbx-Order-Count-1D", "17"),
            ("content-type", "application/json"),
            ("x-mbx-used-weight-1s", "not a number"),
        ]
    )
    assert usage == RateUsage(used_weight={"1m": 42}, order_count={"10s": 3, "1d": 17})


def test_tracker_keeps_the_latest_value_per_window() -> None:
    tracker = UsageTracker()
    tracker.record([("x-mbx-used-weight-1m", "10"), ("x-mbx-order-count-10s", "2")])
    tracker.record([("x-mbx-used-weight-1m", "11")])  # a read: no order-count headers
    assert tracker.usage() == RateUsage(used_weight={"1m": 11}, order_count={"10s": 2})


def test_usage_snapshot_is_a_copy() -> None:
    tracker = UsageTracker()
    tracker.record([("x-mbx-used-weight-1m", "10")])
    snapshot = tracker.usage()
    tracker.record([("x-mbx-used-weight-1m", "99")])
    assert snapshot.used_weight == {"1m": 10}


def test_headroom_pairs_limits_with_their_header_window() -> None:
    usage = RateUsage(used_weight={"1m": 5990}, order_count={"10s": 4})
    rows = headroom(usage, [WEIGHT_1M, ORDERS_10S, ORDERS_1D, RAW_5M])
    assert rows == (
        Headroom(WEIGHT_1M, 5990),
        Headroom(ORDERS_10S, 4),
        Headroom(ORDERS_1D, None),
    )
    assert [row.remaining for row in rows] == [10, 96, None]
    assert Headroom(ORDERS_10S, 130).remaining == 0


def test_tracker_headroom_uses_the_published_limits() -> None:
    tracker = UsageTracker()
    tracker.set_limits([ORDERS_10S])
    tracker.record([("x-mbx-order-count-10s", "40")])
    assert tracker.limits() == (ORDERS_10S,)
    assert [row.remaining for row in tracker.headroom()] == [60]


def test_tracker_is_consistent_under_concurrent_updates() -> None:
    tracker = UsageTracker()
    barrier = threading.Barrier(8)
    torn: list[RateUsage] = []

    def worker(n: int) -> None:
        barrier.wait()
        for i in range(200):
            tracker.record([("x-mbx-used-weight-1m", str(n * 1000 + i))])
            snapshot = tracker.usage()
            if set(snapshot.used_weight) != {"1m"}:
                torn.append(snapshot)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert torn == []
    assert tracker.usage().used_weight["1m"] % 1000 == 199
