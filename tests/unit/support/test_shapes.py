"""The shape comparison itself: it must fail whenever it has nothing to compare."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.shapes import assert_same_shape

ORDER = {"symbol": "BTCUSDT", "orderId": 1, "price": "1.0", "fills": [{"qty": "1"}]}


def test_the_same_shape_passes() -> None:
    ours = {
        "symbol": "ETHUSDT",
        "orderId": 7,
        "price": "2.5",
        "fills": [{"qty": "3"}, {"qty": "4"}],
    }
    assert_same_shape(ours, ORDER)
    assert_same_shape([ours], [ORDER])


@pytest.mark.parametrize(
    ("ours", "example", "message"),
    [
        ([], [ORDER], r"\$: ours is empty, the example has 1 item"),
        ([], [], r"\$: both lists are empty"),
        ([ORDER], [], r"\$: the example has no item to compare our 1 with"),
        ({**ORDER, "fills": []}, ORDER, r"\$\.fills: ours is empty"),
        ({**ORDER, "fills": []}, {**ORDER, "fills": []}, r"\$\.fills: both lists are empty"),
        ({}, {}, r"\$: both objects are empty"),
    ],
    ids=["ours-empty", "both-empty", "example-empty", "nested", "nested-both", "empty-objects"],
)
def test_nothing_to_compare_fails(ours: Any, example: Any, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        assert_same_shape(ours, example)


@pytest.mark.parametrize(
    ("ours", "message"),
    [
        ({"symbol": "BTCUSDT", "orderId": 1, "price": "1.0"}, r"missing \['fills'\]"),
        ({**ORDER, "extra": 1}, r"unexpected \['extra'\]"),
        ({"orderId": 1, "symbol": "BTCUSDT", "price": "1.0", "fills": [{"qty": "1"}]}, "order"),
        ({**ORDER, "price": 1.0}, r"\$\.price: float != str"),
        ({**ORDER, "fills": [{"qty": 1}]}, r"\$\.fills\[0\]\.qty: int != str"),
    ],
    ids=["missing", "extra", "key-order", "type", "nested-type"],
)
def test_a_different_shape_fails(ours: dict[str, Any], message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        assert_same_shape(ours, ORDER)


def test_conditional_fields_may_be_absent_or_extra() -> None:
    with_iceberg = {**ORDER, "icebergQty": "0.1"}
    assert_same_shape(with_iceberg, ORDER)
    assert_same_shape(ORDER, with_iceberg)
    with pytest.raises(AssertionError, match="unexpected"):
        assert_same_shape(with_iceberg, ORDER, conditional=frozenset())
