"""The futures account persists in the state file across ``open_sim`` re-opens, an older state
without it gets the seed, and the ``sim price --mark`` / ``sim position`` / ``sim status`` /
``sim reset`` commands drive it."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from oco_reconcile.sim.exchange import open_sim
from tests.support.cli import run_main
from tests.support.fake_time import FakeTime
from tests.support.fapi_api import ALGO, in_process, stop_loss, take_profit


def run(*argv: str) -> int:
    return run_main(list(argv))


def place_bracket(path: Path, clock: FakeTime) -> None:
    sim = open_sim(path, clock=clock.clock_ms)
    with in_process(sim, clock) as fapi:
        for params in (take_profit(), stop_loss()):
            assert fapi.signed("POST", ALGO, **params).status_code == 200


def test_futures_state_survives_a_new_process(tmp_path: Path, clock: FakeTime) -> None:
    path = tmp_path / "sim.json"
    place_bracket(path, clock)
    again = open_sim(path, clock=clock.clock_ms)
    futures = again.engine.usdm
    assert [item.client_algo_id for item in futures.open_algo_orders()] == [
        "me-btc-long-1a2b3c-tp",
        "me-btc-long-1a2b3c-sl",
    ]
    futures.set_prices("BTCUSDT", Decimal("125000"), Decimal("125000"))
    third = open_sim(path, clock=clock.clock_ms).engine.usdm
    assert [item.status for item in third.state.algo_orders.values()] == ["FINISHED", "NEW"]
    assert third.state.position("BTCUSDT", "BOTH") is None
    assert third.state.next_algo_id == 3
    raw = json.loads(path.read_text())["usdm"]
    assert raw["algoOrders"][0]["trigger_price"] == "125000"  # decimals as strings
    assert raw["lastPrices"]["BTCUSDT"] == "125000"


def test_a_state_written_before_futures_gets_the_seeded_account(tmp_path: Path) -> None:
    path = tmp_path / "sim.json"
    open_sim(path)
    raw = json.loads(path.read_text())
    del raw["usdm"]
    raw["prices"]["BTCUSDT"] = "100000"
    path.write_text(json.dumps(raw))
    futures = open_sim(path).engine.usdm.state
    assert futures.mark_prices["BTCUSDT"] == Decimal("100000")
    position = futures.position("BTCUSDT", "BOTH")
    assert position is not None
    assert position.amount == Decimal("0.010")


def test_sim_price_moves_last_and_mark_and_triggers(
    tmp_path: Path, clock: FakeTime, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sim.json"
    place_bracket(path, clock)
    assert run("sim", "price", "BTCUSDT", "124000", "--mark", "125000", "--state", str(path)) == 0
    moved = capsys.readouterr().out
    assert "algo triggered" in moved
    assert "me-btc-long-1a2b3c-tp" in moved
    futures = open_sim(path).engine.usdm.state
    assert (futures.last_prices["BTCUSDT"], futures.mark_prices["BTCUSDT"]) == (
        Decimal("124000"),
        Decimal("125000"),
    )
    assert open_sim(path).engine.state.prices["BTCUSDT"] == Decimal("124000")  # Spot too
    assert run("sim", "price", "ETHUSDT", "4100", "--state", str(path)) == 0
    eth = open_sim(path).engine.usdm.state
    assert eth.mark_prices["ETHUSDT"] == eth.last_prices["ETHUSDT"] == Decimal("4100")


def test_sim_status_shows_positions_and_algo_orders(
    tmp_path: Path, clock: FakeTime, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sim.json"
    place_bracket(path, clock)
    assert run("sim", "status", "--state", str(path)) == 0
    status = capsys.readouterr().out
    assert "Futures (USDⓈ-M, one-way mode):" in status
    assert "BTCUSDT BOTH 0.010 @ 110000" in status
    assert "Open algo orders: 2" in status
    assert (
        "1 me-btc-long-1a2b3c-tp BTCUSDT TAKE_PROFIT_MARKET SELL trigger 125000 (MARK_PRICE) "
        "close position NEW"
    ) in status
    assert "None" not in status


def test_sim_position_seeds_and_reset_restores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(tmp_path / "sim.json")
    assert run("sim", "position", "ETHUSDT", "-1.5", "--entry", "3900", "--state", path) == 0
    held = open_sim(path).engine.usdm.state.position("ETHUSDT", "BOTH")
    assert held is not None
    assert (held.amount, held.entry_price) == (Decimal("-1.5"), Decimal("3900"))
    capsys.readouterr()
    assert run("sim", "position", "ETHUSDT", "1", "--position-side", "LONG", "--state", path) == 1
    assert "does not fit the account's one-way mode" in capsys.readouterr().err
    assert run("sim", "position", "DOGEUSDT", "1", "--state", path) == 1
    assert run("sim", "reset", "--state", path) == 0
    fresh = open_sim(path).engine.usdm.state
    assert fresh.position("ETHUSDT", "BOTH") is None
    assert fresh.position("BTCUSDT", "BOTH") is not None


def test_a_malformed_futures_section_is_one_usage_error(tmp_path: Path) -> None:
    from oco_reconcile.errors import UsageError

    path = tmp_path / "sim.json"
    open_sim(path)
    raw = json.loads(path.read_text())
    del raw["usdm"]["counters"]
    path.write_text(json.dumps(raw))
    with pytest.raises(UsageError, match=r"missing 'counters'.*sim reset"):
        open_sim(path)
