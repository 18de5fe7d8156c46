"""``show``'s futures brackets: the state of each pair of algo orders, from the live read. PURE.

Binance has no OCO on futures: a bracket is two algo orders the tool ties together by their
client ids (core/usdm/identity.py). A leg that fired makes the bracket *fired* even while the
other leg is still open (``watch`` or the next ``apply`` cancels that orphan).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from oco_reconcile.core.identity import parse_leg_id
from oco_reconcile.core.usdm.identity import futures_ids
from oco_reconcile.core.usdm.model import (
    AlgoOrder,
    AlgoStatus,
    FuturesBracket,
    FuturesLiveState,
    LegRole,
)
from oco_reconcile.render.show_view import (
    BracketState,
    BracketView,
    LegView,
    algo_leg,
    take_profit_first,
)


def _role(owner: str, order: AlgoOrder) -> str:
    parsed = parse_leg_id(owner, order.client_algo_id)
    if parsed is None:
        return "order"
    return (LegRole.TAKE_PROFIT if parsed.take_profit else LegRole.STOP_LOSS).label


def open_by_name(usdm: FuturesLiveState, owner: str) -> dict[str, list[AlgoOrder]]:
    """The open managed algo orders of each bracket name (any version of the bracket)."""
    found: dict[str, list[AlgoOrder]] = {}
    for order in sorted(usdm.open_algo_orders, key=lambda o: (o.symbol, o.algo_id)):
        parsed = parse_leg_id(owner, order.client_algo_id)
        if parsed is not None:
            found.setdefault(parsed.name, []).append(order)
    return found


def _state(opened: Sequence[AlgoOrder], closed: Sequence[AlgoOrder]) -> tuple[BracketState, str]:
    fired = [order for order in closed if order.status.has_fired]
    if fired:
        rest = "; the other leg is still open (watch or apply cancels it)" if opened else ""
        return BracketState.FIRED, f"{fired[0].order_type} triggered{rest}"
    if len(opened) >= len(LegRole):
        return BracketState.OPEN, ""
    if opened:
        return BracketState.ONE_LEG_OPEN, "one leg is open, the other is gone without firing"
    if any(order.status is AlgoStatus.CANCELED for order in closed):
        return BracketState.CANCELLED, "cancelled"
    if closed:
        return BracketState.EXPIRED, f"{closed[0].status.value.lower()} on the exchange"
    return BracketState.NOT_PLACED, ""


def _legs(owner: str, orders: Iterable[AlgoOrder]) -> tuple[LegView, ...]:
    return take_profit_first(algo_leg(order, _role(owner, order)) for order in orders)


def futures_bracket(bracket: FuturesBracket, usdm: FuturesLiveState, owner: str) -> BracketView:
    ids = futures_ids(owner, bracket)
    opened = open_by_name(usdm, owner).get(bracket.name, [])
    history = (usdm.history.get(ids.leg_id(role)) for role in LegRole)
    closed = [order for order in history if order is not None]
    state, detail = _state(opened, closed)
    legs = _legs(owner, [*opened, *closed])
    list_id = ids.bracket_id if legs else None
    return BracketView(
        bracket.name,
        "usdm",
        bracket.symbol,
        bracket.side.value,
        state,
        legs,
        bracket.source,
        list_id,
        detail,
    )


def stray_futures(usdm: FuturesLiveState, owner: str, known: set[str]) -> tuple[BracketView, ...]:
    """Managed algo orders whose bracket no file read defines."""
    views = []
    for name, opened in sorted(open_by_name(usdm, owner).items()):
        if name in known:
            continue
        state, detail = _state(opened, ())
        first = opened[0]
        parsed = parse_leg_id(owner, first.client_algo_id)
        list_id = None if parsed is None else parsed.list_client_order_id
        views.append(
            BracketView(
                name,
                "usdm",
                first.symbol,
                first.side.value,
                state,
                _legs(owner, opened),
                None,
                list_id,
                detail,
            )
        )
    return tuple(views)


def futures_brackets(
    brackets: Sequence[FuturesBracket],
    usdm: FuturesLiveState,
    owner: str,
    outside: Mapping[str, str],
) -> tuple[BracketView, ...]:
    """Every desired futures bracket, then the managed algo orders no file read defines."""
    views = [futures_bracket(bracket, usdm, owner) for bracket in brackets]
    known = {bracket.name for bracket in brackets} | set(outside)
    return (*views, *stray_futures(usdm, owner, known))
