"""Field-by-field views of a futures bracket and of its live algo orders, for diffs (PURE).

Names are the bracket file's (``take_profit.stop_price`` ...), so a plan reads like the YAML.
"""

from __future__ import annotations

from collections.abc import Iterable

from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.usdm.model import AlgoOrder, AlgoRequest, AlgoStep, FuturesBracket, LegRole
from oco_reconcile.core.usdm.requests import order_role

LEG_VIEW_FIELDS = ("type", "stop_price", "price", "time_in_force")
FUTURES_VIEW_FIELDS = (
    "market",
    "symbol",
    "side",
    "quantity",
    "position_side",
    "working_type",
    "price_protect",
    *(f"{role}.{name}" for role in ("take_profit", "stop_loss") for name in LEG_VIEW_FIELDS),
)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def futures_bracket_view(bracket: FuturesBracket) -> dict[str, str | None]:
    view: dict[str, str | None] = {
        "market": "usdm",
        "symbol": bracket.symbol,
        "side": bracket.side.value,
        "quantity": "close" if bracket.quantity is None else to_wire(bracket.quantity),
        "position_side": bracket.position_side.value,
        "working_type": bracket.working_type.value,
        "price_protect": _flag(bracket.price_protect),
    }
    for role in LegRole:
        prefix = role.field
        leg = bracket.leg(role)
        limit = not leg.type.is_market
        tif = (leg.time_in_force.value if leg.time_in_force else "GTC") if limit else None
        view[f"{prefix}.type"] = leg.type.value
        view[f"{prefix}.stop_price"] = to_wire(leg.trigger_price)
        view[f"{prefix}.price"] = None if leg.price is None else to_wire(leg.price)
        view[f"{prefix}.time_in_force"] = tif
    return view


def futures_orders_view(orders: Iterable[AlgoOrder]) -> dict[str, str | None]:
    """The same view of a bracket's live orders (the first of each role; a missing leg: none)."""
    view: dict[str, str | None] = dict.fromkeys(FUTURES_VIEW_FIELDS)
    for order in orders:
        role = order_role(order)
        prefix = None if role is None else role.field
        if prefix is None or view[f"{prefix}.type"] is not None:
            continue
        view.update(_common(order))
        limit = order.order_type in ("TAKE_PROFIT", "STOP")
        view[f"{prefix}.type"] = order.order_type
        view[f"{prefix}.stop_price"] = to_wire(order.trigger_price)
        view[f"{prefix}.price"] = to_wire(order.price) if limit and order.price else None
        view[f"{prefix}.time_in_force"] = order.time_in_force if limit else None
    return view


def _common(order: AlgoOrder) -> dict[str, str | None]:
    quantity = (
        "close" if order.close_position or order.quantity is None else to_wire(order.quantity)
    )
    return {
        "market": "usdm",
        "symbol": order.symbol,
        "side": order.side.value,
        "quantity": quantity,
        "position_side": order.position_side.value,
        "working_type": order.working_type.value,
        "price_protect": _flag(order.price_protect),
    }


def step_text(step: AlgoStep) -> str:
    """One step as a plan shows it: ``places ... (stop-loss STOP_MARKET at 98000)``."""
    if isinstance(step, AlgoRequest):
        trigger = to_wire(step.trigger_price)
        return f"places  {step.client_algo_id} ({step.role.label} {step.type.value} at {trigger})"
    return f"cancels {step.client_algo_id}"
