"""Executes a plan: makes the exchange match it, idempotently and crash-safely.

The exchange is the state; each write is made safe to repeat by ``idempotent.py`` (lookups by
deterministic client id before any re-send), each request paced by ``requests.py``. Here, per
change and across threads:

* a change's remnants (legs still working after their list is done) are cancelled first
  (``remnant_cancels.py``); nothing else of the change is sent unless they are gone;
* a replace cancels and then places, adjacent, so the position is unprotected only for that gap;
  when the old list turns out to have executed, the new one is held rather than placed (a careful
  trader does not re-protect a position that is gone);
* all cancellations run before placements (an open OCO locks the balance its replacement needs);
  placements refused for "insufficient balance" get one more try after everything else ran.

Symbols run concurrently on a bounded thread pool; a 418 stops everything. An interrupt (the
injected :class:`StopToken`) starts no new change, but a replace whose cancel was sent still places
its new list; the changes not started are reported as such. The reporter is injected and called
under a lock; nothing here prints.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from oco_reconcile.apply.idempotent import IdempotentWrites, WriteOutcome, required
from oco_reconcile.apply.pacing import Pacer
from oco_reconcile.apply.remnant_cancels import RemnantCancels, RemnantOutcome
from oco_reconcile.apply.requests import PacedRequests, RunState
from oco_reconcile.apply.results import ApplyResult, ChangeResult, Outcome, Reporter
from oco_reconcile.apply.stop import StoppedError, StopToken
from oco_reconcile.core.model import ListHistory, OrderList
from oco_reconcile.core.plan import Action, Change, Plan
from oco_reconcile.core.ratelimits import RateLimit
from oco_reconcile.errors import PlanError
from oco_reconcile.venues.retry import RetryPolicy

if TYPE_CHECKING:
    from oco_reconcile.venues.protocol import Exchange

INSUFFICIENT_BALANCE = "insufficient balance"


# --- changes ---------------------------------------------------------------------------------


def _from_step(change: Change, step: WriteOutcome, prefix: str = "") -> ChangeResult:
    detail = f"{prefix}{step.detail}" if prefix else step.detail
    placed = step.order_list if change.place is not None else None
    return ChangeResult(change, step.outcome, detail, step.code, step.message, placed)


def _combine(change: Change, cancelled: WriteOutcome, placed: WriteOutcome) -> ChangeResult:
    outcome = placed.outcome
    if outcome.succeeded:
        both_already = (
            cancelled.outcome is Outcome.ALREADY_DONE and placed.outcome is Outcome.ALREADY_DONE
        )
        outcome = Outcome.ALREADY_DONE if both_already else Outcome.DONE
    detail = f"old list {cancelled.detail}; new list {placed.detail}"
    return ChangeResult(change, outcome, detail, placed.code, placed.message, placed.order_list)


class _ChangeRunner:
    """Runs changes, turning write outcomes into per-change results; one failure hides no other."""

    def __init__(self, writes: IdempotentWrites, remnants: RemnantCancels, stop: StopToken) -> None:
        self._writes = writes
        self._remnants = remnants
        self._stop = stop

    def run(self, change: Change) -> ChangeResult:
        try:
            if change.remnants:
                return self._with_remnants(change)
            return self._run_lists(change)
        except StoppedError as stopped:
            return ChangeResult(change, Outcome.NOT_ATTEMPTED, f"not started: {stopped}")

    def _run_lists(self, change: Change, writes: IdempotentWrites | None = None) -> ChangeResult:
        """The change's list writes; ``writes`` given: already committed (finished on interrupt)."""
        if change.action is Action.CANCEL:
            return self._cancel_only(change, writes or self._writes)
        if change.action is Action.REPLACE and change.cancel is not None:
            return self._replace(change, writes)
        return self._create(change, writes or self._writes)  # a replace of remnants only too

    def _with_remnants(self, change: Change) -> ChangeResult:
        """Remnant cancels, then the lists: once the first remnant cancel is sent, the rest of the
        change is finished even after an interrupt (the remnant was all that still worked)."""
        self._writes.check_interrupt()
        with self._stop.exposed(change.address):
            return self._remnants_then_lists(
                change, self._remnants.committed(), self._writes.committed()
            )

    def _remnants_then_lists(
        self, change: Change, remnants: RemnantCancels, writes: IdempotentWrites
    ) -> ChangeResult:
        done: list[RemnantOutcome] = []
        for step in change.remnants:
            outcome = remnants.cancel(step)
            name = f"remnant order {step.order.client_order_id}"
            if not outcome.outcome.succeeded:
                detail = f"{name} not cancelled ({outcome.detail}); nothing else sent"
                return ChangeResult(change, Outcome.FAILED, detail, outcome.code, outcome.message)
            done.append(outcome)
        detail = "; ".join(
            f"remnant order {s.order.client_order_id} {o.detail}"
            for s, o in zip(change.remnants, done, strict=True)
        )
        if change.place is not None and any(o.executed_since_plan for o in done):
            why = "it executed since the plan (or its fate is unknown)"
            return ChangeResult(change, Outcome.HELD, f"{detail}; {why}: new list not placed")
        if change.cancel is None and change.place is None:
            gone = all(o.outcome is Outcome.ALREADY_DONE for o in done)
            return ChangeResult(change, Outcome.ALREADY_DONE if gone else Outcome.DONE, detail)
        try:
            rest = self._run_lists(change, writes)
        except StoppedError as stopped:
            return ChangeResult(change, Outcome.FAILED, f"{detail}; then stopped ({stopped})")
        return replace(rest, detail=f"{detail}; {rest.detail}")

    @staticmethod
    def _cancel_only(change: Change, writes: IdempotentWrites) -> ChangeResult:
        return _from_step(change, writes.cancel(required(change.cancel, "cancel")))

    @staticmethod
    def _create(change: Change, writes: IdempotentWrites) -> ChangeResult:
        return _from_step(change, writes.place(required(change.place, "placement")))

    def _replace(self, change: Change, committed: IdempotentWrites | None = None) -> ChangeResult:
        request = required(change.place, "placement")
        step = required(change.cancel, "cancel")
        same_id = step.list_client_order_id == request.list_client_order_id
        # Read the new id's baseline first, so only the cancel separates the two lists.
        baseline = None if same_id else (committed or self._writes).baseline(request)
        if isinstance(baseline, WriteOutcome) and not baseline.outcome.succeeded:
            return _from_step(change, baseline, "old list kept, new list not placed: ")
        if committed is not None:  # part of a change already started (after its remnants)
            return self._cancel_then_place(change, baseline, committed)
        self._writes.check_interrupt()  # the last point where an interrupt may skip this change
        with self._stop.exposed(change.address):
            return self._cancel_then_place(change, baseline, self._writes.committed())

    def _cancel_then_place(
        self, change: Change, baseline: OrderList | WriteOutcome | None, writes: IdempotentWrites
    ) -> ChangeResult:
        """The started part of a replace: finished even after an interrupt."""
        request = required(change.place, "placement")
        step = required(change.cancel, "cancel")
        cancelled = writes.cancel(step)
        if not cancelled.outcome.succeeded:
            return _from_step(change, cancelled, "old list not cancelled, new list not placed: ")
        try:
            held = self._hold_if_executed(change, cancelled, writes)
            if held is not None:
                return held
            if step.list_client_order_id == request.list_client_order_id:
                baseline = cancelled.order_list  # an amended list: the one just cancelled
            placed = (
                baseline if isinstance(baseline, WriteOutcome) else writes.send(request, baseline)
            )
        except StoppedError as stopped:
            return ChangeResult(
                change,
                Outcome.FAILED,
                f"old list cancelled, then stopped before placing the new one ({stopped}): "
                "the position is unprotected",
            )
        return _combine(change, cancelled, placed)

    def _hold_if_executed(
        self, change: Change, cancelled: WriteOutcome, writes: IdempotentWrites
    ) -> ChangeResult | None:
        executed = writes.old_list_executed(cancelled.order_list)
        if executed is False:
            return None
        why = (
            "a leg of the old list executed before it was cancelled"
            if executed
            else "could not tell whether the old list executed"
        )
        return ChangeResult(
            change,
            Outcome.HELD,
            f"old list {cancelled.detail}; {why}: new list not placed, review the position",
        )

    def retry_placement(self, earlier: ChangeResult) -> ChangeResult:
        """Second try of a placement refused for balance, after every cancel has released its."""
        change = earlier.change
        try:
            step = self._writes.place(required(change.place, "placement"))
        except StoppedError:
            return earlier
        if not step.outcome.succeeded:
            return earlier
        return replace(
            _from_step(change, step), detail=f"{step.detail} (after cancels released balance)"
        )


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


def _by_symbol(changes: Iterable[tuple[int, Change]]) -> list[list[tuple[int, Change]]]:
    groups: dict[str, list[tuple[int, Change]]] = {}
    for item in changes:
        groups.setdefault(item[1].symbol, []).append(item)
    return list(groups.values())


_PHASE_ORDER = {Action.CANCEL: 0, Action.REPLACE: 1, Action.CREATE: 2}


def _each(changes: Iterable[tuple[int, Change]]) -> list[list[tuple[int, Change]]]:
    return [[item] for item in changes]


@dataclass(frozen=True)
class _Phase:
    groups: list[list[tuple[int, Change]]]
    per_symbol: bool  # bounded by max_parallel_symbols, else by max_parallel_requests


def _phases(changes: Sequence[Change]) -> list[_Phase]:
    """1: every pure cancel, concurrently (they release balance and count-filter room);
    2: replaces, one symbol's one after another (each cancel right before its placement, so a
    symbol never holds more lists than the plan allows); 3: creates, concurrently."""
    indexed = sorted(enumerate(changes), key=lambda item: (_PHASE_ORDER[item[1].action], item[0]))

    def of(action: Action) -> list[tuple[int, Change]]:
        return [item for item in indexed if item[1].action is action]

    return [
        _Phase(_each(of(Action.CANCEL)), per_symbol=False),
        _Phase(_by_symbol(of(Action.REPLACE)), per_symbol=True),
        _Phase(_each(of(Action.CREATE)), per_symbol=False),
    ]


class _ApplyRun:
    """One run's worker threads, phase by phase, and the results they collect."""

    def __init__(
        self,
        exchange: Exchange,
        reporter: Reporter,
        pacer: Pacer,
        max_parallel: int,
        history: Mapping[str, ListHistory],
        *,
        max_parallel_requests: int = 32,
        policy: RetryPolicy,
        stop: StopToken,
    ) -> None:
        self.state = RunState(interrupt=stop)
        requests = PacedRequests(exchange, pacer, self.state, policy)
        writes = IdempotentWrites(requests, history, policy)
        self.runner = _ChangeRunner(writes, RemnantCancels(requests, policy), stop)
        self.reporter = _SerialReporter(reporter)
        self.max_parallel = max(1, max_parallel)
        self.max_parallel_requests = max(1, max_parallel_requests)
        self.results: dict[int, ChangeResult] = {}

    def run_phase(self, phase: _Phase) -> None:
        groups = phase.groups
        if not groups:
            return
        bound = self.max_parallel if phase.per_symbol else self.max_parallel_requests
        with ThreadPoolExecutor(max_workers=min(bound, len(groups))) as pool:
            futures = [pool.submit(self._run_group, group) for group in groups]
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
            result = self.runner.run(change)
        self.reporter.done(change, result)
        return result

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
    max_parallel_requests: int = 32,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] | None = None,
    pacer: Pacer | None = None,
    history: Mapping[str, ListHistory] | None = None,
    retry: RetryPolicy | None = None,
    stop: StopToken | None = None,
) -> ApplyResult:
    """Make the exchange match ``plan``; one result per actionable change, in plan order.

    ``history`` is the live state's history the plan was made from (``LiveState.history``): with
    it, a placement needs no lookup before it is sent. ``retry`` says how often a write is sent
    again (:mod:`oco_reconcile.venues.retry`). Raises :class:`PlanError` for a plan with
    errors (nothing is sent). Exchange errors never escape: each becomes the failed change's
    result, and a 418 stops the run with the ban's end. Once ``stop`` is set no new change or
    request starts (a started replace still places its new list); the rest is "not attempted".
    """
    if plan.has_errors:
        raise PlanError("the plan has errors; nothing was applied")
    changes = plan.actionable
    pacer = pacer or Pacer(limits, clock=clock, sleep=sleep)
    run = _ApplyRun(
        exchange,
        reporter,
        pacer,
        max_parallel_symbols,
        history or {},
        max_parallel_requests=max_parallel_requests,
        policy=retry or RetryPolicy(),
        stop=stop or StopToken(),
    )
    reporter.on_start(plan)
    for phase in _phases(changes):
        run.run_phase(phase)
    run.retry_balance_refusals()
    result = ApplyResult(
        results=tuple(run.results[index] for index in range(len(changes))),
        stop_reason=run.state.why(),
        banned_until=run.state.banned_until,
    )
    reporter.on_finish(result)
    return result
