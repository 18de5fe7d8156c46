"""After an unknown write outcome: look the order up, several times over a short window.

Shared by both venues' idempotent writes. "Absent" is only believed when every lookup of the
window (:class:`~oco_reconcile.venues.retry.LookupPolicy`) says so, because the exchange's
database can lag behind an order its matching engine just accepted (rest-api.md "Data Sources";
binance-api.md §6). A send that never reached the exchange has nothing to lag behind, so it is
looked up once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from oco_reconcile.apply.requests import LookupFailedError
from oco_reconcile.apply.stop import StoppedError
from oco_reconcile.errors import ExchangeError
from oco_reconcile.venues.retry import Condition, RetryPolicy, condition_of

R = TypeVar("R")


def resolve_within_window(
    error: ExchangeError,
    policy: RetryPolicy,
    settle: Callable[[float], None],
    look_once: Callable[[], R | None],
    refused: Callable[[ExchangeError, str], R],
) -> R | None:
    """The write's result found by ``look_once``, or None when the order is surely absent (the
    caller may send the same request again). A failed lookup or an interrupt is ``refused``."""
    lookup = policy.lookup
    unknown = condition_of(error) is Condition.OUTCOME_UNKNOWN
    for attempt in range(max(lookup.attempts if unknown else 1, 1)):
        if attempt:
            settle(lookup.delay)
        try:
            resolved = look_once()
        except LookupFailedError as failure:
            detail = f"outcome unknown and the lookup failed ({failure.error}); not re-sent"
            return refused(error, detail)
        except StoppedError as stopped:
            return refused(error, f"outcome unknown; stopped before a lookup ({stopped})")
        if resolved is not None:
            return resolved
    return None
