"""Futures user-data stream messages (listenKey stream) -> venue-neutral stream events.

``ALGO_UPDATE`` reports an algo (conditional) order's status, ``ORDER_TRADE_UPDATE`` a
matching-engine order's executions, ``listenKeyExpired`` the end of the stream
(binance-api.md §11.2). Other events (``ACCOUNT_UPDATE``, ``TRADE_LITE``...) carry nothing a
bracket needs and give None. A message that is not shaped as documented raises
:class:`~oco_reconcile.venues.spot.fields.ResponseFormatError` naming the field.
"""

from __future__ import annotations

from oco_reconcile.core.events import EventKind, StreamEvent
from oco_reconcile.core.usdm.model import Market
from oco_reconcile.json_types import JsonMapping
from oco_reconcile.venues.spot.fields import (
    ResponseFormatError,
    as_object,
    nonzero_decimal,
    req_int,
    req_side,
    req_str,
)

_ALGO_KINDS = {
    "NEW": EventKind.PLACED,
    "CANCELED": EventKind.CANCELLED,
    "TRIGGERING": EventKind.TRIGGERED,
    "TRIGGERED": EventKind.TRIGGERED,
    "FINISHED": EventKind.FILLED,
    "REJECTED": EventKind.REJECTED,
    "EXPIRED": EventKind.EXPIRED,
}
_ORDER_KINDS = {
    "NEW": EventKind.PLACED,
    "PARTIALLY_FILLED": EventKind.PARTLY_FILLED,
    "FILLED": EventKind.FILLED,
    "CANCELED": EventKind.CANCELLED,
    "EXPIRED": EventKind.EXPIRED,
    "EXPIRED_IN_MATCH": EventKind.EXPIRED,
}


def futures_event(message: object) -> StreamEvent | None:
    """One stream message as an event; None for the events a bracket does not need."""
    data = as_object(message)
    kind = data.get("e")
    if kind == "ALGO_UPDATE":
        return _algo_update(data)
    if kind == "ORDER_TRADE_UPDATE":
        return _order_update(data)
    if kind == "listenKeyExpired":
        return StreamEvent(Market.USDM, EventKind.STREAM_ENDED, req_int(data, "E"), detail=kind)
    return None


def _algo_update(data: JsonMapping) -> StreamEvent:
    order = as_object(data.get("o"))
    status = req_str(order, "X")
    kind = _ALGO_KINDS.get(status)
    if kind is None:
        raise ResponseFormatError(f"field 'X' is not an algo status: {status[:20]!r}")
    fill_price = nonzero_decimal(order, "ap")
    return StreamEvent(
        market=Market.USDM,
        kind=kind,
        time_ms=req_int(data, "E"),
        symbol=req_str(order, "s"),
        client_id=req_str(order, "caid"),
        side=req_side(order),
        price=fill_price if fill_price is not None else nonzero_decimal(order, "tp"),
        quantity=nonzero_decimal(order, "aq"),
        detail=status,
    )


def _order_update(data: JsonMapping) -> StreamEvent | None:
    order = as_object(data.get("o"))
    status = req_str(order, "X")
    kind = _ORDER_KINDS.get(status)
    if kind is None:
        return None  # e.g. a CALCULATED liquidation or an AMENDMENT: not a bracket's news
    return StreamEvent(
        market=Market.USDM,
        kind=kind,
        time_ms=req_int(data, "E"),
        symbol=req_str(order, "s"),
        client_id=req_str(order, "c"),
        side=req_side(order),
        price=nonzero_decimal(order, "L"),
        quantity=nonzero_decimal(order, "l"),
        detail=status,
    )
