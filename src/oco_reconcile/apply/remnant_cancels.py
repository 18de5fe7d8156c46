"""Cancelling remnants (core/remnants.py) before anything else of their change, at most once.

``DELETE /api/v3/order`` (rest-api.md "Cancel order") follows the same unknown-outcome rules as a
list cancel (``idempotent.py``): after a timeout, a 5xx or "Unknown order sent." (-2011) the order
is looked up (``GET /api/v3/order``) before anything else is sent; still working -> cancel again,
gone -> done; a lookup that fails means the outcome is unknown and nothing more of the change is
sent. A remnant that executed more between the plan and its cancel (or whose fate cannot be told)
is reported, so the new list is held rather than placed on top of a position that changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from oco_reconcile.apply.requests import PacedRequests
from oco_reconcile.apply.results import Outcome
from oco_reconcile.apply.stop import StoppedError
from oco_reconcile.core.history import WORKING_STATUSES
from oco_reconcile.core.model import OrderReport
from oco_reconcile.core.plan import RemnantStep
from oco_reconcile.errors import ExchangeError, RejectedError
from oco_reconcile.venues.retry import Layer, Operation, RetryPolicy, should_retry


@dataclass(frozen=True)
class RemnantOutcome:
    """One remnant cancel: its outcome and whether it executed more since the plan read it."""

    outcome: Outcome
    detail: str
    code: int | None = None
    message: str | None = None
    executed_since_plan: bool = False


def _refused(error: ExchangeError, detail: str) -> RemnantOutcome:
    return RemnantOutcome(Outcome.FAILED, detail, error.code, error.msg)


def _gone(step: RemnantStep, found: OrderReport | None, outcome: Outcome) -> RemnantOutcome:
    planned = step.order.executed_qty
    more = found is None or found.executed_qty > planned
    detail = "cancelled" if outcome is Outcome.DONE else "already gone"
    return RemnantOutcome(outcome, detail, executed_since_plan=more)


class RemnantCancels:
    """Cancels remnant orders so that no answer, or lack of one, makes a cancel go unchecked."""

    def __init__(self, requests: PacedRequests, policy: RetryPolicy) -> None:
        self._requests = requests
        self._policy = policy

    def committed(self) -> RemnantCancels:
        """These cancels, finished even after an interrupt (see :meth:`PacedRequests.committed`)."""
        return RemnantCancels(self._requests.committed(), self._policy)

    def cancel(self, step: RemnantStep) -> RemnantOutcome:
        attempts = self._policy.max_write_attempts
        for _ in range(attempts):
            try:
                cancelled = self._requests.cancel_order(step)
            except ExchangeError as error:
                if not should_retry(Layer.LOOKUP, Operation.CANCEL, error, self._policy):
                    return _refused(error, "the exchange refused the cancel")
                found = self._confirm_gone(step, error, Outcome.DONE)
            else:
                if cancelled is not None:
                    return _gone(step, cancelled, Outcome.DONE)
                unknown = RejectedError("Unknown order sent.", code=-2011)
                found = self._confirm_gone(step, unknown, Outcome.ALREADY_DONE)
            if found is not None:
                return found
        return RemnantOutcome(Outcome.FAILED, f"still working after {attempts} cancel attempts")

    def _confirm_gone(
        self, step: RemnantStep, error: ExchangeError, outcome: Outcome
    ) -> RemnantOutcome | None:
        """``outcome`` when the order no longer works, None when it still does (cancel again)."""
        order = step.order
        try:
            found = self._requests.order(order.symbol, order.order_id)
        except ExchangeError as failure:
            return _refused(error, f"cancel outcome unknown and the lookup failed ({failure})")
        except StoppedError as stopped:
            return _refused(error, f"cancel outcome unknown; stopped ({stopped})")
        if found is not None and found.status in WORKING_STATUSES:
            return None
        return _gone(step, found, outcome)
