"""The one fake clock: seconds and milliseconds on one timeline, sleeps recorded, never real."""

from __future__ import annotations

import time

from tests.support.fake_time import FakeTime


def test_sleep_advances_and_is_recorded_without_waiting() -> None:
    fake = FakeTime(100.0)
    started = time.monotonic()
    fake.sleep(3600)
    assert time.monotonic() - started < 1
    assert (fake.clock(), fake.slept) == (3700.0, [3600])


def test_advance_moves_time_without_a_sleep() -> None:
    fake = FakeTime(1_780_000_000.0)
    fake.advance(0.005)
    assert fake.clock_ms() == 1_780_000_000_005  # rounded, not truncated to ...004
    assert fake.slept == []


def test_a_negative_sleep_never_runs_time_backwards() -> None:
    fake = FakeTime(10.0)
    fake.sleep(-1.0)
    assert (fake.clock(), fake.slept) == (10.0, [-1.0])
