"""watch's orphan canceller over the in-memory futures fake: one cancel per orphan, whatever
the trigger events, nothing for what is not ours, and a failed cancel tried again."""

from __future__ import annotations

import pytest

from oco_reconcile.apply.orphans import OrphanCanceller
from oco_reconcile.apply.pacing import Pacer
from oco_reconcile.apply.requests import RunState
from oco_reconcile.apply.results import Outcome
from oco_reconcile.apply.stop import StoppedError
from oco_reconcile.apply.usdm_writes import FuturesRequests, FuturesWrites
from oco_reconcile.core.events import EventKind, StreamEvent
from oco_reconcile.core.usdm.model import Market
from oco_reconcile.venues.retry import RetryPolicy
from tests.support.fake_futures import FakeFutures, Fault
from tests.support.fake_time import FakeTime
from tests.support.futures_state import OWNER, bracket
from tests.unit.apply.test_futures_apply import FUTURES_LIMITS, ids, plan_for, run


def canceller(fake: FakeFutures) -> OrphanCanceller:
    time = FakeTime()
    pacer = Pacer(FUTURES_LIMITS, clock=time.clock, sleep=time.sleep)
    policy = RetryPolicy(jitter=0.0)
    requests = FuturesRequests(fake, pacer, RunState(), policy)
    return OrphanCanceller(FuturesWrites(requests, policy), OWNER)


def trigger(client_id: str, kind: EventKind = EventKind.TRIGGERED) -> StreamEvent:
    return StreamEvent(Market.USDM, kind, 1, symbol="BTCUSDT", client_id=client_id)


def placed_bracket() -> tuple[FakeFutures, str, str]:
    fake, item = FakeFutures(), bracket()
    run(plan_for(fake, item), fake)
    take_profit, stop_loss = ids(item)
    fake.events.clear()
    return fake, take_profit, stop_loss


def test_a_stop_trigger_cancels_the_take_profit_once() -> None:
    fake, take_profit, stop_loss = placed_bracket()
    fake.fire(stop_loss)
    watcher = canceller(fake)
    first = watcher.on_event(trigger(stop_loss))
    assert first is not None
    assert first.outcome is Outcome.DONE
    assert watcher.on_event(trigger(stop_loss)) is None  # TRIGGERED after TRIGGERING
    assert fake.events == [("cancel", take_profit)]
    assert fake.open_ids() == []


def test_events_that_are_not_our_triggers_send_nothing() -> None:
    fake, take_profit, stop_loss = placed_bracket()
    watcher = canceller(fake)
    assert watcher.on_event(trigger(stop_loss, EventKind.PLACED)) is None
    assert watcher.on_event(trigger("web_tp_1")) is None
    assert watcher.on_event(trigger(stop_loss, EventKind.CANCELLED)) is None
    assert fake.events == []
    assert fake.open_ids() == sorted([take_profit, stop_loss])


def test_a_failed_cancel_is_tried_again_on_the_next_event() -> None:
    fake, take_profit, stop_loss = placed_bracket()
    fake.fire(take_profit)
    fake.fault("cancel", stop_loss, Fault.REJECT)
    watcher = canceller(fake)
    refused = watcher.on_event(trigger(take_profit))
    assert refused is not None
    assert refused.outcome is Outcome.FAILED
    assert fake.events == []
    again = watcher.on_event(trigger(take_profit, EventKind.TRIGGERED))
    assert again is not None
    assert again.outcome is Outcome.DONE
    assert fake.events == [("cancel", stop_loss)]


def test_a_ban_mid_cancel_leaves_the_orphan_to_the_next_event() -> None:
    fake, take_profit, stop_loss = placed_bracket()
    fake.fire(take_profit)
    fake.fault("cancel", stop_loss, Fault.BAN)
    watcher = canceller(fake)
    with pytest.raises(StoppedError):
        watcher.on_event(trigger(take_profit))
    with pytest.raises(StoppedError):  # tried again, not remembered as sent
        watcher.on_event(trigger(take_profit))
    assert fake.open_ids() == [stop_loss]
    fresh = canceller(fake).on_event(trigger(take_profit))  # a new run after the ban ended
    assert fresh is not None
    assert fresh.outcome is Outcome.DONE
