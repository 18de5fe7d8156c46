"""Futures algo-order writes that never happen twice, paced on the futures venue's own limits.

A futures leg carries a deterministic ``clientAlgoId`` (``core/usdm/identity.py``), so after an
unknown outcome (timeout, 5xx, -1007: binance-api.md §6) the order is looked up by that id before
the *same* request is sent again. An id can have an earlier life (a leg cancelled by hand, then
placed again by a drift change): the order that carried it before this placement (its
*baseline*, from the plan's live read) is never mistaken for the new one, because Binance gives
every placement a new ``algoId``. A cancel answered "Unknown order sent." (-2011) is confirmed
gone by a lookup; an order found still open is cancelled again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from oco_reconcile.apply.idempotent import required
from oco_reconcile.apply.lookup_window import resolve_within_window
from oco_reconcile.apply.pacing import Cost
from oco_reconcile.apply.requests import LookupFailedError, PacedCalls
from oco_reconcile.apply.results import Outcome
from oco_reconcile.apply.stop import StoppedError
from oco_reconcile.core.usdm.model import AlgoCancel, AlgoOrder, AlgoRequest
from oco_reconcile.errors import DuplicateOrderError, ExchangeError, RejectedError
from oco_reconcile.venues.retry import (
    Layer,
    Operation,
    RetryPolicy,
    should_retry,
)
from oco_reconcile.venues.usdm.protocol import FuturesExchange
from oco_reconcile.venues.usdm.weights import (
    ALGO_ORDER_WEIGHT,
    CANCEL_ALGO_CALL_WEIGHT,
    PLACE_ALGO_ORDER_COUNT,
    PLACE_ALGO_WEIGHT,
)

PLACE_ALGO = Cost(orders=PLACE_ALGO_ORDER_COUNT, weight=PLACE_ALGO_WEIGHT)
CANCEL_ALGO = Cost(weight=CANCEL_ALGO_CALL_WEIGHT)  # the DELETE and the client's read-back
ALGO_LOOKUP = Cost(weight=ALGO_ORDER_WEIGHT)


@dataclass(frozen=True)
class AlgoOutcome:
    """The outcome of one futures step with its lookups and re-sends."""

    outcome: Outcome
    detail: str
    code: int | None = None
    message: str | None = None
    order: AlgoOrder | None = None

    @classmethod
    def refused(cls, error: ExchangeError, detail: str) -> AlgoOutcome:
        return cls(Outcome.FAILED, detail, error.code, error.msg)

    @property
    def fired(self) -> bool:
        """The order turned out to have triggered (found by a lookup)."""
        return self.order is not None and self.order.status.has_fired


class FuturesRequests(PacedCalls[FuturesExchange]):
    """The futures venue's write-side calls, each within a slot of the futures pacer."""

    def place(self, request: AlgoRequest) -> AlgoOrder:
        return self._call(Operation.PLACE, PLACE_ALGO, lambda: self._exchange.place_algo(request))

    def cancel(self, step: AlgoCancel) -> AlgoOrder | None:
        def send() -> AlgoOrder | None:
            return self._exchange.cancel_algo(step.symbol, step.client_algo_id)

        return self._call(Operation.CANCEL, CANCEL_ALGO, send)

    def lookup(self, client_algo_id: str) -> AlgoOrder | None:
        """The latest order with this id; :class:`LookupFailedError` if it cannot be read."""
        try:
            return self._call(
                Operation.READ, ALGO_LOOKUP, lambda: self._exchange.algo_order(client_algo_id)
            )
        except ExchangeError as error:
            raise LookupFailedError(error) from error


def _is_new(found: AlgoOrder | None, baseline: AlgoOrder | None) -> AlgoOrder | None:
    """``found`` when it is another order than the one that held the id before we sent."""
    if found is None or (baseline is not None and found.algo_id == baseline.algo_id):
        return None
    return found


class FuturesWrites:
    """Places and cancels algo orders so that no answer, or lack of one, makes one happen twice."""

    def __init__(self, requests: FuturesRequests, policy: RetryPolicy) -> None:
        self._requests = requests
        self._policy = policy

    def committed(self) -> FuturesWrites:
        return FuturesWrites(self._requests.committed(), self._policy)

    def check_interrupt(self) -> None:
        self._requests.check_interrupt()

    def place(self, request: AlgoRequest, baseline: AlgoOrder | None) -> AlgoOutcome:
        """Place ``request`` at most once; ``baseline`` held its id before (or None)."""
        last: ExchangeError | None = None
        attempts = self._policy.max_write_attempts
        for attempt in range(attempts):
            try:
                placed = self._requests.place(request)
            except DuplicateOrderError as error:
                return self._after_duplicate(request, baseline, error)
            except ExchangeError as error:
                if not should_retry(Layer.LOOKUP, Operation.PLACE, error, self._policy):
                    why = "refused" if isinstance(error, RejectedError) else "did not accept"
                    return AlgoOutcome.refused(error, f"the exchange {why} the placement")
                last = error
                resolved = self._resolve_unknown(request, baseline, error)
                if resolved is not None:
                    return resolved
                continue  # confirmed absent: the same request, same id, again
            detail = "placed" if attempt == 0 else f"placed on attempt {attempt + 1}"
            return AlgoOutcome(Outcome.DONE, detail, order=placed)
        return AlgoOutcome.refused(
            required(last, "last error"), f"not placed after {attempts} attempts"
        )

    def _resolve_unknown(
        self, request: AlgoRequest, baseline: AlgoOrder | None, error: ExchangeError
    ) -> AlgoOutcome | None:
        """The step's result after an unknown outcome, or None when the order is surely absent."""

        def look_once() -> AlgoOutcome | None:
            found = _is_new(self._requests.lookup(request.client_algo_id), baseline)
            if found is None:
                return None
            detail = f"placed (confirmed by lookup after: {error.msg})"
            return AlgoOutcome(Outcome.DONE, detail, order=found)

        return resolve_within_window(
            error, self._policy, self._requests.settle, look_once, AlgoOutcome.refused
        )

    def _after_duplicate(
        self, request: AlgoRequest, baseline: AlgoOrder | None, error: DuplicateOrderError
    ) -> AlgoOutcome:
        """-4116 "ClientOrderId is duplicated.": an open order holds the id; ours if it is new."""
        try:
            found = _is_new(self._requests.lookup(request.client_algo_id), baseline)
        except (LookupFailedError, StoppedError):
            return AlgoOutcome.refused(error, "duplicate id reported and the lookup failed")
        if found is not None:
            return AlgoOutcome(Outcome.ALREADY_DONE, "already placed", order=found)
        return AlgoOutcome.refused(error, "the clientAlgoId is held by another open order")

    def cancel(self, step: AlgoCancel) -> AlgoOutcome:
        """Cancel one algo order; "already gone" is success once a lookup confirms it."""
        return cancel_until_gone(
            lambda: self._requests.cancel(step),
            lambda: self._requests.lookup(step.client_algo_id),
            lambda error: should_retry(Layer.LOOKUP, Operation.CANCEL, error, self._policy),
            self._policy.max_write_attempts,
        )


def cancel_until_gone(
    send: Callable[[], AlgoOrder | None],
    lookup: Callable[[], AlgoOrder | None],
    looked_up: Callable[[ExchangeError], bool],
    attempts: int,
) -> AlgoOutcome:
    """Send a cancel until a lookup confirms the order is no longer open."""
    for _ in range(attempts):
        try:
            cancelled = send()
        except ExchangeError as error:
            if not looked_up(error):
                return AlgoOutcome.refused(error, "the exchange refused the cancel")
            gone = _confirm_gone(lookup, error, Outcome.DONE)
        else:
            if cancelled is not None:
                return AlgoOutcome(Outcome.DONE, "cancelled", order=cancelled)
            unknown = RejectedError("Unknown order sent.", code=-2011)
            gone = _confirm_gone(lookup, unknown, Outcome.ALREADY_DONE)
        if gone is not None:
            return gone
    return AlgoOutcome(Outcome.FAILED, f"still open after {attempts} cancel attempts")


def _confirm_gone(
    lookup: Callable[[], AlgoOrder | None], error: ExchangeError, outcome: Outcome
) -> AlgoOutcome | None:
    """``outcome`` when the order is no longer open, None when it still is (cancel again)."""
    try:
        found = lookup()
    except LookupFailedError as failure:
        detail = f"cancel outcome unknown and the lookup failed ({failure.error})"
        return AlgoOutcome.refused(error, detail)
    except StoppedError as stopped:
        return AlgoOutcome.refused(error, f"cancel outcome unknown; stopped ({stopped})")
    if found is not None and found.status.is_open:
        return None
    if found is not None and found.status.has_fired:
        return AlgoOutcome(outcome, f"already {found.status} (it triggered)", order=found)
    detail = "cancelled (confirmed by lookup)" if outcome is Outcome.DONE else "already gone"
    return AlgoOutcome(outcome, detail, order=found)
