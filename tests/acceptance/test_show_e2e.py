"""Issue 16: ``show`` prints the live state as the tool sees it -- end to end on the built-in
simulator (``exchange: sim``) in a temp directory: an empty account, managed and unmanaged lists,
a fired bracket, a working remnant, a bracket no file defines, futures; the JSON keys are the
documented ones, and no secret is ever printed.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from oco_reconcile.core.model import Leg, LegRequest, LegType, OcoRequest, Side, TimeInForce
from oco_reconcile.core.settings import Settings
from oco_reconcile.core.usdm.model import AlgoOrderType, AlgoRequest, PositionSide, WorkingType
from oco_reconcile.inputs.settings import read_settings
from oco_reconcile.venues.connect import open_exchange, open_futures
from tests.support.cli import run_main
from tests.support.paths import REPO_ROOT

SETTINGS = "exchange: sim\nowner: ocr\n"
ONE_BRACKET = """\
brackets:
  - name: btc-exit
    symbol: BTCUSDT
    side: SELL
    quantity: "0.05"
    take_profit: {price: "125000"}
    stop_loss: {stop_price: "98000", price: "97900"}
"""
SECRET = "s3cr3t-value-never-printed-0123456789"
API_KEY = "k3y-value-never-printed-9876543210"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "oco-reconcile.yaml").write_text(SETTINGS, encoding="utf-8")
    (tmp_path / "brackets").mkdir()
    (tmp_path / "brackets" / "btc.yaml").write_text(ONE_BRACKET, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BINANCE_API_KEY", API_KEY)
    monkeypatch.setenv("BINANCE_API_SECRET", SECRET)
    return tmp_path


def show(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    capsys.readouterr()
    assert run_main(["show", *argv]) == 0
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err
    assert API_KEY not in captured.out + captured.err
    return captured.out


def show_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    document = json.loads(show(capsys, "--format", "json", *argv))
    assert isinstance(document, dict)
    return document


def bracket(document: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [b for b in document["brackets"] if b["name"] == name]
    assert isinstance(found, dict)
    return found


def leg(view: dict[str, Any], role: str) -> dict[str, Any]:
    (found,) = [item for item in view["legs"] if item["role"] == role]
    assert isinstance(found, dict)
    return found


def applied(capsys: pytest.CaptureFixture[str]) -> str:
    """Apply the files; the list id of btc-exit."""
    assert run_main(["apply", "--auto-approve"]) == 0
    list_id = bracket(show_json(capsys), "btc-exit")["list_client_order_id"]
    assert isinstance(list_id, str)
    return list_id


def local_settings() -> Settings:
    settings, problems = read_settings(Path("oco-reconcile.yaml"))
    assert not problems
    return settings


def place_algo_by_hand() -> str:
    """A futures stop placed outside the tool."""
    request = AlgoRequest(
        symbol="BTCUSDT",
        side=Side.SELL,
        position_side=PositionSide.BOTH,
        type=AlgoOrderType.STOP_MARKET,
        client_algo_id="manual_stop_1",
        trigger_price=Decimal("90000"),
        working_type=WorkingType.CONTRACT_PRICE,
        price_protect=False,
    )
    with open_futures(local_settings()) as futures:
        return futures.place_algo(request).client_algo_id


def place_by_hand() -> str:
    """A list placed outside the tool (random-looking ids, as the web UI does)."""
    settings = local_settings()
    stop_leg = Leg(
        LegType.STOP_LOSS_LIMIT,
        price=Decimal("95000"),
        stop_price=Decimal("95100"),
        time_in_force=TimeInForce.GTC,
    )
    request = OcoRequest(
        symbol="BTCUSDT",
        side=Side.SELL,
        quantity=Decimal("0.02"),
        list_client_order_id="web_Zk3q9PpA1xLm",
        above=LegRequest(Leg(LegType.LIMIT_MAKER, price=Decimal("130000")), "web_a1"),
        below=LegRequest(stop_leg, "web_b1"),
    )
    with open_exchange(settings) as exchange:
        return exchange.place_oco(request).list_client_order_id


def test_an_empty_account(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "brackets" / "btc.yaml").write_text("brackets: []\n", encoding="utf-8")
    out = show(capsys)
    assert "Managed brackets: none" in out
    assert "Unmanaged order lists: none" in out
    document = show_json(capsys)
    assert document["brackets"] == []
    assert document["unmanaged_lists"] == []
    assert document["positions"] is None  # no futures bracket, no `markets`: futures not read


def test_a_bracket_not_placed_yet_names_its_file_and_line(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "btc-exit  spot BTCUSDT SELL  not-placed  (brackets/btc.yaml:2)" in show(capsys)
    view = bracket(show_json(capsys), "btc-exit")
    assert (view["state"], view["file"], view["line"], view["legs"]) == (
        "not-placed",
        "brackets/btc.yaml",
        2,
        [],
    )


def test_managed_and_unmanaged_lists(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    list_id = applied(capsys)
    manual = place_by_hand()
    document = show_json(capsys)
    view = bracket(document, "btc-exit")
    assert view["state"] == "open"
    assert view["list_client_order_id"] == list_id
    assert [(item["role"], item["status"]) for item in view["legs"]] == [
        ("take-profit", "NEW"),
        ("stop-loss", "NEW"),
    ]
    assert leg(view, "stop-loss")["stop_price"] == "98000"
    (unmanaged,) = document["unmanaged_lists"]
    assert unmanaged["list_client_order_id"] == manual
    prices = sorted((item["side"], item["quantity"], item["price"]) for item in unmanaged["legs"])
    assert prices == [("SELL", "0.02", "130000"), ("SELL", "0.02", "95000")]
    out = show(capsys)
    assert f"BTCUSDT  {manual}  SELL 0.02: " in out
    assert "LIMIT_MAKER 0.02 @ 130000" in out


def test_a_fired_bracket_shows_its_fill(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    list_id = applied(capsys)
    assert run_main(["sim", "fill", list_id, "0.05"]) == 0
    view = bracket(show_json(capsys), "btc-exit")
    assert view["state"] == "fired"
    take_profit = leg(view, "take-profit")
    assert (take_profit["status"], take_profit["executed_quantity"]) == ("FILLED", "0.05")
    assert take_profit["fill_price"] == "125000"
    assert leg(view, "stop-loss")["status"] == "EXPIRED"
    assert "take-profit LIMIT_MAKER" in show(capsys)
    assert "0.05 of 0.05 filled at 125000" in show(capsys)


def test_a_working_remnant(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    list_id = applied(capsys)
    assert run_main(["sim", "fill", list_id, "0.01"]) == 0
    view = bracket(show_json(capsys), "btc-exit")
    assert view["state"] == "partly-fired"
    (remnant,) = view["legs"]
    assert (remnant["role"], remnant["executed_quantity"], remnant["quantity"]) == (
        "take-profit",
        "0.01",
        "0.05",
    )
    assert remnant["status"] == "PARTIALLY_FILLED"
    assert "partly-fired" in show(capsys)


def test_a_managed_list_no_file_defines(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    applied(capsys)
    (repo / "brackets" / "btc.yaml").write_text("brackets: []\n", encoding="utf-8")
    view = bracket(show_json(capsys), "btc-exit")
    assert (view["state"], view["file"]) == ("open", None)
    assert "(not in the bracket files read)" in show(capsys)


def test_show_plans_and_sends_nothing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = show_json(capsys)
    show(capsys)
    assert show_json(capsys) == before  # still nothing placed
    assert "Plan:" not in show(capsys)


@pytest.fixture
def futures_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This repository's example (Spot and the USDⓈ-M btc-perp-exit bracket)."""
    (tmp_path / "oco-reconcile.yaml").write_text(SETTINGS, encoding="utf-8")
    (tmp_path / "brackets").mkdir()
    perp = (REPO_ROOT / "brackets" / "btc-perp.yaml").read_text(encoding="utf-8")
    (tmp_path / "brackets" / "btc-perp.yaml").write_text(perp, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_futures_brackets_and_positions(
    futures_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["apply", "--auto-approve"]) == 0
    document = show_json(capsys)
    view = bracket(document, "btc-perp-exit")
    assert (view["market"], view["state"]) == ("usdm", "open")
    assert leg(view, "take-profit")["quantity"] is None  # quantity: close
    assert leg(view, "stop-loss")["stop_price"] == "95000"
    assert document["unmanaged_algo_orders"] == []
    (position,) = document["positions"]
    assert (position["symbol"], position["amount"]) == ("BTCUSDT", "0.01")
    assert "Futures positions: 1 position" in show(capsys)

    assert run_main(["sim", "price", "BTCUSDT", "131000"]) == 0
    fired = bracket(show_json(capsys), "btc-perp-exit")
    assert fired["state"] == "fired"
    assert leg(fired, "take-profit")["fill_price"] is not None


# --- the documented keys -------------------------------------------------------------------------

DOC = REPO_ROOT / "docs" / "show.md"


def documented_keys() -> set[str]:
    """Every `key` in the key tables of docs/show.md (first column)."""
    text = DOC.read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([a-z_]+)` \|", text, flags=re.MULTILINE))


def keys_of(document: dict[str, Any]) -> set[str]:
    found = set(document)
    for item in document["brackets"] + document["unmanaged_lists"]:
        found |= set(item)
        for one in item["legs"]:
            found |= set(one)
    for one in document["unmanaged_algo_orders"]:
        found |= set(one)
    for one in document["positions"] or ():
        found |= set(one)
    return found


def test_json_keys_are_the_documented_ones(
    futures_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (futures_repo / "brackets" / "btc.yaml").write_text(ONE_BRACKET, encoding="utf-8")
    assert run_main(["apply", "--auto-approve"]) == 0
    place_by_hand()
    manual = place_algo_by_hand()
    document = show_json(capsys)
    assert document["format_version"] == 1
    assert document["unmanaged_lists"]
    assert document["positions"]
    (algo,) = document["unmanaged_algo_orders"]
    assert (algo["client_order_id"], algo["role"], algo["stop_price"]) == (
        manual,
        "stop-loss",
        "90000",
    )
    assert algo["quantity"] is None  # closes the position
    assert f"  {manual}  STOP_MARKET SELL close position, trigger 90000" in show(capsys)
    assert keys_of(document) == documented_keys()
