"""A plan is data: the changes that make the exchange match the desired state, and why.

Terraform's ``internal/plans`` is the model: each change has an action and a display-only reason;
notices (fired, drift, hold, protected, unmanaged) are reported but change nothing; problems make
the plan an error, and a plan with errors applies nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from oco_reconcile.model import Bracket, OcoRequest, OrderList


class Action(StrEnum):
    CREATE = "create"
    CANCEL = "cancel"
    REPLACE = "replace"
    NOOP = "no-op"

    @property
    def symbol(self) -> str:
        return {"create": "+", "cancel": "-", "replace": "-/+", "no-op": " "}[self.value]


class NoticeKind(StrEnum):
    FIRED = "fired"
    DRIFT = "drift"
    HOLD = "hold"
    PROTECTED = "protected"
    UNMANAGED = "unmanaged"


@dataclass(frozen=True)
class CancelStep:
    """``DELETE /api/v3/orderList`` for one managed list."""

    symbol: str
    list_client_order_id: str
    cancel_client_order_id: str


@dataclass(frozen=True)
class Change:
    """One thing apply will do (or, for no-op, deliberately not do).

    ``address`` is the stable display name (``bracket.<name>`` or ``list.<listClientOrderId>``);
    ``before`` is the live list (with its legs) and ``after`` the desired bracket; ``place`` and
    ``cancel`` are the exact requests apply sends. ``reason`` is for humans only.
    """

    action: Action
    address: str
    symbol: str
    reason: str
    before: OrderList | None = None
    after: Bracket | None = None
    cancel: CancelStep | None = None
    place: OcoRequest | None = None


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    address: str
    symbol: str
    message: str


@dataclass(frozen=True)
class PlanProblem:
    """A plan-time check that failed, naming the bracket and the leg."""

    address: str
    message: str
    bracket: str | None = None
    leg: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = [self.address]
        if self.leg:
            parts.append(self.leg)
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    notices: tuple[Notice, ...] = ()
    problems: tuple[PlanProblem, ...] = ()

    @property
    def actionable(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.action is not Action.NOOP)

    @property
    def has_changes(self) -> bool:
        return bool(self.actionable)

    @property
    def has_errors(self) -> bool:
        return bool(self.problems)

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action is action)
