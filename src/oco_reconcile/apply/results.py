"""What an apply run reports: each change's outcome, the run's result, and the reporter seam."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from oco_reconcile.core.model import OrderList
from oco_reconcile.core.plan import Change, Plan


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
