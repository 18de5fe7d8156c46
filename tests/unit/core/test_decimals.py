"""Exact decimal helpers: wire strings and step grids."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oco_reconcile.core.decimals import (
    ceil_to_step,
    floor_to_step,
    is_multiple,
    nearest_steps,
    parse_decimal,
    to_wire,
)


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        ("0.10", "0.1"),
        ("1E+2", "100"),
        ("125000", "125000"),
        ("0.00001000", "0.00001"),
        ("0", "0"),
        ("0.000", "0"),
        ("1e-8", "0.00000001"),
    ],
)
def test_to_wire_is_plain_and_canonical(value: str, wire: str) -> None:
    assert to_wire(Decimal(value)) == wire


@pytest.mark.parametrize("text", ["nan", "inf", "-Infinity", "abc", "", "1,5"])
def test_parse_decimal_refuses_non_finite_and_garbage(text: str) -> None:
    assert parse_decimal(text) is None


def test_parse_decimal_keeps_digits_exactly() -> None:
    assert parse_decimal(" 0.1 ") == Decimal("0.1")
    assert str(parse_decimal("0.1000000000000000055511151231257827")) == (
        "0.1000000000000000055511151231257827"
    )


def test_step_helpers_on_a_real_tick() -> None:
    tick = Decimal("0.01")
    assert is_multiple(Decimal("97900.10"), tick)
    assert not is_multiple(Decimal("97900.105"), tick)
    assert is_multiple(Decimal("1.2345"), Decimal("0"))  # a zero step disables the rule
    assert floor_to_step(Decimal("97900.105"), tick) == Decimal("97900.10")
    assert ceil_to_step(Decimal("97900.105"), tick) == Decimal("97900.11")
    assert nearest_steps(Decimal("0.000015"), Decimal("0.00001")) == (
        Decimal("0.00001"),
        Decimal("0.00002"),
    )


@given(
    st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal("1000000"), places=8),
    st.sampled_from([Decimal("0.01"), Decimal("0.00001"), Decimal("1"), Decimal("0.5")]),
)
def test_nearest_steps_bracket_the_value_on_the_grid(value: Decimal, step: Decimal) -> None:
    low, high = nearest_steps(value, step)
    assert low <= value <= high
    assert is_multiple(low, step)
    assert is_multiple(high, step)
    assert high - low in (Decimal(0), step)
    assert Decimal(to_wire(value)) == value
