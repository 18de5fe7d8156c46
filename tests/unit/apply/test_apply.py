"""apply.execute against the in-memory fake exchange at the ``Exchange`` seam, with scripted faults.

The fake (tests/support/fake_exchange.py) keeps Binance's rules that matter here: a list client id
is unique among *open* lists ("Duplicate order sent."), a cancel of a list that is not open answers
"Unknown order list sent." (the client maps it to None), a lookup returns the latest list with an
id. Faults are scripted per (method, list client id) and can fire before or after the exchange
committed the request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from oco_reconcile.apply.executor import execute
from oco_reconcile.apply.results import ApplyResult, ChangeResult, Outcome, Reporter
from oco_reconcile.core.identity import cancel_id_for
from oco_reconcile.core.model import (
    HistoryOutcome,
    Leg,
    LegRequest,
    LegType,
    ListHistory,
    OcoRequest,
    OrderList,
    Side,
    TimeInForce,
)
from oco_reconcile.core.plan import Action, CancelStep, Change, Plan, PlanProblem
from oco_reconcile.core.ratelimits import RateLimit, RateLimitType
from oco_reconcile.errors import ExchangeError, PlanError
from tests.support.fake_exchange import FakeExchange, Fault
from tests.support.fake_time import FakeTime

LIMITS = (
    RateLimit(RateLimitType.REQUEST_WEIGHT, "MINUTE", 1, 6000),
    RateLimit(RateLimitType.ORDERS, "SECOND", 10, 100),
    RateLimit(RateLimitType.ORDERS, "DAY", 1, 200000),
)


# --- plan building -----------------------------------------------------------------------------


def oco(name: str, symbol: str = "BTCUSDT") -> OcoRequest:
    list_id = f"ocr-{name}-aaaaaa"
    return OcoRequest(
        symbol=symbol,
        side=Side.SELL,
        quantity=Decimal("0.01"),
        list_client_order_id=list_id,
        above=LegRequest(Leg(LegType.LIMIT_MAKER, price=Decimal(120000)), list_id + "-tp"),
        below=LegRequest(
            Leg(
                LegType.STOP_LOSS_LIMIT,
                price=Decimal(90000),
                stop_price=Decimal(91000),
                time_in_force=TimeInForce.GTC,
            ),
            list_id + "-sl",
        ),
    )


def create(name: str, symbol: str = "BTCUSDT") -> Change:
    return Change(Action.CREATE, f"bracket.{name}", symbol, "new", place=oco(name, symbol))


def cancel_step(request: OcoRequest) -> CancelStep:
    list_id = request.list_client_order_id
    return CancelStep(request.symbol, list_id, cancel_id_for(list_id))


def cancel(request: OcoRequest) -> Change:
    return Change(
        Action.CANCEL,
        f"list.{request.list_client_order_id}",
        request.symbol,
        "not desired",
        cancel=cancel_step(request),
    )


def replace_change(old: OcoRequest, new: OcoRequest) -> Change:
    return Change(
        Action.REPLACE,
        "bracket.x",
        new.symbol,
        "spec changed",
        cancel=cancel_step(old),
        place=new,
    )


@dataclass
class RecordingReporter:
    started: list[str] = field(default_factory=list)
    done: list[tuple[str, Outcome]] = field(default_factory=list)
    finished: list[ApplyResult] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)

    def on_start(self, plan: Plan) -> None:
        self.plans.append(plan)

    def on_change_started(self, change: Change) -> None:
        self.started.append(change.address)

    def on_change_done(self, change: Change, result: ChangeResult) -> None:
        self.done.append((change.address, result.outcome))

    def on_finish(self, result: ApplyResult) -> None:
        self.finished.append(result)


def run(
    fake: FakeExchange, *changes: Change, parallel: int = 1, reporter: Reporter | None = None
) -> ApplyResult:
    time = FakeTime()
    return execute(
        Plan(changes=changes),
        fake,
        reporter or RecordingReporter(),
        limits=LIMITS,
        max_parallel_symbols=parallel,
        max_parallel_requests=parallel,
        clock=time.clock,
        sleep=time.sleep,
    )


def only(result: ApplyResult) -> ChangeResult:
    assert len(result.results) == 1
    return result.results[0]


# --- placements --------------------------------------------------------------------------------


def test_create_places_the_exact_request_once() -> None:
    fake = FakeExchange()
    result = run(fake, create("a"))
    assert only(result).outcome is Outcome.DONE
    assert result.succeeded
    placed = fake.open_list("ocr-a-aaaaaa")
    assert placed is not None
    assert [r.client_order_id for r in placed.orders] == ["ocr-a-aaaaaa-tp", "ocr-a-aaaaaa-sl"]
    assert only(result).placed == placed


def test_committed_then_dropped_placement_is_found_not_resent() -> None:
    fake = FakeExchange()
    fake.script("place_oco", "ocr-a-aaaaaa", Fault.AFTER)
    result = run(fake, create("a"))
    assert only(result).outcome is Outcome.DONE
    assert "confirmed by lookup" in only(result).detail
    assert fake.send_attempts["ocr-a-aaaaaa"] == 1
    assert fake.placements("ocr-a-aaaaaa") == 1


@pytest.mark.parametrize(
    ("fault", "lookups"),
    [(Fault.BEFORE, 3), (Fault.TRANSIENT, 1)],  # an unknown outcome: the whole lookup window
)
def test_placement_that_did_not_land_is_resent_with_the_same_ids(fault: str, lookups: int) -> None:
    fake = FakeExchange()
    fake.script("place_oco", "ocr-a-aaaaaa", fault)
    result = run(fake, create("a"))
    assert only(result).outcome is Outcome.DONE
    assert fake.send_attempts["ocr-a-aaaaaa"] == 2
    assert fake.placements("ocr-a-aaaaaa") == 1
    # the lookup came between the failed send and the re-send
    calls = [kind for kind, list_id in fake.calls if list_id == "ocr-a-aaaaaa"]
    assert calls == ["order_list", "place_oco", *["order_list"] * lookups, "place_oco"]


def test_duplicate_on_resend_means_the_first_send_landed() -> None:
    fake = FakeExchange()
    # the first send commits but the answer is lost, and every lookup lags behind the commit
    fake.script("place_oco", "ocr-a-aaaaaa", Fault.AFTER)
    fake.script("order_list", "ocr-a-aaaaaa", "none", *[Fault.LOOKUP_LAG] * 3)
    fake.script("open_orders", "BTCUSDT", *[Fault.LOOKUP_LAG] * 3)
    result = run(fake, create("a"))
    assert only(result).outcome is Outcome.ALREADY_DONE
    assert "first send landed" in only(result).detail
    assert fake.send_attempts["ocr-a-aaaaaa"] == 2
    assert fake.placements("ocr-a-aaaaaa") == 1


def test_placement_that_landed_and_closed_at_once_is_held_not_resent() -> None:
    fake = FakeExchange()
    fake.script("place_oco", "ocr-a-aaaaaa", Fault.AFTER_THEN_FILL)
    result = run(fake, create("a"))
    assert only(result).outcome is Outcome.HELD
    assert "ALL_DONE" in only(result).detail
    assert fake.send_attempts["ocr-a-aaaaaa"] == 1
    assert not result.succeeded


def test_an_older_closed_list_with_the_same_id_is_not_mistaken_for_this_placement() -> None:
    fake = FakeExchange()
    fake.seed(oco("a"), status="CANCELED")  # drift: the same id was cancelled outside the tool
    fake.script("place_oco", "ocr-a-aaaaaa", Fault.BEFORE)
    result = run(fake, create("a"))
    assert only(result).outcome is Outcome.DONE
    assert fake.open_list("ocr-a-aaaaaa") is not None
    assert fake.send_attempts["ocr-a-aaaaaa"] == 2


def run_with_history(
    fake: FakeExchange, history: dict[str, ListHistory], *changes: Change
) -> ApplyResult:
    time = FakeTime()
    return execute(
        Plan(changes=changes),
        fake,
        RecordingReporter(),
        limits=LIMITS,
        clock=time.clock,
        sleep=time.sleep,
        history=history,
    )


def test_the_plans_history_saves_the_lookup_before_a_placement() -> None:
    fake = FakeExchange()
    never = ListHistory("ocr-a-aaaaaa", HistoryOutcome.NEVER_PLACED)
    result = run_with_history(fake, {"ocr-a-aaaaaa": never}, create("a"))
    assert only(result).outcome is Outcome.DONE
    assert fake.calls == [("place_oco", "ocr-a-aaaaaa")]


def test_the_plans_history_is_the_baseline_of_an_unknown_outcome() -> None:
    fake = FakeExchange()
    old = fake.seed(oco("a"), status="CANCELED")  # drift: cancelled outside, placed again now
    closed = fake.order_list("ocr-a-aaaaaa")
    assert closed is not None
    fake.calls.clear()
    fake.script("place_oco", "ocr-a-aaaaaa", Fault.BEFORE)
    history = {
        "ocr-a-aaaaaa": ListHistory("ocr-a-aaaaaa", HistoryOutcome.CANCELLED_OUTSIDE, closed)
    }
    result = run_with_history(fake, history, create("a"))
    assert only(result).outcome is Outcome.DONE
    lookup = ["order_list", "open_orders"]
    assert [kind for kind, _ in fake.calls] == ["place_oco", *lookup * 3, "place_oco"]
    placed = only(result).placed
    assert placed is not None
    assert placed.order_list_id != old.order_list_id


def test_a_list_already_open_is_not_sent_again() -> None:
    fake = FakeExchange()
    fake.seed(oco("a"))
    result = run(fake, create("a"))
    assert only(result).outcome is Outcome.ALREADY_DONE
    assert "ocr-a-aaaaaa" not in fake.send_attempts


def test_lookup_failure_after_unknown_outcome_never_resends() -> None:
    fake = FakeExchange()
    fake.script("place_oco", "ocr-a-aaaaaa", Fault.BEFORE)
    fake.script("order_list", "ocr-a-aaaaaa", "none", Fault.LOOKUP_FAILS)
    result = run(fake, create("a"))
    assert only(result).outcome is Outcome.FAILED
    assert "not re-sent" in only(result).detail
    assert fake.send_attempts["ocr-a-aaaaaa"] == 1


def test_repeated_unknown_outcomes_give_up_without_a_duplicate() -> None:
    fake = FakeExchange()
    fake.script("place_oco", "ocr-a-aaaaaa", Fault.BEFORE, Fault.BEFORE, Fault.BEFORE)
    result = run(fake, create("a"))
    assert only(result).outcome is Outcome.FAILED
    assert only(result).code == -1007
    assert fake.placements("ocr-a-aaaaaa") == 0


def test_rejection_is_reported_with_the_exchange_code_and_message() -> None:
    fake = FakeExchange()
    fake.script("place_oco", "ocr-a-aaaaaa", Fault.REJECT)
    result = only(run(fake, create("a")))
    assert (result.outcome, result.code) == (Outcome.FAILED, -2010)
    assert result.message == "Order would trigger immediately."
    assert fake.send_attempts["ocr-a-aaaaaa"] == 1


# --- cancels -----------------------------------------------------------------------------------


def test_cancel_sends_the_tools_cancel_id() -> None:
    fake = FakeExchange()
    fake.seed(oco("a"))
    result = run(fake, cancel(oco("a")))
    assert only(result).outcome is Outcome.DONE
    assert fake.open_list("ocr-a-aaaaaa") is None


def test_cancel_of_a_list_already_gone_is_confirmed_and_already_done() -> None:
    fake = FakeExchange()
    fake.seed(oco("a"), status="CANCELED")
    result = run(fake, cancel(oco("a")))
    assert only(result).outcome is Outcome.ALREADY_DONE
    assert [kind for kind, _ in fake.calls] == ["cancel_order_list", "order_list"]


def test_cancel_answered_unknown_while_still_open_is_sent_again() -> None:
    fake = FakeExchange()
    fake.seed(oco("a"))
    fake.script("cancel_order_list", "ocr-a-aaaaaa", Fault.UNKNOWN_BUT_OPEN)
    result = run(fake, cancel(oco("a")))
    assert only(result).outcome is Outcome.DONE
    assert fake.open_list("ocr-a-aaaaaa") is None


@pytest.mark.parametrize(("fault", "sends"), [(Fault.AFTER, 1), (Fault.BEFORE, 2)])
def test_cancel_with_unknown_outcome_is_resolved_by_lookup(fault: str, sends: int) -> None:
    fake = FakeExchange()
    fake.seed(oco("a"))
    fake.script("cancel_order_list", "ocr-a-aaaaaa", fault)
    result = run(fake, cancel(oco("a")))
    assert only(result).outcome is Outcome.DONE
    assert fake.calls.count(("cancel_order_list", "ocr-a-aaaaaa")) == sends
    assert fake.open_list("ocr-a-aaaaaa") is None


# --- replace -----------------------------------------------------------------------------------


def test_replace_cancels_then_places_adjacent() -> None:
    fake = FakeExchange()
    old, new = oco("old"), oco("new")
    fake.seed(old)
    result = run(fake, replace_change(old, new))
    assert only(result).outcome is Outcome.DONE
    assert [(e.kind, e.list_client_order_id) for e in fake.events[1:]] == [
        ("cancel", "ocr-old-aaaaaa"),
        ("place", "ocr-new-aaaaaa"),
    ]


def test_replace_reads_the_new_ids_baseline_before_the_cancel() -> None:
    fake = FakeExchange()
    old, new = oco("old"), oco("new")
    fake.seed(old)
    run(fake, replace_change(old, new))
    assert fake.calls == [
        ("order_list", "ocr-new-aaaaaa"),
        ("cancel_order_list", "ocr-old-aaaaaa"),
        ("place_oco", "ocr-new-aaaaaa"),
    ]


def test_replace_keeps_the_old_list_when_the_new_id_cannot_be_looked_up() -> None:
    fake = FakeExchange()
    old, new = oco("old"), oco("new")
    fake.seed(old)
    fake.script("order_list", "ocr-new-aaaaaa", Fault.LOOKUP_FAILS)
    result = only(run(fake, replace_change(old, new)))
    assert result.outcome is Outcome.FAILED
    assert result.detail.startswith("old list kept, new list not placed")
    assert fake.open_list("ocr-old-aaaaaa") is not None
    assert ("cancel_order_list", "ocr-old-aaaaaa") not in fake.calls


def test_replace_of_an_amended_list_with_the_same_id() -> None:
    fake = FakeExchange()
    request = oco("a")
    fake.seed(request)  # same id, legs amended by hand: cancel it and place it again
    fake.script("place_oco", "ocr-a-aaaaaa", Fault.BEFORE)  # and the first send is lost
    result = only(run(fake, replace_change(request, request)))
    assert result.outcome is Outcome.DONE
    assert fake.placements("ocr-a-aaaaaa") == 2  # the seed and exactly one new list
    assert fake.open_list("ocr-a-aaaaaa") is not None


def test_replace_whose_old_list_fired_holds_the_new_one() -> None:
    fake = FakeExchange()
    old, new = oco("old"), oco("new")
    fake.seed(old)
    fake.fill("ocr-old-aaaaaa")  # the stop filled between plan and apply
    result = only(run(fake, replace_change(old, new)))
    assert result.outcome is Outcome.HELD
    assert "executed" in result.detail
    assert "ocr-new-aaaaaa" not in fake.send_attempts


def test_replace_whose_cancel_is_refused_keeps_the_old_list() -> None:
    fake = FakeExchange()
    old, new = oco("old"), oco("new")
    fake.seed(old)
    fake.script("cancel_order_list", "ocr-old-aaaaaa", Fault.REJECT)
    result = only(run(fake, replace_change(old, new)))
    assert result.outcome is Outcome.FAILED
    assert "new list not placed" in result.detail
    assert fake.open_list("ocr-old-aaaaaa") is not None
    assert "ocr-new-aaaaaa" not in fake.send_attempts


def test_replace_cancel_lost_then_retried_by_lookup_still_places() -> None:
    fake = FakeExchange()
    old, new = oco("old"), oco("new")
    fake.seed(old)
    fake.script("cancel_order_list", "ocr-old-aaaaaa", Fault.AFTER)
    result = only(run(fake, replace_change(old, new)))
    assert result.outcome is Outcome.DONE
    assert fake.open_list("ocr-new-aaaaaa") is not None


def test_ban_after_the_cancel_of_a_replace_reports_the_unprotected_position() -> None:
    fake = FakeExchange()
    old, new = oco("old"), oco("new")
    fake.seed(old)
    fake.script("place_oco", "ocr-new-aaaaaa", Fault.BANNED)
    result = run(fake, replace_change(old, new))
    assert only(result).outcome is Outcome.FAILED
    assert "unprotected" in only(result).detail
    assert result.banned_until == datetime(2030, 1, 1, tzinfo=UTC)


# --- ordering, concurrency, stops --------------------------------------------------------------


def test_cancels_run_before_placements_on_every_symbol() -> None:
    fake = FakeExchange()
    doomed = [oco(f"gone{i}", symbol) for i, symbol in enumerate(["BTCUSDT", "ETHUSDT"] * 3)]
    for request in doomed:
        fake.seed(request)
    changes = [create(f"n{i}", s) for i, s in enumerate(["BTCUSDT", "ETHUSDT", "BNBUSDT"] * 3)]
    changes += [cancel(request) for request in doomed]
    result = run(fake, *changes, parallel=3)
    assert result.succeeded
    kinds = [e.kind for e in fake.events[len(doomed) :]]
    assert kinds == ["cancel"] * len(doomed) + ["place"] * 9
    assert [r.change for r in result.results] == changes  # results come back in plan order


def test_symbols_run_concurrently_and_every_change_gets_a_result() -> None:
    fake = FakeExchange()
    symbols = [f"S{i}USDT" for i in range(8)]
    changes = [create(f"b{i}", symbols[i % 8]) for i in range(40)]
    reporter = RecordingReporter()
    result = run(fake, *changes, parallel=4, reporter=reporter)
    assert result.count(Outcome.DONE) == 40
    assert len(fake.events) == 40
    assert sorted(reporter.started) == sorted(c.address for c in changes)
    assert len(reporter.done) == 40
    assert reporter.finished == [result]


@dataclass
class GaugedExchange(FakeExchange):
    """Counts placements in flight; a barrier makes ``together`` placements meet or fail."""

    together: int = 1
    in_flight: int = 0
    peak: int = 0
    gauge: threading.Lock = field(default_factory=threading.Lock)

    def place_oco(self, request: OcoRequest) -> OrderList:
        with self.gauge:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            if self.barrier is not None:
                self.barrier.wait(timeout=10)  # raises BrokenBarrierError unless they overlap
            return super().place_oco(request)
        finally:
            with self.gauge:
                self.in_flight -= 1


def test_creates_on_one_symbol_are_sent_concurrently() -> None:
    fake = GaugedExchange(barrier=threading.Barrier(4))
    changes = [create(f"c{i}") for i in range(8)]  # all on BTCUSDT
    result = run(fake, *changes, parallel=4)
    assert result.count(Outcome.DONE) == 8
    assert fake.peak == 4


def test_replaces_on_one_symbol_overlap_and_each_places_after_its_own_cancel() -> None:
    """Each replace is a unit of its own (issue 17): four on one symbol meet at the barrier, so
    they run at once; each bracket's placement still follows its own cancel, so the symbol never
    holds more open lists than before."""
    fake = GaugedExchange(barrier=threading.Barrier(4))
    olds = [oco(f"r{i}") for i in range(4)]
    for request in olds:
        fake.seed(request)
    news = [
        replace(request, list_client_order_id=request.list_client_order_id[:-6] + "bbbbbb")
        for request in olds
    ]
    changes = [replace_change(old, new) for old, new in zip(olds, news, strict=True)]
    result = run(fake, *changes, parallel=8)
    assert result.count(Outcome.DONE) == 4
    assert fake.peak == 4
    events = fake.events[len(olds) :]
    order = [(e.kind, e.list_client_order_id) for e in events]
    for old, new in zip(olds, news, strict=True):
        assert order.index(("cancel", old.list_client_order_id)) < order.index(
            ("place", new.list_client_order_id)
        )
    open_lists = len(olds)
    for event in events:
        open_lists += 1 if event.kind == "place" else -1
        assert open_lists <= len(olds)


def test_one_failure_does_not_hide_the_others() -> None:
    fake = FakeExchange()
    fake.script("place_oco", "ocr-b-aaaaaa", Fault.REJECT)
    result = run(fake, create("a"), create("b"), create("c"))
    assert [r.outcome for r in result.results] == [Outcome.DONE, Outcome.FAILED, Outcome.DONE]
    assert not result.succeeded
    assert result.stop_reason is None


def test_ban_stops_the_run_and_leaves_the_rest_not_attempted() -> None:
    fake = FakeExchange()
    fake.script("place_oco", "ocr-b-aaaaaa", Fault.BANNED)
    result = run(fake, create("a"), create("b"), create("c"), create("d", "ETHUSDT"))
    outcomes = [r.outcome for r in result.results]
    assert outcomes == [Outcome.DONE] + [Outcome.NOT_ATTEMPTED] * 3
    assert result.banned_until == datetime(2030, 1, 1, tzinfo=UTC)
    assert "2030-01-01 00:00:00 UTC" in (result.stop_reason or "")
    assert "ocr-c-aaaaaa" not in fake.send_attempts
    assert "ocr-d-aaaaaa" not in fake.send_attempts


def test_rate_limited_request_waits_retry_after_then_continues() -> None:
    fake = FakeExchange()
    fake.script("place_oco", "ocr-a-aaaaaa", Fault.RATE_LIMITED)
    time = FakeTime()
    result = execute(
        Plan(changes=(create("a"),)),
        fake,
        RecordingReporter(),
        limits=LIMITS,
        clock=time.clock,
        sleep=time.sleep,
    )
    assert only(result).outcome is Outcome.DONE
    assert sum(time.slept) >= 7.0
    assert fake.placements("ocr-a-aaaaaa") == 1


def test_clock_skew_reaching_apply_is_not_resynced_a_second_time() -> None:
    """-1021 is the client's to re-sync (venues/retry.py); apply does not multiply it.

    The re-sync itself is covered end to end in tests/unit/venues/test_retry.py.
    """
    fake = FakeExchange()
    fake.script("place_oco", "ocr-a-aaaaaa", Fault.CLOCK)
    result = run(fake, create("a"))
    assert only(result).outcome is Outcome.FAILED
    assert only(result).code == -1021
    assert fake.calls.count(("server_time", None)) == 0
    assert fake.send_attempts["ocr-a-aaaaaa"] == 1


def test_placement_short_of_balance_is_retried_after_the_rest() -> None:
    fake = FakeExchange()
    fake.script("place_oco", "ocr-a-aaaaaa", Fault.NO_BALANCE)
    result = run(fake, create("a"), create("b"))
    assert [r.outcome for r in result.results] == [Outcome.DONE, Outcome.DONE]
    assert "released balance" in result.results[0].detail
    assert [e.list_client_order_id for e in fake.events] == ["ocr-b-aaaaaa", "ocr-a-aaaaaa"]


def test_a_plan_with_errors_applies_nothing() -> None:
    fake = FakeExchange()
    plan = Plan(changes=(create("a"),), problems=(PlanProblem("bracket.a", "bad"),))
    with pytest.raises(PlanError):
        execute(plan, fake, RecordingReporter(), limits=LIMITS)
    assert fake.calls == []


def test_noop_changes_are_not_executed() -> None:
    fake = FakeExchange()
    noop = Change(Action.NOOP, "bracket.z", "BTCUSDT", "up to date")
    result = run(fake, noop, create("a"))
    assert [r.change.address for r in result.results] == ["bracket.a"]


def test_pacing_spreads_placements_over_the_order_window() -> None:
    fake = FakeExchange()
    time = FakeTime()
    changes = tuple(create(f"p{i}") for i in range(120))
    result = execute(
        Plan(changes=changes),
        fake,
        RecordingReporter(),
        limits=LIMITS,
        clock=time.clock,
        sleep=time.sleep,
    )
    assert result.succeeded
    # 240 orders at 100 per 10 s window: two full waits
    assert 20.0 <= time.now < 21.0


def test_exchange_errors_never_escape_execute() -> None:
    class Broken(FakeExchange):
        def order_list(self, list_client_order_id: str) -> OrderList | None:
            raise ExchangeError("weird", status=400, code=-1099)

    result = run(Broken(), create("a"))
    assert only(result).outcome is Outcome.FAILED
    assert only(result).code == -1099


# --- reporting ---------------------------------------------------------------------------------


def test_line_reporter_and_text_render_show_every_outcome_with_code_and_message() -> None:
    import io

    from oco_reconcile.render.apply_report import LineReporter, render_text

    fake = FakeExchange()
    fake.script("place_oco", "ocr-b-aaaaaa", Fault.REJECT)
    fake.seed(oco("c"))
    stream = io.StringIO()
    result = run(fake, create("a"), create("b"), create("c"), reporter=LineReporter(stream))
    lines = stream.getvalue().splitlines()
    assert lines[0] == "Applying 3 changes..."
    assert "+ bracket.b (BTCUSDT): failed" in stream.getvalue()
    assert "[-2010 Order would trigger immediately.]" in stream.getvalue()
    assert lines[-1] == ("Apply: 1 done, 1 already done, 1 failed, 0 held, 0 not attempted.")
    text = render_text(replace(result, remaining=Plan(changes=(create("b"),))))
    assert "+ bracket.a (BTCUSDT): done - placed" in text
    assert "+ bracket.c (BTCUSDT): already done - the list is already open" in text
    assert "Not converged: 1 change remains:\n  + bracket.b (BTCUSDT): new" in text
    recap = render_text(replace(result, remaining=Plan(changes=())), progress_shown=True)
    assert recap.splitlines()[0] == "Not succeeded:"
    assert recap.splitlines()[1].startswith("+ bracket.b (BTCUSDT): failed")
    assert "bracket.a" not in recap
    assert recap.endswith("Converged: the exchange matches the desired state.")


def test_json_render_is_a_versioned_document_with_every_change() -> None:
    import json

    from oco_reconcile.render.apply_report import render_json

    fake = FakeExchange()
    fake.script("place_oco", "ocr-b-aaaaaa", Fault.BANNED)
    result = run(fake, create("a"), create("b"))
    document = json.loads(render_json(replace(result, remaining=Plan(changes=(create("b"),)))))
    assert document["format_version"] == 2
    assert document["kind"] == "oco-reconcile-apply"
    assert document["succeeded"] is False
    assert document["converged"] is False
    assert document["banned_until"] == "2030-01-01T00:00:00+00:00"
    assert document["summary"]["done"] == 1
    assert document["summary"]["not_attempted"] == 1
    assert not any(" " in key for key in document["summary"])
    assert [c["outcome"] for c in document["changes"]] == ["done", "not_attempted"]
    assert document["changes"][0]["list_client_order_id"] == "ocr-a-aaaaaa"
    assert document["remaining"] == [
        {"address": "bracket.b", "action": "create", "symbol": "BTCUSDT", "reason": "new"}
    ]


def test_live_reporter_renders_progress_and_results() -> None:
    import io

    from rich.console import Console

    from oco_reconcile.render.apply_report import LiveReporter

    stream = io.StringIO()
    fake = FakeExchange()
    result = run(fake, create("a"), reporter=LiveReporter(Console(file=stream, width=120)))
    assert result.succeeded
    output = stream.getvalue()
    assert "+ bracket.a (BTCUSDT): done - placed" in output
    assert "Apply: 1 done" in output
