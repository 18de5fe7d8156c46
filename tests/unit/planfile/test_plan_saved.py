"""Saved plans (``plan --out``): the versioned document round-trips exactly, carries the two
fingerprints, and the fingerprints move only with what the plan depends on."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from oco_reconcile.core.model import Balance, HistoryOutcome
from oco_reconcile.core.plan import (
    FORMAT_VERSION,
    Fingerprints,
    desired_fingerprint,
    fingerprints_for,
    live_fingerprint,
    load_plan,
    save_plan,
)
from oco_reconcile.core.settings import Guardrails, Settings
from oco_reconcile.errors import UsageError
from tests.support.plan_support import history_of, live_state, open_list, sell
from tests.unit.render.test_render import error_plan, mixed_plan, quiet_plan

PRINTS = Fingerprints("sha256:" + "1" * 64, "sha256:" + "2" * 64)


@pytest.mark.parametrize("make", [mixed_plan, error_plan, quiet_plan])
def test_round_trip_is_exact(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    plan = make()
    path = tmp_path / "plan.json"

    save_plan(plan, path, PRINTS)
    saved = load_plan(path)

    assert saved.plan == plan
    assert saved.fingerprints == PRINTS
    assert saved.format_version == FORMAT_VERSION


def test_decimals_are_strings_and_the_document_is_versioned(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    save_plan(mixed_plan(), path, PRINTS)

    document = json.loads(path.read_text())

    assert document["format_version"] == 1
    assert document["kind"] == "oco-reconcile-plan"
    placed = next(c for c in document["changes"] if c["action"] == "create")["place"]
    assert placed["quantity"] == "0.01"
    assert placed["above"]["price"] == "110000"
    assert all(isinstance(n, int) for n in _numbers(document))  # ids, counts, times only


def _numbers(value: object) -> list[object]:
    """Every JSON number in the document (none may be a price or quantity)."""
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return [value] if isinstance(value, (int, float)) and not isinstance(value, bool) else []


def test_no_float_ever_appears(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    save_plan(mixed_plan(), path, PRINTS)

    assert not any(isinstance(n, float) for n in _numbers(json.loads(path.read_text())))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "invalid JSON"),
        ('{"kind": "something-else"}', "not an oco-reconcile plan"),
        ('{"kind": "oco-reconcile-plan", "format_version": 99}', "unsupported plan format_version"),
        (
            '{"kind": "oco-reconcile-plan", "format_version": 1, "fingerprints": null}',
            "carries no fingerprints",
        ),
        (
            '{"kind": "oco-reconcile-plan", "format_version": 1, '
            '"fingerprints": {"live": "a", "desired": "b"}, "changes": [{"action": "x"}]}',
            "malformed",
        ),
    ],
)
def test_bad_files_are_usage_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(content)

    with pytest.raises(UsageError, match=message):
        load_plan(path)


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read the saved plan"):
        load_plan(tmp_path / "nope.json")


# --- fingerprints -------------------------------------------------------------------------------

A = sell("alpha")


def test_live_fingerprint_ignores_prices_and_balances() -> None:
    live = live_state([open_list(A)])
    moved = replace(
        live,
        prices={"BTCUSDT": Decimal("123456")},
        balances={"BTC": Balance("BTC", Decimal(1), Decimal(0))},
    )

    assert live_fingerprint(live) == live_fingerprint(moved)
    assert live_fingerprint(live).startswith("sha256:")


def test_live_fingerprint_ignores_list_order() -> None:
    first, second = open_list(A, 1), open_list(sell("b"), 2)

    assert live_fingerprint(live_state([first, second])) == live_fingerprint(
        live_state([second, first])
    )


@pytest.mark.parametrize(
    "changed",
    [
        live_state([open_list(A, 1), open_list(sell("b"), 2)]),  # a list appeared
        live_state([]),  # a list went away
        live_state([open_list(A, 1, executed="0.001")]),  # a leg partly filled
        live_state([open_list(A, 1)], history=[history_of(sell("c"), HistoryOutcome.FIRED)]),
    ],
)
def test_live_fingerprint_moves_with_what_the_plan_reads(changed) -> None:  # type: ignore[no-untyped-def]
    assert live_fingerprint(live_state([open_list(A, 1)])) != live_fingerprint(changed)


def test_desired_fingerprint_moves_with_brackets_and_planner_settings() -> None:
    base = desired_fingerprint([A], Settings())

    assert desired_fingerprint([A], Settings()) == base
    assert desired_fingerprint([sell("alpha", tp="111000")], Settings()) != base
    assert desired_fingerprint([replace(A, protect=True)], Settings()) != base
    assert desired_fingerprint([A], Settings(prune=False)) != base
    assert desired_fingerprint([A], Settings(owner="desk")) != base
    guarded = Settings(guardrails=Guardrails(max_notional=Decimal(5)))
    assert desired_fingerprint([A], guarded) != base
    assert desired_fingerprint([A], Settings(exchange="testnet")) == base  # not a plan input


def test_fingerprints_for_pairs_both() -> None:
    live = live_state([open_list(A)])

    prints = fingerprints_for(live, [A], Settings())

    assert prints == Fingerprints(live_fingerprint(live), desired_fingerprint([A], Settings()))
