"""The simulated exchange's engine: one account, its balances, symbols, prices and order lists.

:class:`Engine` puts everything behind one lock and an injected clock (ms); the work is done by
the modules beside it: ``placement.py`` (rules, filters, locking), ``single.py`` (orders placed on
their own), ``cancels.py``, ``matching.py`` (price moves, fills and trades, the OCO trigger rule),
``book.py`` (reads), ``balances.py``, ``history.py`` (the event log). The wire layer parses and
checks parameters, then calls :meth:`Engine.place_oco`, :meth:`Engine.cancel_order_list` ... and
renders the records; ``sim price`` calls :meth:`Engine.set_price`. :attr:`Engine.revision`
changes whenever the state did, so the host knows when to save it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from decimal import Decimal

from oco_reconcile.json_types import JsonObject
from oco_reconcile.sim.engine import book, cancels, matching, placement, single
from oco_reconcile.sim.engine.records import (
    CancelResult,
    Clock,
    EngineState,
    Event,
    Holding,
    SimOrder,
    SimOrderList,
    SimTrade,
)
from oco_reconcile.sim.engine.specs import OcoSpec, OrderSpec
from oco_reconcile.sim.engine.usdm.machine import FuturesEngine


class Engine:
    """The state machine. Public methods take the lock; callers that render records after a call
    hold :attr:`lock` around both (it is re-entrant)."""

    def __init__(self, state: EngineState, clock: Clock) -> None:
        self.state = state
        self.clock = clock
        # Re-entrant; exchange.py puts a state file's cross-process lock here.
        self.lock: AbstractContextManager[object] = threading.RLock()
        self.revision = 0
        # Called (lock held) after each change: must not block; sim/streams wakes its poller.
        self.listeners: list[Callable[[], None]] = []
        self.usdm = FuturesEngine(self)  # the /fapi account, on the same state and lock

    @contextmanager
    def _changing(self) -> Iterator[EngineState]:
        """Hold the lock; a call that logged an event (changed the state) bumps the revision."""
        with self.lock:
            before = len(self.state.events)
            try:
                yield self.state
            finally:
                if len(self.state.events) != before:
                    self.bump()

    def bump(self) -> None:
        """The state changed: a new revision, and the listeners hear of it."""
        self.revision += 1
        for listener in list(self.listeners):
            listener()

    # --- reads ------------------------------------------------------------------------------

    def symbol_info(self, name: str) -> JsonObject:
        with self.lock:
            return book.symbol_info(self.state, name)

    def open_order_lists(self) -> list[SimOrderList]:
        with self.lock:
            return book.open_order_lists(self.state)

    def open_orders(self, symbol: str | None = None) -> list[SimOrder]:
        with self.lock:
            return book.open_orders(self.state, symbol)

    def orders_of(self, order_list: SimOrderList) -> list[SimOrder]:
        with self.lock:
            return book.orders_of(self.state, order_list)

    def find_order_list(self, order_list_id: int | None, client_id: str | None) -> SimOrderList:
        with self.lock:
            return book.find_order_list(self.state, order_list_id, client_id)

    def all_order_lists(
        self, from_id: int | None, start: int | None, end: int | None, limit: int
    ) -> list[SimOrderList]:
        with self.lock:
            return book.all_order_lists(self.state, from_id, start, end, limit)

    def find_order(self, symbol: str, order_id: int | None, client_id: str | None) -> SimOrder:
        with self.lock:
            return book.find_order(self.state, symbol, order_id, client_id)

    def all_orders(
        self, symbol: str, from_id: int | None, window: tuple[int | None, int | None], limit: int
    ) -> list[SimOrder]:
        with self.lock:
            return book.all_orders(self.state, symbol, from_id, window, limit)

    def trades(
        self,
        symbol: str,
        *,
        order_id: int | None = None,
        from_id: int | None = None,
        window: tuple[int | None, int | None] = (None, None),
        limit: int | None = None,
    ) -> list[SimTrade]:
        with self.lock:
            return book.account_trades(
                self.state, symbol, order_id=order_id, from_id=from_id, window=window, limit=limit
            )

    def balances(self) -> list[tuple[str, Holding]]:
        with self.lock:
            return list(self.state.balances.items())

    def events(self) -> list[Event]:
        with self.lock:
            return list(self.state.events)

    # --- changes ------------------------------------------------------------------------------

    def place_oco(self, spec: OcoSpec) -> SimOrderList:
        with self._changing() as state:
            return placement.place_oco(state, spec, self.clock)

    def place_order(self, spec: OrderSpec) -> SimOrder:
        with self._changing() as state:
            return single.place_order(state, spec, self.clock)

    def test_order(self, spec: OrderSpec) -> None:
        """``POST /api/v3/order/test``: the checks of a placement, nothing placed."""
        with self.lock:
            single.check_order(self.state, spec)

    def cancel_open_orders(self, symbol: str) -> list[CancelResult]:
        with self._changing() as state:
            return cancels.cancel_open_orders(state, symbol, now=self.clock())

    def cancel_order_list(
        self,
        symbol: str,
        order_list_id: int | None,
        list_client_order_id: str | None,
        new_client_order_id: str | None,
    ) -> CancelResult:
        with self._changing() as state:
            return cancels.cancel_order_list(
                state,
                symbol,
                order_list_id,
                list_client_order_id,
                new_client_order_id,
                now=self.clock(),
            )

    def cancel_order(
        self,
        symbol: str,
        *,
        order_id: int | None,
        client_id: str | None,
        new_client_order_id: str | None,
        restriction: str | None,
    ) -> CancelResult:
        with self._changing() as state:
            return cancels.cancel_order(
                state,
                symbol,
                order_id=order_id,
                client_id=client_id,
                new_client_order_id=new_client_order_id,
                restriction=restriction,
                now=self.clock(),
            )

    def set_price(self, symbol: str, price: Decimal) -> list[Event]:
        """Move the last price and match every open order of the symbol against it."""
        with self._changing() as state:
            return matching.move_price(state, symbol, price, self.clock())

    def force_fill(
        self, list_client_order_id: str, qty: Decimal, position: str | None = None
    ) -> SimOrder:
        """A (partial) fill of one leg at its own price: see :func:`matching.force_fill`."""
        with self._changing() as state:
            return matching.force_fill(state, list_client_order_id, qty, position, self.clock())
