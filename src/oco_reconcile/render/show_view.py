"""What ``show`` reports, built from the live state ``plan`` reads: every managed bracket with its
legs' status, the unmanaged order lists and algo orders, and the futures positions. PURE: no I/O.

A bracket's state comes from the same evidence the planner uses (core/history.py,
core/remnants.py): its open list (or legs), a working remnant, else what its latest closed list
(or algo order) says happened. Nothing is planned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.identity import bracket_ids, parse_leg_id, parse_list_id
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.model import (
    Bracket,
    HistoryOutcome,
    OrderList,
    OrderReport,
    SourceLocation,
)
from oco_reconcile.core.remnants import by_name
from oco_reconcile.core.usdm.model import AlgoOrder, FuturesLiveState


class BracketState(StrEnum):
    """A managed bracket's state on the exchange (the ``state`` key of ``show --format json``)."""

    OPEN = "open"  # both legs on the book (a Spot list, or both futures algo orders)
    PARTLY_FIRED = "partly-fired"  # a leg filled partly or triggered and keeps working
    ONE_LEG_OPEN = "one-leg-open"  # futures: one algo order open, the other gone unfired
    FIRED = "fired"  # a leg filled or triggered: never re-placed (bump rev to re-arm)
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    NOT_PLACED = "not-placed"


@dataclass(frozen=True)
class LegView:
    """One order of a bracket or of an unmanaged list, as read; money as canonical strings."""

    role: str  # take-profit / stop-loss; above / below for an unmanaged list's legs
    client_order_id: str
    type: str
    status: str
    side: str
    quantity: str | None  # None: closes the whole position (futures ``quantity: close``)
    executed: str | None = None
    price: str | None = None
    stop_price: str | None = None  # Spot stopPrice; futures triggerPrice
    fill_price: str | None = None  # filled: the fill price where known, else the order's own


@dataclass(frozen=True)
class BracketView:
    name: str
    market: str  # spot / usdm
    symbol: str
    side: str
    state: BracketState
    legs: tuple[LegView, ...]
    source: SourceLocation | None = None  # None: not in the bracket files read
    list_client_order_id: str | None = None  # the live list (or futures bracket) id
    detail: str = ""


@dataclass(frozen=True)
class UnmanagedList:
    symbol: str
    list_client_order_id: str
    legs: tuple[LegView, ...]  # empty when its symbol's orders were not read


@dataclass(frozen=True)
class PositionView:
    symbol: str
    position_side: str
    amount: str
    entry_price: str
    mark_price: str


@dataclass(frozen=True)
class ShowView:
    exchange: str
    owner: str
    brackets: tuple[BracketView, ...]
    unmanaged_lists: tuple[UnmanagedList, ...]
    unmanaged_algo_orders: tuple[LegView, ...]
    positions: tuple[PositionView, ...] | None  # None: the futures venue was not read


def _text(value: Decimal | None) -> str | None:
    return None if value is None else to_wire(value)


def _spot_leg(order: OrderReport, owner: str) -> LegView:
    parsed = parse_leg_id(owner, order.client_order_id)
    role = "leg" if parsed is None else ("take-profit" if parsed.take_profit else "stop-loss")
    filled = order.executed_qty > 0
    own_price = order.price if order.price > 0 else order.stop_price
    return LegView(
        role=role,
        client_order_id=order.client_order_id,
        type=order.type,
        status=order.status,
        side=order.side.value,
        quantity=to_wire(order.orig_qty),
        executed=to_wire(order.executed_qty),
        price=_text(order.price) if order.price > 0 else None,
        stop_price=_text(order.stop_price),
        fill_price=_text(own_price) if filled else None,
    )


def _list_legs(order_list: OrderList | None, owner: str) -> tuple[LegView, ...]:
    if order_list is None:
        return ()
    return take_profit_first(_spot_leg(report, owner) for report in order_list.reports)


def take_profit_first(legs: Iterable[LegView]) -> tuple[LegView, ...]:
    return tuple(sorted(legs, key=lambda leg: leg.role != "take-profit"))


_OUTCOME_STATES = {
    HistoryOutcome.FIRED: BracketState.FIRED,
    HistoryOutcome.CANCELLED_BY_TOOL: BracketState.CANCELLED,
    HistoryOutcome.CANCELLED_OUTSIDE: BracketState.CANCELLED,
    HistoryOutcome.EXPIRED: BracketState.EXPIRED,
    HistoryOutcome.NEVER_PLACED: BracketState.NOT_PLACED,
}


@dataclass(frozen=True)
class _SpotIndex:
    owner: str
    open_by_name: Mapping[str, Sequence[OrderList]]
    remnants: Mapping[str, Sequence[OrderReport]]

    @staticmethod
    def of(live: LiveState, owner: str) -> _SpotIndex:
        lists: dict[str, list[OrderList]] = {}
        for item in sorted(live.open_lists, key=lambda o: (o.symbol, o.order_list_id)):
            parsed = parse_list_id(owner, item.list_client_order_id)
            if parsed is not None:
                lists.setdefault(parsed.name, []).append(item)
        found = {name: [r.order for r in items] for name, items in by_name(live.remnants).items()}
        return _SpotIndex(owner, lists, found)


def _spot_bracket(bracket: Bracket, live: LiveState, index: _SpotIndex) -> BracketView:
    empty = BracketView(
        bracket.name, "spot", bracket.symbol, bracket.side.value, BracketState.NOT_PLACED, ()
    )
    view = replace(_spot_live_part(empty, index), source=bracket.source)
    if view.state is not BracketState.NOT_PLACED:
        return view
    list_id = bracket_ids(index.owner, bracket).list_client_order_id
    history = live.history.get(list_id)
    if history is None:
        return view
    legs = _list_legs(history.order_list, index.owner)
    state = _OUTCOME_STATES[history.outcome]
    return replace(
        view, state=state, legs=legs, list_client_order_id=list_id, detail=history.detail
    )


def _spot_live_part(view: BracketView, index: _SpotIndex) -> BracketView:
    """The bracket's open list(s), else its working remnants; unchanged when neither exists."""
    lists = index.open_by_name.get(view.name, ())
    if lists:
        legs = tuple(leg for item in lists for leg in _list_legs(item, index.owner))
        detail = "" if len(lists) == 1 else f"{len(lists)} open lists carry this name"
        side = legs[0].side if legs and not view.side else view.side
        return replace(
            view,
            symbol=lists[0].symbol,
            side=side,
            state=BracketState.OPEN,
            legs=legs,
            list_client_order_id=lists[0].list_client_order_id,
            detail=detail,
        )
    remnants = index.remnants.get(view.name, ())
    if not remnants:
        return view
    parsed = parse_leg_id(index.owner, remnants[0].client_order_id)
    return replace(
        view,
        symbol=remnants[0].symbol,
        side=remnants[0].side.value,
        state=BracketState.PARTLY_FIRED,
        legs=take_profit_first(_spot_leg(order, index.owner) for order in remnants),
        list_client_order_id=None if parsed is None else parsed.list_client_order_id,
        detail="a leg keeps working after its list is done",
    )


def spot_brackets(
    brackets: Sequence[Bracket], live: LiveState, owner: str, outside: Mapping[str, str]
) -> tuple[BracketView, ...]:
    """Every desired Spot bracket, then the managed lists and remnants no file read defines
    (names defined in files outside the selection are left out, like plan leaves them alone)."""
    index = _SpotIndex.of(live, owner)
    views = [_spot_bracket(bracket, live, index) for bracket in brackets]
    known = {bracket.name for bracket in brackets} | set(outside)
    stray = sorted((set(index.open_by_name) | set(index.remnants)) - known)
    empty = BracketState.NOT_PLACED
    for name in stray:
        views.append(_spot_live_part(BracketView(name, "spot", "", "", empty, ()), index))
    return tuple(views)


def unmanaged_lists(live: LiveState, owner: str) -> tuple[UnmanagedList, ...]:
    found = [
        item for item in live.open_lists if parse_list_id(owner, item.list_client_order_id) is None
    ]
    found.sort(key=lambda o: (o.symbol, o.order_list_id))
    return tuple(
        UnmanagedList(o.symbol, o.list_client_order_id, _list_legs(o, owner)) for o in found
    )


def algo_leg(order: AlgoOrder, role: str) -> LegView:
    filled = order.status.has_fired
    return LegView(
        role=role,
        client_order_id=order.client_algo_id,
        type=order.order_type,
        status=order.status.value,
        side=order.side.value,
        quantity=None if order.close_position else _text(order.quantity),
        price=_text(order.price),
        stop_price=_text(order.trigger_price),
        fill_price=_text(order.actual_price or order.trigger_price) if filled else None,
    )


def positions(usdm: FuturesLiveState) -> tuple[PositionView, ...]:
    held = sorted(
        (p for p in usdm.positions if p.amount != 0), key=lambda p: (p.symbol, p.position_side)
    )
    return tuple(
        PositionView(
            p.symbol,
            p.position_side.value,
            to_wire(p.amount),
            to_wire(p.entry_price),
            to_wire(p.mark_price),
        )
        for p in held
    )


def unmanaged_algo_orders(usdm: FuturesLiveState, owner: str) -> tuple[LegView, ...]:
    found = [o for o in usdm.open_algo_orders if parse_leg_id(owner, o.client_algo_id) is None]
    found.sort(key=lambda o: (o.symbol, o.algo_id))
    return tuple(algo_leg(o, _role_word(o)) for o in found)


def _role_word(order: AlgoOrder) -> str:
    from oco_reconcile.core.usdm.requests import order_role

    role = order_role(order)
    return "order" if role is None else role.label
