"""The engine's open-order index (``EngineState.open``) stays equal to a scan of its records
through any sequence of placements, cancels, fills and expiries; and the check can fail."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oco_reconcile.sim.engine.store import state_from_json, state_to_json
from oco_reconcile.sim.exchange import SimExchange
from tests.support.fake_time import FakeTime
from tests.support.open_book import open_book_problems
from tests.support.sim_api import SIM_START, Api, buy_oco, make_sim

LIST_IDS = ("ocr-a", "ocr-b", "ocr-c")
ORDER_IDS = ("leg-1", "leg-2", "single-1")
BTC_PRICES = ("99000", "99950", "105000", "110000", "120500")

Step = Callable[[Api, SimExchange], object]


def _place_sell(list_id: str, leg_id: str | None) -> Step:
    return lambda api, _: api.place(listClientOrderId=list_id, aboveClientOrderId=leg_id)


def _place_buy(list_id: str) -> Step:
    return lambda api, _: api.signed(
        "POST", "/api/v3/orderList/oco", **buy_oco(listClientOrderId=list_id)
    )


def _single(kind: str, client_id: str) -> Step:
    params: dict[str, Any] = {"symbol": "BTCUSDT", "side": "SELL", "quantity": "0.01"}
    params["newClientOrderId"] = client_id
    if kind == "MARKET":
        params["type"] = "MARKET"
    else:
        params.update(type="LIMIT", price="115000" if kind == "GTC" else "130000", timeInForce=kind)
    return lambda api, _: api.signed("POST", "/api/v3/order", **params)


def _cancel_list(symbol: str, list_id: str) -> Step:
    return lambda api, _: api.signed(
        "DELETE", "/api/v3/orderList", symbol=symbol, listClientOrderId=list_id
    )


def _cancel_order(client_id: str) -> Step:
    return lambda api, _: api.signed(
        "DELETE", "/api/v3/order", symbol="BTCUSDT", origClientOrderId=client_id
    )


def _cancel_all(symbol: str) -> Step:
    return lambda api, _: api.signed("DELETE", "/api/v3/openOrders", symbol=symbol)


def _move(price: str) -> Step:
    return lambda _, sim: sim.engine.set_price("BTCUSDT", Decimal(price))


ids = st.sampled_from(LIST_IDS)
steps = st.one_of(
    st.builds(_place_sell, ids, st.one_of(st.none(), st.sampled_from(ORDER_IDS))),
    st.builds(_place_buy, ids),
    st.builds(_single, st.sampled_from(("GTC", "IOC", "MARKET")), st.sampled_from(ORDER_IDS)),
    st.builds(_cancel_list, st.sampled_from(("BTCUSDT", "ETHUSDT")), ids),
    st.builds(_cancel_order, st.sampled_from(ORDER_IDS)),
    st.builds(_cancel_all, st.sampled_from(("BTCUSDT", "ETHUSDT"))),
    st.builds(_move, st.sampled_from(BTC_PRICES)),
)


def _in_process_api() -> Iterator[tuple[Api, SimExchange]]:
    time = FakeTime(SIM_START)
    sim = make_sim(time)
    with httpx.Client(base_url="http://sim.local", transport=sim.transport()) as http:
        yield Api(http, time), sim


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(steps, min_size=1, max_size=25))
def test_the_index_matches_the_records_after_every_step(sequence: list[Step]) -> None:
    for api, sim in _in_process_api():
        state = sim.engine.state
        for step in sequence:
            step(api, sim)
            assert open_book_problems(state) == []
        reloaded = state_from_json(state_to_json(state))
        assert open_book_problems(reloaded) == []
        assert [o.order_id for o in reloaded.open.orders()] == [
            o.order_id for o in state.open.orders()
        ]


def test_a_sequence_opens_and_closes_orders_through_every_path() -> None:
    """The strategies above reach each way out of "open" (so the property is not vacuous)."""
    for api, sim in _in_process_api():
        state = sim.engine.state
        for step in (
            _place_sell("ocr-a", "leg-1"), _cancel_list("BTCUSDT", "ocr-a"),  # cancelled
            _place_sell("ocr-b", None), _move("120500"),  # filled, the stop expired
            _single("IOC", "single-1"),  # expired unfilled
            _move("110000"), _place_sell("ocr-c", None), _move("99000"),
            _cancel_working_leg,  # the stop leg, working on its own
        ):  # fmt: skip
            step(api, sim)
            assert open_book_problems(state) == []
        statuses = {order.status for order in state.orders.values()}
        assert statuses == {"CANCELED", "FILLED", "EXPIRED"}
        assert (state.open.orders(), state.open.lists()) == ([], [])


def _cancel_working_leg(api: Api, sim: SimExchange) -> object:
    (working,) = sim.engine.state.open.orders()
    return api.signed("DELETE", "/api/v3/order", symbol="BTCUSDT", orderId=working.order_id)


@pytest.mark.parametrize("where", ["order", "list"])
def test_the_check_sees_a_status_changed_behind_the_index(where: str) -> None:
    for api, sim in _in_process_api():
        assert api.place().status_code == 200
        state = sim.engine.state
        if where == "order":
            next(iter(state.orders.values())).status = "CANCELED"
        else:
            next(iter(state.lists.values())).list_order_status = "ALL_DONE"
        assert open_book_problems(state) != []
