"""The stop token: how an interrupt (SIGINT, SIGTERM) reaches a running apply.

The command edge (``commands/interrupts.py``) sets it from its signal handlers; the executor
starts no new change or request once it is set, and the pacer wakes from its waits on it. A
replace whose cancel was sent is finished regardless (its placement is *committed*), so an
interrupt never leaves a position unprotected. While such a replace runs, its bracket is
registered as exposed, so a second signal that exits at once can name what it leaves behind.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class StoppedError(Exception):
    """The run must stop (ban, exhausted budget, interrupt); nothing more may be sent."""


class StopToken:
    """A thread-safe, set-once stop request with its reason, plus the currently exposed brackets."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._reason: str | None = None
        self._exposed: dict[str, int] = {}

    def stop(self, reason: str) -> None:
        """Ask the run to stop; the first reason given is kept."""
        with self._lock:
            if self._reason is None:
                self._reason = reason
        self._event.set()

    @property
    def is_set(self) -> bool:
        return self._event.is_set()

    @property
    def reason(self) -> str | None:
        with self._lock:
            return self._reason

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``, waking early when stopped; True when stopped."""
        return self._event.wait(max(seconds, 0.0))

    def check(self) -> None:
        """Raise :class:`StoppedError` when stopped."""
        if self.is_set:
            raise StoppedError(self.reason or "stopped")

    @contextmanager
    def exposed(self, bracket: str) -> Iterator[None]:
        """``bracket`` may be unprotected while the block runs (its old list's cancel is sent)."""
        with self._lock:
            self._exposed[bracket] = self._exposed.get(bracket, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                left = self._exposed.pop(bracket) - 1
                if left > 0:
                    self._exposed[bracket] = left

    def unprotected(self) -> tuple[str, ...]:
        """The brackets whose old list may be cancelled while the new one is not placed yet."""
        with self._lock:
            return tuple(sorted(self._exposed))
