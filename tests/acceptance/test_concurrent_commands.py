"""Concurrent commands on one simulator state file behave as on one real exchange (issue 13,
"Inputs"): five ``apply`` processes at once place each list once, hand out every id once and
converge; many processes placing at once lose no update.

Real processes (``subprocess``) on a temporary state file: the lock under test is ``flock``,
which threads of one process would not exercise.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

pytestmark = [
    pytest.mark.skipif(os.name != "posix", reason="flock"),
    pytest.mark.timeout(300),
]

CLI = Path(sys.executable).parent / "oco-reconcile"
PROCESSES = 5
# name prefix, symbol, quantity, take-profit price, stop price, stop limit price: five lists per
# symbol, the seeded MAX_NUM_ALGO_ORDERS, so 20 brackets fill the account exactly.
SYMBOLS = [
    ("btc", "BTCUSDT", "0.01", 120000, "100000", "99900"),
    ("eth", "ETHUSDT", "0.1", 4400, "3700", "3690"),
    ("bnb", "BNBUSDT", "0.5", 950, "780", "779"),
    ("sol", "SOLUSDT", "1", 230, "180", "179.5"),
]
SETTINGS = "exchange: sim\nowner: ocr\nprune: true\nallow_empty: true\nsim_state: state/sim.json\n"


def _brackets() -> str:
    lines = ["brackets:"]
    for prefix, symbol, quantity, take_profit, stop, limit in SYMBOLS:
        for i in range(5):
            lines.append(
                f"  - name: {prefix}-{i}\n    symbol: {symbol}\n    side: SELL\n"
                f'    quantity: "{quantity}"\n    take_profit: {{price: "{take_profit + i}"}}\n'
                f'    stop_loss: {{stop_price: "{stop}", price: "{limit}"}}'
            )
    return "\n".join(lines) + "\n"


def _start(argv: list[str], cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _state(repo: Path) -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = json.loads((repo / "state/sim.json").read_text())
    return data


def test_five_applies_at_once_place_each_list_once(tmp_path: Path) -> None:
    (tmp_path / "oco-reconcile.yaml").write_text(SETTINGS)
    (tmp_path / "brackets").mkdir()
    (tmp_path / "brackets/all.yaml").write_text(_brackets())
    runs = [_start([str(CLI), "apply", "--auto-approve"], tmp_path) for _ in range(PROCESSES)]
    outputs = [run.communicate()[0] for run in runs]
    assert not any("Traceback" in out for out in outputs), outputs
    state = _state(tmp_path)
    placed = [e["list_client_order_id"] for e in state["events"] if e["kind"] == "placed"]
    assert len(placed) == 20
    assert max(Counter(placed).values()) == 1
    lists = [item["order_list_id"] for item in state["orderLists"]]
    assert sorted(lists) == list(range(1, 21))  # every list id handed out once
    orders = [item["order_id"] for item in state["orders"]]
    assert sorted(orders) == list(range(1, 41))
    reported = sum(out.count("done - placed") for out in outputs)
    assert reported == 20
    check = subprocess.run(
        [str(CLI), "plan", "--detailed-exitcode"], cwd=tmp_path, capture_output=True, check=False
    )
    assert check.returncode == 0  # converged: nothing left to do


PLACE_SCRIPT = textwrap.dedent(
    """
    import sys
    import httpx
    from oco_reconcile.sim.exchange import open_sim
    from tests.support.fake_time import FakeTime
    from tests.support.sim_api import SIM_START, Api, sell_oco

    process = int(sys.argv[2])
    clock = FakeTime(SIM_START)
    sim = open_sim(sys.argv[1], clock=clock.clock_ms)
    with httpx.Client(base_url="http://sim.local", transport=sim.transport()) as http:
        api = Api(http, clock)
        for i in range(4):
            name = f"p{process}-{i}"
            params = sell_oco(
                symbol="ETHUSDT", quantity="0.1", abovePrice="4400", belowStopPrice="3700",
                belowPrice="3690", listClientOrderId=name,
                aboveClientOrderId=name + "-tp", belowClientOrderId=name + "-sl",
            )
            response = api.signed("POST", "/api/v3/orderList/oco", **params)
            print(response.status_code, response.json().get("msg", ""))
    """
)


def test_processes_placing_at_once_lose_no_update(tmp_path: Path) -> None:
    """Five processes, four placements each, one symbol: the fifth list on ETHUSDT fills its
    MAX_NUM_ALGO_ORDERS, so exactly five placements succeed and fifteen are refused."""
    path = tmp_path / "sim.json"
    root = Path(__file__).resolve().parents[2]
    argv = [sys.executable, "-c", PLACE_SCRIPT, str(path)]
    runs = [_start([*argv, str(n)], root) for n in range(PROCESSES)]
    answers = [line for run in runs for line in run.communicate()[0].splitlines()]
    assert Counter(line.split()[0] for line in answers) == {"200": 5, "400": 15}, answers
    state = json.loads(path.read_text())
    assert len(state["orderLists"]) == 5
    assert sorted(item["order_id"] for item in state["orders"]) == list(range(1, 11))
