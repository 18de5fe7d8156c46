"""Amounts: exact decimals exactly as written, or the message saying why not."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oco_reconcile.inputs import amounts, document
from oco_reconcile.inputs.document import INVALID, Document, Issue, IssueLog
from tests.support.bracket_files import bracket_yaml, load_text

# --- numbers exactly as written --------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("0.1", "0.1"),  # a YAML float: never float(0.1) = 0.1000000000000000055...
        ('"0.1"', "0.1"),
        ("0.05", "0.05"),
        ("'0.05'", "0.05"),
        ("5", "5"),
        ("010", "10"),  # YAML 1.1 would read octal 8; we read what is written
        ("1.5e-3", "0.0015"),
        ('"125000.00"', "125000.00"),
        ("+2.5", "2.5"),
        ("0.00000001", "0.00000001"),
        ("0.100000000", "0.100000000"),  # trailing zeros are not precision
    ],
)
def test_quantities_are_decimals_exactly_as_written(
    tmp_path: Path, written: str, expected: str
) -> None:
    text = bracket_yaml().replace("quantity: '0.05'", f"quantity: {written}")
    (bracket,) = load_text(tmp_path, text)
    assert isinstance(bracket.quantity, Decimal)
    assert bracket.quantity == Decimal(expected)
    assert str(bracket.quantity) == str(Decimal(expected))


@settings(max_examples=60, deadline=None)
@given(
    units=st.integers(min_value=1, max_value=10**12),
    places=st.integers(min_value=0, max_value=8),
    quoted=st.booleans(),
)
def test_any_decimal_with_up_to_8_places_round_trips(
    tmp_path_factory: pytest.TempPathFactory, units: int, places: int, quoted: bool
) -> None:
    value = Decimal(units).scaleb(-places)
    written = format(value, "f")
    text = bracket_yaml().replace(
        "quantity: '0.05'", f"quantity: {written!r}" if quoted else f"quantity: {written}"
    )
    directory = tmp_path_factory.mktemp("prop")
    (bracket,) = load_text(directory, text)
    assert bracket.quantity == value
    assert format(bracket.quantity, "f") == written


# --- the building blocks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.05", Decimal("0.05")),
        (Decimal("1.5"), Decimal("1.5")),
        (7, Decimal(7)),
        (document.YamlInt(8, "010"), Decimal(10)),
        (document.OddScalar("non-finite number", ".inf"), "must be a finite number (got .inf)"),
        (document.OddScalar("number", "1:30"), "plain decimal"),
        ("-0.5", "must be greater than 0 (got -0.5)"),
        ("1.123456789", "9 decimal places"),
        (None, "must be a decimal number, not empty (null)"),
        ([1], "must be a decimal number, not a list"),
        ("x" * 100, "the value is not a plain decimal number"),
    ],
)
def test_parse_amount(value: object, expected: Decimal | str) -> None:
    parsed = amounts.parse_amount(value)
    if isinstance(expected, Decimal):
        assert parsed == expected
        assert isinstance(parsed, Decimal)
    else:
        assert isinstance(parsed, str)
        assert expected in parsed


def test_read_amount_reports_at_the_key_and_marks_the_field_invalid() -> None:
    log = IssueLog(Document("f.yaml", {}))
    mapping: dict[str, object] = {"price": "1.5", "quantity": "-1"}
    assert amounts.read_amount(log, mapping, ("brackets", 0), "price") == Decimal("1.5")
    assert amounts.read_amount(log, mapping, ("brackets", 0), "stop_price") is None
    assert amounts.read_amount(log, mapping, ("brackets", 0), "quantity") is INVALID
    assert log.issues == [
        Issue(("brackets", 0, "quantity"), "must be greater than 0 (got -1)"),
    ]
