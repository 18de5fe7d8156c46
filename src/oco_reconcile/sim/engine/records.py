"""What the engine knows, as records: holdings, orders, order lists, events and the whole state.

The records are mutable on purpose: the engine updates them in place under its lock;
``store.py`` persists :class:`EngineState` as JSON. :class:`OpenBook` indexes what is open; a
status leaves "open" only through :meth:`EngineState.set_order_status` and
:meth:`EngineState.close_list`, which keep it current.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from oco_reconcile.json_types import JsonObject
from oco_reconcile.sim.engine.usdm.records import FuturesState

Clock = Callable[[], int]
"""Milliseconds since the epoch."""

ZERO = Decimal(0)
NO_ORDER_LIST = -1  # the orderListId of an order placed on its own (rest-api.md "New order")
OPEN_STATUSES = frozenset({"NEW", "PARTIALLY_FILLED"})
_CLIENT_ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CLIENT_ID_LENGTH = 22


@dataclass
class Holding:
    free: Decimal
    locked: Decimal = ZERO


@dataclass
class SimOrder:
    """One order (an OCO leg). ``placed_client_order_id`` never changes; ``client_order_id`` is
    renamed by a cancel."""

    order_id: int
    order_list_id: int
    symbol: str
    side: str
    type: str
    position: str
    client_order_id: str
    placed_client_order_id: str
    price: Decimal
    orig_qty: Decimal
    time_in_force: str
    self_trade_prevention_mode: str
    time: int
    update_time: int
    stop_price: Decimal | None = None
    trigger_price: Decimal | None = None
    trailing_delta: int | None = None
    iceberg_qty: Decimal | None = None
    strategy_id: int | None = None
    strategy_type: int | None = None
    status: str = "NEW"
    executed_qty: Decimal = ZERO
    cummulative_quote_qty: Decimal = ZERO
    working_time: int = -1
    is_working: bool = False
    expiry_reason: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def remaining(self) -> Decimal:
        return self.orig_qty - self.executed_qty

    @property
    def has_limit_price(self) -> bool:
        return self.price > 0

    @property
    def orig_client_order_id(self) -> str | None:
        """The id the order was placed with, once a cancel renamed it."""
        renamed = self.client_order_id != self.placed_client_order_id
        return self.placed_client_order_id if renamed else None

    @property
    def client_ids(self) -> tuple[str, str]:
        """Both ids a query may name the order by: the current one and the one it was placed
        with."""
        return (self.client_order_id, self.placed_client_order_id)


@dataclass
class SimOrderList:
    order_list_id: int
    symbol: str
    list_client_order_id: str
    side: str
    transaction_time: int
    order_ids: list[int]
    lock_asset: str
    lock_amount: Decimal = ZERO
    contingency_type: str = "OCO"
    list_status_type: str = "EXEC_STARTED"
    list_order_status: str = "EXECUTING"

    @property
    def is_open(self) -> bool:
        return self.list_order_status == "EXECUTING"


@dataclass
class OpenTally:
    """What is open on one symbol (or the account): orders by type, icebergs, lists."""

    types: Counter[str] = field(default_factory=Counter)
    icebergs: int = 0
    lists: int = 0

    @property
    def orders(self) -> int:
        return self.types.total()


class OpenBook:
    """The open orders and order lists, indexed as they open and close.

    Placement's count filters and duplicate checks read it instead of scanning every order ever
    placed (seeding 10,000 lists through the wire was quadratic). Statuses only move on from
    open, so an order or a list leaves once; ids grow, so insertion order is id order.
    """

    def __init__(self, orders: Iterable[SimOrder], lists: Iterable[SimOrderList]) -> None:
        self._orders: dict[int, SimOrder] = {}
        self._by_symbol: dict[str, dict[int, SimOrder]] = {}
        self._lists: dict[int, SimOrderList] = {}
        self._client_ids: dict[int, str] = {}  # as opened: a cancel renames an order after
        self._open_client_ids: Counter[str] = Counter()
        self._open_list_client_ids: Counter[str] = Counter()
        self._tallies: dict[str | None, OpenTally] = {}
        for order in sorted(orders, key=lambda item: item.order_id):
            if order.is_open:
                self.add_order(order)
        for order_list in sorted(lists, key=lambda item: item.order_list_id):
            if order_list.is_open:
                self.add_list(order_list)

    def add_order(self, order: SimOrder) -> None:
        self._orders[order.order_id] = order
        self._by_symbol.setdefault(order.symbol, {})[order.order_id] = order
        self._client_ids[order.order_id] = order.client_order_id
        self._open_client_ids[order.client_order_id] += 1
        for tally in self._tallies_of(order.symbol):
            tally.types[order.type] += 1
            tally.icebergs += order.iceberg_qty is not None

    def remove_order(self, order: SimOrder) -> None:
        if self._orders.pop(order.order_id, None) is None:
            return
        del self._by_symbol[order.symbol][order.order_id]
        self._open_client_ids[self._client_ids.pop(order.order_id)] -= 1
        for tally in self._tallies_of(order.symbol):
            tally.types[order.type] -= 1
            tally.icebergs -= order.iceberg_qty is not None

    def add_list(self, order_list: SimOrderList) -> None:
        self._lists[order_list.order_list_id] = order_list
        self._open_list_client_ids[order_list.list_client_order_id] += 1
        for tally in self._tallies_of(order_list.symbol):
            tally.lists += 1

    def remove_list(self, order_list: SimOrderList) -> None:
        if self._lists.pop(order_list.order_list_id, None) is None:
            return
        self._open_list_client_ids[order_list.list_client_order_id] -= 1
        for tally in self._tallies_of(order_list.symbol):
            tally.lists -= 1

    def orders(self, symbol: str | None = None) -> list[SimOrder]:
        """Ascending by order id; a copy, so the caller may close orders while walking it."""
        chosen = self._orders if symbol is None else self._by_symbol.get(symbol, {})
        return list(chosen.values())

    def lists(self) -> list[SimOrderList]:
        return list(self._lists.values())

    def tally(self, symbol: str | None) -> OpenTally:
        """What is open on ``symbol`` (None: the whole account)."""
        return self._tallies.get(symbol) or OpenTally()

    def has_client_order_id(self, client_id: str) -> bool:
        return self._open_client_ids[client_id] > 0

    def has_list_client_order_id(self, client_id: str) -> bool:
        return self._open_list_client_ids[client_id] > 0

    def _tallies_of(self, symbol: str) -> tuple[OpenTally, OpenTally]:
        return (
            self._tallies.setdefault(symbol, OpenTally()),
            self._tallies.setdefault(None, OpenTally()),
        )


@dataclass(frozen=True)
class SimTrade:
    """One fill of one of the account's orders (``GET /api/v3/myTrades``); the other side is the
    simulated market, so ``is_maker`` is whether our order rested on the book."""

    trade_id: int
    symbol: str
    order_id: int
    order_list_id: int
    price: Decimal
    qty: Decimal
    quote_qty: Decimal
    time: int
    is_buyer: bool
    is_maker: bool


@dataclass(frozen=True)
class Event:
    """One line of the event log: what happened to which list, when (ms)."""

    time: int
    kind: str  # placed | cancelled | triggered | filled | partially_filled | expired | price,
    # and for the futures account "algo placed" ... "futures price" (usdm/orders.py log)
    symbol: str
    order_list_id: int | None = None
    list_client_order_id: str | None = None
    order_id: int | None = None
    client_order_id: str | None = None
    detail: str = ""


@dataclass
class EngineState:
    """Everything the engine knows; ``store.py`` persists it as JSON."""

    symbols: dict[str, JsonObject]
    rate_limits: list[JsonObject]
    exchange_filters: list[JsonObject]
    prices: dict[str, Decimal]
    price_times: dict[str, int]
    balances: dict[str, Holding]
    reference_prices: dict[str, Decimal] = field(default_factory=dict)  # not persisted
    orders: dict[int, SimOrder] = field(default_factory=dict)
    lists: dict[int, SimOrderList] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    trades: list[SimTrade] = field(default_factory=list)
    next_order_id: int = 1
    next_order_list_id: int = 1
    next_client_seq: int = 1
    update_time: int = 0
    next_trade_id: int = 1
    usdm: FuturesState = field(default_factory=FuturesState.empty)  # the /fapi account
    open: OpenBook = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.open = OpenBook(self.orders.values(), self.lists.values())

    def add_order(self, order: SimOrder) -> None:
        self.orders[order.order_id] = order
        self.open.add_order(order)

    def add_list(self, order_list: SimOrderList) -> None:
        self.lists[order_list.order_list_id] = order_list
        self.open.add_list(order_list)

    def set_order_status(self, order: SimOrder, status: str) -> None:
        order.status = status
        if not order.is_open:
            self.open.remove_order(order)

    def close_list(self, order_list: SimOrderList) -> None:
        order_list.list_status_type = "ALL_DONE"
        order_list.list_order_status = "ALL_DONE"
        self.open.remove_list(order_list)

    def take_order_id(self) -> int:
        order_id = self.next_order_id
        self.next_order_id += 1
        return order_id

    def take_order_list_id(self) -> int:
        list_id = self.next_order_list_id
        self.next_order_list_id += 1
        return list_id

    def take_trade_id(self) -> int:
        trade_id = self.next_trade_id
        self.next_trade_id += 1
        return trade_id

    def take_client_order_id(self) -> str:
        """A 22-character id like Binance generates, but deterministic (a counter's hash)."""
        seq = self.next_client_seq
        self.next_client_seq += 1
        digest = hashlib.sha256(f"oco-reconcile-sim-{seq}".encode()).digest()
        alphabet = _CLIENT_ID_ALPHABET
        return "".join(alphabet[byte % len(alphabet)] for byte in digest[:_CLIENT_ID_LENGTH])

    def holding(self, asset: str) -> Holding:
        return self.balances.setdefault(asset, Holding(ZERO))


@dataclass(frozen=True)
class CancelResult:
    """A cancel either took a whole list (``order_list`` set) or one order: a stray working leg
    or an order placed on its own."""

    orders: tuple[SimOrder, ...]
    order_list: SimOrderList | None = None
