"""Executes a plan: makes the exchange match it, idempotently and crash-safely.

The exchange is the state; each write is made safe to repeat by ``idempotent.py`` (lookups by
deterministic client id before any re-send), each request paced by ``requests.py``. Here, per
change and across threads:

* a change's remnants (legs still working after their list is done) are cancelled first
  (``remnant_cancels.py``); nothing else of the change is sent unless they are gone;
* a replace cancels and then places, adjacent, so the position is unprotected only for that gap;
  when the old list turns out to have executed, the new one is held rather than placed (a careful
  trader does not re-protect a position that is gone);
* all pure cancellations run before replaces and placements (an open OCO locks the balance its
  replacement needs); placements refused for "insufficient balance" get one more try after
  everything else ran.

Futures changes (``usdm_changes.py``) run their steps in order, on the futures venue's own pacer:
pure cancels (orphans, prunes) with the Spot cancels, the rest with the Spot creates.

Each change is a unit of its own on a thread pool bounded by ``max_parallel_requests`` (the pacer
keeps every rate limit); a replace's cancel and placement run in one unit, so one symbol's
replaces may overlap: each placement follows its own cancel, so a symbol never holds more lists
than before the phase. A 418 stops everything. An interrupt (the
injected :class:`StopToken`) starts no new change, but a replace whose cancel was sent still places
its new list; the changes not started are reported as such. The reporter is injected and called
under a lock; nothing here prints.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from oco_reconcile.apply.idempotent import IdempotentWrites
from oco_reconcile.apply.pacing import Pacer
from oco_reconcile.apply.remnant_cancels import RemnantCancels
from oco_reconcile.apply.requests import PacedRequests, RunState
from oco_reconcile.apply.results import ApplyResult, ChangeResult, Outcome, Reporter
from oco_reconcile.apply.spot_changes import SpotChangeRunner
from oco_reconcile.apply.stop import StopToken
from oco_reconcile.apply.usdm_changes import FuturesChangeRunner
from oco_reconcile.apply.usdm_writes import FuturesRequests, FuturesWrites
from oco_reconcile.core.model import ListHistory
from oco_reconcile.core.plan import Action, Change, Plan
from oco_reconcile.core.ratelimits import RateLimit
from oco_reconcile.core.settings import MAX_PARALLEL_REQUESTS
from oco_reconcile.core.usdm.model import AlgoOrder
from oco_reconcile.errors import BugError, PlanError
from oco_reconcile.venues.retry import RetryPolicy

if TYPE_CHECKING:
    from oco_reconcile.venues.protocol import Exchange
    from oco_reconcile.venues.usdm.protocol import FuturesExchange

INSUFFICIENT_BALANCE = "insufficient balance"


# --- orchestration ---------------------------------------------------------------------------


class _SerialReporter:
    """Serializes reporter calls coming from the worker threads."""

    def __init__(self, reporter: Reporter) -> None:
        self._reporter = reporter
        self._lock = threading.Lock()

    def started(self, change: Change) -> None:
        with self._lock:
            self._reporter.on_change_started(change)

    def done(self, change: Change, result: ChangeResult) -> None:
        with self._lock:
            self._reporter.on_change_done(change, result)


_PHASE_ORDER = {Action.CANCEL: 0, Action.REPLACE: 1, Action.CREATE: 2}


def _each(changes: Iterable[tuple[int, Change]]) -> list[list[tuple[int, Change]]]:
    return [[item] for item in changes]


@dataclass(frozen=True)
class _Phase:
    groups: list[list[tuple[int, Change]]]  # each group runs in order, groups concurrently


def _phases(changes: Sequence[Change]) -> list[_Phase]:
    """1: every pure cancel, concurrently (they release balance and count-filter room);
    2: replaces, concurrently, each its own unit (its cancel right before its placement, so a
    symbol never holds more lists than the plan allows); 3: creates, concurrently. A futures
    change is a unit of its own: with the cancels when it only cancels, else with the creates."""
    indexed = sorted(enumerate(changes), key=lambda item: (_PHASE_ORDER[item[1].action], item[0]))
    spot = [item for item in indexed if item[1].futures is None]
    futures = [item for item in enumerate(changes) if item[1].futures is not None]
    cancels_only = [item for item in futures if _only_cancels(item[1])]
    others = [item for item in futures if not _only_cancels(item[1])]

    def of(action: Action) -> list[tuple[int, Change]]:
        return [item for item in spot if item[1].action is action]

    return [
        _Phase(_each([*of(Action.CANCEL), *cancels_only])),
        _Phase(_each(of(Action.REPLACE))),
        _Phase(_each([*of(Action.CREATE), *others])),
    ]


def _only_cancels(change: Change) -> bool:
    futures = change.futures
    return futures is not None and not futures.places


@dataclass(frozen=True)
class FuturesVenue:
    """The futures side of an apply run: its exchange, its own pacer (its own rate limits), and
    the plan's history of the desired leg ids (``FuturesLiveState.history``)."""

    exchange: FuturesExchange
    pacer: Pacer
    history: Mapping[str, AlgoOrder] = field(default_factory=dict)


class _ApplyRun:
    """One run's worker threads, phase by phase, and the results they collect."""

    def __init__(
        self,
        exchange: Exchange,
        reporter: Reporter,
        pacer: Pacer,
        history: Mapping[str, ListHistory],
        *,
        max_parallel_requests: int = MAX_PARALLEL_REQUESTS,
        policy: RetryPolicy,
        stop: StopToken,
        futures: FuturesVenue | None = None,
    ) -> None:
        self.state = RunState(interrupt=stop)
        requests = PacedRequests(exchange, pacer, self.state, policy)
        writes = IdempotentWrites(requests, history, policy)
        self.runner = SpotChangeRunner(writes, RemnantCancels(requests, policy), stop)
        self.futures_runner = None if futures is None else self._futures(futures, policy, stop)
        self.reporter = _SerialReporter(reporter)
        self.max_parallel_requests = max(1, max_parallel_requests)
        self.results: dict[int, ChangeResult] = {}

    def _futures(
        self, venue: FuturesVenue, policy: RetryPolicy, stop: StopToken
    ) -> FuturesChangeRunner:
        requests = FuturesRequests(venue.exchange, venue.pacer, self.state, policy)
        return FuturesChangeRunner(FuturesWrites(requests, policy), venue.history, stop)

    def run_phases(self, phases: Sequence[_Phase]) -> None:
        """Phase after phase on one pool for the run (threads start once, not per phase)."""
        widest = max((len(phase.groups) for phase in phases), default=0)
        if not widest:
            return
        workers = min(self.max_parallel_requests, widest)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="apply") as pool:
            for phase in phases:
                self._run_phase(pool, phase)

    def _run_phase(self, pool: ThreadPoolExecutor, phase: _Phase) -> None:
        futures = [pool.submit(self._run_group, group) for group in phase.groups]
        try:
            for future in futures:
                future.result()
        except BaseException:
            self.state.halt("interrupted")
            raise

    def _run_group(self, group: list[tuple[int, Change]]) -> None:
        for index, change in group:
            self.results[index] = self._run_one(change)

    def _run_one(self, change: Change) -> ChangeResult:
        if self.state.stopped():
            result = ChangeResult(change, Outcome.NOT_ATTEMPTED, f"not started: {self.state.why()}")
        else:
            self.reporter.started(change)
            result = self._runner_for(change).run(change)
        self.reporter.done(change, result)
        return result

    def _runner_for(self, change: Change) -> SpotChangeRunner | FuturesChangeRunner:
        if change.futures is None:
            return self.runner
        if self.futures_runner is None:
            raise BugError("a futures change reached apply without a futures exchange")
        return self.futures_runner

    def retry_balance_refusals(self) -> None:
        for index in sorted(self.results):
            earlier = self.results[index]
            if earlier.change.place is None or not self._balance_short(earlier):
                continue
            if self.state.stopped():
                return
            self.reporter.started(earlier.change)
            self.results[index] = self.runner.retry_placement(earlier)
            self.reporter.done(earlier.change, self.results[index])

    @staticmethod
    def _balance_short(result: ChangeResult) -> bool:
        return (
            result.outcome is Outcome.FAILED
            and INSUFFICIENT_BALANCE in (result.message or "").lower()
        )


def execute(
    plan: Plan,
    exchange: Exchange,
    reporter: Reporter,
    *,
    limits: Sequence[RateLimit],
    max_parallel_symbols: int = 16,
    max_parallel_requests: int = MAX_PARALLEL_REQUESTS,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] | None = None,
    pacer: Pacer | None = None,
    history: Mapping[str, ListHistory] | None = None,
    retry: RetryPolicy | None = None,
    stop: StopToken | None = None,
    futures: FuturesVenue | None = None,
) -> ApplyResult:
    """Make the exchange match ``plan``; one result per actionable change, in plan order.

    ``history`` is the live state's history the plan was made from (``LiveState.history``): with
    it, a placement needs no lookup before it is sent. ``retry`` says how often a write is sent
    again (:mod:`oco_reconcile.venues.retry`). Raises :class:`PlanError` for a plan with
    errors (nothing is sent). Exchange errors never escape: each becomes the failed change's
    result, and a 418 stops the run with the ban's end. Once ``stop`` is set no new change or
    request starts (a started replace still places its new list); the rest is "not attempted".
    ``futures`` is required when the plan has futures changes. ``max_parallel_symbols`` no
    longer bounds anything (replaces are units of their own, like every change, bounded by
    ``max_parallel_requests``); accepted so callers and settings files keep working.
    """
    del max_parallel_symbols
    if plan.has_errors:
        raise PlanError("the plan has errors; nothing was applied")
    changes = plan.actionable
    if futures is None and any(change.futures is not None for change in changes):
        raise BugError("a plan with futures changes needs the futures venue")
    pacer = pacer or Pacer(limits, clock=clock, sleep=sleep)
    run = _ApplyRun(
        exchange,
        reporter,
        pacer,
        history or {},
        max_parallel_requests=max_parallel_requests,
        policy=retry or RetryPolicy(),
        stop=stop or StopToken(),
        futures=futures,
    )
    reporter.on_start(plan)
    run.run_phases(_phases(changes))
    run.retry_balance_refusals()
    result = ApplyResult(
        results=tuple(run.results[index] for index in range(len(changes))),
        stop_reason=run.state.why(),
        banned_until=run.state.banned_until,
    )
    reporter.on_finish(result)
    return result
