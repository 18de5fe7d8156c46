"""End to end: the ``oco-reconcile`` CLI against the simulated exchange (``exchange: sim``, the
production client over the in-process transport; once over real HTTP with ``sim serve``).

Plan -> apply -> change the YAML -> plan shows a replace; fired and drift driven with ``sim price``
and a cancel made outside the tool; saved plans and staleness; ``import`` then plan is a no-op.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from oco_reconcile.commands import app as cli
from oco_reconcile.core.identity import bracket_ids
from oco_reconcile.core.model import Leg, LegRequest, LegType, OcoRequest, Side, TimeInForce
from oco_reconcile.core.settings import Settings
from oco_reconcile.errors import EXIT_CHANGES, EXIT_ERROR, EXIT_OK
from oco_reconcile.inputs.settings import read_settings
from oco_reconcile.venues.connect import open_exchange
from oco_reconcile.venues.protocol import Exchange
from tests.support.paths import REPO_ROOT
from tests.support.plan_support import sell
from tests.unit.render.test_importer import needs_adopt

SETTINGS_YAML = "exchange: sim\nowner: ocr\nsim_state: sim.json\n"
BTC_EXIT = """\
  - name: btc-exit
    symbol: BTCUSDT
    side: SELL
    quantity: "0.05"
    take_profit: {price: "%(tp)s"}
    stop_loss: {stop_price: "98000", price: "97900"}%(extra)s
"""
ETH_ENTRY = """\
  - name: eth-entry
    symbol: ETHUSDT
    side: BUY
    quantity: "0.5"
    take_profit: {price: "3600"}
    stop_loss: {stop_price: "4400", price: "4410"}
"""
SCHEMA = REPO_ROOT / "schemas" / "plan.schema.json"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user's repository: settings, brackets/, and the simulator's state beside them."""
    (tmp_path / "oco-reconcile.yaml").write_text(SETTINGS_YAML)
    (tmp_path / "brackets").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_brackets(workdir: Path, *blocks: str) -> None:
    body = "".join(blocks) if blocks else ""
    text = "brackets:\n" + body if body else "brackets: []\n"
    (workdir / "brackets" / "main.yaml").write_text(text)


def btc_exit(tp: str = "125000", extra: str = "") -> str:
    return BTC_EXIT % {"tp": tp, "extra": extra}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        cli.main(list(argv))
    out, err = capsys.readouterr()
    code = done.value.code
    assert isinstance(code, int)
    return code, out, err


def settings() -> Settings:
    loaded, problems = read_settings(Path("oco-reconcile.yaml"))
    assert problems == []
    return loaded


def exchange() -> AbstractContextManager[Exchange]:
    return open_exchange(settings())


def list_id(tp: str = "125000", **extra: Any) -> str:
    bracket = sell("btc-exit", qty="0.05", tp=tp, stop="98000", limit="97900", **extra)
    return bracket_ids("ocr", bracket).list_client_order_id


def test_plan_apply_change_yaml_plan_shows_replace(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_brackets(workdir, btc_exit(), ETH_ENTRY)

    code, out, _ = run(capsys, "plan", "--detailed-exitcode")
    assert code == EXIT_CHANGES
    assert "Plan: 2 to place, 0 to replace, 0 to cancel." in out

    assert run(capsys, "apply", "--auto-approve")[0] == EXIT_OK
    code, out, _ = run(capsys, "plan", "--detailed-exitcode")
    assert (code, out.splitlines()[0]) == (
        EXIT_OK,
        "No changes. The live order lists match the desired state.",
    )

    write_brackets(workdir, btc_exit(tp="126000"), ETH_ENTRY)
    code, out, _ = run(capsys, "plan", "--detailed-exitcode")

    assert code == EXIT_CHANGES
    assert "-/+ bracket.btc-exit" in out
    assert '~ above.price          : "125000" -> "126000"' in out
    assert f"# cancels {list_id()}" in out
    assert f"# places  {list_id('126000')}" in out
    assert "Plan: 0 to place, 1 to replace, 0 to cancel." in out


def test_a_filled_leg_is_fired_and_only_a_rev_bump_re_arms(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_brackets(workdir, btc_exit())
    assert run(capsys, "apply", "--auto-approve")[0] == EXIT_OK

    assert run(capsys, "sim", "price", "BTCUSDT", "125500")[0] == EXIT_OK
    code, out, _ = run(capsys, "plan", "--detailed-exitcode")

    assert code == EXIT_OK
    assert "bracket.btc-exit (BTCUSDT): fired (LIMIT_MAKER leg executed 0.05 of 0.05" in out
    assert "Plan: 0 to place, 0 to replace, 0 to cancel." in out

    # re-arm: bump rev (and move the take profit above the new market, else the plan errs)
    write_brackets(workdir, btc_exit(tp="130000", extra="\n    rev: 1"))
    code, out, _ = run(capsys, "plan", "--detailed-exitcode")
    assert code == EXIT_CHANGES, out
    assert "  + bracket.btc-exit" in out
    assert f"# places  {list_id('130000', rev=1)}" in out


def test_a_triggered_stop_limit_still_working_is_fired(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_brackets(workdir, btc_exit())
    assert run(capsys, "apply", "--auto-approve")[0] == EXIT_OK

    # below the 98000 stop and the 97900 limit: the SELL stop-limit triggers but cannot fill yet
    assert run(capsys, "sim", "price", "BTCUSDT", "97800")[0] == EXIT_OK
    code, out, _ = run(capsys, "plan", "--detailed-exitcode")

    assert code == EXIT_OK
    assert "STOP_LOSS_LIMIT leg triggered and is working" in out


def test_a_list_cancelled_outside_is_drift_and_re_created(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_brackets(workdir, btc_exit())
    assert run(capsys, "apply", "--auto-approve")[0] == EXIT_OK
    with exchange() as ex:  # the web UI's cancel: its own cancel id, not ours
        assert ex.cancel_order_list("BTCUSDT", list_id(), "web_cancel_42") is not None

    code, out, _ = run(capsys, "plan", "--detailed-exitcode")

    assert code == EXIT_CHANGES
    assert "  + bracket.btc-exit" in out
    assert "drift: the list was cancelled outside oco-reconcile" in out
    assert "Drift (changed outside oco-reconcile; this plan heals it):" in out

    assert run(capsys, "apply", "--auto-approve")[0] == EXIT_OK
    assert run(capsys, "plan", "--detailed-exitcode")[0] == EXIT_OK


def test_a_list_the_tool_cancelled_comes_back_without_drift(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_brackets(workdir, btc_exit(), ETH_ENTRY)
    assert run(capsys, "apply", "--auto-approve")[0] == EXIT_OK
    write_brackets(workdir, ETH_ENTRY)
    code, out, _ = run(capsys, "plan", "--detailed-exitcode")
    assert code == EXIT_CHANGES
    assert "  - bracket.btc-exit" in out
    assert run(capsys, "apply", "--auto-approve")[0] == EXIT_OK

    write_brackets(workdir, btc_exit(), ETH_ENTRY)
    code, out, _ = run(capsys, "plan", "--detailed-exitcode")

    assert code == EXIT_CHANGES
    assert "cancelled by oco-reconcile before" in out
    assert "Drift" not in out


def test_saved_plan_applies_and_goes_stale_when_the_market_fills(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_brackets(workdir, btc_exit(), ETH_ENTRY)
    code, out, err = run(capsys, "plan", "--out", "plan.json", "--format", "json")
    assert code == EXIT_OK
    assert "Saved the plan to plan.json" in err
    assert json.loads(out) == json.loads((workdir / "plan.json").read_text())
    assert run(capsys, "apply", "--plan", "plan.json", "--auto-approve")[0] == EXIT_OK

    write_brackets(workdir, btc_exit(tp="126000"), ETH_ENTRY)
    assert run(capsys, "plan", "--out", "replace.json")[0] == EXIT_OK
    assert run(capsys, "sim", "price", "BTCUSDT", "125500")[0] == EXIT_OK  # the old list fills

    code, _, err = run(capsys, "apply", "--plan", "replace.json", "--auto-approve")

    assert code == EXIT_ERROR
    assert "stale" in err


def test_plan_errors_exit_1_and_save_nothing(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_brackets(workdir, btc_exit(tp="125000.005"))

    code, out, err = run(capsys, "plan", "--out", "bad.json", "--detailed-exitcode")

    assert code == EXIT_ERROR
    assert (
        "Error: brackets/main.yaml:2: bracket.btc-exit: take_profit (above): price: 125000.005 "
        "is not a multiple" in out
    )
    assert "the plan has 1 error; nothing applied" in err
    assert not (workdir / "bad.json").exists()


def test_an_empty_desired_set_refuses_to_cancel_everything(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_brackets(workdir, btc_exit())
    assert run(capsys, "apply", "--auto-approve")[0] == EXIT_OK
    write_brackets(workdir)

    code, out, _ = run(capsys, "plan")

    assert code == EXIT_ERROR
    assert "refusing to cancel all 1 managed list;" in out


def test_json_and_markdown_formats(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_brackets(workdir, btc_exit(), ETH_ENTRY)

    code, out, _ = run(capsys, "plan", "--format", "json")
    document = json.loads(out)
    assert code == EXIT_OK
    assert list(Draft202012Validator(json.loads(SCHEMA.read_text())).iter_errors(document)) == []
    assert document["summary"]["place"] == 2
    assert document["fingerprints"]["live"].startswith("sha256:")

    code, out, _ = run(capsys, "plan", "--format", "markdown")
    assert out.startswith(
        "### oco-reconcile plan\n\n**Plan: 2 to place, 0 to replace, 0 to cancel.**"
    )
    assert "<details><summary>Details</summary>" in out

    code, _, err = run(capsys, "plan", "--format", "yaml")
    assert code == EXIT_ERROR
    assert "--format must be text, json or markdown" in err


def test_import_of_our_own_lists_plans_as_no_op(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_brackets(workdir, btc_exit(extra="\n    rev: 2"), ETH_ENTRY)
    assert run(capsys, "apply", "--auto-approve")[0] == EXIT_OK
    (workdir / "brackets" / "main.yaml").unlink()

    code, out, _ = run(capsys, "import")
    assert code == EXIT_OK
    assert "    rev: 2" in out
    (workdir / "brackets" / "imported.yaml").write_text(out)

    assert run(capsys, "validate")[0] == EXIT_OK
    code, out, _ = run(capsys, "plan", "--detailed-exitcode")
    assert code == EXIT_OK, out
    assert "No changes." in out


def test_import_filters_by_symbol(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_brackets(workdir, btc_exit(), ETH_ENTRY)
    assert run(capsys, "apply", "--auto-approve")[0] == EXIT_OK

    code, out, _ = run(capsys, "import", "--symbol", "ETHUSDT")

    assert code == EXIT_OK
    assert "eth-entry" in out
    assert "btc-exit" not in out


def _place_by_hand(ex: Exchange) -> str:
    """A list placed outside the tool (random-looking ids, as the web UI does)."""
    request = OcoRequest(
        symbol="BTCUSDT",
        side=Side.SELL,
        quantity=Decimal("0.02"),
        list_client_order_id="web_Zk3q9PpA1xLm",
        above=LegRequest(Leg(LegType.LIMIT_MAKER, price=Decimal("130000")), "web_a1"),
        below=LegRequest(
            Leg(
                LegType.STOP_LOSS_LIMIT,
                price=Decimal("95000"),
                stop_price=Decimal("95100"),
                time_in_force=TimeInForce.GTC,
            ),
            "web_b1",
        ),
    )
    return ex.place_oco(request).list_client_order_id


def test_unmanaged_lists_are_listed_and_never_touched(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with exchange() as ex:
        manual = _place_by_hand(ex)
    write_brackets(workdir, ETH_ENTRY)

    code, out, _ = run(capsys, "plan", "--detailed-exitcode")

    assert code == EXIT_CHANGES
    assert f"list.{manual} (BTCUSDT): orderListId" in out
    assert "Plan: 1 to place, 0 to replace, 0 to cancel." in out


@needs_adopt
def test_import_of_an_unmanaged_list_adopts_it(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with exchange() as ex:
        manual = _place_by_hand(ex)

    code, out, _ = run(capsys, "import")
    assert code == EXIT_OK
    assert f'adopt: "{manual}"' in out
    (workdir / "brackets" / "imported.yaml").write_text(out)
    (workdir / "brackets" / "main.yaml").unlink(missing_ok=True)

    code, out, _ = run(capsys, "plan", "--detailed-exitcode")

    assert code == EXIT_OK, out
    assert "No changes." in out
    assert f"list.{manual}" not in out.split("Adopted")[0]  # not reported as unmanaged


def test_plan_over_http_with_sim_serve(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from oco_reconcile.sim.exchange import open_sim
    from oco_reconcile.sim.wire.server import start_server, stop_server

    server, url = start_server(open_sim(workdir / "served.json"))
    try:
        write_brackets(workdir, btc_exit())
        code, out, _ = run(capsys, "plan", "--base-url", url, "--detailed-exitcode")
    finally:
        stop_server(server)

    assert code == EXIT_CHANGES
    assert "  + bracket.btc-exit" in out
