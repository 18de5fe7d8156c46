"""The Spot planner's view of the open lists, indexed once per plan: by client id, the managed
ones by bracket name (newest first), and the bracket name each list id carries. PURE.
"""

from __future__ import annotations

from dataclasses import dataclass

from oco_reconcile.core.identity import parse_list_id
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.model import OrderList


@dataclass(frozen=True)
class LiveIndex:
    by_client_id: dict[str, OrderList]
    managed_by_name: dict[str, tuple[OrderList, ...]]
    # the bracket name in each open list's id (None: not ours), parsed once per plan
    names: dict[str, str | None]

    @staticmethod
    def build(live: LiveState, owner: str) -> LiveIndex:
        by_client_id: dict[str, OrderList] = {}
        by_name: dict[str, list[OrderList]] = {}
        names: dict[str, str | None] = {}
        for order_list in sorted(live.open_lists, key=_list_order):
            list_id = order_list.list_client_order_id
            by_client_id.setdefault(list_id, order_list)
            if list_id not in names:
                parsed = parse_list_id(owner, list_id)
                names[list_id] = None if parsed is None else parsed.name
            name = names[list_id]
            if name is not None:
                by_name.setdefault(name, []).append(order_list)
        managed = {name: tuple(v) for name, v in by_name.items()}
        return LiveIndex(by_client_id, managed, names)


def _list_order(order_list: OrderList) -> tuple[int, str, int]:
    """Newest first, then by id: the deterministic order lists are considered in."""
    return (-order_list.transaction_time, order_list.symbol, order_list.order_list_id)
