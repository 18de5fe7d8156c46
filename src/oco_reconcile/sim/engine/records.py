"""What the engine knows, as records: holdings, orders, order lists, events and the whole state.

The records are mutable on purpose: the engine updates them in place under its lock;
``store.py`` persists :class:`EngineState` as JSON.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
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
