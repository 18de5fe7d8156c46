"""``market: usdm`` brackets: exact values, each rule a failing input, mixed with Spot."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from oco_reconcile.core.model import Side, TimeInForce
from oco_reconcile.core.usdm.model import (
    AlgoOrderType,
    FuturesBracket,
    FuturesLeg,
    Market,
    PositionSide,
    WorkingType,
)
from oco_reconcile.errors import InputError, Problem
from oco_reconcile.inputs import desired
from tests.support.bracket_files import BASE, write
from tests.support.paths import REPO_ROOT

FUTURES: dict[str, Any] = {
    "name": "btc-perp-exit",
    "market": "usdm",
    "symbol": "BTCUSDT",
    "side": "SELL",
    "quantity": "close",
    "take_profit": {"stop_price": "125000"},
    "stop_loss": {"stop_price": "98000"},
}


def futures_yaml(*specs: dict[str, Any]) -> str:
    return yaml.safe_dump({"brackets": list(specs)}, sort_keys=False)


def spec(**changes: Any) -> dict[str, Any]:
    return {key: value for key, value in {**FUTURES, **changes}.items() if value is not None}


def load(tmp_path: Path, text: str) -> desired.LoadedInputs:
    write(tmp_path, "brackets/b.yaml", text)
    return desired.load_selected([tmp_path / "brackets"])


def problems(tmp_path: Path, text: str) -> list[tuple[int | None, str | None, str | None, str]]:
    with pytest.raises(InputError) as raised:
        load(tmp_path, text)
    return [_shape(problem) for problem in raised.value.problems]


def _shape(problem: Problem) -> tuple[int | None, str | None, str | None, str]:
    assert problem.file.endswith("b.yaml")
    return problem.line, problem.bracket, problem.field, problem.message


def test_the_design_example_gives_exact_values(tmp_path: Path) -> None:
    text = futures_yaml(spec(working_type="MARK_PRICE", price_protect=True))
    loaded = load(tmp_path, text)
    assert loaded.brackets == ()
    (bracket,) = loaded.futures
    assert bracket == FuturesBracket(
        name="btc-perp-exit",
        symbol="BTCUSDT",
        side=Side.SELL,
        quantity=None,
        take_profit=FuturesLeg(AlgoOrderType.TAKE_PROFIT_MARKET, Decimal("125000")),
        stop_loss=FuturesLeg(AlgoOrderType.STOP_MARKET, Decimal("98000")),
        working_type=WorkingType.MARK_PRICE,
        price_protect=True,
    )
    assert bracket.source is not None
    assert bracket.source.line == 2


def test_limit_legs_and_a_reduce_only_quantity(tmp_path: Path) -> None:
    text = futures_yaml(
        spec(
            side="BUY",
            quantity="0.010",
            take_profit={"stop_price": "90000", "price": "89900.5"},
            stop_loss={"stop_price": "101000", "price": "101100", "time_in_force": "IOC"},
            position_side="SHORT",
            rev=2,
            protect=True,
            adopt=["web_tp_1", "web_sl_1"],
        )
    )
    (bracket,) = load(tmp_path, text).futures
    assert bracket.quantity == Decimal("0.010")
    assert str(bracket.quantity) == "0.010"
    assert bracket.take_profit == FuturesLeg(
        AlgoOrderType.TAKE_PROFIT, Decimal("90000"), Decimal("89900.5"), TimeInForce.GTC
    )
    assert bracket.stop_loss == FuturesLeg(
        AlgoOrderType.STOP, Decimal("101000"), Decimal("101100"), TimeInForce.IOC
    )
    assert (bracket.position_side, bracket.rev, bracket.protect) == (PositionSide.SHORT, 2, True)
    assert bracket.adopt == ("web_tp_1", "web_sl_1")
    assert bracket.working_type is WorkingType.CONTRACT_PRICE  # Binance's default


def test_spot_and_futures_side_by_side(tmp_path: Path) -> None:
    text = futures_yaml(dict(BASE), spec(), dict(BASE, name="spot-2", market="spot"))
    loaded = load(tmp_path, text)
    assert [b.name for b in loaded.brackets] == ["btc-exit", "spot-2"]
    assert [b.name for b in loaded.futures] == ["btc-perp-exit"]
    summary = desired.validate_paths([tmp_path / "brackets"])
    assert summary.startswith("OK: 3 brackets (1 futures) in 1 file ")


def test_every_problem_of_a_bad_futures_bracket_at_once(tmp_path: Path) -> None:
    bad = spec(
        name="bad",
        quantity="closed",
        take_profit={"stop_price": "95000", "trailing_delta": 5},
        stop_loss={"stop_price": "98000", "time_in_force": "GTC"},
        position_side="SHORT",
        working_type="LAST",
        above={"type": "LIMIT_MAKER", "price": "1"},
    )
    found = problems(tmp_path, futures_yaml(bad))
    fields = sorted(str(field) for _, _, field, _ in found)
    assert fields == [
        "above",
        "position_side",
        "quantity",
        "stop_loss.time_in_force",
        "take_profit.stop_price",
        "take_profit.trailing_delta",
        "working_type",
    ]
    assert all(bracket == "bad" for _, bracket, _, _ in found)
    messages = {field: message for _, _, field, message in found}
    assert messages["quantity"] == "must be close or a positive decimal (got 'closed')"
    assert "SELL on SHORT would open a position" in messages["position_side"]
    assert "must be above stop_loss.stop_price 98000" in messages["take_profit.stop_price"]
    assert "for Spot brackets" in messages["above"]
    assert messages["stop_loss.time_in_force"].startswith("is only for a limit leg")


def test_close_needs_market_legs(tmp_path: Path) -> None:
    bad = spec(take_profit={"stop_price": "125000", "price": "124900"})
    ((line, bracket, field, message),) = problems(tmp_path, futures_yaml(bad))
    assert (line, bracket, field) == (9, "btc-perp-exit", "take_profit.price")  # its line
    assert message.startswith("quantity: close needs market legs")


@pytest.mark.parametrize(
    ("side", "take_profit", "stop_loss"),
    [("SELL", "98000", "125000"), ("BUY", "125000", "98000"), ("SELL", "100", "100")],
)
def test_triggers_on_the_wrong_sides(
    tmp_path: Path, side: str, take_profit: str, stop_loss: str
) -> None:
    bad = spec(
        side=side, take_profit={"stop_price": take_profit}, stop_loss={"stop_price": stop_loss}
    )
    ((_, _, field, message),) = problems(tmp_path, futures_yaml(bad))
    direction = "above" if side == "SELL" else "below"
    assert field == "take_profit.stop_price"
    assert f"must be {direction} stop_loss.stop_price {stop_loss}" in message


@pytest.mark.parametrize(("side", "position_side"), [("SELL", "SHORT"), ("BUY", "LONG")])
def test_a_position_side_that_would_open_is_refused(
    tmp_path: Path, side: str, position_side: str
) -> None:
    legs = {"take_profit": {"stop_price": "90000"}, "stop_loss": {"stop_price": "99000"}}
    bad = spec(side=side, position_side=position_side, **(legs if side == "BUY" else {}))
    ((_, _, field, message),) = problems(tmp_path, futures_yaml(bad))
    assert field == "position_side"
    assert f"{side} on {position_side} would open a position" in message


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        ("0", "must be greater than 0 (got 0)"),
        ("1e3", "'1e3' is not a plain decimal number"),
        (True, "must be close or a positive decimal (got a boolean)"),
        ("0.123456789", "has 9 decimal places"),
    ],
)
def test_bad_quantities(tmp_path: Path, quantity: object, expected: str) -> None:
    ((_, _, field, message),) = problems(tmp_path, futures_yaml(spec(quantity=quantity)))
    assert field == "quantity"
    assert expected in message


def test_spot_only_and_futures_only_keys_are_refused(tmp_path: Path) -> None:
    spot_with_futures_key = dict(BASE, working_type="MARK_PRICE")
    futures_with_spot_key = spec(stop_loss={"stop_price": "98000", "iceberg_qty": "1"})
    found = problems(tmp_path, futures_yaml(spot_with_futures_key, futures_with_spot_key))
    assert [(bracket, field) for _, bracket, field, _ in found] == [
        ("btc-exit", "working_type"),
        ("btc-perp-exit", "stop_loss.iceberg_qty"),
    ]
    assert all(message.startswith("unknown field") for *_, message in found)


def test_missing_futures_fields_are_named(tmp_path: Path) -> None:
    bad = spec(quantity=None, stop_loss=None, take_profit={"price": "1"})
    fields = sorted(str(field) for _, _, field, _ in problems(tmp_path, futures_yaml(bad)))
    assert fields == ["quantity", "stop_loss", "take_profit.stop_price"]


def test_names_are_unique_across_venues_and_files(tmp_path: Path) -> None:
    write(tmp_path, "brackets/a.yaml", futures_yaml(dict(BASE, name="same")))
    write(tmp_path, "brackets/b.yaml", futures_yaml(spec(name="same")))
    with pytest.raises(InputError) as raised:
        desired.load_selected([tmp_path / "brackets"])
    (problem,) = raised.value.problems
    assert problem.file.endswith("b.yaml")
    assert problem.field == "name"
    assert "duplicate name: already defined at " in problem.message


def test_an_algo_order_is_adopted_once(tmp_path: Path) -> None:
    text = futures_yaml(
        spec(name="one", adopt=["web_1"]),
        spec(name="two", adopt=["web_1", "web_2"]),
    )
    ((_, bracket, field, message),) = problems(tmp_path, text)
    assert (bracket, field) == ("two", "adopt")
    assert message == "algo order 'web_1' is already adopted by bracket 'one'"


def test_bad_adopt_ids(tmp_path: Path) -> None:
    found = problems(tmp_path, futures_yaml(spec(adopt=["has space", "ok"])))
    assert [(field, message) for _, _, field, message in found] == [
        ("adopt[0]", "must be a clientAlgoId: 1 to 36 of letters, digits and .:/_-")
    ]


def test_markets_setting(tmp_path: Path) -> None:
    write(tmp_path, "oco-reconcile.yaml", "markets: [spot, usdm]\n")
    write(tmp_path, "brackets/b.yaml", futures_yaml(dict(BASE)))
    loaded = desired.load_selected([tmp_path / "oco-reconcile.yaml", tmp_path / "brackets"])
    assert loaded.settings.markets == frozenset({Market.SPOT, Market.USDM})
    assert loaded.settings.reads_usdm(has_usdm_brackets=False)


def test_a_futures_bracket_with_usdm_not_read_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "oco-reconcile.yaml", "markets: [spot]\n")
    write(tmp_path, "brackets/b.yaml", futures_yaml(spec()))
    with pytest.raises(InputError) as raised:
        desired.load_selected([tmp_path / "oco-reconcile.yaml", tmp_path / "brackets"])
    (problem,) = raised.value.problems
    assert (problem.bracket, problem.field, problem.line) == ("btc-perp-exit", "market", 2)
    assert "market usdm is not in the markets of" in problem.message


@pytest.mark.parametrize("markets", ["[spot, coinm]", "usdm", "[]"])
def test_bad_markets_settings(tmp_path: Path, markets: str) -> None:
    write(tmp_path, "oco-reconcile.yaml", f"markets: {markets}\n")
    with pytest.raises(InputError) as raised:
        desired.load_selected([tmp_path / "oco-reconcile.yaml"])
    (problem,) = raised.value.problems
    assert problem.file.endswith("oco-reconcile.yaml")
    assert problem.line == 1
    assert str(problem.field).startswith("markets")


def test_the_file_format_docs_futures_example_loads(tmp_path: Path) -> None:
    docs = (REPO_ROOT / "docs" / "file-formats.md").read_text(encoding="utf-8")
    section = docs.split("## Futures brackets", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    btc, eth = load(tmp_path, example).futures
    assert (btc.quantity, btc.working_type) == (None, WorkingType.MARK_PRICE)
    assert eth.take_profit.type is AlgoOrderType.TAKE_PROFIT
    assert eth.take_profit.time_in_force is TimeInForce.GTC
