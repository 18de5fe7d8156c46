"""The ``/fapi`` trading endpoints: ``POST /fapi/v1/order`` (MARKET / LIMIT) and the Algo Order
API (binance-api.md §10.2-§10.4). Each reads its parameters, calls :meth:`Params.finish`, then
the engine; the answers are ``fapi_shapes.py``."""

from __future__ import annotations

import re
from decimal import Decimal

from oco_reconcile.json_types import JsonValue
from oco_reconcile.sim.engine import errors
from oco_reconcile.sim.engine.errors import SimError
from oco_reconcile.sim.engine.usdm import errors as fx
from oco_reconcile.sim.engine.usdm.algo import (
    ALL_ALGO_DEFAULT_LIMIT,
    ALL_ALGO_MAX_LIMIT,
    ALL_ALGO_SPAN_MS,
)
from oco_reconcile.sim.engine.usdm.specs import (
    CONDITIONAL_TYPES,
    POSITION_SIDES,
    TIMES_IN_FORCE,
    WORKING_TYPES,
    AlgoSpec,
    FuturesOrderSpec,
)
from oco_reconcile.sim.wire import codes
from oco_reconcile.sim.wire.endpoints import Endpoints
from oco_reconcile.sim.wire.fapi_shapes import FuturesShapes
from oco_reconcile.sim.wire.params import Params

# New-Algo-Order.md: the futures clientAlgoId / newClientOrderId pattern (binance-api.md §4)
CLIENT_ID_RANGE = r"^[\.A-Z\:/a-z0-9_-]{1,36}$"
_CLIENT_ID_RE = re.compile(CLIENT_ID_RANGE)
MSG_BAD_CLIENT_ID = "Client order id is not valid."  # -4015
SIDES = ("BUY", "SELL")
STP_MODES = ("NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH")
PRICE_MATCHES = (
    "NONE",
    "OPPONENT",
    "OPPONENT_5",
    "OPPONENT_10",
    "OPPONENT_20",
    "QUEUE",
    "QUEUE_5",
    "QUEUE_10",
    "QUEUE_20",
)
RESPONSE_TYPES = ("ACK", "RESULT")


def _shapes(api: Endpoints) -> FuturesShapes:
    return FuturesShapes(api.engine.usdm.state)


def _client_id(params: Params, name: str) -> str | None:
    value = params.text(name)
    if value is not None and not _CLIENT_ID_RE.match(value):
        raise SimError(-4015, MSG_BAD_CLIENT_ID)
    return value


def _side(params: Params) -> str:
    side = params.enum(
        "side", SIDES, mandatory=True, invalid=SimError(-1117, codes.MSG_INVALID_SIDE)
    )
    assert side is not None  # noqa: S101 - mandatory
    return side


def _order_type(params: Params, allowed: tuple[str, ...]) -> str:
    invalid = SimError(-1116, fx.MSG_INVALID_ORDER_TYPE)
    value = params.enum("type", allowed, mandatory=True, invalid=invalid)
    assert value is not None  # noqa: S101 - mandatory
    return value


def read_algo(params: Params) -> AlgoSpec:
    """``POST /fapi/v1/algoOrder``'s parameters (binance-api.md §10.3 table)."""
    algo_type = params.text("algoType", mandatory=True)
    if algo_type != "CONDITIONAL":
        raise SimError(-1116, fx.MSG_BAD_ALGO_TYPE)
    symbol = params.required("symbol")
    side = _side(params)
    order_type = _order_type(params, CONDITIONAL_TYPES)
    for name in ("activatePrice", "callbackRate"):
        if params.text(name) is not None:
            raise errors.not_required(name)
    params.enum("newOrderRespType", RESPONSE_TYPES)
    if order_type == "TRAILING_STOP_MARKET":  # not simulated (docs/simulator.md)
        raise SimError(-1116, fx.MSG_INVALID_ORDER_TYPE)
    return AlgoSpec(
        symbol=symbol,
        side=side,
        order_type=order_type,
        position_side=params.enum("positionSide", POSITION_SIDES),
        quantity=params.decimal("quantity"),
        trigger_price=params.decimal("triggerPrice"),
        price=params.decimal("price"),
        working_type=params.enum("workingType", WORKING_TYPES) or "CONTRACT_PRICE",
        close_position=bool(params.boolean("closePosition")),
        reduce_only=params.boolean("reduceOnly"),
        price_protect=bool(params.boolean("priceProtect")),
        time_in_force=params.enum("timeInForce", TIMES_IN_FORCE) or "GTC",
        client_algo_id=_client_id(params, "clientAlgoId"),
        self_trade_prevention_mode=params.enum("selfTradePreventionMode", STP_MODES) or "NONE",
        price_match=params.enum("priceMatch", PRICE_MATCHES) or "NONE",
        good_till_date=params.long("goodTillDate") or 0,
    )


def new_algo_order(api: Endpoints, params: Params) -> JsonValue:
    spec = read_algo(params)
    params.finish()
    return _shapes(api).algo(api.engine.usdm.place_algo(spec))


def _lookup(api: Endpoints, params: Params) -> tuple[int | None, str | None]:
    """``algoId`` / ``clientAlgoId``; a ``symbol`` is tolerated (not in the docs' parameters,
    but clients send it as for other order endpoints) and must name a contract."""
    algo_id = params.long("algoId")
    client_id = params.text("clientAlgoId")
    symbol = params.text("symbol")
    params.finish()
    if symbol is not None:
        api.engine.usdm.check_symbol(symbol)
    return algo_id, client_id


def get_algo_order(api: Endpoints, params: Params) -> JsonValue:
    algo_id, client_id = _lookup(api, params)
    return _shapes(api).algo(api.engine.usdm.find_algo(algo_id, client_id))


def open_algo_orders(api: Endpoints, params: Params) -> JsonValue:
    params.enum("algoType", ("CONDITIONAL",))
    symbol = params.text("symbol")
    algo_id = params.long("algoId")
    params.finish()
    if symbol is not None:
        api.engine.usdm.check_symbol(symbol)
    shapes = _shapes(api)
    return [
        shapes.algo(order, open_list=True)
        for order in api.engine.usdm.open_algo_orders(symbol)
        if algo_id is None or order.algo_id == algo_id
    ]


def all_algo_orders(api: Endpoints, params: Params) -> JsonValue:
    symbol = params.required("symbol")
    start, end = params.long("startTime"), params.long("endTime")
    limit = params.long("limit")
    params.long("algoId")
    params.long("page")
    params.finish()
    if start is not None and end is not None and end - start > ALL_ALGO_SPAN_MS:
        raise SimError(
            -1127, codes.MSG_INTERVAL_TOO_BIG.format(hours=ALL_ALGO_SPAN_MS // 3_600_000)
        )
    if limit is not None and limit > ALL_ALGO_MAX_LIMIT:
        raise codes.too_great("limit", ALL_ALGO_MAX_LIMIT)
    found = api.engine.usdm.algo_history(symbol, (start, end), limit or ALL_ALGO_DEFAULT_LIMIT)
    shapes = _shapes(api)
    return [shapes.algo(order) for order in found]


def cancel_algo_order(api: Endpoints, params: Params) -> JsonValue:
    algo_id, client_id = _lookup(api, params)
    order = api.engine.usdm.cancel_algo(algo_id, client_id)
    return {
        "algoId": order.algo_id,
        "clientAlgoId": order.client_algo_id,
        "code": "200",
        "msg": "success",
    }


def cancel_algo_open_orders(api: Endpoints, params: Params) -> JsonValue:
    symbol = params.required("symbol")
    params.finish()
    api.engine.usdm.cancel_all_algo(symbol)
    return {"code": 200, "msg": "The operation of cancel all open order is done."}


def new_order(api: Endpoints, params: Params) -> JsonValue:
    """``POST /fapi/v1/order``: MARKET / LIMIT; conditional types answer -4120."""
    symbol = params.required("symbol")
    side = _side(params)
    order_type = params.required("type")
    for name in ("stopPrice", "closePosition", "workingType", "priceProtect", "newOrderRespType"):
        params.text(name)
    quantity = params.decimal("quantity", mandatory=order_type not in CONDITIONAL_TYPES)
    spec = FuturesOrderSpec(
        symbol=symbol,
        side=side,
        order_type=order_type,
        quantity=quantity if quantity is not None else Decimal(0),
        position_side=params.enum("positionSide", POSITION_SIDES),
        price=params.decimal("price"),
        reduce_only=params.boolean("reduceOnly"),
        time_in_force=params.enum("timeInForce", TIMES_IN_FORCE) or "GTC",
        client_order_id=_client_id(params, "newClientOrderId"),
    )
    params.finish()
    return _shapes(api).order(api.engine.usdm.place_order(spec))
