"""One thread per venue that keeps its user data stream open and hands what happens to the loop.

A feed opens its stream (``venues/user_streams.py``), passes every event first to the fast path
(the orphan cancel, in this thread, before anything is queued: the cancel must not wait behind a
re-plan) and then to the sink, and reconnects when the stream ends: after a failure with
jittered exponential backoff, after ``eventStreamTerminated`` / ``listenKeyExpired`` at once.
Binance closes a connection after 24 h (binance-api.md §11.1), so a feed renews it before that;
a futures listen key expires 60 minutes after the last keepalive (§11.2), so the futures feed
sends one every 30 minutes. Each (re)connection is reported: events sent while disconnected are
lost, and the loop re-plans over REST rather than assume there were none. Pings are answered by
the WebSocket library.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from oco_reconcile.core.events import EventKind, StreamEvent
from oco_reconcile.core.usdm.model import Market
from oco_reconcile.errors import ExchangeError, UnauthorizedError
from oco_reconcile.watch.fast_path import OrphanCancelled

DAY_S = 24 * 3600.0


class Stream(Protocol):
    """An open user data stream (``SpotUserStream``, ``FuturesUserStream``, or a test's)."""

    def events(self, timeout: float | None = None) -> Iterator[StreamEvent]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Connected:
    market: Market
    again: bool  # a reconnect: events may have been missed meanwhile


@dataclass(frozen=True)
class Disconnected:
    market: Market
    reason: str
    retry_in_s: float


@dataclass(frozen=True)
class Arrived:
    """One event, with what the fast path did about it (None: nothing to do)."""

    event: StreamEvent
    arrived_s: float  # the feed's clock when the event was read
    reaction: OrphanCancelled | None = None


@dataclass(frozen=True)
class Fatal:
    """A stream that cannot work (the key was refused): watch stops with this error."""

    market: Market
    error: ExchangeError


FeedItem = Connected | Disconnected | Arrived | Fatal


@dataclass(frozen=True)
class FeedTiming:
    tick_s: float = 0.25  # how long a quiet connection waits before looking at the clock
    renew_after_s: float = DAY_S - 30 * 60.0  # well before the 24 h close
    keepalive_every_s: float = 30 * 60.0  # futures: the key expires 60 min after the last one
    backoff_base_s: float = 0.5
    backoff_cap_s: float = 30.0


class Backoff:
    """Exponential backoff with jitter: each delay is drawn from [d/2, d] with d doubling from
    ``base_s`` up to ``cap_s``, so many watchers cut off at once do not reconnect in step."""

    def __init__(
        self, base_s: float, cap_s: float, draw: Callable[[], float] = random.random
    ) -> None:
        self._base_s = base_s
        self._cap_s = cap_s
        self._draw = draw
        self._failures = 0

    def next_delay(self) -> float:
        ceiling = min(self._cap_s, math.ldexp(self._base_s, self._failures))
        self._failures = min(self._failures + 1, 32)
        return ceiling / 2 + ceiling / 2 * self._draw()

    def reset(self) -> None:
        self._failures = 0


@dataclass(frozen=True)
class FeedHooks:
    """What a feed calls: the fast path for each event, and the futures keepalive (None for
    Spot)."""

    react: Callable[[StreamEvent], OrphanCancelled | None] = lambda _event: None
    keepalive: Callable[[], None] | None = None


class Feed(threading.Thread):
    """Keeps one venue's stream open until ``stop`` is set; everything goes to ``sink``."""

    def __init__(  # noqa: PLR0917 - the feed's collaborators, all injected
        self,
        market: Market,
        open_stream: Callable[[], Stream],
        sink: Callable[[FeedItem], None],
        stop: threading.Event,
        hooks: FeedHooks = FeedHooks(),
        timing: FeedTiming = FeedTiming(),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(name=f"watch-{market.value}", daemon=True)
        self.market = market
        self._open, self._sink, self._halt = open_stream, sink, stop
        self._hooks, self._timing, self._clock = hooks, timing, clock
        self._backoff = Backoff(timing.backoff_base_s, timing.backoff_cap_s)

    def run(self) -> None:
        again = False
        while not self._halt.is_set():
            stream = self._connect()
            if stream is None:
                continue
            self._backoff.reset()
            self._sink(Connected(self.market, again))
            again = True
            try:
                ended = self._pump(stream)
            finally:
                stream.close()
            if ended is not None:
                self._lost(ended)

    def _connect(self) -> Stream | None:
        try:
            return self._open()
        except UnauthorizedError as error:
            self._sink(Fatal(self.market, error))
            self._halt.set()
        except ExchangeError as error:
            self._lost(_Ended(str(error), delay=True))
        return None

    def _lost(self, ended: _Ended) -> None:
        wait = self._backoff.next_delay() if ended.delay else 0.0
        self._sink(Disconnected(self.market, ended.reason, wait))
        if wait:
            self._halt.wait(wait)

    def _pump(self, stream: Stream) -> _Ended | None:
        """Reads until the stream ends, renewal is due or ``stop`` is set (None)."""
        schedule = _Schedule(self._clock(), self._timing)
        while not self._halt.is_set():
            try:
                for event in stream.events(self._timing.tick_s):
                    self._deliver(event)
                    if event.kind is EventKind.STREAM_ENDED:
                        return _Ended(f"the exchange ended the stream ({event.detail})", False)
                    due = self._due(schedule)
                    if due is not None or self._halt.is_set():
                        return due
            except TimeoutError:
                pass
            except ExchangeError as error:  # StreamClosedError, or an unreadable event
                return _Ended(str(error), delay=True)
            due = self._due(schedule)
            if due is not None:
                return due
        return None

    def _deliver(self, event: StreamEvent) -> None:
        arrived = self._clock()
        self._sink(Arrived(event, arrived, self._hooks.react(event)))

    def _due(self, schedule: _Schedule) -> _Ended | None:
        now = self._clock()
        if schedule.renewal_due(now):
            return _Ended("renewing the connection before its 24 h limit", delay=False)
        keepalive = self._hooks.keepalive
        if keepalive is not None and schedule.keepalive_due(now):
            try:
                keepalive()
            except ExchangeError as error:
                return _Ended(f"the listen key keepalive failed ({error})", delay=True)
        return None


@dataclass(frozen=True)
class _Ended:
    reason: str
    delay: bool  # wait (backoff) before reconnecting


class _Schedule:
    """When a connection must be renewed and its listen key kept alive."""

    def __init__(self, connected_at: float, timing: FeedTiming) -> None:
        self._renew_at = connected_at + timing.renew_after_s
        self._every = timing.keepalive_every_s
        self._next_keepalive = connected_at + self._every

    def renewal_due(self, now: float) -> bool:
        return now >= self._renew_at

    def keepalive_due(self, now: float) -> bool:
        if now < self._next_keepalive:
            return False
        self._next_keepalive = now + self._every
        return True
