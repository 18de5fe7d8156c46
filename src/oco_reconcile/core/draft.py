"""The planner's building blocks: the draft plan's lists and the changes, notices and problems
it is made of. PURE; :mod:`oco_reconcile.core.planner` decides which to add.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from oco_reconcile.core import remnants as remnant_rules
from oco_reconcile.core.identity import CLIENT_ID_RE, cancel_id_for
from oco_reconcile.core.model import Bracket, Fired, OrderList, Remnant
from oco_reconcile.core.plan import (
    Action,
    CancelStep,
    Change,
    Notice,
    NoticeKind,
    PlanProblem,
)
from oco_reconcile.core.selection import Selection
from oco_reconcile.core.settings import Settings


def cancel_step(order_list: OrderList, fallback_list_id: str | None = None) -> CancelStep:
    """``DELETE /api/v3/orderList`` naming the cancel ``<list id>-cx`` so history can tell our
    cancels apart. An adopted list's id may be too long for the suffix: the adopting bracket's
    own cancel id is used instead."""
    cancel_id = cancel_id_for(order_list.list_client_order_id)
    if not CLIENT_ID_RE.match(cancel_id) and fallback_list_id is not None:
        cancel_id = cancel_id_for(fallback_list_id)
    return CancelStep(order_list.symbol, order_list.list_client_order_id, cancel_id)


def address_of(bracket_name: str) -> str:
    return f"bracket.{bracket_name}"


def list_address(order_list: OrderList) -> str:
    return f"list.{order_list.list_client_order_id}"


@dataclass(kw_only=True)
class DraftBase:
    """What a plan collects while it is made, and the ways to add to it."""

    settings: Settings
    selection: Selection
    changes: list[Change] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    problems: list[PlanProblem] = field(default_factory=list)

    def _change(
        self,
        action: Action,
        bracket: Bracket,
        reason: str,
        before: OrderList | None = None,
        fired: Fired | None = None,
    ) -> None:
        address = address_of(bracket.name)
        change = Change(action, address, bracket.symbol, reason, before, bracket, fired=fired)
        self.changes.append(change)

    def _cancel(
        self, order_list: OrderList, address: str, reason: str, fallback: str | None = None
    ) -> None:
        self.changes.append(
            Change(
                action=Action.CANCEL,
                address=address,
                symbol=order_list.symbol,
                reason=reason,
                before=order_list,
                cancel=cancel_step(order_list, fallback),
            )
        )

    def _notice(self, kind: NoticeKind, bracket: Bracket, message: str) -> None:
        self.notices.append(Notice(kind, address_of(bracket.name), bracket.symbol, message))

    def _hold(self, bracket: Bracket, current: OrderList, what: str) -> None:
        message = f"a leg is partly executed; the live list {what} but is held: resolve by hand"
        self._notice(NoticeKind.HOLD, bracket, message)
        self._change(Action.NOOP, bracket, "hold: a leg is partly executed", before=current)

    def _hold_list(self, order_list: OrderList, message: str) -> None:
        address = list_address(order_list)
        self.notices.append(Notice(NoticeKind.HOLD, address, order_list.symbol, message))

    def _protected(
        self, bracket: Bracket, current: OrderList | None, what: str, *, with_change: bool = True
    ) -> None:
        message = f"protected: the live list {what}; not touched"
        self._notice(NoticeKind.PROTECTED, bracket, message)
        self.problems.append(
            PlanProblem(
                address=address_of(bracket.name),
                bracket=bracket.name,
                field="protect",
                message=f"bracket is protected but {what}; revert the change or remove "
                "`protect: true` to allow it",
            )
        )
        if with_change:  # else the bracket already has its change (kept or fired)
            self._change(Action.NOOP, bracket, "protected: change refused", before=current)

    def _remnant_cancel(
        self, address: str, symbol: str, remnants: Sequence[Remnant], reason: str
    ) -> None:
        steps = remnant_rules.steps(remnants)
        self.changes.append(Change(Action.CANCEL, address, symbol, reason, remnants=steps))
