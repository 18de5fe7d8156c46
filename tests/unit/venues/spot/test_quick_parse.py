"""The quick readers (venues/spot/quick_parse.py) against the checked ones: for the docs' example
answers and every field of them spoiled in turn, the quick reader either gives up (None) or gives
exactly what the checked reader gives -- never a value where the checked reader refuses."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from oco_reconcile.venues.spot import parse
from oco_reconcile.venues.spot.fields import ResponseFormatError
from oco_reconcile.venues.spot.quick_parse import quick_decimal, quick_list, quick_report

Load = Callable[[str], Any]
OPEN_ORDERS = Path(__file__).parent / "data" / "open_orders_response.json"
SPOILERS: tuple[object, ...] = (None, True, 5, -1, 1.5, "7", "x", "NaN", "Infinity", "0", [], {})
LIST_FIXTURES = (
    "oco_new_response.json",
    "order_list_get_response.json",
    "order_list_cancel_response.json",
)


def _spoiled(payload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The payload with each field removed, and with each field replaced by each spoiler."""
    for name in payload:
        yield {key: value for key, value in payload.items() if key != name}
        for spoiler in SPOILERS:
            yield {**payload, name: spoiler}


def _checked(read: Callable[[object], object], payload: object) -> object:
    try:
        return read(payload)
    except ResponseFormatError:
        return ResponseFormatError


def _assert_agrees(
    quick: Callable[[object], object], checked: Callable[[object], object], payload: object
) -> bool:
    """True when the quick reader read the payload itself (and agreed)."""
    got = quick(payload)
    if got is None:
        return False
    assert got == _checked(checked, payload), payload
    return True


def _reports(fixture_json: Load) -> list[dict[str, Any]]:
    oco = fixture_json("oco_new_response.json")["response"]
    open_orders = json.loads(OPEN_ORDERS.read_text(encoding="utf-8"))["response"]
    return [*oco["orderReports"], *open_orders]


def test_a_report_reads_as_the_checked_reader_reads_it(fixture_json: Load) -> None:
    for report in _reports(fixture_json):
        assert _assert_agrees(quick_report, parse._checked_report, report)


def test_a_spoiled_report_is_never_read_differently(fixture_json: Load) -> None:
    quick_reads = 0
    for report in _reports(fixture_json):
        for payload in _spoiled(report):
            quick_reads += _assert_agrees(quick_report, parse._checked_report, payload)
    assert quick_reads > 0  # fields the tool ignores, or spoiled into another valid value


@pytest.mark.parametrize("name", LIST_FIXTURES)
def test_a_list_reads_as_the_checked_reader_reads_it(fixture_json: Load, name: str) -> None:
    payload = fixture_json(name)["response"]
    assert _assert_agrees(quick_list, parse._checked_list, payload)
    for spoiled in _spoiled(payload):
        _assert_agrees(quick_list, parse._checked_list, spoiled)


def test_a_spoiled_leg_of_a_list_is_left_to_the_checked_reader(fixture_json: Load) -> None:
    payload = fixture_json("oco_new_response.json")["response"]
    first, *rest = payload["orders"]
    for spoiled_ref in _spoiled(first):
        _assert_agrees(quick_list, parse._checked_list, {**payload, "orders": [spoiled_ref, *rest]})
    report, *others = payload["orderReports"]
    for spoiled in _spoiled(report):
        with_report = {**payload, "orderReports": [spoiled, *others]}
        _assert_agrees(quick_list, parse._checked_list, with_report)


def test_the_public_readers_still_name_the_field() -> None:
    with pytest.raises(ResponseFormatError, match="'orderId'"):
        parse.parse_order_report({"symbol": "BTCUSDT", "orderId": "soon"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.50", Decimal("1.50")), ("0", Decimal(0)), ("NaN", None), ("-Infinity", None), ("x", None)],
)
def test_quick_decimal_is_exact_and_finite(text: str, expected: Decimal | None) -> None:
    got = quick_decimal(text)
    assert got == expected
    assert got is None or str(got) == text
