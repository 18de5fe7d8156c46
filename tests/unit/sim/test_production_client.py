"""The production ``BinanceClient`` over the in-process transport (what ``exchange: sim`` runs):
the simulator's answers must parse, and its faults must map to the client's error classes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oco_reconcile.core.model import Leg, LegRequest, LegType, OcoRequest, Side, TimeInForce
from oco_reconcile.errors import DuplicateOrderError, OutcomeUnknownError
from oco_reconcile.sim.exchange import SimExchange, open_sim
from oco_reconcile.sim.wire.faults import FaultKind, FaultPlan, FaultRule
from oco_reconcile.sim.wire.keys import SIM_API_KEY, SIM_API_SECRET
from oco_reconcile.venues.credentials import Credentials
from oco_reconcile.venues.retry import RetryPolicy
from oco_reconcile.venues.spot.client import BinanceClient

LIST_ID = "ocr-btc-exit-abcdef"
REQUEST = OcoRequest(
    symbol="BTCUSDT",
    side=Side.SELL,
    quantity=Decimal("0.01"),
    list_client_order_id=LIST_ID,
    above=LegRequest(Leg(LegType.LIMIT_MAKER, price=Decimal("120000")), LIST_ID + "-tp"),
    below=LegRequest(
        Leg(
            LegType.STOP_LOSS_LIMIT,
            price=Decimal("99900"),
            stop_price=Decimal("100000"),
            time_in_force=TimeInForce.GTC,
        ),
        LIST_ID + "-sl",
    ),
)


def client_for(sim: SimExchange) -> BinanceClient:
    return BinanceClient(
        "http://sim.local",
        Credentials.hmac(SIM_API_KEY, SIM_API_SECRET),
        transport=sim.transport(),
        sleep=lambda _seconds: None,
        retry=RetryPolicy(),
    )


def test_place_read_cancel_with_the_production_client() -> None:
    with client_for(open_sim(None)) as client:
        placed = client.place_oco(REQUEST)
        assert placed.list_client_order_id == LIST_ID
        assert [ref.client_order_id for ref in placed.orders] == [LIST_ID + "-sl", LIST_ID + "-tp"]
        with pytest.raises(DuplicateOrderError):
            client.place_oco(REQUEST)
        assert [item.list_client_order_id for item in client.open_order_lists()] == [LIST_ID]
        assert {order.client_order_id for order in client.open_orders("BTCUSDT")} == {
            LIST_ID + "-sl",
            LIST_ID + "-tp",
        }
        assert client.balances()["BTC"].locked == Decimal("0.01")
        assert client.prices(["BTCUSDT"])["BTCUSDT"] == Decimal("110000")
        assert client.exchange_info(["BTCUSDT"]).symbols["BTCUSDT"].max_num_order_lists == 20
        cancelled = client.cancel_order_list("BTCUSDT", LIST_ID, LIST_ID + "-cx")
        assert cancelled is not None
        assert cancelled.list_order_status == "ALL_DONE"
        assert client.cancel_order_list("BTCUSDT", LIST_ID) is None  # already gone
        assert client.order_list("never-placed") is None
        assert client.order("BTCUSDT", 999) is None


def test_accepted_then_5xx_is_an_unknown_outcome_with_one_list() -> None:
    faults = FaultPlan(
        (FaultRule(FaultKind.HTTP_5XX, "POST /api/v3/orderList/oco", after=True, sequence=(True,)),)
    )
    sim = open_sim(None, faults=faults)
    with client_for(sim) as client:
        with pytest.raises(OutcomeUnknownError):
            client.place_oco(REQUEST)
        found = client.order_list(LIST_ID)
        assert found is not None
        assert found.is_open
    assert [item.list_client_order_id for item in sim.engine.open_order_lists()] == [LIST_ID]
