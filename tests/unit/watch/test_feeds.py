"""watch/feeds.py: a feed reports connections, hands events to the fast path before the loop,
reconnects with backoff after a failure, at once after the exchange ends the stream, renews the
connection before 24 h and keeps a futures listen key alive."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator

from oco_reconcile.core.events import EventKind, StreamEvent
from oco_reconcile.core.usdm.model import Market
from oco_reconcile.errors import UnauthorizedError
from oco_reconcile.venues.user_streams import StreamClosedError
from oco_reconcile.watch.feeds import (
    Arrived,
    Backoff,
    Connected,
    Disconnected,
    Fatal,
    Feed,
    FeedHooks,
    FeedItem,
    FeedTiming,
)

FAST = FeedTiming(tick_s=0.01, backoff_base_s=0.01, backoff_cap_s=0.02)


def event(kind: EventKind = EventKind.FILLED) -> StreamEvent:
    return StreamEvent(Market.USDM, kind, 1, symbol="BTCUSDT", client_id="ocr-a-1a2b3c-sl")


class ScriptedStream:
    """Yields its events, then ends as ``end`` says: raise it, or stay quiet (time out)."""

    def __init__(self, events: list[StreamEvent], end: Exception | None = None) -> None:
        self._events, self._end = list(events), end
        self.closed = False

    def events(self, timeout: float | None = None) -> Iterator[StreamEvent]:
        while self._events:
            yield self._events.pop(0)
        if self._end is not None:
            raise self._end
        threading.Event().wait(timeout or 0)
        raise TimeoutError

    def close(self) -> None:
        self.closed = True


def run_feed(
    streams: list[ScriptedStream | Exception],
    until: Callable[[list[FeedItem]], bool],
    hooks: FeedHooks = FeedHooks(),  # noqa: B008
    timing: FeedTiming = FAST,
    clock: Callable[[], float] | None = None,
) -> list[FeedItem]:
    items: queue.Queue[FeedItem] = queue.Queue()
    stop = threading.Event()
    opened = iter(streams)

    def open_stream() -> ScriptedStream:
        nxt = next(opened, None)
        if nxt is None:
            return ScriptedStream([])
        if isinstance(nxt, Exception):
            raise nxt
        return nxt

    kwargs = {} if clock is None else {"clock": clock}
    feed = Feed(Market.USDM, open_stream, items.put, stop, hooks, timing, **kwargs)
    feed.start()
    seen: list[FeedItem] = []
    try:
        while not until(seen):
            seen.append(items.get(timeout=5))
    finally:
        stop.set()
        feed.join(5)
    assert not feed.is_alive()
    return seen


def kinds(items: list[FeedItem]) -> list[str]:
    return [type(item).__name__ for item in items]


def test_events_follow_the_connection_and_the_fast_path_sees_them_first() -> None:
    reacted: list[StreamEvent] = []

    def react(seen: StreamEvent) -> None:
        reacted.append(seen)

    items = run_feed(
        [ScriptedStream([event(), event(EventKind.PLACED)])],
        lambda seen: len(seen) >= 3,
        FeedHooks(react=react),
    )
    assert kinds(items) == ["Connected", "Arrived", "Arrived"]
    assert isinstance(items[0], Connected)
    assert not items[0].again
    assert [item.event.kind for item in items[1:] if isinstance(item, Arrived)] == [
        EventKind.FILLED,
        EventKind.PLACED,
    ]
    assert len(reacted) == 2


def test_a_dropped_stream_is_reported_and_reconnected_with_a_delay() -> None:
    first = ScriptedStream([event()], StreamClosedError("futures user data stream closed (1006)"))
    items = run_feed([first, ScriptedStream([])], lambda seen: len(seen) >= 4)
    assert kinds(items) == ["Connected", "Arrived", "Disconnected", "Connected"]
    lost = items[2]
    assert isinstance(lost, Disconnected)
    assert "closed (1006)" in lost.reason
    assert lost.retry_in_s > 0
    again = items[3]
    assert isinstance(again, Connected)
    assert again.again
    assert first.closed


def test_the_exchange_ending_the_stream_reconnects_at_once() -> None:
    ended = ScriptedStream([event(EventKind.STREAM_ENDED)])
    items = run_feed([ended, ScriptedStream([])], lambda seen: len(seen) >= 4)
    assert kinds(items) == ["Connected", "Arrived", "Disconnected", "Connected"]
    lost = items[2]
    assert isinstance(lost, Disconnected)
    assert lost.retry_in_s == 0


def test_a_failed_open_is_retried_and_a_refused_key_is_fatal() -> None:
    retried = run_feed(
        [StreamClosedError("cannot connect"), ScriptedStream([])], lambda seen: len(seen) >= 2
    )
    assert kinds(retried) == ["Disconnected", "Connected"]
    refused = run_feed(
        [UnauthorizedError("the Spot user data subscription was refused")],
        lambda seen: len(seen) >= 1,
    )
    assert isinstance(refused[0], Fatal)


def test_the_connection_is_renewed_before_24_hours_and_the_key_kept_alive() -> None:
    now = [0.0]

    def clock() -> float:
        now[0] += 600.0  # ten minutes per look
        return now[0]

    keepalives: list[float] = []
    timing = FeedTiming(tick_s=0.001, renew_after_s=3 * 3600.0, keepalive_every_s=1800.0)
    items = run_feed(
        [ScriptedStream([]), ScriptedStream([])],
        lambda seen: len(seen) >= 3,
        FeedHooks(keepalive=lambda: keepalives.append(now[0])),
        timing,
        clock,
    )
    assert kinds(items) == ["Connected", "Disconnected", "Connected"]
    renewed = items[1]
    assert isinstance(renewed, Disconnected)
    assert "24 h" in renewed.reason
    assert renewed.retry_in_s == 0
    assert 4 <= len(keepalives) <= 6  # every 30 minutes of a 3 h connection


def test_backoff_grows_with_jitter_up_to_its_cap_and_resets() -> None:
    draws = iter([0.0, 1.0, 0.0, 1.0, 1.0, 1.0])
    backoff = Backoff(0.5, 3.0, lambda: next(draws))
    delays = [backoff.next_delay() for _ in range(5)]
    assert delays == [0.25, 1.0, 1.0, 3.0, 3.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5
