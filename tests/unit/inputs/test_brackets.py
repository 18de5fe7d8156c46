"""Bracket semantics: the friendly and full forms, and one problem per bad field."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from oco_reconcile.core.model import Bracket, Leg, LegType, Side, SourceLocation, TimeInForce
from tests.support.bracket_files import BASE, bracket_yaml, load_text, problems_of

# --- the friendly form ------------------------------------------------------------------------

FRIENDLY_TABLE = [
    # side, take_profit, stop_loss, expected above, expected below
    ("SELL", {"price": "125000"}, {"stop_price": "98000"}, LegType.LIMIT_MAKER, LegType.STOP_LOSS),
    (
        "SELL",
        {"price": "125000"},
        {"stop_price": "98000", "price": "97900"},
        LegType.LIMIT_MAKER,
        LegType.STOP_LOSS_LIMIT,
    ),
    (
        "SELL",
        {"stop_price": "126000"},
        {"stop_price": "98000"},
        LegType.TAKE_PROFIT,
        LegType.STOP_LOSS,
    ),
    (
        "SELL",
        {"stop_price": "126000", "price": "126100"},
        {"trailing_delta": 150},
        LegType.TAKE_PROFIT_LIMIT,
        LegType.STOP_LOSS,
    ),
    (
        "SELL",
        {"trailing_delta": 200},
        {"stop_price": "98000"},
        LegType.TAKE_PROFIT,
        LegType.STOP_LOSS,
    ),
    ("BUY", {"price": "3600"}, {"stop_price": "4400"}, LegType.STOP_LOSS, LegType.LIMIT_MAKER),
    (
        "BUY",
        {"stop_price": "3600", "price": "3590"},
        {"stop_price": "4400", "price": "4410"},
        LegType.STOP_LOSS_LIMIT,
        LegType.TAKE_PROFIT_LIMIT,
    ),
    (
        "SELL",
        {"type": "TAKE_PROFIT_LIMIT", "stop_price": "126000", "price": "126100"},
        {"type": "STOP_LOSS", "stop_price": "98000"},
        LegType.TAKE_PROFIT_LIMIT,
        LegType.STOP_LOSS,
    ),
]


@pytest.mark.parametrize("case", FRIENDLY_TABLE)
def test_friendly_legs_map_to_binance_above_and_below(
    tmp_path: Path, case: tuple[str, dict[str, Any], dict[str, Any], LegType, LegType]
) -> None:
    side, take_profit, stop_loss, above, below = case
    (bracket,) = load_text(
        tmp_path, bracket_yaml(side=side, take_profit=take_profit, stop_loss=stop_loss)
    )
    assert (bracket.above.type, bracket.below.type) == (above, below)
    assert bracket.take_profit.type in {
        LegType.LIMIT_MAKER,
        LegType.TAKE_PROFIT,
        LegType.TAKE_PROFIT_LIMIT,
    }
    assert bracket.stop_loss.type in {LegType.STOP_LOSS, LegType.STOP_LOSS_LIMIT}


def test_friendly_sell_bracket_is_exactly_the_expected_value(tmp_path: Path) -> None:
    (bracket,) = load_text(tmp_path, bracket_yaml())
    assert bracket == Bracket(
        name="btc-exit",
        symbol="BTCUSDT",
        side=Side.SELL,
        quantity=Decimal("0.05"),
        above=Leg(LegType.LIMIT_MAKER, price=Decimal("125000")),
        below=Leg(
            LegType.STOP_LOSS_LIMIT,
            price=Decimal("97900"),
            stop_price=Decimal("98000"),
            time_in_force=TimeInForce.GTC,
        ),
    )


@pytest.mark.parametrize(
    ("stop_loss", "time_in_force"),
    [
        ({"stop_price": "98000", "price": "97900"}, TimeInForce.GTC),  # the default
        ({"stop_price": "98000", "price": "97900", "time_in_force": "IOC"}, TimeInForce.IOC),
        ({"stop_price": "98000"}, None),  # a STOP_LOSS takes none
    ],
)
def test_time_in_force_defaults_to_gtc_only_where_the_type_needs_one(
    tmp_path: Path, stop_loss: dict[str, str], time_in_force: TimeInForce | None
) -> None:
    (bracket,) = load_text(tmp_path, bracket_yaml(stop_loss=stop_loss))
    assert bracket.below.time_in_force is time_in_force
    assert bracket.above.time_in_force is None  # LIMIT_MAKER


def test_full_form_keeps_every_field(tmp_path: Path) -> None:
    text = bracket_yaml(
        side="BUY",
        take_profit=None,
        stop_loss=None,
        above={
            "type": "STOP_LOSS_LIMIT",
            "stop_price": "4400",
            "price": "4410",
            "trailing_delta": 50,
        },
        below={"type": "LIMIT_MAKER", "price": "3600", "iceberg_qty": "0.1"},
        protect=True,
        rev=3,
    )
    (bracket,) = load_text(tmp_path, text)
    assert bracket.above == Leg(
        LegType.STOP_LOSS_LIMIT,
        price=Decimal("4410"),
        stop_price=Decimal("4400"),
        trailing_delta=50,
        time_in_force=TimeInForce.GTC,
    )
    assert bracket.below == Leg(
        LegType.LIMIT_MAKER, price=Decimal("3600"), iceberg_qty=Decimal("0.1")
    )
    assert (bracket.protect, bracket.rev) == (True, 3)


def test_protect_and_rev_default_to_false_and_zero(tmp_path: Path) -> None:
    (bracket,) = load_text(tmp_path, bracket_yaml())
    assert (bracket.protect, bracket.rev) == (False, 0)


def test_source_names_the_file_and_the_line_of_the_name(tmp_path: Path) -> None:
    brackets = load_text(
        tmp_path,
        """\
        # comment
        brackets:
          - symbol: BTCUSDT
            name: first
            side: SELL
            quantity: 1
            take_profit: {price: 2}
            stop_loss: {stop_price: 1}
          - name: second
            symbol: BTCUSDT
            side: SELL
            quantity: 1
            take_profit: {price: 2}
            stop_loss: {stop_price: 1}
        """,
    )
    file = str(tmp_path / "b.yaml")
    assert [b.source for b in brackets] == [SourceLocation(file, 4), SourceLocation(file, 9)]


# --- semantic checks: one bad field, one problem, at the right place ---------------------------

LONG_22 = "a" * 22
PROBLEM_TABLE: list[tuple[str, dict[str, Any], str, str]] = [
    # id, changes to BASE, field of the problem, part of its message
    ("name-too-long", {"name": LONG_22 + "b"}, "name", "at most 22 with owner 'ocr'"),
    ("name-chars", {"name": "btc exit"}, "name", "letters, digits, '-' and '_'"),
    ("name-dot", {"name": "btc.exit"}, "name", "letters, digits"),
    ("name-empty", {"name": ""}, "brackets[0].name", "non-empty"),
    ("symbol-lower", {"symbol": "btcusdt"}, "symbol", "upper case"),
    ("side", {"side": "sell"}, "side", "must be one of SELL, BUY (got 'sell')"),
    ("qty-zero", {"quantity": "0"}, "quantity", "must be greater than 0"),
    ("qty-negative", {"quantity": "-1"}, "quantity", "must be greater than 0"),
    ("qty-exponent-string", {"quantity": "1e5"}, "quantity", "not a plain decimal"),
    ("qty-garbage", {"quantity": "one"}, "quantity", "not a plain decimal"),
    ("qty-comma", {"quantity": "0,5"}, "quantity", "not a plain decimal"),
    ("qty-inf-string", {"quantity": "inf"}, "quantity", "finite"),
    ("qty-9-places", {"quantity": "0.123456789"}, "quantity", "9 decimal places"),
    ("qty-huge", {"quantity": "1" + "0" * 25}, "quantity", "too large"),
    ("qty-bool", {"quantity": True}, "quantity", "not a boolean"),
    ("qty-missing", {"quantity": None}, "quantity", "required field is missing"),
    (
        "price-negative",
        {"take_profit": {"price": "-125000"}},
        "take_profit.price",
        "greater than 0",
    ),
    (
        "iceberg-on-market-stop",
        {"stop_loss": {"stop_price": "98000", "iceberg_qty": "0.01"}},
        "stop_loss.iceberg_qty",
        "not allowed on a STOP_LOSS leg",
    ),
    (
        "iceberg-needs-gtc",
        {
            "stop_loss": {
                "stop_price": "98000",
                "price": "97900",
                "time_in_force": "IOC",
                "iceberg_qty": "0.01",
            }
        },
        "stop_loss.iceberg_qty",
        "needs time_in_force GTC",
    ),
    (
        "tif-on-limit-maker",
        {"take_profit": {"price": "125000", "time_in_force": "GTC"}},
        "take_profit.time_in_force",
        "not allowed on a LIMIT_MAKER leg",
    ),
    (
        "tif-on-market-stop",
        {"stop_loss": {"stop_price": "98000", "time_in_force": "GTC"}},
        "stop_loss.time_in_force",
        "not allowed on a STOP_LOSS leg",
    ),
    (
        "trailing-on-limit-maker",
        {"take_profit": {"type": "LIMIT_MAKER", "price": "125000", "trailing_delta": 100}},
        "take_profit.trailing_delta",
        "not allowed on a LIMIT_MAKER leg",
    ),
    (
        "stop-on-limit-maker",
        {"take_profit": {"type": "LIMIT_MAKER", "price": "125000", "stop_price": "124000"}},
        "take_profit.stop_price",
        "not allowed on a LIMIT_MAKER leg",
    ),
    (
        "trailing-zero",
        {"stop_loss": {"trailing_delta": 0}},
        "stop_loss.trailing_delta",
        "at least 1",
    ),
    (
        "trailing-string",
        {"stop_loss": {"trailing_delta": "100"}},
        "stop_loss.trailing_delta",
        "integer",
    ),
    (
        "price-on-take-profit",
        {"take_profit": {"type": "TAKE_PROFIT", "stop_price": "126000", "price": "126100"}},
        "take_profit.price",
        "use TAKE_PROFIT_LIMIT",
    ),
    ("take-profit-empty", {"take_profit": {}}, "take_profit", "needs a price"),
    (
        "stop-without-trigger",
        {"stop_loss": {"price": "97900"}},
        "stop_loss.stop_price",
        "stop_price",
    ),
    (
        "friendly-wrong-type",
        {"take_profit": {"type": "STOP_LOSS", "stop_price": "126000"}},
        "take_profit.type",
        "a take-profit leg must be one of LIMIT_MAKER, TAKE_PROFIT, TAKE_PROFIT_LIMIT",
    ),
    (
        "full-missing-type",
        {
            "take_profit": None,
            "stop_loss": None,
            "above": {"price": "1"},
            "below": {"type": "STOP_LOSS", "stop_price": "1"},
        },
        "above.type",
        "required field is missing",
    ),
    (
        "full-limit-maker-above-a-buy",
        {
            "side": "BUY",
            "take_profit": None,
            "stop_loss": None,
            "above": {"type": "TAKE_PROFIT", "stop_price": "4400"},
            "below": {"type": "LIMIT_MAKER", "price": "3600"},
        },
        "above.type",
        "the above leg of a BUY OCO must be one of STOP_LOSS, STOP_LOSS_LIMIT, not TAKE_PROFIT",
    ),
    (
        "mixed-forms",
        {"above": {"type": "LIMIT_MAKER", "price": "1"}},
        "",
        "mixes the friendly form",
    ),
    ("only-take-profit", {"stop_loss": None}, "stop_loss", "required field is missing"),
    ("no-legs", {"take_profit": None, "stop_loss": None}, "", "has no legs"),
    (
        "unknown-leg-field",
        {"stop_loss": {"stop_price": "98000", "limit": "97900"}},
        "stop_loss.limit",
        "unknown field",
    ),
    ("unknown-field", {"protected": True}, "protected", "did you mean 'protect'?"),
    ("rev-negative", {"rev": -1}, "rev", "at least 0"),
    ("rev-string", {"rev": "1"}, "rev", "must be an integer, not a string"),
    ("protect-string", {"protect": "yes"}, "protect", "must be true or false"),
    (
        "sell-order-equal",
        {"take_profit": {"price": "98000"}, "stop_loss": {"stop_price": "98000"}},
        "take_profit.price",
        "98000 must be above stop_loss.stop_price 98000",
    ),
    (
        "sell-take-profit-compares-its-stop",
        {"take_profit": {"stop_price": "97000"}, "stop_loss": {"stop_price": "98000"}},
        "take_profit.stop_price",
        "must be above stop_loss.stop_price",
    ),
    (
        "sell-tp-limit-compares-its-limit-price",
        {
            "take_profit": {"stop_price": "99000", "price": "97000"},
            "stop_loss": {"stop_price": "98000"},
        },
        "take_profit.price",
        "97000 must be above",
    ),
    (
        "buy-order",
        {"side": "BUY", "take_profit": {"price": "4500"}, "stop_loss": {"stop_price": "4400"}},
        "take_profit.price",
        "4500 must be below stop_loss.stop_price 4400",
    ),
    (
        "buy-full-order",
        {
            "side": "BUY",
            "take_profit": None,
            "stop_loss": None,
            "above": {"type": "STOP_LOSS", "stop_price": "3500"},
            "below": {"type": "LIMIT_MAKER", "price": "3600"},
        },
        "below.price",
        "3600 must be below above.stop_price 3500",
    ),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [row[1:] for row in PROBLEM_TABLE],
    ids=[row[0] for row in PROBLEM_TABLE],
)
def test_each_bad_field_is_one_problem_at_its_place(
    tmp_path: Path, changes: dict[str, Any], field: str, message: str
) -> None:
    (problem,) = problems_of(tmp_path, bracket_yaml(**changes))
    assert problem.file == str(tmp_path / "b.yaml")
    assert problem.line is not None
    assert (problem.field or "") == field
    assert message in problem.message
    assert problem.bracket in (changes.get("name", BASE["name"]) or None, None)


VALID_TABLE: list[tuple[str, dict[str, Any]]] = [
    ("name-at-limit", {"name": LONG_22}),
    ("trailing-only-stop-skips-the-order-check", {"stop_loss": {"trailing_delta": 100}}),
    (
        "tp-limit-trigger-below-stop-is-fine",
        {"take_profit": {"stop_price": "97000", "price": "99000"}},
    ),
    ("iceberg-on-limit-maker", {"take_profit": {"price": "125000", "iceberg_qty": "0.01"}}),
    (
        "iceberg-on-stop-limit-gtc",
        {"stop_loss": {"stop_price": "98000", "price": "97900", "iceberg_qty": "0.01"}},
    ),
    ("numbers-as-yaml-numbers", {"quantity": 0.05, "take_profit": {"price": 125000.5}}),
    ("fok", {"stop_loss": {"stop_price": "98000", "price": "97900", "time_in_force": "FOK"}}),
    ("x-keys", {}),
]


@pytest.mark.parametrize(
    "changes", [row[1] for row in VALID_TABLE], ids=[row[0] for row in VALID_TABLE]
)
def test_valid_variants_load(tmp_path: Path, changes: dict[str, Any]) -> None:
    (bracket,) = load_text(tmp_path, bracket_yaml(**changes))
    assert bracket.name == changes.get("name", "btc-exit")


def test_name_limit_follows_the_owner(tmp_path: Path) -> None:
    text = bracket_yaml(name="a" * 16)
    assert load_text(tmp_path, text, owner="ocr")[0].name == "a" * 16
    (problem,) = problems_of(tmp_path, text, owner="abcdefghij")
    assert "at most 15 with owner 'abcdefghij'" in problem.message


def test_both_limit_maker_legs_get_binances_reason(tmp_path: Path) -> None:
    text = bracket_yaml(
        take_profit=None,
        stop_loss=None,
        above={"type": "LIMIT_MAKER", "price": "125000"},
        below={"type": "LIMIT_MAKER", "price": "98000"},
    )
    (problem,) = problems_of(tmp_path, text)
    assert problem.field == "below.type"
    assert "at least one OCO order must be contingent" in problem.message


def test_every_problem_in_a_file_is_reported_in_line_order(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path,
        """\
        brackets:
          - name: first
            symbol: BTCUSDT
            side: SELL
            quantity: -1
            take_profit: {price: "125000"}
            stop_loss: {stop_price: "98000", bogus: 1}
          - name: "bad name"
            symbol: btcusdt
            side: BUY
            quantity: 1
            take_profit: {price: "3600"}
            stop_loss: {stop_price: "3500"}
        """,
    )
    rendered = [str(problem) for problem in problems]
    file = str(tmp_path / "b.yaml")
    assert rendered == [
        f"{file}:5: bracket 'first': quantity: must be greater than 0 (got -1)",
        f"{file}:7: bracket 'first': stop_loss.bogus: unknown field; expected one of: "
        "type, price, stop_price, trailing_delta, time_in_force, iceberg_qty",
        f"{file}:8: bracket 'bad name': name: must be non-empty and contain only letters, "
        "digits, '-' and '_'",
        f"{file}:9: bracket 'bad name': symbol: must be a Binance symbol in upper case, "
        "like BTCUSDT",
        f"{file}:12: bracket 'bad name': take_profit.price: 3600 must be below "
        "stop_loss.stop_price 3500: a BUY OCO takes profit below the market and stops on the other "
        "side (legs swapped?)",
    ]
