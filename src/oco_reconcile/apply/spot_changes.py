"""Runs one Spot change: remnant cancels, then the list writes, as ``executor.py`` describes.

A replace cancels and then places, adjacent, so the position is unprotected only for that gap;
when the old list turns out to have executed, the new one is held rather than placed. Once a
change's first cancel is sent it is finished even after an interrupt.
"""

from __future__ import annotations

from dataclasses import replace

from oco_reconcile.apply.idempotent import IdempotentWrites, WriteOutcome, required
from oco_reconcile.apply.remnant_cancels import RemnantCancels, RemnantOutcome
from oco_reconcile.apply.results import ChangeResult, Outcome
from oco_reconcile.apply.stop import StoppedError, StopToken
from oco_reconcile.core.model import OrderList
from oco_reconcile.core.plan import Action, Change


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


class SpotChangeRunner:
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
