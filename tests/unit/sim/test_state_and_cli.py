"""Persistence (so plan, apply, plan work across commands) and the ``oco-reconcile sim``
commands."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from oco_reconcile.commands.app import main
from oco_reconcile.sim.engine.store import StateFile
from oco_reconcile.sim.exchange import open_sim
from tests.support.fake_time import FakeTime
from tests.support.sim_api import Api

LIST_ID = "ocr-btc-exit-abcdef"


def place_through(path: Path, clock: FakeTime, **overrides: str | None) -> dict[str, object]:
    sim = open_sim(path, clock=clock.clock_ms)
    with httpx.Client(base_url="http://sim.local", transport=sim.transport()) as http:
        response = Api(http, clock).place(**overrides)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def run(*argv: str) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    code = exit_info.value.code
    return code if isinstance(code, int) else 0


def test_state_survives_a_new_process(tmp_path: Path, clock: FakeTime) -> None:
    path = tmp_path / ".oco-reconcile" / "sim.json"
    place_through(path, clock)
    again = open_sim(path, clock=clock.clock_ms)
    assert [item.list_client_order_id for item in again.engine.open_order_lists()] == [LIST_ID]
    btc = dict(again.engine.balances())["BTC"]
    assert (str(btc.free), str(btc.locked)) == ("0.99", "0.01")
    raw = json.loads(path.read_text())
    assert raw["balances"]["BTC"] == {"free": "0.99", "locked": "0.01"}
    assert all(isinstance(order["price"], str) for order in raw["orders"])  # never floats


def test_a_running_exchange_sees_changes_made_by_another_process(
    tmp_path: Path, clock: FakeTime
) -> None:
    path = tmp_path / "sim.json"
    serving = open_sim(path, clock=clock.clock_ms)
    place_through(path, clock)  # e.g. `apply` in-process while `sim serve` holds the file
    clock.advance(0.005)
    with httpx.Client(base_url="http://sim.local", transport=serving.transport()) as http:
        assert [item["listClientOrderId"] for item in Api(http, clock).open_lists()] == [LIST_ID]


def test_unreadable_state_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "sim.json"
    path.write_text("{not json")
    from oco_reconcile.errors import UsageError

    with pytest.raises(UsageError, match="sim reset"):
        StateFile(path).load()


def test_sim_price_fills_and_status_shows_it(
    tmp_path: Path, clock: FakeTime, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sim.json"
    place_through(path, clock)
    assert run("sim", "status", "--state", str(path)) == 0
    status = capsys.readouterr().out
    assert "Open order lists: 1" in status
    assert LIST_ID in status
    assert run("sim", "price", "BTCUSDT", "121000", "--state", str(path)) == 0
    moved = capsys.readouterr().out
    assert "filled" in moved
    assert "expired" in moved
    reopened = open_sim(path)
    assert reopened.engine.open_order_lists() == []
    assert str(reopened.engine.state.prices["BTCUSDT"]) == "121000"


def test_sim_status_shows_a_trailing_leg_by_its_delta(
    tmp_path: Path, clock: FakeTime, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sim.json"
    trailing = {"belowType": "STOP_LOSS", "belowTrailingDelta": "100"}
    place_through(
        path, clock, belowStopPrice=None, belowPrice=None, belowTimeInForce=None, **trailing
    )
    assert run("sim", "status", "--state", str(path)) == 0
    status = capsys.readouterr().out
    line = next(x for x in status.splitlines() if LIST_ID in x and "below" in x)
    assert "None" not in line
    assert "below STOP_LOSS trailing delta 100" in line
    assert "above LIMIT_MAKER @ 120000" in line
    assert "SELL 0.01" in line


def test_sim_fill_forces_a_partial_fill(tmp_path: Path, clock: FakeTime) -> None:
    path = tmp_path / "sim.json"
    place_through(path, clock, quantity="0.02")
    assert run("sim", "fill", LIST_ID, "0.005", "--state", str(path)) == 0
    legs = open_sim(path).engine.open_orders("BTCUSDT")
    assert [(leg.type, leg.status, str(leg.executed_qty)) for leg in legs] == [
        ("LIMIT_MAKER", "PARTIALLY_FILLED", "0.005")
    ]


def test_sim_reset(tmp_path: Path, clock: FakeTime, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sim.json"
    place_through(path, clock)
    assert run("sim", "reset", "--state", str(path)) == 0
    assert "reset" in capsys.readouterr().out
    fresh = open_sim(path)
    assert fresh.engine.open_order_lists() == []
    assert fresh.engine.events() == []
    assert str(dict(fresh.engine.balances())["BTC"].free) == "1"


def test_sim_commands_use_the_settings_state_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "oco-reconcile.yaml").write_text("exchange: sim\nsim_state: var/my-sim.json\n")
    assert run("sim", "price", "ETHUSDT", "4100") == 0
    assert (tmp_path / "var" / "my-sim.json").exists()


def test_sim_errors_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(tmp_path / "sim.json")
    assert run("sim", "price", "NOPE", "1", "--state", path) == 1
    assert "unknown symbol 'NOPE'" in capsys.readouterr().err
    assert run("sim", "price", "BTCUSDT", "-5", "--state", path) == 1
    assert run("sim", "fill", "no-such-list", "1", "--state", path) == 1
    assert run("sim", "serve", "--host", "0.0.0.0", "--state", path) == 1  # noqa: S104
    assert "not a loopback address" in capsys.readouterr().err
