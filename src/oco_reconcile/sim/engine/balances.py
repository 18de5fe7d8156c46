"""What an order list locks of the account's balances, and how a fill settles (no fees).

* A SELL OCO locks ``quantity`` of the base asset once (both legs share it); a BUY OCO locks
  ``quantity x`` the higher leg price (limit price, else stop price) of the quote asset.
* While a list lives the locked amount follows what its open orders still need
  (:func:`sync_locked`); balances settle at the fill price.
* An order placed on its own locks what its remaining quantity needs, the same way (SELL: the
  base quantity; BUY: quantity x limit price, else stop price, else the last price), and
  releases it when it is cancelled or expires (:func:`lock_order` / :func:`release_order`).
"""

from __future__ import annotations

from decimal import Decimal

from oco_reconcile.json_types import JsonMapping
from oco_reconcile.sim.engine.book import orders_of
from oco_reconcile.sim.engine.prices import trigger_price
from oco_reconcile.sim.engine.records import ZERO, EngineState, SimOrder, SimOrderList
from oco_reconcile.sim.engine.specs import LegSpec, Request


def lock_needed(symbol: JsonMapping, spec: Request, last: Decimal) -> tuple[str, Decimal]:
    """The asset and amount placing ``spec`` (an OCO or an order on its own) locks."""
    if spec.side == "SELL":
        return str(symbol["baseAsset"]), spec.quantity
    prices = [_leg_lock_price(leg, last, spec.side) for leg in spec.legs]
    return str(symbol["quoteAsset"]), spec.quantity * max(prices)


def _leg_lock_price(leg: LegSpec, last: Decimal, side: str) -> Decimal:
    if leg.price is not None:
        return leg.price
    return trigger_price(leg, side, last) or last


def settle(
    state: EngineState,
    order_list: SimOrderList | None,
    order: SimOrder,
    qty: Decimal,
    price: Decimal,
) -> None:
    """Move the filled part out of the lock and credit the other asset (no fees)."""
    symbol = state.symbols[order.symbol]
    base, quote = state.holding(symbol["baseAsset"]), state.holding(symbol["quoteAsset"])
    reserved = qty if order.side == "SELL" else qty * _order_lock_price(state, order)
    if order_list is not None:
        order_list.lock_amount -= reserved
    if order.side == "SELL":
        base.locked -= qty
        quote.free += qty * price
        return
    quote.locked -= reserved
    quote.free += reserved - qty * price
    base.free += qty


def order_lock(state: EngineState, order: SimOrder) -> tuple[str, Decimal]:
    """The asset and amount an order on its own holds for its remaining quantity."""
    symbol = state.symbols[order.symbol]
    if order.side == "SELL":
        return str(symbol["baseAsset"]), order.remaining
    return str(symbol["quoteAsset"]), order.remaining * _order_lock_price(state, order)


def lock_order(state: EngineState, order: SimOrder) -> None:
    asset, amount = order_lock(state, order)
    holding = state.holding(asset)
    holding.free -= amount
    holding.locked += amount


def release_order(state: EngineState, order: SimOrder) -> None:
    asset, amount = order_lock(state, order)
    holding = state.holding(asset)
    holding.free += amount
    holding.locked -= amount


def _order_lock_price(state: EngineState, order: SimOrder) -> Decimal:
    if order.has_limit_price:
        return order.price
    return order.trigger_price or state.prices[order.symbol]


def sync_locked(state: EngineState, order_list: SimOrderList) -> None:
    """Keep the locked amount equal to what the list's open orders still need."""
    needed = ZERO
    for order in orders_of(state, order_list):
        if order.is_open:
            per_unit = 1 if order.side == "SELL" else _order_lock_price(state, order)
            needed = max(needed, order.remaining * per_unit)
    delta = needed - order_list.lock_amount
    holding = state.holding(order_list.lock_asset)
    holding.free -= delta
    holding.locked += delta
    order_list.lock_amount = needed
