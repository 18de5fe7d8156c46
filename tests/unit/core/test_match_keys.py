"""``plan.matches`` compares precomputed tuples (``live_key`` / ``desired_key``); these property
tests hold it to the rule it replaced: the list read back with ``live_bracket`` and both sides
normalised with ``comparable_leg``, compared as Leg objects."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from oco_reconcile.core.model import (
    Bracket,
    Leg,
    LegType,
    OrderList,
    OrderReport,
    Side,
    TimeInForce,
)
from oco_reconcile.core.plan import comparable_leg, live_bracket, matches

AMOUNTS = st.sampled_from([Decimal(0), Decimal("0.0"), Decimal(1), Decimal("1.00"), Decimal(2)])
OPTIONAL_AMOUNTS = st.none() | AMOUNTS
DELTAS = st.sampled_from([None, 0, 100, 200])
TYPES = st.sampled_from([*(t.value for t in LegType), "LIMIT", "MARKET"])
TIFS = st.sampled_from([None, "GTC", "IOC", "FOK", "GTX"])


def old_matches(order_list: OrderList, bracket: Bracket) -> bool:
    """The matching rule before the tuples: Leg objects built and compared."""
    live = live_bracket(order_list)
    if live is None:
        return False
    return (
        live.symbol == bracket.symbol
        and live.side is bracket.side
        and live.quantity == bracket.quantity
        and comparable_leg(live.above) == comparable_leg(bracket.above)
        and comparable_leg(live.below) == comparable_leg(bracket.below)
    )


@st.composite
def legs(draw: st.DrawFn) -> Leg:
    tif = draw(st.sampled_from([None, *TimeInForce]))
    return Leg(
        type=draw(st.sampled_from(LegType)),
        price=draw(OPTIONAL_AMOUNTS),
        stop_price=draw(OPTIONAL_AMOUNTS),
        trailing_delta=draw(DELTAS),
        time_in_force=tif,
        iceberg_qty=draw(OPTIONAL_AMOUNTS),
    )


@st.composite
def brackets(draw: st.DrawFn) -> Bracket:
    return Bracket(
        name="b",
        symbol=draw(st.sampled_from(["BTCUSDT", "ETHUSDT"])),
        side=draw(st.sampled_from(Side)),
        quantity=draw(AMOUNTS),
        above=draw(legs()),
        below=draw(legs()),
    )


def report_of(leg: Leg, side: Side, quantity: Decimal) -> OrderReport:
    """A leg reported back as openOrders would (no price -> 0, no time in force -> GTC)."""
    tif = leg.time_in_force.value if leg.time_in_force is not None else "GTC"
    return OrderReport(
        "BTCUSDT", 1, 1, "c", side, leg.type.value, "NEW", leg.price or Decimal(0), quantity,
        Decimal(0), leg.stop_price, leg.iceberg_qty, leg.trailing_delta, tif,
    )  # fmt: skip


@st.composite
def random_reports(draw: st.DrawFn) -> OrderReport:
    return OrderReport(
        draw(st.sampled_from(["BTCUSDT", "ETHUSDT"])), 1, 1, "c", draw(st.sampled_from(Side)),
        draw(TYPES), "NEW", draw(AMOUNTS), draw(AMOUNTS), Decimal(0), draw(OPTIONAL_AMOUNTS),
        draw(OPTIONAL_AMOUNTS), draw(DELTAS), draw(TIFS),
    )  # fmt: skip


@st.composite
def lists_for(draw: st.DrawFn, bracket: Bracket) -> OrderList:
    """Mostly the bracket's own legs (in either order, sometimes one swapped for a random
    report), sometimes one, two or three random reports."""
    own = [report_of(leg, bracket.side, bracket.quantity) for leg in (bracket.above, bracket.below)]
    if draw(st.booleans()):
        own.reverse()
    if draw(st.booleans()):
        own[draw(st.integers(0, 1))] = draw(random_reports())
    reports = own if draw(st.booleans()) else draw(st.lists(random_reports(), max_size=3))
    symbol = draw(st.sampled_from([bracket.symbol, "BTCUSDT"]))
    return OrderList(1, "l", symbol, "OCO", "EXEC_STARTED", "EXECUTING", 0, (), tuple(reports))


@settings(max_examples=600, deadline=None)
@given(data=st.data(), bracket=brackets())
def test_tuple_matching_agrees_with_leg_objects(data: st.DataObject, bracket: Bracket) -> None:
    order_list = data.draw(lists_for(bracket))
    assert matches(order_list, bracket) == old_matches(order_list, bracket)


def test_a_stop_limit_leg_without_a_known_time_in_force_reads_as_gtc() -> None:
    below = Leg(LegType.STOP_LOSS_LIMIT, Decimal(89), Decimal(90), time_in_force=TimeInForce.GTC)
    above = Leg(LegType.LIMIT_MAKER, Decimal(120))
    bracket = Bracket("b", "BTCUSDT", Side.SELL, Decimal(1), above, below)
    for reported in (None, "GTX", "GTC"):
        legs = (report_of(above, Side.SELL, Decimal(1)), report_of(below, Side.SELL, Decimal(1)))
        stop = replace(legs[1], time_in_force=reported)
        order_list = OrderList(
            1, "l", "BTCUSDT", "OCO", "EXEC_STARTED", "EXECUTING", 0, (), (legs[0], stop)
        )
        assert matches(order_list, bracket), reported
        assert old_matches(order_list, bracket), reported
