"""Exchange filters per bracket and leg (``core/checks/filters.py``), with the messages that
state the nearest valid value."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from oco_reconcile.core.live import LiveState
from oco_reconcile.core.market import FilterPrice, MarketView
from oco_reconcile.core.model import Balance, Bracket, Leg, LegType, NotionalFilter
from tests.support.plan_support import (
    RICH,
    btcusdt_rules,
    buy,
    live_state,
    sell,
)
from tests.unit.core.checks.support import only_problem, plan_for, with_rules

D = Decimal


# --- symbol -------------------------------------------------------------------------------------


def test_symbol_must_exist() -> None:
    problem = only_problem(plan_for(sell("x", symbol="NOPEUSDT")))

    assert problem.field == "symbol"
    assert problem.message == "symbol NOPEUSDT does not exist on the exchange"


def test_an_unknown_symbol_offers_the_close_listed_one() -> None:
    names = frozenset({"BTCUSDT", "ETHUSDT", "BNBUSDT"})
    live = replace(live_state(), market=MarketView(symbol_names=names))

    problem = only_problem(plan_for(sell("x", symbol="BTCUSDTT"), live=live))
    assert problem.message == (
        "symbol BTCUSDTT does not exist on the exchange; did you mean BTCUSDT?"
    )

    far = only_problem(plan_for(sell("x", symbol="DOGEEUR"), live=live))
    assert far.message == "symbol DOGEEUR does not exist on the exchange"


def test_symbol_must_be_trading() -> None:
    live = with_rules(replace(btcusdt_rules(), status="BREAK"))

    assert "is not trading (status BREAK)" in only_problem(plan_for(sell("x"), live=live)).message


def test_symbol_must_allow_oco() -> None:
    live = with_rules(replace(btcusdt_rules(), oco_allowed=False))

    assert "does not allow OCO" in only_problem(plan_for(sell("x"), live=live)).message


def test_leg_type_must_be_allowed_on_the_symbol() -> None:
    types = btcusdt_rules().order_types - {"STOP_LOSS"}
    live = with_rules(replace(btcusdt_rules(), order_types=types))

    problem = only_problem(plan_for(sell("x", limit=None), live=live))

    assert (problem.leg, problem.field) == ("stop_loss (below)", "type")
    assert problem.message == "STOP_LOSS orders are not allowed on BTCUSDT"


# --- PRICE_FILTER / LOT_SIZE --------------------------------------------------------------------


def test_price_off_the_tick_states_both_neighbours() -> None:
    problem = only_problem(plan_for(sell("x", tp="110000.005")))

    assert (problem.bracket, problem.leg, problem.field) == ("x", "take_profit (above)", "price")
    assert problem.message == (
        "110000.005 is not a multiple of tickSize 0.01 (PRICE_FILTER); "
        "nearest valid: 110000 or 110000.01"
    )


def test_stop_price_is_checked_too() -> None:
    problem = only_problem(plan_for(sell("x", stop="90000.001", limit="89900")))

    assert (problem.leg, problem.field) == ("stop_loss (below)", "stop_price")
    assert "nearest valid: 90000 or 90000.01" in problem.message


def test_price_above_max_price() -> None:
    plan = plan_for(sell("x", tp="1000000.5"))

    messages = [p.message for p in plan.problems if p.field == "price"]
    assert any(
        "above maxPrice 1000000 (PRICE_FILTER); largest valid: 1000000" in m for m in messages
    )


def test_quantity_off_the_step() -> None:
    problem = only_problem(plan_for(sell("x", qty="0.000105")))

    assert (problem.leg, problem.field) == (None, "quantity")
    assert problem.message == (
        "0.000105 is not a multiple of stepSize 0.00001 (LOT_SIZE); "
        "nearest valid: 0.0001 or 0.00011"
    )


def test_quantity_below_min_qty_says_the_minimum_and_never_zero() -> None:
    plan = plan_for(sell("x", qty="0.000001"))

    messages = [p.message for p in plan.problems if p.field == "quantity" and p.leg is None]
    assert messages == ["0.000001 is below minQty 0.00001 (LOT_SIZE); at least 0.00001"]
    assert not any("nearest valid: 0 " in str(p) for p in plan.problems)


def test_a_price_below_min_price_says_the_minimum_and_never_zero() -> None:
    rules = btcusdt_rules()
    assert rules.price_filter is not None
    price_filter = replace(rules.price_filter, min_price=D("0.1"))
    live = with_rules(replace(rules, price_filter=price_filter))

    plan = plan_for(buy("x", tp="0.005", stop="110000", limit="110100"), live=live)

    messages = [p.message for p in plan.problems if p.field == "price"]
    assert "0.005 is below minPrice 0.1 (PRICE_FILTER); at least 0.1" in messages
    assert not any("nearest valid: 0 " in m for m in messages)


def test_off_the_step_without_a_minimum_never_offers_zero() -> None:
    rules = btcusdt_rules()
    assert rules.lot_size is not None
    live = with_rules(replace(rules, lot_size=replace(rules.lot_size, min_qty=D(0))))

    plan = plan_for(sell("x", qty="0.000001"), live=live)

    messages = [p.message for p in plan.problems if p.leg is None]
    assert messages == [
        "0.000001 is not a multiple of stepSize 0.00001 (LOT_SIZE); nearest valid: 0.00001"
    ]


def test_quantity_above_max_qty() -> None:
    balances = {**RICH, "BTC": Balance("BTC", D("10000"), D(0))}
    plan = plan_for(sell("x", qty="9000.5"), live=live_state(balances=balances))

    messages = [p.message for p in plan.problems if p.leg is None]
    assert "9000.5 is above maxQty 9000 (LOT_SIZE); largest valid: 9000" in messages


# --- NOTIONAL / MIN_NOTIONAL per leg ------------------------------------------------------------


def test_notional_below_minimum_on_the_far_stop_leg_only() -> None:
    # 0.00005 x 110000 = 5.5 passes; 0.00005 x 89900 = 4.495 fails (JKorf/Binance.Net #1048)
    problem = only_problem(plan_for(sell("x", qty="0.00005")))

    assert (problem.leg, problem.field) == ("stop_loss (below)", "quantity")
    assert problem.message == (
        "notional 4.495 (0.00005 x 89900) is below minNotional 5 (NOTIONAL); "
        "smallest valid quantity at this price: 0.00006"
    )


def test_market_stop_leg_counts_at_its_stop_price() -> None:
    problem = only_problem(plan_for(sell("x", qty="0.00005", stop="95000", limit=None)))

    assert problem.leg == "stop_loss (below)"
    assert "notional 4.75 (0.00005 x 95000)" in problem.message


def test_notional_above_maximum() -> None:
    balances = {**RICH, "BTC": Balance("BTC", D("1000"), D(0))}
    plan = plan_for(sell("x", qty="100"), live=live_state(balances=balances))

    above = [p for p in plan.problems if p.leg == "take_profit (above)"]
    assert [p.message for p in above] == [
        "notional 11000000 (100 x 110000) is above maxNotional 9000000 (NOTIONAL); "
        "largest valid quantity at this price: 81.81818"
    ]


def test_legacy_min_notional() -> None:
    rules = replace(btcusdt_rules(), notional=NotionalFilter(D("10"), legacy=True))
    plan = plan_for(sell("x", qty="0.0001"), live=with_rules(rules))

    problem = only_problem(plan)
    assert "below minNotional 10 (MIN_NOTIONAL)" in problem.message
    assert problem.message.endswith("smallest valid quantity at this price: 0.00012")


# --- PERCENT_PRICE_BY_SIDE ----------------------------------------------------------------------


def test_sell_limit_price_below_the_ask_multiplier_down() -> None:
    problem = only_problem(plan_for(sell("x", stop="20000", limit="19999.99")))

    assert (problem.leg, problem.field) == ("stop_loss (below)", "price")
    assert problem.message == (
        "19999.99 is below 0.2 x the last price 100000 (PERCENT_PRICE_BY_SIDE, ask); "
        "lowest valid: 20000"
    )


def test_buy_limit_price_above_the_bid_multiplier_up() -> None:
    plan = plan_for(buy("x", stop="490000", limit="500000.01"))

    problem = only_problem(plan)
    assert (problem.leg, problem.field) == ("stop_loss (above)", "price")
    assert "above 5 x the last price 100000 (PERCENT_PRICE_BY_SIDE, bid)" in problem.message
    assert problem.message.endswith("highest valid: 500000")


# --- the filter price: reference price, else average, else last (CHANGELOG.md 2026-05-06) ------


def _priced(value: str, source: str = "reference price") -> LiveState:
    live = with_rules(btcusdt_rules())
    return replace(live, market=MarketView({"BTCUSDT": FilterPrice(D(value), source)}))


def test_percent_price_uses_the_reference_price_when_there_is_one() -> None:
    # 89900 passes 0.2 x the last price 100000, not 0.2 x the reference price 500000
    problem = only_problem(plan_for(sell("x"), live=_priced("500000")))

    assert (problem.leg, problem.field) == ("stop_loss (below)", "price")
    assert problem.message == (
        "89900 is below 0.2 x the reference price 500000 (PERCENT_PRICE_BY_SIDE, ask); "
        "lowest valid: 100000"
    )


def test_percent_price_names_an_average_price_source() -> None:
    live = _priced("20000", "5-minute average price")
    plan = plan_for(buy("x", stop="101000", limit="101100"), live=live)

    problem = only_problem(plan)
    assert "above 5 x the 5-minute average price 20000 (PERCENT_PRICE_BY_SIDE, bid)" in (
        problem.message
    )


def test_market_leg_notional_counts_at_the_filter_price_when_lower() -> None:
    live = _priced("92000")
    plan = plan_for(sell("x", qty="0.00005", stop="95000", limit=None), live=live)

    assert "notional 4.6 (0.00005 x 92000)" in only_problem(plan).message


def test_market_leg_skips_min_notional_unless_apply_min_to_market() -> None:
    rules = btcusdt_rules()
    assert rules.notional is not None
    off = replace(rules, notional=replace(rules.notional, apply_min_to_market=False))

    assert plan_for(sell("x", qty="0.00005", limit=None), live=with_rules(off)).problems == ()


def test_legacy_apply_to_market_false_skips_market_legs() -> None:
    legacy = NotionalFilter(D("10"), legacy=True, apply_min_to_market=False)
    rules = replace(btcusdt_rules(), notional=legacy)
    plan = plan_for(sell("x", qty="0.0001", tp="110000", limit=None), live=with_rules(rules))

    assert plan.problems == ()  # 0.0001 x 110000 = 11 on the limit leg; the market leg is exempt


def test_market_leg_max_notional_only_with_apply_max_to_market() -> None:
    # BUY: the market stop above counts at the higher of its stop 110000 and the last price
    rules = btcusdt_rules()
    assert rules.notional is not None
    assert not rules.notional.apply_max_to_market  # as recorded: applyMaxToMarket false
    bracket = buy("x", qty="95", limit=None)
    assert plan_for(bracket).problems == ()

    on = replace(rules, notional=replace(rules.notional, apply_max_to_market=True))
    problem = only_problem(plan_for(bracket, live=with_rules(on)))
    assert (problem.leg, problem.field) == ("stop_loss (above)", "quantity")
    assert problem.message == (
        "notional 10450000 (95 x 110000) is above maxNotional 9000000 (NOTIONAL); "
        "largest valid quantity at this price: 81.81818"
    )


# --- sides of the last price --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bracket", "leg", "field", "expected"),
    [
        (
            sell("x", tp="99999"),
            "take_profit (above)",
            "price",
            "must be above the last price 100000 for a SELL OCO; nearest valid: 100000.01",
        ),
        (sell("x", tp="100000"), "take_profit (above)", "price", "must be above the last price"),
        (
            sell("x", stop="100001", limit="99000"),
            "stop_loss (below)",
            "stop_price",
            "must be below the last price 100000 for a SELL OCO; nearest valid: 99999.99",
        ),
        (
            buy("x", tp="100001"),
            "take_profit (below)",
            "price",
            "must be below the last price 100000 for a BUY OCO",
        ),
        (
            buy("x", stop="99999", limit="100100"),
            "stop_loss (above)",
            "stop_price",
            "must be above the last price 100000 for a BUY OCO",
        ),
    ],
)
def test_legs_on_the_right_side_of_the_last_price(
    bracket: Bracket, leg: str, field: str, expected: str
) -> None:
    problem = only_problem(plan_for(bracket))

    assert (problem.leg, problem.field) == (leg, field)
    assert expected in problem.message


def test_take_profit_limit_stop_price_is_on_its_side_too() -> None:
    above = Leg(LegType.TAKE_PROFIT_LIMIT, price=D("110000"), stop_price=D("99000"))
    bracket = replace(sell("x"), above=above)

    problem = only_problem(plan_for(bracket))
    assert (problem.leg, problem.field) == ("take_profit (above)", "stop_price")


def test_missing_last_price_is_a_problem() -> None:
    problem = only_problem(plan_for(sell("x"), live=live_state(prices={"ETHUSDT": D(4000)})))

    assert problem.message == "no last price for BTCUSDT"


# --- TRAILING_DELTA and iceberg -----------------------------------------------------------------


def test_trailing_delta_outside_the_bounds() -> None:
    below = Leg(LegType.STOP_LOSS, trailing_delta=5)
    problem = only_problem(plan_for(replace(sell("x"), below=below)))

    assert (problem.leg, problem.field) == ("stop_loss (below)", "trailing_delta")
    assert problem.message == (
        "trailing delta 5 is outside 10..2000 BIPS (TRAILING_DELTA); nearest valid: 10"
    )


def test_trailing_stop_not_allowed() -> None:
    live = with_rules(replace(btcusdt_rules(), allow_trailing_stop=False))
    below = Leg(LegType.STOP_LOSS, trailing_delta=100)

    problem = only_problem(plan_for(replace(sell("x"), below=below), live=live))
    assert problem.message == "trailing stops are not allowed on BTCUSDT"


def test_iceberg_parts_limit() -> None:
    above = Leg(LegType.LIMIT_MAKER, price=D("110000"), iceberg_qty=D("0.05"))
    problem = only_problem(plan_for(replace(sell("x", qty="1"), above=above)))

    assert (problem.leg, problem.field) == ("take_profit (above)", "iceberg_qty")
    assert (
        problem.message == "1 / 0.05 needs 20 parts, limit 10 (ICEBERG_PARTS); smallest valid: 0.1"
    )
