"""A re-plan's futures cancels, minus the ones the fast path holds.

The fast path cancels an orphan from the futures feed's thread while the loop may be re-planning
over REST (after a Spot event, on the interval): a read made while that cancel was in flight
still shows the orphan. Shown, that is drift that is not there; applied, it is a second cancel
of the same order. So the loop shows a plan without the cancels someone already holds, and
``--apply`` claims each cancel it is about to send (:class:`~oco_reconcile.apply.orphans.
OrphanClaims`), sending only those it won.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from oco_reconcile.core.plan import Action, Change, Plan
from oco_reconcile.core.usdm.model import AlgoCancel

HELD_ELSEWHERE = "the orphan's cancel is already being sent by watch"


def without_cancels(plan: Plan, keep: Callable[[str], bool]) -> Plan:
    """``plan`` with every futures cancel change's cancel of an id ``keep`` refuses taken out;
    a change left with nothing to send becomes a no-op saying why."""
    changes = tuple(_filtered(change, keep) for change in plan.changes)
    if all(new is old for new, old in zip(changes, plan.changes, strict=True)):
        return plan
    return replace(plan, changes=changes)


def _filtered(change: Change, keep: Callable[[str], bool]) -> Change:
    futures = change.futures
    if futures is None or change.action is not Action.CANCEL:
        return change
    steps = tuple(
        step
        for step in futures.steps
        if not isinstance(step, AlgoCancel) or keep(step.client_algo_id)
    )
    if len(steps) == len(futures.steps):
        return change
    if not steps:
        return replace(
            change,
            action=Action.NOOP,
            reason=f"{change.reason} -- {HELD_ELSEWHERE}",
            futures=replace(futures, steps=()),
        )
    return replace(change, futures=replace(futures, steps=steps))


def cancels_of(change: Change) -> tuple[str, ...]:
    """The algo ids whose cancel ``change`` sends."""
    return () if change.futures is None else tuple(c.client_algo_id for c in change.futures.cancels)
