"""The signal edge of ``apply``: SIGINT and SIGTERM become a stop request, not a sudden exit.

While :func:`stop_on_signals` is active, the first SIGINT or SIGTERM (what CI sends when a job is
cancelled) sets the run's :class:`StopToken`: nothing new starts, a replace whose cancel was sent
still places its new list, and the command prints its summary and exits 128 + the signal number
(130, 143). A second signal exits at once, naming every bracket whose old list may be cancelled
while its new one is not placed. The previous handlers are restored afterwards.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from types import FrameType

from oco_reconcile.apply.stop import StopToken

SIGNALS = (signal.SIGINT, signal.SIGTERM)
SIGNAL_EXIT_BASE = 128  # the shell's convention: killed by signal N exits 128 + N


@dataclass
class Interrupts:
    """What the handlers saw: the first signal's number (None: none arrived)."""

    token: StopToken
    signum: int | None = None

    @property
    def exit_code(self) -> int | None:
        return None if self.signum is None else SIGNAL_EXIT_BASE + self.signum

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.signum is not None:
            _exit_now(signum, self.token.unprotected())
        self.signum = signum
        name = signal.Signals(signum).name
        self.token.stop(f"interrupted by {name}")
        _say(
            f"{name}: starting nothing new; finishing the replaces already under way "
            "(send it again to exit at once)."
        )


def _say(line: str) -> None:
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, RuntimeError, ValueError):  # a closed or busy stream must not crash here
        pass


def _exit_now(signum: int, unprotected: tuple[str, ...]) -> None:
    if unprotected:
        _say(
            "Interrupted again: exiting at once. Possibly unprotected (old list cancelled, new "
            f"list not placed yet): {', '.join(unprotected)}. Run apply again to finish."
        )
    else:
        _say("Interrupted again: exiting at once. No bracket was left unprotected.")
    with suppress(OSError, RuntimeError, ValueError):
        sys.stdout.flush()
    os._exit(SIGNAL_EXIT_BASE + signum)


Handler = Callable[[int, FrameType | None], object] | int | None


@contextmanager
def stop_on_signals(token: StopToken) -> Iterator[Interrupts]:
    """SIGINT / SIGTERM set ``token`` while the block runs (main thread only; elsewhere no-op)."""
    seen = Interrupts(token)
    previous: dict[signal.Signals, Handler] = {}
    try:
        for number in SIGNALS:
            previous[number] = signal.signal(number, seen.handle)
    except ValueError:  # not the main thread: signals cannot be caught here
        pass
    try:
        yield seen
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
