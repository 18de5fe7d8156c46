"""Safety rules that hold everywhere, end to end on the built-in simulator.

Each test drives the real commands (``plan``, ``apply``, ``sim``) in a temporary repository and
checks what reached the exchange (the simulator's state file) — not what the tool says it did:
a tampered saved plan sends nothing, a production host needs ``confirm_production`` however it is
spelled, and an apply that did not converge does not exit 0.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_main

STATE = Path(".oco-reconcile/sim.json")
Mutation = Callable[[dict[str, Any]], None]


def state_bytes() -> bytes:
    return STATE.read_bytes() if STATE.exists() else b""


# --- 1. a saved plan's body is re-derived, never trusted ------------------------------------


def _first_place(plan: dict[str, Any]) -> dict[str, Any]:
    place = plan["changes"][0]["place"]
    assert isinstance(place, dict)
    return place


def _set_quantity(plan: dict[str, Any]) -> None:
    _first_place(plan)["quantity"] = "0.5"


def _set_price(plan: dict[str, Any]) -> None:
    _first_place(plan)["above"]["price"] = "250000"


def _set_stop(plan: dict[str, Any]) -> None:
    _first_place(plan)["below"]["stop_price"] = "50000"


def _set_client_id(plan: dict[str, Any]) -> None:
    _first_place(plan)["list_client_order_id"] = "foreign-owner-list-1"


def _set_leg_client_id(plan: dict[str, Any]) -> None:
    _first_place(plan)["above"]["client_order_id"] = "foreign-owner-leg-1"


def _set_after_quantity(plan: dict[str, Any]) -> None:
    plan["changes"][0]["after"]["quantity"] = "0.5"


def _set_symbol(plan: dict[str, Any]) -> None:
    _first_place(plan)["symbol"] = "ETHUSDT"


def _drop_a_change(plan: dict[str, Any]) -> None:
    del plan["changes"][1]


def _duplicate_a_change(plan: dict[str, Any]) -> None:
    plan["changes"].append(json.loads(json.dumps(plan["changes"][0])))


def _invalid_quantity(plan: dict[str, Any]) -> None:
    _first_place(plan)["quantity"] = "0.000000001"


TAMPERING: dict[str, Mutation] = {
    "quantity": _set_quantity,
    "take-profit price": _set_price,
    "stop price": _set_stop,
    "list client id": _set_client_id,
    "leg client id": _set_leg_client_id,
    "after quantity": _set_after_quantity,
    "symbol": _set_symbol,
    "a change removed": _drop_a_change,
    "a change duplicated": _duplicate_a_change,
    "an invalid quantity": _invalid_quantity,
}


@pytest.mark.parametrize("mutation", list(TAMPERING), ids=list(TAMPERING))
def test_a_tampered_saved_plan_sends_nothing(
    example_repo: Path, mutation: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["plan", "--out", "p.json"]) == 0
    plan = json.loads(Path("p.json").read_text(encoding="utf-8"))
    TAMPERING[mutation](plan)
    Path("p.json").write_text(json.dumps(plan), encoding="utf-8")
    before = state_bytes()
    capsys.readouterr()
    assert run_main(["apply", "--plan", "p.json", "--auto-approve"]) == 1
    err = capsys.readouterr().err
    assert "p.json" in err
    assert "does not match" in err
    assert state_bytes() == before, "a tampered plan reached the exchange"


def test_a_tampered_cancel_of_an_unmanaged_list_is_refused(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["apply", "--auto-approve"]) == 0
    assert run_main(["plan", "--out", "p.json"]) == 0
    plan = json.loads(Path("p.json").read_text(encoding="utf-8"))
    assert {change["action"] for change in plan["changes"]} == {"no-op"}
    # Turn a no-op into a prune of a list this repository does not own (another desk's id).
    forged = plan["changes"][0]
    forged["action"] = "cancel"
    forged["cancel"] = {
        "symbol": forged["symbol"],
        "list_client_order_id": "other-desk-list-1",
        "cancel_client_order_id": "other-desk-list-1-cx",
    }
    plan["summary"]["cancel"] = 1
    Path("p.json").write_text(json.dumps(plan), encoding="utf-8")
    before = state_bytes()
    capsys.readouterr()
    assert run_main(["apply", "--plan", "p.json", "--auto-approve"]) == 1
    assert "does not match" in capsys.readouterr().err
    assert state_bytes() == before


def test_an_untampered_saved_plan_still_applies(example_repo: Path) -> None:
    assert run_main(["plan", "--out", "p.json"]) == 0
    assert run_main(["apply", "--plan", "p.json", "--auto-approve"]) == 0
    assert run_main(["plan", "--detailed-exitcode"]) == 0


# --- 2. production is recognised by host -----------------------------------------------------

PRODUCTION_SPELLINGS = [
    "https://api.binance.com",
    "https://API.binance.com",
    "https://api.binance.com:443",
    "https://api.binance.com/",
    "https://api1.binance.com",
    "https://api4.binance.com",
    "https://api-gcp.binance.com",
    "https://fapi.binance.com",
    "https://Api.Binance.Com.",
]


@pytest.mark.parametrize("url", PRODUCTION_SPELLINGS)
def test_every_spelling_of_production_needs_confirmation_on_the_command_line(
    example_repo: Path, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["apply", "--auto-approve", "--base-url", url]) == 1
    assert "confirm_production" in capsys.readouterr().err


@pytest.mark.parametrize("url", PRODUCTION_SPELLINGS)
def test_every_spelling_of_production_needs_confirmation_in_the_settings(
    example_repo: Path, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Path("oco-reconcile.yaml")
    text = settings.read_text(encoding="utf-8").replace("exchange: sim", f"exchange: {url}", 1)
    settings.write_text(text, encoding="utf-8")
    assert run_main(["apply", "--auto-approve"]) == 1
    assert "confirm_production" in capsys.readouterr().err
