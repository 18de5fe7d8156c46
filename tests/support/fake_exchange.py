"""One in-memory fake of the ``Exchange`` seam (oco_reconcile.venues.protocol) for the reader and
apply tests.

It keeps the Binance rules that matter at the seam (rest-api.md "Order lists" and errors.md): a
list client id is unique among *open* lists ("Duplicate order sent."), a cancel of a list that is
not open answers "Unknown order list sent." (the client maps it to None), a lookup returns the
latest list with an id and, like ``GET /api/v3/orderList``, without the legs' details, and
``openOrderList`` carries ids only (the legs come from ``openOrders``). Unknown symbols are
rejected with -1121.

``reference_prices`` answer ``GET /api/v3/referencePrice`` (null for the other symbols). Every
request is recorded in ``calls`` as (method name, argument); committed placements and
cancels in ``events``. Faults are scripted per (method name, list client id) and can fire before
or after the exchange committed the request. ``read_only`` makes any placement or cancel fail the
test (the reader must never write). ``extra_orders`` are open orders outside any open list (plain
orders, or remnants: a leg working after its list is done); ``cancel_order`` cancels one of them,
faults scripted by its client order id.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from oco_reconcile.core.model import (
    Balance,
    ExchangeInfo,
    OcoRequest,
    OrderList,
    OrderRef,
    OrderReport,
)
from oco_reconcile.core.ratelimits import RateUsage
from oco_reconcile.errors import (
    ArchivedOrderError,
    BannedError,
    ClockSkewError,
    DuplicateOrderError,
    OutcomeUnknownError,
    RateLimitedError,
    RejectedError,
    TransientError,
)
from oco_reconcile.venues.protocol import Exchange
from tests.support.plan_support import PRICES, RICH, market_info

SERVER_TIME_MS = 1_700_000_000_000
# The live reader's first round: these are sent together (and meet at ``barrier`` when one is set).
ROUND_ONE = frozenset({"exchange_info", "prices", "balances", "open_order_lists", "open_orders"})
# Request weights from rest-api.md (each endpoint's "Weight"); openOrders is 6 for one symbol, 80
# for all of them.
WEIGHTS = {
    "server_time": 1,
    "exchange_info": 20,
    "prices": 4,
    "reference_price": 2,
    "average_price": 2,
    "balances": 20,
    "open_order_lists": 6,
    "order_list": 4,
    "order": 4,
    "all_order_lists": 20,
    "place_oco": 1,
    "cancel_order_list": 1,
    "cancel_order": 1,
}
_INVALID_SYMBOL = ("Invalid symbol.", -1121)
ARCHIVED_MSG = (
    "Order was canceled or expired with no executed qty over 90 days ago and has been archived."
)


class Fault(StrEnum):
    """What the fake does on one scripted call."""

    NONE = "none"  # the call goes through (a placeholder in a script)
    BEFORE = "unknown-before"  # OutcomeUnknownError, nothing committed
    AFTER = "unknown-after"  # committed, then OutcomeUnknownError (dropped connection)
    TRANSIENT = "transient"  # TransientError, nothing committed
    AFTER_THEN_FILL = "after-then-fill"  # committed, a leg filled at once, then unknown
    RATE_LIMITED = "429"
    BANNED = "418"
    CLOCK = "-1021"
    REJECT = "reject"
    NO_BALANCE = "no-balance"
    LOOKUP_LAG = "lookup-lag"  # order_list (open_orders) answers None (nothing) once regardless
    LOOKUP_FAILS = "lookup-fails"
    UNKNOWN_BUT_OPEN = "unknown-but-open"  # cancel answers -2011 although the list is open
    ARCHIVED = "-2026"  # order / order_list: archived (cancelled or expired, nothing executed)


@dataclass(frozen=True)
class Event:
    """A request the fake exchange committed."""

    kind: str  # "place" | "cancel"
    list_client_order_id: str
    symbol: str


@dataclass
class FakeExchange(Exchange):
    """In-memory order lists (``lists``: placed here or given; ``history``: lists only a lookup
    finds); thread-safe; records every request and every committed place and cancel."""

    info: ExchangeInfo = field(default_factory=market_info)
    prices_by_symbol: Mapping[str, Decimal] = field(default_factory=lambda: dict(PRICES))
    reference_prices: Mapping[str, Decimal] = field(default_factory=dict)  # others: null
    balances_by_asset: Mapping[str, Balance] = field(default_factory=lambda: dict(RICH))
    permissions: frozenset[str] | None = None  # the account's, as GET /api/v3/account gives them
    lists: list[OrderList] = field(default_factory=list)
    history: Mapping[str, OrderList] = field(default_factory=dict)
    extra_orders: Sequence[OrderReport] = ()
    read_only: bool = False
    barrier: threading.Barrier | None = None
    reported_order_count: int | None = None
    faults: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    calls: list[tuple[str, object]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    send_attempts: dict[str, int] = field(default_factory=dict)
    reports: dict[tuple[str, int], OrderReport] = field(default_factory=dict)
    cancelled: set[tuple[str, int]] = field(default_factory=set)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    next_id: int = 1

    def __post_init__(self) -> None:
        known = [*self.lists, *self.history.values()]
        for item in known:
            for report in item.reports:
                self.reports[(report.symbol, report.order_id)] = report
        self.next_id = max([self.next_id, *(item.order_list_id + 1 for item in known)])

    # -- scripting and inspecting --

    def script(self, method: str, list_id: str, *faults: str) -> None:
        """Faults for the next calls of ``method`` (a protocol method name) on ``list_id``."""
        self.faults.setdefault((method, list_id), []).extend(faults)

    def open_list(self, list_id: str) -> OrderList | None:
        return next(
            (item for item in self.lists if item.list_client_order_id == list_id and item.is_open),
            None,
        )

    def seed(self, request: OcoRequest, *, status: str = "EXECUTING") -> OrderList:
        """A list already there before the test (placed earlier, or cancelled when not open)."""
        with self.lock:
            placed = self._commit(request)
        if status != "EXECUTING":
            self._close(placed, status="CANCELED", executed=Decimal(0), record=False)
        return placed

    def fill(self, list_id: str) -> None:
        found = self.open_list(list_id)
        assert found is not None
        self._close(found, status="FILLED", executed=Decimal(1), record=False)

    def placements(self, list_id: str) -> int:
        return sum(
            1 for e in self.events if e.kind == "place" and e.list_client_order_id == list_id
        )

    def methods(self) -> list[str]:
        return [method for method, _ in self.calls]

    def arguments(self, method: str) -> list[Any]:
        """The argument of every call of ``method`` so far, in order."""
        return [argument for name, argument in self.calls if name == method]

    def weight(self) -> int:
        """The request weight of every call so far."""
        total = 0
        for method, argument in self.calls:
            if method == "open_orders":
                total += 80 if argument is None else 6
            else:
                total += WEIGHTS[method]
        return total

    # -- the Exchange protocol: reads --

    def server_time(self) -> int:
        self._record("server_time")
        return SERVER_TIME_MS

    def exchange_info(self, symbols: Sequence[str]) -> ExchangeInfo:
        self._record("exchange_info", tuple(symbols))
        if any(s not in self.info.symbols for s in symbols):
            raise RejectedError(_INVALID_SYMBOL[0], status=400, code=_INVALID_SYMBOL[1])
        return replace(self.info, symbols={s: self.info.symbols[s] for s in symbols})

    def prices(self, symbols: Sequence[str]) -> Mapping[str, Decimal]:
        self._record("prices", tuple(symbols))
        if any(s not in self.prices_by_symbol for s in symbols):
            raise RejectedError(_INVALID_SYMBOL[0], status=400, code=_INVALID_SYMBOL[1])
        return {s: self.prices_by_symbol[s] for s in symbols or self.prices_by_symbol}

    def reference_price(self, symbol: str) -> Decimal | None:
        self._record("reference_price", symbol)
        return self.reference_prices.get(symbol)

    def average_price(self, symbol: str) -> Decimal:
        """The average is the last price here (like the simulator's)."""
        self._record("average_price", symbol)
        return self.prices_by_symbol[symbol]

    def balances(self) -> Mapping[str, Balance]:
        self._record("balances")
        return dict(self.balances_by_asset)

    def account_permissions(self) -> frozenset[str] | None:
        return self.permissions

    def open_order_lists(self) -> tuple[OrderList, ...]:
        self._record("open_order_lists")
        return tuple(replace(item, reports=()) for item in self.lists if item.is_open)

    def open_orders(self, symbol: str | None = None) -> tuple[OrderReport, ...]:
        self._record("open_orders", symbol)
        if self._fault("open_orders", symbol or "") == Fault.LOOKUP_LAG:
            return ()
        if symbol is not None and symbol not in self.info.symbols:
            raise RejectedError(_INVALID_SYMBOL[0], status=400, code=_INVALID_SYMBOL[1])
        legs = [r for item in self.lists if item.is_open for r in item.reports]
        extra = [r for r in self.extra_orders if (r.symbol, r.order_id) not in self.cancelled]
        return tuple(r for r in [*legs, *extra] if symbol in (None, r.symbol))

    def order_list(self, list_client_order_id: str) -> OrderList | None:
        self._record("order_list", list_client_order_id)
        fault = self._fault("order_list", list_client_order_id)
        if fault == Fault.LOOKUP_LAG:
            return None
        if fault == Fault.LOOKUP_FAILS:
            raise TransientError("connect error", endpoint="GET /api/v3/orderList")
        if fault == Fault.ARCHIVED:
            raise ArchivedOrderError(ARCHIVED_MSG, code=-2026, endpoint="/api/v3/orderList")
        _raise_common(fault)
        known = [*self.lists, *self.history.values()]
        matching = [i for i in known if i.list_client_order_id == list_client_order_id]
        found = max(matching, key=lambda item: item.order_list_id, default=None)
        return None if found is None else replace(found, reports=())

    def all_order_lists(self, *, from_id: int, limit: int) -> tuple[OrderList, ...]:
        self._record("all_order_lists", from_id)
        known = sorted([*self.lists, *self.history.values()], key=lambda i: i.order_list_id)
        found = [replace(i, reports=()) for i in known if i.order_list_id >= from_id]
        return tuple(found[:limit])

    def order(self, symbol: str, order_id: int) -> OrderReport | None:
        self._record("order", (symbol, order_id))
        fault = self._fault("order", str(order_id))
        if fault == Fault.LOOKUP_FAILS:
            raise TransientError("connect error", endpoint="GET /api/v3/order")
        if fault == Fault.ARCHIVED:
            raise ArchivedOrderError(ARCHIVED_MSG, code=-2026, endpoint="/api/v3/order")
        key = (symbol, order_id)
        extra = next((r for r in self.extra_orders if (r.symbol, r.order_id) == key), None)
        return self.reports.get(key, extra)

    def rate_usage(self) -> RateUsage:
        count = self.reported_order_count
        return RateUsage(order_count={} if count is None else {"10s": count})

    # -- the Exchange protocol: writes --

    def place_oco(self, request: OcoRequest) -> OrderList:
        list_id = request.list_client_order_id
        self._record("place_oco", list_id)
        self.send_attempts[list_id] = self.send_attempts.get(list_id, 0) + 1
        fault = self._fault("place_oco", list_id)
        _raise_common(fault)
        _raise_unplaced(fault)
        with self.lock:
            if self.open_list(list_id) is not None:
                raise DuplicateOrderError("Duplicate order sent.", code=-2010, status=400)
            placed = self._commit(request)
        if fault == Fault.AFTER:
            raise OutcomeUnknownError("Internal error", status=503)
        if fault == Fault.AFTER_THEN_FILL:
            self._close(placed, status="FILLED", executed=Decimal(1), record=False)
            raise OutcomeUnknownError("Internal error", status=502)
        return placed

    def cancel_order_list(
        self, symbol: str, list_client_order_id: str, new_client_order_id: str | None = None
    ) -> OrderList | None:
        self._record("cancel_order_list", list_client_order_id)
        fault = self._fault("cancel_order_list", list_client_order_id)
        _raise_common(fault)
        if fault == Fault.BEFORE:
            raise OutcomeUnknownError("Internal error", status=500)
        if fault == Fault.REJECT:
            raise RejectedError("This action is disabled on this account.", code=-2010)
        found = self.open_list(list_client_order_id)
        if fault == Fault.UNKNOWN_BUT_OPEN or found is None:
            return None
        cancelled = self._close(found, status="CANCELED", executed=Decimal(0), record=True)
        if fault == Fault.AFTER:
            raise OutcomeUnknownError("Internal error", status=504)
        return cancelled

    def cancel_order(
        self, symbol: str, order_id: int, new_client_order_id: str | None = None
    ) -> OrderReport | None:
        """Cancels one of ``extra_orders``; None ("Unknown order sent.") when it is not open."""
        key = (symbol, order_id)
        found = next((r for r in self.extra_orders if (r.symbol, r.order_id) == key), None)
        if key in self.cancelled:
            found = None
        self._record("cancel_order", order_id)
        fault = self._fault("cancel_order", "" if found is None else found.client_order_id)
        _raise_common(fault)
        if fault == Fault.BEFORE:
            raise OutcomeUnknownError("Internal error", status=500)
        if found is None:
            return None
        cancelled = replace(
            found,
            status="CANCELED",
            client_order_id=new_client_order_id or "cancel",
            orig_client_order_id=found.client_order_id,
        )
        with self.lock:
            self.cancelled.add((symbol, order_id))
            self.reports[(symbol, order_id)] = cancelled
            self.events.append(Event("cancel-order", found.client_order_id, symbol))
        if fault == Fault.AFTER:
            raise OutcomeUnknownError("Internal error", status=504)
        return cancelled

    # -- internals --

    def _record(self, method: str, argument: object = None) -> None:
        if self.read_only and method in ("place_oco", "cancel_order_list", "cancel_order"):
            raise AssertionError(f"{method} on a read-only exchange: the reader never writes")
        with self.lock:
            self.calls.append((method, argument))
        if self.barrier is not None and method in ROUND_ONE:
            self.barrier.wait(timeout=30)

    def _fault(self, method: str, list_id: str) -> str | None:
        queue = self.faults.get((method, list_id))
        return queue.pop(0) if queue else None

    def _commit(self, request: OcoRequest) -> OrderList:
        order_list_id = self.next_id
        self.next_id += 3
        refs = []
        for offset, leg in ((1, request.above), (2, request.below)):
            ref = OrderRef(request.symbol, order_list_id + offset, leg.client_order_id)
            refs.append(ref)
            self.reports[(ref.symbol, ref.order_id)] = _new_report(request, order_list_id, ref)
        placed = OrderList(
            order_list_id=order_list_id,
            list_client_order_id=request.list_client_order_id,
            symbol=request.symbol,
            contingency_type="OCO",
            list_status_type="EXEC_STARTED",
            list_order_status="EXECUTING",
            transaction_time=0,
            orders=tuple(refs),
            reports=tuple(self.reports[(r.symbol, r.order_id)] for r in refs),
        )
        self.lists.append(placed)
        self.events.append(Event("place", request.list_client_order_id, request.symbol))
        return placed

    def _close(
        self, found: OrderList, *, status: str, executed: Decimal, record: bool
    ) -> OrderList:
        """The first leg ends ``status`` with ``executed``, the other expires (an OCO's rule)."""
        with self.lock:
            reports = []
            for index, ref in enumerate(found.orders):
                key = (ref.symbol, ref.order_id)
                leg_status, leg_executed = (status, executed) if index == 0 else ("EXPIRED", 0)
                report = replace(
                    self.reports[key], status=leg_status, executed_qty=Decimal(leg_executed)
                )
                self.reports[key] = report
                reports.append(report)
            closed = replace(
                found,
                list_status_type="ALL_DONE",
                list_order_status="ALL_DONE",
                reports=tuple(reports),
            )
            self.lists[self.lists.index(found)] = closed
            if record:
                self.events.append(Event("cancel", found.list_client_order_id, found.symbol))
            return closed


def _raise_common(fault: str | None) -> None:
    if fault == Fault.RATE_LIMITED:
        raise RateLimitedError("Too many requests", status=429, code=-1003, retry_after=7.0)
    if fault == Fault.BANNED:
        until = datetime(2030, 1, 1, tzinfo=UTC)
        raise BannedError("IP banned", status=418, retry_after=600, until=until)
    if fault == Fault.CLOCK:
        raise ClockSkewError("Timestamp outside recvWindow", code=-1021, status=400)


def _raise_unplaced(fault: str | None) -> None:
    """The placement faults that leave nothing committed."""
    if fault == Fault.BEFORE:
        raise OutcomeUnknownError("Timeout waiting for response", code=-1007)
    if fault == Fault.TRANSIENT:
        raise TransientError("connection refused")
    if fault == Fault.REJECT:
        raise RejectedError("Order would trigger immediately.", code=-2010, status=400)
    if fault == Fault.NO_BALANCE:
        raise RejectedError("Account has insufficient balance for requested action.", code=-2010)


def _new_report(request: OcoRequest, list_id: int, ref: OrderRef) -> OrderReport:
    return OrderReport(
        symbol=request.symbol,
        order_id=ref.order_id,
        order_list_id=list_id,
        client_order_id=ref.client_order_id,
        side=request.side,
        type="LIMIT_MAKER",
        status="NEW",
        price=Decimal(1),
        orig_qty=request.quantity,
        executed_qty=Decimal(0),
    )
