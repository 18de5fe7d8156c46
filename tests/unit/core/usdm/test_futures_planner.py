"""The futures planner (core/usdm/planner.py) over hand-built live states: every row of
DESIGN.md "Futures brackets" plan semantics."""

from __future__ import annotations

from dataclasses import replace

from oco_reconcile.core.model import Side
from oco_reconcile.core.oco_planner import PlanPart
from oco_reconcile.core.plan import Action, Change, NoticeKind
from oco_reconcile.core.selection import EVERYTHING, Selection
from oco_reconcile.core.settings import Settings
from oco_reconcile.core.usdm.identity import futures_ids
from oco_reconcile.core.usdm.model import (
    AlgoCancel,
    AlgoRequest,
    AlgoStatus,
    FuturesBracket,
    FuturesLiveState,
    LegRole,
    PositionSide,
)
from oco_reconcile.core.usdm.planner import plan_futures
from tests.support.futures_state import (
    OWNER,
    D,
    both_legs,
    bracket,
    futures_live,
    leg_order,
    long_position,
    unmanaged,
)

SETTINGS = Settings(owner=OWNER)


def plan(
    brackets: list[FuturesBracket],
    live: FuturesLiveState,
    settings: Settings = SETTINGS,
    selection: Selection = EVERYTHING,
) -> PlanPart:
    return plan_futures(brackets, live, settings, selection)


def only(part: PlanPart) -> Change:
    assert len(part.changes) == 1, part.changes
    return part.changes[0]


def steps_of(change: Change) -> list[tuple[str, str]]:
    assert change.futures is not None
    return [
        ("place" if isinstance(s, AlgoRequest) else "cancel", s.client_algo_id)
        for s in change.futures.steps
    ]


def kinds(part: PlanPart) -> set[NoticeKind]:
    return {n.kind for n in part.notices}


def test_nothing_open_creates_both_legs_stop_first() -> None:
    item = bracket()
    ids = futures_ids(OWNER, item)
    change = only(plan([item], futures_live(positions=[long_position()])))
    assert change.action is Action.CREATE
    assert steps_of(change) == [("place", ids.stop_loss_id), ("place", ids.take_profit_id)]
    assert change.futures is not None
    assert change.futures.after == item


def test_close_quantity_sends_close_position_and_no_reduce_only() -> None:
    change = only(plan([bracket()], futures_live(positions=[long_position()])))
    assert change.futures is not None
    for request in change.futures.places:
        assert request.close_position
        assert request.quantity is None
        assert not request.reduce_only


def test_both_legs_open_as_specified_is_a_no_op() -> None:
    item = bracket()
    part = plan([item], futures_live(both_legs(item), positions=[long_position()]))
    assert only(part).action is Action.NOOP
    assert part.problems == ()


def test_stop_fired_plans_the_cancel_of_the_orphan_take_profit_and_places_nothing() -> None:
    item = bracket()
    ids = futures_ids(OWNER, item)
    fired = leg_order(item, LegRole.STOP_LOSS, 1, AlgoStatus.FINISHED)
    orphan = leg_order(item, LegRole.TAKE_PROFIT, 2)
    part = plan([item], futures_live([orphan], history=[replace(fired, actual_price=D("97990"))]))
    change = only(part)
    assert change.action is Action.CANCEL
    assert steps_of(change) == [("cancel", ids.take_profit_id)]
    assert "orphan take-profit" in change.reason
    fired_notice = [n for n in part.notices if n.kind is NoticeKind.FIRED]
    assert fired_notice
    assert "stop-loss fired at 97990" in fired_notice[0].message


def test_take_profit_fired_with_nothing_open_is_a_no_op_never_re_placed() -> None:
    item = bracket()
    fired = leg_order(item, LegRole.TAKE_PROFIT, 2, AlgoStatus.TRIGGERED)
    part = plan([item], futures_live(history=[fired]))
    change = only(part)
    assert change.action is Action.NOOP
    assert steps_of(change) == []
    assert NoticeKind.FIRED in kinds(part)


def test_bumping_rev_re_arms_a_fired_bracket() -> None:
    item = bracket()
    fired = leg_order(item, LegRole.TAKE_PROFIT, 2, AlgoStatus.FINISHED)
    change = only(plan([replace(item, rev=1)], futures_live(history=[fired])))
    assert change.action is Action.CREATE
    assert len(steps_of(change)) == 2


def test_a_leg_cancelled_by_hand_is_drift_and_only_that_leg_is_placed_again() -> None:
    item = bracket()
    ids = futures_ids(OWNER, item)
    stop = leg_order(item, LegRole.STOP_LOSS, 1)
    gone = leg_order(item, LegRole.TAKE_PROFIT, 2, AlgoStatus.CANCELED)
    part = plan([item], futures_live([stop], history=[gone], positions=[long_position()]))
    change = only(part)
    assert change.action is Action.CREATE
    assert steps_of(change) == [("place", ids.take_profit_id)]
    assert NoticeKind.DRIFT in kinds(part)


def test_an_edit_replaces_with_the_stop_placed_first_and_cancelled_last() -> None:
    old = bracket()
    new = bracket(take_profit="126000")
    old_ids, new_ids = futures_ids(OWNER, old), futures_ids(OWNER, new)
    change = only(plan([new], futures_live(both_legs(old), positions=[long_position()])))
    assert change.action is Action.REPLACE
    assert steps_of(change) == [
        ("place", new_ids.stop_loss_id),
        ("cancel", old_ids.take_profit_id),
        ("place", new_ids.take_profit_id),
        ("cancel", old_ids.stop_loss_id),
    ]


def test_a_protected_bracket_that_would_be_replaced_is_a_plan_error() -> None:
    old = bracket(protect=True)
    part = plan([bracket(take_profit="126000", protect=True)], futures_live(both_legs(old)))
    assert [p.field for p in part.problems] == ["protect"]
    assert NoticeKind.PROTECTED in kinds(part)


def test_our_orders_no_longer_desired_are_pruned_or_kept() -> None:
    gone = bracket("old-perp")
    live = futures_live(both_legs(gone))
    change = only(plan([], live))
    assert change.action is Action.CANCEL
    assert len(steps_of(change)) == 2
    kept = plan([], live, Settings(owner=OWNER, prune=False))
    assert kept.changes == ()
    assert NoticeKind.KEPT in kinds(kept)


def test_unmanaged_orders_are_listed_and_never_touched() -> None:
    item = bracket()
    foreign = unmanaged()
    part = plan([item], futures_live([*both_legs(item), foreign], positions=[long_position()]))
    assert NoticeKind.UNMANAGED in kinds(part)
    assert all(
        s.client_algo_id != foreign.client_algo_id
        for c in part.changes
        for s in (c.futures.steps if c.futures else ())
    )


def test_an_adopted_unmanaged_pair_matching_the_spec_is_a_no_op() -> None:
    item = bracket()
    stop, take_profit = both_legs(item)
    web_stop = replace(stop, client_algo_id="web_sl")
    web_tp = replace(take_profit, client_algo_id="web_tp")
    adopting = replace(item, adopt=("web_sl", "web_tp"))
    part = plan([adopting], futures_live([web_stop, web_tp], positions=[long_position()]))
    assert only(part).action is Action.NOOP
    assert NoticeKind.UNMANAGED not in kinds(part)


def test_a_flat_position_is_a_warning_not_an_error() -> None:
    part = plan([bracket()], futures_live())
    assert NoticeKind.FLAT_POSITION in kinds(part)
    assert part.problems == ()


def test_a_buy_bracket_on_a_short_with_a_reduce_only_quantity() -> None:
    item = bracket(
        "eth-short",
        symbol="ETHUSDT",
        side=Side.BUY,
        quantity=D("0.5"),
        take_profit="3500",
        stop_loss="4300",
    )
    short = long_position("-1", "ETHUSDT")
    part = plan([item], futures_live(positions=[short]))
    change = only(part)
    assert part.problems == ()
    assert change.futures is not None
    for request in change.futures.places:
        assert request.reduce_only
        assert request.quantity == D("0.5")
        assert request.side is Side.BUY


def test_hedge_mode_sends_no_reduce_only() -> None:
    item = bracket(quantity=D("0.01"), position_side=PositionSide.LONG)
    hedged = replace(long_position(), position_side=PositionSide.LONG)
    part = plan([item], futures_live(positions=[hedged], hedge_mode=True))
    change = only(part)
    assert part.problems == ()
    assert change.futures is not None
    assert all(not r.reduce_only for r in change.futures.places)


def test_a_name_outside_the_selection_is_left_alone() -> None:
    other = bracket("other-perp")
    selection = Selection.of({"other-perp": "brackets/other.yaml"})
    part = plan([], futures_live(both_legs(other)), selection=selection)
    assert part.changes == ()
    assert NoticeKind.OUTSIDE_SELECTION in kinds(part)


def test_a_crash_between_the_two_placements_places_the_missing_leg() -> None:
    item = bracket()
    ids = futures_ids(OWNER, item)
    stop = leg_order(item, LegRole.STOP_LOSS, 1)
    part = plan([item], futures_live([stop], positions=[long_position()]))
    change = only(part)
    assert steps_of(change) == [("place", ids.take_profit_id)]
    assert NoticeKind.DRIFT not in kinds(part)


def test_an_orphan_cancel_never_targets_a_step_it_places() -> None:
    item = bracket()
    fired = leg_order(item, LegRole.TAKE_PROFIT, 2, AlgoStatus.FINISHED)
    stop = leg_order(item, LegRole.STOP_LOSS, 1)
    change = only(plan([item], futures_live([stop], history=[fired])))
    assert change.futures is not None
    assert change.futures.places == ()
    assert [c.role for c in change.futures.steps if isinstance(c, AlgoCancel)] == [
        LegRole.STOP_LOSS
    ]


def test_an_open_stop_holding_the_desired_id_is_cancelled_before_that_id_is_placed() -> None:
    """Else Binance answers -4116: the id is open."""
    item = bracket()
    ids = futures_ids(OWNER, item)
    stop, take_profit = both_legs(item)
    odd = replace(stop, price_protect=True)  # same id, not what the bracket asks for
    change = only(plan([item], futures_live([odd, take_profit], positions=[long_position()])))
    assert steps_of(change) == [("cancel", ids.stop_loss_id), ("place", ids.stop_loss_id)]
