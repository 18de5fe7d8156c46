"""The planner, table-driven: every row of the plan semantics table (README "What a plan means")
and every state
(fired, drift, hold, protected, unmanaged, kept, adopted), with the exact actions, addresses,
notices and problems expected."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pytest

from oco_reconcile.core.identity import bracket_ids, cancel_id_for
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.model import Bracket, HistoryOutcome, ListHistory
from oco_reconcile.core.oco_planner import oco_request
from oco_reconcile.core.plan import Action, NoticeKind, Plan
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.settings import Settings
from tests.support.plan_support import (
    OWNER,
    SETTINGS,
    buy,
    closed,
    foreign_list,
    history_of,
    live_state,
    open_list,
    partly_filled,
    sell,
)

A = sell("alpha")
A_MOVED = sell("alpha", tp="111000")
A_REV1 = sell("alpha", rev=1)
B = buy("bravo")
E = sell("echo", symbol="ETHUSDT", qty="0.5", tp="4400", stop="3600", limit="3590")


@dataclass(frozen=True)
class Case:
    """desired + live -> the changes ``(action, address)``, notices ``(kind, address)`` and
    problem addresses the plan must have (exactly)."""

    brackets: tuple[Bracket, ...]
    live: Callable[[], LiveState]
    changes: tuple[tuple[Action, str], ...]
    notices: tuple[tuple[NoticeKind, str], ...] = ()
    problems: tuple[str, ...] = ()
    settings: Settings = field(default_factory=lambda: SETTINGS)


def _partly_filled(bracket: Bracket, list_id: int = 5) -> object:
    return open_list(bracket, list_id, executed="0.004")


def _after_partial_fill(bracket: Bracket) -> LiveState:
    working, history = partly_filled(bracket)
    return live_state(plain_orders=[working], history=[history])


CASES = {
    # --- plan semantics rows (README "What a plan means") ---
    "create: none open, no history": Case((A,), live_state, ((Action.CREATE, "bracket.alpha"),)),
    "create: history says never placed": Case(
        (A,),
        lambda: live_state(history=[history_of(A, HistoryOutcome.NEVER_PLACED)]),
        ((Action.CREATE, "bracket.alpha"),),
    ),
    "no-op: open managed list with the same spec": Case(
        (A,), lambda: live_state([open_list(A)]), ((Action.NOOP, "bracket.alpha"),)
    ),
    "replace: open managed list for the name with another spec": Case(
        (A_MOVED,), lambda: live_state([open_list(A)]), ((Action.REPLACE, "bracket.alpha"),)
    ),
    "replace: rev bumped on an open list": Case(
        (A_REV1,), lambda: live_state([open_list(A)]), ((Action.REPLACE, "bracket.alpha"),)
    ),
    "replace: same id but the live legs were amended": Case(
        (A,),
        lambda: live_state([open_list(replace(A, quantity=A.quantity / 2), 1, owner=OWNER)]),
        ((Action.REPLACE, "bracket.alpha"),),
    ),
    "hold: replace wanted but a leg is partly executed": Case(
        (A_MOVED,),
        lambda: live_state([open_list(A, executed="0.004")]),
        ((Action.NOOP, "bracket.alpha"),),
        ((NoticeKind.HOLD, "bracket.alpha"),),
    ),
    "fired: not open, a leg filled": Case(
        (A,),
        lambda: live_state(history=[history_of(A, HistoryOutcome.FIRED)]),
        ((Action.NOOP, "bracket.alpha"),),
        ((NoticeKind.FIRED, "bracket.alpha"),),
    ),
    # --- remnants: a leg still working after its list is done (core/remnants.py) ---
    "partly fired, unchanged: no-op, the remnant shown": Case(
        (A,),
        lambda: _after_partial_fill(A),
        ((Action.NOOP, "bracket.alpha"),),
        ((NoticeKind.PARTLY_FIRED, "bracket.alpha"),),
    ),
    "partly fired, edited: replace (cancel the remnant, then place)": Case(
        (A_MOVED,),
        lambda: _after_partial_fill(A),
        ((Action.REPLACE, "bracket.alpha"),),
    ),
    "partly fired, deleted: prune cancels the remnant": Case(
        (B,),
        lambda: _after_partial_fill(A),
        ((Action.CREATE, "bracket.bravo"), (Action.CANCEL, "bracket.alpha")),
    ),
    "partly fired, edited but protected: refused": Case(
        (replace(A_MOVED, protect=True),),
        lambda: _after_partial_fill(A),
        ((Action.NOOP, "bracket.alpha"),),
        ((NoticeKind.PROTECTED, "bracket.alpha"),),
        ("bracket.alpha",),
    ),
    "drift: cancelled outside the tool -> create again": Case(
        (A,),
        lambda: live_state(history=[history_of(A, HistoryOutcome.CANCELLED_OUTSIDE)]),
        ((Action.CREATE, "bracket.alpha"),),
        ((NoticeKind.DRIFT, "bracket.alpha"),),
    ),
    "drift: expired without a fill -> create again": Case(
        (A,),
        lambda: live_state(history=[history_of(A, HistoryOutcome.EXPIRED)]),
        ((Action.CREATE, "bracket.alpha"),),
        ((NoticeKind.DRIFT, "bracket.alpha"),),
    ),
    "cancelled by the tool earlier -> create, no drift": Case(
        (A,),
        lambda: live_state(history=[history_of(A, HistoryOutcome.CANCELLED_BY_TOOL)]),
        ((Action.CREATE, "bracket.alpha"),),
    ),
    "prune: managed list no longer desired": Case(
        (B,),
        lambda: live_state([open_list(A, 1), open_list(B, 2)]),
        ((Action.CANCEL, "bracket.alpha"), (Action.NOOP, "bracket.bravo")),
    ),
    "unmanaged: listed, never touched": Case(
        (A,),
        lambda: live_state([open_list(A, 1), foreign_list(B, 2, "web_8f2kq1")]),
        ((Action.NOOP, "bracket.alpha"),),
        ((NoticeKind.UNMANAGED, "list.web_8f2kq1"),),
    ),
    # --- prune and empty desired sets ---
    "prune false: kept and reported": Case(
        (),
        lambda: live_state([open_list(A)]),
        (),
        ((NoticeKind.KEPT, "bracket.alpha"),),
        settings=Settings(prune=False),
    ),
    "prune: a partly executed orphan is held": Case(
        (B,),
        lambda: live_state([open_list(A, 1, executed="0.004"), open_list(B, 2)]),
        ((Action.NOOP, "bracket.bravo"),),
        ((NoticeKind.HOLD, f"list.{bracket_ids(OWNER, A).list_client_order_id}"),),
    ),
    "empty desired set never cancels everything": Case(
        (),
        lambda: live_state([open_list(A, 1), open_list(B, 2)]),
        ((Action.CANCEL, "bracket.alpha"), (Action.CANCEL, "bracket.bravo")),
        problems=("plan",),
    ),
    "empty desired set with allow_empty cancels": Case(
        (),
        lambda: live_state([open_list(A, 1)]),
        ((Action.CANCEL, "bracket.alpha"),),
        settings=Settings(allow_empty=True),
    ),
    "empty desired set, only unmanaged lists: nothing to refuse": Case(
        (),
        lambda: live_state([foreign_list(A, 3, "manual1")]),
        (),
        ((NoticeKind.UNMANAGED, "list.manual1"),),
    ),
    "another owner's lists are unmanaged": Case(
        (A,),
        lambda: live_state([open_list(A, 1, owner="bot"), open_list(A, 2)]),
        ((Action.NOOP, "bracket.alpha"),),
        ((NoticeKind.UNMANAGED, f"list.{bracket_ids('bot', A).list_client_order_id}"),),
    ),
    # --- protect ---
    "protected: a replace becomes a plan error": Case(
        (replace(A_MOVED, protect=True),),
        lambda: live_state([open_list(A)]),
        ((Action.NOOP, "bracket.alpha"),),
        ((NoticeKind.PROTECTED, "bracket.alpha"),),
        ("bracket.alpha",),
    ),
    "protected and up to date: nothing to say": Case(
        (replace(A, protect=True),),
        lambda: live_state([open_list(A)]),
        ((Action.NOOP, "bracket.alpha"),),
    ),
    "protected bracket cancelled outside: re-created (no cancel involved)": Case(
        (replace(A, protect=True),),
        lambda: live_state(history=[history_of(A, HistoryOutcome.CANCELLED_OUTSIDE)]),
        ((Action.CREATE, "bracket.alpha"),),
        ((NoticeKind.DRIFT, "bracket.alpha"),),
    ),
    "protected with a duplicate list: cancelling it is an error too": Case(
        (replace(A, protect=True),),
        lambda: live_state([open_list(A, 1), open_list(A_MOVED, 2)]),
        ((Action.NOOP, "bracket.alpha"),),
        ((NoticeKind.PROTECTED, "bracket.alpha"),),
        ("bracket.alpha",),
    ),
    # --- several lists for one name (a crash left one behind) ---
    "duplicates: keep the matching list, cancel the other": Case(
        (A,),
        lambda: live_state([open_list(A, 1), open_list(A_MOVED, 2)]),
        (
            (Action.NOOP, "bracket.alpha"),
            (Action.CANCEL, f"list.{bracket_ids(OWNER, A_MOVED).list_client_order_id}"),
        ),
    ),
    "duplicates, none matching: replace one, cancel the rest": Case(
        (sell("alpha", tp="120000"),),
        lambda: live_state(
            [open_list(A, 1, transaction_time=1), open_list(A_MOVED, 2, transaction_time=2)]
        ),
        (
            (Action.CANCEL, f"list.{bracket_ids(OWNER, A).list_client_order_id}"),
            (Action.REPLACE, "bracket.alpha"),
        ),
    ),
    "fired, with a stale list for the name left open: cancel it, never re-place": Case(
        (A,),
        lambda: live_state([open_list(A_MOVED, 2)], history=[history_of(A, HistoryOutcome.FIRED)]),
        (
            (Action.NOOP, "bracket.alpha"),
            (Action.CANCEL, f"list.{bracket_ids(OWNER, A_MOVED).list_client_order_id}"),
        ),
        ((NoticeKind.FIRED, "bracket.alpha"),),
    ),
    # --- renames and moves ---
    "renamed bracket: the old name is pruned, the new one placed": Case(
        (replace(A, name="alpha2"),),
        lambda: live_state([open_list(A)]),
        ((Action.CANCEL, "bracket.alpha"), (Action.CREATE, "bracket.alpha2")),
    ),
    "moved to another symbol: replaced across symbols": Case(
        (replace(E, name="alpha"),),
        lambda: live_state([open_list(A)]),
        ((Action.REPLACE, "bracket.alpha"),),
    ),
    # --- adoption (import of unmanaged lists) ---
    "adopted list matching the spec: no-op, not listed as unmanaged": Case(
        (replace(A, adopt="web_1"),),
        lambda: live_state([foreign_list(A, 9, "web_1")]),
        ((Action.NOOP, "bracket.alpha"),),
        ((NoticeKind.ADOPTED, "bracket.alpha"),),
    ),
    "adopted list no longer matching: replaced by one of ours": Case(
        (replace(A_MOVED, adopt="web_1"),),
        lambda: live_state([foreign_list(A, 9, "web_1")]),
        ((Action.REPLACE, "bracket.alpha"),),
    ),
    "adopted list with rev bumped: replaced": Case(
        (replace(A_REV1, adopt="web_1"),),
        lambda: live_state([foreign_list(A, 9, "web_1")]),
        ((Action.REPLACE, "bracket.alpha"),),
    ),
    "adopted list that fired: never re-placed at rev 0": Case(
        (replace(A, adopt="web_1"),),
        lambda: live_state(
            history=[
                ListHistory(
                    "web_1",
                    HistoryOutcome.FIRED,
                    closed(foreign_list(A, 9, "web_1"), ("EXPIRED", "0"), ("FILLED", "0.01")),
                    "LIMIT_MAKER leg executed 0.01 of 0.01",
                )
            ]
        ),
        ((Action.NOOP, "bracket.alpha"),),
        ((NoticeKind.FIRED, "bracket.alpha"),),
    ),
    "adopted list that fired, rev bumped: re-armed": Case(
        (replace(A_REV1, adopt="web_1"),),
        lambda: live_state(history=[ListHistory("web_1", HistoryOutcome.FIRED, None, "filled")]),
        ((Action.CREATE, "bracket.alpha"),),
    ),
}


Shape = tuple[tuple[tuple[Action, str], ...], tuple[tuple[NoticeKind, str], ...], tuple[str, ...]]


def _shape(plan: Plan) -> Shape:
    changes = tuple((c.action, c.address) for c in plan.changes)
    notices = tuple(sorted((n.kind, n.address) for n in plan.notices))
    problems = tuple(p.address for p in plan.problems)
    return changes, notices, problems


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_plan_semantics(case: Case) -> None:
    plan = make_plan(case.brackets, case.live(), case.settings)

    changes, notices, problems = _shape(plan)
    assert sorted(changes) == sorted(case.changes)
    assert notices == tuple(sorted(case.notices))
    assert problems == case.problems


def test_create_places_the_deterministic_request() -> None:
    plan = make_plan([A], live_state(), SETTINGS)

    (change,) = plan.changes
    ids = bracket_ids(OWNER, A)
    assert change.place == oco_request(OWNER, A)
    assert change.place.list_client_order_id == ids.list_client_order_id
    assert change.place.above.client_order_id == ids.list_client_order_id + "-tp"
    assert change.place.below.client_order_id == ids.list_client_order_id + "-sl"
    assert change.cancel is None
    assert change.after == A


def test_replace_cancels_the_old_list_then_places_the_new_one() -> None:
    old = open_list(A, 4)
    plan = make_plan([A_MOVED], live_state([old]), SETTINGS)

    (change,) = plan.changes
    assert change.before == old
    assert change.cancel is not None
    assert change.cancel.list_client_order_id == old.list_client_order_id
    assert change.cancel.cancel_client_order_id == cancel_id_for(old.list_client_order_id)
    assert change.place == oco_request(OWNER, A_MOVED)
    assert change.reason == "spec changed: above.price"
    assert [(d.field, d.before, d.after) for d in change.diff()] == [
        ("above.price", "110000", "111000")
    ]


def test_rev_bump_reason_says_legs_are_unchanged() -> None:
    plan = make_plan([A_REV1], live_state([open_list(A)]), SETTINGS)

    assert plan.changes[0].reason.startswith("list id changed")
    assert plan.changes[0].diff() == ()


def test_prune_cancel_names_our_cancel_id() -> None:
    old = open_list(A, 4)
    plan = make_plan([B], live_state([old, open_list(B, 5)]), Settings())

    cancel = next(c for c in plan.changes if c.action is Action.CANCEL)
    assert cancel.cancel is not None
    assert cancel.cancel.cancel_client_order_id == cancel_id_for(old.list_client_order_id)
    assert cancel.reason == "no longer in the desired state (prune)"


def test_adopted_list_with_a_long_id_gets_a_cancel_id_that_fits() -> None:
    long_id = "x" * 36
    plan = make_plan(
        [replace(A_MOVED, adopt=long_id)], live_state([foreign_list(A, 9, long_id)]), SETTINGS
    )

    (change,) = plan.changes
    assert change.cancel is not None
    own = bracket_ids(OWNER, A_MOVED).list_client_order_id
    assert change.cancel.cancel_client_order_id == cancel_id_for(own)
    assert change.cancel.list_client_order_id == long_id


def test_fired_notice_explains_how_to_re_arm() -> None:
    plan = make_plan([A], live_state(history=[history_of(A, HistoryOutcome.FIRED)]), SETTINGS)

    (notice,) = plan.notices
    assert "bump rev to re-arm" in notice.message
    assert plan.changes[0].before is not None
    assert plan.changes[0].place is None


def test_protected_problem_names_the_bracket_and_the_fix() -> None:
    plan = make_plan([replace(A_MOVED, protect=True)], live_state([open_list(A)]), SETTINGS)

    (problem,) = plan.problems
    assert problem.bracket == "alpha"
    assert problem.field == "protect"
    assert "remove `protect: true`" in problem.message
    assert not plan.has_changes


def test_changes_are_ordered_by_symbol_then_address() -> None:
    brackets = [sell("zulu"), E, sell("mike", symbol="ETHUSDT", qty="0.5", tp="4400", stop="3600")]
    plan = make_plan(brackets, live_state([open_list(A, 1)]), SETTINGS)

    keys = [(c.symbol, c.address) for c in plan.changes]
    assert keys == sorted(keys)
    assert keys[0] == ("BTCUSDT", "bracket.alpha")


def test_changes_of_numbered_names_are_in_natural_order() -> None:
    brackets = [sell(f"b-{i}", qty="0.001") for i in (100, 10, 2, 1, 0)]
    plan = make_plan(brackets, live_state(), SETTINGS)

    addresses = [c.address for c in plan.changes]
    assert addresses == [
        "bracket.b-0",
        "bracket.b-1",
        "bracket.b-2",
        "bracket.b-10",
        "bracket.b-100",
    ]


def test_the_planner_is_deterministic_and_leaves_its_inputs_alone() -> None:
    live = live_state([open_list(A, 1), foreign_list(B, 2, "m1")])
    first = make_plan([A_MOVED, E], live, SETTINGS)
    second = make_plan([E, A_MOVED], live, SETTINGS)

    assert first == second
    assert live == live_state([open_list(A, 1), foreign_list(B, 2, "m1")])


def test_a_plan_with_problems_still_lists_its_changes() -> None:
    plan = make_plan((), live_state([open_list(A, 1)]), SETTINGS)

    assert plan.has_errors
    assert plan.count(Action.CANCEL) == 1
    assert "allow_empty" in plan.problems[0].message
