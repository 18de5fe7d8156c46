"""Remnants in a plan: a leg that keeps working after its list is done still sells (or buys) for
its bracket, so it is shown, counted and cancelled before anything new is placed for it.

When one order of an OCO fills, even partly, the other expires and the list is done, while the
filled order keeps working with the rest (rest-api.md "New Order list - OCO (TRADE)"; enums.md
"Order list status", "List order status"). Placing a new list next to it would sell twice. The
rules (README "What a plan means"):

* bracket unchanged -> no-op with a *partly fired* notice (bump ``rev`` to re-arm);
* bracket edited or ``rev`` bumped -> replace: cancel the remnant (``DELETE /api/v3/order``), then
  place the new list; ``protect: true`` refuses it as any cancel;
* bracket deleted -> the remnant is cancelled when ``prune`` (it is not a partly executed *list*
  that still protects a position: its other leg is already gone), kept otherwise.

Remnants are found among the open orders the reader fetched (venues/spot/live.py): the desired
symbols and those of managed open lists. A deleted bracket's remnant on a symbol nothing else uses
is not seen until a bracket of that symbol is desired again. PURE: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.identity import cancel_id_for
from oco_reconcile.core.model import OrderReport, Remnant
from oco_reconcile.core.plan import RemnantStep


def by_name(remnants: Iterable[Remnant]) -> dict[str, tuple[Remnant, ...]]:
    """The remnants of each bracket name, in the order read (symbol, order id)."""
    found: dict[str, list[Remnant]] = {}
    for remnant in remnants:
        found.setdefault(remnant.name, []).append(remnant)
    return {name: tuple(items) for name, items in found.items()}


def steps(remnants: Iterable[Remnant]) -> tuple[RemnantStep, ...]:
    """One order cancel per remnant, named ``<list id>-cx`` like our list cancels (identity.py)."""
    return tuple(RemnantStep(r, cancel_id_for(r.list_client_order_id)) for r in remnants)


def remaining(order: OrderReport) -> Decimal:
    return max(order.orig_qty - order.executed_qty, Decimal(0))


def _price(order: OrderReport) -> str:
    price = order.price if order.price > 0 else order.stop_price
    return "market" if price is None else to_wire(price)


def working_text(order: OrderReport) -> str:
    """``0.04 still working at 125000``."""
    return f"{to_wire(remaining(order))} still working at {_price(order)}"


def partly_fired_message(remnants: Sequence[Remnant]) -> str:
    """The notice of an unchanged bracket with remnants (one clause per remnant)."""
    parts = []
    for remnant in remnants:
        order = remnant.order
        other = "stop-loss" if remnant.take_profit else "take-profit"
        executed = f"executed {to_wire(order.executed_qty)} of {to_wire(order.orig_qty)}"
        # A stop that triggered works before it fills (enums.md "Order status").
        done = "triggered and is working"
        if order.executed_qty:
            done = f"{executed} at {_price(order)}"
        parts.append(f"{order.type} leg {done}; {working_text(order)}; the {other} leg is gone")
    return f"partly fired: {'; '.join(parts)} -- bump rev to re-arm"


def replace_reason(remnants: Sequence[Remnant]) -> str:
    lists = ", ".join(sorted({r.list_client_order_id for r in remnants}))
    return f"a leg of {lists} is still working: cancel it, then place the new list"
