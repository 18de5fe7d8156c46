"""Remnants (core/remnants.py): a leg still working after its list is done counts against its
bracket -- shown when the bracket is unchanged, cancelled before a new list is placed, cancelled
by prune, refused by ``protect``, and counted by the balance check."""

from __future__ import annotations

from dataclasses import replace

from oco_reconcile.core.checks.balances import check_balances
from oco_reconcile.core.history import find_remnants
from oco_reconcile.core.identity import bracket_ids, cancel_id_for
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.model import Balance, Bracket
from oco_reconcile.core.plan import Action, NoticeKind, Plan
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.settings import Settings
from tests.support.plan_support import (
    OWNER,
    RICH,
    SETTINGS,
    D,
    apply_plan,
    live_state,
    open_list,
    partly_filled,
    sell,
)

A = sell("alpha", qty="0.01")
A_MOVED = sell("alpha", qty="0.01", tp="111000")
OTHER = sell("other", qty="0.01", tp="112000")
A_LIST_ID = bracket_ids(OWNER, A).list_client_order_id


def after_partial_fill(*, executed: str = "0.004", **kw: object) -> LiveState:
    working, history = partly_filled(A, executed)
    return live_state(plain_orders=[working], history=[history], **kw)  # type: ignore[arg-type]


def plan_for(brackets: list[Bracket], live: LiveState, settings: Settings = SETTINGS) -> Plan:
    return make_plan(brackets, live, settings)


def test_the_reader_attributes_a_working_leg_of_a_done_list_to_its_bracket() -> None:
    working, _ = partly_filled(A)
    foreign = replace(working, order_id=99, client_order_id="by-hand-1")
    listed = open_list(OTHER, 7)
    found = find_remnants(OWNER, [working, foreign, *listed.reports], [listed])
    assert [(r.name, r.list_client_order_id, r.take_profit) for r in found] == [
        ("alpha", A_LIST_ID, True)
    ]
    assert found[0].order is working


def test_an_unchanged_bracket_with_a_remnant_is_a_no_op_that_says_what_still_works() -> None:
    plan = plan_for([A], after_partial_fill())
    assert [(c.action, c.address) for c in plan.changes] == [(Action.NOOP, "bracket.alpha")]
    [notice] = plan.notices
    assert notice.kind is NoticeKind.PARTLY_FIRED
    assert notice.message == (
        "partly fired: LIMIT_MAKER leg executed 0.004 of 0.01 at 110000; 0.006 still working at "
        "110000; the stop-loss leg is gone -- bump rev to re-arm"
    )
    assert (plan.summary().fired, plan.summary().partly_fired) == (0, 1)


def test_an_edited_bracket_cancels_the_remnant_then_places_the_new_list() -> None:
    plan = plan_for([A_MOVED], after_partial_fill())
    [change] = plan.actionable
    assert change.action is Action.REPLACE
    assert change.cancel is None
    assert change.place is not None
    assert change.place.list_client_order_id == bracket_ids(OWNER, A_MOVED).list_client_order_id
    [step] = change.remnants
    assert step.order.client_order_id == f"{A_LIST_ID}-tp"
    assert step.cancel_client_order_id == cancel_id_for(A_LIST_ID)
    assert not plan.problems


def test_a_rev_bump_re_arms_through_the_remnant_cancel() -> None:
    plan = plan_for([replace(A, rev=1)], after_partial_fill())
    [change] = plan.actionable
    assert (change.action, len(change.remnants)) == (Action.REPLACE, 1)


def test_planning_after_the_replace_converges() -> None:
    live = after_partial_fill()
    plan = plan_for([A_MOVED], live)
    after = apply_plan(plan, live)
    assert after.remnants == ()
    assert not plan_for([A_MOVED], after).has_changes


def test_a_protected_bracket_refuses_the_remnant_cancel() -> None:
    protected = replace(A_MOVED, protect=True)
    plan = plan_for([protected], after_partial_fill())
    assert not plan.actionable
    assert [p.field for p in plan.problems] == ["protect"]
    assert NoticeKind.PROTECTED in {n.kind for n in plan.notices}
    assert plan.summary().partly_fired == 1  # still shown and counted


def test_a_deleted_bracket_with_a_remnant_is_cancelled_by_prune() -> None:
    plan = plan_for([OTHER], after_partial_fill())
    cancels = [c for c in plan.actionable if c.action is Action.CANCEL]
    assert [(c.address, c.cancel, len(c.remnants)) for c in cancels] == [("bracket.alpha", None, 1)]


def test_a_deleted_bracket_with_a_remnant_is_kept_without_prune() -> None:
    plan = plan_for([OTHER], after_partial_fill(), Settings(prune=False))
    assert [c.action for c in plan.actionable] == [Action.CREATE]
    assert (NoticeKind.KEPT, "bracket.alpha") in {(n.kind, n.address) for n in plan.notices}


def test_an_empty_desired_state_does_not_cancel_a_remnant_without_allow_empty() -> None:
    plan = plan_for([], after_partial_fill())
    assert plan.has_errors


def test_a_remnant_of_an_older_list_next_to_the_current_one_is_cancelled() -> None:
    working, history = partly_filled(A_MOVED)
    live = live_state([open_list(A, 9)], plain_orders=[working], history=[history])
    plan = plan_for([A], live)
    [cancel] = plan.actionable
    older = bracket_ids(OWNER, A_MOVED).list_client_order_id
    assert (cancel.action, cancel.address, cancel.cancel) == (Action.CANCEL, f"list.{older}", None)
    assert [s.order.order_id for s in cancel.remnants] == [working.order_id]


# --- balances ---------------------------------------------------------------------------------


def _short_of_btc() -> dict[str, Balance]:
    """After the partial fill: 0.006 BTC left, all of it locked by the remnant."""
    return {**RICH, "BTC": Balance("BTC", D(0), D("0.006"))}


def test_the_remnant_cancel_releases_what_it_locks_for_the_new_list() -> None:
    live = after_partial_fill(executed="0.004", balances=_short_of_btc())
    smaller = sell("alpha", qty="0.006", tp="111000")
    plan = plan_for([smaller], live)
    assert not plan.problems
    assert check_balances(plan.changes, live) == []


def test_a_remnant_that_is_not_cancelled_releases_nothing() -> None:
    live = after_partial_fill(executed="0.004", balances=_short_of_btc())
    smaller = sell("alpha", qty="0.006", tp="111000")
    change = plan_for([smaller], live).actionable[0]
    kept = replace(change, remnants=())
    [problem] = check_balances([kept], live)
    assert "short by 0.006" in problem.message
