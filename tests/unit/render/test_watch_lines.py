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
        "format_version": 2,
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


def test_orphan_connection_and_status_records() -> None:
    from oco_reconcile.apply.results import Outcome
    from oco_reconcile.apply.usdm_writes import AlgoOutcome
    from oco_reconcile.core.usdm.model import AlgoCancel, LegRole
    from oco_reconcile.render.watch_lines import (
        connection_json,
        connection_line,
        orphan_json,
        orphan_line,
        status_text,
    )
    from oco_reconcile.watch.fast_path import OrphanCancelled
    from oco_reconcile.watch.feeds import Connected, Disconnected
    from oco_reconcile.watch.loop import WatchStatus

    cancel = AlgoCancel("BTCUSDT", "ocr-btc-perp-6btxse-tp", LegRole.TAKE_PROFIT)
    done = OrphanCancelled(cancel, AlgoOutcome(Outcome.DONE, "cancelled"))
    line = orphan_line(0, done, "ocr")
    assert "bracket.btc-perp take-profit: orphan cancelled" in line
    again = OrphanCancelled(cancel, AlgoOutcome(Outcome.ALREADY_DONE, "already gone"))
    assert json.loads(orphan_json(0, again, "ocr"))["outcome"] == "already_done"  # as apply's
    failed = json.loads(orphan_json(0, OrphanCancelled(cancel, None, "not sent: banned"), "ocr"))
    assert (failed["outcome"], failed["detail"], failed["bracket"]) == (
        None,
        "not sent: banned",
        "btc-perp",
    )
    lost = Disconnected(Market.USDM, "closed (1006)", 1.25)
    assert connection_line(0, lost).endswith(
        "usdm stream lost: closed (1006); reconnecting in 1.2 s"
    )
    assert json.loads(connection_json(0, Connected(Market.SPOT, again=True)))["state"] == (
        "reconnected"
    )
    status = WatchStatus(
        frozenset({Market.SPOT}), frozenset({Market.SPOT, Market.USDM}), None, 41.6
    )
    assert status_text(status) == (
        "watching spot, usdm (connecting) · last event: none yet · next re-plan in 42 s"
    )
