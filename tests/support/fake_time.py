"""An injected clock and sleep for code that paces itself: sleeping advances the clock, is
recorded, and never waits for real."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class FakeTime:
    now: float = 0.0
    slept: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def clock(self) -> float:
        with self.lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.slept.append(seconds)
            self.now += seconds
