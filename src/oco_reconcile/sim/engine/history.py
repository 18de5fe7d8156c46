"""The event log: every change the engine makes to an order list is appended as an :class:`Event`
(``sim status`` and tests read it; ``store.py`` keeps its recent end)."""

from __future__ import annotations

from oco_reconcile.sim.engine.records import EngineState, Event, SimOrder, SimOrderList


def record_event(
    state: EngineState,
    now: int,
    kind: str,
    order_list: SimOrderList,
    order: SimOrder | None = None,
    *,
    client_order_id: str | None = None,
    detail: str = "",
) -> None:
    """Log ``kind`` for ``order_list`` (and one of its orders) and stamp the account's update."""
    state.events.append(
        Event(
            time=now,
            kind=kind,
            symbol=order_list.symbol,
            order_list_id=order_list.order_list_id,
            list_client_order_id=order_list.list_client_order_id,
            order_id=order.order_id if order else None,
            client_order_id=order.client_order_id if order else client_order_id,
            detail=detail,
        )
    )
    state.update_time = now


def record_order_event(
    state: EngineState, now: int, kind: str, order: SimOrder, detail: str = ""
) -> None:
    """Log ``kind`` for an order placed on its own (no list)."""
    state.events.append(
        Event(
            time=now,
            kind=kind,
            symbol=order.symbol,
            order_id=order.order_id,
            client_order_id=order.client_order_id,
            detail=detail,
        )
    )
    state.update_time = now


def record_price(state: EngineState, now: int, symbol: str, price: str) -> None:
    state.events.append(Event(now, "price", symbol, detail=price))
