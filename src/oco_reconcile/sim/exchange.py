"""One simulated exchange to talk to: the engine + the wire app (+ an optional state file).

It joins the two halves, so it sits beside them: :func:`open_sim` is what ``exchange: sim`` and
``sim serve`` build on::

    sim = open_sim(".oco-reconcile/sim.json")
    client = BinanceClient(SIM_URL, credentials, transport=sim.transport())

(``SIM_URL`` from :mod:`oco_reconcile.venues.urls`.) :meth:`SimExchange.handle` reloads the state
file when another process changed it, runs the request through
:class:`~oco_reconcile.sim.wire.app.SimApp`, and saves the state after every request that changed
it. Without a path the exchange lives in memory only (tests).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from oco_reconcile.core.settings import Settings
from oco_reconcile.sim.engine.machine import Engine
from oco_reconcile.sim.engine.records import Clock
from oco_reconcile.sim.engine.store import StateFile, seeded_state
from oco_reconcile.sim.wire.app import SimApp
from oco_reconcile.sim.wire.auth import Verifier
from oco_reconcile.sim.wire.faults import FaultPlan
from oco_reconcile.sim.wire.messages import SimRequest, SimResponse
from oco_reconcile.sim.wire.transport import SimTransport

DEFAULT_STATE_PATH = Path(Settings.sim_state)  # the `sim_state` setting's default


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class SimExchange:
    def __init__(
        self,
        engine: Engine,
        *,
        state_file: StateFile | None = None,
        faults: FaultPlan | None = None,
        keys: Mapping[str, Verifier] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.engine = engine
        self.state_file = state_file
        self.app = SimApp(engine, keys=keys, faults=faults, sleep=sleep)
        self._lock = threading.Lock()

    def handle(self, request: SimRequest) -> SimResponse:
        self.reload_if_changed()
        before = self.engine.revision
        response = self.app.handle(request)
        if self.engine.revision != before:
            self.save()
        return response

    def reload_if_changed(self) -> None:
        if self.state_file is None:
            return
        # Checked under the locks: checking first would let a concurrent request's placement be
        # overwritten by a reload that started before that request saved.
        with self._lock, self.engine.lock:
            if not self.state_file.changed_since_last_seen():
                return
            self.engine.state = self.state_file.load()
            self.engine.revision += 1

    def save(self) -> None:
        if self.state_file is None:
            return
        with self._lock, self.engine.lock:
            self.state_file.save(self.engine.state)

    def reset(self) -> None:
        """Back to the seeded account: default balances and prices, no orders, no history."""
        with self.engine.lock:
            self.engine.state = seeded_state(self.engine.clock())
            self.engine.revision += 1
        self.save()

    def transport(self) -> SimTransport:
        return SimTransport(self.handle)


def open_sim(
    path: Path | str | None = DEFAULT_STATE_PATH,
    *,
    faults: FaultPlan | None = None,
    keys: Mapping[str, Verifier] | None = None,
    clock: Clock = wall_clock_ms,
    sleep: Callable[[float], None] = time.sleep,
) -> SimExchange:
    """The simulated exchange over the state file ``path`` (created, seeded, on first use)."""
    state_file = StateFile(path) if path is not None else None
    if state_file is not None and state_file.exists():
        state = state_file.load()
    else:
        state = seeded_state(clock())
    engine = Engine(state, clock)
    sim = SimExchange(engine, state_file=state_file, faults=faults, keys=keys, sleep=sleep)
    if state_file is not None and not state_file.exists():
        sim.save()
    return sim
