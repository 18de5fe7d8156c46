"""The parameters of the two OCO placement endpoints, read into one :class:`OcoSpec`, and of
``POST /api/v3/order``, read into an :class:`OrderSpec`.

``POST /api/v3/orderList/oco`` names its legs ``above*`` / ``below*`` (rest-api.md "New Order list
- OCO (TRADE)"); the deprecated ``POST /api/v3/order/oco`` has a LIMIT_MAKER at ``price`` and a
stop leg at ``stopPrice``, normalised to above/below by side.
"""

from __future__ import annotations

from decimal import Decimal

from oco_reconcile.sim.engine import errors
from oco_reconcile.sim.engine.errors import SimError
from oco_reconcile.sim.engine.specs import (
    ABOVE,
    BELOW,
    TIME_IN_FORCE_VALUES,
    LegSpec,
    OcoSpec,
    OrderSpec,
    take_profit_position,
)
from oco_reconcile.sim.wire import codes
from oco_reconcile.sim.wire.params import Params
from oco_reconcile.sim.wire.shapes import ACK, FULL, RESULT

SIDES = ("BUY", "SELL")
RESPONSE_TYPES = (ACK, RESULT, FULL)
# rest-api.md "New order (TRADE)": "MARKET and LIMIT order types default to FULL, all other orders
# default to ACK."
_FULL_BY_DEFAULT = ("MARKET", "LIMIT")
STP_MODES = ("NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT", "TRANSFER")
_PEG_SUFFIXES = ("PegPriceType", "PegOffsetType", "PegOffsetValue")
_DEPRECATED_STOP_NAMES = {
    "price": "stopLimitPrice",
    "stopPrice": "stopPrice",
    "trailingDelta": "trailingDelta",
    "timeInForce": "stopLimitTimeInForce",
    "icebergQty": "stopIcebergQty",
}


def read_oco(params: Params) -> tuple[OcoSpec, str]:
    """``POST /api/v3/orderList/oco``: the spec and the ``newOrderRespType``."""
    symbol, list_client_id, side, quantity = _read_common(params)
    above_type = params.required("aboveType")
    below_type = params.required("belowType")
    above = _read_leg(params, ABOVE, above_type)
    below = _read_leg(params, BELOW, below_type)
    response_type, stp = _read_tail(params)
    spec = OcoSpec(symbol, side, quantity, above, below, list_client_id, stp)
    return spec, response_type


def _read_common(params: Params) -> tuple[str, str | None, str, Decimal]:
    symbol = params.required("symbol")
    list_client_id = params.client_id("listClientOrderId")
    side = params.enum(
        "side", SIDES, mandatory=True, invalid=SimError(-1117, codes.MSG_INVALID_SIDE)
    )
    quantity = params.decimal("quantity", mandatory=True)
    assert side is not None  # noqa: S101 - mandatory
    assert quantity is not None  # noqa: S101 - mandatory
    return symbol, list_client_id, side, quantity


def _read_tail(params: Params) -> tuple[str, str | None]:
    response_type = params.enum("newOrderRespType", RESPONSE_TYPES) or FULL
    stp = params.enum("selfTradePreventionMode", STP_MODES)
    return response_type, stp


def _read_leg(params: Params, position: str, leg_type: str) -> LegSpec:
    def name(suffix: str) -> str:
        return position + suffix

    leg = LegSpec(
        position=position,
        type=leg_type,
        client_order_id=params.client_id(name("ClientOrderId")),
        iceberg_qty=params.decimal(name("IcebergQty")),
        price=params.decimal(name("Price")),
        stop_price=params.decimal(name("StopPrice")),
        trailing_delta=params.long(name("TrailingDelta")),
        time_in_force=_time_in_force(params, name("TimeInForce")),
        strategy_id=params.long(name("StrategyId")),
        strategy_type=params.strategy_type(name("StrategyType")),
    )
    for peg in _PEG_SUFFIXES:
        if params.text(name(peg)) is not None:
            raise errors.rejected(errors.MSG_PEG_NOT_SUPPORTED)
    return leg


def _time_in_force(params: Params, name: str) -> str | None:
    invalid = SimError(-1115, codes.MSG_INVALID_TIF)
    return params.enum(name, TIME_IN_FORCE_VALUES, invalid=invalid)


def read_deprecated_oco(params: Params) -> tuple[OcoSpec, str]:
    """``POST /api/v3/order/oco``: a LIMIT_MAKER at ``price`` and a stop leg at ``stopPrice``
    (a STOP_LOSS_LIMIT when ``stopLimitPrice`` is sent), normalised to above/below by side."""
    symbol, list_client_id, side, quantity = _read_common(params)
    limit_leg = {
        "type": "LIMIT_MAKER",
        "client_order_id": params.client_id("limitClientOrderId"),
        "price": params.decimal("price", mandatory=True),
        "strategy_id": params.long("limitStrategyId"),
        "strategy_type": params.strategy_type("limitStrategyType"),
        "iceberg_qty": params.decimal("limitIcebergQty"),
        "wire_names": {"price": "price", "icebergQty": "limitIcebergQty"},
    }
    trailing = params.long("trailingDelta")
    stop_client_id = params.client_id("stopClientOrderId")
    stop_price = params.decimal("stopPrice", mandatory=True)
    stop_leg = {
        "client_order_id": stop_client_id,
        "stop_price": stop_price,
        "trailing_delta": trailing,
        "strategy_id": params.long("stopStrategyId"),
        "strategy_type": params.strategy_type("stopStrategyType"),
        "price": params.decimal("stopLimitPrice"),
        "iceberg_qty": params.decimal("stopIcebergQty"),
        "time_in_force": _time_in_force(params, "stopLimitTimeInForce"),
        "wire_names": _DEPRECATED_STOP_NAMES,
    }
    stop_leg["type"] = "STOP_LOSS_LIMIT" if stop_leg["price"] is not None else "STOP_LOSS"
    response_type, stp = _read_tail(params)
    limit_position = take_profit_position(side)  # the LIMIT_MAKER is the take-profit leg
    stop_position = BELOW if limit_position == ABOVE else ABOVE
    limit = LegSpec(position=limit_position, **limit_leg)  # type: ignore[arg-type]
    stop = LegSpec(position=stop_position, **stop_leg)  # type: ignore[arg-type]
    above, below = (limit, stop) if limit_position == ABOVE else (stop, limit)
    spec = OcoSpec(symbol, side, quantity, above, below, list_client_id, stp)
    return spec, response_type


def read_order(params: Params) -> tuple[OrderSpec, str]:
    """``POST /api/v3/order``: the spec and the ``newOrderRespType`` (by type when not sent)."""
    symbol = params.required("symbol")
    side = params.enum(
        "side", SIDES, mandatory=True, invalid=SimError(-1117, codes.MSG_INVALID_SIDE)
    )
    order_type = params.required("type")
    spec = OrderSpec(
        symbol=symbol,
        side=side or "",
        type=order_type,
        quantity=params.decimal("quantity"),
        quote_order_qty=params.decimal("quoteOrderQty"),
        price=params.decimal("price"),
        stop_price=params.decimal("stopPrice"),
        trailing_delta=params.long("trailingDelta"),
        time_in_force=_time_in_force(params, "timeInForce"),
        iceberg_qty=params.decimal("icebergQty"),
        client_order_id=params.client_id("newClientOrderId"),
        strategy_id=params.long("strategyId"),
        strategy_type=params.strategy_type("strategyType"),
        self_trade_prevention_mode=params.enum("selfTradePreventionMode", STP_MODES),
    )
    for peg in ("pegPriceType", "pegOffsetType", "pegOffsetValue"):
        if params.text(peg) is not None:
            raise errors.rejected(errors.MSG_PEG_NOT_SUPPORTED)
    default = FULL if order_type in _FULL_BY_DEFAULT else ACK
    return spec, params.enum("newOrderRespType", RESPONSE_TYPES) or default
