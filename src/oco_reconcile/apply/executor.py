"""Executes a plan: makes the exchange match it, idempotently and crash-safely.

The exchange is the state. Every list carries a deterministic client id (``identity.py``), so a
re-run after a crash, a timeout or a 5xx finds its own earlier work instead of doing it twice:

* a placement whose outcome is unknown (timeout after sending, 5xx, -1006, -1007: rest-api.md
  "HTTP Return Codes", errors.md) is never re-sent blindly. The list is looked up by its client id
  first; only when it is
  not there is the *same* request (same ids) sent again, and "Duplicate order sent." on a re-send
  means the first one landed (§4);
* the latest list carrying a client id before the first send is known (from the history the plan
  was made from, else a lookup), so a closed list left from an earlier life of the same id is
  never mistaken for this placement;
* a cancel answered "Unknown order list sent." (-2011) is confirmed by a lookup (§3.1, §13.4);
* a replace cancels and then places, adjacent, so the position is unprotected only for that gap;
  when the old list turns out to have executed, the new one is held rather than placed (a careful
  trader does not re-protect a position that is gone);
* all cancellations run before placements (an open OCO locks the balance its replacement needs);
  placements refused for "insufficient balance" get one more try after everything else ran.

Symbols run concurrently on a bounded thread pool; requests are paced (``pacing.py``); a 418 stops
everything. The reporter is injected and called under a lock; nothing here prints.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol, TypeVar

from oco_reconcile.apply.pacing import (
    CANCEL_LIST,
    ORDER_LIST_LOOKUP,
    ORDER_LOOKUP,
    PLACE_OCO,
    SERVER_TIME,
    Cost,
    Pacer,
    PacingExhaustedError,
)
from oco_reconcile.core.model import ListHistory, OcoRequest, OrderList, OrderReport, RateLimit
from oco_reconcile.core.plan import Action, CancelStep, Change, Plan
from oco_reconcile.errors import (
    BannedError,
    BugError,
    ClockSkewError,
    DuplicateOrderError,
    ExchangeError,
    OutcomeUnknownError,
    PlanError,
    RateLimitedError,
    RejectedError,
    TransientError,
)

if TYPE_CHECKING:
    from oco_reconcile.venues.protocol import Exchange

MAX_SEND_ATTEMPTS = 3
MAX_RATE_LIMIT_RETRIES = 5
MAX_CLOCK_RESYNCS = 2
DEFAULT_RETRY_AFTER = 1.0
INSUFFICIENT_BALANCE = "insufficient balance"

T = TypeVar("T")


class Outcome(StrEnum):
    """What became of one change."""

    DONE = "done"
    ALREADY_DONE = "already done"
    FAILED = "failed"
    HELD = "held"
    NOT_ATTEMPTED = "not attempted"

    @property
    def succeeded(self) -> bool:
        return self in (Outcome.DONE, Outcome.ALREADY_DONE)


@dataclass(frozen=True)
class ChangeResult:
    """One change's outcome; ``code``/``message`` are the exchange's when it refused."""

    change: Change
    outcome: Outcome
    detail: str = ""
    code: int | None = None
    message: str | None = None
    placed: OrderList | None = None

    @property
    def succeeded(self) -> bool:
        return self.outcome.succeeded


@dataclass(frozen=True)
class ApplyResult:
    """Every actionable change's result, in plan order, and why the run stopped early (if it did).

    ``remaining`` is the plan made from a fresh read after applying (filled in by the caller):
    empty means converged; ``reread_error`` says why it is missing when the read failed.
    """

    results: tuple[ChangeResult, ...]
    stop_reason: str | None = None
    banned_until: datetime | None = None
    remaining: Plan | None = None
    reread_error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.stop_reason is None and all(result.succeeded for result in self.results)

    @property
    def converged(self) -> bool | None:
        """None until ``remaining`` is known."""
        if self.remaining is None:
            return None
        return not self.remaining.has_changes and not self.remaining.has_errors

    def count(self, outcome: Outcome) -> int:
        return sum(1 for result in self.results if result.outcome is outcome)


class Reporter(Protocol):
    """Progress and results of an apply run (``apply_report.py`` has the implementations).

    Calls are serialized by :func:`execute`; implementations need no locking of their own.
    """

    def on_start(self, plan: Plan) -> None: ...

    def on_change_started(self, change: Change) -> None: ...

    def on_change_done(self, change: Change, result: ChangeResult) -> None: ...

    def on_finish(self, result: ApplyResult) -> None: ...


# --- steps -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    """The outcome of one request sequence (a cancel or a placement) within a change."""

    outcome: Outcome
    detail: str = ""
    code: int | None = None
    message: str | None = None
    order_list: OrderList | None = None

    @classmethod
    def refused(cls, error: ExchangeError, detail: str) -> _Step:
        return cls(Outcome.FAILED, detail, error.code, error.msg)


class _StoppedError(Exception):
    """The run must stop (ban, exhausted budget, interrupt); nothing more may be sent."""


class _LookupFailedError(Exception):
    def __init__(self, error: ExchangeError) -> None:
        self.error = error
        super().__init__(str(error))


def _new_list(found: OrderList | None, baseline: OrderList | None) -> OrderList | None:
    """``found`` when it is a list other than the one that carried the id before we sent."""
    if found is None or (baseline is not None and found.order_list_id == baseline.order_list_id):
        return None
    return found


def _required(value: T | None, what: str) -> T:
    if value is None:
        raise BugError(f"a planned change lacks its {what}")
    return value


def _executed(order_list: OrderList) -> bool:
    return any(report.executed_qty > 0 for report in order_list.reports)


@dataclass
class _RunState:
    """Shared by the worker threads: the stop flag and why it was raised."""

    stop: threading.Event = field(default_factory=threading.Event)
    reason: str | None = None
    banned_until: datetime | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def halt(self, reason: str, banned_until: datetime | None = None) -> None:
        with self.lock:
            if self.reason is None:
                self.reason = reason
                self.banned_until = banned_until
            self.stop.set()


class _Engine:
    """Sends the requests of each change and resolves every unknown outcome."""

    def __init__(
        self,
        exchange: Exchange,
        pacer: Pacer,
        state: _RunState,
        history: Mapping[str, ListHistory],
    ) -> None:
        self._exchange = exchange
        self._pacer = pacer
        self._state = state
        self._history = history

    # -- request plumbing: pacing, usage headers, 429 / -1021 / 418 ---------------------------

    def call(self, cost: Cost, request: Callable[[], T]) -> T:
        """One request, paced; retried only where the exchange guarantees nothing executed."""
        rate_limited = resynced = 0
        while True:
            self._check_stop()
            try:
                return self._paced(cost, request)
            except RateLimitedError as error:
                rate_limited += 1
                if rate_limited > MAX_RATE_LIMIT_RETRIES:
                    raise
                self._back_off(error, rate_limited)
            except ClockSkewError:
                resynced += 1
                if resynced > MAX_CLOCK_RESYNCS:
                    raise
                self._paced(SERVER_TIME, self._exchange.server_time)

    def _paced(self, cost: Cost, request: Callable[[], T]) -> T:
        try:
            with self._pacer.slot(cost):
                return request()
        except PacingExhaustedError as error:
            reason = f"rate-limit budget exhausted: {error.msg}"
            self._state.halt(reason)
            raise _StoppedError(reason) from error
        except BannedError as error:
            reason = f"banned by the exchange until {error.until_text()}"
            self._state.halt(reason, error.until)
            raise _StoppedError(reason) from error
        finally:
            self._pacer.observe(self._exchange.rate_usage())

    def _back_off(self, error: RateLimitedError, attempt: int) -> None:
        # A 429 means pacing missed someone else's usage; Retry-After is the exchange's ask (§6.1).
        wait = error.retry_after if error.retry_after is not None else DEFAULT_RETRY_AFTER * attempt
        self._pacer.pause(wait)

    def _check_stop(self) -> None:
        if self._state.stop.is_set():
            raise _StoppedError(self._state.reason or "stopped")

    def lookup(self, list_client_order_id: str) -> OrderList | None:
        try:
            return self.call(
                ORDER_LIST_LOOKUP, lambda: self._exchange.order_list(list_client_order_id)
            )
        except ExchangeError as error:
            raise _LookupFailedError(error) from error

    # -- placement ----------------------------------------------------------------------------

    def place(self, request: OcoRequest) -> _Step:
        """Place ``request`` at most once, whatever the exchange answers."""
        baseline = self.baseline(request)
        if isinstance(baseline, _Step):
            return baseline
        return self.send(request, baseline)

    def baseline(self, request: OcoRequest) -> OrderList | _Step | None:
        """The latest list carrying the id before we send; a step when there is nothing to send.

        The plan's history (read moments ago, and covered by a saved plan's fingerprint) already
        says it for every desired id that was not open; other ids are looked up.
        """
        known = self._history.get(request.list_client_order_id)
        if known is not None:
            return known.order_list
        try:
            found = self.lookup(request.list_client_order_id)
        except _LookupFailedError as failure:
            return _Step.refused(failure.error, "could not look the list up before placing")
        if found is not None and found.is_open:
            return _Step(Outcome.ALREADY_DONE, "the list is already open", order_list=found)
        return found

    def send(self, request: OcoRequest, baseline: OrderList | None) -> _Step:
        last_error: ExchangeError | None = None
        for attempt in range(MAX_SEND_ATTEMPTS):
            try:
                placed = self.call(PLACE_OCO, lambda: self._exchange.place_oco(request))
            except DuplicateOrderError as error:
                return self._after_duplicate(request, baseline, error, resent=attempt > 0)
            except (OutcomeUnknownError, TransientError) as error:
                last_error = error
                resolved = self._resolve_unknown(request, baseline, error)
                if resolved is not None:
                    return resolved
                continue  # confirmed absent: the same request, same ids, again
            except RejectedError as error:
                return _Step.refused(error, "the exchange refused the placement")
            except ExchangeError as error:
                return _Step.refused(error, "the placement was not accepted")
            detail = "placed" if attempt == 0 else f"placed on attempt {attempt + 1}"
            return _Step(Outcome.DONE, detail, order_list=placed)
        return _Step.refused(
            _required(last_error, "last error"), f"not placed after {MAX_SEND_ATTEMPTS} attempts"
        )

    def _resolve_unknown(
        self, request: OcoRequest, baseline: OrderList | None, error: ExchangeError
    ) -> _Step | None:
        """After an unknown outcome: the step's result, or None when the list is surely absent."""
        try:
            found = self.lookup(request.list_client_order_id)
        except _LookupFailedError as failure:
            return _Step.refused(
                error, f"outcome unknown and the lookup failed ({failure.error}); not re-sent"
            )
        except _StoppedError as stopped:
            return _Step.refused(error, f"outcome unknown; stopped before a lookup ({stopped})")
        found = _new_list(found, baseline)
        if found is None:
            return None
        if found.is_open:
            return _Step(
                Outcome.DONE, f"placed (confirmed by lookup after: {error.msg})", order_list=found
            )
        return _Step(
            Outcome.HELD,
            f"placed, but already {found.list_order_status} (filled or expired) when looked up "
            "after an unknown outcome; not re-sent",
            order_list=found,
        )

    def _after_duplicate(
        self,
        request: OcoRequest,
        baseline: OrderList | None,
        error: DuplicateOrderError,
        *,
        resent: bool,
    ) -> _Step:
        """'Duplicate order sent.': the list (or a leg id) is already open; confirm which."""
        try:
            found = self.lookup(request.list_client_order_id)
        except (_LookupFailedError, _StoppedError):
            if (
                resent
            ):  # the exchange's word: the first send landed (rest-api.md "HTTP Return Codes")
                return _Step(Outcome.ALREADY_DONE, "the first send landed (duplicate; unconfirmed)")
            return _Step.refused(error, "duplicate reported and the lookup failed")
        if found is not None and found.is_open:
            detail = "the first send landed (duplicate on re-send)" if resent else "already open"
            return _Step(Outcome.ALREADY_DONE, detail, order_list=found)
        found = _new_list(found, baseline)
        if found is not None:
            return _Step(
                Outcome.HELD,
                f"placed, but already {found.list_order_status} (filled or expired); not re-sent",
                order_list=found,
            )
        return _Step.refused(error, "a leg client id is in use by another open order")

    # -- cancellation -------------------------------------------------------------------------

    def cancel(self, step: CancelStep) -> _Step:
        """Cancel a managed list; "already gone" is success once a lookup confirms it."""
        for _ in range(MAX_SEND_ATTEMPTS):
            try:
                cancelled = self.call(
                    CANCEL_LIST,
                    lambda: self._exchange.cancel_order_list(
                        step.symbol, step.list_client_order_id, step.cancel_client_order_id
                    ),
                )
            except (OutcomeUnknownError, TransientError) as error:
                gone = self._confirm_gone(step, error, Outcome.DONE)
                if gone is not None:
                    return gone
                continue
            except ExchangeError as error:
                return _Step.refused(error, "the exchange refused the cancel")
            if cancelled is not None:
                return _Step(Outcome.DONE, "cancelled", order_list=cancelled)
            unknown = RejectedError("Unknown order list sent.", code=-2011)
            confirmed = self._confirm_gone(step, unknown, Outcome.ALREADY_DONE)
            if confirmed is not None:
                return confirmed
        return _Step(Outcome.FAILED, f"still open after {MAX_SEND_ATTEMPTS} cancel attempts")

    def _confirm_gone(
        self, step: CancelStep, error: ExchangeError, outcome: Outcome
    ) -> _Step | None:
        """``outcome`` when the list is no longer open, None when it still is (cancel again)."""
        try:
            found = self.lookup(step.list_client_order_id)
        except _LookupFailedError as failure:
            return _Step.refused(
                error, f"cancel outcome unknown and the lookup failed ({failure.error})"
            )
        except _StoppedError as stopped:
            return _Step.refused(error, f"cancel outcome unknown; stopped ({stopped})")
        if found is not None and found.is_open:
            return None
        detail = "cancelled (confirmed by lookup)" if outcome is Outcome.DONE else "already gone"
        return _Step(outcome, detail, order_list=found)

    def old_list_executed(self, order_list: OrderList | None) -> bool | None:
        """Whether any leg of a cancelled list had executed; None when that cannot be told."""
        if order_list is None:
            return None
        if order_list.reports:
            return _executed(order_list)
        for ref in order_list.orders:
            try:
                report = self._order(ref.symbol, ref.order_id)
            except ExchangeError:
                return None
            if report is None:
                return None
            if report.executed_qty > 0:
                return True
        return False

    def _order(self, symbol: str, order_id: int) -> OrderReport | None:
        return self.call(ORDER_LOOKUP, lambda: self._exchange.order(symbol, order_id))


# --- changes ---------------------------------------------------------------------------------


def _from_step(change: Change, step: _Step, prefix: str = "") -> ChangeResult:
    detail = f"{prefix}{step.detail}" if prefix else step.detail
    placed = step.order_list if change.place is not None else None
    return ChangeResult(change, step.outcome, detail, step.code, step.message, placed)


def _combine(change: Change, cancelled: _Step, placed: _Step) -> ChangeResult:
    outcome = placed.outcome
    if outcome.succeeded:
        both_already = (
            cancelled.outcome is Outcome.ALREADY_DONE and placed.outcome is Outcome.ALREADY_DONE
        )
        outcome = Outcome.ALREADY_DONE if both_already else Outcome.DONE
    detail = f"old list {cancelled.detail}; new list {placed.detail}"
    return ChangeResult(change, outcome, detail, placed.code, placed.message, placed.order_list)


class _Worker:
    """Runs changes, turning steps into per-change results; never lets one failure hide others."""

    def __init__(self, engine: _Engine) -> None:
        self._engine = engine

    def run(self, change: Change) -> ChangeResult:
        try:
            if change.action is Action.CANCEL:
                return self._cancel_only(change)
            if change.action is Action.REPLACE:
                return self._replace(change)
            return self._create(change)
        except _StoppedError as stopped:
            return ChangeResult(change, Outcome.NOT_ATTEMPTED, f"stopped: {stopped}")

    def _cancel_only(self, change: Change) -> ChangeResult:
        return _from_step(change, self._engine.cancel(_required(change.cancel, "cancel")))

    def _create(self, change: Change) -> ChangeResult:
        return _from_step(change, self._engine.place(_required(change.place, "placement")))

    def _replace(self, change: Change) -> ChangeResult:
        request = _required(change.place, "placement")
        step = _required(change.cancel, "cancel")
        same_id = step.list_client_order_id == request.list_client_order_id
        # Read the new id's baseline first, so only the cancel separates the two lists.
        baseline = None if same_id else self._engine.baseline(request)
        if isinstance(baseline, _Step) and not baseline.outcome.succeeded:
            return _from_step(change, baseline, "old list kept, new list not placed: ")
        cancelled = self._engine.cancel(step)
        if not cancelled.outcome.succeeded:
            return _from_step(change, cancelled, "old list not cancelled, new list not placed: ")
        try:
            held = self._hold_if_executed(change, cancelled)
            if held is not None:
                return held
            if same_id:  # an amended list: the one just cancelled is the id's baseline
                baseline = cancelled.order_list
            placed = (
                baseline if isinstance(baseline, _Step) else self._engine.send(request, baseline)
            )
        except _StoppedError as stopped:
            return ChangeResult(
                change,
                Outcome.FAILED,
                f"old list cancelled, then stopped before placing the new one ({stopped}): "
                "the position is unprotected",
            )
        return _combine(change, cancelled, placed)

    def _hold_if_executed(self, change: Change, cancelled: _Step) -> ChangeResult | None:
        executed = self._engine.old_list_executed(cancelled.order_list)
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
            step = self._engine.place(_required(change.place, "placement"))
        except _StoppedError:
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


class _Run:
    def __init__(
        self,
        exchange: Exchange,
        reporter: Reporter,
        pacer: Pacer,
        max_parallel: int,
        history: Mapping[str, ListHistory],
        *,
        max_parallel_requests: int = 32,
    ) -> None:
        self.state = _RunState()
        self.worker = _Worker(_Engine(exchange, pacer, self.state, history))
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
        if self.state.stop.is_set():
            result = ChangeResult(change, Outcome.NOT_ATTEMPTED, f"stopped: {self.state.reason}")
        else:
            self.reporter.started(change)
            result = self.worker.run(change)
        self.reporter.done(change, result)
        return result

    def retry_balance_refusals(self) -> None:
        for index in sorted(self.results):
            earlier = self.results[index]
            if earlier.change.place is None or not self._balance_short(earlier):
                continue
            if self.state.stop.is_set():
                return
            self.reporter.started(earlier.change)
            self.results[index] = self.worker.retry_placement(earlier)
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
    sleep: Callable[[float], None] = time.sleep,
    pacer: Pacer | None = None,
    history: Mapping[str, ListHistory] | None = None,
) -> ApplyResult:
    """Make the exchange match ``plan``; one result per actionable change, in plan order.

    ``history`` is the live state's history the plan was made from (``LiveState.history``): with
    it, a placement needs no lookup before it is sent. Raises :class:`PlanError` for a plan with
    errors (nothing is sent). Exchange errors never escape: each becomes the failed change's
    result, and a 418 stops the run with the ban's end.
    """
    if plan.has_errors:
        raise PlanError("the plan has errors; nothing was applied")
    changes = plan.actionable
    pacer = pacer or Pacer(limits, clock=clock, sleep=sleep)
    run = _Run(
        exchange,
        reporter,
        pacer,
        max_parallel_symbols,
        history or {},
        max_parallel_requests=max_parallel_requests,
    )
    reporter.on_start(plan)
    for phase in _phases(changes):
        run.run_phase(phase)
    run.retry_balance_refusals()
    result = ApplyResult(
        results=tuple(run.results[index] for index in range(len(changes))),
        stop_reason=run.state.reason,
        banned_until=run.state.banned_until,
    )
    reporter.on_finish(result)
    return result
