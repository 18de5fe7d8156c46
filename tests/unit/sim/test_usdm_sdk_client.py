"""The official ``binance-sdk-derivatives-trading-usds-futures`` places, queries, lists and
cancels a conditional (algo) order against ``sim serve``, unmodified.

Only ``base_path`` points at the local server; the SDK signs, encodes and parses exactly as it does
against fapi.binance.com (its pydantic models must accept every answer without a warning).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import cast

import pytest
from binance_common.errors import BadRequestError
from binance_sdk_derivatives_trading_usds_futures.derivatives_trading_usds_futures import (
    DerivativesTradingUsdsFutures,
)
from binance_sdk_derivatives_trading_usds_futures.rest_api.models import (
    NewAlgoOrderAlgoTypeEnum,
    NewAlgoOrderClosePositionEnum,
    NewAlgoOrderSideEnum,
    NewAlgoOrderTypeEnum,
    NewAlgoOrderWorkingTypeEnum,
)
from binance_sdk_derivatives_trading_usds_futures.rest_api.models.current_all_algo_open_orders_response_inner import (  # noqa: E501
    CurrentAllAlgoOpenOrdersResponseInner,
)
from binance_sdk_derivatives_trading_usds_futures.rest_api.rest_api import (
    DerivativesTradingUsdsFuturesRestAPI,
)

from oco_reconcile.sim.exchange import open_sim
from tests.support.sim_api import sdk_configuration, serve


@pytest.fixture
def futures() -> Iterator[DerivativesTradingUsdsFutures]:
    for url in serve(open_sim(None)):  # the SDK stamps requests with the real clock
        yield DerivativesTradingUsdsFutures(config_rest_api=sdk_configuration(url))


def open_algo_orders(rest: DerivativesTradingUsdsFuturesRestAPI) -> list[str]:
    """``GET /fapi/v1/openAlgoOrders`` is an array; the SDK types its answer as one model."""
    data = rest.current_all_algo_open_orders(symbol="BTCUSDT").data()
    items = cast("list[CurrentAllAlgoOpenOrdersResponseInner]", data)
    return [str(item.client_algo_id) for item in items]


def test_sdk_algo_order_round_trip(
    futures: DerivativesTradingUsdsFutures, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    rest = futures.rest_api
    placed = rest.new_algo_order(
        algo_type=NewAlgoOrderAlgoTypeEnum["CONDITIONAL"],
        symbol="BTCUSDT",
        side=NewAlgoOrderSideEnum["SELL"],
        type=NewAlgoOrderTypeEnum["TAKE_PROFIT_MARKET"],
        trigger_price=125000.0,
        close_position=NewAlgoOrderClosePositionEnum["TRUE"],
        working_type=NewAlgoOrderWorkingTypeEnum["MARK_PRICE"],
        client_algo_id="sdk-exit-tp",
    ).data()
    assert (placed.client_algo_id, placed.algo_status) == ("sdk-exit-tp", "NEW")
    assert (placed.trigger_price, placed.close_position) == ("125000.00", True)

    queried = rest.query_algo_order(client_algo_id="sdk-exit-tp").data()
    assert (queried.algo_id, queried.order_type) == (placed.algo_id, "TAKE_PROFIT_MARKET")

    assert open_algo_orders(rest) == ["sdk-exit-tp"]

    cancelled = rest.cancel_algo_order(algo_id=placed.algo_id).data()
    assert (cancelled.client_algo_id, cancelled.code, cancelled.msg) == (
        "sdk-exit-tp",
        "200",
        "success",
    )
    assert open_algo_orders(rest) == []

    with pytest.raises(BadRequestError, match=r"Unknown order sent\."):
        rest.cancel_algo_order(algo_id=placed.algo_id)
    assert not [
        r
        for r in caplog.records
        if "did not match" in r.getMessage() or "Failed to parse" in r.getMessage()
    ]
