"""User-data stream messages -> StreamEvent: the documented shapes (binance-api.md §11), each
status a trader cares about, the events ignored, and a malformed message named, never a crash."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from oco_reconcile.core.events import EventKind, StreamEvent
from oco_reconcile.core.model import Side
from oco_reconcile.core.usdm.model import Market
from oco_reconcile.venues.spot.fields import ResponseFormatError
from oco_reconcile.venues.spot.stream_events import spot_event
from oco_reconcile.venues.usdm.stream_events import futures_event

LEG_ID = "ocr-btc-perp-6btxse-sl"


def algo_update(status: str, **order: Any) -> dict[str, Any]:
    """An ``ALGO_UPDATE`` with the documented keys (binance-api.md §11.2)."""
    body = {
        "caid": LEG_ID, "aid": 2001, "at": "CONDITIONAL", "o": "STOP_MARKET", "s": "BTCUSDT",
        "S": "SELL", "ps": "BOTH", "f": "GTC", "q": "0.000", "X": status, "ai": "", "ap": "0",
        "aq": "0", "act": "0", "tp": "98000.00", "p": "0", "V": "EXPIRE_MAKER",
        "wt": "MARK_PRICE", "pm": "NONE", "cp": True, "pP": False, "R": False, "tt": 0,
        "gtd": 0, "rm": "",
    }  # fmt: skip
    return {"e": "ALGO_UPDATE", "T": 1750515742297, "E": 1750515742303, "o": body | order}


def execution_report(status: str, **fields: Any) -> dict[str, Any]:
    event = {
        "e": "executionReport", "E": 1499405658658, "s": "BTCUSDT", "c": "ocr-btc-exit-aaaaaa-tp",
        "S": "SELL", "o": "LIMIT_MAKER", "f": "GTC", "q": "0.05000000", "p": "125000.00",
        "P": "0.00", "g": 7, "C": "", "x": "TRADE", "X": status, "r": "NONE", "i": 4293153,
        "l": "0.02000000", "z": "0.02000000", "L": "125000.00", "n": "0", "N": None,
        "T": 1499405658657, "t": 12, "w": False, "m": True, "O": 1499405658657,
    }  # fmt: skip
    return {"subscriptionId": 0, "event": event | fields}


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        ("NEW", EventKind.PLACED),
        ("TRIGGERING", EventKind.TRIGGERED),
        ("TRIGGERED", EventKind.TRIGGERED),
        ("FINISHED", EventKind.FILLED),
        ("CANCELED", EventKind.CANCELLED),
        ("EXPIRED", EventKind.EXPIRED),
        ("REJECTED", EventKind.REJECTED),
    ],
)
def test_algo_updates(status: str, kind: EventKind) -> None:
    event = futures_event(algo_update(status))
    assert event == StreamEvent(
        market=Market.USDM,
        kind=kind,
        time_ms=1750515742303,
        symbol="BTCUSDT",
        client_id=LEG_ID,
        side=Side.SELL,
        price=Decimal("98000.00"),  # the trigger price until a fill price is known
        detail=status,
    )


def test_a_finished_algo_order_reports_its_fill() -> None:
    event = futures_event(algo_update("FINISHED", ap="97990.5", aq="0.010"))
    assert event is not None
    assert (event.price, event.quantity) == (Decimal("97990.5"), Decimal("0.010"))


def test_order_trade_updates_and_ignored_futures_events() -> None:
    update = {
        "e": "ORDER_TRADE_UPDATE", "E": 1568879465651, "T": 1568879465650,
        "o": {"s": "BTCUSDT", "c": "web_1", "S": "BUY", "o": "MARKET", "X": "PARTIALLY_FILLED",
              "x": "TRADE", "l": "0.001", "L": "110000.1", "i": 8886774},
    }  # fmt: skip
    event = futures_event(update)
    assert event is not None
    assert (event.kind, event.client_id, event.price) == (
        EventKind.PARTLY_FILLED,
        "web_1",
        Decimal("110000.1"),
    )
    assert futures_event({"e": "ACCOUNT_UPDATE", "E": 1, "T": 1, "a": {}}) is None
    ended = futures_event({"e": "listenKeyExpired", "E": 1576653824250, "listenKey": "x"})
    assert ended is not None
    assert ended.kind is EventKind.STREAM_ENDED


def test_spot_execution_reports() -> None:
    event = spot_event(execution_report("PARTIALLY_FILLED"))
    assert event == StreamEvent(
        market=Market.SPOT,
        kind=EventKind.PARTLY_FILLED,
        time_ms=1499405658658,
        symbol="BTCUSDT",
        client_id="ocr-btc-exit-aaaaaa-tp",
        side=Side.SELL,
        price=Decimal("125000.00"),
        quantity=Decimal("0.02000000"),
        detail="PARTIALLY_FILLED",
    )
    expired = spot_event(execution_report("EXPIRED", x="EXPIRED", eR="OCO_TRIGGER", l="0"))
    assert expired is not None
    assert (expired.kind, expired.detail, expired.quantity) == (
        EventKind.EXPIRED,
        "OCO_TRIGGER",
        None,
    )


def test_a_spot_cancel_names_the_cancelled_order_not_the_cancel_request() -> None:
    cancelled = "ocr-btc-exit-aaaaaa-sl"
    report = execution_report("CANCELED", x="CANCELED", c="ocr-x-cancel", C=cancelled)
    event = spot_event(report)
    assert event is not None
    assert (event.kind, event.client_id) == (EventKind.CANCELLED, cancelled)


def test_spot_list_status_and_ignored_messages() -> None:
    status: dict[str, Any] = {
        "e": "listStatus", "E": 1564035303637, "s": "ETHBTC", "g": 2, "c": "OCO",
        "l": "ALL_DONE", "L": "ALL_DONE", "r": "NONE", "C": "ocr-eth-x-bbbbbb",
        "T": 1564035303625, "O": [],
    }  # fmt: skip
    done = {"subscriptionId": 0, "event": status}
    event = spot_event(done)
    assert event is not None
    assert (event.kind, event.list_client_id) == (EventKind.EXPIRED, "ocr-eth-x-bbbbbb")
    started = {**done, "event": {**status, "l": "EXEC_STARTED", "L": "EXECUTING"}}
    assert spot_event(started) is None  # the legs' executionReports say it
    assert spot_event({"id": 1, "status": 200, "result": {"subscriptionId": 0}}) is None
    balance = {"subscriptionId": 0, "event": {"e": "outboundAccountPosition", "E": 1, "B": []}}
    assert spot_event(balance) is None
    for name in ("eventStreamTerminated", "serverShutdown"):
        ended = spot_event({"subscriptionId": 0, "event": {"e": name, "E": 2}})
        assert ended is not None
        assert (ended.kind, ended.detail) == (EventKind.STREAM_ENDED, name)


@pytest.mark.parametrize(
    "message",
    [
        [1, 2],
        {"e": "ALGO_UPDATE", "E": 1, "o": "not an object"},
        algo_update("BOGUS"),
        algo_update("NEW", S="SIDEWAYS"),
        {"e": "ALGO_UPDATE", "E": "soon", "o": algo_update("NEW")["o"]},
    ],
)
def test_a_malformed_futures_message_is_a_format_error(message: object) -> None:
    with pytest.raises(ResponseFormatError):
        futures_event(message)


def test_a_malformed_spot_message_is_a_format_error() -> None:
    with pytest.raises(ResponseFormatError):
        spot_event(execution_report("FILLED", S="UP"))
    with pytest.raises(ResponseFormatError):
        spot_event({"subscriptionId": 0, "event": "text"})
