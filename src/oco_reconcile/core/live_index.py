"""The Spot planner's view of the open lists, indexed once per plan: by client id, the managed
ones by bracket name (newest first), and the bracket name each list id carries. PURE.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter

from oco_reconcile.core.identity import parse_list_id
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.model import OrderList


@dataclass(frozen=True)
class LiveIndex:
    by_client_id: dict[str, OrderList]
    managed_by_name: Mapping[str, Sequence[OrderList]]
    # the bracket name in each open list's id (None: not ours), parsed once per plan
    names: dict[str, str | None]

    @staticmethod
    def build(live: LiveState, owner: str) -> LiveIndex:
        by_client_id: dict[str, OrderList] = {}
        by_name: dict[str, list[OrderList]] = {}
        names: dict[str, str | None] = {}
        for order_list in newest_first(live.open_lists):
            list_id = order_list.list_client_order_id
            by_client_id.setdefault(list_id, order_list)
            if list_id not in names:
                parsed = parse_list_id(owner, list_id)
                names[list_id] = None if parsed is None else parsed.name
            name = names[list_id]
            if name is not None:
                by_name.setdefault(name, []).append(order_list)
        return LiveIndex(by_client_id, by_name, names)


# Sorting key by key (the sort is stable) keeps to ints and strings: no key tuple per list, which
# for 10,000 lists is 10,000 objects for the garbage collector to trace.
_SYMBOL, _LIST_ID = attrgetter("symbol"), attrgetter("order_list_id")
_TIME = attrgetter("transaction_time")


def by_symbol_and_id(lists: Iterable[OrderList]) -> list[OrderList]:
    """By symbol, then by orderListId."""
    ordered = sorted(lists, key=_LIST_ID)
    ordered.sort(key=_SYMBOL)
    return ordered


def newest_first(lists: Iterable[OrderList]) -> list[OrderList]:
    """Newest first, then by symbol and id: the deterministic order lists are considered in."""
    ordered = by_symbol_and_id(lists)
    ordered.sort(key=_TIME, reverse=True)
    return ordered
