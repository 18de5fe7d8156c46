"""``watch``'s fast path: the orphan's cancel the moment a futures leg of ours triggers.

Binance sends ``ALGO_UPDATE`` for TRIGGERING, TRIGGERED and then FINISHED (binance-api.md
§11.2); the first one sends the sibling's cancel, the others find it already sent. The cancel
goes through the same idempotent, paced writes as ``apply`` (``usdm_writes.py``: an unknown
outcome is confirmed by a lookup), with no read first: the sibling's id follows from the
trigger's (``core/events.orphan_cancel``). A cancel that did not succeed is forgotten, so a
later event, or the re-plan that follows every event, tries again.
"""

from __future__ import annotations

import threading

from oco_reconcile.apply.usdm_writes import AlgoOutcome, FuturesWrites
from oco_reconcile.core.events import StreamEvent, orphan_cancel


class OrphanCanceller:
    """Cancels each orphan once, whatever the order and number of trigger events."""

    def __init__(self, writes: FuturesWrites, owner: str) -> None:
        self._writes = writes
        self._owner = owner
        self._sent: set[str] = set()
        self._lock = threading.Lock()

    def on_event(self, event: StreamEvent) -> AlgoOutcome | None:
        """The cancel's outcome when ``event`` called for one not yet sent; else None."""
        cancel = orphan_cancel(event, self._owner)
        if cancel is None:
            return None
        with self._lock:
            if cancel.client_algo_id in self._sent:
                return None
            self._sent.add(cancel.client_algo_id)
        outcome: AlgoOutcome | None = None
        try:
            outcome = self._writes.cancel(cancel)
            return outcome
        finally:  # refused, or stopped by a ban or an interrupt: the next event tries again
            if outcome is None or not outcome.outcome.succeeded:
                with self._lock:
                    self._sent.discard(cancel.client_algo_id)
