"""USDⓈ-M futures JSON -> the futures model's frozen values (core/usdm/model.py).

Nothing from outside the process is trusted: every field the tool uses is type-checked, decimals
become :class:`~decimal.Decimal` exactly (never through ``float``), and an unknown enum value (an
``algoStatus`` or ``side`` this tool does not know) is a :class:`ResponseFormatError` naming the
field, which the client turns into an exchange error. Fields the tool does not use are ignored.
Binance prints ``""``, ``null`` or a zero for a price or quantity that is not set (the
``activatePrice`` / ``price`` of New-Algo-Order.md's example): all three read as None.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from oco_reconcile.core.model import Balance, Side
from oco_reconcile.core.usdm.model import (
    AlgoOrder,
    AlgoStatus,
    FuturesInfo,
    FuturesSymbolRules,
    Position,
    PositionSide,
    WorkingType,
)
from oco_reconcile.json_types import JsonMapping
from oco_reconcile.venues.spot.fields import (
    ResponseFormatError,
    as_decimal,
    as_int,
    as_list,
    as_object,
    as_str,
    get_field,
    optional,
    req_decimal,
    req_int,
    req_str,
)
from oco_reconcile.venues.spot.parse import (
    filters_by_type,
    lot_size,
    parse_rate_limits,
    percent_price,
    price_filter,
    typed_filter,
)

E = TypeVar("E", bound=StrEnum)
N = TypeVar("N", int, Decimal)

# --- field readers ------------------------------------------------------------------------------


def _enum(kind: type[E], obj: JsonMapping, name: str) -> E:
    text = req_str(obj, name)
    try:
        return kind(text)
    except ValueError:
        raise ResponseFormatError(f"field {name!r} has an unknown value: {text!r}") from None


def as_flag(value: object, name: str) -> bool:
    """A boolean sent as JSON ``true`` / ``false`` or as the strings "true" / "TRUE" / "false"
    (New-Algo-Order.md sends ``priceProtect`` as "TRUE"/"FALSE", answers a JSON boolean)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ResponseFormatError(f"field {name!r} is not a boolean: {value!r}")


def _flag(obj: JsonMapping, name: str) -> bool:
    return optional(obj, name, as_flag) or False


def _unset(obj: JsonMapping, name: str, convert: Callable[[object, str], N]) -> N | None:
    """None for an absent, ``null``, ``""`` or zero value; otherwise the converted value."""
    value = obj.get(name)
    if value is None or value == "":
        return None
    result = convert(value, name)
    return None if result == 0 else result


def _unset_decimal(obj: JsonMapping, name: str) -> Decimal | None:
    return _unset(obj, name, as_decimal)


def _unset_int(obj: JsonMapping, name: str) -> int | None:
    return _unset(obj, name, as_int)


def _time(obj: JsonMapping, name: str) -> int:
    return _unset_int(obj, name) or 0


# --- algo orders --------------------------------------------------------------------------------


def parse_algo_order(obj: object) -> AlgoOrder:
    """One algo order: ``POST`` / ``GET /fapi/v1/algoOrder`` or an ``openAlgoOrders`` item."""
    obj = as_object(obj)
    working = obj.get("workingType")
    tif = obj.get("timeInForce")
    return AlgoOrder(
        algo_id=req_int(obj, "algoId"),
        client_algo_id=req_str(obj, "clientAlgoId"),
        symbol=req_str(obj, "symbol"),
        side=_enum(Side, obj, "side"),
        position_side=_enum(PositionSide, obj, "positionSide"),
        order_type=req_str(obj, "orderType"),
        status=_enum(AlgoStatus, obj, "algoStatus"),
        trigger_price=req_decimal(obj, "triggerPrice"),
        price=_unset_decimal(obj, "price"),
        quantity=_unset_decimal(obj, "quantity"),
        close_position=_flag(obj, "closePosition"),
        reduce_only=_flag(obj, "reduceOnly"),
        working_type=(
            WorkingType.CONTRACT_PRICE
            if working is None
            else _enum(WorkingType, obj, "workingType")
        ),
        price_protect=_flag(obj, "priceProtect"),
        time_in_force=None if tif is None or tif == "" else as_str(tif, "timeInForce"),
        create_time=_time(obj, "createTime"),
        update_time=_time(obj, "updateTime"),
        trigger_time=_time(obj, "triggerTime"),
        actual_order_id=_unset_int(obj, "actualOrderId"),
        actual_price=_unset_decimal(obj, "actualPrice"),
    )


def parse_algo_orders(payload: object) -> tuple[AlgoOrder, ...]:
    """``openAlgoOrders`` / ``allAlgoOrders``: a JSON array of algo orders."""
    return tuple(parse_algo_order(item) for item in as_list(payload, "algo orders"))


def parse_algo_cancel(obj: object) -> int:
    """``DELETE /fapi/v1/algoOrder`` -> the cancelled order's ``algoId``."""
    return req_int(as_object(obj), "algoId")


# --- exchangeInfo -------------------------------------------------------------------------------


def parse_futures_info(obj: object) -> FuturesInfo:
    """``GET /fapi/v1/exchangeInfo``: every symbol's rules and the published rate limits."""
    obj = as_object(obj)
    symbols = (parse_futures_rules(item) for item in as_list(get_field(obj, "symbols"), "symbols"))
    return FuturesInfo(
        symbols={rules.symbol: rules for rules in symbols},
        rate_limits=parse_rate_limits(obj.get("rateLimits", [])),
        server_time=optional(obj, "serverTime", as_int),
    )


def _strings(obj: JsonMapping, name: str) -> frozenset[str]:
    return frozenset(as_str(item, name) for item in as_list(obj.get(name, []), name))


def parse_futures_rules(obj: object) -> FuturesSymbolRules:
    obj = as_object(obj)
    try:
        return _rules(obj)
    except ResponseFormatError as error:
        raise ResponseFormatError(f"symbol {obj.get('symbol')!r}: {error}") from None


def _rules(obj: JsonMapping) -> FuturesSymbolRules:
    by_type = filters_by_type(get_field(obj, "filters"))
    return FuturesSymbolRules(
        symbol=req_str(obj, "symbol"),
        status=req_str(obj, "status"),
        contract_type=req_str(obj, "contractType"),
        base_asset=req_str(obj, "baseAsset"),
        quote_asset=req_str(obj, "quoteAsset"),
        margin_asset=req_str(obj, "marginAsset"),
        order_types=frozenset(
            as_str(t, "orderTypes") for t in as_list(get_field(obj, "orderTypes"), "orderTypes")
        ),
        time_in_force=_strings(obj, "timeInForce"),
        price_filter=typed_filter(by_type, "PRICE_FILTER", price_filter),
        lot_size=typed_filter(by_type, "LOT_SIZE", lot_size),
        market_lot_size=typed_filter(by_type, "MARKET_LOT_SIZE", lot_size),
        min_notional=typed_filter(by_type, "MIN_NOTIONAL", lambda r: req_decimal(r, "notional")),
        percent_price=typed_filter(by_type, "PERCENT_PRICE", percent_price),
        trigger_protect=optional(obj, "triggerProtect", as_decimal),
    )


# --- account, positions, prices -----------------------------------------------------------------


def parse_positions(payload: object) -> tuple[Position, ...]:
    """``GET /fapi/v3/positionRisk``: one row per symbol and position side."""
    return tuple(_position(as_object(item)) for item in as_list(payload, "positions"))


def _position(obj: JsonMapping) -> Position:
    return Position(
        symbol=req_str(obj, "symbol"),
        position_side=_enum(PositionSide, obj, "positionSide"),
        amount=req_decimal(obj, "positionAmt"),
        entry_price=optional(obj, "entryPrice", as_decimal) or Decimal(0),
        mark_price=optional(obj, "markPrice", as_decimal) or Decimal(0),
    )


def parse_hedge_mode(obj: object) -> bool:
    """``GET /fapi/v1/positionSide/dual``: ``{"dualSidePosition": true}`` in hedge mode."""
    return as_flag(get_field(obj, "dualSidePosition"), "dualSidePosition")


def parse_futures_balances(payload: object) -> dict[str, Balance]:
    """``GET /fapi/v3/balance``: ``availableBalance`` is free; the rest of ``balance`` locked."""
    balances = {}
    for item in as_list(payload, "balances"):
        asset = req_str(item, "asset")
        total, free = req_decimal(item, "balance"), req_decimal(item, "availableBalance")
        balances[asset] = Balance(asset=asset, free=free, locked=max(total - free, Decimal(0)))
    return balances


def _price_map(payload: object, field: str) -> dict[str, Decimal]:
    items = payload if isinstance(payload, list) else [payload]
    return {req_str(item, "symbol"): req_decimal(item, field) for item in items}


def parse_mark_prices(payload: object) -> dict[str, Decimal]:
    """``GET /fapi/v1/premiumIndex``: one object (``symbol=``) or an array -> markPrice."""
    return _price_map(payload, "markPrice")


def parse_last_prices(payload: object) -> dict[str, Decimal]:
    """``GET /fapi/v1/ticker/price``: one object (``symbol=``) or an array -> price."""
    return _price_map(payload, "price")
