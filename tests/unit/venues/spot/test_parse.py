"""Parsing the docs' example responses (tests/fixtures/binance) into the project's values."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from oco_reconcile.core.model import (
    AccountFilters,
    LotSize,
    NotionalFilter,
    OrderRef,
    PercentPrice,
    PercentPriceBySide,
    PriceFilter,
    Side,
    TrailingDeltaFilter,
)
from oco_reconcile.core.ratelimits import RateLimit, RateLimitType
from oco_reconcile.venues.spot.fields import ResponseFormatError
from oco_reconcile.venues.spot.parse import (
    parse_account_permissions,
    parse_balances,
    parse_exchange_info,
    parse_order_list,
    parse_order_lists,
    parse_order_report,
    parse_order_reports,
    parse_prices,
    parse_server_time,
    parse_symbol_rules,
)

DATA = Path(__file__).parent / "data"
Load = Callable[[str], Any]


def test_oco_placement_response(fixture_json: Load) -> None:
    order_list = parse_order_list(fixture_json("oco_new_response.json")["response"])
    assert order_list.order_list_id == 1
    assert order_list.list_client_order_id == "lH1YDkuQKWiXVXHPSKYEIp"
    assert order_list.symbol == "LTCBTC"
    assert (order_list.contingency_type, order_list.list_order_status) == ("OCO", "EXECUTING")
    assert order_list.is_open
    assert order_list.transaction_time == 1710485608839
    assert order_list.orders[0] == OrderRef("LTCBTC", 10, "44nZvqpemY7sVYgPYbvPih")
    stop, limit = order_list.reports
    assert stop.type == "STOP_LOSS_LIMIT"
    assert stop.side is Side.SELL
    assert stop.price == Decimal("1.00000000")
    assert stop.stop_price == Decimal("1")
    assert stop.iceberg_qty == Decimal("1")
    assert stop.orig_qty == Decimal("5")
    assert stop.executed_qty == 0
    assert stop.time == 1710485608839  # transactTime
    assert stop.time_in_force == "GTC"
    assert limit.type == "LIMIT_MAKER"
    assert limit.stop_price is None  # absent
    assert limit.iceberg_qty is None
    assert limit.price == Decimal("3.00000000")


def test_decimals_keep_the_exact_string_value(fixture_json: Load) -> None:
    stop = parse_order_list(fixture_json("oco_new_response.json")["response"]).reports[0]
    assert str(stop.price) == "1.00000000"
    assert isinstance(stop.orig_qty, Decimal)


def test_open_order_list_response(fixture_json: Load) -> None:
    (order_list,) = parse_order_lists(fixture_json("open_order_list_response.json")["response"])
    assert order_list.order_list_id == 31
    assert order_list.list_client_order_id == "wuB13fmulKj3YjdqWEcsnp"
    assert [o.order_id for o in order_list.orders] == [4, 5]
    assert order_list.reports == ()


def test_order_list_lookup_response(fixture_json: Load) -> None:
    order_list = parse_order_list(fixture_json("order_list_get_response.json")["response"])
    assert (order_list.order_list_id, order_list.list_client_order_id) == (
        27,
        "h2USkA5YQpaXHPIrkd96xE",
    )
    assert order_list.orders[1].client_order_id == "ARzZ9I00CPM8i3NhmU9Ega"


def test_all_order_list_response(fixture_json: Load) -> None:
    lists = parse_order_lists(fixture_json("all_order_list_response.json")["response"])
    assert [item.order_list_id for item in lists] == [29, 28]


def test_cancel_response_keeps_the_original_leg_ids(fixture_json: Load) -> None:
    order_list = parse_order_list(fixture_json("order_list_cancel_response.json")["response"])
    assert order_list.list_order_status == "ALL_DONE"
    assert not order_list.is_open
    stop, limit = order_list.reports
    assert stop.status == "CANCELED"
    assert stop.orig_client_order_id == "pO9ufTiFGg3nw2fOdgeOXa"
    assert stop.client_order_id == "unfWT8ig8i0uj6lPuYLez6"
    assert limit.orig_client_order_id == "TXOvglzXuaubXAaENpaRCB"


def test_open_orders_response_zero_stop_and_iceberg_become_none() -> None:
    payload = json.loads((DATA / "open_orders_response.json").read_text(encoding="utf-8"))
    (order,) = parse_order_reports(payload["response"])
    assert order.order_list_id == -1
    assert order.stop_price is None  # "0.0"
    assert order.iceberg_qty is None  # "0.0"
    assert order.is_working is True
    assert order.time == 1499827319559
    assert order.price == Decimal("0.1")


def test_order_result_report_from_the_docs(fixture_json: Load) -> None:
    raw = fixture_json("order_new_responses_doc.json")["responses"]["RESULT"]
    report = parse_order_report(raw["parsed_comments_stripped"])
    assert (report.order_id, report.order_list_id, report.status) == (28, -1, "FILLED")
    assert report.executed_qty == Decimal("10")
    assert report.stop_price is None


def test_stop_price_zero_string_is_none_but_nonzero_is_kept() -> None:
    base = {
        "symbol": "BTCUSDT",
        "orderId": 1,
        "orderListId": 7,
        "clientOrderId": "c",
        "side": "SELL",
        "type": "STOP_LOSS",
        "status": "NEW",
        "price": "0.00000000",
        "origQty": "1",
        "executedQty": "0",
    }
    assert parse_order_report({**base, "stopPrice": "0.00000000"}).stop_price is None
    assert parse_order_report({**base, "stopPrice": "98000.10"}).stop_price == Decimal("98000.10")
    assert parse_order_report({**base, "trailingDelta": 100}).trailing_delta == 100
    assert parse_order_report({**base, "expiryReason": "OCO_TRIGGER"}).expiry_reason == (
        "OCO_TRIGGER"
    )
    assert parse_order_report(base).price == 0


def test_unknown_extra_fields_are_ignored(fixture_json: Load) -> None:
    raw = dict(fixture_json("order_list_get_response.json")["response"])
    raw["someFieldBinanceAddsNextYear"] = {"nested": [1, 2]}
    assert parse_order_list(raw).order_list_id == 27


def test_real_exchange_info_recording(fixture_json: Load) -> None:
    info = parse_exchange_info(
        fixture_json("exchange_info_btcusdt.json")["response_filtered_to_BTCUSDT"]
    )
    assert info.server_time == 1754603741167
    assert info.account_filters == AccountFilters()
    assert RateLimit(RateLimitType.ORDERS, "SECOND", 10, 100) in info.rate_limits
    assert RateLimit(RateLimitType.REQUEST_WEIGHT, "MINUTE", 1, 6000) in info.rate_limits
    rules = info.symbols["BTCUSDT"]
    assert (rules.base_asset, rules.quote_asset, rules.status) == ("BTC", "USDT", "TRADING")
    assert rules.base_asset_precision == 8
    assert rules.oco_allowed
    assert rules.allow_trailing_stop
    assert "STOP_LOSS_LIMIT" in rules.order_types
    assert rules.price_filter == PriceFilter(Decimal("0.01"), Decimal("1000000"), Decimal("0.01"))
    assert rules.lot_size == LotSize(Decimal("0.00001"), Decimal("9000"), Decimal("0.00001"))
    assert rules.notional == NotionalFilter(
        Decimal("5"), Decimal("9000000"), apply_max_to_market=False, avg_price_mins=5
    )
    assert rules.max_position is None
    assert [len(s) for s in rules.permission_sets] == [205]
    assert {"SPOT", "TRD_GRP_004"} <= rules.permission_sets[0]
    assert rules.percent_price_by_side == PercentPriceBySide(
        Decimal("5"), Decimal("0.2"), Decimal("5"), Decimal("0.2"), 5
    )
    assert rules.trailing_delta == TrailingDeltaFilter(10, 2000, 10, 2000)
    assert (rules.max_num_orders, rules.max_num_algo_orders) == (200, 5)
    assert rules.max_num_order_lists is None  # not in this 2025-08-07 recording
    assert rules.iceberg_parts == 10


@pytest.fixture
def doc_filters(fixture_json: Load) -> dict[str, dict[str, Any]]:
    return {
        f["section"]: f["example"] for f in fixture_json("filters_doc_examples.json")["filters"]
    }


def _symbol(filters: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "symbol": "ETHBTC",
        "status": "TRADING",
        "baseAsset": "ETH",
        "baseAssetPrecision": 8,
        "quoteAsset": "BTC",
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "orderTypes": ["LIMIT", "LIMIT_MAKER"],
        "ocoAllowed": True,
        "filters": filters,
    }


def test_every_documented_symbol_filter_is_typed(doc_filters: dict[str, dict[str, Any]]) -> None:
    symbol_filters = [f for name, f in doc_filters.items() if not name.startswith("EXCHANGE_")]
    rules = parse_symbol_rules(_symbol(symbol_filters))
    assert rules.max_num_order_lists == 20
    assert rules.max_num_iceberg_orders == 5
    assert rules.percent_price == PercentPrice(Decimal("1.3"), Decimal("0.7"), 5)
    assert rules.notional == NotionalFilter(  # NOTIONAL wins
        Decimal("10"),
        Decimal("10000"),
        apply_min_to_market=False,
        apply_max_to_market=False,
        avg_price_mins=5,
    )
    assert rules.max_position == Decimal("10")


def test_legacy_min_notional_is_used_when_notional_is_absent(
    doc_filters: dict[str, dict[str, Any]],
) -> None:
    rules = parse_symbol_rules(_symbol([doc_filters["MIN_NOTIONAL"]]))
    assert rules.notional == NotionalFilter(Decimal("0.001"), None, legacy=True, avg_price_mins=5)


def test_permission_sets_and_absent_market_flags() -> None:
    notional = {"filterType": "NOTIONAL", "minNotional": "5", "maxNotional": "100"}
    raw = {**_symbol([notional]), "permissionSets": [["SPOT", "MARGIN"], ["TRD_GRP_004"]]}
    rules = parse_symbol_rules(raw)
    assert rules.permission_sets == (frozenset({"SPOT", "MARGIN"}), frozenset({"TRD_GRP_004"}))
    assert rules.notional == NotionalFilter(Decimal("5"), Decimal("100"))  # absent: applied
    assert parse_symbol_rules(_symbol([])).permission_sets == ()


def test_account_wide_exchange_filters(doc_filters: dict[str, dict[str, Any]]) -> None:
    exchange_filters = [f for name, f in doc_filters.items() if name.startswith("EXCHANGE_")]
    info = parse_exchange_info({"symbols": [], "exchangeFilters": exchange_filters})
    assert info.account_filters == AccountFilters(
        max_num_orders=1000,
        max_num_algo_orders=200,
        max_num_order_lists=20,
        max_num_iceberg_orders=10000,
    )


def test_account_balances(fixture_json: Load) -> None:
    balances = parse_balances(fixture_json("account_response.json")["response"])
    assert balances["BTC"].free == Decimal("4723846.89208129")
    assert balances["LTC"].locked == 0


def test_ticker_single_and_multiple(fixture_json: Load) -> None:
    ticker = fixture_json("ticker_price_response.json")
    assert parse_prices(ticker["response_single_symbol"]) == {"LTCBTC": Decimal("4.00000200")}
    assert parse_prices(ticker["response_no_symbol_or_symbols"])["ETHBTC"] == Decimal("0.079466")


def test_server_time(fixture_json: Load) -> None:
    assert parse_server_time(fixture_json("server_time_response.json")["response"]) == (
        1499827319559
    )


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"symbol": "X"}, "missing field 'orderListId'"),
        ([1, 2], "expected a JSON object"),
        ({"serverTime": "soon"}, "not an integer"),
    ],
)
def test_malformed_payloads_raise_format_errors(payload: Any, message: str) -> None:
    parser = (
        parse_server_time
        if isinstance(payload, dict) and "serverTime" in payload
        else (parse_order_list)
    )
    with pytest.raises(ResponseFormatError, match=message):
        parser(payload)


def test_price_that_is_not_a_decimal_is_refused() -> None:
    with pytest.raises(ResponseFormatError, match="not a decimal"):
        parse_prices({"symbol": "BTCUSDT", "price": "NaN-ish"})
    with pytest.raises(ResponseFormatError, match="not finite"):
        parse_prices({"symbol": "BTCUSDT", "price": "Infinity"})


def test_account_permissions_are_read_when_the_answer_has_them() -> None:
    assert parse_account_permissions({"permissions": ["SPOT", "TRD_GRP_005"]}) == frozenset(
        {"SPOT", "TRD_GRP_005"}
    )
    assert parse_account_permissions({"balances": []}) is None
    with pytest.raises(ResponseFormatError):
        parse_account_permissions({"permissions": ["SPOT", 5]})
