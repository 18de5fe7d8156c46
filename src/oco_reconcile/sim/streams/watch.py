"""What changed in the engine since the last look, as user-data events.

The serving process cannot rely on hooks alone: ``sim price`` in another process changes the
shared state file, and this process only learns of it when it next takes the engine's lock
(``exchange.py`` ``_StateLock`` reloads a state another process saved). So :class:`StateWatch`
polls: each :meth:`StateWatch.poll` takes the lock (which reloads a changed file), and when the
engine's revision moved, compares a small digest of every order, list, balance, algo order and
position with the previous one and renders one event per change, in the order Binance sends them
(order reports, then the list's status, then the balances). A poll every ~100 ms is what
``server.py`` does; the engine's change hook (``Engine.on_change``) makes it look at once after
a change made in this process.

Events between two polls are merged: an order placed and filled in between gives ``NEW`` then
``TRADE``; an order that changed twice gives one report of where it ended.
"""

from __future__ import annotations

from dataclasses import dataclass

from oco_reconcile.json_types import JsonObject
from oco_reconcile.sim.engine.machine import Engine
from oco_reconcile.sim.streams import spot, usdm
from oco_reconcile.sim.streams.digest import digest


@dataclass(frozen=True)
class Changes:
    """One poll's events: the Spot ones (without the subscription wrapper) and the futures
    ones."""

    spot: list[JsonObject]
    usdm: list[JsonObject]


NO_CHANGES = Changes([], [])


class StateWatch:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        with engine.lock:
            self._revision = engine.revision
            self._last = digest(engine.state)

    def poll(self) -> Changes:
        """The events since the last poll (none when the revision did not move)."""
        with self.engine.lock:  # with a state file: reloads what another process saved
            if self.engine.revision == self._revision:
                return NO_CHANGES
            self._revision = self.engine.revision
            now = self.engine.clock()
            state = self.engine.state
            current = digest(state)
            before, self._last = self._last, current
            return Changes(
                spot.events(self.engine, before, current, now),
                usdm.events(state.usdm, before, current, now),
            )
