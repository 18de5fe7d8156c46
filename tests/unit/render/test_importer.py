"""``import``: live lists -> bracket YAML that validates and plans as no-op (never a duplicate)."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from oco_reconcile.core.model import Bracket, Leg, LegType
from oco_reconcile.core.plan import Action, NoticeKind
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.settings import Settings
from oco_reconcile.inputs.desired import load_brackets
from oco_reconcile.render.brackets_yaml import (
    import_lists,
    import_yaml,
    infer_friendly_type,
    render_yaml,
)
from tests.support.paths import REPO_ROOT
from tests.support.plan_support import OWNER, buy, foreign_list, live_state, open_list, sell

REPO = REPO_ROOT
A = sell("alpha")
B = buy("bravo", qty="0.02", limit=None)
SETTINGS = Settings()


def _desired_accepts_adopt() -> bool:
    schema = REPO / "src" / "oco_reconcile" / "schemas" / "brackets.schema.json"
    if not schema.exists():
        return False
    bracket = json.loads(schema.read_text())["$defs"]["bracket"]
    return "adopt" in bracket.get("properties", {})


needs_adopt = pytest.mark.xfail(
    not _desired_accepts_adopt(),
    reason="desired.py / brackets.schema.json do not accept `adopt` yet (plan helper report)",
    strict=True,
)


def _load(tmp_path: Path, text: str) -> tuple[Bracket, ...]:
    path = tmp_path / "imported.yaml"
    path.write_text(text)
    return load_brackets([path], SETTINGS)


def test_our_own_lists_come_back_under_their_names() -> None:
    (imported_a, imported_b) = import_lists([open_list(A, 1), open_list(B, 2)], OWNER)

    assert imported_a.bracket == A
    assert imported_b.bracket == B


def test_the_rev_is_recovered_from_the_list_id() -> None:
    placed = replace(A, rev=3)

    (imported,) = import_lists([open_list(placed, 1)], OWNER)

    assert imported.bracket == placed
    assert "    rev: 3" in render_yaml([imported])


def test_an_amended_list_of_ours_is_adopted() -> None:
    amended = replace(
        open_list(A, 1),
        reports=tuple(replace(r, orig_qty=Decimal("0.005")) for r in open_list(A, 1).reports),
    )

    (imported,) = import_lists([amended], OWNER)

    assert imported.bracket is not None
    assert imported.bracket.quantity == Decimal("0.005")
    assert imported.bracket.adopt == amended.list_client_order_id
    plan = make_plan([imported.bracket], live_state([amended]), SETTINGS)
    assert [c.action for c in plan.changes] == [Action.NOOP]


def test_an_unmanaged_list_is_named_by_symbol_and_id_and_adopted() -> None:
    manual = foreign_list(A, 4242, "web_8f2kq1")

    (imported,) = import_lists([manual], OWNER)

    assert imported.bracket == replace(A, name="btcusdt-4242", adopt="web_8f2kq1")


def test_non_oco_and_unreadable_lists_are_skipped_with_a_comment() -> None:
    oto = replace(open_list(A, 1), contingency_type="OTO")
    unread = replace(open_list(sell("b"), 2), reports=())

    text = import_yaml([oto, unread], OWNER)

    assert "a OTO list, not an OCO" in text
    assert "its legs could not be read" in text
    assert yaml.safe_load(text) == {"brackets": []}


def test_a_second_list_for_one_name_is_left_to_the_plan() -> None:
    first, second = open_list(A, 1), open_list(sell("alpha", tp="120000"), 2)

    imported = import_lists([first, second], OWNER)

    assert [item.bracket is not None for item in imported] == [True, False]
    assert "the plan cancels duplicates" in imported[1].skipped


def test_yaml_shape_quotes_every_number_and_uses_the_friendly_form() -> None:
    text = import_yaml([open_list(A, 1), open_list(B, 2)], OWNER)

    assert text.startswith("# yaml-language-server: $schema=../schemas/brackets.schema.json\n")
    data = yaml.safe_load(text)
    assert data["brackets"][0] == {
        "name": "alpha",
        "symbol": "BTCUSDT",
        "side": "SELL",
        "quantity": "0.01",
        "take_profit": {"price": "110000"},
        "stop_loss": {"stop_price": "90000", "price": "89900", "time_in_force": "GTC"},
    }
    assert data["brackets"][1]["stop_loss"] == {"stop_price": "110000"}
    assert data["brackets"][1]["take_profit"] == {"price": "90000"}


def test_full_form_when_the_friendly_form_would_read_back_differently() -> None:
    odd = Leg(LegType.LIMIT_MAKER, price=Decimal("110000"), stop_price=Decimal("1"))
    bracket = replace(A, above=odd)

    assert infer_friendly_type(odd, take_profit=True) is LegType.TAKE_PROFIT_LIMIT
    (imported,) = import_lists([open_list(A, 1)], OWNER)
    text = render_yaml([replace(imported, bracket=bracket)])
    data = yaml.safe_load(text)["brackets"][0]
    assert data["above"]["type"] == "LIMIT_MAKER"
    assert data["below"]["type"] == "STOP_LOSS_LIMIT"


def test_imported_yaml_of_our_lists_validates_and_plans_as_no_op(tmp_path: Path) -> None:
    lists = [open_list(A, 1), open_list(B, 2), open_list(replace(sell("c"), rev=2), 3)]

    brackets = _load(tmp_path, import_yaml(lists, OWNER))
    plan = make_plan(brackets, live_state(lists), SETTINGS)

    assert [c.action for c in plan.changes] == [Action.NOOP] * 3
    assert plan.notices == ()
    assert plan.problems == ()


@needs_adopt
def test_imported_yaml_of_unmanaged_lists_plans_as_no_op_without_duplicates(
    tmp_path: Path,
) -> None:
    lists = [foreign_list(A, 11, "web_1"), foreign_list(B, 12, "AbCdEf0123456789xyzXYZ")]

    brackets = _load(tmp_path, import_yaml(lists, OWNER))
    plan = make_plan(brackets, live_state(lists), SETTINGS)

    assert [c.action for c in plan.changes] == [Action.NOOP, Action.NOOP]
    assert {n.kind for n in plan.notices} == {NoticeKind.ADOPTED}
    assert not plan.has_changes
