"""What a futures request asks for, once the wire layer parsed its parameters: checked against
the account and the contract rules by ``validation.py``, then placed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ALGO_TYPES = ("STOP_MARKET", "TAKE_PROFIT_MARKET", "STOP", "TAKE_PROFIT")
# TRAILING_STOP_MARKET is an algo type too; the simulator does not model it (docs/simulator.md)
CONDITIONAL_TYPES = (*ALGO_TYPES, "TRAILING_STOP_MARKET")
ORDER_TYPES = ("MARKET", "LIMIT")
WORKING_TYPES = ("MARK_PRICE", "CONTRACT_PRICE")
POSITION_SIDES = ("BOTH", "LONG", "SHORT")
TIMES_IN_FORCE = ("GTC", "IOC", "FOK", "GTX", "GTD")


@dataclass(frozen=True)
class AlgoSpec:
    """``POST /fapi/v1/algoOrder`` (New-Algo-Order.md), ``algoType=CONDITIONAL``."""

    symbol: str
    side: str
    order_type: str
    position_side: str | None = None
    quantity: Decimal | None = None
    trigger_price: Decimal | None = None
    price: Decimal | None = None
    working_type: str = "CONTRACT_PRICE"
    close_position: bool = False
    reduce_only: bool | None = None
    price_protect: bool = False
    time_in_force: str = "GTC"
    client_algo_id: str | None = None
    self_trade_prevention_mode: str = "NONE"
    price_match: str = "NONE"
    good_till_date: int = 0


@dataclass(frozen=True)
class FuturesOrderSpec:
    """``POST /fapi/v1/order`` with a MARKET or LIMIT type."""

    symbol: str
    side: str
    order_type: str
    quantity: Decimal
    position_side: str | None = None
    price: Decimal | None = None
    reduce_only: bool | None = None
    time_in_force: str = "GTC"
    client_order_id: str | None = None
