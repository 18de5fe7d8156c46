"""An in-memory fake of the ``FuturesExchange`` seam (venues/usdm/protocol.py) for apply tests.

It keeps the Binance rules that matter at the seam (binance-api.md §10.3): a clientAlgoId is
unique among *open* algo orders (-4116 "ClientOrderId is duplicated."), every placement gets a
new algoId, a cancel of an order that is not open answers "Unknown order sent." (the client maps
it to None), and a lookup returns the latest order with an id. :meth:`fire` triggers one leg and,
as on Binance, leaves its sibling open. Faults are scripted per (method, clientAlgoId) and fire
before or after the request was committed; ``events`` records what was committed, in order.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

from oco_reconcile.core.model import Balance
from oco_reconcile.core.ratelimits import RateLimit, RateUsage
from oco_reconcile.core.usdm.model import (
    AlgoOrder,
    AlgoRequest,
    AlgoStatus,
    FuturesInfo,
    FuturesLiveState,
    Position,
)
from oco_reconcile.errors import (
    BannedError,
    DuplicateOrderError,
    OutcomeUnknownError,
    RejectedError,
)
from oco_reconcile.venues.usdm.protocol import FuturesExchange
from tests.support.futures_state import INFO, PRICES, long_position, order_of


class Fault(StrEnum):
    UNKNOWN_BEFORE = "unknown before commit"  # a timeout before the exchange saw it
    UNKNOWN_AFTER = "unknown after commit"  # committed, but the answer was lost
    REJECT = "reject"  # a plain refusal (-2021 would immediately trigger)
    BAN = "ban"  # 418


@dataclass
class FakeFutures:
    """One futures account: open and closed algo orders, positions, prices."""

    position_rows: tuple[Position, ...] = (long_position(),)
    hedge: bool = False
    info: FuturesInfo = INFO
    faults: dict[tuple[str, str], list[Fault]] = field(default_factory=dict)
    orders: list[AlgoOrder] = field(default_factory=list)  # every order ever, oldest first
    events: list[tuple[str, str]] = field(default_factory=list)
    next_id: int = 1000
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fault(self, method: str, client_algo_id: str, *faults: Fault) -> None:
        self.faults.setdefault((method, client_algo_id), []).extend(faults)

    def open_orders(self) -> tuple[AlgoOrder, ...]:
        return tuple(o for o in self.orders if o.status.is_open)

    def open_ids(self) -> list[str]:
        return sorted(o.client_algo_id for o in self.open_orders())

    def fire(self, client_algo_id: str) -> None:
        """The leg triggers and executes (FINISHED); its sibling stays open, as on Binance."""
        self._set_status(client_algo_id, AlgoStatus.FINISHED)

    def cancel_by_hand(self, client_algo_id: str) -> None:
        self._set_status(client_algo_id, AlgoStatus.CANCELED)

    def live(self) -> FuturesLiveState:
        """What the live reader would read now (history for every id, as for desired legs)."""
        history = {o.client_algo_id: o for o in self.orders if not o.status.is_open}
        return FuturesLiveState(
            info=self.info,
            open_algo_orders=self.open_orders(),
            positions=self.position_rows,
            hedge_mode=self.hedge,
            mark_prices=dict(PRICES),
            last_prices=dict(PRICES),
            history=history,
        )

    def _set_status(self, client_algo_id: str, status: AlgoStatus) -> None:
        with self.lock:
            for index, order in enumerate(self.orders):
                if order.client_algo_id == client_algo_id and order.status.is_open:
                    self.orders[index] = replace(order, status=status)
                    return
        raise AssertionError(f"no open order {client_algo_id}")

    def _take_fault(self, method: str, client_algo_id: str) -> Fault | None:
        with self.lock:
            queue = self.faults.get((method, client_algo_id))
            return queue.pop(0) if queue else None

    def _raise_before(self, fault: Fault | None) -> None:
        if fault is Fault.UNKNOWN_BEFORE:
            raise OutcomeUnknownError("timed out (fake)")
        if fault is Fault.REJECT:
            raise RejectedError("Order would immediately trigger.", code=-2021)
        if fault is Fault.BAN:
            raise BannedError("IP banned (fake)", until=datetime(2030, 1, 1, tzinfo=UTC))

    # --- the seam ---------------------------------------------------------------------------

    def exchange_info(self) -> FuturesInfo:
        return self.info

    def mark_prices(self) -> Mapping[str, Decimal]:
        return dict(PRICES)

    def last_prices(self) -> Mapping[str, Decimal]:
        return dict(PRICES)

    def positions(self) -> tuple[Position, ...]:
        return self.position_rows

    def hedge_mode(self) -> bool:
        return self.hedge

    def balances(self) -> Mapping[str, Balance]:
        return {}

    def open_algo_orders(self, symbol: str | None = None) -> tuple[AlgoOrder, ...]:
        return tuple(o for o in self.open_orders() if symbol in (None, o.symbol))

    def algo_order(self, client_algo_id: str) -> AlgoOrder | None:
        with self.lock:
            found = [o for o in self.orders if o.client_algo_id == client_algo_id]
        return found[-1] if found else None

    def algo_history(
        self, symbol: str, *, start_time: int | None = None, limit: int = 100
    ) -> tuple[AlgoOrder, ...]:
        return tuple(o for o in self.orders if o.symbol == symbol)[-limit:]

    def place_algo(self, request: AlgoRequest) -> AlgoOrder:
        fault = self._take_fault("place", request.client_algo_id)
        self._raise_before(fault)
        with self.lock:
            if any(o.client_algo_id == request.client_algo_id for o in self.open_orders()):
                raise DuplicateOrderError("ClientOrderId is duplicated.", code=-4116)
            self.next_id += 1
            order = order_of(request, self.next_id)
            self.orders.append(order)
            self.events.append(("place", request.client_algo_id))
        if fault is Fault.UNKNOWN_AFTER:
            raise OutcomeUnknownError("connection dropped after send (fake)")
        return order

    def cancel_algo(self, symbol: str, client_algo_id: str) -> AlgoOrder | None:
        fault = self._take_fault("cancel", client_algo_id)
        self._raise_before(fault)
        with self.lock:
            found = [
                (i, o)
                for i, o in enumerate(self.orders)
                if o.client_algo_id == client_algo_id and o.status.is_open and o.symbol == symbol
            ]
            if not found:
                return None
            index, order = found[-1]
            self.orders[index] = replace(order, status=AlgoStatus.CANCELED)
            self.events.append(("cancel", client_algo_id))
        if fault is Fault.UNKNOWN_AFTER:
            raise OutcomeUnknownError("connection dropped after send (fake)")
        return self.orders[index]

    def rate_usage(self) -> RateUsage:
        return RateUsage()

    def rate_limits(self) -> tuple[RateLimit, ...]:
        return ()


def _satisfies_the_seam(fake: FakeFutures) -> FuturesExchange:
    return fake  # mypy checks the fake against the Protocol here
