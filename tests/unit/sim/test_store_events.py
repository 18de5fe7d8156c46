"""A state file keeps the recent end of the event log, newest last, and round-trips it."""

from __future__ import annotations

from pathlib import Path

from oco_reconcile.sim.engine.records import Event
from oco_reconcile.sim.engine.store import MAX_PERSISTED_EVENTS, StateFile, seeded_state


def test_state_file_keeps_only_the_newest_events(tmp_path: Path) -> None:
    state = seeded_state(1_700_000_000_000)
    total = MAX_PERSISTED_EVENTS + 250
    state.events.extend(Event(time=i, kind="price", symbol="BTCUSDT") for i in range(total))
    state_file = StateFile(tmp_path / "sim.json")
    state_file.save(state)
    loaded = state_file.load()
    assert len(loaded.events) == MAX_PERSISTED_EVENTS
    assert [e.time for e in loaded.events[-3:]] == [total - 3, total - 2, total - 1]
    assert loaded.events[0].time == total - MAX_PERSISTED_EVENTS
    assert len(state.events) == total  # the running engine keeps everything
