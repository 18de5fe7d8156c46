"""watch output lines: the text line names the bracket and leg; the JSON line is versioned."""

from __future__ import annotations

import json
from decimal import Decimal

from oco_reconcile.core.events import EventKind, StreamEvent
from oco_reconcile.core.model import Side
from oco_reconcile.core.usdm.model import Market
from oco_reconcile.render.watch_lines import event_json, event_line

TRIGGER = StreamEvent(
    Market.USDM,
    EventKind.TRIGGERED,
    1764766620000,
    symbol="BTCUSDT",
    client_id="ocr-btc-perp-6btxse-sl",
    side=Side.SELL,
    price=Decimal("98000.00"),
    detail="TRIGGERED",
)


def test_a_trigger_line_names_bracket_leg_price_and_id() -> None:
    assert event_line(TRIGGER, "ocr") == (
        "2025-12-03T12:57:00.000+00:00 usdm BTCUSDT bracket.btc-perp stop-loss triggered "
        "at 98000 (ocr-btc-perp-6btxse-sl)"
    )


def test_an_order_we_do_not_manage_is_called_unmanaged() -> None:
    fill = StreamEvent(
        Market.SPOT, EventKind.FILLED, 0, symbol="ETHUSDT", client_id="web_1",
        quantity=Decimal("0.5"), price=Decimal("3600.10"),
    )  # fmt: skip
    assert event_line(fill, "ocr") == (
        "1970-01-01T00:00:00.000+00:00 spot ETHUSDT unmanaged order filled 0.5 at 3600.1 (web_1)"
    )


def test_the_json_line_is_one_versioned_object() -> None:
    line = event_json(TRIGGER, "ocr")
    assert "\n" not in line
    assert json.loads(line) == {
        "format_version": 1,
        "type": "event",
        "time": "2025-12-03T12:57:00.000+00:00",
        "market": "usdm",
        "kind": "triggered",
        "symbol": "BTCUSDT",
        "bracket": "btc-perp",
        "leg": "stop-loss",
        "client_id": "ocr-btc-perp-6btxse-sl",
        "list_client_id": None,
        "side": "SELL",
        "price": "98000",
        "quantity": None,
        "detail": "TRIGGERED",
    }
