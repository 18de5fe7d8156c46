"""The official ``binance-sdk-spot`` places, lists and cancels an OCO against ``sim serve``,
unmodified.

Only ``base_path`` points at the local server; the SDK signs, encodes and parses exactly as it does
against api.binance.com (its own pydantic models must accept every answer without a warning).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import cast

import pytest
from binance_common.errors import BadRequestError
from binance_sdk_spot.rest_api import SpotRestAPI
from binance_sdk_spot.rest_api.models import (
    OrderListOcoAboveTypeEnum,
    OrderListOcoBelowTimeInForceEnum,
    OrderListOcoBelowTypeEnum,
    OrderListOcoSideEnum,
)
from binance_sdk_spot.rest_api.models.open_order_list_response_inner import (
    OpenOrderListResponseInner,
)
from binance_sdk_spot.spot import Spot

from oco_reconcile.sim.exchange import open_sim
from tests.support.sim_api import sdk_configuration, serve


@pytest.fixture
def spot() -> Iterator[Spot]:
    for url in serve(open_sim(None)):  # the SDK stamps requests with the real clock
        yield Spot(config_rest_api=sdk_configuration(url))


def open_lists(rest: SpotRestAPI) -> list[OpenOrderListResponseInner]:
    """``GET /api/v3/openOrderList`` is an array; the SDK types its answer as one model."""
    return cast("list[OpenOrderListResponseInner]", rest.open_order_list().data())


def test_sdk_round_trip(spot: Spot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    rest = spot.rest_api
    placed = rest.order_list_oco(
        symbol="BTCUSDT",
        side=OrderListOcoSideEnum["SELL"],
        quantity=0.01,
        above_type=OrderListOcoAboveTypeEnum["LIMIT_MAKER"],
        above_price=120000.0,
        below_type=OrderListOcoBelowTypeEnum["STOP_LOSS_LIMIT"],
        below_stop_price=100000.0,
        below_price=99900.0,
        below_time_in_force=OrderListOcoBelowTimeInForceEnum["GTC"],
        list_client_order_id="sdk-bracket",
    ).data()
    assert placed.list_client_order_id == "sdk-bracket"
    assert placed.order_reports is not None
    assert [report.type for report in placed.order_reports] == ["STOP_LOSS_LIMIT", "LIMIT_MAKER"]

    listed = open_lists(rest)
    assert [item.list_client_order_id for item in listed] == ["sdk-bracket"]

    cancelled = rest.delete_order_list(symbol="BTCUSDT", list_client_order_id="sdk-bracket").data()
    assert cancelled.list_status_type == "ALL_DONE"
    assert cancelled.order_reports is not None
    assert {report.status for report in cancelled.order_reports} == {"CANCELED"}
    assert open_lists(rest) == []

    with pytest.raises(BadRequestError, match=r"Unknown order list sent\."):
        rest.delete_order_list(symbol="BTCUSDT", list_client_order_id="sdk-bracket")
    assert not [
        r
        for r in caplog.records
        if "did not match" in r.getMessage() or "Failed to parse" in r.getMessage()
    ]
