"""A requested OCO or order as values: the leg types Binance knows, :class:`LegSpec`,
:class:`OcoSpec` and :class:`OrderSpec`.

Both OCO placement endpoints' parameters are normalised into an :class:`OcoSpec` by the wire layer
before the engine sees them (rest-api.md "New Order list - OCO (TRADE)"; the deprecated
``POST /api/v3/order/oco``); ``POST /api/v3/order`` into an :class:`OrderSpec` ("New order
(TRADE)"). The filters see either as a :class:`Request`: legs sharing one quantity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from oco_reconcile.json_types import JsonMapping

TAKE_PROFIT_TYPES = frozenset({"LIMIT_MAKER", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"})
STOP_LOSS_TYPES = frozenset({"STOP_LOSS", "STOP_LOSS_LIMIT"})
OCO_TYPES = TAKE_PROFIT_TYPES | STOP_LOSS_TYPES
PRICED_TYPES = frozenset({"LIMIT_MAKER", "TAKE_PROFIT_LIMIT", "STOP_LOSS_LIMIT"})
TIME_IN_FORCE_TYPES = frozenset({"TAKE_PROFIT_LIMIT", "STOP_LOSS_LIMIT"})
ALGO_TYPES = OCO_TYPES - {"LIMIT_MAKER"}
ORDER_TYPES = OCO_TYPES | {"LIMIT", "MARKET"}  # enums.md "Order types"
TIME_IN_FORCE_VALUES = ("GTC", "IOC", "FOK")
ABOVE = "above"
BELOW = "below"
ORDERS_PER_OCO = 2  # an OCO adds two orders (and one order list) to every open-order count

SymbolInfo = JsonMapping
"""One symbol's ``exchangeInfo`` entry."""


def take_profit_position(side: str) -> str:
    """Where the take-profit family sits: above the market for a SELL, below for a BUY
    (rest-api.md "New Order list - OCO (TRADE)")."""
    return ABOVE if side == "SELL" else BELOW


def triggers_above(side: str, leg_type: str) -> bool:
    """Whether the leg fires when the price rises to its trigger: a BUY stop-loss or a SELL
    take-profit; a SELL stop-loss and a BUY take-profit fire on a fall (rest-api.md)."""
    return (side == "BUY") == (leg_type in STOP_LOSS_TYPES)


@dataclass(frozen=True)
class LegSpec:
    """One leg of a requested OCO, normalised from either endpoint's parameters.

    ``wire_names`` maps a field (``price``, ``stopPrice`` ...) to the parameter name the request
    used, for error messages; by default ``{position}{Field}`` as ``/orderList/oco`` names them.
    """

    position: str
    type: str
    client_order_id: str | None = None
    price: Decimal | None = None
    stop_price: Decimal | None = None
    trailing_delta: int | None = None
    time_in_force: str | None = None
    iceberg_qty: Decimal | None = None
    strategy_id: int | None = None
    strategy_type: int | None = None
    wire_names: Mapping[str, str] = field(default_factory=dict)

    def name(self, field_name: str) -> str:
        if field_name in self.wire_names:
            return self.wire_names[field_name]
        return self.position + field_name[0].upper() + field_name[1:]

    @property
    def is_take_profit(self) -> bool:
        return self.type in TAKE_PROFIT_TYPES


@dataclass(frozen=True)
class OcoSpec:
    """A requested OCO: both endpoints' parameters end up here before the engine sees them."""

    symbol: str
    side: str
    quantity: Decimal
    above: LegSpec
    below: LegSpec
    list_client_order_id: str | None = None
    self_trade_prevention_mode: str | None = None
    quantity_name: str = "quantity"

    @property
    def legs(self) -> tuple[LegSpec, LegSpec]:
        return (self.above, self.below)

    @property
    def order_lists(self) -> int:
        return 1


class Request(Protocol):
    """What the filters and the precision check read: legs sharing one quantity."""

    @property
    def symbol(self) -> str: ...
    @property
    def side(self) -> str: ...
    @property
    def quantity(self) -> Decimal: ...
    @property
    def quantity_name(self) -> str: ...
    @property
    def legs(self) -> tuple[LegSpec, ...]: ...
    @property
    def order_lists(self) -> int:
        """How many order lists the request opens."""
        ...


@dataclass(frozen=True)
class OrderSpec:
    """A requested order on its own (rest-api.md "New order (TRADE)"); ``quantity`` is None when
    a MARKET order sent ``quoteOrderQty`` instead."""

    symbol: str
    side: str
    type: str
    quantity: Decimal | None = None
    quote_order_qty: Decimal | None = None
    price: Decimal | None = None
    stop_price: Decimal | None = None
    trailing_delta: int | None = None
    time_in_force: str | None = None
    iceberg_qty: Decimal | None = None
    client_order_id: str | None = None
    strategy_id: int | None = None
    strategy_type: int | None = None
    self_trade_prevention_mode: str | None = None

    @property
    def leg(self) -> LegSpec:
        return LegSpec(
            position="",
            type=self.type,
            client_order_id=self.client_order_id,
            price=self.price,
            stop_price=self.stop_price,
            trailing_delta=self.trailing_delta,
            time_in_force=self.time_in_force,
            iceberg_qty=self.iceberg_qty,
            strategy_id=self.strategy_id,
            strategy_type=self.strategy_type,
            wire_names=_SINGLE_ORDER_NAMES,
        )


_SINGLE_ORDER_NAMES = {name: name for name in ("price", "stopPrice", "trailingDelta", "icebergQty")}


@dataclass(frozen=True)
class SingleRequest:
    """An :class:`OrderSpec` with its quantity known, as the filters see it."""

    symbol: str
    side: str
    quantity: Decimal
    legs: tuple[LegSpec, ...]
    quantity_name: str = "quantity"
    order_lists: int = 0
