"""An interrupt (the stop token the command edge sets on SIGINT / SIGTERM) at every point of a run.

The fake exchange (the ``Exchange`` seam) sets the token when its ``k``-th request arrives, for
every ``k`` of a run of placements and of a run of replaces, under a tight ORDERS limit so
requests also wait in the pacer when the stop comes. After the stop no request starts except the
rest of a replace whose cancel was sent; no bracket is left cancelled without its new list; the
changes not started say so; and running the same plan again converges with no list placed twice.
``OCO_INTERRUPT_EXAMPLES`` raises the number of drawn mixed runs (default 30).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oco_reconcile.apply.executor import execute
from oco_reconcile.apply.pacing import PLACE_OCO, Pacer
from oco_reconcile.apply.results import ApplyResult, Outcome
from oco_reconcile.apply.stop import StoppedError, StopToken
from oco_reconcile.core.identity import cancel_id_for
from oco_reconcile.core.model import Leg, LegRequest, LegType, OcoRequest, Side, TimeInForce
from oco_reconcile.core.plan import Action, CancelStep, Change, Plan
from oco_reconcile.core.ratelimits import RateLimit, RateLimitType
from oco_reconcile.render.apply_report import SilentReporter, render_text
from tests.support.fake_exchange import FakeExchange
from tests.support.fake_time import FakeTime

EXAMPLES = int(os.environ.get("OCO_INTERRUPT_EXAMPLES", "30"))
# 3 OCOs per 10 s: placements queue in the pacer, so some stops land while they wait.
TIGHT = (
    RateLimit(RateLimitType.REQUEST_WEIGHT, "MINUTE", 1, 6000),
    RateLimit(RateLimitType.ORDERS, "SECOND", 10, 6),
)


def oco(name: str) -> OcoRequest:
    list_id = f"ocr-{name}-aaaaaa"
    stop = Leg(
        LegType.STOP_LOSS_LIMIT,
        price=Decimal(90000),
        stop_price=Decimal(91000),
        time_in_force=TimeInForce.GTC,
    )
    return OcoRequest(
        symbol="BTCUSDT",
        side=Side.SELL,
        quantity=Decimal("0.01"),
        list_client_order_id=list_id,
        above=LegRequest(Leg(LegType.LIMIT_MAKER, price=Decimal(120000)), list_id + "-tp"),
        below=LegRequest(stop, list_id + "-sl"),
    )


def create(name: str) -> Change:
    return Change(Action.CREATE, f"bracket.{name}", "BTCUSDT", "new", place=oco(name))


def replace_of(name: str) -> Change:
    old = oco(f"{name}-old")
    step = CancelStep("BTCUSDT", old.list_client_order_id, cancel_id_for(old.list_client_order_id))
    return Change(
        Action.REPLACE, f"bracket.{name}", "BTCUSDT", "changed", cancel=step, place=oco(name)
    )


@dataclass
class StoppingExchange(FakeExchange):
    """Sets ``token`` when request number ``stop_at`` (1-based) arrives; records what came after."""

    token: StopToken = field(default_factory=StopToken)
    stop_at: int = 0
    after_stop: list[tuple[str, object]] = field(default_factory=list)

    def _record(self, method: str, argument: object = None) -> None:
        super()._record(method, argument)
        with self.lock:
            if self.token.is_set:
                self.after_stop.append((method, argument))
            elif len(self.calls) == self.stop_at:
                self.token.stop("interrupted by SIGINT")


def run(fake: StoppingExchange, changes: list[Change]) -> ApplyResult:
    time = FakeTime()
    return execute(
        Plan(changes=tuple(changes)),
        fake,
        SilentReporter(),
        limits=TIGHT,
        max_parallel_symbols=1,
        max_parallel_requests=1,
        clock=time.clock,
        sleep=time.sleep,
        stop=fake.token,
    )


def seeded(changes: list[Change], stop_at: int) -> StoppingExchange:
    fake = StoppingExchange(stop_at=stop_at)
    for change in changes:
        if change.action is Action.REPLACE:
            fake.seed(oco(change.address.removeprefix("bracket.") + "-old"))
    fake.calls.clear()
    return fake


def cancelled_not_replaced(fake: FakeExchange, changes: list[Change]) -> list[str]:
    """Replaces whose old list is gone while the new one is not open: unprotected positions."""
    gone = []
    for change in changes:
        if change.cancel is None or change.place is None:
            continue
        old_open = fake.open_list(change.cancel.list_client_order_id) is not None
        new_open = fake.open_list(change.place.list_client_order_id) is not None
        if not old_open and not new_open:
            gone.append(change.address)
    return gone


def started_replaces(fake: StoppingExchange) -> set[str]:
    """New list ids of the replaces whose cancel went out before the stop."""
    before = fake.calls[: len(fake.calls) - len(fake.after_stop)]
    return {
        str(list_id).removesuffix("-old-aaaaaa") + "-aaaaaa"
        for method, list_id in before
        if method == "cancel_order_list"
    }


def check_interrupted_run(fake: StoppingExchange, changes: list[Change]) -> None:
    result = run(fake, changes)
    if not fake.token.is_set:  # the run had fewer requests than stop_at
        assert result.succeeded
        return
    finishing = started_replaces(fake)
    for method, argument in fake.after_stop:
        assert method in ("place_oco", "order_list", "order"), (method, argument)
        assert argument in finishing or (isinstance(argument, tuple)), (method, argument)
    assert cancelled_not_replaced(fake, changes) == []
    assert result.stop_reason == "interrupted by SIGINT"
    for item in result.results:
        assert item.outcome in (Outcome.DONE, Outcome.NOT_ATTEMPTED), item
        if item.outcome is Outcome.NOT_ATTEMPTED:
            assert "not started: interrupted by SIGINT" in item.detail
    assert "not started:" in render_text(result)
    check_rerun_converges(fake, changes)


def check_rerun_converges(fake: StoppingExchange, changes: list[Change]) -> None:
    fake.token, fake.stop_at = StopToken(), 0
    again = run(fake, changes)
    assert again.succeeded, render_text(again)
    for change in changes:
        assert change.place is not None
        assert fake.placements(change.place.list_client_order_id) == 1
        assert fake.open_list(change.place.list_client_order_id) is not None
        if change.cancel is not None:
            assert fake.open_list(change.cancel.list_client_order_id) is None


PLACEMENTS = [create(f"p{i}") for i in range(8)]
REPLACES = [replace_of(f"r{i}") for i in range(6)]


@pytest.mark.parametrize("stop_at", range(1, 18))
def test_an_interrupt_during_placements_starts_nothing_new(stop_at: int) -> None:
    fake = seeded(PLACEMENTS, stop_at)
    check_interrupted_run(fake, PLACEMENTS)
    assert not [call for call in fake.after_stop if call[0] == "place_oco"]


@pytest.mark.parametrize("stop_at", range(1, 20))
def test_an_interrupt_during_replaces_finishes_every_started_one(stop_at: int) -> None:
    fake = seeded(REPLACES, stop_at)
    check_interrupted_run(fake, REPLACES)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kinds=st.lists(st.booleans(), min_size=1, max_size=10),
    stop_at=st.integers(min_value=1, max_value=40),
)
def test_an_interrupt_at_a_random_point_of_a_mixed_run(kinds: list[bool], stop_at: int) -> None:
    changes = [
        replace_of(f"m{i}") if is_replace else create(f"m{i}") for i, is_replace in enumerate(kinds)
    ]
    check_interrupted_run(seeded(changes, stop_at), changes)


def test_the_exposed_bracket_is_named_while_its_replace_runs() -> None:
    token = StopToken()
    with token.exposed("bracket.a"):
        with token.exposed("bracket.b"):
            assert token.unprotected() == ("bracket.a", "bracket.b")
        assert token.unprotected() == ("bracket.a",)
    assert token.unprotected() == ()


@dataclass
class RecordingToken(StopToken):
    """A stop that arrives during the pacer's first wait; records what the pacer waited for."""

    waits: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        StopToken.__init__(self)

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        self.stop("interrupted by SIGTERM")
        return True


def test_the_pacer_waits_on_the_token_and_a_stop_ends_the_wait() -> None:
    time = FakeTime()
    pacer = Pacer(TIGHT, clock=time.clock)  # no sleep injected: waits go through the token
    token = RecordingToken()
    for _ in range(3):
        pacer.acquire(PLACE_OCO, token)
    with pytest.raises(StoppedError, match="SIGTERM"):
        pacer.acquire(PLACE_OCO, token)
    assert token.waits
    assert token.waits[0] > 0
    assert pacer.used(RateLimitType.ORDERS) == {"10s": 6}  # the stopped request reserved nothing


def test_a_stopped_token_refuses_at_once_but_a_committed_request_is_not_stopped() -> None:
    time = FakeTime()
    pacer = Pacer(TIGHT, clock=time.clock, sleep=time.sleep)
    token = StopToken()
    token.stop("interrupted by SIGINT")
    with pytest.raises(StoppedError):
        pacer.acquire(PLACE_OCO, token)
    pacer.acquire(PLACE_OCO)  # no token: the rest of a started replace
    assert pacer.used(RateLimitType.ORDERS) == {"10s": 2}
