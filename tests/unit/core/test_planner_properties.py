"""Property tests of the planner (hypothesis), over random desired sets and live states:

* planning the state a successful apply of the plan produces yields no changes (convergence);
* the planner never cancels an unmanaged list;
* the planner never places a list whose id has fired (only bumping ``rev`` re-arms).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oco_reconcile.core.identity import bracket_ids, is_managed
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.model import Bracket, ExchangeInfo, HistoryOutcome
from oco_reconcile.core.plan import Action, Plan
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.settings import Settings
from tests.support.plan_support import (
    apply_plan,
    btcusdt_info,
    buy,
    foreign_list,
    history_of,
    live_state,
    open_list,
    sell,
)

NAMES = ("alpha", "bravo", "charlie", "delta", "echo", "fox")
OWNER = "ocr"


def _uncounted_info() -> ExchangeInfo:
    """BTCUSDT's real filters without the count filters (MAX_NUM_ALGO_ORDERS is 5: the random
    states here would hit it, which test_checks covers)."""
    info = btcusdt_info()
    rules = replace(info.symbols["BTCUSDT"], max_num_algo_orders=None, max_num_orders=None)
    return replace(info, symbols={"BTCUSDT": rules})


INFO = _uncounted_info()


@st.composite
def brackets(draw: st.DrawFn, name: str) -> Bracket:
    qty = str(Decimal(draw(st.integers(1000, 50000))) / 100000)  # 0.01 .. 0.5 BTC
    market = draw(st.booleans())
    rev = draw(st.integers(0, 2))
    protect = draw(st.booleans()) and draw(st.booleans())
    if draw(st.booleans()):
        tp = draw(st.integers(100_100, 150_000))
        stop = draw(st.integers(60_000, 99_900))
        limit = None if market else str(stop - draw(st.integers(1, 500)))
        return sell(
            name, qty=qty, tp=str(tp), stop=str(stop), limit=limit, rev=rev, protect=protect
        )
    tp = draw(st.integers(60_000, 99_900))
    stop = draw(st.integers(100_100, 140_000))
    limit = None if market else str(stop + draw(st.integers(1, 500)))
    return buy(name, qty=qty, tp=str(tp), stop=str(stop), limit=limit, rev=rev, protect=protect)


@dataclass(frozen=True)
class World:
    desired: tuple[Bracket, ...]
    live: LiveState
    settings: Settings
    fired_ids: frozenset[str]
    unmanaged_ids: frozenset[str]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=len(NAMES)))
    desired = [draw(brackets(name)) for name in names]
    lists, history = [], []
    next_id = iter(range(1, 1000))
    for bracket in desired:
        state = draw(st.sampled_from(["none", "same", "other", "both", "partial", "history"]))
        other = draw(brackets(bracket.name))
        if state in ("same", "both"):
            lists.append(open_list(bracket, next(next_id)))
        if state in ("other", "both"):
            lists.append(open_list(other, next(next_id)))
        if state == "partial":
            lists.append(open_list(other, next(next_id), executed="0.001"))
        if state == "history":
            history.append(history_of(bracket, draw(st.sampled_from(list(HistoryOutcome)))))
    orphans = draw(st.lists(st.sampled_from(("golf", "hotel", "india")), unique=True))
    lists += [open_list(draw(brackets(name)), next(next_id)) for name in orphans]
    unmanaged = [
        foreign_list(draw(brackets("x")), next(next_id), f"web{i}")
        for i in range(draw(st.integers(0, 2)))
    ]
    lists += unmanaged
    fired = frozenset(
        entry.list_client_order_id for entry in history if entry.outcome is HistoryOutcome.FIRED
    )
    world_settings = Settings(prune=draw(st.booleans()), allow_empty=draw(st.booleans()))
    return World(
        tuple(desired),
        live_state(lists, history=history, info=INFO),
        world_settings,
        fired,
        frozenset(item.list_client_order_id for item in unmanaged),
    )


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(worlds())
def test_planning_after_apply_yields_no_changes(world: World) -> None:
    plan = make_plan(world.desired, world.live, world.settings)
    if plan.has_errors:  # apply refuses: nothing changes, and planning again says the same
        assert make_plan(world.desired, world.live, world.settings) == plan
        return

    after = apply_plan(plan, world.live)
    again = make_plan(world.desired, after, world.settings)

    assert again.actionable == (), [(c.action, c.address, c.reason) for c in again.actionable]
    assert not again.has_errors


@PROPERTY
@given(worlds())
def test_never_cancels_an_unmanaged_list(world: World) -> None:
    plan = make_plan(world.desired, world.live, world.settings)

    cancelled = {c.cancel.list_client_order_id for c in plan.changes if c.cancel is not None}
    assert not cancelled & world.unmanaged_ids
    assert all(is_managed(OWNER, list_id) for list_id in cancelled)


@PROPERTY
@given(worlds())
def test_never_places_a_fired_bracket(world: World) -> None:
    plan = make_plan(world.desired, world.live, world.settings)

    placed = {c.place.list_client_order_id for c in plan.changes if c.place is not None}
    assert not placed & world.fired_ids
    for bracket in world.desired:
        if bracket_ids(OWNER, bracket).list_client_order_id in world.fired_ids:
            (change,) = [c for c in plan.changes if c.address == f"bracket.{bracket.name}"]
            assert change.action is Action.NOOP


@PROPERTY
@given(worlds())
def test_every_desired_bracket_has_exactly_one_change(world: World) -> None:
    plan: Plan = make_plan(world.desired, world.live, world.settings)

    addresses = [c.address for c in plan.changes if c.after is not None]
    assert sorted(addresses) == sorted(f"bracket.{b.name}" for b in world.desired)
    assert plan.desired_brackets() == tuple(sorted(world.desired, key=lambda b: (b.symbol, b.name)))
