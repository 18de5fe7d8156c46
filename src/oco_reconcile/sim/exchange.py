"""One simulated exchange to talk to: the engine + the wire app (+ an optional state file).

It joins the two halves, so it sits beside them: :func:`open_sim` is what ``exchange: sim`` and
``sim serve`` build on::

    sim = open_sim(".oco-reconcile/sim.json")
    client = BinanceClient(SIM_URL, credentials, transport=sim.transport())

(``SIM_URL`` from :mod:`oco_reconcile.venues.urls`.) With a state file, the engine's lock is
:class:`_StateLock`: taking it takes the file's cross-process lock and reloads the state when
another process changed it; releasing it saves the state when it changed. So every engine access
(a request through :class:`~oco_reconcile.sim.wire.app.SimApp`, ``sim price``, ``sim status``)
is one load-modify-save that no other command can interleave with, as on one real exchange.
Without a path the exchange lives in memory only (tests).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import TracebackType

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
        if state_file is not None:
            engine.lock = _StateLock(engine, state_file)
        self.app = SimApp(engine, keys=keys, faults=faults, sleep=sleep)

    def handle(self, request: SimRequest) -> SimResponse:
        return self.app.handle(request)

    def save(self) -> None:
        """Write the state now (it is also saved whenever the engine's lock is released)."""
        if self.state_file is not None:
            with self.engine.lock:
                self.state_file.save(self.engine.state)

    def reset(self) -> None:
        """Back to the seeded account: default balances and prices, no orders, no history."""
        with self.engine.lock:
            self.engine.state = seeded_state(self.engine.clock())
            self.engine.revision += 1

    def transport(self) -> SimTransport:
        return SimTransport(self.handle)


class _StateLock:
    """The engine's lock over a state file: re-entrant within the process (the engine nests it);
    the outermost hold also holds the file's lock, reloads a state another process changed on
    entry and saves a changed state on exit."""

    def __init__(self, engine: Engine, state_file: StateFile) -> None:
        self._engine = engine
        self._file = state_file
        self._threads = threading.RLock()
        self._depth = 0
        self._outer = ExitStack()
        self._revision = engine.revision

    def __enter__(self) -> None:
        self._threads.acquire()
        self._depth += 1
        if self._depth == 1:
            try:
                self._outer.enter_context(self._file.locked())
                self._reload_if_changed()
            except BaseException:
                self._release()
                raise

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            if self._depth == 1 and self._engine.revision != self._revision:
                self._file.save(self._engine.state)
                self._revision = self._engine.revision
        finally:
            self._release()

    def _release(self) -> None:
        try:
            if self._depth == 1:
                self._outer.close()
        finally:
            self._depth -= 1
            self._threads.release()

    def _reload_if_changed(self) -> None:
        if self._file.changed_since_last_seen():
            self._engine.state = self._file.load()
            self._engine.revision += 1
        self._revision = self._engine.revision


def open_sim(
    path: Path | str | None = DEFAULT_STATE_PATH,
    *,
    faults: FaultPlan | None = None,
    keys: Mapping[str, Verifier] | None = None,
    clock: Clock = wall_clock_ms,
    sleep: Callable[[float], None] = time.sleep,
    fresh: bool = False,
) -> SimExchange:
    """The simulated exchange over the state file ``path`` (created, seeded, on first use;
    ``fresh``: seeded whatever the file holds, for ``sim reset``)."""
    if path is None:
        engine = Engine(seeded_state(clock()), clock)
        return SimExchange(engine, faults=faults, keys=keys, sleep=sleep)
    state_file = StateFile(path)
    with _initial(state_file, clock, fresh) as engine:
        return SimExchange(engine, state_file=state_file, faults=faults, keys=keys, sleep=sleep)


@contextmanager
def _initial(state_file: StateFile, clock: Clock, fresh: bool) -> Iterator[Engine]:
    """The engine over the file's state, loaded (or seeded and saved) under the file's lock."""
    with state_file.locked():
        if state_file.exists() and not fresh:
            yield Engine(state_file.load(), clock)
            return
        engine = Engine(seeded_state(clock()), clock)
        state_file.save(engine.state)
        yield engine
