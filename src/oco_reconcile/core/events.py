"""What the user data streams report, venue-neutral, and what ``watch`` does about it (pure).

The venues' stream messages (Spot ``executionReport`` / ``listStatus`` over the WebSocket API,
futures ``ORDER_TRADE_UPDATE`` / ``ALGO_UPDATE`` over the listenKey stream; binance-api.md §11)
are parsed at the edge (``venues/*/stream_events.py``) into :class:`StreamEvent` values. Here,
with no I/O: which bracket an event is about (:func:`bracket_of`), and the one reaction that
cannot wait for a re-plan: when a futures leg of ours triggers, the cancel of its sibling (the
orphan), whose id follows from the trigger's own id (``{bracket id}-tp`` / ``-sl``), so no read
is needed before it is sent (:func:`orphan_cancel`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from oco_reconcile.core.identity import (
    STOP_LOSS_SUFFIX,
    TAKE_PROFIT_SUFFIX,
    parse_leg_id,
    parse_list_id,
)
from oco_reconcile.core.model import Side
from oco_reconcile.core.usdm.model import AlgoCancel, LegRole, Market


class EventKind(StrEnum):
    """What happened, in the words a trader uses."""

    PLACED = "placed"
    FILLED = "filled"
    PARTLY_FILLED = "partly filled"
    TRIGGERED = "triggered"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    STREAM_ENDED = "stream ended"  # eventStreamTerminated, serverShutdown, listenKeyExpired


@dataclass(frozen=True)
class StreamEvent:
    """One user-data event about one order (or the stream itself)."""

    market: Market
    kind: EventKind
    time_ms: int
    symbol: str = ""
    client_id: str = ""  # clientOrderId (Spot, futures orders) or clientAlgoId (algo orders)
    list_client_id: str = ""  # Spot: the order list's client id, when the order is in one
    side: Side | None = None
    price: Decimal | None = None  # last fill price, or the trigger price for a trigger
    quantity: Decimal | None = None  # last fill quantity
    detail: str = ""  # Binance's status / reason words, for the report


def bracket_of(event: StreamEvent, owner: str) -> str | None:
    """The name of the bracket of ours the event is about; None for anything unmanaged."""
    for candidate in (event.list_client_id, event.client_id):
        if not candidate:
            continue
        parsed_list = parse_list_id(owner, candidate)
        if parsed_list is not None:
            return parsed_list.name
        parsed_leg = parse_leg_id(owner, candidate)
        if parsed_leg is not None:
            return parsed_leg.name
    return None


# A leg has fired once it triggered or its order filled: Binance reports TRIGGERING, TRIGGERED and
# FINISHED one by one (binance-api.md §11.2), but a reconnect, or a stream that merges updates,
# may deliver only the fill.
FIRING = frozenset({EventKind.TRIGGERED, EventKind.FILLED, EventKind.PARTLY_FILLED})


def orphan_cancel(event: StreamEvent, owner: str) -> AlgoCancel | None:
    """The cancel of the sibling when a futures leg of ours triggers; None otherwise.

    Binance leaves the sibling open (binance-api.md §10): it could later close, or open, a
    position nobody intended. Sending the cancel for a sibling that is already gone is harmless
    (-2011, "Unknown order sent."), so no read comes first."""
    if event.market is not Market.USDM or event.kind not in FIRING:
        return None
    leg = parse_leg_id(owner, event.client_id)
    if leg is None:
        return None
    sibling = LegRole.STOP_LOSS if leg.take_profit else LegRole.TAKE_PROFIT
    suffix = STOP_LOSS_SUFFIX if leg.take_profit else TAKE_PROFIT_SUFFIX
    return AlgoCancel(event.symbol, leg.list_client_order_id + suffix, sibling)
