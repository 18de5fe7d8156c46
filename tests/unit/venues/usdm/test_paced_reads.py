"""Paced futures reads: each read holds a slot in the futures pacer at its documented weight,
the usage headers correct the count, exchangeInfo's rateLimits replace the defaults, and writes
pass through (the fapi client over FakeFapi, one fake clock for client and pacer)."""

from __future__ import annotations

from collections.abc import Callable

from oco_reconcile.apply.pacing import Pacer
from oco_reconcile.apply.usdm_reads import (
    FUTURES_DEFAULT_LIMITS,
    PacedFuturesReads,
    paced_futures_reads,
)
from oco_reconcile.core.ratelimits import RateLimit, RateLimitType
from oco_reconcile.venues.usdm.live import read_futures_live
from oco_reconcile.venues.usdm.protocol import FuturesExchange
from tests.unit.venues.usdm.fake_fapi import (
    STOP_REQUEST,
    FakeFapi,
    algo_order,
    balance,
    exchange_info,
    last_price,
    mark_price,
    position,
)
from tests.unit.venues.usdm.test_live import SETTINGS, snapshot

WEIGHT = RateLimitType.REQUEST_WEIGHT


def paced(
    fake: FakeFapi, limits: tuple[RateLimit, ...] = FUTURES_DEFAULT_LIMITS
) -> PacedFuturesReads:
    pacer = Pacer(limits, clock=fake.time.clock, sleep=fake.time.sleep)
    return PacedFuturesReads(fake.usdm(), pacer)


def used(reads: PacedFuturesReads) -> int:
    return reads.pacer.used(WEIGHT)["1m"]


def test_paced_reads_are_a_futures_exchange() -> None:
    reads: FuturesExchange = paced(FakeFapi())
    assert reads.rate_limits() == ()


def test_each_read_is_charged_its_documented_weight() -> None:
    fake = FakeFapi()
    fake.reply("GET", "/fapi/v1/exchangeInfo", exchange_info())
    fake.reply("GET", "/fapi/v1/premiumIndex", [mark_price()])
    fake.reply("GET", "/fapi/v1/ticker/price", [last_price()])
    fake.reply("GET", "/fapi/v3/positionRisk", [position()])
    fake.reply("GET", "/fapi/v1/positionSide/dual", {"dualSidePosition": True})
    fake.reply("GET", "/fapi/v3/balance", [balance()])
    fake.reply("GET", "/fapi/v1/openAlgoOrders", [])
    fake.reply("GET", "/fapi/v1/algoOrder", algo_order())
    fake.reply("GET", "/fapi/v1/allAlgoOrders", [])
    reads = paced(fake)
    calls: list[Callable[[], object]] = [
        reads.exchange_info,  # 1
        reads.mark_prices,  # 10
        reads.last_prices,  # 2
        reads.positions,  # 5
        reads.hedge_mode,  # 30
        reads.balances,  # 5
        lambda: reads.open_algo_orders(None),  # 40
        lambda: reads.open_algo_orders("BTCUSDT"),  # 1
        lambda: reads.algo_order("ocr-x-abc234-tp"),  # 1
        lambda: reads.algo_history("BTCUSDT"),  # 5
    ]
    charges = []
    for call in calls:
        before = used(reads)
        call()
        charges.append(used(reads) - before)
    assert charges == [1, 10, 2, 5, 30, 5, 40, 1, 1, 5]


def test_a_full_weight_window_waits_for_room() -> None:
    fake = FakeFapi()
    fake.reply("GET", "/fapi/v1/positionSide/dual", {"dualSidePosition": False})
    reads = paced(fake, (RateLimit(WEIGHT, "MINUTE", 1, 40),))
    reads.hedge_mode()
    assert fake.time.slept == []
    reads.hedge_mode()  # 30 + 30 > 40: waits until the first leaves the minute window
    assert sum(fake.time.slept) >= 60
    assert len(fake.sent("/fapi/v1/positionSide/dual")) == 2


def test_usage_headers_raise_the_local_count() -> None:
    fake = FakeFapi()
    fake.reply("GET", "/fapi/v3/balance", [], headers={"X-MBX-USED-WEIGHT-1M": "2000"})
    reads = paced(fake)
    reads.balances()
    assert used(reads) == 2000


def test_exchange_info_rate_limits_replace_the_defaults() -> None:
    fake = FakeFapi()
    info = exchange_info()
    info["rateLimits"] = [
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 1200},
        {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 100000},
    ]
    fake.reply("GET", "/fapi/v1/exchangeInfo", info)
    reads = paced(fake)
    assert set(reads.pacer.used(RateLimitType.ORDERS)) == {"1m", "10s"}
    reads.exchange_info()
    assert set(reads.pacer.used(RateLimitType.ORDERS)) == {"1d"}
    assert used(reads) == 1  # what was counted in the minute window is kept


def test_the_default_futures_pacer_has_the_fapi_limits() -> None:
    reads = paced_futures_reads(FakeFapi().usdm())
    assert set(reads.pacer.used(WEIGHT)) == {"1m"}
    assert set(reads.pacer.used(RateLimitType.ORDERS)) == {"1m", "10s"}
    assert [(x.type, x.header_suffix, x.limit) for x in FUTURES_DEFAULT_LIMITS] == [
        (WEIGHT, "1m", 2400),
        (RateLimitType.ORDERS, "1m", 1200),
        (RateLimitType.ORDERS, "10s", 300),
    ]


def test_writes_pass_through_unpaced() -> None:
    fake = FakeFapi()
    fake.reply("POST", "/fapi/v1/algoOrder", algo_order())
    reads = paced(fake)
    reads.place_algo(STOP_REQUEST)
    assert used(reads) == 0
    assert reads.pacer.used(RateLimitType.ORDERS) == {"1m": 0, "10s": 0}


def test_the_live_read_through_the_pacer_is_charged_its_whole_weight() -> None:
    fake = FakeFapi()
    snapshot(fake, [])
    reads = paced(fake)
    read_futures_live(reads, [], SETTINGS)
    assert used(reads) == 1 + 10 + 2 + 5 + 30 + 5 + 40
