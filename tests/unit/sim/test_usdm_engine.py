"""The futures engine (``sim/engine/usdm``): trigger rules for every side x type x working price,
closePosition vs reduce-only, one-way vs hedge mode, the sibling left open, limit legs, price
protection, plain orders and every placement rejection code."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from oco_reconcile.sim.engine.errors import SimError
from oco_reconcile.sim.engine.machine import Engine
from oco_reconcile.sim.engine.usdm.machine import FuturesEngine
from oco_reconcile.sim.engine.usdm.specs import AlgoSpec, FuturesOrderSpec

D = Decimal
BTC = "BTCUSDT"


@pytest.fixture
def fx(engine: Engine) -> FuturesEngine:
    return engine.usdm


def algo(**overrides: Any) -> AlgoSpec:
    """A valid SELL take-profit closing the seeded BTCUSDT long (last = mark = 110000)."""
    base = AlgoSpec(
        symbol=BTC,
        side="SELL",
        order_type="TAKE_PROFIT_MARKET",
        trigger_price=D("125000"),
        close_position=True,
        working_type="MARK_PRICE",
    )
    return replace(base, **overrides)


def amount(fx: FuturesEngine, side: str = "BOTH", symbol: str = BTC) -> Decimal:
    held = fx.state.position(symbol, side)
    return held.amount if held is not None else D(0)


def code_of(call: Any) -> int:
    with pytest.raises(SimError) as raised:
        call()
    return raised.value.code


def test_the_fresh_account_holds_the_seeded_long(fx: FuturesEngine) -> None:
    held = fx.state.position(BTC, "BOTH")
    assert held is not None
    assert (held.amount, held.entry_price) == (D("0.010"), D("110000"))
    assert fx.state.last_prices[BTC] == fx.state.mark_prices[BTC] == D("110000")
    assert fx.state.dual_side is False


# (side, type, trigger, position): each fires when the working price reaches the trigger
TRIGGER_CASES = [
    ("SELL", "TAKE_PROFIT_MARKET", "120000", "0.010", "120000"),  # SELL TP: price >= trigger
    ("SELL", "STOP_MARKET", "100000", "0.010", "100000"),  # SELL SL: price <= trigger
    ("BUY", "TAKE_PROFIT_MARKET", "100000", "-0.010", "100000"),  # BUY TP: price <= trigger
    ("BUY", "STOP_MARKET", "120000", "-0.010", "120000"),  # BUY SL: price >= trigger
]


@pytest.mark.parametrize("working", ["MARK_PRICE", "CONTRACT_PRICE"])
@pytest.mark.parametrize(("side", "kind", "trigger", "held", "reach"), TRIGGER_CASES)
def test_each_trigger_rule_fires_on_its_working_price_only(  # noqa: PLR0917
    fx: FuturesEngine, working: str, side: str, kind: str, trigger: str, held: str, reach: str
) -> None:
    fx.set_position(BTC, D(held), "BOTH", D("110000"))
    order = fx.place_algo(
        algo(side=side, order_type=kind, trigger_price=D(trigger), working_type=working)
    )
    halfway = (D("110000") + D(reach)) / 2
    other = (None, D(reach)) if working == "CONTRACT_PRICE" else (D(reach), None)
    fx.set_prices(BTC, *other)  # only the other price reaches the trigger
    assert order.status == "NEW"
    fx.set_prices(BTC, D("110000"), D("110000"))
    at_trigger = (D(reach), None) if working == "CONTRACT_PRICE" else (None, D(reach))
    fx.set_prices(BTC, halfway, halfway)
    assert order.status == "NEW"
    fx.set_prices(BTC, *at_trigger)  # exactly the trigger: fires
    assert order.status == "FINISHED"
    assert (order.actual_price, order.trigger_time > 0) == (D(reach), True)
    assert order.actual_order_id is not None
    assert amount(fx) == 0  # closePosition closed the whole side


def test_the_sibling_is_left_open_and_rejected_when_it_fires_with_nothing_to_close(
    fx: FuturesEngine,
) -> None:
    tp = fx.place_algo(algo(client_algo_id="me-b-1-tp"))
    sl = fx.place_algo(
        algo(order_type="STOP_MARKET", trigger_price=D("98000"), client_algo_id="me-b-1-sl")
    )
    fx.set_prices(BTC, D("126000"), D("126000"))
    assert (tp.status, sl.status) == ("FINISHED", "NEW")  # the orphan stays, as on Binance
    assert [item.client_algo_id for item in fx.open_algo_orders()] == ["me-b-1-sl"]
    fx.set_prices(BTC, D("97000"), D("97000"))
    assert sl.status == "REJECTED"
    assert sl.reject_reason == "ReduceOnly Order is rejected."
    assert amount(fx) == 0


def test_closing_realises_the_pnl_into_the_wallet(fx: FuturesEngine) -> None:
    fx.place_algo(algo())
    fx.set_prices(BTC, D("126000"), D("125000"))  # fills at the mark (its working price)
    assert fx.state.wallet["USDT"] == D("100000") + (D("125000") - D("110000")) * D("0.010")


def test_reduce_only_reduces_by_its_quantity_and_never_flips(fx: FuturesEngine) -> None:
    small = algo(close_position=False, quantity=D("0.004"), reduce_only=True)
    big = replace(small, quantity=D("0.020"), trigger_price=D("126000"))
    fx.place_algo(small)
    fx.place_algo(big)
    fx.set_prices(BTC, D("125000"), D("125000"))
    assert amount(fx) == D("0.006")
    fx.set_prices(BTC, D("126000"), D("126000"))
    assert amount(fx) == 0  # took only the 0.006 left


def test_a_plain_quantity_order_can_flip_the_position(fx: FuturesEngine) -> None:
    fx.place_algo(algo(close_position=False, quantity=D("0.020")))
    fx.set_prices(BTC, D("125000"), D("125000"))
    held = fx.state.position(BTC, "BOTH")
    assert held is not None
    assert (held.amount, held.entry_price) == (D("-0.010"), D("125000"))


def test_reduce_only_with_no_position_at_trigger_is_rejected(fx: FuturesEngine) -> None:
    fx.set_position(BTC, D(0), "BOTH")
    order = fx.place_algo(algo(close_position=False, quantity=D("0.004"), reduce_only=True))
    fx.set_prices(BTC, D("125000"), D("125000"))
    assert order.status == "REJECTED"


def test_orders_trigger_in_algo_id_order(fx: FuturesEngine) -> None:
    first = fx.place_algo(algo(trigger_price=D("121000")))
    second = fx.place_algo(algo(trigger_price=D("120000")))
    fx.set_prices(BTC, D("122000"), D("122000"))
    assert (first.status, second.status) == ("FINISHED", "REJECTED")
    assert first.algo_id < second.algo_id


def test_a_limit_leg_rests_after_the_trigger_and_fills_at_its_price(fx: FuturesEngine) -> None:
    order = fx.place_algo(
        algo(
            order_type="TAKE_PROFIT",
            close_position=False,
            quantity=D("0.010"),
            reduce_only=True,
            price=D("121000"),
            trigger_price=D("120000"),
            working_type="CONTRACT_PRICE",
        )
    )
    fx.set_prices(BTC, D("120500"), D("120500"))
    assert order.status == "TRIGGERED"
    assert amount(fx) == D("0.010")
    fx.set_prices(BTC, D("121000"), D("121000"))
    assert (order.status, order.actual_price, amount(fx)) == ("FINISHED", D("121000"), D(0))


def test_price_protect_holds_the_trigger_while_mark_and_last_are_apart(fx: FuturesEngine) -> None:
    order = fx.place_algo(algo(price_protect=True))
    fx.set_prices(BTC, D("115000"), D("125000"))  # 8% apart, over triggerProtect 5%
    assert order.status == "NEW"
    fx.set_prices(BTC, D("124000"), D("125000"))
    assert order.status == "FINISHED"


# --- position mode -----------------------------------------------------------------------------


def test_the_mode_cannot_change_with_a_position_or_open_orders(fx: FuturesEngine) -> None:
    assert code_of(lambda: fx.set_dual_side(True)) == -4068
    fx.set_position(BTC, D(0), "BOTH")
    order = fx.place_algo(algo(close_position=False, quantity=D("0.004"), reduce_only=True))
    assert code_of(lambda: fx.set_dual_side(True)) == -4067
    fx.cancel_algo(order.algo_id, None)
    assert code_of(lambda: fx.set_dual_side(False)) == -4059
    fx.set_dual_side(True)
    assert fx.state.dual_side is True


def hedge_long(fx: FuturesEngine) -> None:
    fx.set_position(BTC, D(0), "BOTH")
    fx.set_dual_side(True)
    fx.set_position(BTC, D("0.010"), "LONG", D("110000"))


def test_hedge_mode_closes_a_long_with_sell_long(fx: FuturesEngine) -> None:
    hedge_long(fx)
    order = fx.place_algo(algo(position_side="LONG"))
    fx.set_prices(BTC, D("125000"), D("125000"))
    assert (order.status, amount(fx, "LONG")) == ("FINISHED", D(0))


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({}, -4061),  # positionSide BOTH in hedge mode
        ({"position_side": "LONG", "close_position": False, "quantity": D("0.01"),
          "reduce_only": False}, -1106),  # reduceOnly is not accepted at all
        ({"position_side": "SHORT"}, -2022),  # closePosition on SELL+SHORT
    ],
)  # fmt: skip
def test_hedge_mode_rules(fx: FuturesEngine, overrides: dict[str, Any], code: int) -> None:
    hedge_long(fx)
    assert code_of(lambda: fx.place_algo(algo(**overrides))) == code


def test_one_way_mode_refuses_long_and_short(fx: FuturesEngine) -> None:
    assert code_of(lambda: fx.place_algo(algo(position_side="LONG"))) == -4061


# --- placement rejections ----------------------------------------------------------------------


LOW_NOTIONAL = {
    "order_type": "STOP_MARKET",
    "trigger_price": D("95000"),
    "close_position": False,
    "quantity": D("0.001"),
}


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"symbol": "XRPUSDT"}, -1121),
        ({"trigger_price": None}, -1102),
        ({"order_type": "TAKE_PROFIT", "close_position": False, "quantity": D("0.01")}, -1102),
        ({"price": D("125000")}, -1106),  # price with a _MARKET type
        ({"order_type": "TAKE_PROFIT", "price": D("125000")}, -4136),  # closePosition + limit
        ({"quantity": D("0.01")}, -4137),  # closePosition + quantity
        ({"reduce_only": True}, -1106),  # closePosition + reduceOnly
        ({"close_position": False}, -1102),  # neither quantity nor closePosition
        ({"trigger_price": D("-1")}, -4001),
        ({"trigger_price": D("125000.123")}, -1111),  # more than pricePrecision 2
        ({"trigger_price": D("125000.15")}, -4014),  # off the 0.10 tick
        ({"trigger_price": D("100")}, -4013),  # under minPrice
        ({"trigger_price": D("900000")}, -4002),  # over maxPrice
        ({"close_position": False, "quantity": D("0")}, -4003),
        ({"close_position": False, "quantity": D("0.0001")}, -1111),
        ({"close_position": False, "quantity": D("5000")}, -4005),
        ({"trigger_price": D("105000")}, -2021),  # a SELL take-profit under the price
        ({"order_type": "STOP_MARKET", "trigger_price": D("112000")}, -2021),
        (LOW_NOTIONAL, -4164),  # 0.001 x 95000 = 95 < 100
    ],
)
def test_placement_rejections(fx: FuturesEngine, overrides: dict[str, Any], code: int) -> None:
    assert code_of(lambda: fx.place_algo(algo(**overrides))) == code
    assert fx.open_algo_orders() == []


def test_reduce_only_and_close_position_are_exempt_from_min_notional(fx: FuturesEngine) -> None:
    fx.place_algo(algo(**{**LOW_NOTIONAL, "reduce_only": True}))
    fx.place_algo(algo(order_type="STOP_MARKET", trigger_price=D("95000")))
    assert len(fx.open_algo_orders()) == 2


def test_client_algo_ids_are_unique_among_open_orders_only(fx: FuturesEngine) -> None:
    first = fx.place_algo(algo(client_algo_id="me-b-1-tp"))
    assert code_of(lambda: fx.place_algo(algo(client_algo_id="me-b-1-tp"))) == -4116
    fx.cancel_algo(None, "me-b-1-tp")
    again = fx.place_algo(algo(client_algo_id="me-b-1-tp"))
    assert again.algo_id == first.algo_id + 1
    assert fx.find_algo(None, "me-b-1-tp") is again  # the newest with that id
    assert code_of(lambda: fx.cancel_algo(first.algo_id, None)) == -2011  # no longer open
    assert code_of(lambda: fx.find_algo(999, None)) == -2013


def test_cancel_all_takes_only_the_symbols_open_orders(fx: FuturesEngine) -> None:
    fx.place_algo(algo())
    eth = fx.place_algo(algo(symbol="ETHUSDT", trigger_price=D("4500"), close_position=False,
                             quantity=D("0.010"), reduce_only=True))  # fmt: skip
    assert [item.symbol for item in fx.cancel_all_algo(BTC)] == [BTC]
    assert fx.open_algo_orders() == [eth]


# --- plain orders (POST /fapi/v1/order) --------------------------------------------------------


def market(**overrides: Any) -> FuturesOrderSpec:
    return replace(FuturesOrderSpec(BTC, "BUY", "MARKET", D("0.010")), **overrides)


def test_a_market_order_fills_at_the_last_price_and_averages_the_entry(fx: FuturesEngine) -> None:
    fx.set_prices(BTC, D("120000"), D("119000"))
    order = fx.place_order(market())
    held = fx.state.position(BTC, "BOTH")
    assert (order.status, order.avg_price) == ("FILLED", D("120000"))
    assert held is not None
    assert (held.amount, held.entry_price) == (D("0.020"), D("115000"))


def test_a_limit_order_rests_until_the_last_price_reaches_it(fx: FuturesEngine) -> None:
    order = fx.place_order(market(order_type="LIMIT", price=D("105000")))
    assert order.status == "NEW"
    fx.set_prices(BTC, D("105000"), None)
    assert (order.status, amount(fx)) == ("FILLED", D("0.020"))


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"order_type": "STOP_MARKET"}, -4120),
        ({"order_type": "TAKE_PROFIT"}, -4120),
        ({"order_type": "OCO"}, -1116),
        ({"order_type": "LIMIT"}, -1102),  # no price
        ({"quantity": D("0.0005")}, -1111),
        ({"symbol": "ETHUSDT", "quantity": D("0.004")}, -4164),  # 16 USDT < MIN_NOTIONAL 20
        ({"side": "BUY", "reduce_only": True}, -2022),  # a BUY cannot reduce a long
    ],
)
def test_plain_order_rejections(fx: FuturesEngine, overrides: dict[str, Any], code: int) -> None:
    assert code_of(lambda: fx.place_order(market(**overrides))) == code


def test_a_limit_leg_marketable_at_its_trigger_fills_at_once(fx: FuturesEngine) -> None:
    order = fx.place_algo(
        algo(
            order_type="STOP",
            close_position=False,
            quantity=D("0.010"),
            reduce_only=True,
            price=D("99000"),
            trigger_price=D("100000"),
            working_type="CONTRACT_PRICE",
        )
    )
    fx.set_prices(BTC, D("99500"), None)  # a SELL limit at 99000 trades at once
    assert (order.status, order.actual_price, amount(fx)) == ("FINISHED", D("99000"), D(0))


def test_at_most_200_open_conditional_orders(fx: FuturesEngine) -> None:
    for step in range(200):
        fx.place_algo(algo(trigger_price=D("125000") + step))
    assert code_of(lambda: fx.place_algo(algo(trigger_price=D("130000")))) == -4045
