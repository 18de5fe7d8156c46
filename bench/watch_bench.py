"""``watch``: from a futures trigger's arrival to the orphan's cancel leaving the process.

The real pieces over loopback: an in-process simulator (``SimExchange``, no state file) with its
user data streams served by ``start_streams``, a ``UsdmClient`` (``open_venues``, as the command
wires it) over an httpx transport that stamps ``time.perf_counter()`` when a
``DELETE /fapi/v1/algoOrder`` is handed to it (before the simulator sees it), a
``FuturesUserStream``, and a ``Feed`` on ``time.perf_counter`` whose fast path is
``OrphanFastPath``. The account holds ``triggers`` futures brackets, one per synthetic perpetual
``F01USDT``... (``futures_bench``: a 10-contract long each, SELL reduce-only legs,
TAKE_PROFIT_MARKET at 120, STOP_MARKET at 90, mark 100), opened 100 at a time (Binance, and the
simulator, allow 200 open algo orders per account). They are triggered one at a time: the
bench moves one contract's last and mark price to 89 (``FuturesEngine.set_prices``, what
``sim price`` does), waits for the feed to hand over the trigger with its reaction, then moves the
next. Latency = the DELETE's stamp minus the trigger event's ``Arrived.arrived_s``.
Goal (issue 15): median <= 5 ms, p99 <= 20 ms.
"""

from __future__ import annotations

import queue
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from decimal import Decimal

import futures_bench
import httpx
import market
from common import Table, met

from oco_reconcile.apply.stop import StopToken
from oco_reconcile.commands.venues import open_venues
from oco_reconcile.core.desired import Desired
from oco_reconcile.core.usdm.model import FuturesBracket, LegRole, Market
from oco_reconcile.core.usdm.requests import leg_request
from oco_reconcile.sim.engine.machine import Engine
from oco_reconcile.sim.engine.store import state_from_json
from oco_reconcile.sim.exchange import SimExchange, wall_clock_ms
from oco_reconcile.sim.streams.server import start_streams
from oco_reconcile.sim.wire.keys import SIM_API_KEY, SIM_API_SECRET
from oco_reconcile.venues.credentials import Credentials
from oco_reconcile.venues.urls import resolve_stream_urls
from oco_reconcile.venues.usdm.client import UsdmClient
from oco_reconcile.venues.user_streams import FuturesUserStream
from oco_reconcile.watch.fast_path import OrphanFastPath
from oco_reconcile.watch.feeds import Arrived, Connected, Feed, FeedHooks, FeedItem

GOAL_MEDIAN_S = 0.005
GOAL_P99_S = 0.020
TRIGGER_PRICE = Decimal(89)
CANCEL_PATH = "/fapi/v1/algoOrder"
ROUND = 100  # brackets open at once: Binance allows 200 open algo orders per account (-4045)
WAIT_S = 10.0  # for one trigger's reaction: far beyond any expected figure


class StampingTransport(httpx.BaseTransport):
    """Records when each orphan cancel (``DELETE /fapi/v1/algoOrder``) leaves the process."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner
        self.cancels: dict[str, float] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE" and request.url.path == CANCEL_PATH:
            stamp = time.perf_counter()
            self.cancels[request.url.params.get("clientAlgoId", "")] = stamp
        return self._inner.handle_request(request)


@dataclass(frozen=True)
class WatchConfig:
    triggers: int
    hours: float  # simulated time of the memory run
    event_every_s: float
    interval_s: float


@dataclass(frozen=True)
class LatencyRun:
    latencies_s: list[float]
    failed: int  # cancels whose outcome was not a success (or that never came)


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (p99 of 200 values: the 198th smallest)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


@contextmanager
def _feed(items: queue.Queue[FeedItem], brackets: list[FuturesBracket]) -> Iterator[Setup]:
    names = [item.symbol for item in brackets]
    state = state_from_json(futures_bench.futures_state(names, []))
    sim = SimExchange(Engine(state, wall_clock_ms))
    streams = start_streams(sim.app)
    url = resolve_stream_urls("sim", streams.url).futures
    transport = StampingTransport(sim.transport())
    settings = replace(market.SETTINGS, exchange="sim")
    stop, token = threading.Event(), StopToken()
    try:
        with open_venues(settings, Desired((), tuple(brackets)), transport=transport) as venues:
            futures, reads = venues.futures, venues.futures_reads
            assert isinstance(futures, UsdmClient)
            assert reads is not None
            fast_path = OrphanFastPath(futures, reads.pacer, settings.owner, token)
            feed = Feed(
                Market.USDM,
                lambda: FuturesUserStream(url, futures.start_user_stream()),
                items.put,
                stop,
                FeedHooks(react=fast_path),
                clock=time.perf_counter,
            )
            feed.start()
            yield Setup(sim, transport)
            stop.set()
            feed.join(5)
    finally:
        streams.stop()


@dataclass(frozen=True)
class Setup:
    sim: SimExchange
    transport: StampingTransport


def _wait_for(items: queue.Queue[FeedItem], kind: type[Connected] | type[Arrived]) -> FeedItem:
    deadline = time.monotonic() + WAIT_S
    while True:
        item = items.get(timeout=max(0.0, deadline - time.monotonic()))
        if isinstance(item, kind) and (not isinstance(item, Arrived) or item.reaction is not None):
            return item


def placer(sim: SimExchange) -> SimExchange:
    """A second front door to the same engine with no rate limits: the placements are set-up,
    not measured, and must not use up the measured cancels' order budget."""
    usdm = sim.engine.state.usdm
    limits, usdm.rate_limits = usdm.rate_limits, []
    try:
        return SimExchange(sim.engine)
    finally:
        usdm.rate_limits = limits


def place(sim: SimExchange, brackets: list[FuturesBracket]) -> None:
    """Open ``brackets`` through the fapi client."""
    credentials = Credentials.hmac(SIM_API_KEY, SIM_API_SECRET)
    with UsdmClient("http://sim.local", credentials, transport=sim.transport()) as client:
        for item in brackets:
            for role in (LegRole.STOP_LOSS, LegRole.TAKE_PROFIT):
                client.place_algo(leg_request(market.SETTINGS.owner, item, role, False))


def measure_latency(count: int) -> LatencyRun:
    """``count`` triggers, one at a time; the latency of each orphan cancel."""
    brackets = futures_bench.futures_brackets(count, futures_bench.futures_names(count))
    items: queue.Queue[FeedItem] = queue.Queue()
    latencies, failed = [], 0
    with _feed(items, brackets) as setup:
        _wait_for(items, Connected)
        time.sleep(0.2)  # the server registers the connection just after the handshake
        usdm, front_door = setup.sim.engine.usdm, placer(setup.sim)
        for index, bracket in enumerate(brackets):
            if index % ROUND == 0:
                place(front_door, brackets[index : index + ROUND])
            usdm.set_prices(bracket.symbol, TRIGGER_PRICE, TRIGGER_PRICE)
            try:
                item = _wait_for(items, Arrived)
            except queue.Empty:
                failed += 1
                continue
            assert isinstance(item, Arrived)
            assert item.reaction is not None
            sent = setup.transport.cancels.get(item.reaction.cancel.client_algo_id)
            if sent is None or not item.reaction.succeeded:
                failed += 1
                continue
            latencies.append(sent - item.arrived_s)
    return LatencyRun(latencies, failed)


def latency_table(config: WatchConfig) -> Table:
    run = measure_latency(config.triggers)
    values = run.latencies_s or [float("nan")]
    median, p99 = statistics.median(values), percentile(values, 0.99)
    table = Table(
        "watch: trigger arrival -> orphan cancel request (loopback, in process)",
        ["triggers", "cancelled", "failed", "median", "goal", "p99", "goal p99", "max", "verdict"],
    )
    table.add(
        config.triggers,
        len(run.latencies_s),
        run.failed,
        _ms(median),
        _ms(GOAL_MEDIAN_S),
        _ms(p99),
        _ms(GOAL_P99_S),
        _ms(max(values)),
        met(median <= GOAL_MEDIAN_S and p99 <= GOAL_P99_S and run.failed == 0),
    )
    table.notes += [
        "from Arrived.arrived_s (the feed's perf_counter when the event is read) to the "
        "DELETE /fapi/v1/algoOrder handed to the transport; one trigger at a time, one "
        "bracket per synthetic perpetual, mark and last moved to 89 under a STOP_MARKET at 90.",
    ]
    return table


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def run_section(config: WatchConfig) -> list[Table]:
    import watch_memory

    memory = watch_memory.memory_table(config.hours, config.event_every_s, config.interval_s)
    return [latency_table(config), memory]
