"""The lookup after a placement's unknown outcome (apply/idempotent.py), against the lag between
Binance's data sources (rest-api.md "Data Sources": ``GET /api/v3/orderList`` reads the database,
``GET /api/v3/openOrders`` memory first): a list that landed is found, not placed twice."""

from __future__ import annotations

from oco_reconcile.apply.executor import execute
from oco_reconcile.apply.results import ApplyResult, Outcome
from oco_reconcile.core.plan import Change, Plan
from oco_reconcile.venues.retry import LookupPolicy, RetryPolicy
from tests.support.fake_exchange import FakeExchange, Fault
from tests.support.fake_time import FakeTime

from .test_apply import LIMITS, RecordingReporter, create, only

LIST_ID = "ocr-a-aaaaaa"
POLICY = RetryPolicy(lookup=LookupPolicy(attempts=3, delay=0.5))


def run(fake: FakeExchange, change: Change, time: FakeTime) -> ApplyResult:
    return execute(
        Plan(changes=(change,)),
        fake,
        RecordingReporter(),
        limits=LIMITS,
        max_parallel_symbols=1,
        max_parallel_requests=1,
        clock=time.clock,
        sleep=time.sleep,
        retry=POLICY,
    )


def test_a_landed_list_the_database_does_not_show_yet_is_found_in_memory() -> None:
    fake = FakeExchange()
    fake.script("place_oco", LIST_ID, Fault.AFTER)
    fake.script("order_list", LIST_ID, "none", *[Fault.LOOKUP_LAG] * 3)  # baseline, then lag

    result = run(fake, create("a"), FakeTime())

    assert only(result).outcome is Outcome.DONE
    assert "openOrders" in only(result).detail
    assert fake.send_attempts[LIST_ID] == 1
    assert fake.placements(LIST_ID) == 1


def test_a_database_lookup_that_lags_by_one_try_does_not_duplicate() -> None:
    fake = FakeExchange()
    fake.script("place_oco", LIST_ID, Fault.AFTER_THEN_FILL)  # landed and closed at once
    fake.script("order_list", LIST_ID, "none", Fault.LOOKUP_LAG)
    time = FakeTime()

    result = run(fake, create("a"), time)

    assert only(result).outcome is Outcome.HELD
    assert fake.send_attempts[LIST_ID] == 1
    assert fake.placements(LIST_ID) == 1
    assert 0.5 in time.slept  # the second lookup waited for the database


def test_a_list_absent_from_every_lookup_is_resent_after_the_window() -> None:
    fake = FakeExchange()
    fake.script("place_oco", LIST_ID, Fault.BEFORE)
    time = FakeTime()

    result = run(fake, create("a"), time)

    assert only(result).outcome is Outcome.DONE
    assert fake.send_attempts[LIST_ID] == 2
    assert fake.placements(LIST_ID) == 1
    lookups = [kind for kind, list_id in fake.calls if list_id == LIST_ID]
    assert lookups == ["order_list", "place_oco", *["order_list"] * 3, "place_oco"]
    assert time.slept.count(0.5) == 2


def test_a_send_that_never_reached_the_exchange_is_looked_up_once() -> None:
    fake = FakeExchange()
    fake.script("place_oco", LIST_ID, Fault.TRANSIENT)

    run(fake, create("a"), FakeTime())

    lookups = [kind for kind, list_id in fake.calls if list_id == LIST_ID]
    assert lookups == ["order_list", "place_oco", "order_list", "place_oco"]
