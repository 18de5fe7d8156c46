"""Where a leg triggers and when it trades, given the market price (rest-api.md "New order"
STOP_LOSS / TAKE_PROFIT types).

Simplified: a trailing leg without a stop price gets a fixed trigger ``last x (1 +/- delta/10000)``
at placement (the docs' trailing stop moves with the market).
"""

from __future__ import annotations

from decimal import Decimal

from oco_reconcile.sim.engine.records import SimOrder
from oco_reconcile.sim.engine.specs import LegSpec, triggers_above

BPS = Decimal(10000)  # trailingDelta is in basis points


def trigger_price(leg: LegSpec, side: str, last: Decimal) -> Decimal | None:
    """The stop price, or for a trailing-only leg a fixed trigger derived from the last price."""
    if leg.type == "LIMIT_MAKER":
        return None
    if leg.stop_price is not None:
        return leg.stop_price
    delta = Decimal(leg.trailing_delta or 0) / BPS
    return last * (1 + delta) if triggers_above(side, leg.type) else last * (1 - delta)


def crosses(order: SimOrder, price: Decimal) -> bool:
    """A resting limit order trades when the market reaches its price."""
    return price >= order.price if order.side == "SELL" else price <= order.price


def triggers(order: SimOrder, trigger: Decimal, price: Decimal) -> bool:
    """Stop-loss: SELL below, BUY above; take-profit: SELL above, BUY below (rest-api.md)."""
    return price >= trigger if triggers_above(order.side, order.type) else price <= trigger
