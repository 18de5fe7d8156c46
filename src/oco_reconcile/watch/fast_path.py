"""The orphan cancel, sent from the futures feed's thread the moment a trigger arrives.

The cancel goes through :class:`~oco_reconcile.apply.orphans.OrphanCanceller` (once per orphan,
idempotent, paced on the futures venue's own pacer, an unknown outcome confirmed by a lookup).
Its writes get a fresh run state after a ban or exhausted budget halted the last ones: watch runs
for days, an apply run for seconds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from oco_reconcile.apply.orphans import OrphanCanceller, OrphanClaims
from oco_reconcile.apply.pacing import Pacer
from oco_reconcile.apply.requests import RunState
from oco_reconcile.apply.stop import StoppedError, StopToken
from oco_reconcile.apply.usdm_writes import AlgoOutcome, FuturesRequests, FuturesWrites
from oco_reconcile.core.events import StreamEvent, orphan_cancel
from oco_reconcile.core.usdm.model import AlgoCancel
from oco_reconcile.errors import ExchangeError
from oco_reconcile.venues.retry import RetryPolicy
from oco_reconcile.venues.usdm.protocol import FuturesExchange


@dataclass(frozen=True)
class OrphanCancelled:
    """What the fast path did about one trigger: the cancel and its outcome, or why it could not
    be sent (then the re-plan that follows the event shows the orphan, and ``--apply`` cancels
    it)."""

    cancel: AlgoCancel
    outcome: AlgoOutcome | None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.outcome is not None and self.outcome.outcome.succeeded


class OrphanFastPath:
    """Called by the futures feed for every event; an :class:`OrphanCancelled` for a trigger of
    ours whose sibling's cancel it sent (None for every other event, and for a repeat)."""

    def __init__(
        self,
        exchange: FuturesExchange,
        pacer: Pacer,
        owner: str,
        stop: StopToken,
        policy: RetryPolicy | None = None,
        *,
        claims: OrphanClaims | None = None,
    ) -> None:
        shared = claims or OrphanClaims()  # kept across renewals: they hold what is in flight
        self._make: Callable[[], OrphanCanceller] = lambda: OrphanCanceller(
            FuturesWrites(
                FuturesRequests(exchange, pacer, RunState(interrupt=stop), policy or RetryPolicy()),
                policy or RetryPolicy(),
            ),
            owner,
            shared,
        )
        self._owner = owner
        self._canceller = self._make()
        self._lock = threading.Lock()

    def __call__(self, event: StreamEvent) -> OrphanCancelled | None:
        cancel = orphan_cancel(event, self._owner)
        if cancel is None:
            return None
        with self._lock:
            canceller = self._canceller
        try:
            outcome = canceller.on_event(event)
        except StoppedError as stopped:
            self._renew()
            return OrphanCancelled(cancel, None, f"not sent: {stopped}")
        except ExchangeError as error:
            return OrphanCancelled(cancel, None, f"not sent: {error}")
        if outcome is None:
            return None  # already sent for an earlier event of the same trigger
        return OrphanCancelled(cancel, outcome)

    def _renew(self) -> None:
        with self._lock:
            self._canceller = self._make()
