"""Where ``watch`` writes: one line per record on stdout (text or JSON), and a status line.

The status line (connected venues, last event, next re-plan) is shown only when stderr is a
terminal, with rich's live display; when stdout is that same terminal the records are printed
above it. Off a terminal the output is plain lines only, flushed as they come (a log or a pipe
sees each one at once).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import IO

from oco_reconcile.apply.results import ApplyResult
from oco_reconcile.core.plan import Plan
from oco_reconcile.errors import ExchangeError
from oco_reconcile.render import watch_lines as lines
from oco_reconcile.watch.desired_files import Rejected, Reloaded
from oco_reconcile.watch.feeds import Arrived, Connected, Disconnected
from oco_reconcile.watch.loop import WatchStatus


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


class StatusLine:
    """rich's live display on stderr, transient: it disappears when watch stops."""

    def __init__(self) -> None:
        from rich.live import Live

        from oco_reconcile.commands.console import make_console

        shares_terminal = sys.stdout.isatty()
        self._live = Live(
            console=make_console(stderr=True),
            transient=True,
            auto_refresh=False,
            redirect_stdout=shares_terminal,
            redirect_stderr=False,
        )
        self._live.start()

    def show(self, text: str) -> None:
        from rich.text import Text

        self._live.update(Text(text, style="dim"), refresh=True)

    def close(self) -> None:
        self._live.stop()


class LineReport:
    """A :class:`~oco_reconcile.watch.loop.WatchReport` writing text or JSON lines."""

    def __init__(
        self,
        owner: str,
        *,
        as_json: bool,
        out: Callable[[], IO[str]] = lambda: sys.stdout,
        status: StatusLine | None = None,
        now_ms: Callable[[], int] = wall_ms,
    ) -> None:
        self._owner, self._json, self._out = owner, as_json, out
        self._status, self._now = status, now_ms

    def _emit(self, *texts: str) -> None:
        stream = self._out()
        for text in texts:
            stream.write(text + "\n")
        stream.flush()

    def arrived(self, item: Arrived) -> None:
        event, reaction = item.event, item.reaction
        if self._json:
            self._emit(lines.event_json(event, self._owner))
        else:
            self._emit(lines.event_line(event, self._owner))
        if reaction is not None:
            render = lines.orphan_json if self._json else lines.orphan_line
            self._emit(render(self._now(), reaction, self._owner))

    def connection(self, item: Connected | Disconnected) -> None:
        render = lines.connection_json if self._json else lines.connection_line
        self._emit(render(self._now(), item))

    def planned(self, plan: Plan, why: str, *, news: bool) -> None:
        if self._json:
            self._emit(lines.plan_json(self._now(), plan, why, news=news))
        elif news:  # the same drift again on the interval is not repeated
            self._emit(*lines.plan_lines(self._now(), plan, why))

    def applied(self, result: ApplyResult, plan: Plan) -> None:
        if self._json:
            self._emit(lines.apply_json(self._now(), result, plan))
        else:
            self._emit(*lines.apply_lines(self._now(), result))

    def failed(self, what: str, error: ExchangeError, retry_in_s: float) -> None:
        render = lines.failure_json if self._json else lines.failure_line
        self._emit(render(self._now(), what, str(error), retry_in_s))

    def reloaded(self, item: Reloaded | Rejected) -> None:
        if self._json:
            self._emit(lines.reload_json(self._now(), item))
        else:
            self._emit(*lines.reload_lines(self._now(), item))

    def status(self, status: WatchStatus) -> None:
        if self._status is not None:
            self._status.show(lines.status_text(status))
