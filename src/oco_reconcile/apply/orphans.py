"""``watch``'s fast path: the orphan's cancel the moment a futures leg of ours triggers.

Binance sends ``ALGO_UPDATE`` for TRIGGERING, TRIGGERED and then FINISHED (binance-api.md
§11.2); the first one sends the sibling's cancel, the others find it already sent. The cancel
goes through the same idempotent, paced writes as ``apply`` (``usdm_writes.py``: an unknown
outcome is confirmed by a lookup), with no read first: the sibling's id follows from the
trigger's (``core/events.orphan_cancel``). A cancel that did not succeed is forgotten, so a
later event, or the re-plan that follows every event, tries again.

:class:`OrphanClaims` is who holds which cancel: the fast path and ``watch --apply`` share one,
so a re-plan read while the fast path's cancel was in flight does not send it a second time, and
the reverse.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from oco_reconcile.apply.usdm_writes import AlgoOutcome, FuturesWrites
from oco_reconcile.core.events import StreamEvent, orphan_cancel

SENT_KEPT_S = 300.0


class OrphanClaims:
    """The algo orders whose cancel someone is sending, or sent in the last ``kept_s`` seconds.

    A sent cancel is kept a while, not forever: long enough for every plan read before it
    landed to have been applied (or skipped), short enough that an id placed again later
    (drift healed with the same deterministic id) can be cancelled again."""

    def __init__(
        self, kept_s: float = SENT_KEPT_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._kept_s, self._clock = kept_s, clock
        self._sending: set[str] = set()
        self._sent: dict[str, float] = {}
        self._lock = threading.Lock()

    def claim(self, algo_id: str) -> bool:
        """True when the caller now holds ``algo_id``'s cancel; False when someone else does."""
        with self._lock:
            self._forget_old()
            if algo_id in self._sending or algo_id in self._sent:
                return False
            self._sending.add(algo_id)
            return True

    def settle(self, algo_id: str, *, succeeded: bool) -> None:
        """The holder is done: a cancel that succeeded stays held a while, any other is let go."""
        with self._lock:
            self._sending.discard(algo_id)
            if succeeded:
                self._sent[algo_id] = self._clock()

    def held(self, algo_id: str) -> bool:
        with self._lock:
            self._forget_old()
            return algo_id in self._sending or algo_id in self._sent

    def _forget_old(self) -> None:
        oldest = self._clock() - self._kept_s
        for algo_id in [a for a, at in self._sent.items() if at < oldest]:
            del self._sent[algo_id]


class OrphanCanceller:
    """Cancels each orphan once, whatever the order and number of trigger events."""

    def __init__(
        self, writes: FuturesWrites, owner: str, claims: OrphanClaims | None = None
    ) -> None:
        self._writes = writes
        self._owner = owner
        self._claims = claims or OrphanClaims()

    def on_event(self, event: StreamEvent) -> AlgoOutcome | None:
        """The cancel's outcome when ``event`` called for one not yet sent; else None."""
        cancel = orphan_cancel(event, self._owner)
        if cancel is None:
            return None
        if not self._claims.claim(cancel.client_algo_id):
            return None
        outcome: AlgoOutcome | None = None
        try:
            outcome = self._writes.cancel(cancel)
            return outcome
        finally:  # refused, or stopped by a ban or an interrupt: the next event tries again
            succeeded = outcome is not None and outcome.outcome.succeeded
            self._claims.settle(cancel.client_algo_id, succeeded=succeeded)
