"""The ``watch`` command's wiring: venues, user data streams, the loop, signals.

``watch`` reads the same inputs as ``plan`` (PATHs select), connects the same venues, and adds
one stream feed per venue it reads: Spot always (the Spot WebSocket API subscription), futures
when the run reads ``usdm``. With ``exchange: sim`` the simulated account's streams are served
in this process on a free loopback port (the simulator's own stream server over the shared state
file, so ``sim price`` from another terminal is seen within its 100 ms poll); a loopback
``--base-url`` (``sim serve``) has its streams on the next port; a named exchange has its
documented hosts; anything else needs ``--stream-url``.

``--apply`` applies under every rule ``apply`` follows: a plan with errors applies nothing,
``protect`` and the guardrails are the planner's, production needs ``confirm_production: true``
(``--apply`` itself is the approval: there is nobody to ask). SIGINT / SIGTERM stop the loop;
a change already sending finishes (the executor's stop rules); the exit code is 130 / 143.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import typer

from oco_reconcile.apply.orphans import OrphanClaims
from oco_reconcile.apply.results import ApplyResult
from oco_reconcile.apply.stop import StopToken
from oco_reconcile.commands.apply import (
    execute_on,
    plan_now,
    targets_production,
    with_remaining,
)
from oco_reconcile.commands.interrupts import stop_on_signals
from oco_reconcile.commands.venues import Venues, open_venues, read_state
from oco_reconcile.commands.watch_output import LineReport, StatusLine
from oco_reconcile.core.desired import Desired
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.plan import Plan
from oco_reconcile.core.selection import Selection
from oco_reconcile.core.settings import Settings
from oco_reconcile.core.usdm.model import Market
from oco_reconcile.errors import EXIT_OK, BugError, UsageError
from oco_reconcile.inputs.desired import LoadedInputs
from oco_reconcile.render.apply_report import LineReporter, SilentReporter
from oco_reconcile.venues.protocol import Exchange
from oco_reconcile.venues.urls import StreamUrls, resolve_stream_urls
from oco_reconcile.venues.usdm.protocol import FuturesStreamKeys
from oco_reconcile.watch.claims import cancels_of, without_cancels
from oco_reconcile.watch.desired_files import DesiredFiles
from oco_reconcile.watch.fast_path import OrphanFastPath
from oco_reconcile.watch.feeds import Feed, FeedHooks, FeedItem, FeedTiming
from oco_reconcile.watch.loop import Watcher, WatchOptions

FEED_JOIN_S = 5.0


@dataclass(frozen=True)
class WatchCommand:
    paths: Sequence[Path]
    apply: bool = False
    interval_s: float = 60.0
    output_format: str = "text"
    base_url: str | None = None
    stream_url: str | None = None
    max_events: int | None = None


def check_options(command: WatchCommand, settings: Settings) -> None:
    if command.output_format not in ("text", "json"):
        raise UsageError(f"unknown --format {command.output_format!r}: use text or json")
    if not command.interval_s > 0:
        raise UsageError("--interval must be a positive number of seconds")
    if command.max_events is not None and command.max_events < 1:
        raise UsageError("--max-events must be at least 1")
    production = targets_production(settings, command.base_url)
    if command.apply and production and not settings.confirm_production:
        raise UsageError(
            "watch --apply against production needs `confirm_production: true` in the settings file"
        )


class RestReconciler:
    """The loop's REST half: read both venues and plan; apply through the executor. Orphan
    cancels the fast path holds are left out of both (``watch/claims.py``)."""

    def __init__(
        self, venues: Venues, stop: StopToken, claims: OrphanClaims, *, as_json: bool
    ) -> None:
        self._venues, self._stop, self._claims, self._json = venues, stop, claims, as_json
        self._live: LiveState | None = None

    def plan(self, inputs: LoadedInputs) -> Plan:
        desired = _desired(inputs)
        self._live = read_state(self._venues, desired, inputs.settings)
        plan = plan_now(desired, self._live, inputs.settings, _selection(inputs))
        return without_cancels(plan, lambda algo_id: not self._claims.held(algo_id))

    def apply(self, plan: Plan, inputs: LoadedInputs) -> ApplyResult:
        live, venues, settings = self._live, self._venues, inputs.settings
        if live is None:
            raise BugError("watch tried to apply before planning")
        reporter = SilentReporter() if self._json else LineReporter(sys.stdout)
        claimed: list[str] = []
        succeeded: set[str] = set()
        try:
            mine = without_cancels(plan, lambda algo_id: self._claim(algo_id, claimed))
            result = execute_on(mine, venues, live, settings, reporter, self._stop)
            succeeded = {i for r in result.results if r.succeeded for i in cancels_of(r.change)}
        finally:
            for algo_id in claimed:
                self._claims.settle(algo_id, succeeded=algo_id in succeeded)
        if self._stop.is_set:
            return result
        return with_remaining(result, venues, _desired(inputs), settings, _selection(inputs))

    def _claim(self, algo_id: str, claimed: list[str]) -> bool:
        won = self._claims.claim(algo_id)
        if won:
            claimed.append(algo_id)
        return won


def _desired(inputs: LoadedInputs) -> Desired:
    return Desired(inputs.brackets, inputs.futures)


def _selection(inputs: LoadedInputs) -> Selection:
    """watch selects like ``plan`` with PATHs and no ``--target``."""
    return Selection.of(inputs.outside, None)


def run_watch(command: WatchCommand) -> int:
    """The whole command; returns the exit code (errors raise into the CLI's one handler)."""
    files = DesiredFiles(list(command.paths))
    inputs = files.current
    settings = inputs.settings
    check_options(command, settings)
    token = StopToken()
    as_json = command.output_format == "json"
    with ExitStack() as stack:
        venues, urls = _connect(stack, command, settings, _desired(inputs))
        items: queue.Queue[FeedItem] = queue.Queue()
        markets = frozenset({Market.SPOT} | ({Market.USDM} if venues.futures else set()))
        claims = OrphanClaims()
        stack.enter_context(_feeds(venues, urls, settings, token, items, claims=claims))
        status = stack.enter_context(_status_line())
        report = LineReport(settings.owner, as_json=as_json, status=status)
        options = WatchOptions(
            interval_s=command.interval_s, apply=command.apply, max_events=command.max_events
        )
        reconciler = RestReconciler(venues, token, claims, as_json=as_json)
        watcher = Watcher(files, reconciler, report, items, token, markets, options)
        interrupts = stack.enter_context(stop_on_signals(token))
        watcher.run()
    if interrupts.exit_code is not None:
        typer.echo(f"Stopped watching ({token.reason}).", err=True)
        return interrupts.exit_code
    return EXIT_OK


def _connect(
    stack: ExitStack, command: WatchCommand, settings: Settings, desired: Desired
) -> tuple[Venues, StreamUrls]:
    if command.base_url is None and settings.exchange == "sim":
        return _connect_sim(stack, settings, desired)
    urls = resolve_stream_urls(command.base_url or settings.exchange, command.stream_url)
    venues = stack.enter_context(open_venues(settings, desired, base_url=command.base_url))
    return venues, urls


def _connect_sim(
    stack: ExitStack, settings: Settings, desired: Desired
) -> tuple[Venues, StreamUrls]:
    """``exchange: sim``: the REST clients and the streams over one in-process simulator."""
    from oco_reconcile.sim.exchange import open_sim
    from oco_reconcile.sim.streams.server import start_streams
    from oco_reconcile.venues.connect import sim_state_path

    sim = open_sim(sim_state_path(settings))
    streams = start_streams(sim.app)
    stack.callback(streams.stop)
    venues = stack.enter_context(open_venues(settings, desired, transport=sim.transport()))
    return venues, resolve_stream_urls("sim", streams.url)


@contextmanager
def _feeds(
    venues: Venues,
    urls: StreamUrls,
    settings: Settings,
    token: StopToken,
    items: queue.Queue[FeedItem],
    *,
    claims: OrphanClaims,
) -> Iterator[list[Feed]]:
    from oco_reconcile.venues.connect import stream_credentials
    from oco_reconcile.venues.user_streams import FuturesUserStream, SpotUserStream

    stop = threading.Event()
    credentials = stream_credentials(settings)
    spot = venues.spot

    def open_spot() -> SpotUserStream:
        return SpotUserStream(urls.spot, credentials, _server_ms(spot), settings.recv_window_ms)

    feeds = [Feed(Market.SPOT, open_spot, items.put, stop)]
    futures, futures_reads = venues.futures, venues.futures_reads
    if futures is not None and futures_reads is not None:
        if not isinstance(futures, FuturesStreamKeys):
            raise BugError("the futures client cannot open a user data stream")
        pacer = futures_reads.pacer
        fast_path = OrphanFastPath(futures, pacer, settings.owner, token, claims=claims)

        def open_futures() -> FuturesUserStream:
            return FuturesUserStream(urls.futures, futures.start_user_stream())

        hooks = FeedHooks(react=fast_path, keepalive=futures.keepalive_user_stream)
        feeds.append(Feed(Market.USDM, open_futures, items.put, stop, hooks, FeedTiming()))
    for feed in feeds:
        feed.start()
    try:
        yield feeds
    finally:
        stop.set()
        for feed in feeds:
            feed.join(FEED_JOIN_S)


def _server_ms(spot: Exchange) -> int:
    """Now on the exchange's clock (one ``GET /api/v3/time`` per connection), to sign the
    subscription: the answer's time is taken to be the request's midpoint."""
    before = time.time()
    server = spot.server_time()
    after = time.time()
    return server + int((time.time() - (before + after) / 2) * 1000)


@contextmanager
def _status_line() -> Iterator[StatusLine | None]:
    if not sys.stderr.isatty():
        yield None
        return
    line = StatusLine()
    try:
        yield line
    finally:
        line.close()
