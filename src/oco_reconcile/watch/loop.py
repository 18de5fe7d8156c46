"""The watch loop: report what the feeds deliver, re-plan over REST, apply with ``--apply``.

It re-plans at start, after every batch of events (a burst that arrives together is one
re-plan), after every reconnect (events sent while a stream was down are lost: binance-api.md
§11.1), when the bracket files change, and every ``interval_s``. A plan whose changes differ from
the last one is news (the drift is shown); with ``--apply`` a plan with changes and no errors is
applied through the same executor, and under the same rules, as ``apply``. A failed re-plan is
reported and tried again with a growing delay, never more than ``interval_s`` apart.

The REST half (:class:`Reconciler`) and the output (:class:`WatchReport`) are injected; the loop
itself prints nothing, reads no clock but the injected one, and stops when the stop token is set
(SIGINT, SIGTERM) or, for tests, after ``max_events`` events and the re-plan that follows them.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from oco_reconcile.apply.results import ApplyResult
from oco_reconcile.apply.stop import StopToken
from oco_reconcile.core.events import EventKind
from oco_reconcile.core.plan import Plan
from oco_reconcile.core.usdm.model import Market
from oco_reconcile.errors import ExchangeError
from oco_reconcile.inputs.desired import LoadedInputs
from oco_reconcile.watch.desired_files import DesiredFiles, Rejected, Reloaded
from oco_reconcile.watch.feeds import Arrived, Connected, Disconnected, Fatal, FeedItem


class Reconciler(Protocol):
    """The REST half: read the live state and plan; apply a plan made by :meth:`plan`."""

    def plan(self, inputs: LoadedInputs) -> Plan: ...

    def apply(self, plan: Plan, inputs: LoadedInputs) -> ApplyResult: ...


@dataclass(frozen=True)
class WatchStatus:
    """What the terminal's status line shows."""

    connected: frozenset[Market]
    venues: frozenset[Market]
    last_event: str | None
    next_plan_in_s: float


class WatchReport(Protocol):
    """Where everything the loop sees goes (text lines, JSON lines, a status line)."""

    def arrived(self, item: Arrived) -> None: ...

    def connection(self, item: Connected | Disconnected) -> None: ...

    def planned(self, plan: Plan, why: str, *, news: bool) -> None: ...

    def applied(self, result: ApplyResult, plan: Plan) -> None: ...

    def failed(self, what: str, error: ExchangeError, retry_in_s: float) -> None: ...

    def reloaded(self, item: Reloaded | Rejected) -> None: ...

    def status(self, status: WatchStatus) -> None: ...


@dataclass(frozen=True)
class WatchOptions:
    interval_s: float = 60.0
    apply: bool = False
    max_events: int | None = None  # stop after this many events (and the re-plan after them)
    files_every_s: float = 1.0
    tick_s: float = 0.2
    retry_s: float = 2.0  # the first wait after a failed re-plan; doubles up to interval_s


PlanSignature = tuple[tuple[tuple[str, str], ...], tuple[str, ...]]


def signature_of(plan: Plan) -> PlanSignature:
    """What makes a plan news: its actionable changes and its problems."""
    changes = tuple((change.action.value, change.address) for change in plan.actionable)
    return (changes, tuple(str(problem) for problem in plan.problems))


@dataclass
class _State:
    connected: set[Market] = field(default_factory=set)
    events: int = 0
    last_event: str | None = None
    pending: str | None = "start"
    next_plan: float = 0.0
    next_files: float = 0.0
    failures: int = 0
    last: PlanSignature | None = None


class Watcher:
    """Runs until stopped; raises the error of a :class:`Fatal` feed item."""

    def __init__(  # noqa: PLR0917 - the loop's collaborators, all injected
        self,
        files: DesiredFiles,
        reconciler: Reconciler,
        report: WatchReport,
        items: queue.Queue[FeedItem],
        stop: StopToken,
        venues: frozenset[Market],
        options: WatchOptions = WatchOptions(),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._files, self._reconciler, self._report = files, reconciler, report
        self._items, self._stop, self._venues = items, stop, venues
        self._options, self._clock = options, clock
        self._state = _State()

    @property
    def events_seen(self) -> int:
        return self._state.events

    def run(self) -> None:
        while not self._stopped() and not self._done():
            self._take(self._wait_s())
            if self._stopped():
                return
            self._look_at_files()
            if self._state.pending is not None or self._clock() >= self._state.next_plan:
                self._replan(self._state.pending or "on the interval")
            self._report.status(self._status())

    def _stopped(self) -> bool:
        return self._stop.is_set

    def _done(self) -> bool:
        limit = self._options.max_events
        return limit is not None and self._state.events >= limit and self._state.pending is None

    def _wait_s(self) -> float:
        if self._state.pending is not None:
            return 0.0
        return max(0.0, min(self._options.tick_s, self._state.next_plan - self._clock()))

    def _take(self, timeout: float) -> None:
        try:
            item = self._items.get(timeout=timeout) if timeout > 0 else self._items.get_nowait()
        except queue.Empty:
            return
        self._handle(item)
        while True:  # a burst that arrived together is handled, then planned, as one
            try:
                self._handle(self._items.get_nowait())
            except queue.Empty:
                return

    def _handle(self, item: FeedItem) -> None:
        state = self._state
        if isinstance(item, Fatal):
            raise item.error
        if isinstance(item, Arrived):
            self._report.arrived(item)
            if item.event.kind is not EventKind.STREAM_ENDED:
                state.events += 1
                state.last_event = f"{item.event.symbol} {item.event.kind.value}"
                state.pending = state.pending or "after an event"
            return
        self._report.connection(item)
        if isinstance(item, Connected):
            state.connected.add(item.market)
            if item.again:
                state.pending = "after a reconnect"
        else:
            state.connected.discard(item.market)

    def _look_at_files(self) -> None:
        now = self._clock()
        if now < self._state.next_files:
            return
        self._state.next_files = now + self._options.files_every_s
        change = self._files.look()
        if change is None:
            return
        self._report.reloaded(change)
        if isinstance(change, Reloaded):
            self._state.pending = "after the bracket files changed"

    def _replan(self, why: str) -> None:
        state = self._state
        state.pending = None
        inputs = self._files.current
        try:
            plan = self._reconciler.plan(inputs)
        except ExchangeError as error:
            self._failed("re-plan", error)
            return
        state.failures = 0
        state.next_plan = self._clock() + self._options.interval_s
        signature = signature_of(plan)
        news, state.last = signature != state.last, signature
        self._report.planned(plan, why, news=news)
        if self._options.apply and plan.has_changes and not plan.has_errors:
            self._apply(plan, inputs)

    def _apply(self, plan: Plan, inputs: LoadedInputs) -> None:
        if self._stopped():
            return
        try:
            result = self._reconciler.apply(plan, inputs)
        except ExchangeError as error:
            self._failed("apply", error)
            return
        self._report.applied(result, plan)
        # Whatever the next plan shows is news. The next re-plan comes with the events of what
        # was placed, or on the interval: a refused change is not retried in a tight loop.
        self._state.last = None

    def _failed(self, what: str, error: ExchangeError) -> None:
        state = self._state
        delay = min(self._options.interval_s, self._options.retry_s * 2**state.failures)
        state.failures = min(state.failures + 1, 16)
        state.next_plan = self._clock() + delay
        self._report.failed(what, error, delay)

    def _status(self) -> WatchStatus:
        state = self._state
        next_in = max(0.0, state.next_plan - self._clock())
        return WatchStatus(frozenset(state.connected), self._venues, state.last_event, next_in)
