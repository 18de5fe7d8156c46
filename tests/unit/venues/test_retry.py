"""The retry policy (venues/retry.py): who re-sends what, and how often, end to end.

The table pins which layer owns each (operation, condition); the end-to-end tests run the real
``BinanceClient`` over the fake Binance transport under the real apply engine and count the
requests that reach the wire, so a condition retried by two layers would show as a product.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from oco_reconcile.apply.executor import execute
from oco_reconcile.apply.results import ApplyResult, Outcome
from oco_reconcile.core.plan import Action, CancelStep, Change, Plan
from oco_reconcile.core.ratelimits import RateLimit, RateLimitType
from oco_reconcile.errors import (
    BannedError,
    BlockedError,
    ClockSkewError,
    DuplicateOrderError,
    ExchangeError,
    OutcomeUnknownError,
    RateLimitedError,
    RejectedError,
    TransientError,
    UnauthorizedError,
    UnknownOrderListError,
)
from oco_reconcile.render.apply_report import SilentReporter
from oco_reconcile.venues.retry import (
    Condition,
    Layer,
    Operation,
    RetryPolicy,
    condition_of,
    owner,
    retry_delay,
    should_retry,
)
from tests.support.fake_binance import FakeBinance
from tests.support.fake_time import FakeTime
from tests.unit.venues.spot.test_binance_requests import SELL_BRACKET

Load = Callable[[str], Any]
OCO = "/api/v3/orderList/oco"
ORDER_LIST = "/api/v3/orderList"
TIME = "/api/v3/time"
SKEW = "Timestamp for this request is outside of the recvWindow."
POLICY = RetryPolicy(max_attempts=4, base_delay=0.5, max_delay=3.0, jitter=0.0, max_retry_after=60)
LIMITS = (
    RateLimit(RateLimitType.REQUEST_WEIGHT, "MINUTE", 1, 6000),
    RateLimit(RateLimitType.ORDERS, "SECOND", 10, 100),
)

# --- the table: one owner per (operation, condition) ---------------------------------------------

C, P, L = Layer.CLIENT, Layer.PACER, Layer.LOOKUP
OWNERS = {
    Operation.READ: dict.fromkeys(Condition, C),
    Operation.CANCEL: {
        Condition.RATE_LIMITED: P,
        Condition.CLOCK_SKEW: C,
        Condition.NOT_EXECUTED: L,
        Condition.OUTCOME_UNKNOWN: L,
    },
    Operation.PLACE: {
        Condition.RATE_LIMITED: P,
        Condition.CLOCK_SKEW: C,
        Condition.NOT_EXECUTED: L,
        Condition.OUTCOME_UNKNOWN: L,
    },
}


@pytest.mark.parametrize("operation", list(Operation))
@pytest.mark.parametrize("condition", list(Condition))
def test_each_condition_has_exactly_one_owner(operation: Operation, condition: Condition) -> None:
    assert owner(operation, condition) is OWNERS[operation][condition]


def err(kind: type[ExchangeError], **kw: Any) -> ExchangeError:
    return kind("x", **kw)


@pytest.mark.parametrize(
    ("error", "condition"),
    [
        (err(RateLimitedError, retry_after=1.0), Condition.RATE_LIMITED),
        (err(ClockSkewError), Condition.CLOCK_SKEW),
        (err(TransientError), Condition.NOT_EXECUTED),
        (err(OutcomeUnknownError), Condition.OUTCOME_UNKNOWN),
        (err(BannedError, retry_after=120.0), None),
        (err(RejectedError), None),
        (err(DuplicateOrderError), None),
        (err(UnauthorizedError), None),
        (err(BlockedError), None),
        (err(UnknownOrderListError), None),
        (err(ExchangeError), None),
        (ValueError("bug"), None),
    ],
)
def test_conditions(error: BaseException, condition: Condition | None) -> None:
    assert condition_of(error) is condition


RETRY_TABLE: list[tuple[Layer, Operation, ExchangeError, bool, float | None]] = [
    # layer, operation, error, retried by that layer?, delay before attempt 2
    (C, Operation.READ, err(TransientError), True, 0.5),
    (C, Operation.READ, err(OutcomeUnknownError), True, 0.5),
    (C, Operation.READ, err(ClockSkewError), True, None),  # a re-sync, not a wait
    (C, Operation.READ, err(RateLimitedError, retry_after=7.0), True, 7.0),
    (C, Operation.READ, err(RateLimitedError), True, 0.5),
    (C, Operation.READ, err(RateLimitedError, retry_after=600.0), False, None),
    (C, Operation.READ, err(BannedError, retry_after=120.0), False, None),
    (C, Operation.READ, err(RejectedError), False, None),
    (C, Operation.CANCEL, err(OutcomeUnknownError), False, None),
    (C, Operation.CANCEL, err(RateLimitedError, retry_after=3.0), False, None),
    (C, Operation.PLACE, err(RateLimitedError, retry_after=1.0), False, None),
    (C, Operation.PLACE, err(OutcomeUnknownError), False, None),
    (C, Operation.PLACE, err(ClockSkewError), True, None),
    (P, Operation.PLACE, err(RateLimitedError, retry_after=1.0), True, 1.0),
    (P, Operation.CANCEL, err(RateLimitedError, retry_after=3.0), True, 3.0),
    (P, Operation.PLACE, err(RateLimitedError, retry_after=600.0), False, None),
    (P, Operation.READ, err(RateLimitedError, retry_after=1.0), False, None),
    (P, Operation.PLACE, err(ClockSkewError), False, None),
    (P, Operation.PLACE, err(BannedError), False, None),
    (L, Operation.PLACE, err(OutcomeUnknownError), True, None),
    (L, Operation.PLACE, err(TransientError), True, None),
    (L, Operation.CANCEL, err(OutcomeUnknownError), True, None),
    (L, Operation.PLACE, err(DuplicateOrderError), False, None),
    (L, Operation.READ, err(OutcomeUnknownError), False, None),
]


@pytest.mark.parametrize(("layer", "operation", "error", "retried", "delay"), RETRY_TABLE)
def test_retry_decision_table(
    layer: Layer, operation: Operation, error: ExchangeError, retried: bool, delay: float | None
) -> None:
    assert should_retry(layer, operation, error, POLICY) is retried
    if delay is not None:
        assert retry_delay(error, 1, POLICY) == delay


def test_backoff_is_exponential_capped_and_jittered() -> None:
    assert [POLICY.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    jittery = RetryPolicy(base_delay=1.0, max_delay=10.0, jitter=0.5, uniform=lambda: 0.5)
    assert [jittery.backoff(n) for n in (1, 2, 3)] == [1.25, 2.25, 4.25]


def test_non_exchange_errors_are_never_retried() -> None:
    assert not any(
        should_retry(layer, Operation.READ, ValueError("bug"), POLICY) for layer in Layer
    )


# --- end to end: the client under the apply engine ----------------------------------------------


def apply_one(fake: FakeBinance, policy: RetryPolicy = POLICY) -> ApplyResult:
    """Place SELL_BRACKET with the real client and apply engine sharing ``policy``."""
    change = Change(Action.CREATE, "bracket.btc", "BTCUSDT", "new", place=SELL_BRACKET)
    time = FakeTime()
    with fake.client(retry=policy) as client:
        return execute(
            Plan(changes=(change,)),
            client,
            SilentReporter(),
            limits=LIMITS,
            clock=time.clock,
            sleep=time.sleep,
            retry=policy,
        )


def never_placed(fake: FakeBinance) -> None:
    fake.error("GET", ORDER_LIST, 400, -2018, "Order list does not exist.")


def test_a_permanent_429_on_a_placement_is_sent_max_attempts_times(fake: FakeBinance) -> None:
    never_placed(fake)
    fake.error("POST", OCO, 429, -1015, "Too many new orders.", headers={"Retry-After": "1"})
    result = apply_one(fake)
    assert result.results[0].outcome is Outcome.FAILED
    # N = max_attempts - 1 retries, all by the pacer; the client adds none (was 6: apply's own 5)
    assert len(fake.sent(OCO)) == POLICY.max_attempts


def test_a_permanent_429_on_a_lookup_is_retried_by_the_client_only(fake: FakeBinance) -> None:
    fake.error("GET", ORDER_LIST, 429, -1003, "Too much weight.", headers={"Retry-After": "1"})
    result = apply_one(fake)
    assert result.results[0].outcome is Outcome.FAILED
    assert "look the list up" in result.results[0].detail
    # the client's attempts, not multiplied by apply's (was 30: 5 client x 6 apply)
    assert len(fake.sent(ORDER_LIST, "GET")) == POLICY.max_attempts
    assert fake.sent(OCO) == []


def test_a_429_then_success_places_once(fake: FakeBinance, fixture_json: Load) -> None:
    never_placed(fake)
    fake.error("POST", OCO, 429, -1015, "Too many new orders.", headers={"Retry-After": "1"})
    fake.reply("POST", OCO, fixture_json("oco_new_response.json")["response"])
    result = apply_one(fake)
    assert result.results[0].outcome is Outcome.DONE
    assert len(fake.sent(OCO)) == 2


def test_a_clock_skew_during_apply_costs_one_resync(fake: FakeBinance, fixture_json: Load) -> None:
    never_placed(fake)
    fake.error("POST", OCO, 400, -1021, SKEW)
    fake.reply("POST", OCO, fixture_json("oco_new_response.json")["response"])
    result = apply_one(fake)
    assert result.results[0].outcome is Outcome.DONE
    assert len(fake.sent(OCO)) == 2
    assert len(fake.sent(TIME)) == 1  # one re-sync (Spot signs its first request locally)


def test_a_permanent_clock_skew_is_resynced_per_policy_then_fails(fake: FakeBinance) -> None:
    never_placed(fake)
    fake.error("POST", OCO, 400, -1021, SKEW)
    policy = RetryPolicy(jitter=0.0, max_clock_resyncs=2)
    result = apply_one(fake, policy)
    assert result.results[0].outcome is Outcome.FAILED
    assert result.results[0].code == -1021
    # was 6 sends and 6 time requests: the client's re-sync times apply's two
    assert len(fake.sent(OCO)) == policy.max_clock_resyncs + 1
    assert len(fake.sent(TIME)) == policy.max_clock_resyncs


def test_an_unknown_cancel_outcome_is_looked_up_not_resent_blindly(fake: FakeBinance) -> None:
    """Was 5 DELETEs from the client's backoff, then lookups and up to 3 x 5 more from apply."""
    fake.error("DELETE", ORDER_LIST, 503, None, "Service Unavailable")
    fake.error("GET", ORDER_LIST, 400, -2018, "Order list does not exist.")
    time = FakeTime()
    step_change = Change(
        Action.CANCEL,
        "list.ocr-x",
        "BTCUSDT",
        "not desired",
        cancel=CancelStep("BTCUSDT", "ocr-list-aaaaaa", "ocr-list-aaaaaa-x"),
    )
    with fake.client(retry=POLICY) as client:
        result = execute(
            Plan(changes=(step_change,)),
            client,
            SilentReporter(),
            limits=LIMITS,
            clock=time.clock,
            sleep=time.sleep,
            retry=POLICY,
        )
    assert result.results[0].outcome is Outcome.DONE  # the lookup shows it gone
    assert len(fake.sent(ORDER_LIST, "DELETE")) == 1
    assert len(fake.sent(ORDER_LIST, "GET")) == 1


@pytest.fixture
def fake(fake_binance: FakeBinance) -> FakeBinance:
    return fake_binance


def test_a_failing_clock_resync_is_retried_by_the_signed_request_only(
    fake: FakeBinance,
) -> None:
    """A -1021 re-syncs inside the request's own attempt: a failing sync fails the request, with
    no retry loop of its own (was max_attempts squared time requests)."""
    fake.error("GET", "/api/v3/account", 400, -1021, SKEW)
    fake.error("GET", TIME, 500, -1000, "An unknown error occurred while processing the request.")
    with fake.client(retry=POLICY) as client, pytest.raises(ExchangeError):
        client.balances()
    assert len(fake.sent(TIME)) == 1
