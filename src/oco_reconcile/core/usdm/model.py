"""Values of the USDⓈ-M futures venue: desired futures brackets, live algo orders and positions.

A futures bracket is a take-profit and a stop-loss *conditional* order on one position, placed
through the Algo Order API (``POST /fapi/v1/algoOrder``; binance-api.md §10): Binance has no OCO
there, so the tool ties the two together and cancels the *orphan* when one leg triggers.
Everything here is a frozen dataclass or an enum; money is :class:`~decimal.Decimal`; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from oco_reconcile.core.model import (
    Balance,
    LotSize,
    PercentPrice,
    PriceFilter,
    Side,
    SourceLocation,
    TimeInForce,
)
from oco_reconcile.core.ratelimits import RateLimit


class Market(StrEnum):
    """Which Binance venue a bracket lives on (``market:`` in a bracket file)."""

    SPOT = "spot"
    USDM = "usdm"


class LegRole(StrEnum):
    """A futures bracket's two legs; the value is the client id suffix (identity.py)."""

    TAKE_PROFIT = "tp"
    STOP_LOSS = "sl"

    @property
    def label(self) -> str:
        """How a plan names the leg to a person (``take-profit``)."""
        return "take-profit" if self is LegRole.TAKE_PROFIT else "stop-loss"

    @property
    def field(self) -> str:
        """The leg's key in a bracket file (``take_profit``)."""
        return "take_profit" if self is LegRole.TAKE_PROFIT else "stop_loss"


class AlgoOrderType(StrEnum):
    """The conditional order types a futures bracket's legs use (New-Algo-Order.md ``type``)."""

    TAKE_PROFIT_MARKET = "TAKE_PROFIT_MARKET"
    TAKE_PROFIT = "TAKE_PROFIT"  # a limit order once triggered: needs ``price``
    STOP_MARKET = "STOP_MARKET"
    STOP = "STOP"  # a limit order once triggered: needs ``price``

    @property
    def is_market(self) -> bool:
        return self in (AlgoOrderType.TAKE_PROFIT_MARKET, AlgoOrderType.STOP_MARKET)

    @property
    def role(self) -> LegRole:
        take_profit = (AlgoOrderType.TAKE_PROFIT_MARKET, AlgoOrderType.TAKE_PROFIT)
        return LegRole.TAKE_PROFIT if self in take_profit else LegRole.STOP_LOSS


class WorkingType(StrEnum):
    """Which price triggers the leg; Binance's default is CONTRACT_PRICE (the last price)."""

    MARK_PRICE = "MARK_PRICE"
    CONTRACT_PRICE = "CONTRACT_PRICE"


class PositionSide(StrEnum):
    """BOTH in one-way mode; LONG / SHORT in hedge mode (binance-api.md §10.5)."""

    BOTH = "BOTH"
    LONG = "LONG"
    SHORT = "SHORT"


class AlgoStatus(StrEnum):
    """``algoStatus`` (binance-api.md §10.3 "Algo status")."""

    NEW = "NEW"
    CANCELED = "CANCELED"
    TRIGGERING = "TRIGGERING"
    TRIGGERED = "TRIGGERED"
    FINISHED = "FINISHED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"

    @property
    def is_open(self) -> bool:
        """Armed and untriggered: the only status a bracket's leg is *open* in."""
        return self is AlgoStatus.NEW

    @property
    def has_fired(self) -> bool:
        """The condition was met: the leg went (or is going) to the matching engine."""
        return self in (AlgoStatus.TRIGGERING, AlgoStatus.TRIGGERED, AlgoStatus.FINISHED)


# --- desired ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FuturesLeg:
    """One conditional order of a futures bracket, as the exchange will receive it."""

    type: AlgoOrderType
    trigger_price: Decimal
    price: Decimal | None = None  # only for the limit types (TAKE_PROFIT, STOP)
    time_in_force: TimeInForce | None = None  # only for the limit types; GTC when omitted

    @property
    def role(self) -> LegRole:
        return self.type.role


@dataclass(frozen=True)
class FuturesBracket:
    """One desired futures bracket (``market: usdm``); ``name`` is its identity in the account.

    ``quantity`` None means ``quantity: close`` (``closePosition=true``, market legs only);
    a number is a reduce-only quantity (``reduceOnly=true`` in one-way mode; in hedge mode the
    ``position_side`` makes it closing, binance-api.md §10.5).
    """

    name: str
    symbol: str
    side: Side
    quantity: Decimal | None
    take_profit: FuturesLeg
    stop_loss: FuturesLeg
    working_type: WorkingType = WorkingType.CONTRACT_PRICE
    price_protect: bool = False
    position_side: PositionSide = PositionSide.BOTH
    protect: bool = False
    rev: int = 0
    # clientAlgoIds of live unmanaged algo orders this bracket adopts (written by `import`)
    adopt: tuple[str, ...] = ()
    source: SourceLocation | None = field(default=None, compare=False, hash=False)

    @property
    def closes_position(self) -> bool:
        return self.quantity is None

    def leg(self, role: LegRole) -> FuturesLeg:
        return self.take_profit if role is LegRole.TAKE_PROFIT else self.stop_loss


# --- live -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlgoOrder:
    """One algo (conditional) order as ``/fapi/v1/algoOrder`` / ``openAlgoOrders`` report it."""

    algo_id: int
    client_algo_id: str
    symbol: str
    side: Side
    position_side: PositionSide
    order_type: str  # kept as sent: an unmanaged order may be of a type we never place
    status: AlgoStatus
    trigger_price: Decimal
    price: Decimal | None = None
    quantity: Decimal | None = None
    close_position: bool = False
    reduce_only: bool = False
    working_type: WorkingType = WorkingType.CONTRACT_PRICE
    price_protect: bool = False
    time_in_force: str | None = None
    create_time: int = 0
    update_time: int = 0
    trigger_time: int = 0
    actual_order_id: int | None = None  # the matching-engine order once triggered
    actual_price: Decimal | None = None  # its average fill price, where reported


@dataclass(frozen=True)
class Position:
    """One row of ``GET /fapi/v3/positionRisk``; ``amount`` is signed (short < 0)."""

    symbol: str
    position_side: PositionSide
    amount: Decimal
    entry_price: Decimal = Decimal(0)
    mark_price: Decimal = Decimal(0)


@dataclass(frozen=True)
class FuturesSymbolRules:
    """One symbol of ``GET /fapi/v1/exchangeInfo`` with the filters the tool checks typed."""

    symbol: str
    status: str  # TRADING when orders are accepted
    contract_type: str  # PERPETUAL, CURRENT_QUARTER ...
    base_asset: str
    quote_asset: str
    margin_asset: str
    order_types: frozenset[str]
    time_in_force: frozenset[str] = frozenset()
    price_filter: PriceFilter | None = None
    lot_size: LotSize | None = None
    market_lot_size: LotSize | None = None  # MARKET_LOT_SIZE: for the market legs
    min_notional: Decimal | None = None  # MIN_NOTIONAL ``notional``
    percent_price: PercentPrice | None = None  # PERCENT_PRICE (multiplierUp/Down)
    trigger_protect: Decimal | None = None  # ``triggerProtect``: for price_protect


@dataclass(frozen=True)
class FuturesInfo:
    symbols: Mapping[str, FuturesSymbolRules]
    rate_limits: tuple[RateLimit, ...] = ()
    server_time: int | None = None


MAX_OPEN_CONDITIONAL_ORDERS = 200
""""The condtional order limits is 200 across all symbols." (fapi change log 2025-12-29)."""


@dataclass(frozen=True)
class FuturesLiveState:
    """Everything read from the futures venue that a plan depends on.

    ``open_algo_orders``: every open (NEW) algo order, all symbols. ``history``: for desired legs
    whose clientAlgoId is not open, the latest order with that id (``GET /fapi/v1/algoOrder``), by
    clientAlgoId; absent when Binance knows none. ``mark_prices`` / ``last_prices`` by symbol
    (``premiumIndex`` / ``ticker/price``), the working prices of MARK_PRICE / CONTRACT_PRICE legs.
    """

    info: FuturesInfo
    open_algo_orders: tuple[AlgoOrder, ...]
    positions: tuple[Position, ...]
    hedge_mode: bool
    mark_prices: Mapping[str, Decimal]
    last_prices: Mapping[str, Decimal]
    history: Mapping[str, AlgoOrder] = field(default_factory=dict)
    balances: Mapping[str, Balance] = field(default_factory=dict)

    def working_price(self, symbol: str, working_type: WorkingType) -> Decimal | None:
        prices = self.mark_prices if working_type is WorkingType.MARK_PRICE else self.last_prices
        return prices.get(symbol)

    def position(self, symbol: str, position_side: PositionSide) -> Position | None:
        for item in self.positions:
            if item.symbol == symbol and item.position_side is position_side:
                return item
        return None


# --- requests -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlgoRequest:
    """Everything one ``POST /fapi/v1/algoOrder`` (``algoType=CONDITIONAL``) needs.

    ``quantity`` None: ``closePosition=true``. ``reduce_only`` is never sent in hedge mode
    (binance-api.md §10.5).
    """

    symbol: str
    side: Side
    position_side: PositionSide
    type: AlgoOrderType
    client_algo_id: str
    trigger_price: Decimal
    working_type: WorkingType
    price_protect: bool
    price: Decimal | None = None
    quantity: Decimal | None = None
    reduce_only: bool = False
    time_in_force: TimeInForce | None = None

    @property
    def close_position(self) -> bool:
        return self.quantity is None

    @property
    def role(self) -> LegRole:
        return self.type.role


@dataclass(frozen=True)
class AlgoCancel:
    """One ``DELETE /fapi/v1/algoOrder`` by clientAlgoId (the order's role kept for reports)."""

    symbol: str
    client_algo_id: str
    role: LegRole | None = None  # None: not a leg of ours (an extra, or an adopted order)


AlgoStep = AlgoRequest | AlgoCancel
"""One step of a futures change; apply runs a change's steps strictly in order."""


@dataclass(frozen=True)
class FuturesChange:
    """The futures part of a :class:`~oco_reconcile.core.plan.Change`.

    ``before``: the bracket's open algo orders (ours, or adopted); ``after``: the desired bracket
    (None for a prune); ``steps``: the exact requests, in order. A replace places the new stop
    first and cancels the old stop last, so the position is never without a stop.
    """

    before: tuple[AlgoOrder, ...] = ()
    after: FuturesBracket | None = None
    steps: tuple[AlgoStep, ...] = ()

    @property
    def places(self) -> tuple[AlgoRequest, ...]:
        return tuple(s for s in self.steps if isinstance(s, AlgoRequest))

    @property
    def cancels(self) -> tuple[AlgoCancel, ...]:
        return tuple(s for s in self.steps if isinstance(s, AlgoCancel))
