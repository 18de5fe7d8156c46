"""``import``: live order lists -> bracket YAML, so an existing account can be adopted.

Pure: takes the open lists (joined with their legs) and the owner, returns YAML text that passes
``validate``. Re-running ``plan`` with it added shows every imported list unchanged (no-op):

* A list this owner placed (``{owner}-{name}-{hash}``) is written under its name with the
  ``rev`` whose spec hash reproduces its id, so the plan finds it by id. When no ``rev`` does (its
  legs were amended since), the bracket carries ``adopt: <listClientOrderId>``.
* Any other list has a random client id that no bracket can reproduce. Its bracket is named
  ``<symbol>-<orderListId>`` and carries ``adopt: <listClientOrderId>``: the planner takes that
  open list as the bracket's embodiment while its legs match (see planner.py). Without this a plan
  would place a duplicate next to the old list.

Legs are written in the friendly form (``take_profit`` / ``stop_loss``) -- every valid OCO maps to
it -- and in the full form (``above`` / ``below`` with types) if the friendly form would not read
back as the same leg types. Quantities and prices are quoted strings, exactly as the exchange
reports them (normalised).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.identity import NAME_RE, max_name_length, parse_list_id, spec_hash
from oco_reconcile.core.model import Bracket, Leg, LegPosition, LegType, OrderList
from oco_reconcile.core.plan import comparable_leg, live_bracket
from oco_reconcile.core.usdm.model import AlgoOrder
from oco_reconcile.core.words import counted
from oco_reconcile.render.futures_yaml import (
    ImportedPair,
    futures_bracket_lines,
    import_algo_orders,
    skipped_lines,
)
from oco_reconcile.render.yaml_scalars import quote

MAX_REV_SEARCH = 1000
SCHEMA_COMMENT = "# yaml-language-server: $schema=../schemas/brackets.schema.json"
ADOPT_COMMENT = (
    "# `adopt` ties a bracket to the live list it stands for (placed outside oco-reconcile,\n"
    "# or amended since): unchanged while its legs match; editing the bracket replaces it."
)


@dataclass(frozen=True)
class Imported:
    """One list turned into a bracket (or skipped, with the reason)."""

    order_list: OrderList
    bracket: Bracket | None
    skipped: str = ""


def import_lists(lists: Sequence[OrderList], owner: str) -> tuple[Imported, ...]:
    """A bracket for every open OCO list, in a stable order (symbol, then orderListId)."""
    taken: set[str] = set()
    result = []
    for order_list in sorted(lists, key=lambda item: (item.symbol, item.order_list_id)):
        imported = _import_one(order_list, owner, taken)
        if imported.bracket is not None:
            taken.add(imported.bracket.name)
        result.append(imported)
    return tuple(result)


def _import_one(order_list: OrderList, owner: str, taken: set[str]) -> Imported:
    if order_list.contingency_type != "OCO":
        return Imported(order_list, None, f"a {order_list.contingency_type} list, not an OCO")
    live = live_bracket(order_list)
    if live is None:
        return Imported(order_list, None, "its legs could not be read")
    parsed = parse_list_id(owner, order_list.list_client_order_id)
    name = parsed.name if parsed is not None else _unmanaged_name(order_list, owner)
    if name in taken:
        reason = f"another open list already imported as '{name}' (the plan cancels duplicates)"
        return Imported(order_list, None, reason)
    bracket = Bracket(
        name=name,
        symbol=live.symbol,
        side=live.side,
        quantity=live.quantity,
        above=comparable_leg(live.above),
        below=comparable_leg(live.below),
    )
    rev = _rev_for(bracket, parsed.digest) if parsed is not None else None
    if rev is None:
        return Imported(order_list, replace(bracket, adopt=order_list.list_client_order_id))
    return Imported(order_list, replace(bracket, rev=rev))


def _unmanaged_name(order_list: OrderList, owner: str) -> str:
    """``btcusdt-1234``: safe, unique per symbol, short enough for every derived client id."""
    name = f"{order_list.symbol.lower()}-{order_list.order_list_id}"
    name = name if NAME_RE.match(name) else f"list-{order_list.order_list_id}"
    return name[: max_name_length(owner)]


def _rev_for(bracket: Bracket, digest: str) -> int | None:
    """The ``rev`` whose spec hash is ``digest`` (the list was placed from this exact spec)."""
    for rev in range(MAX_REV_SEARCH):
        if spec_hash(replace(bracket, rev=rev)) == digest:
            return rev
    return None


# --- YAML ---------------------------------------------------------------------------------------


def render_yaml(imported: Sequence[Imported], futures: Sequence[ImportedPair] = ()) -> str:
    """The bracket file: a header, each bracket, and a comment for each list left out."""
    count = sum(1 for item in imported if item.bracket is not None)
    lines = [
        SCHEMA_COMMENT,
        f"# Imported by `oco-reconcile import`: {counted(count, 'open order list')}.",
    ]
    pairs = [item.bracket for item in futures if item.bracket is not None]
    if futures:
        lines.append(
            f"# and {counted(len(pairs), 'USDⓈ-M futures bracket')} from open algo orders."
        )
    adopting = [item.bracket.adopt for item in imported if item.bracket is not None]
    if any(adopting) or any(pair.adopt for pair in pairs):
        lines.append(ADOPT_COMMENT)
    lines += [
        f"# skipped {quote(item.order_list.list_client_order_id)} ({item.order_list.symbol}, "
        f"orderListId {item.order_list.order_list_id}): {item.skipped}"
        for item in imported
        if item.bracket is None
    ]
    lines += skipped_lines(futures)
    brackets = [item.bracket for item in imported if item.bracket is not None]
    if not brackets and not pairs:
        return "\n".join([*lines, "brackets: []"]) + "\n"
    lines.append("brackets:")
    for bracket in brackets:
        lines += _bracket_lines(bracket)
    for pair in pairs:
        lines += futures_bracket_lines(pair)
    return "\n".join(lines) + "\n"


def _bracket_lines(bracket: Bracket) -> list[str]:
    lines = [
        f"  - name: {quote(bracket.name)}",
        f"    symbol: {quote(bracket.symbol)}",
        f"    side: {bracket.side.value}",
        f"    quantity: {quote(to_wire(bracket.quantity))}",
    ]
    for key, leg, typed in _legs(bracket):
        lines.append(f"    {key}:")
        lines += [f"      {field}: {value}" for field, value in _leg_fields(leg, typed)]
    if bracket.rev:
        lines.append(f"    rev: {bracket.rev}")
    if bracket.adopt:
        lines.append(f"    adopt: {quote(bracket.adopt)}")
    return lines


def _legs(bracket: Bracket) -> list[tuple[str, Leg, bool]]:
    take_profit, stop_loss = bracket.take_profit, bracket.stop_loss
    friendly_ok = (
        infer_friendly_type(take_profit, take_profit=True) is take_profit.type
        and infer_friendly_type(stop_loss, take_profit=False) is stop_loss.type
    )
    if friendly_ok:
        return [("take_profit", take_profit, False), ("stop_loss", stop_loss, False)]
    return [
        (LegPosition.ABOVE.value, bracket.above, True),
        (LegPosition.BELOW.value, bracket.below, True),
    ]


def infer_friendly_type(leg: Leg, *, take_profit: bool) -> LegType:
    """The type the friendly form gives these fields (docs/file-formats.md "Friendly form")."""
    triggered = leg.stop_price is not None or leg.trailing_delta is not None
    limit = leg.price is not None
    if take_profit:
        if triggered:
            return LegType.TAKE_PROFIT_LIMIT if limit else LegType.TAKE_PROFIT
        return LegType.LIMIT_MAKER
    return LegType.STOP_LOSS_LIMIT if limit else LegType.STOP_LOSS


def _leg_fields(leg: Leg, typed: bool) -> Iterable[tuple[str, str]]:
    if typed:
        yield "type", leg.type.value
    if leg.stop_price is not None:
        yield "stop_price", quote(to_wire(leg.stop_price))
    if leg.trailing_delta is not None:
        yield "trailing_delta", str(leg.trailing_delta)
    if leg.price is not None:
        yield "price", quote(to_wire(leg.price))
    if leg.time_in_force is not None:
        yield "time_in_force", leg.time_in_force.value
    if leg.iceberg_qty is not None:
        yield "iceberg_qty", quote(to_wire(leg.iceberg_qty))


def import_yaml(
    lists: Sequence[OrderList], owner: str, algo_orders: Sequence[AlgoOrder] | None = None
) -> str:
    """The YAML for open lists and (when futures were read) open algo orders."""
    futures = () if algo_orders is None else import_algo_orders(algo_orders, owner)
    return render_yaml(import_lists(lists, owner), futures)
