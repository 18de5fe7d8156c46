"""Paced reads: each read holds a pacer slot at its documented weight and honours the usage headers.

At the ``Exchange`` seam (the fake) the pacer's accounting is checked per endpoint; against the
in-process simulator (one fake clock for the simulator, the client and the pacer, so waiting costs
no real time) a first plan of 2,000 brackets and 40 plans in one minute by separate "processes"
(each its own client and pacer, one simulator = one IP) end without a single 429 or 418.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

import httpx

from oco_reconcile.apply.pacing import Pacer
from oco_reconcile.apply.reads import PacedReads
from oco_reconcile.core.ratelimits import RateLimit, RateLimitType, RateUsage
from oco_reconcile.core.settings import Settings
from oco_reconcile.sim.engine.machine import Engine
from oco_reconcile.sim.exchange import SimExchange, open_sim
from oco_reconcile.sim.wire.keys import SIM_API_KEY, SIM_API_SECRET
from oco_reconcile.venues.credentials import Credentials
from oco_reconcile.venues.retry import RetryPolicy
from oco_reconcile.venues.spot.client import BinanceClient
from oco_reconcile.venues.spot.live import read_live
from tests.support.fake_exchange import FakeExchange
from tests.support.fake_time import FakeTime
from tests.support.plan_support import market_info, sell

WEIGHT_1M = RateLimit(RateLimitType.REQUEST_WEIGHT, "MINUTE", 1, 6000)
SETTINGS = Settings(owner="ocr", prune=True, allow_empty=True)
START = 1_780_000_000.0


def paced(exchange: FakeExchange, time: FakeTime) -> PacedReads:
    return PacedReads(exchange, Pacer([WEIGHT_1M], clock=time.clock, sleep=time.sleep))


def weight(reads: PacedReads) -> int:
    return reads.pacer.used(RateLimitType.REQUEST_WEIGHT)["1m"]


def test_each_read_is_charged_its_documented_weight() -> None:
    time = FakeTime()
    fake = FakeExchange()
    reads = paced(fake, time)
    charges: list[int] = []
    calls: list[Callable[[], object]] = [
        lambda: reads.exchange_info(["BTCUSDT"]),  # 20
        lambda: reads.prices(["BTCUSDT"]),  # 2
        lambda: reads.prices(["BTCUSDT", "ETHUSDT"]),  # 4
        reads.balances,  # 20
        reads.open_order_lists,  # 6
        lambda: reads.open_orders("BTCUSDT"),  # 6
        lambda: reads.open_orders(None),  # 80
        lambda: reads.order_list("ocr-a-aaaaaa"),  # 4
        lambda: reads.all_order_lists(from_id=0, limit=1000),  # 20
        lambda: reads.order("BTCUSDT", 1),  # 4
    ]
    for call in calls:
        before = weight(reads) if charges or fake.calls else 0
        call()
        charges.append(weight(reads) - before)
    assert charges == [20, 2, 4, 20, 6, 6, 80, 4, 20, 4]  # no /time before the first read


def test_the_first_read_goes_alone_and_needs_no_time_request() -> None:
    time = FakeTime()
    fake = FakeExchange()
    paced(fake, time).balances()
    assert fake.methods() == ["balances"]


class Crowded(FakeExchange):
    """Another process on the same IP used ``used`` weight this minute (the headers say so)."""

    used: int = 5990

    def rate_usage(self) -> RateUsage:
        return RateUsage(used_weight={"1m": self.used})


def test_weight_reported_by_the_headers_makes_the_next_read_wait() -> None:
    time = FakeTime()
    fake = Crowded()
    reads = paced(fake, time)
    reads.balances()  # the first read reports 5990 used by others: the next one (20) waits
    assert time.slept == []
    reads.open_order_lists()
    assert fake.methods() == ["balances", "open_order_lists"]
    assert time.slept, "a read over the reported usage must wait for the window"
    assert sum(time.slept) >= 60


def test_others_usage_keeps_a_margin_free_until_it_has_expired() -> None:
    time = FakeTime()
    fake = Crowded()
    fake.used = 5000  # others used 5000: 600 (10%) stays free for their requests in flight
    reads = paced(fake, time)
    reads.balances()
    reads.open_orders(None)  # 5000 + 80 fits under 5400
    assert time.slept == []
    for _ in range(5):
        reads.open_orders(None)  # these would pass 5400 (others' margin included)
    assert time.slept


def test_exchange_info_limits_replace_the_defaults_and_keep_the_counts() -> None:
    time = FakeTime()
    pacer = Pacer([WEIGHT_1M], clock=time.clock, sleep=time.sleep)
    tight = RateLimit(RateLimitType.REQUEST_WEIGHT, "MINUTE", 1, 60)
    reads = PacedReads(FakeExchange(info=replace(market_info(), rate_limits=(tight,))), pacer)
    reads.balances()
    reads.exchange_info(["BTCUSDT"])  # 20 + 20 fits in 6000; the answer publishes 60
    assert pacer.used(RateLimitType.REQUEST_WEIGHT) == {"1m": 40}
    assert time.slept == []
    reads.balances()  # 40 + 20 = 60 fits in 60
    reads.balances()  # 80 would not: waits for the window
    assert time.slept


# --- against the simulator -----------------------------------------------------------------------


class StatusCounter(httpx.BaseTransport):
    """The simulator's transport, counting the answers by HTTP status."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.statuses: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        self.statuses.append(response.status_code)
        return response


def simulator(time: FakeTime, weight_limit: int | None = None) -> SimExchange:
    engine: Engine = open_sim(None, clock=time.clock_ms, sleep=time.sleep).engine
    if weight_limit is not None:
        for limit in engine.state.rate_limits:
            if limit["rateLimitType"] == "REQUEST_WEIGHT":
                limit["limit"] = weight_limit
    return SimExchange(engine, sleep=time.sleep)


def process(transport: httpx.BaseTransport, time: FakeTime, weight_limit: int = 6000) -> PacedReads:
    """What one command run has: its own client and its own pacer (starting, like a command, at
    the published limit: here the simulator's)."""
    client = BinanceClient(
        "http://sim.local",
        Credentials.hmac(SIM_API_KEY, SIM_API_SECRET),
        transport=transport,
        clock=time.clock,
        sleep=time.sleep,
        retry=RetryPolicy(jitter=0.0),
    )
    limit = RateLimit(RateLimitType.REQUEST_WEIGHT, "MINUTE", 1, weight_limit)
    return PacedReads(client, Pacer([limit], clock=time.clock, sleep=time.sleep))


def test_a_first_plan_of_2000_brackets_earns_no_429() -> None:
    time = FakeTime(START)
    wire = StatusCounter(simulator(time).transport())
    brackets = [sell(f"b{i}", qty="0.0001") for i in range(2000)]
    live = read_live(process(wire, time), brackets, SETTINGS)
    assert len(live.history) == 2000
    assert wire.statuses
    assert set(wire.statuses) == {200}
    assert len(wire.statuses) < 20  # the history in allOrderList pages, not 2,000 lookups


def test_40_plans_in_a_minute_from_separate_processes_earn_no_429() -> None:
    time = FakeTime(START)
    sim = simulator(time, weight_limit=1000)  # a tight IP limit, so 40 plans must share it
    wire = StatusCounter(sim.transport())
    brackets = [sell(f"b{i}", qty="0.0001") for i in range(4)]
    started = time.clock()
    for _ in range(40):
        read_live(process(wire, time, 1000), brackets, SETTINGS)
        time.advance(1.5)
    assert wire.statuses
    assert not {418, 429} & set(wire.statuses)  # (-2018 answers: those brackets were never placed)
    assert time.clock() - started > 60, "the plans must have waited for room"


def test_five_concurrent_runs_on_one_ip_earn_no_429() -> None:
    time = FakeTime(START)
    sim = simulator(time, weight_limit=1000)  # five runs of ~100 weight each, several times over
    wire = StatusCounter(sim.transport())
    brackets = [sell(f"b{i}", qty="0.0001") for i in range(4)]

    def run_plans() -> None:
        for _ in range(4):
            read_live(process(wire, time, 1000), brackets, SETTINGS, max_workers=4)

    workers = [threading.Thread(target=run_plans) for _ in range(5)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(wire.statuses) >= 5 * 4 * 7
    assert not {418, 429} & set(wire.statuses)
