"""Crash safety over real HTTP: ``apply`` killed with SIGKILL at random points, then run again.

``sim serve`` runs as a subprocess on 127.0.0.1 with latency on every trading request (so a kill
lands mid-run) and answers lost after commit on some placements and cancels (so kills also land
while an unknown outcome is being resolved). Each round changes the desired state (replaces,
creates and cancels), starts ``oco-reconcile apply --auto-approve --base-url ...``, kills it after
a random delay, then runs ``apply`` again to completion: it must converge. Over all rounds the
simulator's event log shows every list client id placed at most once and the unmanaged list never
touched.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from oco_reconcile.core.model import Leg, LegRequest, LegType, OcoRequest, Side, TimeInForce
from oco_reconcile.sim.engine.store import StateFile
from oco_reconcile.sim.wire.keys import SIM_API_KEY, SIM_API_SECRET
from oco_reconcile.venues.credentials import Credentials
from oco_reconcile.venues.spot.client import BinanceClient
from tests.support.sim_process import served_sim

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="SIGKILL")]

CLI = Path(sys.executable).parent / "oco-reconcile"
ROUNDS = int(os.environ.get("OCO_CRASH_ROUNDS", "6"))
SEED = 20260801
UNMANAGED_ID = "web_manual_btc_1"

FAULTS = """\
seed: 7
faults:
  - {kind: latency, endpoint: "POST /api/v3/orderList/oco", probability: 1, latency_ms: 150}
  - {kind: latency, endpoint: "DELETE /api/v3/orderList", probability: 1, latency_ms: 150}
  - {kind: latency, endpoint: "GET /api/v3/orderList", probability: 1, latency_ms: 60}
  - {kind: drop, endpoint: "POST /api/v3/orderList/oco", after: true, probability: 0.15}
  - {kind: http_5xx, endpoint: "POST /api/v3/orderList/oco", after: true, probability: 0.1}
  - {kind: timeout, endpoint: "DELETE /api/v3/orderList", probability: 0.15}
"""

SETTINGS = """\
exchange: sim
owner: ocr
prune: true
allow_empty: true
max_parallel_symbols: 4
"""

# name, symbol, side, quantity, take-profit price, stop price, stop limit price
STABLE = [("btc-core", "BTCUSDT", "SELL", "0.01", "125000", "98000", "97900")]
ROTATING = [
    ("btc-swing", "BTCUSDT", "SELL", "0.002", "120000", "100000", "99900"),
    ("eth-long", "ETHUSDT", "SELL", "0.1", "4400", "3700", "3690"),
    ("eth-entry", "ETHUSDT", "BUY", "0.05", "3600", "4400", "4410"),
    ("bnb-long", "BNBUSDT", "SELL", "0.5", "950", "780", "779"),
    ("bnb-entry", "BNBUSDT", "BUY", "0.2", "800", "900", "901"),
    ("sol-long", "SOLUSDT", "SELL", "1", "230", "180", "179.5"),
    ("sol-entry", "SOLUSDT", "BUY", "0.5", "180", "220", "221"),
    ("sol-extra", "SOLUSDT", "SELL", "0.3", "240", "170", "169"),
]


def bracket_yaml(spec: tuple[str, ...], rev: int) -> str:
    name, symbol, side, quantity, take_profit, stop, limit = spec
    return (
        f"  - name: {name}\n    symbol: {symbol}\n    side: {side}\n"
        f'    quantity: "{quantity}"\n    rev: {rev}\n'
        f'    take_profit: {{price: "{take_profit}"}}\n'
        f'    stop_loss: {{stop_price: "{stop}", price: "{limit}"}}\n'
    )


def write_desired(workdir: Path, round_number: int, rng: random.Random) -> None:
    """Every round: the stable bracket, and a random subset of the others with ``rev`` = round,
    so each round's ids are new (replaces, creates, cancels) and none is ever desired twice."""
    chosen = [spec for spec in ROTATING if rng.random() < 0.7]
    body = "".join(bracket_yaml(spec, 0) for spec in STABLE)
    body += "".join(bracket_yaml(spec, round_number + 1) for spec in chosen)
    (workdir / "brackets" / "all.yaml").write_text("brackets:\n" + body, encoding="utf-8")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``sim serve`` on a free loopback port: (base URL, state file)."""
    with served_sim(tmp_path, FAULTS) as sim:
        yield sim.url, sim.state


def apply_command(workdir: Path, url: str) -> list[str]:
    return [str(CLI), "apply", "--auto-approve", "--base-url", url]


def clean_env() -> dict[str, str]:
    """No credentials in the environment: a loopback URL then uses the simulator's keys."""
    return {k: v for k, v in os.environ.items() if not k.startswith("BINANCE_")}


def place_unmanaged(url: str) -> None:
    stop = Leg(
        LegType.STOP_LOSS_LIMIT,
        price=Decimal("90000"),
        stop_price=Decimal("90100"),
        time_in_force=TimeInForce.GTC,
    )
    request = OcoRequest(
        symbol="BTCUSDT",
        side=Side.SELL,
        quantity=Decimal("0.001"),
        list_client_order_id=UNMANAGED_ID,
        above=LegRequest(Leg(LegType.LIMIT_MAKER, price=Decimal("130000")), "web_tp_1"),
        below=LegRequest(stop, "web_sl_1"),
    )
    with BinanceClient(url, Credentials.hmac(SIM_API_KEY, SIM_API_SECRET)) as client:
        client.place_oco(request)


def check_log(state: Path) -> None:
    events = StateFile(state).load().events
    placed = [e.list_client_order_id for e in events if e.kind == "placed"]
    twice = sorted({list_id for list_id in placed if placed.count(list_id) > 1}, key=str)
    assert not twice, f"placed more than once: {twice}"
    touched = [e for e in events if e.list_client_order_id == UNMANAGED_ID and e.kind != "placed"]
    assert not touched, touched


def kill_then_converge(workdir: Path, url: str, delay: float) -> bool:
    """Start ``apply``, SIGKILL it after ``delay`` seconds (whether the kill landed is returned),
    then run ``apply`` to completion: it must converge."""
    victim = subprocess.Popen(
        apply_command(workdir, url),
        cwd=workdir,
        env=clean_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    landed = victim.poll() is None
    if landed:
        victim.send_signal(signal.SIGKILL)
    victim.wait()
    survivor = subprocess.run(
        apply_command(workdir, url),
        cwd=workdir,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert survivor.returncode == 0, survivor.stdout + survivor.stderr
    assert "Converged: the exchange matches the desired state." in survivor.stdout or (
        "No changes." in survivor.stdout
    )
    return landed


def test_apply_killed_at_random_points_converges_on_the_next_run(
    served: tuple[str, Path], tmp_path: Path
) -> None:
    url, state = served
    workdir = tmp_path / "repo"
    (workdir / "brackets").mkdir(parents=True)
    (workdir / "oco-reconcile.yaml").write_text(SETTINGS, encoding="utf-8")
    place_unmanaged(url)
    rng = random.Random(SEED)
    killed = 0
    for round_number in range(ROUNDS):
        write_desired(workdir, round_number, rng)
        killed += kill_then_converge(workdir, url, rng.uniform(0.25, 0.9))
        check_log(state)
    assert killed >= ROUNDS // 2, "the kills should land while apply is running"
