"""The filter price the live read adds (``venues/spot/filter_prices.py``): the reference price when
the symbol has one, else the ``avgPriceMins`` average, read only where a plan may place a list on
a symbol whose filters use it."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from oco_reconcile.core.market import FilterPrice
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.settings import Settings
from oco_reconcile.errors import RejectedError
from oco_reconcile.venues.spot.fields import ResponseFormatError
from oco_reconcile.venues.spot.filter_prices import (
    parse_avg,
    parse_reference_price,
)
from oco_reconcile.venues.spot.live import read_live
from tests.support.fake_exchange import FakeExchange
from tests.support.plan_support import btcusdt_rules, market_info, open_list, sell

D = Decimal
SETTINGS = Settings()
A = sell("alpha")


def test_the_reference_price_is_used_and_no_average_is_read() -> None:
    exchange = FakeExchange(read_only=True, reference_prices={"BTCUSDT": D("500000")})

    live = read_live(exchange, [A], SETTINGS)

    assert live.market.filter_prices == {"BTCUSDT": FilterPrice(D("500000"), "reference price")}
    assert "average_price" not in exchange.methods()
    problem = make_plan([A], live, SETTINGS).problems[0]
    assert "0.2 x the reference price 500000 (PERCENT_PRICE_BY_SIDE, ask)" in problem.message


def test_without_a_reference_price_the_average_is_read() -> None:
    exchange = FakeExchange(read_only=True)

    live = read_live(exchange, [A], SETTINGS)

    assert live.market.filter_prices == {
        "BTCUSDT": FilterPrice(exchange.prices_by_symbol["BTCUSDT"], "5-minute average price")
    }


def test_a_bracket_whose_list_is_open_reads_no_filter_price() -> None:
    exchange = FakeExchange(read_only=True, lists=[open_list(A)])

    live = read_live(exchange, [A], SETTINGS)

    assert live.market.filter_prices == {}
    assert {"reference_price", "average_price"}.isdisjoint(exchange.methods())


def test_filters_without_an_average_and_limit_legs_only_read_nothing() -> None:
    rules = replace(btcusdt_rules(), percent_price_by_side=None)  # NOTIONAL: market orders only
    info = replace(market_info(), symbols={"BTCUSDT": rules})
    exchange = FakeExchange(read_only=True, info=info)

    assert read_live(exchange, [A], SETTINGS).market.filter_prices == {}
    assert "reference_price" not in exchange.methods()


def test_never_had_a_reference_price_is_no_reference_price() -> None:
    class Never(FakeExchange):
        def reference_price(self, symbol: str) -> Decimal | None:
            self._record("reference_price", symbol)
            raise RejectedError("This symbol doesn't have a reference price.", code=-2043)

    live = read_live(Never(read_only=True), [A], SETTINGS)

    assert live.market.filter_prices["BTCUSDT"].source == "5-minute average price"


def test_other_rejections_of_the_reference_price_are_raised() -> None:
    class Refusing(FakeExchange):
        def reference_price(self, symbol: str) -> Decimal | None:
            raise RejectedError("Invalid symbol.", code=-1121)

    with pytest.raises(RejectedError):
        read_live(Refusing(read_only=True), [A], SETTINGS)


def test_the_documented_responses_parse() -> None:
    # rest-api.md "Query reference price" and "Current average price", the docs' examples
    assert parse_reference_price(
        {"symbol": "BAZUSD", "referencePrice": "10.00", "timestamp": 1770736694138}
    ) == D("10.00")
    assert (
        parse_reference_price(
            {"symbol": "BAZUSD", "referencePrice": None, "timestamp": 1770736694138}
        )
        is None
    )
    assert parse_avg({"mins": 5, "price": "9.35751834", "closeTime": 1694061154503}) == D(
        "9.35751834"
    )


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"symbol": "BAZUSD"},
        {"referencePrice": 10},
        {"referencePrice": "NaN"},
        {"referencePrice": "x"},
    ],
)
def test_odd_reference_price_answers_are_format_errors(payload: object) -> None:
    with pytest.raises(ResponseFormatError):
        parse_reference_price(payload)
