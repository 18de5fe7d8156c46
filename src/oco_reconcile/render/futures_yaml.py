"""``import`` for futures: open algo orders -> ``market: usdm`` bracket YAML.

Pure, like :mod:`~oco_reconcile.render.brackets_yaml`. A pair of open algo orders becomes one
bracket when they are a take-profit and a stop-loss type on the same symbol, side, position side,
working type and size (``close`` or the same quantity):

* the two legs of one of this owner's brackets (``{owner}-{name}-{hash}-tp/-sl``) are written
  under that name with the ``rev`` whose spec hash reproduces the ids, else with ``adopt``;
* an unmanaged pair (placed in the app, say) is written as ``<symbol>-<algoId>`` with
  ``adopt: [tp id, sl id]``, so the plan takes the pair as the bracket while it matches.

An order that pairs with nothing (an orphan whose sibling triggered or was cancelled, or a type a
bracket never uses) is left out with a comment naming it: no bracket can stand for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.identity import NAME_RE, max_name_length, parse_leg_id, parse_list_id
from oco_reconcile.core.model import TimeInForce
from oco_reconcile.core.usdm.identity import futures_spec_hash
from oco_reconcile.core.usdm.model import (
    AlgoOrder,
    AlgoOrderType,
    FuturesBracket,
    FuturesLeg,
    LegRole,
    PositionSide,
    WorkingType,
)
from oco_reconcile.render.yaml_scalars import quote

MAX_REV_SEARCH = 1000


@dataclass(frozen=True)
class ImportedPair:
    """A futures bracket made from two open algo orders, or one order left out and why."""

    orders: tuple[AlgoOrder, ...]
    bracket: FuturesBracket | None
    skipped: str = ""


def import_algo_orders(orders: Sequence[AlgoOrder], owner: str) -> tuple[ImportedPair, ...]:
    """Every open algo order paired into a bracket or left out, in a stable order."""
    pending = sorted((o for o in orders if o.status.is_open), key=lambda o: (o.symbol, o.algo_id))
    result: list[ImportedPair] = []
    taken: set[str] = set()
    while pending:
        first = pending.pop(0)
        partner = _partner(first, pending, owner)
        if partner is None:
            result.append(ImportedPair((first,), None, _why_alone(first)))
            continue
        pending.remove(partner)
        result.append(_pair(first, partner, owner, taken))
    return tuple(result)


def _key(order: AlgoOrder) -> tuple[object, ...]:
    size = "close" if order.close_position else order.quantity
    return (order.symbol, order.side, order.position_side, order.working_type, size)


def _role(order: AlgoOrder) -> LegRole | None:
    known = {item.value: item for item in AlgoOrderType}
    kind = known.get(order.order_type)
    return None if kind is None else kind.role


def _partner(order: AlgoOrder, pending: Sequence[AlgoOrder], owner: str) -> AlgoOrder | None:
    """The other leg: our sibling id when ``order`` is ours, else the first matching order."""
    role = _role(order)
    if role is None:
        return None
    mine = parse_leg_id(owner, order.client_algo_id)
    for other in pending:
        if _role(other) in (None, role) or _key(other) != _key(order):
            continue
        theirs = parse_leg_id(owner, other.client_algo_id)
        same_bracket = (
            mine is not None
            and theirs is not None
            and theirs.list_client_order_id == mine.list_client_order_id
        )
        if same_bracket or (mine is None and theirs is None):
            return other
    return None


def _why_alone(order: AlgoOrder) -> str:
    if _role(order) is None:
        return f"a {order.order_type} order, not a take-profit or stop-loss leg"
    return "no matching other leg is open (its sibling triggered or was cancelled?)"


def _pair(a: AlgoOrder, b: AlgoOrder, owner: str, taken: set[str]) -> ImportedPair:
    take_profit, stop_loss = (a, b) if _role(a) is LegRole.TAKE_PROFIT else (b, a)
    parsed = parse_leg_id(owner, take_profit.client_algo_id)
    name = parsed.name if parsed is not None else _unmanaged_name(take_profit, owner)
    if name in taken:
        return ImportedPair((a, b), None, f"another pair already imported as '{name}'")
    taken.add(name)
    bracket = FuturesBracket(
        name=name,
        symbol=take_profit.symbol,
        side=take_profit.side,
        quantity=None if take_profit.close_position else take_profit.quantity,
        take_profit=_leg(take_profit),
        stop_loss=_leg(stop_loss),
        working_type=take_profit.working_type,
        price_protect=take_profit.price_protect,
        position_side=take_profit.position_side,
    )
    managed = None if parsed is None else parse_list_id(owner, parsed.list_client_order_id)
    rev = None if managed is None else _rev_for(bracket, managed.digest)
    if rev is None:
        ids = (take_profit.client_algo_id, stop_loss.client_algo_id)
        return ImportedPair((a, b), replace(bracket, adopt=ids))
    return ImportedPair((a, b), replace(bracket, rev=rev))


def _leg(order: AlgoOrder) -> FuturesLeg:
    kind = AlgoOrderType(order.order_type)
    if kind.is_market:
        return FuturesLeg(kind, order.trigger_price)
    tif = TimeInForce(order.time_in_force) if order.time_in_force in ("GTC", "IOC", "FOK") else None
    return FuturesLeg(kind, order.trigger_price, order.price, tif or TimeInForce.GTC)


def _unmanaged_name(order: AlgoOrder, owner: str) -> str:
    name = f"{order.symbol.lower()}-{order.algo_id}"
    name = name if NAME_RE.match(name) else f"algo-{order.algo_id}"
    return name[: max_name_length(owner)]


def _rev_for(bracket: FuturesBracket, digest: str) -> int | None:
    for rev in range(MAX_REV_SEARCH):
        if futures_spec_hash(replace(bracket, rev=rev)) == digest:
            return rev
    return None


# --- YAML ---------------------------------------------------------------------------------------


def skipped_lines(imported: Iterable[ImportedPair]) -> list[str]:
    return [
        f"# skipped algo order {order.client_algo_id} ({order.symbol}, algoId {order.algo_id}): "
        f"{item.skipped}"
        for item in imported
        if item.bracket is None
        for order in item.orders
    ]


def futures_bracket_lines(bracket: FuturesBracket) -> list[str]:
    """One bracket in the form ``validate`` reads back as the same bracket."""
    quantity = "close" if bracket.quantity is None else quote(to_wire(bracket.quantity))
    lines = [
        f"  - name: {quote(bracket.name)}",
        "    market: usdm",
        f"    symbol: {quote(bracket.symbol)}",
        f"    side: {bracket.side.value}",
        f"    quantity: {quantity}",
    ]
    for key, leg in (("take_profit", bracket.take_profit), ("stop_loss", bracket.stop_loss)):
        lines.append(f"    {key}:")
        lines += [f"      {field}: {value}" for field, value in _leg_fields(leg)]
    if bracket.working_type is not WorkingType.CONTRACT_PRICE:
        lines.append(f"    working_type: {bracket.working_type.value}")
    if bracket.price_protect:
        lines.append("    price_protect: true")
    if bracket.position_side is not PositionSide.BOTH:
        lines.append(f"    position_side: {bracket.position_side.value}")
    if bracket.rev:
        lines.append(f"    rev: {bracket.rev}")
    if bracket.adopt:
        lines.append("    adopt: [" + ", ".join(quote(item) for item in bracket.adopt) + "]")
    return lines


def _leg_fields(leg: FuturesLeg) -> Iterable[tuple[str, str]]:
    yield "stop_price", quote(to_wire(leg.trigger_price))
    if leg.price is not None:
        yield "price", quote(to_wire(leg.price))
    if leg.time_in_force is not None and leg.time_in_force is not TimeInForce.GTC:
        yield "time_in_force", leg.time_in_force.value
