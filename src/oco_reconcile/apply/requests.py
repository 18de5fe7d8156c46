"""Every request of an apply run: paced, observed, and stopped on a ban or an exhausted budget.

Re-sends happen here only where :mod:`oco_reconcile.venues.retry` gives them to ``Layer.PACER``: a
write answered 429 waits for its ``Retry-After`` with every worker paused (``Pacer.pause``). All
else the exchange client retried already, or the lookup logic (``idempotent.py``) decides.

After an interrupt (the run's :class:`StopToken`) no request starts, except through a
:meth:`PacedRequests.committed` view: the rest of a replace whose cancel was sent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, Protocol, Self, TypeVar

from oco_reconcile.apply.pacing import (
    CANCEL_LIST,
    ORDER_LIST_LOOKUP,
    ORDER_LOOKUP,
    PLACE_OCO,
    Cost,
    Pacer,
    PacingExhaustedError,
    open_orders_cost,
)
from oco_reconcile.apply.stop import StoppedError, StopToken
from oco_reconcile.core.model import OcoRequest, OrderList, OrderReport
from oco_reconcile.core.plan import CancelStep, RemnantStep
from oco_reconcile.core.ratelimits import RateUsage
from oco_reconcile.errors import BannedError, ExchangeError
from oco_reconcile.venues.protocol import Exchange
from oco_reconcile.venues.retry import Layer, Operation, RetryPolicy, retrying

T = TypeVar("T")


@dataclass
class RunState:
    """Shared by the worker threads: the halt flag (ban, exhausted budget: nothing more may be
    sent at all), the interrupt token (nothing new may start), and why the run stopped."""

    interrupt: StopToken = field(default_factory=StopToken)
    stop: threading.Event = field(default_factory=threading.Event)
    reason: str | None = None
    banned_until: datetime | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def halt(self, reason: str, banned_until: datetime | None = None) -> None:
        with self.lock:
            if self.reason is None:
                self.reason = reason
                self.banned_until = banned_until
            self.stop.set()

    def stopped(self) -> bool:
        """Whether a new change may not start (halted or interrupted)."""
        return self.stop.is_set() or self.interrupt.is_set

    def why(self) -> str | None:
        with self.lock:
            return self.reason or self.interrupt.reason


class LookupFailedError(Exception):
    """A lookup by client id failed: whether a write happened cannot be told."""

    def __init__(self, error: ExchangeError) -> None:
        self.error = error
        super().__init__(str(error))


class _Usage(Protocol):
    def rate_usage(self) -> RateUsage: ...


E = TypeVar("E", bound=_Usage)


class PacedCalls(Generic[E]):
    """One venue's calls in an apply run, each within a slot of that venue's pacer; the usage
    headers of its answers correct the pacer. Shared by every venue's requests."""

    def __init__(
        self,
        exchange: E,
        pacer: Pacer,
        state: RunState,
        policy: RetryPolicy,
        *,
        committed: bool = False,
    ) -> None:
        self._exchange = exchange
        self._pacer = pacer
        self._state = state
        self._policy = policy
        self._committed = committed

    def committed(self) -> Self:
        """The same requests, sent even after an interrupt (never after a halt)."""
        return type(self)(self._exchange, self._pacer, self._state, self._policy, committed=True)

    def check_interrupt(self) -> None:
        """:class:`StoppedError` when the run was halted or interrupted."""
        self._check_stop()
        self._state.interrupt.check()

    def settle(self, seconds: float) -> None:
        """Wait before looking again (see ``LookupPolicy``); an interrupt ends the wait early."""
        self._pacer.delay(seconds, None if self._committed else self._state.interrupt)

    def _call(self, operation: Operation, cost: Cost, request: Callable[[], T]) -> T:
        def attempt() -> T:
            self._check_stop()
            return self._paced(cost, request)

        return retrying(Layer.PACER, operation, attempt, self._policy, wait=self._pacer.pause)

    def _paced(self, cost: Cost, request: Callable[[], T]) -> T:
        stop = None if self._committed else self._state.interrupt
        try:
            with self._pacer.slot(cost, stop):
                return request()
        except PacingExhaustedError as error:
            reason = f"rate-limit budget exhausted: {error.msg}"
            self._state.halt(reason)
            raise StoppedError(reason) from error
        except BannedError as error:
            reason = f"banned by the exchange until {error.until_text()}"
            self._state.halt(reason, error.until)
            raise StoppedError(reason) from error
        finally:
            self._pacer.observe(self._exchange.rate_usage())

    def _check_stop(self) -> None:
        if self._state.stop.is_set():
            raise StoppedError(self._state.reason or "stopped")
        if not self._committed:
            self._state.interrupt.check()


class PacedRequests(PacedCalls[Exchange]):
    """The Spot exchange's calls an apply run makes, each within a pacer slot."""

    def place(self, request: OcoRequest) -> OrderList:
        return self._call(Operation.PLACE, PLACE_OCO, lambda: self._exchange.place_oco(request))

    def cancel(self, step: CancelStep) -> OrderList | None:
        def send() -> OrderList | None:
            return self._exchange.cancel_order_list(
                step.symbol, step.list_client_order_id, step.cancel_client_order_id
            )

        return self._call(Operation.CANCEL, CANCEL_LIST, send)

    def cancel_order(self, step: RemnantStep) -> OrderReport | None:
        def send() -> OrderReport | None:
            order = step.order
            return self._exchange.cancel_order(
                order.symbol, order.order_id, step.cancel_client_order_id
            )

        # Weight 1 like a list cancel, and no order count (rest-api.md "Cancel order").
        return self._call(Operation.CANCEL, CANCEL_LIST, send)

    def lookup(self, list_client_order_id: str) -> OrderList | None:
        """The latest list with this client id; :class:`LookupFailedError` if it cannot be read."""
        try:
            return self._call(
                Operation.READ,
                ORDER_LIST_LOOKUP,
                lambda: self._exchange.order_list(list_client_order_id),
            )
        except ExchangeError as error:
            raise LookupFailedError(error) from error

    def open_orders(self, symbol: str) -> tuple[OrderReport, ...]:
        """The symbol's open orders (memory first); :class:`LookupFailedError` if unreadable."""
        try:
            return self._call(
                Operation.READ, open_orders_cost(symbol), lambda: self._exchange.open_orders(symbol)
            )
        except ExchangeError as error:
            raise LookupFailedError(error) from error

    def order(self, symbol: str, order_id: int) -> OrderReport | None:
        return self._call(
            Operation.READ, ORDER_LOOKUP, lambda: self._exchange.order(symbol, order_id)
        )
