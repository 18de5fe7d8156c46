"""Issue 12 item 3, end to end on the built-in simulator: a partly executed list never oversells.

``sim fill <list> 0.01`` fills the take profit of ``btc-core-exit`` partly: the simulator expires
the stop loss and the list is done while the take profit keeps working with the rest (rest-api.md
"New Order list - OCO (TRADE)"). Every test drives the real commands and checks what reached the
exchange (the simulator's state file), not what the tool says it did.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_main

STATE = Path(".oco-reconcile/sim.json")
BTC_FILE = Path("brackets/btc.yaml")
CORE = "bracket.btc-core-exit"
WORKING = frozenset({"NEW", "PARTIALLY_FILLED"})


def plan_json(argv: Sequence[str] = ()) -> dict[str, Any]:
    assert run_main(["plan", "--format", "json", "--out", "p.json", *argv]) in (0, 2)
    plan = json.loads(Path("p.json").read_text(encoding="utf-8"))
    assert isinstance(plan, dict)
    return plan


def sim_state() -> dict[str, Any]:
    state = json.loads(STATE.read_text(encoding="utf-8"))
    assert isinstance(state, dict)
    return state


def core_list_id() -> str:
    """The list client id apply placed for btc-core-exit (read from the simulator)."""
    lists = [
        item["list_client_order_id"]
        for item in sim_state()["orderLists"]
        if item["list_client_order_id"].startswith("ocr-btc-core-exit-")
    ]
    return str(lists[-1])


def partly_fired() -> str:
    """Apply the example, then fill 0.01 of btc-core-exit's 0.05: the list id."""
    assert run_main(["apply", "--auto-approve"]) == 0
    list_id = core_list_id()
    assert run_main(["sim", "fill", list_id, "0.01"]) == 0
    return list_id


def edit_core_take_profit() -> None:
    text = BTC_FILE.read_text(encoding="utf-8")
    assert '"125000"' in text
    BTC_FILE.write_text(text.replace('"125000"', '"126000"', 1), encoding="utf-8")


def delete_core_bracket() -> None:
    text = BTC_FILE.read_text(encoding="utf-8")
    start = text.index("  - name: btc-core-exit")
    end = text.index("  - name: btc-full-form")
    BTC_FILE.write_text(text[:start] + text[end:], encoding="utf-8")


def working_orders_outside_open_lists() -> list[dict[str, Any]]:
    state = sim_state()
    open_lists = {
        item["order_list_id"]
        for item in state["orderLists"]
        if item["list_order_status"] == "EXECUTING"
    }
    return [
        order
        for order in state["orders"]
        if order["status"] in WORKING and order["order_list_id"] not in open_lists
    ]


def open_core_lists() -> list[str]:
    return [
        item["list_client_order_id"]
        for item in sim_state()["orderLists"]
        if item["list_order_status"] == "EXECUTING"
        and item["list_client_order_id"].startswith("ocr-btc-core-exit-")
    ]


# --- the JSON summary's counts (CI reads them) ----------------------------------------------


def test_the_json_plan_counts_fired_brackets(example_repo: Path) -> None:
    assert run_main(["apply", "--auto-approve"]) == 0
    assert run_main(["sim", "price", "BTCUSDT", "125500"]) == 0
    summary = plan_json()["summary"]
    assert summary["fired"] == 1
    assert summary["partly_fired"] == 0


def test_the_json_plan_counts_partly_fired_brackets(example_repo: Path) -> None:
    changes = plan_json()["changes"]
    ids = {c["address"]: c["place"]["list_client_order_id"] for c in changes if c.get("place")}
    assert run_main(["apply", "--auto-approve"]) == 0
    assert run_main(["sim", "fill", ids[CORE], "0.01"]) == 0
    summary = plan_json()["summary"]
    assert (summary["fired"], summary["partly_fired"]) == (0, 1)


# --- the oversell ------------------------------------------------------------------------------


def test_an_unchanged_partly_fired_bracket_says_what_still_works(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    partly_fired()
    capsys.readouterr()
    assert run_main(["plan", "--detailed-exitcode"]) == 0
    out = capsys.readouterr().out
    assert (
        "partly fired: LIMIT_MAKER leg executed 0.01 of 0.05 at 125000; 0.04 still working at "
        "125000; the stop-loss leg is gone -- bump rev to re-arm"
    ) in out


def test_an_edited_partly_fired_bracket_cancels_the_remnant_before_placing(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old_list = partly_fired()
    edit_core_take_profit()
    capsys.readouterr()
    assert run_main(["plan"]) == 0
    out = capsys.readouterr().out
    assert f"- remnant order {old_list}-tp (0.04 still working at 125000)" in out
    assert "Plan: 0 to place, 1 to replace, 0 to cancel." in out

    assert run_main(["apply", "--auto-approve"]) == 0
    assert working_orders_outside_open_lists() == [], "the remnant still works: an oversell"
    [new_list] = open_core_lists()
    assert new_list != old_list
    [cancelled] = [
        o for o in sim_state()["orders"] if o["placed_client_order_id"] == f"{old_list}-tp"
    ]
    assert (cancelled["status"], cancelled["client_order_id"]) == ("CANCELED", f"{old_list}-cx")
    assert run_main(["plan", "--detailed-exitcode"]) == 0


def test_a_saved_plan_with_a_remnant_cancel_applies(example_repo: Path) -> None:
    partly_fired()
    edit_core_take_profit()
    [change] = [c for c in plan_json()["changes"] if c["address"] == CORE]
    assert [r["order"]["executed_qty"] for r in change["remnants"]] == ["0.01"]
    assert run_main(["apply", "--plan", "p.json", "--auto-approve"]) == 0
    assert working_orders_outside_open_lists() == []
    assert len(open_core_lists()) == 1


def test_a_deleted_partly_fired_bracket_is_cancelled_by_prune(example_repo: Path) -> None:
    partly_fired()
    delete_core_bracket()
    [change] = [c for c in plan_json()["changes"] if c["address"] == CORE]
    assert (change["action"], len(change["remnants"])) == ("cancel", 1)
    assert run_main(["apply", "--auto-approve"]) == 0
    assert working_orders_outside_open_lists() == []
    assert open_core_lists() == []


def test_a_protected_partly_fired_bracket_refuses_the_remnant_cancel(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    partly_fired()
    text = BTC_FILE.read_text(encoding="utf-8")
    marker = '      price: "125000"          # LIMIT_MAKER above the market\n'
    assert marker in text
    protected = '      price: "126000"\n    protect: true\n'
    BTC_FILE.write_text(text.replace(marker, protected, 1), encoding="utf-8")
    before = STATE.read_bytes()
    capsys.readouterr()
    assert run_main(["apply", "--auto-approve"]) == 1
    captured = capsys.readouterr()
    assert "protect" in captured.out + captured.err
    assert STATE.read_bytes() == before
