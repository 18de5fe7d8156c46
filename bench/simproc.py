"""The simulator's HTTP server (what ``oco-reconcile sim serve`` runs) in its own process, plus a
small control plane for the benchmark.

Run as a script it serves on 127.0.0.1 (a free port) and prints ``READY <url>``. Besides the
Binance REST API it answers:

* ``POST /bench/load`` ``{"state": <simulator state JSON>, "latency_ms": N}``: replace the account,
  install a latency fault on every request (``FaultRule(kind=latency, endpoint="*",
  probability=1.0, latency_ms=N)``), and start fresh rate-limit windows and counters. The
  limiter's fixed windows are aligned with this moment (its clock is shifted by less than a
  minute), so a run starts at the beginning of a 10-second ORDERS window and of a weight minute:
  the fixed-window bound then equals the sliding-window bound, and runs are repeatable.
* ``GET /bench/stats``: what the simulator counted since the last load: requests, request weight
  charged (its own limiter's charges), orders counted, HTTP statuses, requests per endpoint.

One difference from ``sim serve``: a listen backlog of 128 instead of socketserver's 5 (see
:func:`serve`), so a burst of new connections is not slowed by lost SYNs.

:class:`SimProcess` starts and drives that process from the benchmark.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from oco_reconcile.sim.engine.limits import Limit, RateLimiter
from oco_reconcile.sim.engine.machine import Engine
from oco_reconcile.sim.engine.store import seeded_state, state_from_json
from oco_reconcile.sim.exchange import SimExchange, wall_clock_ms
from oco_reconcile.sim.wire.app import SimApp
from oco_reconcile.sim.wire.faults import FaultKind, FaultPlan, FaultRule
from oco_reconcile.sim.wire.messages import SimRequest, SimResponse

ALIGN_MS = 60_000  # a multiple of every window the run can touch (10 s ORDERS, 1 min weight)


class CountingLimiter(RateLimiter):
    """The simulator's limiter, also adding up what it charges."""

    def __init__(self, limits: list[Limit], clock: Any) -> None:
        super().__init__(limits, clock)
        self.weight = 0
        self.orders = 0
        self._tally = threading.Lock()

    def charge(self, weight: int, orders: int = 0) -> None:
        super().charge(weight, orders)
        with self._tally:
            self.weight += weight
            self.orders += orders


class BenchSim(SimExchange):
    def __init__(self) -> None:
        super().__init__(Engine(seeded_state(wall_clock_ms()), wall_clock_ms))
        self._lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self.endpoints: Counter[str] = Counter()
        self.limiter = self._install(0)

    def handle(self, request: SimRequest) -> SimResponse:
        if request.path.startswith("/bench/"):
            return self._control(request)
        response = super().handle(request)
        with self._lock:
            self.statuses[response.status] += 1
            self.endpoints[f"{request.method} {request.path}"] += 1
        return response

    def _install(self, latency_ms: int) -> CountingLimiter:
        rules = (
            (FaultRule(FaultKind.LATENCY, "*", probability=1.0, latency_ms=latency_ms),)
            if latency_ms
            else ()
        )
        self.app = SimApp(self.engine, faults=FaultPlan(rules))
        shift = self.app.server_time() % ALIGN_MS
        limits = [Limit.from_json(item) for item in self.engine.state.rate_limits]
        limiter = CountingLimiter(limits, lambda: self.app.server_time() - shift)
        self.app.limiter = limiter
        return limiter

    def _control(self, request: SimRequest) -> SimResponse:
        if request.path == "/bench/load":
            payload = json.loads(request.body)
            with self._lock:
                self.engine = Engine(state_from_json(payload["state"]), wall_clock_ms)
                self.limiter = self._install(int(payload.get("latency_ms", 0)))
                self.statuses.clear()
                self.endpoints.clear()
            return _json({"loaded": True})
        if request.path == "/bench/stats":
            with self._lock:
                return _json(
                    {
                        "requests": sum(self.statuses.values()),
                        "weight": self.limiter.weight,
                        "orders": self.limiter.orders,
                        "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                        "endpoints": dict(sorted(self.endpoints.items())),
                    }
                )
        return _json({"error": "unknown control path"}, 404)


def _json(body: Any, status: int = 200) -> SimResponse:
    data = json.dumps(body).encode()
    return SimResponse(status, (("Content-Type", "application/json"),), data)


def serve() -> None:
    """Serve until the parent closes our stdin (or dies)."""
    from oco_reconcile.sim.wire.server import SimHTTPServer

    class BenchHTTPServer(SimHTTPServer):
        # socketserver's default listen backlog is 5: a burst of more simultaneous connects
        # than that loses SYNs, and each lost one costs the client a 1-second retransmit.
        request_queue_size = 128

    server = BenchHTTPServer(("127.0.0.1", 0), BenchSim())
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="sim-serve", daemon=True
    )
    thread.start()
    print(f"READY {server.url}", flush=True)
    try:
        sys.stdin.read()
    finally:
        server.shutdown()
        server.server_close()


class SimProcess:
    """The bench simulator process: ``load`` a state, run against ``url``, read ``stats``."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        if not line.startswith("READY "):
            self.close()
            raise RuntimeError(f"the bench simulator did not start: {line!r}")
        self.url = line.removeprefix("READY ")
        self._http = httpx.Client(base_url=self.url, timeout=60)

    def load(self, state: dict[str, Any], latency_ms: int) -> None:
        payload = json.dumps({"state": state, "latency_ms": latency_ms})
        self._http.post("/bench/load", content=payload).raise_for_status()

    def stats(self) -> dict[str, Any]:
        response = self._http.get("/bench/stats")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def close(self) -> None:
        self._http.close() if hasattr(self, "_http") else None
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> SimProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


if __name__ == "__main__":
    serve()
