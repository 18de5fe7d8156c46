"""Spot user-data events (WebSocket API subscription) -> venue-neutral stream events.

Events arrive wrapped as ``{"subscriptionId": N, "event": {...}}`` (binance-api.md §11.1).
``executionReport`` reports one order's executions and status, ``listStatus`` an order list's,
``eventStreamTerminated`` the end of the subscription, ``serverShutdown`` the end of the
connection (web-socket-api.md: reconnect, the server is going away). Balance events give
None. A message not shaped as documented raises
:class:`~oco_reconcile.venues.spot.fields.ResponseFormatError`.
"""

from __future__ import annotations

from oco_reconcile.core.events import EventKind, StreamEvent
from oco_reconcile.core.usdm.model import Market
from oco_reconcile.json_types import JsonMapping
from oco_reconcile.venues.spot.fields import (
    as_object,
    nonzero_decimal,
    req_int,
    req_side,
    req_str,
)

_STATUS_KINDS = {
    "NEW": EventKind.PLACED,
    "PARTIALLY_FILLED": EventKind.PARTLY_FILLED,
    "FILLED": EventKind.FILLED,
    "CANCELED": EventKind.CANCELLED,
    "EXPIRED": EventKind.EXPIRED,
    "EXPIRED_IN_MATCH": EventKind.EXPIRED,
    "REJECTED": EventKind.REJECTED,
}


def spot_event(message: object) -> StreamEvent | None:
    """One WebSocket API message as an event; None for responses and unneeded events."""
    wrapper = as_object(message)
    if "event" not in wrapper:
        return None  # a response to a request (subscribe, ping...), not an event
    data = as_object(wrapper["event"])
    kind = data.get("e")
    if kind == "executionReport":
        return _execution_report(data)
    if kind == "listStatus":
        return _list_status(data)
    if kind in ("eventStreamTerminated", "serverShutdown"):
        return StreamEvent(Market.SPOT, EventKind.STREAM_ENDED, req_int(data, "E"), detail=kind)
    return None


def _execution_report(data: JsonMapping) -> StreamEvent | None:
    status = req_str(data, "X")
    kind = _STATUS_KINDS.get(status)
    if kind is None:
        return None  # PENDING_NEW and the like: the final status follows
    cancelled_id = data.get("C")
    client_id = req_str(data, "c")
    if kind is EventKind.CANCELLED and isinstance(cancelled_id, str) and cancelled_id:
        client_id = (
            cancelled_id  # on a cancel, "c" is the cancel request's id (user-data-stream.md)
        )
    return StreamEvent(
        market=Market.SPOT,
        kind=kind,
        time_ms=req_int(data, "E"),
        symbol=req_str(data, "s"),
        client_id=client_id,
        side=req_side(data),
        price=nonzero_decimal(data, "L"),
        quantity=nonzero_decimal(data, "l"),
        detail=str(data.get("eR") or status),
    )


def _list_status(data: JsonMapping) -> StreamEvent | None:
    status = req_str(data, "L")
    if status != "REJECT" and req_str(data, "l") != "ALL_DONE":
        return None  # the legs' executionReports say the rest
    kind = EventKind.REJECTED if status == "REJECT" else EventKind.EXPIRED
    return StreamEvent(
        market=Market.SPOT,
        kind=kind,
        time_ms=req_int(data, "E"),
        symbol=req_str(data, "s"),
        list_client_id=req_str(data, "C"),
        detail=f"list {status}",
    )
