"""One injected clock for everything under test that reads the time or sleeps.

Time only moves when a test moves it (``advance``) or when the code under test sleeps: ``sleep``
advances the clock at once, is recorded in ``slept`` and never waits for real. The same instance can
drive code that wants seconds (the pacer, the Binance client: ``clock``) and code that wants
milliseconds (the simulator's engine: ``clock_ms``), so one timeline serves all of them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class FakeTime:
    """Seconds since the epoch in ``now``; thread-safe (the apply engine sleeps from workers)."""

    now: float = 0.0
    slept: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def clock(self) -> float:
        with self.lock:
            return self.now

    def clock_ms(self) -> int:
        # round, not int(): a float sum such as 1_780_000_000.005 must read as ...005 ms, not ...004
        return round(self.clock() * 1000)

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.slept.append(seconds)
            self.now += max(seconds, 0.0)  # like a real clock, a sleep never runs time backwards

    def advance(self, seconds: float) -> None:
        """Time passes without the code under test sleeping (not recorded in ``slept``)."""
        with self.lock:
            self.now += seconds
