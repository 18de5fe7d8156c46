"""A selection never prunes what it did not select, end to end on the built-in simulator.

Each test drives the real commands (``plan``, ``apply``) in a temporary copy of this repository's
example and checks what reached the exchange (the simulator's state file), not only what the tool
says: planning or applying one file (PATH) or some brackets (``--target``) leaves the brackets of
the other files alone, a ``protect: true`` one included, and a saved plan keeps its selection.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.support.cli import run_main
from tests.support.paths import REPO_ROOT

STATE = Path(".oco-reconcile/sim.json")


def state_bytes() -> bytes:
    return STATE.read_bytes() if STATE.exists() else b""


# --- 6. a selection never prunes what it did not select ----------------------------------------


def _plan_json(argv: list[str]) -> dict[str, Any]:
    assert run_main(["plan", "--format", "json", "--out", "sel.json", *argv]) in (0, 2)
    plan = json.loads(Path("sel.json").read_text(encoding="utf-8"))
    assert isinstance(plan, dict)
    return plan


def _actionable(plan: dict[str, Any]) -> list[str]:
    """The addresses of the changes apply would send (no-ops left out), in plan order."""
    return [c["address"] for c in plan["changes"] if c["action"] != "no-op"]


def test_planning_one_file_leaves_the_other_files_brackets_alone(example_repo: Path) -> None:
    assert run_main(["apply", "--auto-approve"]) == 0
    plan = _plan_json(["brackets/eth.yaml"])
    assert _actionable(plan) == []
    outside = [n for n in plan["notices"] if n["kind"] == "outside_selection"]
    assert {n["address"] for n in outside} == {"bracket.btc-core-exit", "bracket.btc-full-form"}


def test_applying_one_file_cancels_nothing_else(example_repo: Path) -> None:
    assert run_main(["apply", "--auto-approve"]) == 0
    before = state_bytes()
    assert run_main(["apply", "--auto-approve", "brackets/eth.yaml"]) == 0
    assert state_bytes() == before


def test_target_plans_only_the_named_brackets(example_repo: Path) -> None:
    plan = _plan_json(["--target", "eth-breakout"])
    assert [c["address"] for c in plan["changes"]] == ["bracket.eth-breakout"]
    assert plan["selection"]["targets"] == ["eth-breakout"]


def test_target_apply_places_only_the_named_bracket(example_repo: Path) -> None:
    assert run_main(["apply", "--auto-approve", "--target", "btc-full-form"]) == 0
    plan = _plan_json([])
    assert sorted(_actionable(plan)) == [
        "bracket.btc-core-exit",
        "bracket.btc-perp-exit",
        "bracket.eth-breakout",
    ]


def test_an_unknown_target_is_an_error(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["plan", "--target", "no-such-bracket"]) == 1
    assert "no-such-bracket" in capsys.readouterr().err


def test_a_protected_bracket_in_another_file_is_never_cancelled(example_repo: Path) -> None:
    assert run_main(["apply", "--auto-approve"]) == 0
    plan = _plan_json(["brackets/eth.yaml"])
    assert plan["problems"] == []
    assert _actionable(plan) == []
    assert run_main(["apply", "--auto-approve", "brackets/eth.yaml"]) == 0
    assert _actionable(_plan_json([])) == []  # btc-full-form is still open, as it was


def test_the_text_plan_shows_what_is_outside_the_selection(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["apply", "--auto-approve"]) == 0
    capsys.readouterr()
    assert run_main(["plan", "brackets/eth.yaml"]) == 0
    text = capsys.readouterr().out
    assert "Outside the selection (left alone):" in text
    assert (
        "bracket.btc-core-exit (BTCUSDT): defined in brackets/btc.yaml, outside the selection: "
        "left alone" in text
    )


def test_a_saved_plan_applies_under_its_own_selection(example_repo: Path) -> None:
    assert run_main(["apply", "--auto-approve", "--target", "btc-core-exit"]) == 0
    assert run_main(["plan", "--target", "eth-breakout", "--out", "saved.json"]) == 0
    saved = json.loads(Path("saved.json").read_text(encoding="utf-8"))
    assert saved["selection"]["targets"] == ["eth-breakout"]
    schema = json.loads((REPO_ROOT / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(saved)) == []
    assert run_main(["apply", "--auto-approve", "--plan", "saved.json"]) == 0
    assert _actionable(_plan_json([])) == ["bracket.btc-full-form", "bracket.btc-perp-exit"]


def test_a_saved_file_selection_applies_without_repeating_the_path(example_repo: Path) -> None:
    assert run_main(["apply", "--auto-approve"]) == 0
    before = state_bytes()
    assert run_main(["plan", "brackets/eth.yaml", "--out", "saved.json"]) == 0
    assert run_main(["apply", "--auto-approve", "--plan", "saved.json"]) == 0
    assert state_bytes() == before


def test_a_target_cannot_override_a_saved_plan(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["plan", "--out", "saved.json"]) == 0
    before = state_bytes()
    code = run_main(["apply", "--auto-approve", "--plan", "saved.json", "--target", "x"])
    assert code == 1
    assert "--target" in capsys.readouterr().err
    assert state_bytes() == before


def test_an_unknown_target_sends_nothing(example_repo: Path) -> None:
    assert run_main(["apply", "--auto-approve", "--target", "no-such-bracket"]) == 1
    assert len(_actionable(_plan_json([]))) == 4  # every bracket is still to be placed


def test_an_unreadable_file_outside_the_selection_is_an_error(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["apply", "--auto-approve"]) == 0
    before = state_bytes()
    Path("brackets/btc.yaml").write_text("brackets: [\n", encoding="utf-8")
    assert run_main(["apply", "--auto-approve", "brackets/eth.yaml"]) == 1
    err = capsys.readouterr().err
    assert "brackets/btc.yaml" in err
    assert "leave this file's brackets alone" in err
    assert state_bytes() == before


def test_a_saved_plan_is_stale_when_the_names_outside_its_selection_change(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["plan", "brackets/eth.yaml", "--out", "saved.json"]) == 0
    before = state_bytes()
    btc = Path("brackets/btc.yaml")
    btc.write_text(
        btc.read_text(encoding="utf-8").replace("btc-core-exit", "btc-renamed"), encoding="utf-8"
    )
    assert run_main(["apply", "--auto-approve", "--plan", "saved.json"]) == 1
    assert "the selection" in capsys.readouterr().err
    assert state_bytes() == before
