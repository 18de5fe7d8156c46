"""The pacer: sliding windows per published limit, header corrections, Retry-After, exhaustion.

Time is a fake clock advanced only by the injected sleep, so every assertion is about *when*
requests were allowed in simulated time, never about wall time.
"""

from __future__ import annotations

import threading

import pytest

from oco_reconcile.apply.pacing import (
    CANCEL_LIST,
    ORDER_LIST_LOOKUP,
    PLACE_OCO,
    TIME_GUARD_SECONDS,
    Cost,
    Pacer,
    PacingExhaustedError,
    effective_limit,
)
from oco_reconcile.core.ratelimits import RateLimit, RateLimitType, RateUsage
from tests.support.fake_time import FakeTime

ORDERS_10S = RateLimit(RateLimitType.ORDERS, "SECOND", 10, 100)
ORDERS_DAY = RateLimit(RateLimitType.ORDERS, "DAY", 1, 200000)
WEIGHT_1M = RateLimit(RateLimitType.REQUEST_WEIGHT, "MINUTE", 1, 6000)
RAW_5M = RateLimit(RateLimitType.RAW_REQUESTS, "MINUTE", 5, 61000)
BINANCE = (WEIGHT_1M, ORDERS_10S, ORDERS_DAY, RAW_5M)


def pacer(time: FakeTime, *limits: RateLimit, max_wait: float = 120.0) -> Pacer:
    return Pacer(limits or BINANCE, clock=time.clock, sleep=time.sleep, max_wait=max_wait)


def max_in_any_window(times: list[float], window: float) -> int:
    ordered = sorted(times)
    best = 0
    start = 0
    for end, at in enumerate(ordered):
        # The pacer's own expiry test (`at + span <= now`): `at - window` rounds differently and
        # would count a request that already left the window.
        while ordered[start] + window <= at:
            start += 1
        best = max(best, end - start + 1)
    return best


@pytest.mark.parametrize(
    ("limit", "margin", "allowed"), [(100, 0, 100), (100, 2, 98), (6000, 60, 5940), (1, 5, 1)]
)
def test_effective_limit(limit: int, margin: int, allowed: int) -> None:
    assert effective_limit(limit, margin) == allowed


def test_a_count_margin_keeps_units_free() -> None:
    time = FakeTime()
    pace = Pacer([ORDERS_10S], clock=time.clock, sleep=time.sleep, count_margin=2)
    sent = []
    for _ in range(100):
        with pace.slot(PLACE_OCO):
            sent.append(time.clock())
    assert max_in_any_window(sent, 10.0) == 49


def test_ocos_never_exceed_the_orders_window() -> None:
    time = FakeTime()
    pace = pacer(time)
    sent: list[float] = []
    for _ in range(500):
        with pace.slot(PLACE_OCO):
            sent.append(time.clock())
    # every OCO counts 2 orders: 100 per 10 s window are 50 OCOs
    assert max_in_any_window(sent, 10.0) == 50
    # and the pacer does not waste the budget: 500 OCOs need 9 further windows, no more
    assert time.now == pytest.approx(9 * (10 + TIME_GUARD_SECONDS))


@pytest.mark.parametrize("count", [51, 100, 101, 200, 777, 1000])
def test_orders_bound_is_within_the_benchmark_ratio(count: int) -> None:
    time = FakeTime()
    pace = pacer(time)
    for _ in range(count):
        with pace.slot(PLACE_OCO):
            pass
    # the k-th OCO (from 0) cannot go before floor(k / 50) x 10 s: the bound the limit sets
    bound = (count - 1) // 50 * 10.0
    assert bound <= time.now <= 1.15 * bound


def test_a_request_leaves_the_window_only_after_it_finished() -> None:
    time = FakeTime()
    pace = pacer(time, RateLimit(RateLimitType.ORDERS, "SECOND", 10, 4))
    with pace.slot(Cost(orders=3)):
        time.sleep(2.0)  # latency: the exchange may have counted it as late as now
    pace.acquire(Cost(orders=3))
    # the first request finished at t=2, so it is out of the window only at 12 + guard
    assert time.now == pytest.approx(12.0 + TIME_GUARD_SECONDS)


def test_usage_headers_raise_the_local_count() -> None:
    time = FakeTime()
    pace = pacer(time)
    pace.observe(RateUsage(order_count={"10s": 96, "1d": 1000}, used_weight={"1m": 10}))
    assert pace.used(RateLimitType.ORDERS) == {"10s": 96, "1d": 1000}
    pace.acquire(PLACE_OCO)  # 96 + 2 <= 100
    pace.acquire(PLACE_OCO)  # 98 + 2 <= 100
    assert time.slept == []
    pace.acquire(PLACE_OCO)  # 100 + 2 > 100: wait for the reported usage to leave the window
    assert time.now == pytest.approx(10 + TIME_GUARD_SECONDS)


def test_a_stale_header_is_not_charged_twice() -> None:
    time = FakeTime()
    pace = pacer(time)
    usage = RateUsage(order_count={"10s": 60})
    pace.observe(usage)
    time.sleep(11)  # the reported orders left the window
    time.slept.clear()
    pace.observe(usage)  # the client still holds the same last value: nothing new
    assert pace.used(RateLimitType.ORDERS)["10s"] == 0
    pace.observe(RateUsage(order_count={"10s": 20}))
    assert pace.used(RateLimitType.ORDERS)["10s"] == 20


def test_header_lower_than_local_count_changes_nothing() -> None:
    time = FakeTime()
    pace = pacer(time)
    for _ in range(10):
        pace.acquire(PLACE_OCO)
    pace.observe(RateUsage(order_count={"10s": 4}))
    assert pace.used(RateLimitType.ORDERS)["10s"] == 20


def test_weight_limit_paces_reads() -> None:
    time = FakeTime()
    pace = pacer(time, RateLimit(RateLimitType.REQUEST_WEIGHT, "MINUTE", 1, 100))
    for _ in range(30):
        pace.acquire(ORDER_LIST_LOOKUP)  # weight 4: 25 fit in 100
    assert time.now == pytest.approx(60 + TIME_GUARD_SECONDS)


def test_cancels_do_not_use_the_orders_budget() -> None:
    time = FakeTime()
    pace = pacer(time)
    for _ in range(500):
        pace.acquire(CANCEL_LIST)
    assert time.slept == []
    assert pace.used(RateLimitType.ORDERS)["10s"] == 0


def test_raw_requests_count_one_each() -> None:
    time = FakeTime()
    pace = pacer(time, RateLimit(RateLimitType.RAW_REQUESTS, "SECOND", 1, 10))
    for _ in range(21):
        pace.acquire(Cost())
    assert time.now == pytest.approx(2 * (1 + TIME_GUARD_SECONDS))


def test_retry_after_pauses_every_caller() -> None:
    time = FakeTime()
    pace = pacer(time)
    pace.pause(7.5)
    pace.acquire(CANCEL_LIST)
    assert time.now == pytest.approx(7.5)


def test_exhausted_daily_budget_raises_instead_of_sleeping_for_hours() -> None:
    time = FakeTime()
    pace = pacer(time)
    pace.observe(RateUsage(order_count={"1d": 199999}))
    with pytest.raises(PacingExhaustedError) as raised:
        pace.acquire(PLACE_OCO)
    assert raised.value.retry_after is not None
    assert raised.value.retry_after > 86000
    assert time.slept == []


def test_a_request_still_in_flight_never_leaves_the_window() -> None:
    """The exchange counts a request when it arrives, which may be any time before its answer:
    an answer slower than the window must not free its budget early."""
    time = FakeTime()
    pace = pacer(time, RateLimit(RateLimitType.ORDERS, "SECOND", 10, 2))
    with pace.slot(PLACE_OCO):
        time.advance(30)
        assert pace.used(RateLimitType.ORDERS)["10s"] == 2
    assert pace.used(RateLimitType.ORDERS)["10s"] == 2  # now stamped with its answer
    time.advance(10 + TIME_GUARD_SECONDS)
    assert pace.used(RateLimitType.ORDERS)["10s"] == 0


def test_threads_share_one_budget() -> None:
    time = FakeTime()
    pace = pacer(time)
    sent: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(100):
            with pace.slot(PLACE_OCO):
                stamp = time.clock()
            with lock:
                sent.append(stamp)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(sent) == 400
    assert max_in_any_window(sent, 10.0) <= 50
