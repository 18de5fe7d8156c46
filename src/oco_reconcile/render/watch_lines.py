"""``watch`` output: one line per stream event naming the bracket, or one JSON object per line.

The JSON form is versioned (``format_version``) like the plan and apply documents; decimals are
canonical strings (``98000.00`` -> ``98000``), times ISO 8601 UTC. Secrets never reach an event
(the stream messages carry none; a listen key is part of the URL, never of an event).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.events import StreamEvent, bracket_of
from oco_reconcile.core.identity import parse_leg_id
from oco_reconcile.json_types import JsonObject

WATCH_FORMAT_VERSION = 1


def _when(event: StreamEvent) -> str:
    return datetime.fromtimestamp(event.time_ms / 1000, UTC).isoformat(timespec="milliseconds")


def _leg(event: StreamEvent, owner: str) -> str | None:
    leg = parse_leg_id(owner, event.client_id)
    if leg is None:
        return None
    return "take-profit" if leg.take_profit else "stop-loss"


def event_line(event: StreamEvent, owner: str) -> str:
    """``2026-12-03T12:57:00.000+00:00 usdm BTCUSDT bracket.btc-perp stop-loss triggered at
    98000 (ocr-btc-perp-6btxse-sl)``; an order we do not manage is called unmanaged."""
    name = bracket_of(event, owner)
    subject = "unmanaged order" if name is None else f"bracket.{name}"
    leg = _leg(event, owner)
    parts = [_when(event), event.market.value, event.symbol or "-", subject]
    if leg is not None:
        parts.append(leg)
    parts.append(event.kind.value)
    if event.quantity is not None:
        parts.append(to_wire(event.quantity))
    if event.price is not None:
        parts.append(f"at {to_wire(event.price)}")
    ident = event.client_id or event.list_client_id
    if ident:
        parts.append(f"({ident})")
    return " ".join(parts)


def event_json(event: StreamEvent, owner: str) -> str:
    document: JsonObject = {
        "format_version": WATCH_FORMAT_VERSION,
        "type": "event",
        "time": _when(event),
        "market": event.market.value,
        "kind": event.kind.value,
        "symbol": event.symbol or None,
        "bracket": bracket_of(event, owner),
        "leg": _leg(event, owner),
        "client_id": event.client_id or None,
        "list_client_id": event.list_client_id or None,
        "side": None if event.side is None else event.side.value,
        "price": None if event.price is None else to_wire(event.price),
        "quantity": None if event.quantity is None else to_wire(event.quantity),
        "detail": event.detail or None,
    }
    return json.dumps(document, separators=(",", ":"))
