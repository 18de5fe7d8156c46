"""A futures bracket's legs as the exact ``POST /fapi/v1/algoOrder`` requests, and the test of
whether a live algo order is one of them (PURE)."""

from __future__ import annotations

from oco_reconcile.core.model import TimeInForce
from oco_reconcile.core.usdm.identity import futures_ids
from oco_reconcile.core.usdm.model import AlgoOrder, AlgoRequest, FuturesBracket, LegRole


def leg_request(owner: str, bracket: FuturesBracket, role: LegRole, hedge: bool) -> AlgoRequest:
    """One leg's request. ``reduceOnly`` only for a numeric quantity in one-way mode: Binance
    refuses it in hedge mode and with ``closePosition`` (binance-api.md §10.3, §10.5)."""
    leg = bracket.leg(role)
    limit = not leg.type.is_market
    return AlgoRequest(
        symbol=bracket.symbol,
        side=bracket.side,
        position_side=bracket.position_side,
        type=leg.type,
        client_algo_id=futures_ids(owner, bracket).leg_id(role),
        trigger_price=leg.trigger_price,
        working_type=bracket.working_type,
        price_protect=bracket.price_protect,
        price=leg.price if limit else None,
        quantity=bracket.quantity,
        reduce_only=bracket.quantity is not None and not hedge,
        time_in_force=(leg.time_in_force or TimeInForce.GTC) if limit else None,
    )


def is_request(order: AlgoOrder, request: AlgoRequest) -> bool:
    """True when the live order is exactly this request (its id aside)."""
    tif = None if request.time_in_force is None else request.time_in_force.value
    return (
        order.symbol == request.symbol
        and order.side is request.side
        and order.position_side is request.position_side
        and order.order_type == request.type.value
        and order.trigger_price == request.trigger_price
        and (order.price or None) == request.price
        and order.close_position == request.close_position
        and (None if order.close_position else order.quantity) == request.quantity
        and order.working_type is request.working_type
        and order.price_protect == request.price_protect
        and (order.time_in_force if request.time_in_force is not None else None) == tif
    )


def order_role(order: AlgoOrder) -> LegRole | None:
    """The role a live order plays by its type (None: a type a bracket never places)."""
    if order.order_type in ("TAKE_PROFIT_MARKET", "TAKE_PROFIT"):
        return LegRole.TAKE_PROFIT
    if order.order_type in ("STOP_MARKET", "STOP"):
        return LegRole.STOP_LOSS
    return None
