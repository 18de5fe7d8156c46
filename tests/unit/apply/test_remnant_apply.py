"""apply runs a change's remnant cancels (``DELETE /api/v3/order``) before anything else of it,
with the unknown-outcome rules of list cancels: look the order up before anything more is sent.

Plans are made by the real planner from a partly filled bracket (tests/support/plan_support.py);
the exchange is the in-memory fake at the ``Exchange`` seam, with scripted faults.
"""

from __future__ import annotations

from dataclasses import replace

from oco_reconcile.apply.executor import execute
from oco_reconcile.apply.results import ApplyResult, ChangeResult, Outcome
from oco_reconcile.apply.stop import StopToken
from oco_reconcile.core.model import OrderReport
from oco_reconcile.core.plan import Action, Plan
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.ratelimits import RateLimit, RateLimitType
from oco_reconcile.render.apply_report import SilentReporter
from tests.support.fake_exchange import FakeExchange, Fault
from tests.support.fake_time import FakeTime
from tests.support.plan_support import SETTINGS, D, live_state, partly_filled, sell

LIMITS = (RateLimit(RateLimitType.REQUEST_WEIGHT, "MINUTE", 1, 6000),)
A = sell("alpha", qty="0.01")
A_MOVED = sell("alpha", qty="0.01", tp="111000")
OTHER = sell("other", qty="0.01", tp="112000")


def planned(desired: list[object]) -> tuple[Plan, OrderReport]:
    working, history = partly_filled(A)
    live = live_state(plain_orders=[working], history=[history])
    plan = make_plan(desired, live, SETTINGS)  # type: ignore[arg-type]
    assert not plan.problems
    return plan, working


def run(fake: FakeExchange, plan: Plan) -> ChangeResult:
    time = FakeTime()
    result: ApplyResult = execute(
        plan,
        fake,
        SilentReporter(),
        limits=LIMITS,
        clock=time.clock,
        sleep=time.sleep,
    )
    [only] = result.results
    return only


def writes(fake: FakeExchange) -> list[str]:
    return [m for m in fake.methods() if m in ("cancel_order", "cancel_order_list", "place_oco")]


def test_the_remnant_is_cancelled_before_the_new_list_is_placed() -> None:
    plan, working = planned([A_MOVED])
    fake = FakeExchange(extra_orders=[working])
    result = run(fake, plan)
    assert result.outcome is Outcome.DONE
    assert writes(fake) == ["cancel_order", "place_oco"]
    assert fake.arguments("cancel_order") == [working.order_id]
    assert fake.open_orders("BTCUSDT") == fake.lists[-1].reports  # only the new list works
    assert "remnant order" in result.detail


def test_a_prune_cancels_the_remnant_and_places_nothing() -> None:
    plan, working = planned([OTHER])
    [cancel] = [c for c in plan.actionable if c.action is Action.CANCEL]
    fake = FakeExchange(extra_orders=[working])
    result = run(fake, replace(plan, changes=(cancel,)))
    assert result.outcome is Outcome.DONE
    assert writes(fake) == ["cancel_order"]


def test_an_unknown_outcome_that_did_cancel_is_confirmed_by_a_lookup_not_resent() -> None:
    plan, working = planned([A_MOVED])
    fake = FakeExchange(extra_orders=[working])
    fake.script("cancel_order", working.client_order_id, Fault.AFTER)
    result = run(fake, plan)
    assert result.outcome is Outcome.DONE
    assert writes(fake) == ["cancel_order", "place_oco"]
    assert ("order", ("BTCUSDT", working.order_id)) in fake.calls


def test_an_unknown_outcome_that_did_not_cancel_is_cancelled_again_after_the_lookup() -> None:
    plan, working = planned([A_MOVED])
    fake = FakeExchange(extra_orders=[working])
    fake.script("cancel_order", working.client_order_id, Fault.BEFORE)
    result = run(fake, plan)
    assert result.outcome is Outcome.DONE
    assert writes(fake) == ["cancel_order", "cancel_order", "place_oco"]


def test_an_unknown_outcome_whose_lookup_fails_sends_nothing_more() -> None:
    plan, working = planned([A_MOVED])
    fake = FakeExchange(extra_orders=[working])
    fake.script("cancel_order", working.client_order_id, Fault.BEFORE)
    fake.script("order", str(working.order_id), Fault.LOOKUP_FAILS)
    result = run(fake, plan)
    assert result.outcome is Outcome.FAILED
    assert "nothing else sent" in result.detail
    assert writes(fake) == ["cancel_order"]


def test_a_remnant_that_executed_more_since_the_plan_holds_the_new_list() -> None:
    plan, working = planned([A_MOVED])
    fake = FakeExchange(extra_orders=[replace(working, executed_qty=D("0.009"))])
    result = run(fake, plan)
    assert result.outcome is Outcome.HELD
    assert writes(fake) == ["cancel_order"]


def test_a_remnant_already_gone_without_a_trace_holds_the_new_list() -> None:
    plan, _ = planned([A_MOVED])
    fake = FakeExchange()  # "Unknown order sent." and the lookup finds nothing
    result = run(fake, plan)
    assert result.outcome is Outcome.HELD
    assert writes(fake) == ["cancel_order"]


class _StopOnRemnantCancel(FakeExchange):
    """Sets the stop token (SIGINT at the command edge) as the remnant cancel arrives."""

    token: StopToken

    def cancel_order(
        self, symbol: str, order_id: int, new_client_order_id: str | None = None
    ) -> OrderReport | None:
        self.token.stop("interrupted by SIGINT")
        return super().cancel_order(symbol, order_id, new_client_order_id)


def test_an_interrupt_after_the_remnant_cancel_still_places_the_new_list() -> None:
    """The remnant was all that still worked: once it is cancelled the position is bare, so the
    new list goes out even though the interrupt came in between."""
    plan, working = planned([A_MOVED])
    fake = _StopOnRemnantCancel(extra_orders=[working])
    fake.token = StopToken()
    time = FakeTime()
    result = execute(
        plan,
        fake,
        SilentReporter(),
        limits=LIMITS,
        clock=time.clock,
        sleep=time.sleep,
        stop=fake.token,
    )
    [only] = result.results
    assert writes(fake) == ["cancel_order", "place_oco"]
    assert only.outcome is Outcome.DONE
    assert result.stop_reason == "interrupted by SIGINT"


def test_an_interrupt_before_the_remnant_cancel_sends_nothing() -> None:
    plan, working = planned([A_MOVED])
    fake = FakeExchange(extra_orders=[working])
    token = StopToken()
    token.stop("interrupted by SIGINT")
    time = FakeTime()
    result = execute(
        plan, fake, SilentReporter(), limits=LIMITS, clock=time.clock, sleep=time.sleep, stop=token
    )
    assert writes(fake) == []
    assert [r.outcome for r in result.results] == [Outcome.NOT_ATTEMPTED]
