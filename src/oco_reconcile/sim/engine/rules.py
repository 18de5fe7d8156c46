"""Binance's placement rules for an OCO, as pure checks over one symbol's exchangeInfo entry.

Each check raises :class:`~oco_reconcile.sim.engine.errors.SimError` with the code and message the
docs give (rest-api.md "New Order list - OCO (TRADE)"; ``errors.md``). Order of the checks, API
level before matching engine: leg types (-1158) → parameters each leg type needs
(-1102/-1106/-1160) → which leg may sit above or below (-1168, -1165/-1166, -1196..-1199) →
precision (-1111) → what the symbol allows (-2010) → then, in the engine, the filters
(``filters.py``, -1013) → last-price relationship (-2010).
"""

from __future__ import annotations

from decimal import Decimal

from oco_reconcile.sim.engine import errors
from oco_reconcile.sim.engine.errors import SimError
from oco_reconcile.sim.engine.specs import (
    ABOVE,
    OCO_TYPES,
    PRICED_TYPES,
    STOP_LOSS_TYPES,
    TAKE_PROFIT_TYPES,
    TIME_IN_FORCE_TYPES,
    LegSpec,
    OcoSpec,
    Request,
    SymbolInfo,
    take_profit_position,
)


def check_leg_types(spec: OcoSpec) -> None:
    for leg in spec.legs:
        if leg.type not in OCO_TYPES:
            raise SimError(-1158, errors.MSG_OCO_TYPE)


def check_leg_parameters(leg: LegSpec) -> None:
    """Parameters each leg type needs and refuses (rest-api.md "New order" type table)."""
    if leg.type in PRICED_TYPES and leg.price is None:
        raise errors.mandatory(leg.name("price"))
    if leg.type not in PRICED_TYPES and leg.price is not None:
        raise errors.not_required(leg.name("price"))
    if leg.type != "LIMIT_MAKER" and leg.stop_price is None and leg.trailing_delta is None:
        raise errors.one_of(leg.name("stopPrice"), leg.name("trailingDelta"))
    if leg.type == "LIMIT_MAKER":
        for name, value in (("stopPrice", leg.stop_price), ("trailingDelta", leg.trailing_delta)):
            if value is not None:
                raise errors.not_required(leg.name(name))
    _check_time_in_force(leg)
    _check_iceberg_parameters(leg)


def _check_time_in_force(leg: LegSpec) -> None:
    if leg.type in TIME_IN_FORCE_TYPES and leg.time_in_force is None:
        raise errors.mandatory(leg.name("timeInForce"))
    if leg.type not in TIME_IN_FORCE_TYPES and leg.time_in_force is not None:
        raise errors.not_required(leg.name("timeInForce"))


def _check_iceberg_parameters(leg: LegSpec) -> None:
    if leg.iceberg_qty is None:
        return
    if leg.type not in PRICED_TYPES:
        raise errors.not_required(leg.name("icebergQty"))
    if leg.time_in_force not in (None, "GTC"):
        raise SimError(-1160, errors.MSG_OCO_ICEBERG_TIF.format(name=leg.name("icebergQty")))


def check_leg_positions(spec: OcoSpec) -> None:
    """SELL: take-profit family above, stop below; BUY the mirror (rest-api.md "New Order list -
    OCO (TRADE)" table)."""
    if spec.above.type == "LIMIT_MAKER" and spec.below.type == "LIMIT_MAKER":
        raise SimError(-1168, errors.MSG_BOTH_LIMIT)
    tp_position = take_profit_position(spec.side)
    for leg in spec.legs:
        if leg.is_take_profit != (leg.position == tp_position):
            raise _misplaced(spec.side, leg.type)


def _misplaced(side: str, leg_type: str) -> SimError:
    sell = side == "SELL"
    if leg_type == "LIMIT_MAKER":
        return SimError(*((-1166, errors.MSG_SELL_LIMIT_ABOVE) if sell else _BUY_LIMIT))
    if leg_type in TAKE_PROFIT_TYPES:
        return SimError(*((-1199, errors.MSG_SELL_TP_ABOVE) if sell else _BUY_TP))
    return SimError(*((-1197, errors.MSG_SELL_STOP_BELOW) if sell else _BUY_STOP))


_BUY_LIMIT = (-1165, errors.MSG_BUY_LIMIT_BELOW)
_BUY_TP = (-1198, errors.MSG_BUY_TP_BELOW)
_BUY_STOP = (-1196, errors.MSG_BUY_STOP_ABOVE)


def check_precision(symbol: SymbolInfo, spec: Request) -> None:
    """-1111 when a value has more decimals than the asset precision (filters.md)."""
    base = int(symbol["baseAssetPrecision"])
    quote = int(symbol["quotePrecision"])
    _check_places(spec.quantity_name, spec.quantity, base)
    for leg in spec.legs:
        _check_places(leg.name("price"), leg.price, quote)
        _check_places(leg.name("stopPrice"), leg.stop_price, quote)
        _check_places(leg.name("icebergQty"), leg.iceberg_qty, base)


def _check_places(name: str, value: Decimal | None, places: int) -> None:
    if value is None:
        return
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise SimError(-1111, errors.MSG_PRECISION.format(name=name))


def check_symbol_allows(symbol: SymbolInfo, spec: OcoSpec) -> None:
    """What the symbol itself allows: trading status, OCO, order types, iceberg, trailing."""
    if symbol.get("status") != "TRADING":
        raise errors.rejected(errors.MSG_MARKET_CLOSED)
    if not symbol.get("ocoAllowed", False):
        raise errors.rejected(errors.MSG_OCO_NOT_SUPPORTED)
    order_types = set(symbol.get("orderTypes", ()))
    for leg in spec.legs:
        if leg.type not in order_types:
            raise errors.rejected(errors.TYPE_NOT_SUPPORTED[leg.type])
        if leg.iceberg_qty is not None and not symbol.get("icebergAllowed", False):
            raise errors.rejected(errors.MSG_ICEBERG_NOT_SUPPORTED)
        if leg.trailing_delta is not None and not symbol.get("allowTrailingStop", False):
            raise errors.rejected(errors.MSG_TRAILING_NOT_SUPPORTED)
        if leg.iceberg_qty is not None and leg.iceberg_qty >= spec.quantity:
            raise errors.rejected(errors.MSG_ICEBERG_EXCEEDS)


def check_price_relationship(spec: OcoSpec, last_price: Decimal) -> None:
    """SELL: take-profit prices > last > stop price; BUY mirrored (rest-api.md OCO rules)."""
    for leg in spec.legs:
        if not _on_its_side(spec.side, leg, last_price):
            raise errors.rejected(errors.MSG_BAD_PRICES)


def _on_its_side(side: str, leg: LegSpec, last: Decimal) -> bool:
    must_be_above = leg.position == ABOVE
    # a take-profit leg: its limit price and its trigger must both be on its side
    prices = [leg.stop_price] if leg.type in STOP_LOSS_TYPES else [leg.price, leg.stop_price]
    for price in prices:
        if price is None:
            continue
        if must_be_above and not price > last:
            return False
        if not must_be_above and not price < last:
            return False
    return True


def validate_request(symbol: SymbolInfo, spec: OcoSpec) -> None:
    """The checks that need only the request and the symbol (API level, before the engine)."""
    check_leg_types(spec)
    for leg in spec.legs:
        check_leg_parameters(leg)
    check_leg_positions(spec)
    check_precision(symbol, spec)
    check_symbol_allows(symbol, spec)
    if spec.above.client_order_id and spec.above.client_order_id == spec.below.client_order_id:
        # Both legs with one id came back -1013 (hughestu/MATLAB-Binance-API #6).
        raise SimError(-1013, errors.MSG_DUPLICATE_ORDER)
