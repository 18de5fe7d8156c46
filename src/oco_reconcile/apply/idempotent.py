"""Writes that never happen twice: every unknown outcome is looked up before any re-send.

Every list carries a deterministic client id (``identity.py``), so after a timeout, a 5xx or a
dropped connection (the outcome is UNKNOWN: rest-api.md "HTTP Return Codes", errors.md) the list is
looked up by that id first; only when it is not there is the *same* request (same ids) sent again,
and "Duplicate order sent." on a re-send means the first one landed. The lookup asks memory and the
database, several times over a short window (``RetryPolicy.lookup``), because the database can lag
behind the matching engine (rest-api.md "Data Sources"). The latest list carrying an
id before the first send (its *baseline*) is known from the plan's history or a lookup, so a
closed list from an earlier life of the same id is never mistaken for this placement. A cancel
answered "Unknown order list sent." (-2011) is confirmed by a lookup too. How many sends a write
gets is :attr:`RetryPolicy.max_write_attempts`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from oco_reconcile.apply.lookup_window import resolve_within_window
from oco_reconcile.apply.requests import LookupFailedError, PacedRequests
from oco_reconcile.apply.results import Outcome
from oco_reconcile.apply.stop import StoppedError
from oco_reconcile.core.model import ListHistory, OcoRequest, OrderList
from oco_reconcile.core.plan import CancelStep
from oco_reconcile.errors import (
    BugError,
    DuplicateOrderError,
    ExchangeError,
    RejectedError,
)
from oco_reconcile.venues.retry import (
    Layer,
    Operation,
    RetryPolicy,
    should_retry,
)

T = TypeVar("T")


@dataclass(frozen=True)
class WriteOutcome:
    """The outcome of one write with its lookups and re-sends (a cancel or a placement)."""

    outcome: Outcome
    detail: str = ""
    code: int | None = None
    message: str | None = None
    order_list: OrderList | None = None

    @classmethod
    def refused(cls, error: ExchangeError, detail: str) -> WriteOutcome:
        return cls(Outcome.FAILED, detail, error.code, error.msg)


def required(value: T | None, what: str) -> T:
    if value is None:
        raise BugError(f"a planned change lacks its {what}")
    return value


def _new_list(found: OrderList | None, baseline: OrderList | None) -> OrderList | None:
    """``found`` when it is a list other than the one that carried the id before we sent."""
    if found is None or (baseline is not None and found.order_list_id == baseline.order_list_id):
        return None
    return found


def _executed(order_list: OrderList) -> bool:
    return any(report.executed_qty > 0 for report in order_list.reports)


def _not_placed(error: ExchangeError) -> str:
    if isinstance(error, RejectedError):
        return "the exchange refused the placement"
    return "the placement was not accepted"


class IdempotentWrites:
    """Places and cancels lists so that no answer, or lack of one, makes a write happen twice."""

    def __init__(
        self,
        requests: PacedRequests,
        history: Mapping[str, ListHistory],
        policy: RetryPolicy,
    ) -> None:
        self._requests = requests
        self._history = history
        self._policy = policy

    def committed(self) -> IdempotentWrites:
        """These writes, finished even after an interrupt (see :meth:`PacedRequests.committed`)."""
        return IdempotentWrites(self._requests.committed(), self._history, self._policy)

    def check_interrupt(self) -> None:
        self._requests.check_interrupt()

    # -- placement ----------------------------------------------------------------------------

    def place(self, request: OcoRequest) -> WriteOutcome:
        """Place ``request`` at most once, whatever the exchange answers."""
        baseline = self.baseline(request)
        if isinstance(baseline, WriteOutcome):
            return baseline
        return self.send(request, baseline)

    def baseline(self, request: OcoRequest) -> OrderList | WriteOutcome | None:
        """The latest list carrying the id before we send; a step when there is nothing to send.

        The plan's history (read moments ago, and covered by a saved plan's fingerprint) already
        says it for every desired id that was not open; other ids are looked up.
        """
        known = self._history.get(request.list_client_order_id)
        if known is not None:
            return known.order_list
        try:
            found = self._requests.lookup(request.list_client_order_id)
        except LookupFailedError as failure:
            return WriteOutcome.refused(failure.error, "could not look the list up before placing")
        if found is not None and found.is_open:
            return WriteOutcome(Outcome.ALREADY_DONE, "the list is already open", order_list=found)
        return found

    def send(self, request: OcoRequest, baseline: OrderList | None) -> WriteOutcome:
        last_error: ExchangeError | None = None
        attempts = self._policy.max_write_attempts
        for attempt in range(attempts):
            try:
                placed = self._requests.place(request)
            except DuplicateOrderError as error:
                return self._after_duplicate(request, baseline, error, resent=attempt > 0)
            except ExchangeError as error:
                if not self._looked_up(Operation.PLACE, error):
                    return WriteOutcome.refused(error, _not_placed(error))
                last_error = error
                resolved = self._resolve_unknown(request, baseline, error)
                if resolved is not None:
                    return resolved
                continue  # confirmed absent: the same request, same ids, again
            detail = "placed" if attempt == 0 else f"placed on attempt {attempt + 1}"
            return WriteOutcome(Outcome.DONE, detail, order_list=placed)
        return WriteOutcome.refused(
            required(last_error, "last error"), f"not placed after {attempts} attempts"
        )

    def _resolve_unknown(
        self, request: OcoRequest, baseline: OrderList | None, error: ExchangeError
    ) -> WriteOutcome | None:
        """After an unknown outcome: the step's result, or None when the list is surely absent
        (absent from memory and the database on every lookup of the window)."""
        return resolve_within_window(
            error,
            self._policy,
            self._requests.settle,
            lambda: self._look_once(request, baseline, error),
            WriteOutcome.refused,
        )

    def _look_once(
        self, request: OcoRequest, baseline: OrderList | None, error: ExchangeError
    ) -> WriteOutcome | None:
        """One lookup: the list in orderList (the database), and when it is not there (yet), its
        legs in openOrders (memory first)."""
        found = _new_list(self._requests.lookup(request.list_client_order_id), baseline)
        if found is None:
            if self._legs_open(request, baseline):
                detail = f"placed (confirmed by openOrders after: {error.msg})"
                return WriteOutcome(Outcome.DONE, detail)
            return None
        if found.is_open:
            return WriteOutcome(
                Outcome.DONE, f"placed (confirmed by lookup after: {error.msg})", order_list=found
            )
        return WriteOutcome(
            Outcome.HELD,
            f"placed, but already {found.list_order_status} (filled or expired) when looked up "
            "after an unknown outcome; not re-sent",
            order_list=found,
        )

    def _legs_open(self, request: OcoRequest, baseline: OrderList | None) -> bool:
        """Whether an open order carries one of ``request``'s leg ids in a list other than the
        baseline (a leg of the id's earlier life may still be working)."""
        ids = {request.above.client_order_id, request.below.client_order_id}
        old = None if baseline is None else baseline.order_list_id
        return any(
            report.client_order_id in ids and report.order_list_id not in (-1, old)
            for report in self._requests.open_orders(request.symbol)
        )

    def _after_duplicate(
        self,
        request: OcoRequest,
        baseline: OrderList | None,
        error: DuplicateOrderError,
        *,
        resent: bool,
    ) -> WriteOutcome:
        """'Duplicate order sent.': the list (or a leg id) is already open; confirm which."""
        try:
            found = self._requests.lookup(request.list_client_order_id)
        except (LookupFailedError, StoppedError):
            if (
                resent
            ):  # the exchange's word: the first send landed (rest-api.md "HTTP Return Codes")
                detail = "the first send landed (duplicate; unconfirmed)"
                return WriteOutcome(Outcome.ALREADY_DONE, detail)
            return WriteOutcome.refused(error, "duplicate reported and the lookup failed")
        if found is not None and found.is_open:
            detail = "the first send landed (duplicate on re-send)" if resent else "already open"
            return WriteOutcome(Outcome.ALREADY_DONE, detail, order_list=found)
        found = _new_list(found, baseline)
        if found is not None:
            return WriteOutcome(
                Outcome.HELD,
                f"placed, but already {found.list_order_status} (filled or expired); not re-sent",
                order_list=found,
            )
        return WriteOutcome.refused(error, "a leg client id is in use by another open order")

    # -- cancellation -------------------------------------------------------------------------

    def cancel(self, step: CancelStep) -> WriteOutcome:
        """Cancel a managed list; "already gone" is success once a lookup confirms it."""
        attempts = self._policy.max_write_attempts
        for _ in range(attempts):
            try:
                cancelled = self._requests.cancel(step)
            except ExchangeError as error:
                if not self._looked_up(Operation.CANCEL, error):
                    return WriteOutcome.refused(error, "the exchange refused the cancel")
                gone = self._confirm_gone(step, error, Outcome.DONE)
                if gone is not None:
                    return gone
                continue
            if cancelled is not None:
                return WriteOutcome(Outcome.DONE, "cancelled", order_list=cancelled)
            unknown = RejectedError("Unknown order list sent.", code=-2011)
            confirmed = self._confirm_gone(step, unknown, Outcome.ALREADY_DONE)
            if confirmed is not None:
                return confirmed
        return WriteOutcome(Outcome.FAILED, f"still open after {attempts} cancel attempts")

    def _confirm_gone(
        self, step: CancelStep, error: ExchangeError, outcome: Outcome
    ) -> WriteOutcome | None:
        """``outcome`` when the list is no longer open, None when it still is (cancel again)."""
        try:
            found = self._requests.lookup(step.list_client_order_id)
        except LookupFailedError as failure:
            return WriteOutcome.refused(
                error, f"cancel outcome unknown and the lookup failed ({failure.error})"
            )
        except StoppedError as stopped:
            return WriteOutcome.refused(error, f"cancel outcome unknown; stopped ({stopped})")
        if found is not None and found.is_open:
            return None
        detail = "cancelled (confirmed by lookup)" if outcome is Outcome.DONE else "already gone"
        return WriteOutcome(outcome, detail, order_list=found)

    def old_list_executed(self, order_list: OrderList | None) -> bool | None:
        """Whether any leg of a cancelled list had executed; None when that cannot be told."""
        if order_list is None:
            return None
        if order_list.reports:
            return _executed(order_list)
        for ref in order_list.orders:
            try:
                report = self._requests.order(ref.symbol, ref.order_id)
            except ExchangeError:
                return None
            if report is None:
                return None
            if report.executed_qty > 0:
                return True
        return False

    def _looked_up(self, operation: Operation, error: ExchangeError) -> bool:
        """Whether this failure is resolved by a lookup (and maybe the same request again)."""
        return should_retry(Layer.LOOKUP, operation, error, self._policy)
