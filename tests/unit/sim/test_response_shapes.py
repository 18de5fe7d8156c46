"""Every endpoint's JSON keys, key order and value types against the docs' examples.

Examples come from ``tests/fixtures/binance/`` and, for the endpoints it does not cover, from
``data/docs_examples.json`` (copied from rest-api.md). Fields the docs call conditional may be
absent or extra; every other key must be there, in the example's order, with the same JSON type
(tests/support/shapes.py). Every comparison has data on both sides.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from oco_reconcile.sim.engine.machine import Engine
from tests.support.shapes import assert_same_shape
from tests.support.sim_api import Api, sell_oco

DOCS_EXAMPLES = json.loads((Path(__file__).parent / "data" / "docs_examples.json").read_text())


# enums.md "Rate limiters (rateLimitType)": the key order of the docs' rate limiter objects
RATE_LIMITER_KEYS = ("rateLimitType", "interval", "intervalNum", "limit")


def _without_empty_lists(info: dict[str, Any]) -> dict[str, Any]:
    """exchangeInfo without ``exchangeFilters``, and each symbol without ``filters`` and
    ``permissions``."""
    dropped = ("filters", "permissions")
    symbols = [{k: v for k, v in item.items() if k not in dropped} for item in info["symbols"]]
    return {k: v for k, v in info.items() if k != "exchangeFilters"} | {"symbols": symbols}


def fixture(fixtures_dir: Path, name: str) -> Any:
    return json.loads((fixtures_dir / name).read_text())


def _iceberg_oco() -> dict[str, Any]:
    """Like the docs' example, the stop leg carries an icebergQty."""
    return sell_oco(belowIcebergQty="0.005")


def test_place_oco_result_shape(api: Api, fixtures_dir: Path) -> None:
    ours = api.place(**_iceberg_oco(), newOrderRespType="RESULT").json()
    assert_same_shape(ours, fixture(fixtures_dir, "oco_new_response.json")["response"])


def test_place_oco_full_and_ack_shapes(api: Api, fixtures_dir: Path) -> None:
    docs = fixture(fixtures_dir, "order_new_responses_doc.json")["responses"]
    full = api.place(**_iceberg_oco(), newOrderRespType="FULL").json()
    for report in full["orderReports"]:
        assert report["fills"] == []
        assert list(report)[-1] == "fills"
    ack = api.place(listClientOrderId="ack-list", newOrderRespType="ACK").json()
    ack_report = docs["ACK"]["parsed_comments_stripped"]
    assert [list(report) for report in ack["orderReports"]] == [list(ack_report)] * 2


def test_deprecated_oco_shape(api: Api, fixtures_dir: Path) -> None:
    ours = api.signed(
        "POST",
        "/api/v3/order/oco",
        symbol="BTCUSDT",
        side="SELL",
        quantity="0.01",
        price="120000",
        stopPrice="100000",
        newOrderRespType="RESULT",
    ).json()
    example = fixture(fixtures_dir, "oco_deprecated_order_oco_response.json")["response"]
    assert_same_shape(ours, example)
    assert ours["orderReports"][0]["price"] == "0.00000000"  # a STOP_LOSS leg has no limit price


def test_list_query_shapes(api: Api, fixtures_dir: Path) -> None:
    api.place()
    open_lists = api.signed("GET", "/api/v3/openOrderList").json()
    assert_same_shape(
        open_lists, fixture(fixtures_dir, "open_order_list_response.json")["response"]
    )
    one = api.signed("GET", "/api/v3/orderList", orderListId=1).json()
    assert_same_shape(one, fixture(fixtures_dir, "order_list_get_response.json")["response"])
    everything = api.signed("GET", "/api/v3/allOrderList").json()
    assert_same_shape(everything, fixture(fixtures_dir, "all_order_list_response.json")["response"])


def test_cancel_list_shape(api: Api, fixtures_dir: Path) -> None:
    api.place()
    ours = api.signed("DELETE", "/api/v3/orderList", symbol="BTCUSDT", orderListId=1).json()
    assert_same_shape(ours, fixture(fixtures_dir, "order_list_cancel_response.json")["response"])


def test_order_shapes(api: Api) -> None:
    placed = api.place().json()
    open_orders = api.signed("GET", "/api/v3/openOrders", symbol="BTCUSDT").json()
    assert_same_shape(open_orders, DOCS_EXAMPLES["GET /api/v3/openOrders"]["response"])
    order_id = placed["orders"][0]["orderId"]
    one = api.signed("GET", "/api/v3/order", symbol="BTCUSDT", orderId=order_id).json()
    assert_same_shape(one, DOCS_EXAMPLES["GET /api/v3/order"]["response"])


def test_cancel_stray_order_shape(api: Api, engine: Engine) -> None:
    """A triggered stop-limit leg outlives its list: cancelling it answers the order shape."""
    placed = api.place().json()
    engine.set_price("BTCUSDT", Decimal("99000"))
    stop_id = placed["orders"][0]["orderId"]
    ours = api.signed("DELETE", "/api/v3/order", symbol="BTCUSDT", orderId=stop_id).json()
    assert_same_shape(ours, DOCS_EXAMPLES["DELETE /api/v3/order"]["response"])
    assert (ours["orderListId"], ours["status"]) == (placed["orderListId"], "CANCELED")


def test_account_shape(api: Api, fixtures_dir: Path) -> None:
    ours = api.signed("GET", "/api/v3/account").json()
    assert_same_shape(ours, fixture(fixtures_dir, "account_response.json")["response"])
    nonzero = api.signed("GET", "/api/v3/account", omitZeroBalances="true").json()
    assert all(row["free"] != "0.00000000" for row in nonzero["balances"])


def test_market_data_shapes(api: Api, fixtures_dir: Path) -> None:
    ticker = fixture(fixtures_dir, "ticker_price_response.json")
    one = api.public("GET", "/api/v3/ticker/price", symbol="BTCUSDT").json()
    assert_same_shape(one, ticker["response_single_symbol"])
    assert one == {"symbol": "BTCUSDT", "price": "110000.00000000"}
    every = api.public("GET", "/api/v3/ticker/price").json()
    assert_same_shape(every, ticker["response_no_symbol_or_symbols"])
    some = api.public("GET", "/api/v3/ticker/price", symbols='["ETHUSDT","BTCUSDT"]').json()
    assert [item["symbol"] for item in some] == ["ETHUSDT", "BTCUSDT"]
    server_time = api.public("GET", "/api/v3/time").json()
    assert_same_shape(server_time, fixture(fixtures_dir, "server_time_response.json")["response"])
    assert_same_shape(
        api.public("GET", "/api/v3/avgPrice", symbol="BTCUSDT").json(),
        DOCS_EXAMPLES["GET /api/v3/avgPrice"]["response"],
    )
    assert api.public("GET", "/api/v3/ping").json() == DOCS_EXAMPLES["GET /api/v3/ping"]["response"]


def test_exchange_info_shape_and_real_btcusdt_filters(api: Api, fixtures_dir: Path) -> None:
    ours = api.public("GET", "/api/v3/exchangeInfo", symbol="BTCUSDT").json()
    recorded = fixture(fixtures_dir, "exchange_info_btcusdt.json")["response_filtered_to_BTCUSDT"]
    # The docs' example lists its rate limits as a placeholder ``[{}]``: compare ours with the real
    # recorded ones instead, in the docs' key order (the recording's keys are sorted).
    limits = [{key: item[key] for key in RATE_LIMITER_KEYS} for item in recorded["rateLimits"]]
    example = {**DOCS_EXAMPLES["GET /api/v3/exchangeInfo"]["response"], "rateLimits": limits}
    # Lists with nothing in them have no shape to compare; they are checked by value instead:
    # nobody has an exchange filter, the docs' symbol shows no filters (ours: see below), and the
    # docs, the recording and ours all answer the old ``permissions`` empty (permissionSets holds
    # the permissions now).
    assert (
        ours["exchangeFilters"] == example["exchangeFilters"] == recorded["exchangeFilters"] == []
    )
    assert example["symbols"][0]["filters"] == []
    docs_symbol, real_symbol = example["symbols"][0], recorded["symbols"][0]
    assert ours["symbols"][0]["permissions"] == docs_symbol["permissions"] == []
    assert real_symbol["permissions"] == []
    assert_same_shape(_without_empty_lists(ours), _without_empty_lists(example))
    recorded_filters = recorded["symbols"][0]["filters"]
    assert ours["symbols"][0]["filters"][: len(recorded_filters)] == recorded_filters
    assert ours["symbols"][0]["filters"][-1] == {
        "filterType": "MAX_NUM_ORDER_LISTS",
        "maxNumOrderLists": 20,
    }
    kinds = {(item["rateLimitType"], item["interval"]) for item in ours["rateLimits"]}
    assert kinds == {
        ("REQUEST_WEIGHT", "MINUTE"),
        ("ORDERS", "SECOND"),
        ("ORDERS", "DAY"),
        ("RAW_REQUESTS", "MINUTE"),
    }
    every = api.public("GET", "/api/v3/exchangeInfo").json()
    assert [item["symbol"] for item in every["symbols"]] == [
        "BTCUSDT",
        "ETHUSDT",
        "BNBUSDT",
        "SOLUSDT",
    ]
