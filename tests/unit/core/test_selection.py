"""The planner under a :class:`Selection`: only selected brackets are planned, and a managed list
of a name defined outside the selection (or not targeted) is left alone, never cancelled or
replaced; the default selection plans everything, as before. Also the saved-plan form."""

from __future__ import annotations

from dataclasses import replace

import pytest

from oco_reconcile.core.plan import Action, NoticeKind, Plan
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.selection import (
    EVERYTHING,
    Selection,
    selection_from_json,
    selection_json,
)
from tests.support.plan_support import SETTINGS, live_state, open_list, sell

ALPHA = sell("alpha")
BRAVO = sell("bravo", tp="111000")
GUARDED = sell("guarded", protect=True)


def _actions(plan: Plan) -> list[tuple[Action, str]]:
    return [(change.action, change.address) for change in plan.changes]


def _outside(plan: Plan) -> dict[str, str]:
    return {n.address: n.message for n in plan.notices if n.kind is NoticeKind.OUTSIDE_SELECTION}


def test_the_default_selection_still_prunes_what_no_file_defines() -> None:
    plan = make_plan((ALPHA,), live_state([open_list(ALPHA, 1), open_list(BRAVO, 2)]), SETTINGS)
    assert (Action.CANCEL, "bracket.bravo") in _actions(plan)
    assert _outside(plan) == {}


def test_a_name_defined_in_another_file_is_left_alone() -> None:
    live = live_state([open_list(ALPHA, 1), open_list(BRAVO, 2)])
    plan = make_plan((ALPHA,), live, SETTINGS, Selection.of({"bravo": "brackets/b.yaml"}))
    assert _actions(plan) == [(Action.NOOP, "bracket.alpha")]
    assert _outside(plan) == {
        "bracket.bravo": "defined in brackets/b.yaml, outside the selection: left alone"
    }
    assert not plan.has_errors


def test_a_protected_bracket_in_another_file_is_never_cancelled() -> None:
    live = live_state([open_list(GUARDED, 1)])
    plan = make_plan((ALPHA,), live, SETTINGS, Selection.of({"guarded": "brackets/g.yaml"}))
    assert [c.address for c in plan.changes if c.cancel is not None] == []
    assert "bracket.guarded" in _outside(plan)
    assert not plan.has_errors


def test_a_name_no_file_defines_is_still_pruned_under_a_file_selection() -> None:
    live = live_state([open_list(BRAVO, 2)])
    plan = make_plan((ALPHA,), live, SETTINGS, Selection.of({"other": "brackets/o.yaml"}))
    assert (Action.CANCEL, "bracket.bravo") in _actions(plan)


def test_selecting_an_empty_file_is_not_an_empty_desired_state() -> None:
    live = live_state([open_list(BRAVO, 2)])
    plan = make_plan((), live, SETTINGS, Selection.of({"bravo": "brackets/b.yaml"}))
    assert plan.changes == ()
    assert not plan.has_errors


def test_targets_plan_only_the_named_brackets() -> None:
    plan = make_plan((ALPHA, BRAVO), live_state(), SETTINGS, Selection.of({}, ["bravo"]))
    assert _actions(plan) == [(Action.CREATE, "bracket.bravo")]


def test_a_live_list_of_a_bracket_not_targeted_is_left_alone() -> None:
    moved = replace(ALPHA, quantity=ALPHA.quantity * 2)
    live = live_state([open_list(ALPHA, 1), open_list(sell("gone"), 2)])
    plan = make_plan((moved, BRAVO), live, SETTINGS, Selection.of({}, ["bravo"]))
    assert _actions(plan) == [(Action.CREATE, "bracket.bravo")]
    assert set(_outside(plan)) == {"bracket.alpha", "bracket.gone"}
    assert _outside(plan)["bracket.gone"] == "not a --target: left alone"


def test_a_target_naming_a_managed_list_no_file_defines_prunes_just_it() -> None:
    live = live_state([open_list(ALPHA, 1), open_list(sell("gone"), 2)])
    plan = make_plan((ALPHA,), live, SETTINGS, Selection.of({}, ["gone"]))
    assert _actions(plan) == [(Action.CANCEL, "bracket.gone")]
    assert set(_outside(plan)) == {"bracket.alpha"}


def test_a_target_naming_nothing_is_a_plan_error() -> None:
    plan = make_plan((ALPHA,), live_state(), SETTINGS, Selection.of({}, ["nope"]))
    assert [p.message for p in plan.problems if p.field == "target"] == [
        "--target 'nope': no such bracket in the selected files and no managed open order list "
        "of that name"
    ]


def test_selection_values() -> None:
    assert EVERYTHING.is_everything
    assert Selection.of({}) == EVERYTHING
    assert not Selection.of({}, ["a"]).is_everything
    assert Selection.of({"b": "f", "a": "g"}).outside == (("a", "g"), ("b", "f"))


@pytest.mark.parametrize(
    "selection",
    [EVERYTHING, Selection.of({"a": "brackets/a.yaml"}), Selection.of({}, ["x", "y"])],
)
def test_the_saved_form_round_trips(selection: Selection) -> None:
    data = selection_json(selection, ["brackets/eth.yaml"])
    assert selection_from_json(data) == (selection, ("brackets/eth.yaml",))


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"paths": "x", "outside": [], "targets": None},
        {"paths": [], "outside": [{"name": 1, "file": "f"}], "targets": None},
        {"paths": [], "outside": [], "targets": "x"},
    ],
)
def test_a_malformed_saved_form_is_refused(data: object) -> None:
    with pytest.raises(ValueError, match="selection"):
        selection_from_json(data)


def test_many_unknown_targets_are_listed_naturally_one_block_of_short_lines() -> None:
    names = [f"b-{i}" for i in reversed(range(200))]
    plan = make_plan((ALPHA,), live_state(), SETTINGS, Selection.of({}, names))
    (message,) = [p.message for p in plan.problems if p.field == "target"]
    head, *lines = message.split("\n")
    assert head == (
        "--target: no such bracket in the selected files and no managed open order list of "
        "these 200 names:"
    )
    assert all(len(line) <= 80 for line in lines)
    listed = [n.strip().strip("'") for line in lines for n in line.split(",") if n.strip()]
    assert listed == [f"b-{i}" for i in range(200)]
