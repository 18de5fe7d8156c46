"""The futures rejections (the USDⓈ-M "Error Codes" page; binance-api.md §10.3, §10.6).

Each is a :class:`~oco_reconcile.sim.engine.errors.SimError`, the one answer type of the
simulator, so the wire layer renders it as for Spot.
"""

from __future__ import annotations

from oco_reconcile.sim.engine.errors import SimError

MSG_WOULD_TRIGGER = "Order would immediately trigger."  # -2021
MSG_REDUCE_ONLY_REJECTED = "ReduceOnly Order is rejected."  # -2022
MSG_NO_SUCH_ORDER = "Order does not exist."  # -2013
MSG_UNKNOWN_ORDER = "Unknown order sent."  # -2011
MSG_PRICE_TICK = "Price not increased by tick size."  # -4014
MSG_PRICE_BELOW_MIN = "Price less than min price."  # -4013
MSG_PRICE_ABOVE_MAX = "Price greater than max price."  # -4002
MSG_PRICE_NOT_POSITIVE = "Price less than 0."  # -4001
MSG_QTY_NOT_POSITIVE = "Quantity less than or equal to zero."  # -4003
MSG_QTY_BELOW_MIN = "Quantity less than min quantity."  # -4004
MSG_QTY_ABOVE_MAX = "Quantity greater than max quantity."  # -4005
MSG_QTY_STEP = "Quantity not increased by step size."  # -4023
MSG_PRECISION = "Precision is over the maximum defined for this asset."  # -1111
MSG_POSITION_SIDE = "Order's position side does not match user's setting."  # -4061
MSG_DUPLICATE_ID = "ClientOrderId is duplicated."  # -4116
MSG_USE_ALGO = (  # -4120
    "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead."
)
MSG_MIN_NOTIONAL = (
    "Order's notional must be no smaller than {notional} (unless you choose reduce only)."
)
MSG_CLOSE_POSITION_TYPE = "Target strategy invalid for orderType {type},closePosition {close}"
MSG_CLOSE_POSITION_QTY = "Quantity must be zero with closePosition equals true"  # -4137
MSG_TOO_MANY_ALGO = "Reach max stop order limit."  # -4045
MSG_MODE_OPEN_ORDERS = "Position side cannot be changed if there exists open orders."  # -4067
MSG_MODE_POSITION = "Position side cannot be changed if there exists position."  # -4068
MSG_MODE_UNCHANGED = "No need to change position side."  # -4059
MSG_BAD_ALGO_TYPE = "Invalid algoType."
MSG_INVALID_ORDER_TYPE = "Invalid orderType."  # -1116


def would_trigger() -> SimError:
    return SimError(-2021, MSG_WOULD_TRIGGER)


def reduce_only_rejected() -> SimError:
    return SimError(-2022, MSG_REDUCE_ONLY_REJECTED)


def min_notional(notional: str) -> SimError:
    return SimError(-4164, MSG_MIN_NOTIONAL.format(notional=notional))


def close_position_type(order_type: str) -> SimError:
    return SimError(-4136, MSG_CLOSE_POSITION_TYPE.format(type=order_type, close="true"))
