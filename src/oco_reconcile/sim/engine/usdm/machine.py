"""The futures side of the engine: :class:`FuturesEngine`, over the Spot engine's state, lock,
clock and revision (one exchange, one state file). The wire layer (``sim/wire/fapi_*.py``) and
``sim price`` / ``sim position`` call it; the work is in the modules beside it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from decimal import Decimal
from typing import Protocol

from oco_reconcile.sim.engine.records import Clock, EngineState
from oco_reconcile.sim.engine.usdm import algo, orders, positions, triggers, validation
from oco_reconcile.sim.engine.usdm.records import AlgoRecord, FuturesOrder, FuturesState
from oco_reconcile.sim.engine.usdm.specs import AlgoSpec, FuturesOrderSpec


class Host(Protocol):
    """What the Spot :class:`~oco_reconcile.sim.engine.machine.Engine` shares."""

    state: EngineState
    clock: Clock
    lock: AbstractContextManager[object]
    revision: int

    def bump(self) -> None: ...


class FuturesEngine:
    def __init__(self, host: Host) -> None:
        self.host = host

    @property
    def state(self) -> FuturesState:
        return self.host.state.usdm

    @contextmanager
    def _changing(self) -> Iterator[EngineState]:
        """Hold the lock; a call that logged an event (changed the state) bumps the revision."""
        with self.host.lock:
            before = len(self.host.state.events)
            try:
                yield self.host.state
            finally:
                if len(self.host.state.events) != before:
                    self.host.bump()

    # --- reads ----------------------------------------------------------------------------

    def check_symbol(self, symbol: str) -> None:
        """-1121 for a symbol that is no contract."""
        with self.host.lock:
            validation.symbol_rules(self.state, symbol)

    def find_algo(self, algo_id: int | None, client_id: str | None) -> AlgoRecord:
        with self.host.lock:
            return algo.find(self.state, algo_id, client_id)

    def open_algo_orders(self, symbol: str | None = None) -> list[AlgoRecord]:
        with self.host.lock:
            return self.state.open_algo_orders(symbol)

    def algo_history(
        self, symbol: str, window: tuple[int | None, int | None], limit: int
    ) -> list[AlgoRecord]:
        with self.host.lock:
            return algo.history(self.state, symbol, window, limit)

    # --- changes --------------------------------------------------------------------------

    def place_algo(self, spec: AlgoSpec) -> AlgoRecord:
        with self._changing() as state:
            return algo.place(state, spec, self.host.clock())

    def cancel_algo(self, algo_id: int | None, client_id: str | None) -> AlgoRecord:
        with self._changing() as state:
            return algo.cancel(state, algo_id, client_id, self.host.clock())

    def cancel_all_algo(self, symbol: str) -> list[AlgoRecord]:
        with self._changing() as state:
            return algo.cancel_all(state, symbol, self.host.clock())

    def place_order(self, spec: FuturesOrderSpec) -> FuturesOrder:
        with self._changing() as state:
            return orders.place_order(state, spec, self.host.clock())

    def set_dual_side(self, dual_side: bool) -> None:
        with self._changing() as state:
            positions.change_mode(state.usdm, dual_side)
            mode = "hedge" if dual_side else "one-way"
            orders.log(state, self.host.clock(), "futures mode", "*", detail=mode)

    def set_prices(self, symbol: str, last: Decimal | None, mark: Decimal | None) -> None:
        """Move the last and/or mark price; conditional and limit orders react."""
        with self._changing() as state:
            triggers.move_prices(state, symbol, last, mark, self.host.clock())

    def set_position(
        self, symbol: str, amount: Decimal, position_side: str, entry: Decimal | None = None
    ) -> None:
        """Seed a position directly at ``entry`` (default: the last price)."""
        with self._changing() as state:
            validation.symbol_rules(state.usdm, symbol)
            now = self.host.clock()
            at = entry if entry is not None else state.usdm.last_prices[symbol]
            positions.set_position(
                state.usdm, symbol, position_side, amount=amount, entry=at, now=now
            )
            detail = f"{position_side} {amount} @ {at}"
            orders.log(state, now, "futures position", symbol, detail=detail)
