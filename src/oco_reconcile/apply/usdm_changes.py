"""Runs one futures change: its algo-order steps strictly in the planned order.

The planner orders every change so the position is never without a stop: a replace places the
new stop-loss first and cancels the old one last (core/usdm/planner.py). Here:

* a change whose first step was sent is finished even after an interrupt (the run's
  :class:`~oco_reconcile.apply.stop.StopToken`), so an interrupt never strands a half-replaced
  bracket; a ban or an exhausted budget still stops it at once;
* the first step that fails stops the change: later steps are not sent and are named;
* a cancel that finds its order already triggered means the position was closed or reduced
  under us: the change's remaining placements are held (its remaining cancels still run, they
  only remove orphans), for the trader to review.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from oco_reconcile.apply.idempotent import required
from oco_reconcile.apply.results import ChangeResult, Outcome
from oco_reconcile.apply.stop import StoppedError, StopToken
from oco_reconcile.apply.usdm_writes import AlgoOutcome, FuturesWrites
from oco_reconcile.core.plan import Change
from oco_reconcile.core.usdm.model import AlgoCancel, AlgoOrder, AlgoRequest, AlgoStep


def step_label(step: AlgoStep) -> str:
    """``place stop-loss ocr-x-1a2b3c-sl`` / ``cancel take-profit ocr-x-1a2b3c-tp``."""
    if isinstance(step, AlgoRequest):
        return f"place {step.role.label} {step.client_algo_id}"
    role = f"{step.role.label} " if step.role is not None else ""
    return f"cancel {role}{step.client_algo_id}"


class FuturesChangeRunner:
    """Runs futures changes through idempotent writes; one failure hides no other."""

    def __init__(
        self, writes: FuturesWrites, history: Mapping[str, AlgoOrder], stop: StopToken
    ) -> None:
        self._writes = writes
        self._history = history
        self._stop = stop

    def run(self, change: Change) -> ChangeResult:
        futures = required(change.futures, "futures part")
        try:
            self._writes.check_interrupt()  # the last point where an interrupt may skip it
        except StoppedError as stopped:
            return ChangeResult(change, Outcome.NOT_ATTEMPTED, f"not started: {stopped}")
        with self._stop.exposed(change.address):
            return self._steps(change, futures.steps, futures.before, self._writes.committed())

    def _steps(
        self,
        change: Change,
        steps: Sequence[AlgoStep],
        before: Sequence[AlgoOrder],
        writes: FuturesWrites,
    ) -> ChangeResult:
        done: list[str] = []
        outcomes: list[AlgoOutcome] = []
        fired, held = False, False
        for index, step in enumerate(steps):
            if fired and isinstance(step, AlgoRequest):
                done.append(f"{step_label(step)}: held")
                held = True
                continue
            try:
                outcome = self._one(step, before, writes)
            except StoppedError as stopped:
                outcome = AlgoOutcome(Outcome.FAILED, f"stopped ({stopped})")
            if not outcome.outcome.succeeded:
                return self._failed(change, steps, index, done, outcome)
            done.append(f"{step_label(step)}: {outcome.detail}")
            outcomes.append(outcome)
            fired = fired or (isinstance(step, AlgoCancel) and outcome.fired)
        return self._finished(change, done, outcomes, held)

    def _one(
        self, step: AlgoStep, before: Sequence[AlgoOrder], writes: FuturesWrites
    ) -> AlgoOutcome:
        if isinstance(step, AlgoCancel):
            return writes.cancel(step)
        return writes.place(step, self._baseline(step, before))

    def _baseline(self, request: AlgoRequest, before: Sequence[AlgoOrder]) -> AlgoOrder | None:
        """The order that held the id before this change: one of the change's own (an id
        clash it cancels first) or the latest the plan's read saw."""
        for order in before:
            if order.client_algo_id == request.client_algo_id:
                return order
        return self._history.get(request.client_algo_id)

    @staticmethod
    def _failed(
        change: Change,
        steps: Sequence[AlgoStep],
        index: int,
        done: list[str],
        outcome: AlgoOutcome,
    ) -> ChangeResult:
        parts = [*done, f"{step_label(steps[index])}: {outcome.detail}"]
        skipped = [step_label(step) for step in steps[index + 1 :]]
        if skipped:
            parts.append("not sent: " + ", ".join(skipped))
        detail = "; ".join(parts)
        return ChangeResult(change, Outcome.FAILED, detail, outcome.code, outcome.message)

    @staticmethod
    def _finished(
        change: Change, done: list[str], outcomes: list[AlgoOutcome], held: bool
    ) -> ChangeResult:
        detail = "; ".join(done)
        if held:
            why = "an order triggered during the change: placements held, review the position"
            return ChangeResult(change, Outcome.HELD, f"{detail}; {why}")
        already = all(outcome.outcome is Outcome.ALREADY_DONE for outcome in outcomes)
        return ChangeResult(change, Outcome.ALREADY_DONE if already else Outcome.DONE, detail)
