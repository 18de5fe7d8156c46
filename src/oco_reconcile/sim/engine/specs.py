"""A requested OCO as values: the leg types Binance knows, :class:`LegSpec` and :class:`OcoSpec`.

Both placement endpoints' parameters are normalised into an :class:`OcoSpec` by the wire layer
before the engine sees them (rest-api.md "New Order list - OCO (TRADE)"; the deprecated
``POST /api/v3/order/oco``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from oco_reconcile.json_types import JsonMapping

TAKE_PROFIT_TYPES = frozenset({"LIMIT_MAKER", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"})
STOP_LOSS_TYPES = frozenset({"STOP_LOSS", "STOP_LOSS_LIMIT"})
OCO_TYPES = TAKE_PROFIT_TYPES | STOP_LOSS_TYPES
PRICED_TYPES = frozenset({"LIMIT_MAKER", "TAKE_PROFIT_LIMIT", "STOP_LOSS_LIMIT"})
TIME_IN_FORCE_TYPES = frozenset({"TAKE_PROFIT_LIMIT", "STOP_LOSS_LIMIT"})
ALGO_TYPES = OCO_TYPES - {"LIMIT_MAKER"}
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
