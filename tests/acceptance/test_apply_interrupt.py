"""SIGINT / SIGTERM during ``apply`` over real HTTP: a clean stop, and nothing left unprotected.

``sim serve`` runs as a subprocess on 127.0.0.1 with latency on the trading requests. ``apply``
places a batch of brackets and is sent SIGINT once a few are done; then every bracket changes
(replaces) and ``apply`` is sent SIGTERM mid-run. Each time: exit 130 / 143, the summary says what
was and was not started, no bracket is left without an open list, and a re-run converges with no
list client id ever placed twice (the simulator's event log). Last, two SIGINTs in a row: exit 130
at once, and again a re-run converges.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from oco_reconcile.core.identity import parse_list_id
from oco_reconcile.sim.engine.store import StateFile
from oco_reconcile.sim.wire.keys import SIM_API_KEY, SIM_API_SECRET
from oco_reconcile.venues.credentials import Credentials
from oco_reconcile.venues.spot.client import BinanceClient
from tests.support.sim_process import served_sim

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="signals")]

CLI = Path(sys.executable).parent / "oco-reconcile"
FAULTS = """\
seed: 3
faults:
  - {kind: latency, endpoint: "POST /api/v3/orderList/oco", probability: 1, latency_ms: 60}
  - {kind: latency, endpoint: "DELETE /api/v3/orderList", probability: 1, latency_ms: 60}
"""
SETTINGS = """\
exchange: sim
owner: ocr
prune: true
max_parallel_symbols: 2
max_parallel_requests: 2
"""
SYMBOLS = {
    "BTCUSDT": ("0.002", "120000", "100000", "99900"),
    "ETHUSDT": ("0.1", "4400", "3700", "3690"),
    "BNBUSDT": ("0.5", "950", "780", "779"),
    "SOLUSDT": ("1", "230", "180", "179.5"),
}
# 4 per symbol: the seeded MAX_NUM_ALGO_ORDERS is 5 (a stop-loss leg is an algo order)
NAMES = [f"{symbol[:3].lower()}-{i}" for symbol in SYMBOLS for i in range(4)]


def write_desired(workdir: Path, rev: int) -> None:
    body = ""
    for name in NAMES:
        symbol = next(s for s in SYMBOLS if s.lower().startswith(name[:3]))
        quantity, take_profit, stop, limit = SYMBOLS[symbol]
        body += (
            f"  - name: {name}\n    symbol: {symbol}\n    side: SELL\n"
            f'    quantity: "{quantity}"\n    rev: {rev}\n'
            f'    take_profit: {{price: "{take_profit}"}}\n'
            f'    stop_loss: {{stop_price: "{stop}", price: "{limit}"}}\n'
        )
    (workdir / "brackets" / "all.yaml").write_text("brackets:\n" + body, encoding="utf-8")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``sim serve`` on a free loopback port: (base URL, state file)."""
    with served_sim(tmp_path, FAULTS) as sim:
        yield sim.url, sim.state


def clean_env() -> dict[str, str]:
    """No credentials in the environment: a loopback URL then uses the simulator's keys."""
    return {k: v for k, v in os.environ.items() if not k.startswith("BINANCE_")}


def apply(workdir: Path, url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(CLI), "apply", "--auto-approve", "--base-url", url],
        cwd=workdir,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def interrupt_after_done(
    run: subprocess.Popen[str], done: int, signum: int, *, again: bool = False
) -> str:
    """Send ``signum`` (twice with ``again``) once ``done`` changes are reported done; the whole
    stdout and stderr."""
    assert run.stdout is not None
    seen: list[str] = []
    finished = 0
    for line in run.stdout:
        seen.append(line)
        finished += ": done" in line
        if finished == done:
            run.send_signal(signum)
            break
    first = ""
    if again:  # signals that arrive together are handled once: wait for the first's message
        assert run.stderr is not None
        first = run.stderr.readline()
        run.send_signal(signum)
    rest, err = run.communicate(timeout=60)
    return "".join(seen) + rest + first + err


def open_names(url: str) -> set[str]:
    with BinanceClient(url, Credentials.hmac(SIM_API_KEY, SIM_API_SECRET)) as client:
        lists = client.open_order_lists()
    parsed = (parse_list_id("ocr", item.list_client_order_id) for item in lists)
    return {item.name for item in parsed if item is not None}


def converge(workdir: Path, url: str, state: Path) -> None:
    again = subprocess.run(
        [str(CLI), "apply", "--auto-approve", "--base-url", url],
        cwd=workdir,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Converged: the exchange matches the desired state." in again.stdout
    placed = [e.list_client_order_id for e in StateFile(state).load().events if e.kind == "placed"]
    assert len(placed) == len(set(placed)), "a list client id was placed twice"


def test_sigint_then_sigterm_stop_cleanly_and_a_rerun_converges(
    served: tuple[str, Path], tmp_path: Path
) -> None:
    url, state = served
    workdir = tmp_path / "repo"
    (workdir / "brackets").mkdir(parents=True)
    (workdir / "oco-reconcile.yaml").write_text(SETTINGS, encoding="utf-8")

    write_desired(workdir, rev=0)
    run = apply(workdir, url)
    out = interrupt_after_done(run, 3, signal.SIGINT)
    assert run.returncode == 130, out
    assert "Stopped: interrupted by SIGINT" in out
    assert re.search(r"not started: [1-9]\d*", out), out
    converge(workdir, url, state)
    assert open_names(url) == set(NAMES)

    write_desired(workdir, rev=1)  # every bracket is replaced
    run = apply(workdir, url)
    out = interrupt_after_done(run, 3, signal.SIGTERM)
    assert run.returncode == 143, out
    assert "Stopped: interrupted by SIGTERM" in out
    assert open_names(url) == set(NAMES), "a bracket was left without an open list"
    converge(workdir, url, state)

    write_desired(workdir, rev=2)  # a second signal does not wait for the started replaces
    run = apply(workdir, url)
    out = interrupt_after_done(run, 2, signal.SIGINT, again=True)
    assert run.returncode == 130, out
    assert "Interrupted again: exiting at once." in out
    converge(workdir, url, state)
