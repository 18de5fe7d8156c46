"""The futures account as records: positions, algo (conditional) orders, plain orders, the state.

Mutable on purpose, as the Spot records: the engine updates them in place under its lock and
``usdm/store.py`` persists :class:`FuturesState` inside the Spot state file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from oco_reconcile.json_types import JsonObject

ZERO = Decimal(0)
BOTH = "BOTH"
LONG = "LONG"
SHORT = "SHORT"
MARK_PRICE = "MARK_PRICE"
CONTRACT_PRICE = "CONTRACT_PRICE"
ALGO_OPEN = "NEW"
WALLET_ASSET = "USDT"


@dataclass
class FuturesPosition:
    """One (symbol, positionSide): signed amount (a SHORT is negative, also in hedge mode)."""

    symbol: str
    position_side: str
    amount: Decimal
    entry_price: Decimal
    update_time: int


@dataclass
class AlgoRecord:
    """One conditional order of the Algo Service (New-Algo-Order.md)."""

    algo_id: int
    client_algo_id: str
    symbol: str
    side: str
    position_side: str
    order_type: str
    time_in_force: str
    quantity: Decimal
    trigger_price: Decimal
    price: Decimal
    working_type: str
    close_position: bool
    price_protect: bool
    reduce_only: bool
    self_trade_prevention_mode: str
    price_match: str
    good_till_date: int
    create_time: int
    update_time: int
    status: str = ALGO_OPEN
    trigger_time: int = 0
    actual_order_id: int | None = None
    actual_price: Decimal | None = None
    reject_reason: str = ""  # what ALGO_UPDATE's ``rm`` would say; not in REST answers

    @property
    def is_open(self) -> bool:
        return self.status == ALGO_OPEN

    @property
    def is_limit(self) -> bool:
        return not self.order_type.endswith("_MARKET")


@dataclass
class FuturesOrder:
    """One order in the matching engine: MARKET/LIMIT from ``POST /fapi/v1/order`` or the
    order a triggered algo order became (``orig_type`` then names the algo type)."""

    order_id: int
    symbol: str
    side: str
    position_side: str
    type: str
    orig_type: str
    client_order_id: str
    price: Decimal
    orig_qty: Decimal
    time_in_force: str
    reduce_only: bool
    close_position: bool
    time: int
    update_time: int
    stop_price: Decimal = ZERO
    working_type: str = CONTRACT_PRICE
    price_protect: bool = False
    status: str = "NEW"
    executed_qty: Decimal = ZERO
    avg_price: Decimal = ZERO
    cum_quote: Decimal = ZERO

    @property
    def is_open(self) -> bool:
        return self.status == "NEW"


@dataclass
class FuturesState:
    """Everything the futures side knows."""

    symbols: dict[str, JsonObject]
    rate_limits: list[JsonObject]
    last_prices: dict[str, Decimal]
    mark_prices: dict[str, Decimal]
    price_times: dict[str, int]
    wallet: dict[str, Decimal]
    dual_side: bool = False
    positions: dict[tuple[str, str], FuturesPosition] = field(default_factory=dict)
    algo_orders: dict[int, AlgoRecord] = field(default_factory=dict)
    orders: dict[int, FuturesOrder] = field(default_factory=dict)
    next_algo_id: int = 1
    next_order_id: int = 1
    next_client_seq: int = 1

    @classmethod
    def empty(cls) -> FuturesState:
        """No contract, no price, no money: what a state without a futures account holds."""
        return cls(
            symbols={}, rate_limits=[], last_prices={}, mark_prices={}, price_times={}, wallet={}
        )

    def take_algo_id(self) -> int:
        algo_id = self.next_algo_id
        self.next_algo_id += 1
        return algo_id

    def take_order_id(self) -> int:
        order_id = self.next_order_id
        self.next_order_id += 1
        return order_id

    def position(self, symbol: str, position_side: str) -> FuturesPosition | None:
        return self.positions.get((symbol, position_side))

    def open_algo_orders(self, symbol: str | None = None) -> list[AlgoRecord]:
        """Open conditional orders by algoId: the deterministic order triggers run in."""
        return [
            order
            for _, order in sorted(self.algo_orders.items())
            if order.is_open and (symbol is None or order.symbol == symbol)
        ]

    def open_orders(self, symbol: str | None = None) -> list[FuturesOrder]:
        return [
            order
            for _, order in sorted(self.orders.items())
            if order.is_open and (symbol is None or order.symbol == symbol)
        ]
