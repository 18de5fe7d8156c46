"""``watch``: memory of a 24 h run, in compressed time.

A real ``Watcher`` with a reconciler that plans with the real planner (``make_plan``) over a live
state read once over REST from an in-process simulator (``FixedLiveReconciler``), the real
``DesiredFiles`` over a bracket file on disk and the real ``LineReport`` (JSON lines, written to
``os.devnull``). Time is a fake clock: the feed queue is a :class:`CompressedQueue`, whose
``get(timeout)`` moves the clock instead of waiting and hands over one event every
``event_every_s`` of simulated time. ``tracemalloc``'s current size is sampled (after
``gc.collect``) at six points, the first after a warm-up of one simulated hour (or a fifth of a
shorter run). Bound: < 1 MiB growth from the first sample to the last.
"""

from __future__ import annotations

import contextlib
import gc
import os
import queue
import tempfile
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from common import Table, met

from oco_reconcile.apply.results import ApplyResult
from oco_reconcile.apply.stop import StopToken
from oco_reconcile.commands.venues import open_venues, read_state
from oco_reconcile.commands.watch_output import LineReport
from oco_reconcile.core.desired import Desired
from oco_reconcile.core.events import EventKind, StreamEvent
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.plan import Plan
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.selection import Selection
from oco_reconcile.core.usdm.model import Market
from oco_reconcile.errors import BugError
from oco_reconcile.inputs.desired import LoadedInputs
from oco_reconcile.sim.exchange import open_sim
from oco_reconcile.watch.desired_files import DesiredFiles
from oco_reconcile.watch.feeds import Arrived, FeedItem
from oco_reconcile.watch.loop import Watcher, WatchOptions

MIB = 1024 * 1024
BOUND_BYTES = MIB
SAMPLES = 6
BRACKETS = """\
brackets:
  - name: btc-exit
    symbol: BTCUSDT
    side: SELL
    quantity: "0.05"
    take_profit: {price: "125000"}
    stop_loss: {stop_price: "98000", price: "97900"}
  - name: btc-perp-exit
    market: usdm
    symbol: BTCUSDT
    side: SELL
    quantity: close
    take_profit: {stop_price: "125000"}
    stop_loss: {stop_price: "98000"}
"""


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class CompressedQueue(queue.Queue[FeedItem]):
    """The feeds' queue on a fake clock: waiting moves the clock; an event falls due every
    ``every_s``; at ``end_s`` the stop token is set; ``on_tick`` sees every clock move."""

    def __init__(
        self,
        clock: FakeClock,
        every_s: float,
        end_s: float,
        stop: StopToken,
        on_tick: Callable[[float], None],
    ) -> None:
        super().__init__()
        self._clock, self._every, self._end, self._stop = clock, every_s, end_s, stop
        self._next, self._tick = every_s / 2, on_tick
        self.handed = 0

    def get(self, block: bool = True, timeout: float | None = None) -> FeedItem:
        clock = self._clock
        deadline = clock.now + (timeout or 0.0)
        if self._next <= deadline:
            clock.now = max(clock.now, self._next)
            self._next += self._every
            self.handed += 1
            self._tick(clock.now)
            return _event(clock.now)
        clock.now = deadline
        self._tick(clock.now)
        if clock.now >= self._end:
            self._stop.stop(f"{self._end / 3600:g} h simulated")
        raise queue.Empty

    def get_nowait(self) -> FeedItem:
        return self.get(block=False)


def _event(now_s: float) -> Arrived:
    event = StreamEvent(Market.USDM, EventKind.CANCELLED, int(now_s * 1000), "BTCUSDT", "x-other")
    return Arrived(event, now_s)


@dataclass
class Sampler:
    """tracemalloc's current size at ``points`` (simulated seconds)."""

    points: list[float]
    sizes: list[int]

    def __call__(self, now_s: float) -> None:
        while self.points and now_s >= self.points[0]:
            self.points.pop(0)
            gc.collect()
            self.sizes.append(tracemalloc.get_traced_memory()[0])


@dataclass(frozen=True)
class MemoryRun:
    sizes: list[int]
    plans: int
    events: int
    simulated_s: float


class FixedLiveReconciler:
    """Plans with the real planner over one live state, read once over REST at the start (the
    REST reads of a real re-plan, ~2 s each under tracemalloc on the in-process simulator, would
    make the 24 h run take an hour)."""

    def __init__(self, live: LiveState) -> None:
        self._live = live
        self.plans = 0

    def plan(self, inputs: LoadedInputs) -> Plan:
        self.plans += 1
        selection = Selection.of(inputs.outside, None)
        return make_plan(inputs.brackets, self._live, inputs.settings, selection, inputs.futures)

    def apply(self, plan: Plan, inputs: LoadedInputs) -> ApplyResult:
        raise BugError("the memory bench does not apply")


def measure_memory(hours: float, event_every_s: float, interval_s: float) -> MemoryRun:
    end_s = hours * 3600
    warm_up = min(3600.0, end_s / 5)
    step = (end_s - warm_up) / (SAMPLES - 1)
    sampler = Sampler([warm_up + step * index for index in range(SAMPLES)], [])
    clock, token = FakeClock(), StopToken()
    items = CompressedQueue(clock, event_every_s, end_s, token, sampler)
    options = WatchOptions(interval_s=interval_s, tick_s=interval_s, files_every_s=interval_s)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "brackets.yaml"
        path.write_text(BRACKETS, encoding="utf-8")
        files = DesiredFiles([path])
        inputs = files.current
        settings = replace(inputs.settings, exchange="sim")
        desired = Desired(inputs.brackets, inputs.futures)
        sim = open_sim(None)
        with (
            open(os.devnull, "w", encoding="utf-8") as sink,
            open_venues(settings, desired, transport=sim.transport()) as venues,
        ):
            reconciler = FixedLiveReconciler(read_state(venues, desired, settings))
            report = LineReport(settings.owner, as_json=True, out=lambda: sink)
            watcher = Watcher(
                files, reconciler, report, items, token, frozenset(Market), options, clock
            )
            tracemalloc.start()
            try:
                with contextlib.redirect_stdout(sink):
                    watcher.run()
            finally:
                tracemalloc.stop()
    return MemoryRun(sampler.sizes, reconciler.plans, items.handed, clock.now)


def memory_table(hours: float, event_every_s: float, interval_s: float) -> Table:
    run = measure_memory(hours, event_every_s, interval_s)
    growth = run.sizes[-1] - run.sizes[0] if len(run.sizes) >= 2 else 0
    table = Table(
        f"watch: memory over {hours:g} h of simulated time (tracemalloc current size)",
        ["re-plans", "events", "samples (KiB)", "growth", "bound", "verdict"],
    )
    table.add(
        run.plans,
        run.events,
        " ".join(f"{size // 1024}" for size in run.sizes),
        f"{growth / 1024:+.0f} KiB",
        f"{BOUND_BYTES // 1024} KiB",
        met(len(run.sizes) == SAMPLES and growth < BOUND_BYTES),
    )
    table.notes += [
        f"fake clock; --interval {interval_s:g} s, one event every {event_every_s:g} s (each "
        "followed by a re-plan); make_plan over a live state read once from an in-process "
        "simulator (FixedLiveReconciler); samples after gc.collect, the first after the warm-up.",
    ]
    return table
