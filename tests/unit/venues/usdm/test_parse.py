"""fapi answers -> the futures model: exact decimals, every field type-checked, unknown enum
values and odd shapes reported as exchange errors naming the field (never a crash)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from oco_reconcile.core.model import Balance, LotSize, PercentPrice, PriceFilter, Side
from oco_reconcile.core.usdm.model import AlgoStatus, PositionSide, WorkingType
from oco_reconcile.errors import ExchangeError, OutcomeUnknownError
from oco_reconcile.venues.spot.fields import ResponseFormatError
from oco_reconcile.venues.usdm.parse import (
    as_flag,
    parse_algo_order,
    parse_futures_balances,
    parse_futures_info,
    parse_hedge_mode,
    parse_last_prices,
    parse_mark_prices,
    parse_positions,
)
from tests.unit.venues.usdm.fake_fapi import (
    STOP_REQUEST,
    FakeFapi,
    algo_order,
    balance,
    exchange_info,
    last_price,
    mark_price,
    position,
    symbol_info,
)

D = Decimal


def test_exchange_info_symbol_rules_are_typed_exactly() -> None:
    info = parse_futures_info(exchange_info())
    rules = info.symbols["BTCUSDT"]
    assert rules.contract_type == "PERPETUAL"
    assert rules.status == "TRADING"
    assert (rules.base_asset, rules.quote_asset, rules.margin_asset) == ("BTC", "USDT", "USDT")
    assert rules.price_filter == PriceFilter(D("556.80"), D("4529764"), D("0.10"))
    assert rules.lot_size == LotSize(D("0.001"), D("1000"), D("0.001"))
    assert rules.market_lot_size == LotSize(D("0.001"), D("120"), D("0.001"))
    assert rules.min_notional == D("100")
    assert rules.percent_price == PercentPrice(D("1.0500"), D("0.9500"))
    assert rules.trigger_protect == D("0.0500")
    assert "TAKE_PROFIT_MARKET" in rules.order_types
    assert rules.time_in_force == frozenset({"GTC", "IOC", "FOK", "GTX", "GTD"})
    assert [limit.limit for limit in info.rate_limits] == [2400, 1200, 300]
    assert info.server_time == 1_700_000_000_000


def test_a_bad_filter_names_the_symbol_and_filter() -> None:
    info = exchange_info()
    broken = symbol_info("ETHUSDT", "ETH")
    broken["filters"][0]["tickSize"] = 0.01  # a float, not a decimal string
    info["symbols"].append(broken)
    with pytest.raises(ResponseFormatError, match=r"ETHUSDT.*PRICE_FILTER.*tickSize"):
        parse_futures_info(info)


def test_the_documented_algo_order_example() -> None:
    order = parse_algo_order(algo_order())
    assert order.algo_id == 2146760
    assert order.client_algo_id == "6B2I9XVcJpCjqPAJ4YoFX7"
    assert order.side is Side.SELL
    assert order.position_side is PositionSide.BOTH
    assert order.order_type == "TAKE_PROFIT"
    assert order.status is AlgoStatus.NEW
    assert order.trigger_price == D("750.000")
    assert str(order.trigger_price) == "750.000"
    assert order.price == D("750.000")
    assert order.quantity == D("0.01")
    assert order.working_type is WorkingType.CONTRACT_PRICE
    assert (order.close_position, order.price_protect, order.reduce_only) == (False, False, False)
    assert order.time_in_force == "GTC"
    assert order.create_time == 1750485492076
    assert order.trigger_time == 0
    assert order.actual_order_id is None
    assert order.actual_price is None


def test_a_triggered_close_position_order() -> None:
    order = parse_algo_order(
        algo_order(
            orderType="STOP_MARKET",
            algoStatus="TRIGGERED",
            closePosition="true",
            priceProtect="TRUE",
            reduceOnly="false",
            quantity="0",
            price="0",
            workingType="MARK_PRICE",
            triggerTime=1750485500000,
            actualOrderId=8389765512345,
            actualPrice="749.10",
        )
    )
    assert order.status.has_fired
    assert order.close_position is True
    assert order.price_protect is True
    assert order.reduce_only is False
    assert order.quantity is None
    assert order.price is None
    assert order.working_type is WorkingType.MARK_PRICE
    assert order.actual_order_id == 8389765512345
    assert order.actual_price == D("749.10")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("algoStatus", "PAUSED"),
        ("side", "HOLD"),
        ("positionSide", "UP"),
        ("workingType", "INDEX_PRICE"),
        ("triggerPrice", 750.0),
        ("triggerPrice", "NaN"),
        ("algoId", "12x"),
        ("algoId", True),
        ("closePosition", "yes"),
        ("clientAlgoId", None),
    ],
)
def test_an_odd_field_is_a_format_error_naming_it(field: str, value: Any) -> None:
    with pytest.raises(ResponseFormatError, match=field):
        parse_algo_order(algo_order(**{field: value}))


def test_flags_come_as_booleans_or_strings() -> None:
    assert as_flag(True, "x") is True
    assert as_flag("TRUE", "x") is True
    assert as_flag("false", "x") is False
    with pytest.raises(ResponseFormatError):
        as_flag(1, "x")


def test_positions_hedge_mode_balances_and_prices() -> None:
    rows = parse_positions([position(), position("ETHUSDT", "SHORT", "-2.5")])
    assert rows[0].amount == D("0.010")
    assert rows[0].entry_price == D("100000.0")
    assert rows[0].mark_price == D("101000.00000000")
    assert rows[1].position_side is PositionSide.SHORT
    assert rows[1].amount == D("-2.5")
    assert parse_hedge_mode({"dualSidePosition": True}) is True
    assert parse_hedge_mode({"dualSidePosition": False}) is False
    assert parse_futures_balances([balance()]) == {
        "USDT": Balance("USDT", free=D("949.50"), locked=D("50.50"))
    }
    assert parse_mark_prices([mark_price()]) == {"BTCUSDT": D("101000.00000000")}
    assert parse_last_prices([last_price()]) == {"BTCUSDT": D("101005.10")}
    assert parse_last_prices(last_price("ETHUSDT", "3500.1")) == {"ETHUSDT": D("3500.1")}


def test_a_positive_unrealised_pnl_never_makes_locked_negative() -> None:
    balances = parse_futures_balances([balance(total="100", available="110")])
    assert balances["USDT"].locked == 0


@pytest.mark.parametrize(
    "payload",
    [{"dualSidePosition": "maybe"}, {}, [], "true"],
)
def test_an_odd_position_mode_answer_is_a_format_error(payload: object) -> None:
    with pytest.raises(ResponseFormatError):
        parse_hedge_mode(payload)


def test_an_unknown_status_from_the_wire_is_an_exchange_error_not_a_crash() -> None:
    fake = FakeFapi()
    fake.reply("GET", "/fapi/v1/openAlgoOrders", [algo_order(algoStatus="PAUSED")])
    with pytest.raises(ExchangeError, match=r"/fapi/v1/openAlgoOrders.*algoStatus") as caught:
        fake.usdm().open_algo_orders()
    assert type(caught.value) is ExchangeError


@pytest.mark.parametrize("body", [{"algoId": 1}, [], "ok", None])
def test_an_unreadable_placement_answer_may_still_have_placed(body: object) -> None:
    fake = FakeFapi()
    fake.reply("POST", "/fapi/v1/algoOrder", body)
    with pytest.raises(OutcomeUnknownError):
        fake.usdm().place_algo(STOP_REQUEST)


@pytest.mark.parametrize(
    ("path", "call", "body"),
    [
        ("/fapi/v1/exchangeInfo", "exchange_info", {"symbols": {}}),
        ("/fapi/v1/premiumIndex", "mark_prices", [{"symbol": "BTCUSDT"}]),
        ("/fapi/v1/ticker/price", "last_prices", [{"symbol": "BTCUSDT", "price": None}]),
        ("/fapi/v3/positionRisk", "positions", {"symbol": "BTCUSDT"}),
        ("/fapi/v3/balance", "balances", [{"asset": "USDT", "balance": "1"}]),
        ("/fapi/v1/openAlgoOrders", "open_algo_orders", [1, 2]),
    ],
)
def test_every_read_turns_an_odd_answer_into_an_exchange_error(
    path: str, call: str, body: object
) -> None:
    fake = FakeFapi()
    fake.reply("GET", path, body)
    with pytest.raises(ExchangeError, match="unexpected response"):
        getattr(fake.usdm(), call)()
