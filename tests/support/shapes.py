"""Comparing our JSON answers with the Binance docs' examples: keys, key order and JSON types.

Fields the docs call conditional (rest-api.md marks them "only present when ...") may be absent or
extra; every other key must be there, in the example's order, with the same JSON type, all the way
down. A comparison that has nothing to compare fails: an empty list on either side (or both) would
otherwise prove nothing about the items' shape, so a test must produce data to compare.
"""

from __future__ import annotations

from collections.abc import Set
from typing import Any

CONDITIONAL = frozenset(
    {
        "icebergQty",
        "stopPrice",
        "trailingDelta",
        "trailingTime",
        "strategyId",
        "strategyType",
        "expiryReason",
        "sors",  # exchangeInfo: only when SOR is available
    }
)


def assert_same_shape(
    ours: Any, example: Any, where: str = "$", *, conditional: Set[str] = CONDITIONAL
) -> None:
    """Fail unless ``ours`` has the shape of ``example`` (see the module docstring)."""
    assert type(ours) is type(example), (
        f"{where}: {type(ours).__name__} != {type(example).__name__}"
    )
    if isinstance(example, dict):
        _assert_same_keys(ours, example, where, conditional)
        for key in (key for key in ours if key in example):
            assert_same_shape(ours[key], example[key], f"{where}.{key}", conditional=conditional)
    elif isinstance(example, list):
        _assert_items_to_compare(ours, example, where)
        for index, item in enumerate(ours):
            last = example[min(index, len(example) - 1)]
            assert_same_shape(item, last, f"{where}[{index}]", conditional=conditional)


def _assert_same_keys(
    ours: dict[str, Any], example: dict[str, Any], where: str, conditional: Set[str]
) -> None:
    assert ours or example, f"{where}: both objects are empty, nothing was compared"
    missing = set(example) - set(ours) - conditional
    extra = set(ours) - set(example) - conditional
    assert not missing, f"{where}: missing {sorted(missing)}"
    assert not extra, f"{where}: unexpected {sorted(extra)}"
    common_ours = [key for key in ours if key in example]
    common_example = [key for key in example if key in ours]
    assert common_ours == common_example, f"{where}: key order differs"


def _assert_items_to_compare(ours: list[Any], example: list[Any], where: str) -> None:
    assert ours or example, f"{where}: both lists are empty, nothing was compared"
    assert ours, f"{where}: ours is empty, the example has {len(example)} item(s)"
    assert example, f"{where}: the example has no item to compare our {len(ours)} with"
