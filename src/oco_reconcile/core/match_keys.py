"""Matching a live list against a bracket on precomputed tuples: the rule of
``plan.comparable_leg`` / ``plan.live_bracket``, without building Leg objects (the planner compares
thousands of lists per plan). PURE. tests/unit/core/test_match_keys.py holds the two to each other.
"""

from __future__ import annotations

from decimal import Decimal

from oco_reconcile.core.model import (
    Bracket,
    Leg,
    LegPosition,
    LegType,
    OrderList,
    OrderReport,
    Side,
    TimeInForce,
    take_profit_position,
)

LegKey = tuple[
    LegType, Decimal | None, Decimal | None, int | None, TimeInForce | None, Decimal | None
]
SpecKey = tuple[str, Side, Decimal, LegKey, LegKey]
# per type: needs a price, needs a trigger, needs a time in force, is a stop-loss type
_TRAITS = {
    t: (t.needs_price, t.needs_trigger, t.needs_time_in_force, t.is_stop_loss) for t in LegType
}
_TYPES = {t.value: t for t in LegType}
_TIFS: dict[str | None, TimeInForce] = {t.value: t for t in TimeInForce}  # unknown, None: GTC


def leg_key(leg: Leg) -> LegKey:
    """``comparable_leg(leg)`` as a tuple."""
    price, trigger, tif, _ = _TRAITS[leg.type]
    return (
        leg.type,
        leg.price if price else None,
        leg.stop_price if trigger else None,
        leg.trailing_delta if trigger else None,
        (leg.time_in_force or TimeInForce.GTC) if tif else None,
        leg.iceberg_qty or None,
    )


def desired_key(bracket: Bracket) -> SpecKey:
    """What a matching live list's :func:`live_key` is."""
    above, below = leg_key(bracket.above), leg_key(bracket.below)
    return (bracket.symbol, bracket.side, bracket.quantity, above, below)


def _report_key(report: OrderReport) -> tuple[LegKey, bool] | None:
    """``comparable_leg(leg_from_report(report))`` as a tuple, and whether it is a stop-loss."""
    leg_type = _TYPES.get(report.type)
    if leg_type is None:
        return None
    price, trigger, tif, stop_loss = _TRAITS[leg_type]
    time_in_force = _TIFS.get(report.time_in_force, TimeInForce.GTC) if tif else None
    key = (
        leg_type,
        report.price if price else None,
        report.stop_price if trigger and report.stop_price else None,
        report.trailing_delta if trigger and report.trailing_delta else None,
        time_in_force,
        report.iceberg_qty or None,
    )
    return key, stop_loss


def live_key(order_list: OrderList) -> SpecKey | None:
    """The list read back as :func:`desired_key` would write it; None as for
    :func:`live_bracket` (legs unknown, not two, mixed sides, or both on one side)."""
    reports = order_list.reports
    if len(reports) != 2:
        return None
    first, second = reports
    side = first.side
    one, two = _report_key(first), _report_key(second)
    if one is None or two is None or second.side is not side or one[1] is two[1]:
        return None
    take_profit_above = take_profit_position(side) is LegPosition.ABOVE
    above, below = (two, one) if one[1] is take_profit_above else (one, two)
    return (order_list.symbol, side, first.orig_qty, above[0], below[0])
