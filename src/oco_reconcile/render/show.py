"""``show``: the live state as the tool sees it, as text or JSON (docs/show.md). Nothing is planned.

The text is plain (colours are added at a terminal by :func:`style_of`, never stored); the JSON
document carries ``format_version`` and the keys docs/show.md describes. No secret is in a view:
only order ids, symbols, quantities and prices.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from oco_reconcile.core.desired import Desired
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.words import counted
from oco_reconcile.json_types import JsonObject
from oco_reconcile.render.show_futures import futures_brackets
from oco_reconcile.render.show_view import (
    BracketState,
    BracketView,
    LegView,
    PositionView,
    ShowView,
    UnmanagedList,
    positions,
    spot_brackets,
    unmanaged_algo_orders,
    unmanaged_lists,
)

FORMAT_VERSION = 1

_STATE_STYLES = {
    BracketState.OPEN: "green",
    BracketState.PARTLY_FIRED: "yellow",
    BracketState.ONE_LEG_OPEN: "yellow",
    BracketState.FIRED: "cyan",
    BracketState.CANCELLED: "red",
    BracketState.EXPIRED: "red",
    BracketState.NOT_PLACED: "red",
}


def build_view(
    desired: Desired, live: LiveState, exchange: str, owner: str, outside: Mapping[str, str]
) -> ShowView:
    """Everything ``show`` prints, from the one live read ``plan`` makes too."""
    views = spot_brackets(desired.spot, live, owner, outside)
    algo: tuple[LegView, ...] = ()
    held = None
    if live.usdm is not None:
        views = (*views, *futures_brackets(desired.futures, live.usdm, owner, outside))
        algo = unmanaged_algo_orders(live.usdm, owner)
        held = positions(live.usdm)
    return ShowView(exchange, owner, views, unmanaged_lists(live, owner), algo, held)


# --- text -----------------------------------------------------------------------------------------


def _amount(leg: LegView) -> str:
    if leg.quantity is None:
        return "close position"
    if leg.executed and leg.executed != "0":
        return f"{leg.executed} of {leg.quantity} filled at {leg.fill_price}"
    return leg.quantity


def leg_text(leg: LegView, trigger_word: str = "stop") -> str:
    """``0.05 @ 99000, stop 100000``, ``0.01 of 0.05 filled at 125000``, ``close position``."""
    text = _amount(leg)
    if leg.price is not None and leg.fill_price is None:
        text += f" @ {leg.price}"
    if leg.stop_price is not None:
        text += f", {trigger_word} {leg.stop_price}"
    if leg.fill_price is not None and leg.executed is None:  # futures: a triggered leg
        text += f", fired at {leg.fill_price}"
    return text


def _leg_line(leg: LegView, trigger_word: str) -> str:
    role = f"{leg.role:<12}"
    return f"      {role}{leg.type:<20}{leg.status:<17}{leg.side} {leg_text(leg, trigger_word)}"


def _where(view: BracketView) -> str:
    if view.source is None:
        return "not in the bracket files read"
    line = "" if view.source.line is None else f":{view.source.line}"
    return f"{view.source.file}{line}"


def _bracket_lines(view: BracketView) -> Iterable[str]:
    state = view.state.value + (f": {view.detail}" if view.detail else "")
    market = f"{view.market} {view.symbol} {view.side}".strip()
    yield f"  {view.name}  {market}  {state}  ({_where(view)})"
    word = "trigger" if view.market == "usdm" else "stop"
    for leg in view.legs:
        yield _leg_line(leg, word)


def _list_line(item: UnmanagedList) -> str:
    if not item.legs:
        return f"  {item.symbol}  {item.list_client_order_id}  (legs not read: no bracket here)"
    side = item.legs[0].side
    quantity = item.legs[0].quantity
    legs = " / ".join(f"{leg.type} {leg_text(leg)}" for leg in item.legs)
    return f"  {item.symbol}  {item.list_client_order_id}  {side} {quantity}: {legs}"


def _algo_line(order: LegView) -> str:
    return f"  {order.client_order_id}  {order.type} {order.side} {leg_text(order, 'trigger')}"


def _position_line(item: PositionView) -> str:
    return (
        f"  {item.symbol} {item.position_side}  {item.amount} "
        f"(entry {item.entry_price}, mark {item.mark_price})"
    )


def _section(title: str, noun: str, lines: list[str], count: int) -> list[str]:
    head = f"{title}: {counted(count, noun)}" if count else f"{title}: none"
    return ["", head, *lines]


def render_text(view: ShowView) -> str:
    """The whole text of ``show``: brackets with their legs, unmanaged orders, positions."""
    lines = [f"Live state on {view.exchange} (owner {view.owner})"]
    bracket_lines = [line for b in view.brackets for line in _bracket_lines(b)]
    lines += _section("Managed brackets", "bracket", bracket_lines, len(view.brackets))
    listed = [_list_line(item) for item in view.unmanaged_lists]
    lines += _section("Unmanaged order lists", "list", listed, len(listed))
    if view.positions is not None:
        algo = [_algo_line(order) for order in view.unmanaged_algo_orders]
        lines += _section("Unmanaged algo orders", "order", algo, len(algo))
        held = [_position_line(item) for item in view.positions]
        lines += _section("Futures positions", "position", held, len(held))
    return "\n".join(lines) + "\n"


def style_of(line: str) -> str | None:
    """A rich style for one text line at a terminal: a bracket's line by its state."""
    if line.startswith(("Managed", "Unmanaged", "Futures", "Live state")):
        return "bold"
    if line.startswith("  ") and not line.startswith("   "):
        for state, style in _STATE_STYLES.items():
            if f"  {state.value}" in line:
                return style
    return None


# --- json -----------------------------------------------------------------------------------------


def _leg_json(leg: LegView) -> JsonObject:
    return {
        "role": leg.role,
        "client_order_id": leg.client_order_id,
        "type": leg.type,
        "status": leg.status,
        "side": leg.side,
        "quantity": leg.quantity,
        "executed_quantity": leg.executed,
        "price": leg.price,
        "stop_price": leg.stop_price,
        "fill_price": leg.fill_price,
    }


def _bracket_json(view: BracketView) -> JsonObject:
    source = view.source
    return {
        "name": view.name,
        "market": view.market,
        "symbol": view.symbol,
        "side": view.side,
        "state": view.state.value,
        "detail": view.detail,
        "file": None if source is None else source.file,
        "line": None if source is None else source.line,
        "list_client_order_id": view.list_client_order_id,
        "legs": [_leg_json(leg) for leg in view.legs],
    }


def _position_json(item: PositionView) -> JsonObject:
    return {
        "symbol": item.symbol,
        "position_side": item.position_side,
        "amount": item.amount,
        "entry_price": item.entry_price,
        "mark_price": item.mark_price,
    }


def show_json(view: ShowView) -> JsonObject:
    held = None if view.positions is None else [_position_json(p) for p in view.positions]
    lists = [
        {"symbol": item.symbol, "list_client_order_id": item.list_client_order_id}
        | {"legs": [_leg_json(leg) for leg in item.legs]}
        for item in view.unmanaged_lists
    ]
    return {
        "format_version": FORMAT_VERSION,
        "exchange": view.exchange,
        "owner": view.owner,
        "brackets": [_bracket_json(b) for b in view.brackets],
        "unmanaged_lists": lists,
        "unmanaged_algo_orders": [_leg_json(o) for o in view.unmanaged_algo_orders],
        "positions": held,
    }


def render_json(view: ShowView) -> str:
    return json.dumps(show_json(view), indent=2) + "\n"
