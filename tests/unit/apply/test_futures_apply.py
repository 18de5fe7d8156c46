"""apply.execute over futures changes: plans from the real planner, run against the in-memory
fake at the ``FuturesExchange`` seam (tests/support/fake_futures.py) with scripted faults."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import pytest

from oco_reconcile.apply.executor import FuturesVenue, execute
from oco_reconcile.apply.pacing import Pacer
from oco_reconcile.apply.results import ApplyResult, ChangeResult, Outcome
from oco_reconcile.apply.stop import StopToken
from oco_reconcile.core.model import Bracket
from oco_reconcile.core.plan import Plan
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.ratelimits import RateLimit, RateLimitType
from oco_reconcile.core.settings import Settings
from oco_reconcile.core.usdm.identity import futures_ids
from oco_reconcile.core.usdm.model import AlgoOrder, AlgoRequest, FuturesBracket
from oco_reconcile.errors import BugError
from tests.support.fake_exchange import FakeExchange
from tests.support.fake_futures import FakeFutures, Fault
from tests.support.fake_time import FakeTime
from tests.support.futures_state import OWNER, bracket
from tests.support.plan_support import live_state, sell
from tests.unit.apply.test_apply import LIMITS, RecordingReporter

FUTURES_LIMITS = (
    RateLimit(RateLimitType.REQUEST_WEIGHT, "MINUTE", 1, 2400),
    RateLimit(RateLimitType.ORDERS, "SECOND", 10, 300),
    RateLimit(RateLimitType.ORDERS, "MINUTE", 1, 1200),
)
SETTINGS = Settings(owner=OWNER)


def ids(item: FuturesBracket) -> tuple[str, str]:
    legs = futures_ids(OWNER, item)
    return legs.take_profit_id, legs.stop_loss_id


@dataclass(frozen=True)
class Planned:
    plan: Plan
    history: Mapping[str, AlgoOrder]


def plan_for(fake: FakeFutures, *brackets: FuturesBracket, spot: Sequence[Bracket] = ()) -> Planned:
    usdm = fake.live()
    plan = make_plan(spot, replace(live_state(), usdm=usdm), SETTINGS, futures=brackets)
    assert not plan.has_errors, plan.problems
    return Planned(plan, usdm.history)


def run(
    planned: Planned,
    fake: FakeFutures,
    *,
    spot: FakeExchange | None = None,
    stop: StopToken | None = None,
) -> ApplyResult:
    time = FakeTime()
    pacer = Pacer(FUTURES_LIMITS, clock=time.clock, sleep=time.sleep)
    return execute(
        planned.plan,
        spot or FakeExchange(),
        RecordingReporter(),
        limits=LIMITS,
        clock=time.clock,
        sleep=time.sleep,
        stop=stop,
        futures=FuturesVenue(fake, pacer, planned.history),
    )


def only(result: ApplyResult) -> ChangeResult:
    assert len(result.results) == 1, result.results
    return result.results[0]


def converged(fake: FakeFutures, *brackets: FuturesBracket) -> bool:
    return not plan_for(fake, *brackets).plan.has_changes


# --- the happy paths ---------------------------------------------------------------------------


def test_create_places_the_stop_first_then_converges() -> None:
    fake, item = FakeFutures(), bracket()
    take_profit, stop_loss = ids(item)
    result = only(run(plan_for(fake, item), fake))
    assert result.outcome is Outcome.DONE
    assert fake.events == [("place", stop_loss), ("place", take_profit)]
    assert converged(fake, item)


def test_a_fired_stop_cancels_the_orphan_and_places_nothing() -> None:
    fake, item = FakeFutures(), bracket()
    run(plan_for(fake, item), fake)
    take_profit, stop_loss = ids(item)
    fake.fire(stop_loss)
    fake.events.clear()
    result = only(run(plan_for(fake, item), fake))
    assert result.outcome is Outcome.DONE
    assert fake.events == [("cancel", take_profit)]
    assert fake.open_ids() == []
    assert converged(fake, item)


def test_an_edit_replaces_in_the_order_that_keeps_a_stop() -> None:
    fake, old = FakeFutures(), bracket()
    run(plan_for(fake, old), fake)
    new = bracket(stop_loss="99000")
    (old_tp, old_sl), (new_tp, new_sl) = ids(old), ids(new)
    fake.events.clear()
    assert only(run(plan_for(fake, new), fake)).outcome is Outcome.DONE
    assert fake.events == [
        ("place", new_sl),
        ("cancel", old_tp),
        ("place", new_tp),
        ("cancel", old_sl),
    ]
    assert fake.open_ids() == sorted([new_tp, new_sl])
    assert converged(fake, new)


def test_a_leg_cancelled_by_hand_is_placed_again_under_its_own_id() -> None:
    fake, item = FakeFutures(), bracket()
    run(plan_for(fake, item), fake)
    take_profit, _ = ids(item)
    fake.cancel_by_hand(take_profit)
    fake.events.clear()
    assert only(run(plan_for(fake, item), fake)).outcome is Outcome.DONE
    assert fake.events == [("place", take_profit)]
    assert converged(fake, item)


# --- faults: never twice -------------------------------------------------------------------------


@pytest.mark.parametrize("fault", [Fault.UNKNOWN_AFTER, Fault.UNKNOWN_BEFORE])
def test_an_unknown_outcome_is_looked_up_and_never_placed_twice(fault: Fault) -> None:
    fake, item = FakeFutures(), bracket()
    take_profit, stop_loss = ids(item)
    fake.fault("place", stop_loss, fault)
    result = only(run(plan_for(fake, item), fake))
    assert result.outcome is Outcome.DONE
    assert [e for e in fake.events if e == ("place", stop_loss)] == [("place", stop_loss)]
    assert fake.open_ids() == sorted([take_profit, stop_loss])
    assert ("confirmed by lookup" in result.detail) is (fault is Fault.UNKNOWN_AFTER)


def test_an_unknown_outcome_never_mistakes_the_ids_earlier_life_for_the_new_order() -> None:
    fake, item = FakeFutures(), bracket()
    run(plan_for(fake, item), fake)
    take_profit, _ = ids(item)
    fake.cancel_by_hand(take_profit)  # the id's earlier life: CANCELED, still found by a lookup
    fake.fault("place", take_profit, Fault.UNKNOWN_BEFORE)
    fake.events.clear()
    result = only(run(plan_for(fake, item), fake))
    assert result.outcome is Outcome.DONE
    assert fake.events == [("place", take_profit)]  # re-sent once the lookup showed only the old
    assert converged(fake, item)


def test_a_refused_step_stops_the_change_and_names_what_was_not_sent() -> None:
    fake, item = FakeFutures(), bracket()
    _, stop_loss = ids(item)
    fake.fault("place", stop_loss, Fault.REJECT)
    result = only(run(plan_for(fake, item), fake))
    assert result.outcome is Outcome.FAILED
    assert result.code == -2021
    assert "not sent: place take-profit" in result.detail
    assert fake.events == []


def test_a_cancel_of_an_order_already_gone_is_already_done() -> None:
    fake, item = FakeFutures(), bracket()
    run(plan_for(fake, item), fake)
    take_profit, stop_loss = ids(item)
    fake.fire(stop_loss)
    planned = plan_for(fake, item)
    fake.cancel_by_hand(take_profit)  # gone between plan and apply
    result = only(run(planned, fake))
    assert result.outcome is Outcome.ALREADY_DONE
    assert "already gone" in result.detail


def test_a_ban_stops_the_run() -> None:
    fake, item = FakeFutures(), bracket()
    _, stop_loss = ids(item)
    fake.fault("place", stop_loss, Fault.BAN)
    result = run(plan_for(fake, item), fake)
    assert result.stop_reason is not None
    assert result.stop_reason.startswith("banned by the exchange until")
    assert result.banned_until is not None
    assert fake.events == []


def test_an_order_that_fired_during_a_replace_holds_the_remaining_placements() -> None:
    fake, old = FakeFutures(), bracket()
    run(plan_for(fake, old), fake)
    new = bracket(stop_loss="99000")
    (old_tp, old_sl), (new_tp, new_sl) = ids(old), ids(new)
    planned = plan_for(fake, new)
    fake.fire(old_tp)  # the position closed at the take-profit after the plan was made
    fake.events.clear()
    result = only(run(planned, fake))
    assert result.outcome is Outcome.HELD
    assert ("place", new_tp) not in fake.events
    assert fake.events == [("place", new_sl), ("cancel", old_sl)]


# --- interrupts and the venue seam ---------------------------------------------------------------


def test_an_interrupt_before_a_change_starts_sends_nothing() -> None:
    fake, item = FakeFutures(), bracket()
    stop = StopToken()
    stop.stop("SIGINT")
    result = only(run(plan_for(fake, item), fake, stop=stop))
    assert result.outcome is Outcome.NOT_ATTEMPTED
    assert fake.events == []


class _StopAfterFirstPlace(FakeFutures):
    stop: StopToken | None = None

    def place_algo(self, request: AlgoRequest) -> AlgoOrder:
        placed = super().place_algo(request)
        if self.stop is not None:
            self.stop.stop("SIGINT")
        return placed


def test_an_interrupt_mid_replace_still_finishes_the_change() -> None:
    fake, old = _StopAfterFirstPlace(), bracket()
    run(plan_for(fake, old), fake)
    new = bracket(stop_loss="99000")
    fake.events.clear()
    stop = StopToken()
    fake.stop = stop
    result = only(run(plan_for(fake, new), fake, stop=stop))
    assert result.outcome is Outcome.DONE
    assert [kind for kind, _ in fake.events] == ["place", "cancel", "place", "cancel"]
    assert stop.is_set


def test_a_mixed_spot_and_futures_plan_applies_both_venues() -> None:
    fake, spot, item = FakeFutures(), FakeExchange(), bracket()
    planned = plan_for(fake, item, spot=[sell("spot-a")])
    result = run(planned, fake, spot=spot)
    assert [r.outcome for r in result.results] == [Outcome.DONE, Outcome.DONE]
    assert {r.change.market.value for r in result.results} == {"spot", "usdm"}
    assert [lst.symbol for lst in spot.open_order_lists()] == ["BTCUSDT"]
    assert len(fake.open_ids()) == 2


def test_a_futures_change_without_the_futures_venue_is_a_bug() -> None:
    fake, item = FakeFutures(), bracket()
    with pytest.raises(BugError):
        execute(plan_for(fake, item).plan, FakeExchange(), RecordingReporter(), limits=LIMITS)
