"""Values the whole tool speaks in: desired brackets, live order lists, exchange rules.

Everything here is a frozen dataclass or an enum; money is :class:`~decimal.Decimal`. Nothing here
does I/O. Field names follow Binance's where a value comes from the wire (in snake_case).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from oco_reconcile.core.ratelimits import RateLimit


class Side(StrEnum):
    BUY = "BUY"
    SELL = "SELL"


class LegType(StrEnum):
    """Order types Binance accepts as OCO legs (rest-api.md "New Order list - OCO (TRADE)")."""

    LIMIT_MAKER = "LIMIT_MAKER"
    TAKE_PROFIT = "TAKE_PROFIT"
    TAKE_PROFIT_LIMIT = "TAKE_PROFIT_LIMIT"
    STOP_LOSS = "STOP_LOSS"
    STOP_LOSS_LIMIT = "STOP_LOSS_LIMIT"

    @property
    def is_stop_loss(self) -> bool:
        return self in (LegType.STOP_LOSS, LegType.STOP_LOSS_LIMIT)

    @property
    def needs_price(self) -> bool:
        """Limit price is mandatory (and only allowed) for these types."""
        return self in (LegType.LIMIT_MAKER, LegType.TAKE_PROFIT_LIMIT, LegType.STOP_LOSS_LIMIT)

    @property
    def needs_trigger(self) -> bool:
        """A stop price and/or a trailing delta is mandatory for these types."""
        return self is not LegType.LIMIT_MAKER

    @property
    def needs_time_in_force(self) -> bool:
        return self in (LegType.TAKE_PROFIT_LIMIT, LegType.STOP_LOSS_LIMIT)

    @property
    def is_algo(self) -> bool:
        """Counts toward MAX_NUM_ALGO_ORDERS (filters.md)."""
        return self is not LegType.LIMIT_MAKER


class TimeInForce(StrEnum):
    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"


class LegPosition(StrEnum):
    """Binance names the two legs of an OCO by where they sit relative to the market."""

    ABOVE = "above"
    BELOW = "below"


TAKE_PROFIT_TYPES = frozenset({LegType.LIMIT_MAKER, LegType.TAKE_PROFIT, LegType.TAKE_PROFIT_LIMIT})
STOP_LOSS_TYPES = frozenset({LegType.STOP_LOSS, LegType.STOP_LOSS_LIMIT})


def take_profit_position(side: Side) -> LegPosition:
    """SELL takes profit above the market; BUY below (docs/file-formats.md "Friendly form")."""
    return LegPosition.ABOVE if side is Side.SELL else LegPosition.BELOW


@dataclass(frozen=True)
class SourceLocation:
    """Where a value was written, for error messages only (never part of identity)."""

    file: str
    line: int | None = None


@dataclass(frozen=True)
class Leg:
    """One leg of an OCO exactly as the exchange will receive it."""

    type: LegType
    price: Decimal | None = None
    stop_price: Decimal | None = None
    trailing_delta: int | None = None
    time_in_force: TimeInForce | None = None
    iceberg_qty: Decimal | None = None

    @property
    def trigger_price(self) -> Decimal | None:
        """The price that decides the leg's side of the market (stop price, else limit price)."""
        return self.stop_price if self.stop_price is not None else self.price


@dataclass(frozen=True)
class Bracket:
    """One desired OCO order list; ``name`` is its identity within an account."""

    name: str
    symbol: str
    side: Side
    quantity: Decimal
    above: Leg
    below: Leg
    protect: bool = False
    rev: int = 0
    # listClientOrderId of a live list this bracket adopts (written by `import`); see planner.py
    adopt: str | None = None
    source: SourceLocation | None = field(default=None, compare=False, hash=False)

    def leg(self, position: LegPosition) -> Leg:
        return self.above if position is LegPosition.ABOVE else self.below

    @property
    def take_profit(self) -> Leg:
        return self.leg(take_profit_position(self.side))

    @property
    def stop_loss(self) -> Leg:
        tp = take_profit_position(self.side)
        return self.leg(LegPosition.BELOW if tp is LegPosition.ABOVE else LegPosition.ABOVE)


# --- live state, as read from the exchange ---------------------------------------------------


@dataclass(frozen=True)
class OrderReport:
    """One order (an OCO leg) as the exchange reports it (openOrders, order, orderReports)."""

    symbol: str
    order_id: int
    order_list_id: int
    client_order_id: str
    side: Side
    type: str
    status: str
    price: Decimal
    orig_qty: Decimal
    executed_qty: Decimal
    stop_price: Decimal | None = None
    iceberg_qty: Decimal | None = None
    trailing_delta: int | None = None
    time_in_force: str | None = None
    orig_client_order_id: str | None = None
    expiry_reason: str | None = None
    is_working: bool | None = None
    time: int | None = None


@dataclass(frozen=True)
class OrderRef:
    """A leg as an order list names it: ids only."""

    symbol: str
    order_id: int
    client_order_id: str


@dataclass(frozen=True)
class OrderList:
    """An order list as the exchange reports it. ``reports`` is filled only where Binance (or a
    join with openOrders) supplied the legs' details."""

    order_list_id: int
    list_client_order_id: str
    symbol: str
    contingency_type: str
    list_status_type: str
    list_order_status: str
    transaction_time: int
    orders: tuple[OrderRef, ...]
    reports: tuple[OrderReport, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.list_order_status == "EXECUTING"

    def with_reports(self, reports: tuple[OrderReport, ...]) -> OrderList:
        """This list with its legs' details (``dataclasses.replace`` costs 3x as much, and
        a plan joins every open list)."""
        return OrderList(
            self.order_list_id, self.list_client_order_id, self.symbol, self.contingency_type,
            self.list_status_type, self.list_order_status, self.transaction_time, self.orders,
            reports,
        )  # fmt: skip


@dataclass(frozen=True)
class Balance:
    asset: str
    free: Decimal
    locked: Decimal


# --- exchange rules (exchangeInfo), typed ------------------------------------------------------


@dataclass(frozen=True)
class PriceFilter:
    min_price: Decimal
    max_price: Decimal
    tick_size: Decimal


@dataclass(frozen=True)
class LotSize:
    min_qty: Decimal
    max_qty: Decimal
    step_size: Decimal


@dataclass(frozen=True)
class NotionalFilter:
    """NOTIONAL (min and max) or the legacy MIN_NOTIONAL (max None, ``applyToMarket`` for min)."""

    min_notional: Decimal
    max_notional: Decimal | None = None
    legacy: bool = False
    apply_min_to_market: bool = True
    apply_max_to_market: bool = True
    avg_price_mins: int = 0


@dataclass(frozen=True)
class PercentPriceBySide:
    bid_multiplier_up: Decimal
    bid_multiplier_down: Decimal
    ask_multiplier_up: Decimal
    ask_multiplier_down: Decimal
    avg_price_mins: int = 0


@dataclass(frozen=True)
class PercentPrice:
    multiplier_up: Decimal
    multiplier_down: Decimal
    avg_price_mins: int = 0


@dataclass(frozen=True)
class TrailingDeltaFilter:
    min_above: int
    max_above: int
    min_below: int
    max_below: int


@dataclass(frozen=True)
class SymbolRules:
    """One symbol of exchangeInfo, with the filters the tool checks typed and the rest kept raw."""

    symbol: str
    status: str
    base_asset: str
    quote_asset: str
    base_asset_precision: int
    quote_asset_precision: int
    order_types: frozenset[str]
    oco_allowed: bool
    allow_trailing_stop: bool = False
    iceberg_allowed: bool = False
    price_filter: PriceFilter | None = None
    lot_size: LotSize | None = None
    notional: NotionalFilter | None = None
    percent_price_by_side: PercentPriceBySide | None = None
    percent_price: PercentPrice | None = None
    trailing_delta: TrailingDeltaFilter | None = None
    max_num_orders: int | None = None
    max_num_algo_orders: int | None = None
    max_num_order_lists: int | None = None
    max_num_iceberg_orders: int | None = None
    iceberg_parts: int | None = None
    max_position: Decimal | None = None
    permission_sets: tuple[frozenset[str], ...] = ()  # each set: one of them (rest-api.md)


@dataclass(frozen=True)
class AccountFilters:
    """Account-wide EXCHANGE_MAX_* filters (None: not enforced)."""

    max_num_orders: int | None = None
    max_num_algo_orders: int | None = None
    max_num_order_lists: int | None = None
    max_num_iceberg_orders: int | None = None


@dataclass(frozen=True)
class ExchangeInfo:
    symbols: Mapping[str, SymbolRules]
    rate_limits: tuple[RateLimit, ...] = ()
    account_filters: AccountFilters = AccountFilters()
    server_time: int | None = None


# --- requests the tool sends --------------------------------------------------------------------


@dataclass(frozen=True)
class LegRequest:
    leg: Leg
    client_order_id: str


@dataclass(frozen=True)
class OcoRequest:
    """Everything ``POST /api/v3/orderList/oco`` needs; ids are deterministic (identity.py)."""

    symbol: str
    side: Side
    quantity: Decimal
    list_client_order_id: str
    above: LegRequest
    below: LegRequest


# --- the live state the planner reads -----------------------------------------------------------


class HistoryOutcome(StrEnum):
    """What became of a desired bracket's list that is not open now (README "What a plan means")."""

    NEVER_PLACED = "never-placed"
    FIRED = "fired"  # a leg filled (or triggered and is working): never re-place
    CANCELLED_BY_TOOL = "cancelled-by-tool"  # we cancelled it (prune/replace) and it came back
    CANCELLED_OUTSIDE = "cancelled-outside"  # cancelled by hand / another tool: drift
    EXPIRED = "expired"  # expired by the exchange without a fill: drift


@dataclass(frozen=True)
class ListHistory:
    """The latest list with a given client id that is no longer open, and what happened to it."""

    list_client_order_id: str
    outcome: HistoryOutcome
    order_list: OrderList | None = None
    detail: str = ""


@dataclass(frozen=True)
class Fired:
    """What fired a bracket, for machine readers of a plan: the leg (``take_profit`` /
    ``stop_loss``), its client id, the status the exchange reports (FILLED, PARTIALLY_FILLED, NEW
    for a triggered stop-limit leg; TRIGGERED / FINISHED for a futures leg), what it executed and
    its price. Fields the exchange did not tell are None (a bracket assumed fired)."""

    leg: str | None = None
    client_order_id: str | None = None
    status: str | None = None
    executed_qty: Decimal | None = None
    price: Decimal | None = None


@dataclass(frozen=True)
class Remnant:
    """A leg of a managed list working after its list is done (rest-api.md "New Order list - OCO
    (TRADE)": one fills, even partly: the other expires; enums.md "Order list status")."""

    name: str  # the bracket it belongs to (from its client order id: identity.py)
    list_client_order_id: str
    order: OrderReport
    take_profit: bool
