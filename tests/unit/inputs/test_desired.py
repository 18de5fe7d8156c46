"""Desired state: YAML -> exact, frozen Bracket values, and every problem with file and line."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from oco_reconcile.core.model import Bracket, Leg, LegType, Side, SourceLocation, TimeInForce
from oco_reconcile.core.settings import Settings
from oco_reconcile.errors import InputError, Problem
from oco_reconcile.inputs import desired
from tests.support.paths import REPO_ROOT

REPO = REPO_ROOT
DEFAULTS = Settings()


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_text(tmp_path: Path, text: str, owner: str = "ocr") -> tuple[Bracket, ...]:
    path = write(tmp_path, "b.yaml", text)
    return desired.load_brackets([path], Settings(owner=owner))


def problems_of(tmp_path: Path, text: str, owner: str = "ocr") -> tuple[Problem, ...]:
    with pytest.raises(InputError) as raised:
        load_text(tmp_path, text, owner)
    return raised.value.problems


BASE: dict[str, Any] = {
    "name": "btc-exit",
    "symbol": "BTCUSDT",
    "side": "SELL",
    "quantity": "0.05",
    "take_profit": {"price": "125000"},
    "stop_loss": {"stop_price": "98000", "price": "97900"},
}


def bracket_yaml(**changes: Any) -> str:
    """One bracket: BASE with ``changes`` applied (a value of None removes the key)."""
    spec = {key: value for key, value in {**BASE, **changes}.items() if value is not None}
    return yaml.safe_dump({"brackets": [spec]}, sort_keys=False)


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


DESIGN_EXAMPLE = """\
# yaml-language-server: $schema=../schemas/brackets.schema.json
brackets:
  - name: btc-core-exit          # identity: letters, digits, '-', '_'
    symbol: BTCUSDT
    side: SELL                   # protects a long
    quantity: "0.05"
    take_profit:
      price: "125000"            # LIMIT_MAKER above the market
    stop_loss:
      stop_price: "98000"        # STOP_LOSS_LIMIT below the market ...
      price: "97900"             # ... omit price for a STOP_LOSS (market) stop
      time_in_force: GTC         # default GTC where the leg type needs one
  - name: eth-breakout
    symbol: ETHUSDT
    side: BUY
    quantity: 0.5
    take_profit: {price: 3600}                      # LIMIT_MAKER below the market
    stop_loss: {stop_price: 4400, price: 4410}      # STOP_LOSS_LIMIT above the market
  - name: btc-full-form
    symbol: BTCUSDT
    side: SELL
    quantity: "0.01"
    above: {type: TAKE_PROFIT_LIMIT, stop_price: "126000", price: "126100"}
    below: {type: STOP_LOSS, stop_price: "97000"}
    protect: true
"""


def test_the_design_example_loads(tmp_path: Path) -> None:
    core, eth, full = load_text(tmp_path, DESIGN_EXAMPLE)
    assert core.below.type is LegType.STOP_LOSS_LIMIT
    assert (eth.side, eth.quantity, eth.below.type, eth.above.type) == (
        Side.BUY,
        Decimal("0.5"),
        LegType.LIMIT_MAKER,
        LegType.STOP_LOSS_LIMIT,
    )
    assert eth.below.price == Decimal("3600")
    assert (full.above.type, full.below.type, full.protect) == (
        LegType.TAKE_PROFIT_LIMIT,
        LegType.STOP_LOSS,
        True,
    )


def test_the_repository_examples_load() -> None:
    brackets = desired.load_brackets([REPO / "brackets"], DEFAULTS)
    names = [b.name for b in brackets]
    assert names == ["btc-core-exit", "btc-full-form", "eth-breakout"]
    assert {b.symbol for b in brackets} == {"BTCUSDT", "ETHUSDT"}
    assert {b.side for b in brackets} == {Side.SELL, Side.BUY}


def test_empty_bracket_list_is_valid(tmp_path: Path) -> None:
    assert load_text(tmp_path, "brackets: []\n") == ()


def test_no_bracket_files_is_an_empty_desired_set(tmp_path: Path) -> None:
    (tmp_path / "brackets").mkdir()
    assert desired.load_brackets([tmp_path / "brackets"], DEFAULTS) == ()


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


# --- names across files ---------------------------------------------------------------------


def test_duplicate_names_across_files_name_both_places(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", bracket_yaml())
    second = write(tmp_path, "b.yaml", "# another file\n" + bracket_yaml())
    with pytest.raises(InputError) as raised:
        desired.load_brackets([first, second], DEFAULTS)
    (problem,) = raised.value.problems
    assert (problem.file, problem.line, problem.bracket, problem.field) == (
        str(second),
        3,
        "btc-exit",
        "name",
    )
    assert f"already defined at {first}:2" in problem.message


def test_duplicate_names_in_one_file(tmp_path: Path) -> None:
    one = yaml.safe_load(bracket_yaml())["brackets"][0]
    text = yaml.safe_dump({"brackets": [one, dict(one, quantity="1")]}, sort_keys=False)
    (problem,) = problems_of(tmp_path, text)
    assert "duplicate name" in problem.message
    assert problem.line is not None
    assert problem.line > 2


# --- files and directories ------------------------------------------------------------------


def test_directories_recurse_sorted_yaml_and_yml_skipping_hidden_and_settings(
    tmp_path: Path,
) -> None:
    root = tmp_path / "brackets"
    for name, file in [("z", "z.yaml"), ("a", "sub/a.yml"), ("m", "m.yaml")]:
        write(root, file, bracket_yaml(name=name))
    write(root, ".hidden/h.yaml", "not: [valid")
    write(root, ".h.yaml", "not: [valid")
    write(root, "notes.txt", "not yaml")
    write(root, "oco-reconcile.yaml", "exchange: sim\n")
    brackets = desired.load_brackets([root], DEFAULTS)
    assert [b.name for b in brackets] == ["m", "a", "z"]  # m.yaml < sub/a.yml < z.yaml


def test_a_file_given_twice_is_read_once(tmp_path: Path) -> None:
    path = write(tmp_path, "d/b.yaml", bracket_yaml())
    assert len(desired.load_brackets([path, tmp_path / "d", path], DEFAULTS)) == 1


def test_a_missing_path_is_a_problem(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        desired.load_brackets([tmp_path / "nope.yaml"], DEFAULTS)
    (problem,) = raised.value.problems
    assert str(problem) == f"{tmp_path / 'nope.yaml'}: no such file or directory"


def test_problems_from_every_file_come_in_one_error(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", bracket_yaml(name="a", quantity="0"))
    b = write(tmp_path, "b.yaml", bracket_yaml(name="b", side="HOLD"))
    c = write(tmp_path, "c.yaml", "brackets: [")
    with pytest.raises(InputError) as raised:
        desired.load_brackets([a, b, c], DEFAULTS)
    assert [p.file for p in raised.value.problems] == [str(a), str(b), str(c)]


# --- resolve_inputs / load_inputs / validate_paths ----------------------------------------------


def test_resolve_inputs_defaults_to_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert desired.resolve_inputs([]) == (None, ())
    write(tmp_path, "oco-reconcile.yaml", "exchange: sim\n")
    (tmp_path / "brackets").mkdir()
    assert desired.resolve_inputs([]) == (Path("oco-reconcile.yaml"), (Path("brackets"),))


def test_resolve_inputs_splits_settings_from_bracket_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "brackets").mkdir()
    settings = write(tmp_path, "conf/oco-reconcile.yml", "exchange: sim\n")
    other = write(tmp_path, "more/x.yaml", "brackets: []\n")
    assert desired.resolve_inputs([settings]) == (settings, (Path("brackets"),))
    assert desired.resolve_inputs([other, settings]) == (settings, (other,))


def test_resolve_inputs_reports_missing_paths_and_two_settings_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    one = write(tmp_path, "a/oco-reconcile.yaml", "")
    two = write(tmp_path, "b/oco-reconcile.yaml", "")
    with pytest.raises(InputError) as raised:
        desired.resolve_inputs([one, two, Path("missing.yaml")])
    messages = [str(problem) for problem in raised.value.problems]
    assert messages == [
        f"{two}: a second settings file (already using {one})",
        "missing.yaml: no such file or directory",
    ]


def test_load_inputs_reports_settings_and_bracket_problems_together(tmp_path: Path) -> None:
    settings = write(tmp_path, "oco-reconcile.yaml", "owner: abcdefghij\nprune: maybe\n")
    brackets = write(tmp_path, "b.yaml", bracket_yaml(name="a" * 16))
    with pytest.raises(InputError) as raised:
        desired.load_inputs([settings, brackets])
    assert [(p.file, p.field) for p in raised.value.problems] == [
        (str(settings), "prune"),
        (str(brackets), "name"),  # the valid owner still sets the name limit (15)
    ]


def test_load_inputs_and_validate_paths_on_the_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    settings, brackets = desired.load_inputs([])
    assert settings.exchange == "sim"
    assert len(brackets) == 3
    summary = desired.validate_paths([])
    assert summary == "OK: 3 brackets in 2 files (settings: oco-reconcile.yaml)"


def test_validate_paths_summary_without_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "b.yaml", bracket_yaml())
    assert (
        desired.validate_paths([Path("b.yaml")]) == "OK: 1 bracket in 1 file (settings: defaults)"
    )


# --- YAML-level hostility -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("brackets: !!set {a, b}\n", 1, "YAML tag '!!set' is not allowed"),
        ("brackets: !!binary aGVsbG8=\n", 1, "YAML tag '!!binary' is not allowed"),
        ("brackets: !local [1]\n", 1, "YAML tag '!local' is not allowed"),
        (
            "x-a: 1\nbrackets:\n  - !!python/name:os.system\n",
            3,
            "'!!python/name:os.system' is not allowed",
        ),
        ("brackets: []\nbrackets: []\n", 2, "duplicate key (first at line 1)"),
        ("brackets: &a [*a]\n", 1, "an alias refers to itself"),
        ("brackets: []\n? [1]\n: 2\n", 2, "mapping keys must be plain text"),
        ('brackets: []\nx: "\x07"\n', 2, "unacceptable character #x0007"),
        ("brackets: *nope\n", 1, "found undefined alias"),
        ("brackets: [\n", 2, "invalid YAML"),
        ("\tbrackets: []\n", 1, "invalid YAML"),
        ("brackets: []\nx: !!bool maybe\n", 2, "not a valid boolean"),
        ("brackets: []\nx: !!int abc\n", 2, "not a valid integer"),
        ("---\n---\nbrackets: []\n", 2, "more than one YAML document"),
        ("brackets: " + "[" * 100 + "]" * 100 + "\n", 1, "nested deeper than 40 levels"),
        ("brackets: [" + "1," * 60_000 + "1]\n", 1, "more than 50000 values"),
        ("just a string\n", 1, "expected a mapping with a 'brackets' list, found a string"),
        ("brackets: 5\n", 1, "brackets: must be a list, not an integer"),
        ("{}\n", 1, "brackets: required field is missing"),
    ],
)
def test_hostile_yaml_is_one_clear_problem(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = tmp_path / "b.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        desired.load_brackets([path], DEFAULTS)
    (problem,) = raised.value.problems
    assert (problem.file, problem.line) == (str(path), line)
    assert message in str(problem)


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n", "~\n"])
def test_empty_files_are_an_error(tmp_path: Path, text: str) -> None:
    (problem,) = problems_of(tmp_path, text)
    assert problem.message == "empty file: expected a mapping with a 'brackets' list"


def test_a_file_over_one_mebibyte_is_refused_without_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("brackets: []\n# " + "x" * desired.MAX_FILE_BYTES + "\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        desired.load_brackets([path], DEFAULTS)
    assert str(raised.value.problems[0]) == f"{path}: file is larger than 1024 KiB"


def test_non_utf8_names_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_bytes(b"brackets:\n  - name: caf\xe9\n")
    with pytest.raises(InputError) as raised:
        desired.load_brackets([path], DEFAULTS)
    assert (
        str(raised.value.problems[0])
        == f"{path}:2: not valid UTF-8 (byte 0xe9); save the file as UTF-8"
    )


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + bracket_yaml().encode())
    assert len(desired.load_brackets([path], DEFAULTS)) == 1


def test_alias_bomb_is_rejected_with_a_line(tmp_path: Path) -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    levels.append("brackets: *i")  # 10**9 strings if expanded
    (problem,) = problems_of(tmp_path, "\n".join(levels) + "\n")
    assert problem.line is not None
    assert "alias bomb" in problem.message


def test_anchors_merge_keys_and_x_fields_work(tmp_path: Path) -> None:
    brackets = load_text(
        tmp_path,
        """\
        x-btc-sell: &btc-sell
          symbol: BTCUSDT
          side: SELL
          quantity: "0.01"
        x-stop: &stop {stop_price: "98000"}
        brackets:
          - <<: *btc-sell
            name: one
            take_profit: {price: "125000"}
            stop_loss: *stop
          - <<: *btc-sell
            name: two
            quantity: "0.02"
            take_profit: {price: "126000"}
            stop_loss: *stop
        """,
    )
    assert [(b.name, b.symbol, b.quantity) for b in brackets] == [
        ("one", "BTCUSDT", Decimal("0.01")),
        ("two", "BTCUSDT", Decimal("0.02")),
    ]
    assert (
        brackets[0].below
        == brackets[1].below
        == Leg(LegType.STOP_LOSS, stop_price=Decimal("98000"))
    )


def test_python_tags_never_execute(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = bracket_yaml().replace(
        "symbol: BTCUSDT", f"symbol: !!python/object/apply:os.system ['touch {marker}']"
    )
    (problem,) = problems_of(tmp_path, text)
    assert problem.field == "symbol"
    assert "is not allowed" in problem.message
    assert not marker.exists()


# --- the building blocks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.05", Decimal("0.05")),
        (Decimal("1.5"), Decimal("1.5")),
        (7, Decimal(7)),
        (desired.YamlInt(8, "010"), Decimal(10)),
        (desired.OddScalar("non-finite number", ".inf"), "must be a finite number (got .inf)"),
        (desired.OddScalar("number", "1:30"), "plain decimal"),
        ("-0.5", "must be greater than 0 (got -0.5)"),
        ("1.123456789", "9 decimal places"),
        (None, "must be a decimal number, not empty (null)"),
        ([1], "must be a decimal number, not a list"),
        ("x" * 100, "the value is not a plain decimal number"),
    ],
)
def test_parse_amount(value: object, expected: Decimal | str) -> None:
    parsed = desired.parse_amount(value)
    if isinstance(expected, Decimal):
        assert parsed == expected
        assert isinstance(parsed, Decimal)
    else:
        assert isinstance(parsed, str)
        assert expected in parsed


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), ""),
        (("brackets",), "brackets"),
        (("brackets", 2), "brackets[2]"),
        (("guardrails", "symbols", 1), "guardrails.symbols[1]"),
        (("take_profit", "price"), "take_profit.price"),
    ],
)
def test_format_path(path: desired.PathKey, text: str) -> None:
    assert desired.format_path(path) == text
