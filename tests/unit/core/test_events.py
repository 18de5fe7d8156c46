"""core/events.py: which bracket an event is about, and the orphan cancel a trigger calls for."""

from __future__ import annotations

import pytest

from oco_reconcile.core.events import EventKind, StreamEvent, bracket_of, orphan_cancel
from oco_reconcile.core.usdm.model import AlgoCancel, LegRole, Market

OWNER = "ocr"
BRACKET_ID = "ocr-btc-perp-6btxse"


def event(kind: EventKind, client_id: str, market: Market = Market.USDM) -> StreamEvent:
    return StreamEvent(market, kind, 1, symbol="BTCUSDT", client_id=client_id)


@pytest.mark.parametrize(
    ("fired", "orphan", "role"),
    [("-sl", "-tp", LegRole.TAKE_PROFIT), ("-tp", "-sl", LegRole.STOP_LOSS)],
)
def test_a_triggered_leg_of_ours_calls_for_its_siblings_cancel(
    fired: str, orphan: str, role: LegRole
) -> None:
    cancel = orphan_cancel(event(EventKind.TRIGGERED, BRACKET_ID + fired), OWNER)
    assert cancel == AlgoCancel("BTCUSDT", BRACKET_ID + orphan, role)


@pytest.mark.parametrize(
    "happened",
    [
        event(EventKind.TRIGGERED, "web_tp_1"),  # not ours
        event(EventKind.TRIGGERED, "xyz-btc-perp-6btxse-sl"),  # another owner's
        event(EventKind.PLACED, BRACKET_ID + "-sl"),
        event(EventKind.CANCELLED, BRACKET_ID + "-sl"),
        event(EventKind.TRIGGERED, BRACKET_ID + "-sl", Market.SPOT),  # Spot OCOs cancel themselves
    ],
)
def test_nothing_else_calls_for_a_cancel(happened: StreamEvent) -> None:
    assert orphan_cancel(happened, OWNER) is None


def test_bracket_of_reads_list_and_leg_ids_of_this_owner_only() -> None:
    assert bracket_of(event(EventKind.FILLED, BRACKET_ID + "-tp"), OWNER) == "btc-perp"
    listed = StreamEvent(Market.SPOT, EventKind.EXPIRED, 1, list_client_id="ocr-eth-x-bbbbbb")
    assert bracket_of(listed, OWNER) == "eth-x"
    assert bracket_of(event(EventKind.FILLED, "web_1"), OWNER) is None
    assert bracket_of(event(EventKind.FILLED, BRACKET_ID + "-tp"), "other") is None


@pytest.mark.parametrize("kind", [EventKind.FILLED, EventKind.PARTLY_FILLED])
def test_a_fill_without_its_trigger_event_also_calls_for_the_cancel(kind: EventKind) -> None:
    # A stream that merges updates (or a reconnect) may deliver only the leg's fill.
    cancel = orphan_cancel(event(kind, BRACKET_ID + "-sl"), OWNER)
    assert cancel == AlgoCancel("BTCUSDT", BRACKET_ID + "-tp", LegRole.TAKE_PROFIT)
