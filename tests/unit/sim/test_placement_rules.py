"""Binance's OCO placement rules over real HTTP (``sim serve`` on 127.0.0.1), with the docs' codes
and messages (errors.md, rest-api.md "New Order list - OCO", rest-api.md "New Order list - OCO
(TRADE)"; filters.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from oco_reconcile.sim.engine.machine import Engine
from tests.support.sim_api import Api, buy_oco, error, sell_oco

RELATION = "The relationship of the prices for the orders is not correct."
BALANCE = "Account has insufficient balance for requested action."
DECIMAL_RANGE = r"^([0-9]{1,20})(\.[0-9]{1,20})?$"

NO_TIF = {"belowTimeInForce": None}
SELL_CASES: list[tuple[str, dict[str, Any], int, str]] = [
    (
        "aboveType missing (python-binance #1544)",
        {"aboveType": None},
        -1102,
        "Mandatory parameter 'aboveType' was not sent, was empty/null, or malformed.",
    ),
    ("leg type not an OCO type", {"aboveType": "LIMIT"}, -1158, "Order type not supported in OCO."),
    (
        "SELL stop-loss above",
        {
            "aboveType": "STOP_LOSS_LIMIT",
            "aboveStopPrice": "120000",
            "aboveTimeInForce": "GTC",
        },
        -1197,
        "A stop loss order in a sell OCO must be below.",
    ),
    (
        "both legs LIMIT_MAKER",
        {"belowType": "LIMIT_MAKER", "belowStopPrice": None, **NO_TIF},
        -1168,
        "At least one OCO order must be contingent.",
    ),
    (
        "SELL take-profit below",
        {"belowType": "TAKE_PROFIT", "belowPrice": None, **NO_TIF},
        -1199,
        "A take profit order in a sell OCO must be above.",
    ),
    (
        "SELL limit maker below",
        {
            "aboveType": "TAKE_PROFIT",
            "aboveStopPrice": "120000",
            "abovePrice": None,
            "belowType": "LIMIT_MAKER",
            "belowStopPrice": None,
            **NO_TIF,
        },
        -1166,
        "A limit order in a sell OCO must be above.",
    ),
    (
        "LIMIT_MAKER without price",
        {"abovePrice": None},
        -1102,
        "Mandatory parameter 'abovePrice' was not sent, was empty/null, or malformed.",
    ),
    (
        "stop leg without stop price or trailing delta",
        {"belowStopPrice": None},
        -1102,
        "Param 'belowStopPrice' or 'belowTrailingDelta' must be sent, but both were empty/null!",
    ),
    (
        "STOP_LOSS_LIMIT without timeInForce",
        NO_TIF,
        -1102,
        "Mandatory parameter 'belowTimeInForce' was not sent, was empty/null, or malformed.",
    ),
    (
        "STOP_LOSS with a limit price",
        {"belowType": "STOP_LOSS", **NO_TIF},
        -1106,
        "Parameter 'belowPrice' sent when not required.",
    ),
    (
        "iceberg with IOC",
        {"belowIcebergQty": "0.005", "belowTimeInForce": "IOC"},
        -1160,
        "Parameter 'belowIcebergQty' is not supported if "
        "`aboveTimeInForce`/`belowTimeInForce` is not GTC.",
    ),
    (
        "quantity beyond the asset precision",
        {"quantity": "0.000000001"},
        -1111,
        "Parameter 'quantity' has too much precision.",
    ),
    ("unknown symbol", {"symbol": "FOOBAR"}, -1121, "Invalid symbol."),
    ("invalid side", {"side": "HOLD"}, -1117, "Invalid side."),
    (
        "a dot in listClientOrderId (spot-api-docs PR #34)",
        {"listClientOrderId": "bad.id"},
        -1100,
        "Illegal characters found in parameter 'listClientOrderId'; "
        "legal range is '^[a-zA-Z0-9-_]{1,36}$'.",
    ),
    (
        "a leg client id of 37 characters",
        {"aboveClientOrderId": "a" * 37},
        -1100,
        "Illegal characters found in parameter 'aboveClientOrderId'; "
        "legal range is '^[a-zA-Z0-9-_]{1,36}$'.",
    ),
    (
        "quantity not a number",
        {"quantity": "1e-3"},
        -1100,
        f"Illegal characters found in parameter 'quantity'; legal range is '{DECIMAL_RANGE}'.",
    ),
    (
        "the deprecated 'price' sent to the new endpoint",
        {"price": "120000"},
        -1104,
        "Not all sent parameters were read; read '12' parameter(s) but was sent '13'.",
    ),
    (
        "strategyType below 1000000",
        {"aboveStrategyType": "5"},
        -1134,
        "`strategyType` was less than 1000000.",
    ),
    (
        "same client id on both legs (MATLAB-Binance-API #6)",
        {"aboveClientOrderId": "same-id", "belowClientOrderId": "same-id"},
        -1013,
        "Duplicate order sent.",
    ),
    (
        "price off the tick",
        {"abovePrice": "120000.001"},
        -1013,
        "Filter failure: PRICE_FILTER",
    ),
    (
        "stop price off the tick",
        {"belowStopPrice": "100000.005"},
        -1013,
        "Filter failure: PRICE_FILTER",
    ),
    ("quantity off the step", {"quantity": "0.000011"}, -1013, "Filter failure: LOT_SIZE"),
    ("quantity above maxQty", {"quantity": "9001"}, -1013, "Filter failure: LOT_SIZE"),
    (
        "iceberg in too many parts",
        {"aboveIcebergQty": "0.0001"},
        -1013,
        "Filter failure: ICEBERG_PARTS",
    ),
    (
        "trailing delta out of bounds",
        {"belowTrailingDelta": "5"},
        -1013,
        "Filter failure: TRAILING_DELTA",
    ),
    (
        "limit price above askMultiplierUp x last",
        {"abovePrice": "600000"},
        -1013,
        "Filter failure: PERCENT_PRICE_BY_SIDE",
    ),
    (
        "stop-limit price below askMultiplierDown x last (binance-trading-bot PR #738)",
        {"belowStopPrice": "20000", "belowPrice": "20000"},
        -1013,
        "Filter failure: PERCENT_PRICE_BY_SIDE",
    ),
    ("notional below minNotional", {"quantity": "0.00001"}, -1013, "Filter failure: NOTIONAL"),
    ("take profit below the last price", {"abovePrice": "105000"}, -2010, RELATION),
    (
        "stop above the last price",
        {"belowStopPrice": "115000", "belowPrice": "114900"},
        -2010,
        RELATION,
    ),
    ("more than the free balance", {"quantity": "2"}, -2010, BALANCE),
    (
        "pegged legs",
        {"abovePegPriceType": "PRIMARY_PEG"},
        -2010,
        "Pegged orders are not supported for this symbol.",
    ),
]

BUY_CASES: list[tuple[str, dict[str, Any], int, str]] = [
    (
        "BUY stop-loss below",
        {
            "belowType": "STOP_LOSS",
            "belowStopPrice": "3600",
            "belowPrice": None,
        },
        -1196,
        "A stop loss order in a buy OCO must be above.",
    ),
    (
        "BUY take-profit above",
        {"aboveType": "TAKE_PROFIT", "abovePrice": None, "aboveTimeInForce": None},
        -1198,
        "A take profit order in a buy OCO must be below.",
    ),
    (
        "BUY limit maker above",
        {
            "aboveType": "LIMIT_MAKER",
            "aboveStopPrice": None,
            "aboveTimeInForce": None,
            "belowType": "STOP_LOSS",
            "belowStopPrice": "3600",
            "belowPrice": None,
        },
        -1165,
        "A limit order in a buy OCO must be below.",
    ),
    ("BUY limit above the last price", {"belowPrice": "4100"}, -2010, RELATION),
    ("BUY stop below the last price", {"aboveStopPrice": "3900"}, -2010, RELATION),
    ("BUY beyond the quote balance", {"quantity": "30"}, -2010, BALANCE),
]


@pytest.mark.parametrize(
    ("overrides", "code", "msg"),
    [case[1:] for case in SELL_CASES],
    ids=[case[0] for case in SELL_CASES],
)
def test_sell_oco_rule(api: Api, overrides: dict[str, Any], code: int, msg: str) -> None:
    response = api.signed("POST", "/api/v3/orderList/oco", **sell_oco(**overrides))
    assert error(response) == (400, code, msg)
    assert api.open_lists() == []


@pytest.mark.parametrize(
    ("overrides", "code", "msg"),
    [case[1:] for case in BUY_CASES],
    ids=[case[0] for case in BUY_CASES],
)
def test_buy_oco_rule(api: Api, overrides: dict[str, Any], code: int, msg: str) -> None:
    response = api.signed("POST", "/api/v3/orderList/oco", **buy_oco(**overrides))
    assert error(response) == (400, code, msg)
    assert api.open_lists() == []


def test_valid_brackets_of_every_leg_combination_are_accepted(api: Api) -> None:
    """The FIX NewOrderList table: SELL TP-family above / stop below, BUY the mirror."""
    accepted = [
        sell_oco(listClientOrderId="s1"),
        sell_oco(
            listClientOrderId="s2",
            aboveType="TAKE_PROFIT",
            abovePrice=None,
            aboveStopPrice="121000",
            belowType="STOP_LOSS",
            belowPrice=None,
            belowTimeInForce=None,
        ),
        sell_oco(
            listClientOrderId="s3",
            aboveType="TAKE_PROFIT_LIMIT",
            aboveStopPrice="121000",
            abovePrice="121100",
            aboveTimeInForce="GTC",
        ),
        buy_oco(listClientOrderId="b1"),
        buy_oco(
            listClientOrderId="b2",
            belowType="TAKE_PROFIT",
            belowPrice=None,
            belowStopPrice="3500",
            aboveType="STOP_LOSS",
            abovePrice=None,
            aboveTimeInForce=None,
        ),
    ]
    for params in accepted:
        response = api.signed("POST", "/api/v3/orderList/oco", **params)
        assert response.status_code == 200, response.text
    assert [item["listClientOrderId"] for item in api.open_lists()] == [
        "s1",
        "s2",
        "s3",
        "b1",
        "b2",
    ]


def test_deprecated_endpoint_places_limit_maker_and_stop(api: Api) -> None:
    response = api.signed(
        "POST",
        "/api/v3/order/oco",
        symbol="BTCUSDT",
        side="SELL",
        quantity="0.01",
        price="120000",
        stopPrice="100000",
        stopLimitPrice="99900",
        stopLimitTimeInForce="GTC",
        listClientOrderId="old-style",
    )
    assert response.status_code == 200, response.text
    types = [report["type"] for report in response.json()["orderReports"]]
    assert types == ["STOP_LOSS_LIMIT", "LIMIT_MAKER"]


def test_deprecated_endpoint_checks_its_own_parameters(api: Api) -> None:
    base = {"symbol": "BTCUSDT", "side": "SELL", "quantity": "0.01", "price": "120000"}
    missing = api.signed("POST", "/api/v3/order/oco", **base)
    assert error(missing) == (
        400,
        -1102,
        "Mandatory parameter 'stopPrice' was not sent, was empty/null, or malformed.",
    )
    no_tif = api.signed(
        "POST", "/api/v3/order/oco", **base, stopPrice="100000", stopLimitPrice="99900"
    )
    assert error(no_tif) == (
        400,
        -1102,
        "Mandatory parameter 'stopLimitTimeInForce' was not sent, was empty/null, or malformed.",
    )
    wrong = api.signed(
        "POST", "/api/v3/order/oco", **base | {"price": "100000"}, stopPrice="120000"
    )
    assert error(wrong) == (400, -2010, RELATION)


def test_open_list_locks_the_balance_the_next_one_needs(api: Api) -> None:
    assert api.place(quantity="0.6", listClientOrderId="first").status_code == 200
    assert api.balance("BTC") == ("0.40000000", "0.60000000")
    second = api.place(quantity="0.6", listClientOrderId="second")
    assert error(second) == (400, -2010, BALANCE)


def test_buy_oco_locks_quote_at_the_higher_leg_price(api: Api) -> None:
    assert api.signed("POST", "/api/v3/orderList/oco", **buy_oco()).status_code == 200
    assert api.balance("USDT") == ("97795.00000000", "2205.00000000")  # 0.5 x 4410


def test_list_client_id_is_unique_among_open_lists_only(api: Api) -> None:
    assert api.place().status_code == 200
    again = api.place(aboveClientOrderId="other-tp", belowClientOrderId="other-sl")
    assert error(again) == (400, -2010, "Duplicate order sent.")
    cancel = api.signed(
        "DELETE", "/api/v3/orderList", symbol="BTCUSDT", listClientOrderId="ocr-btc-exit-abcdef"
    )
    assert cancel.status_code == 200
    assert api.place().status_code == 200  # the id is free again once the list is done


def test_leg_client_id_is_unique_among_open_orders(api: Api) -> None:
    assert api.place(listClientOrderId="one", aboveClientOrderId="leg-a").status_code == 200
    clash = api.place(listClientOrderId="two", belowClientOrderId="leg-a")
    assert error(clash) == (400, -2010, "Duplicate order sent.")


def test_max_num_algo_orders_counts_each_stop_leg(api: Api) -> None:
    """BTCUSDT's real maxNumAlgoOrders is 5: a sixth SELL LIMIT_MAKER/STOP bracket is refused."""
    for index in range(5):
        response = api.place(quantity="0.01", listClientOrderId=f"algo-{index}")
        assert response.status_code == 200, response.text
    sixth = api.place(quantity="0.01", listClientOrderId="algo-5")
    assert error(sixth) == (400, -1013, "Filter failure: MAX_NUM_ALGO_ORDERS")


def _set_filter(engine: Engine, name: str, **values: int) -> None:
    for rule in engine.state.symbols["BTCUSDT"]["filters"]:
        if rule["filterType"] == name:
            rule.update(values)


def test_max_num_order_lists(api: Api, engine: Engine) -> None:
    _set_filter(engine, "MAX_NUM_ALGO_ORDERS", maxNumAlgoOrders=100)
    _set_filter(engine, "MAX_NUM_ORDER_LISTS", maxNumOrderLists=3)
    for index in range(3):
        assert api.place(quantity="0.01", listClientOrderId=f"l{index}").status_code == 200
    fourth = api.place(quantity="0.01", listClientOrderId="l3")
    assert error(fourth) == (400, -1013, "Filter failure: MAX_NUM_ORDER_LISTS")


def test_max_num_orders_counts_two_per_oco(api: Api, engine: Engine) -> None:
    _set_filter(engine, "MAX_NUM_ORDERS", maxNumOrders=5)
    for index in range(2):
        assert api.place(quantity="0.01", listClientOrderId=f"o{index}").status_code == 200
    third = api.place(quantity="0.01", listClientOrderId="o2")
    assert error(third) == (400, -1013, "Filter failure: MAX_NUM_ORDERS")


def test_symbol_not_allowing_oco_or_stop_loss(api: Api, engine: Engine) -> None:
    engine.state.symbols["BTCUSDT"]["orderTypes"] = ["LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT"]
    market_stop = api.place(belowType="STOP_LOSS", belowPrice=None, belowTimeInForce=None)
    assert error(market_stop) == (400, -2010, "Stop loss orders are not supported for this symbol.")
    engine.state.symbols["BTCUSDT"]["ocoAllowed"] = False
    assert error(api.place()) == (400, -2010, "OCO orders are not supported for this symbol")
    engine.state.symbols["BTCUSDT"]["status"] = "HALT"
    assert error(api.place()) == (400, -2010, "Market is closed.")


# --- the filter price: the reference price when the symbol has one (CHANGELOG.md 2026-05-06) ----


def test_percent_price_uses_the_reference_price(api: Api, engine: Engine) -> None:
    assert api.place(listClientOrderId="before").status_code == 200  # at the last price 110000
    engine.state.reference_prices["BTCUSDT"] = Decimal("600000")  # 0.2 x 600000 = 120000
    rejected = api.place(listClientOrderId="after")
    assert error(rejected) == (400, -1013, "Filter failure: PERCENT_PRICE_BY_SIDE")


def test_market_leg_notional_uses_the_reference_price(api: Api, engine: Engine) -> None:
    market_stop = {
        "quantity": "0.0001",  # the take profit: 0.0001 x 120000 = 12
        "belowType": "STOP_LOSS",
        "belowPrice": None,
        "belowTimeInForce": None,
    }
    engine.state.reference_prices["BTCUSDT"] = Decimal("40000")  # 0.0001 x 40000 = 4 < 5
    assert error(api.place(**market_stop)) == (400, -1013, "Filter failure: NOTIONAL")
    engine.state.reference_prices.clear()  # back to the last price: 0.0001 x 110000 = 11
    assert api.place(**market_stop).status_code == 200


def test_reference_price_endpoint_answers_null_until_one_is_set(api: Api, engine: Engine) -> None:
    # rest-api.md "Query reference price": the two documented shapes
    none = api.public("GET", "/api/v3/referencePrice", symbol="BTCUSDT").json()
    assert (none["symbol"], none["referencePrice"]) == ("BTCUSDT", None)
    engine.state.reference_prices["BTCUSDT"] = Decimal("108000")
    found = api.public("GET", "/api/v3/referencePrice", symbol="BTCUSDT").json()
    assert Decimal(found["referencePrice"]) == Decimal("108000")
    assert isinstance(found["timestamp"], int)
    unknown = api.public("GET", "/api/v3/referencePrice", symbol="NOPEUSDT")
    assert error(unknown) == (400, -1121, "Invalid symbol.")
