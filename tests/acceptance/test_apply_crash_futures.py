"""Crash safety over mixed Spot + USDⓈ-M futures plans: ``apply`` killed with SIGKILL, run again.

The Spot suite (``test_apply_crash.py``) over both venues at once. ``sim serve`` runs as a
subprocess with latency on every trading request of both venues (so a kill lands mid-run) and
answers lost after commit on some Spot and ``/fapi`` placements and cancels (so kills also land
while an unknown outcome is being resolved; some ``/fapi`` placements are refused before commit,
so a lookup also finds nothing and the same request is sent again). The repository holds Spot
brackets and futures brackets (``market: usdm``: close-position and reduce-only legs on the
seeded BTCUSDT long and an ETHUSDT long put in place with ``sim position``); the account also
holds an unmanaged Spot list and an unmanaged futures algo order. Each round changes the desired
state on both venues (replaces, creates, prunes), cancels a leg of a stable futures bracket by
hand most rounds (drift: the next run places that same clientAlgoId again), starts ``apply``,
kills it after a random delay, then runs ``apply`` again to completion: it must converge. After
every even round one futures bracket is fired (its take-profit, on the mark price), so the next
round cancels its orphan and must not place it again.

"Duplicate" for futures: a clientAlgoId may legitimately be placed again, but only after its
earlier order was closed by hand (the drift re-place). So, over all rounds: never two open
orders with one id, every placement of an id after the first comes after the earlier order
closed, and an id is placed at most 1 + (times it was cancelled by hand) times (a fired leg, or
one the tool cancelled, is never placed again). Every Spot list id is placed at most once;
neither unmanaged order is ever touched; after each completed run no managed futures bracket is
left with one leg, and no fired bracket with any.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import random
import subprocess
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from oco_reconcile.core.model import Side
from oco_reconcile.core.usdm.model import AlgoOrderType, AlgoRequest, PositionSide, WorkingType
from oco_reconcile.errors import ExchangeError
from oco_reconcile.sim.engine.store import StateFile
from oco_reconcile.sim.engine.usdm.records import AlgoRecord
from oco_reconcile.sim.wire.keys import SIM_API_KEY, SIM_API_SECRET
from oco_reconcile.venues.credentials import Credentials
from oco_reconcile.venues.usdm.client import UsdmClient
from tests.acceptance.test_apply_crash import (
    CLI,
    ROTATING,
    STABLE,
    UNMANAGED_ID,
    bracket_yaml,
    kill_then_converge,
    place_unmanaged,
)
from tests.support.sim_process import served_sim

ROUNDS = int(os.environ.get("OCO_CRASH_ROUNDS", "5"))
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.name != "posix", reason="SIGKILL"),
    pytest.mark.timeout(max(120, 20 * ROUNDS)),  # about 6 s a round; more rounds, more time
]
SEED = 20260914
OWNER = "ocr"
UNMANAGED_ALGO_ID = "web_manual_perp_1"

# The after-commit faults skip each endpoint's first request (``sequence: "."``): that is the
# unmanaged placement, which must go through once.
FAULTS = """\
seed: 11
faults:
  - {kind: latency, endpoint: "POST /api/v3/orderList/oco", probability: 1, latency_ms: 40}
  - {kind: latency, endpoint: "DELETE /api/v3/orderList", probability: 1, latency_ms: 40}
  - {kind: latency, endpoint: "GET /api/v3/orderList", probability: 1, latency_ms: 20}
  - {kind: latency, endpoint: "POST /fapi/v1/algoOrder", probability: 1, latency_ms: 40}
  - {kind: latency, endpoint: "DELETE /fapi/v1/algoOrder", probability: 1, latency_ms: 40}
  - {kind: latency, endpoint: "GET /fapi/v1/algoOrder", probability: 1, latency_ms: 20}
  - {kind: drop, endpoint: "POST /api/v3/orderList/oco", after: true, probability: 0.12,
     sequence: "."}
  - {kind: http_5xx, endpoint: "POST /api/v3/orderList/oco", after: true, probability: 0.08}
  - {kind: timeout, endpoint: "DELETE /api/v3/orderList", probability: 0.12}
  - {kind: drop, endpoint: "POST /fapi/v1/algoOrder", after: true, probability: 0.15,
     sequence: "."}
  - {kind: http_5xx, endpoint: "POST /fapi/v1/algoOrder", after: true, probability: 0.1,
     sequence: "."}
  - {kind: busy, endpoint: "POST /fapi/v1/algoOrder", probability: 0.08, sequence: "."}
  - {kind: timeout, endpoint: "DELETE /fapi/v1/algoOrder", probability: 0.15}
  - {kind: drop, endpoint: "DELETE /fapi/v1/algoOrder", after: true, probability: 0.1}
"""

SETTINGS = f"""\
exchange: sim
owner: {OWNER}
prune: true
allow_empty: true
max_parallel_symbols: 4
markets: [spot, usdm]
"""

# name, symbol, side, quantity ("close" or reduce-only), take-profit trigger, stop trigger,
# working type. The seeded BTCUSDT long is 0.010; the ETHUSDT long (0.5) comes from `sim position`.
FUTURES_STABLE = [
    ("perp-btc-core", "BTCUSDT", "SELL", "close", "125000", "98000", "MARK_PRICE"),
    ("perp-eth-core", "ETHUSDT", "SELL", "0.1", "4700", "3400", "CONTRACT_PRICE"),
]
FUTURES_ROTATING = [
    ("perp-btc-part", "BTCUSDT", "SELL", "0.004", "121000", "100000", "CONTRACT_PRICE"),
    ("perp-btc-trim", "BTCUSDT", "SELL", "0.002", "118000", "104000", "MARK_PRICE"),
    ("perp-eth-part", "ETHUSDT", "SELL", "0.2", "4400", "3700", "CONTRACT_PRICE"),
    ("perp-eth-trim", "ETHUSDT", "SELL", "0.1", "4300", "3800", "CONTRACT_PRICE"),
]
# Always desired, ``rev`` bumped every other round: after an even round it is fired (its
# take-profit, on the mark price) so the next round must cancel the orphan and place nothing.
FIRE_TARGET = ("perp-eth-exit", "ETHUSDT", "SELL", "close", "4500", "3600", "MARK_PRICE")
ETH_PRICE, ETH_FIRING_MARK, ETH_LONG = "4000", "4510", "0.5"
SPOT_ROTATING = ROTATING[:5]  # the Spot suite's brackets: BTCUSDT, ETHUSDT and BNBUSDT


def futures_yaml(spec: tuple[str, ...], rev: int) -> str:
    name, symbol, side, quantity, take_profit, stop, working_type = spec
    amount = quantity if quantity == "close" else f'"{quantity}"'
    return (
        f"  - name: {name}\n    market: usdm\n    symbol: {symbol}\n    side: {side}\n"
        f"    quantity: {amount}\n    rev: {rev}\n"
        f'    take_profit: {{stop_price: "{take_profit}"}}\n'
        f'    stop_loss: {{stop_price: "{stop}"}}\n'
        f"    working_type: {working_type}\n"
    )


def write_desired(workdir: Path, round_number: int, rng: random.Random) -> None:
    """Every round: the stable bracket of each venue and a random subset of the others with
    ``rev`` = round + 1, so each round's ids are new (replaces, creates, prunes) on both venues."""
    spot = [spec for spec in SPOT_ROTATING if rng.random() < 0.6]
    futures = [spec for spec in FUTURES_ROTATING if rng.random() < 0.7]
    spot_body = "".join(bracket_yaml(spec, 0) for spec in STABLE)
    spot_body += "".join(bracket_yaml(spec, round_number + 1) for spec in spot)
    futures_body = "".join(futures_yaml(spec, 0) for spec in FUTURES_STABLE)
    futures_body += futures_yaml(FIRE_TARGET, round_number // 2)
    futures_body += "".join(futures_yaml(spec, round_number + 1) for spec in futures)
    (workdir / "brackets" / "spot.yaml").write_text("brackets:\n" + spot_body, encoding="utf-8")
    (workdir / "brackets" / "perp.yaml").write_text("brackets:\n" + futures_body, encoding="utf-8")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``sim serve`` on a free loopback port: (base URL, state file)."""
    with served_sim(tmp_path, FAULTS) as sim:
        yield sim.url, sim.state


def futures_client(url: str) -> UsdmClient:
    return UsdmClient(url, Credentials.hmac(SIM_API_KEY, SIM_API_SECRET))


def place_unmanaged_algo(url: str) -> None:
    """A stop on part of the BTCUSDT long, placed by hand (its id is not the owner's)."""
    request = AlgoRequest(
        symbol="BTCUSDT",
        side=Side.SELL,
        position_side=PositionSide.BOTH,
        type=AlgoOrderType.STOP_MARKET,
        client_algo_id=UNMANAGED_ALGO_ID,
        trigger_price=Decimal("90000"),
        working_type=WorkingType.CONTRACT_PRICE,
        price_protect=False,
        quantity=Decimal("0.001"),
        reduce_only=True,
    )
    with futures_client(url) as client:
        client.place_algo(request)


def sim_command(state: Path, *argv: str) -> None:
    command = [str(CLI), "sim", *argv, "--state", str(state)]
    subprocess.run(command, check=True, capture_output=True, timeout=30)


def seed_eth_long(state: Path) -> None:
    sim_command(state, "position", "ETHUSDT", ETH_LONG)


def fire_eth_exit(state: Path) -> None:
    """The ETHUSDT mark price through the fire target's take-profit (the last price, so Spot and
    the CONTRACT_PRICE legs, stay put); then the long and the mark price as they were."""
    open_ids = {r.client_algo_id for r in algo_records(state) if r.is_open}
    assert any(i.startswith(f"{OWNER}-{FIRE_TARGET[0]}-") for i in open_ids), open_ids
    sim_command(state, "price", "ETHUSDT", ETH_PRICE, "--mark", ETH_FIRING_MARK)
    fired = [r for r in algo_records(state) if r.status in FIRED]
    assert any(r.client_algo_id.startswith(f"{OWNER}-{FIRE_TARGET[0]}-") for r in fired)
    sim_command(state, "position", "ETHUSDT", ETH_LONG)
    sim_command(state, "price", "ETHUSDT", ETH_PRICE, "--mark", ETH_PRICE)


def algo_records(state: Path) -> list[AlgoRecord]:
    """Every algo order the simulator ever accepted, in placement (algoId) order."""
    orders = StateFile(state).load().usdm.algo_orders
    return [orders[algo_id] for algo_id in sorted(orders)]


FIRED = ("TRIGGERED", "FINISHED")


def is_managed(client_algo_id: str) -> bool:
    return client_algo_id.startswith(f"{OWNER}-")


def cancel_by_hand(url: str, state: Path, rng: random.Random, hand: Counter[str]) -> None:
    """Most rounds, one open leg of a stable futures bracket (desired again with the same ids)
    cancelled outside the tool: drift, the next run places that clientAlgoId again. A lost
    answer is resolved by reading the order back."""
    stable = tuple(f"{OWNER}-{spec[0]}-" for spec in FUTURES_STABLE)
    records = algo_records(state)
    open_legs = [o for o in records if o.is_open and o.client_algo_id.startswith(stable)]
    if not open_legs or rng.random() < 0.25:
        return
    victim = rng.choice(open_legs)
    with futures_client(url) as client:
        for _ in range(10):
            with contextlib.suppress(ExchangeError):
                client.cancel_algo(victim.symbol, victim.client_algo_id)
            try:
                found = client.algo_order(victim.client_algo_id)
            except ExchangeError:
                continue
            if found is not None and not found.status.is_open:
                hand[victim.client_algo_id] += 1
                return
    pytest.fail(f"could not cancel {victim.client_algo_id} by hand")


def check_spot_log(state: Path) -> None:
    events = StateFile(state).load().events
    placed = [e.list_client_order_id for e in events if e.kind == "placed"]
    twice = sorted({list_id for list_id in placed if placed.count(list_id) > 1}, key=str)
    assert not twice, f"Spot lists placed more than once: {twice}"
    touched = [e for e in events if e.list_client_order_id == UNMANAGED_ID and e.kind != "placed"]
    assert not touched, touched


def check_futures_placements(records: list[AlgoRecord], hand: Counter[str]) -> None:
    """No clientAlgoId open twice at once, re-placed while open, or re-placed more often than
    it was cancelled by hand."""
    by_id: dict[str, list[AlgoRecord]] = {}
    for record in records:
        by_id.setdefault(record.client_algo_id, []).append(record)
    for client_id, lives in by_id.items():
        assert sum(life.is_open for life in lives) <= 1, f"{client_id} open twice: {lives}"
        for earlier, later in itertools.pairwise(lives):
            assert not earlier.is_open, f"{client_id} placed again while open: {lives}"
            assert earlier.update_time <= later.create_time, f"{client_id} overlaps: {lives}"
        assert len(lives) <= 1 + hand[client_id], (
            f"{client_id} placed {len(lives)} times, cancelled by hand {hand[client_id]} times"
        )


def check_unmanaged_algo(state: Path, records: list[AlgoRecord]) -> None:
    mine = [r for r in records if r.client_algo_id == UNMANAGED_ALGO_ID]
    assert len(mine) == 1, mine
    assert mine[0].is_open, mine
    events = StateFile(state).load().events
    touched = [
        e for e in events if e.client_order_id == UNMANAGED_ALGO_ID and e.kind != "algo placed"
    ]
    assert not touched, touched


def check_no_orphan(records: list[AlgoRecord]) -> None:
    """After a completed run each managed bracket with an open leg has both legs open and has
    not fired (a fired bracket's orphan is cancelled)."""
    fired = {r.client_algo_id[:-3] for r in records if r.status in FIRED}
    legs: dict[str, set[str]] = {}
    for record in records:
        if record.is_open and is_managed(record.client_algo_id):
            bracket, suffix = record.client_algo_id[:-3], record.client_algo_id[-3:]
            legs.setdefault(bracket, set()).add(suffix)
    lone = {b: s for b, s in legs.items() if s != {"-tp", "-sl"}}
    assert not lone, f"brackets left with one leg: {lone}"
    orphans = {b: s for b, s in legs.items() if b in fired}
    assert not orphans, f"fired brackets with legs still open: {orphans}"


def test_mixed_apply_killed_at_random_points_converges_on_the_next_run(
    served: tuple[str, Path], tmp_path: Path
) -> None:
    url, state = served
    workdir = tmp_path / "repo"
    (workdir / "brackets").mkdir(parents=True)
    (workdir / "oco-reconcile.yaml").write_text(SETTINGS, encoding="utf-8")
    seed_eth_long(state)
    place_unmanaged(url)
    place_unmanaged_algo(url)
    rng = random.Random(SEED)
    hand: Counter[str] = Counter()
    killed = fires = 0
    for round_number in range(ROUNDS):
        write_desired(workdir, round_number, rng)
        cancel_by_hand(url, state, rng, hand)
        killed += kill_then_converge(workdir, url, rng.uniform(0.3, 1.0))
        records = algo_records(state)
        check_spot_log(state)
        check_futures_placements(records, hand)
        check_unmanaged_algo(state, records)
        check_no_orphan(records)
        if round_number % 2 == 0:
            fire_eth_exit(state)
            fires += 1
    assert killed >= ROUNDS // 2, "the kills should land while apply is running"
    assert sum(hand.values()) >= 1 or ROUNDS < 3, "some legs should have been cancelled by hand"
    assert fires == (ROUNDS + 1) // 2
