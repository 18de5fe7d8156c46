"""Many clients at once against ``sim serve`` (the threaded server, one engine lock): no lost
update, and one list client id is never placed twice while open."""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from oco_reconcile.sim.exchange import SimExchange, open_sim
from tests.support.fake_time import FakeTime
from tests.support.sim_api import Api, buy_oco, sell_oco

LIST_ID = "ocr-btc-exit-abcdef"


def test_racing_duplicates_place_the_list_once(
    server_url: str, clock: FakeTime, sim: SimExchange
) -> None:
    def attempt(_index: int) -> int:
        with httpx.Client(base_url=server_url, timeout=10) as http:
            return Api(http, clock).place().status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(attempt, range(16)))
    assert sorted(statuses) == [200] + [400] * 15
    placed = [e.list_client_order_id for e in sim.engine.events() if e.kind == "placed"]
    assert placed == [LIST_ID]


def test_parallel_placements_keep_balances_exact(
    server_url: str, clock: FakeTime, sim: SimExchange
) -> None:
    def place(index: int) -> int:
        with httpx.Client(base_url=server_url, timeout=10) as http:
            params = buy_oco(listClientOrderId=f"eth-{index}", quantity="0.1")
            params.update(
                aboveClientOrderId=f"eth-{index}-sl", belowClientOrderId=f"eth-{index}-tp"
            )
            return Api(http, clock).signed("POST", "/api/v3/orderList/oco", **params).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(place, range(5)))  # ETHUSDT allows 5 algo orders
    assert statuses == [200] * 5
    usdt = dict(sim.engine.balances())["USDT"]
    assert (str(usdt.free), str(usdt.locked)) == ("97795.0", "2205.0")  # 5 x 0.1 x 4410
    assert sorted(order.order_id for order in sim.engine.open_orders()) == list(range(1, 11))


def test_concurrent_placements_over_a_state_file_are_never_lost(
    tmp_path: Path, clock: FakeTime
) -> None:
    """The default `exchange: sim` path: many requests at once, each saving the state file."""

    def place(sim: SimExchange, params: dict[str, Any]) -> int:
        with httpx.Client(transport=sim.transport(), base_url="http://sim.local") as http:
            return Api(http, clock).signed("POST", "/api/v3/orderList/oco", **params).status_code

    for round_number in range(4):
        path = tmp_path / f"sim-{round_number}.json"
        sim = open_sim(path, clock=clock.clock_ms, sleep=clock.sleep)
        orders = [
            buy_oco(
                listClientOrderId=f"eth-{i}",
                aboveClientOrderId=f"eth-{i}-sl",
                belowClientOrderId=f"eth-{i}-tp",
                quantity="0.1",
            )
            for i in range(5)
        ] + [
            sell_oco(
                listClientOrderId=f"btc-{i}",
                aboveClientOrderId=f"btc-{i}-tp",
                belowClientOrderId=f"btc-{i}-sl",
                quantity="0.01",
            )
            for i in range(5)
        ]
        with ThreadPoolExecutor(max_workers=10) as pool:
            statuses = list(pool.map(functools.partial(place, sim), orders))
        assert statuses == [200] * 10
        reopened = open_sim(path, clock=clock.clock_ms, sleep=clock.sleep)
        assert len(reopened.engine.open_order_lists()) == 10, f"round {round_number}"
