"""The fast path and ``watch --apply`` never both cancel one orphan: plans from the real
planner over the in-memory futures fake, with one shared :class:`OrphanClaims`."""

from __future__ import annotations

from dataclasses import replace

from oco_reconcile.apply.orphans import OrphanCanceller, OrphanClaims
from oco_reconcile.apply.pacing import Pacer
from oco_reconcile.apply.requests import RunState
from oco_reconcile.apply.results import Outcome
from oco_reconcile.apply.usdm_writes import FuturesRequests, FuturesWrites
from oco_reconcile.core.plan import Action
from oco_reconcile.venues.retry import RetryPolicy
from oco_reconcile.watch.claims import HELD_ELSEWHERE, cancels_of, without_cancels
from tests.support.fake_futures import FakeFutures
from tests.support.fake_time import FakeTime
from tests.support.futures_state import OWNER, bracket
from tests.unit.apply.test_futures_apply import FUTURES_LIMITS, plan_for, run
from tests.unit.apply.test_orphans import placed_bracket, trigger


def canceller(fake: FakeFutures, claims: OrphanClaims) -> OrphanCanceller:
    time = FakeTime()
    pacer = Pacer(FUTURES_LIMITS, clock=time.clock, sleep=time.sleep)
    policy = RetryPolicy(jitter=0.0)
    requests = FuturesRequests(fake, pacer, RunState(), policy)
    return OrphanCanceller(FuturesWrites(requests, policy), OWNER, claims)


def fired_stop() -> tuple[FakeFutures, str, str]:
    """A bracket whose stop-loss fired: the take-profit is the orphan."""
    fake, take_profit, stop_loss = placed_bracket()
    fake.fire(stop_loss)
    return fake, take_profit, stop_loss


def test_a_re_plan_read_while_the_fast_path_cancels_shows_and_sends_nothing() -> None:
    fake, take_profit, _stop_loss = fired_stop()
    claims = OrphanClaims()
    assert claims.claim(take_profit)  # the fast path's cancel is in flight
    planned = plan_for(fake, bracket())
    assert [c.action for c in planned.plan.changes] == [Action.CANCEL]
    shown = without_cancels(planned.plan, lambda algo_id: not claims.held(algo_id))
    assert [c.action for c in shown.changes] == [Action.NOOP]
    assert HELD_ELSEWHERE in shown.changes[0].reason
    assert not shown.has_changes
    run(replace(planned, plan=shown), fake)
    assert fake.events == []


def test_a_plan_with_no_claims_held_is_unchanged_and_cancels_the_orphan() -> None:
    fake, take_profit, _stop_loss = fired_stop()
    planned = plan_for(fake, bracket())
    claims = OrphanClaims()
    mine = without_cancels(planned.plan, claims.claim)
    assert mine is planned.plan
    assert cancels_of(mine.changes[0]) == (take_profit,)
    run(planned, fake)
    assert fake.events == [("cancel", take_profit)]


def test_the_fast_path_sends_nothing_for_a_cancel_watch_apply_holds() -> None:
    fake, _take_profit, stop_loss = fired_stop()
    claims = OrphanClaims()
    planned = plan_for(fake, bracket())
    mine = without_cancels(planned.plan, claims.claim)  # watch --apply claims its cancels
    assert mine.has_changes
    assert canceller(fake, claims).on_event(trigger(stop_loss)) is None
    assert fake.events == []


def test_a_cancel_sent_by_the_fast_path_keeps_the_re_plan_off_it_until_kept_s() -> None:
    fake, take_profit, stop_loss = fired_stop()
    time = FakeTime()
    claims = OrphanClaims(kept_s=300.0, clock=time.clock)
    sent = canceller(fake, claims).on_event(trigger(stop_loss))
    assert sent is not None
    assert sent.outcome is Outcome.DONE
    assert claims.held(take_profit)
    time.sleep(299.0)
    assert not claims.claim(take_profit)
    time.sleep(2.0)
    assert claims.claim(take_profit)  # the same id placed again later can be cancelled again


def test_a_cancel_that_failed_is_let_go_at_once() -> None:
    claims = OrphanClaims()
    assert claims.claim("o-x-tp")
    claims.settle("o-x-tp", succeeded=False)
    assert not claims.held("o-x-tp")
    assert claims.claim("o-x-tp")
