"""watch/loop.py: what makes the loop re-plan, what it reports, when it applies, when it stops."""

from __future__ import annotations

import queue
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from oco_reconcile.apply.results import ApplyResult
from oco_reconcile.apply.stop import StopToken
from oco_reconcile.core.events import EventKind, StreamEvent
from oco_reconcile.core.plan import Action, Change, Plan
from oco_reconcile.core.usdm.model import Market
from oco_reconcile.errors import ExchangeError, UnauthorizedError
from oco_reconcile.inputs.desired import LoadedInputs
from oco_reconcile.watch.desired_files import DesiredFiles, Rejected, Reloaded
from oco_reconcile.watch.feeds import Arrived, Connected, Disconnected, Fatal, FeedItem
from oco_reconcile.watch.loop import Watcher, WatchOptions, WatchStatus

BRACKET = """\
brackets:
  - name: btc-core-exit
    symbol: BTCUSDT
    side: SELL
    quantity: "0.05"
    take_profit: {price: "125000"}
    stop_loss: {stop_price: "98000", price: "97900"}
"""
CHANGE = Change(Action.CREATE, "bracket.btc-core-exit", "BTCUSDT", "missing")


def event(kind: EventKind = EventKind.FILLED) -> StreamEvent:
    return StreamEvent(Market.SPOT, kind, 1, symbol="BTCUSDT", client_id="x")


@dataclass
class Reconciler:
    plans: list[Plan]
    planned: list[int] = field(default_factory=list)
    applied: list[Plan] = field(default_factory=list)
    failures: int = 0
    then: list[Callable[[], None]] = field(default_factory=list)  # one per re-plan, in turn

    def plan(self, inputs: LoadedInputs) -> Plan:
        self.planned.append(len(inputs.brackets))
        if self.then:
            self.then.pop(0)()
        if self.failures:
            self.failures -= 1
            raise ExchangeError("timed out")
        return self.plans.pop(0) if len(self.plans) > 1 else self.plans[0]

    def apply(self, plan: Plan, inputs: LoadedInputs) -> ApplyResult:
        self.applied.append(plan)
        return ApplyResult(results=(), remaining=Plan(changes=()))


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)

    def arrived(self, item: Arrived) -> None:
        self.lines.append(f"event {item.event.kind.value}")

    def connection(self, item: Connected | Disconnected) -> None:
        self.lines.append(type(item).__name__)

    def planned(self, plan: Plan, why: str, *, news: bool) -> None:
        self.lines.append(f"plan {len(plan.actionable)} {why} news={news}")

    def applied(self, result: ApplyResult, plan: Plan) -> None:
        self.lines.append("applied")

    def failed(self, what: str, error: ExchangeError, retry_in_s: float) -> None:
        self.lines.append(f"failed {what} retry {retry_in_s:g}")

    def reloaded(self, item: Reloaded | Rejected) -> None:
        self.lines.append(type(item).__name__)

    def status(self, status: WatchStatus) -> None:
        pass


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DesiredFiles:
    (tmp_path / "brackets").mkdir()
    (tmp_path / "brackets" / "btc.yaml").write_text(BRACKET, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return DesiredFiles([])


def watch(
    files: DesiredFiles,
    reconciler: Reconciler,
    items: list[FeedItem],
    feed: queue.Queue[FeedItem] | None = None,
    stop: StopToken | None = None,
    **options: object,
) -> Report:
    feed = queue.Queue() if feed is None else feed
    for item in items:
        feed.put(item)
    report = Report()
    settings = WatchOptions(tick_s=0.001, files_every_s=0.0, **options)  # type: ignore[arg-type]
    token = StopToken() if stop is None else stop
    Watcher(files, reconciler, report, feed, token, frozenset({Market.SPOT}), settings).run()
    return report


def test_events_are_reported_then_planned_once_per_burst(files: DesiredFiles) -> None:
    reconciler = Reconciler([Plan(changes=())])
    items: list[FeedItem] = [Connected(Market.SPOT, again=False), Arrived(event(), 0.0)]
    items.append(Arrived(event(EventKind.PLACED), 0.0))
    report = watch(files, reconciler, items, max_events=2)
    assert report.lines == [
        "Connected",
        "event filled",
        "event placed",
        "plan 0 start news=True",
    ]
    assert reconciler.planned == [1]  # the burst and the start are one re-plan


def test_a_reconnect_re_plans_and_the_same_drift_is_not_news(files: DesiredFiles) -> None:
    feed: queue.Queue[FeedItem] = queue.Queue()
    lost_and_back: list[FeedItem] = [
        Disconnected(Market.SPOT, "closed", 0.0),
        Connected(Market.SPOT, again=True),
    ]

    def reconnect() -> None:
        for item in lost_and_back:
            feed.put(item)

    def one_event() -> None:
        feed.put(Arrived(event(), 0.0))

    reconciler = Reconciler([Plan(changes=(CHANGE,))], then=[reconnect, one_event])
    report = watch(files, reconciler, [], feed, max_events=1)
    assert report.lines == [
        "plan 1 start news=True",
        "Disconnected",
        "Connected",
        "plan 1 after a reconnect news=False",
        "event filled",
        "plan 1 after an event news=False",
    ]


def test_apply_runs_only_with_apply_and_never_for_a_plan_with_errors(
    files: DesiredFiles,
) -> None:
    drift = Plan(changes=(CHANGE,))
    quiet = Reconciler([drift])
    watch(files, quiet, [Arrived(event(), 0.0)], max_events=1)
    assert quiet.applied == []
    healing = Reconciler([drift])
    report = watch(files, healing, [Arrived(event(), 0.0)], max_events=1, apply=True)
    assert healing.applied == [drift]
    assert "applied" in report.lines


def test_a_failed_re_plan_is_reported_and_retried_with_a_growing_delay(
    files: DesiredFiles,
) -> None:
    stop = StopToken()
    reconciler = Reconciler([Plan(changes=())], failures=2)
    reconciler.then = [lambda: None, lambda: None, lambda: stop.stop("test")]
    report = watch(files, reconciler, [], stop=stop, retry_s=0.01, interval_s=60.0)
    assert report.lines == [
        "failed re-plan retry 0.01",
        "failed re-plan retry 0.02",
        "plan 0 on the interval news=True",
    ]


def test_a_fatal_feed_item_stops_the_loop_with_its_error(files: DesiredFiles) -> None:
    refused = UnauthorizedError("the Spot user data subscription was refused: bad key")
    with pytest.raises(UnauthorizedError):
        watch(files, Reconciler([Plan(changes=())]), [Fatal(Market.SPOT, refused)])


def test_a_broken_edit_keeps_the_last_good_brackets_and_a_good_one_replaces_them(
    files: DesiredFiles, tmp_path: Path
) -> None:
    bracket_file = tmp_path / "brackets" / "btc.yaml"
    bracket_file.write_text(BRACKET.replace('"0.05"', "lots"), encoding="utf-8")
    change = files.look()
    assert isinstance(change, Rejected)
    assert any("quantity" in str(problem) for problem in change.problems)
    assert len(files.current.brackets) == 1
    second = BRACKET.replace("btc-core-exit", "btc-two").split("brackets:\n")[1]
    bracket_file.write_text(BRACKET + second, encoding="utf-8")
    accepted = files.look()
    assert isinstance(accepted, Reloaded)
    assert [bracket.name for bracket in files.current.brackets] == ["btc-core-exit", "btc-two"]
    assert files.look() is None
