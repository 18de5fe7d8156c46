"""End to end, USDⓈ-M futures brackets: the ``oco-reconcile`` CLI against the simulator
(``exchange: sim``; the fapi client over the in-process transport).

Issue 14's "done when": place a futures bracket; ``sim price`` through a leg; ``plan`` shows the
bracket fired and a planned cancel of the orphan; ``apply`` cancels it; the next plan is empty and
nothing is ever placed again. For a stop hit, a take-profit hit, a BUY bracket on a short,
reduce-only quantities, a leg cancelled by hand (drift) and an edit (replace).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest

from oco_reconcile.commands import app as cli
from oco_reconcile.core.usdm.model import AlgoOrder, AlgoStatus
from oco_reconcile.errors import EXIT_CHANGES, EXIT_OK
from oco_reconcile.inputs.settings import read_settings
from oco_reconcile.venues.connect import open_futures
from oco_reconcile.venues.usdm.protocol import FuturesExchange

SETTINGS_YAML = "exchange: sim\nowner: ocr\nsim_state: sim.json\n"
SELL_CLOSE = """\
brackets:
  - name: btc-perp
    market: usdm
    symbol: BTCUSDT
    side: SELL
    quantity: %(quantity)s
    take_profit: {stop_price: "%(tp)s"}
    stop_loss: {stop_price: "%(sl)s"}
    working_type: MARK_PRICE
"""
BUY_ON_SHORT = """\
brackets:
  - name: btc-short-cover
    market: usdm
    symbol: BTCUSDT
    side: BUY
    quantity: close
    take_profit: {stop_price: "100000"}
    stop_loss: {stop_price: "118000"}
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "oco-reconcile.yaml").write_text(SETTINGS_YAML)
    (tmp_path / "brackets").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(workdir: Path, text: str) -> None:
    (workdir / "brackets" / "perp.yaml").write_text(text)


def sell_close(quantity: str = "close", tp: str = "125000", sl: str = "98000") -> str:
    return SELL_CLOSE % {"quantity": quantity, "tp": tp, "sl": sl}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        cli.main(list(argv))
    out, err = capsys.readouterr()
    code = done.value.code
    assert isinstance(code, int), (out, err)
    return code, out + err


def plan_json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    code, text = run(capsys, "plan", "--format", "json")
    assert code == EXIT_OK, text
    document: dict[str, object] = json.loads(text)
    return document


def changes(capsys: pytest.CaptureFixture[str]) -> list[tuple[str, str]]:
    """(action, reason) of each planned change."""
    items = plan_json(capsys)["changes"]
    assert isinstance(items, list)
    return [(item["action"], item["reason"]) for item in items if item["action"] != "no-op"]


@contextmanager
def futures() -> Iterator[FuturesExchange]:
    settings, problems = read_settings(Path("oco-reconcile.yaml"))
    assert problems == []
    with open_futures(settings) as exchange:
        yield exchange


def algo_orders() -> tuple[AlgoOrder, ...]:
    with futures() as exchange:
        return exchange.open_algo_orders()


def applied(capsys: pytest.CaptureFixture[str]) -> str:
    code, text = run(capsys, "apply", "--auto-approve")
    assert code == EXIT_OK, text
    assert "Converged" in text
    return text


def settled(capsys: pytest.CaptureFixture[str]) -> None:
    """The next plan is empty (exit 0 under --detailed-exitcode): nothing is placed again."""
    code, text = run(capsys, "plan", "--detailed-exitcode")
    assert code == EXIT_OK, text


def fired_then_orphan_cancelled(
    capsys: pytest.CaptureFixture[str], price: str, fired: str, orphan: str
) -> None:
    assert run(capsys, "sim", "price", "BTCUSDT", price)[0] == EXIT_OK
    code, text = run(capsys, "plan", "--detailed-exitcode")
    assert code == EXIT_CHANGES, text
    assert f"{fired} fired at" in text
    assert f"{fired} fired: cancel the orphan {orphan}" in text
    before = {o.client_algo_id for o in algo_orders()}
    assert len(before) == 1
    applied(capsys)
    assert algo_orders() == ()
    settled(capsys)
    settled(capsys)


def test_a_stop_hit_cancels_the_orphan_take_profit(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(workdir, sell_close())
    applied(capsys)
    assert sorted(o.order_type for o in algo_orders()) == ["STOP_MARKET", "TAKE_PROFIT_MARKET"]
    settled(capsys)
    fired_then_orphan_cancelled(capsys, "97000", "stop-loss", "take-profit")


def test_a_take_profit_hit_cancels_the_orphan_stop(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(workdir, sell_close())
    applied(capsys)
    fired_then_orphan_cancelled(capsys, "126000", "take-profit", "stop-loss")


def test_a_buy_bracket_on_a_short(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "sim", "position", "BTCUSDT", "-0.020")[0] == EXIT_OK
    write(workdir, BUY_ON_SHORT)
    applied(capsys)
    assert {(o.side.value, o.close_position) for o in algo_orders()} == {("BUY", True)}
    fired_then_orphan_cancelled(capsys, "119000", "stop-loss", "take-profit")


def test_reduce_only_quantities(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(workdir, sell_close(quantity='"0.004"'))
    applied(capsys)
    orders = algo_orders()
    assert {(str(o.quantity), o.reduce_only, o.close_position) for o in orders} == {
        ("0.004", True, False)
    }
    fired_then_orphan_cancelled(capsys, "97000", "stop-loss", "take-profit")


def test_a_reduce_only_quantity_above_the_position_is_a_plan_error(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(workdir, sell_close(quantity='"0.5"'))
    code, text = run(capsys, "plan")
    assert code == 1
    assert "bracket.btc-perp" in text
    assert algo_orders() == ()


def test_a_leg_cancelled_by_hand_is_drift_and_placed_again(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(workdir, sell_close())
    applied(capsys)
    take_profit = next(o for o in algo_orders() if o.order_type == "TAKE_PROFIT_MARKET")
    with futures() as exchange:
        assert exchange.cancel_algo("BTCUSDT", take_profit.client_algo_id) is not None
    code, text = run(capsys, "plan", "--detailed-exitcode")
    assert code == EXIT_CHANGES
    assert "drift" in text.lower()
    applied(capsys)
    again = {o.client_algo_id: o for o in algo_orders()}
    assert take_profit.client_algo_id in again
    assert again[take_profit.client_algo_id].algo_id != take_profit.algo_id
    settled(capsys)


def test_an_edit_replaces_both_legs_and_keeps_a_stop(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(workdir, sell_close())
    applied(capsys)
    old = {o.client_algo_id for o in algo_orders()}
    write(workdir, sell_close(sl="99000"))
    assert [action for action, _ in changes(capsys)] == ["replace"]
    text = applied(capsys)
    assert text.index("place stop-loss") < text.index("cancel stop-loss")
    live = algo_orders()
    assert not old & {o.client_algo_id for o in live}
    assert sorted(o.trigger_price for o in live) == [Decimal(99000), Decimal(125000)]
    assert {o.status for o in live} == {AlgoStatus.NEW}
    settled(capsys)


def test_the_apply_json_report_names_the_market_and_the_algo_ids(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(workdir, sell_close())
    with pytest.raises(SystemExit) as done:
        cli.main(["apply", "--auto-approve", "--format", "json"])
    assert done.value.code == EXIT_OK
    document = json.loads(capsys.readouterr().out)  # stdout carries only the JSON document
    (change,) = document["changes"]
    assert change["market"] == "usdm"
    assert change["outcome"] == "done"
    assert sorted(change["client_algo_ids"]) == sorted(o.client_algo_id for o in algo_orders())
