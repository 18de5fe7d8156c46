"""Binance JSON -> the project's frozen values (model.py).

Decimal strings become :class:`~decimal.Decimal` exactly (never through ``float``); a zero
``stopPrice`` / ``icebergQty`` (``"0.00000000"``, which Binance prints for orders without one)
becomes ``None``; fields this tool does not use are ignored, so new fields Binance adds never break
parsing. A payload that lacks a field the tool needs raises :class:`ResponseFormatError`, which the
client turns into an exchange error naming the endpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from oco_reconcile.core.model import (
    AccountFilters,
    Balance,
    ExchangeInfo,
    LotSize,
    NotionalFilter,
    OrderList,
    OrderRef,
    OrderReport,
    PercentPrice,
    PercentPriceBySide,
    PriceFilter,
    RateLimit,
    RateLimitType,
    Side,
    SymbolRules,
    TrailingDeltaFilter,
)

JsonObject = Mapping[str, Any]
T = TypeVar("T")


class ResponseFormatError(ValueError):
    """A response did not have the shape the Binance docs describe."""


# --- field readers ------------------------------------------------------------------------------


def _object(obj: object) -> JsonObject:
    if not isinstance(obj, Mapping):
        raise ResponseFormatError(f"expected a JSON object, got {type(obj).__name__}")
    return obj


def _field(obj: object, name: str) -> Any:
    obj = _object(obj)
    if name not in obj:
        raise ResponseFormatError(f"missing field {name!r}")
    return obj[name]


def _decimal(value: object, name: str) -> Decimal:
    # Decimals arrive as strings; a JSON number (parsed with parse_float=Decimal) is accepted too.
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ResponseFormatError(f"field {name!r} is not a decimal: {value!r}")
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise ResponseFormatError(f"field {name!r} is not a decimal: {value!r}") from None
    if not result.is_finite():
        raise ResponseFormatError(f"field {name!r} is not finite: {value!r}")
    return result


def _int(value: object, name: str) -> int:
    if isinstance(value, bool):
        raise ResponseFormatError(f"field {name!r} is not an integer: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    raise ResponseFormatError(f"field {name!r} is not an integer: {value!r}")


def _str(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise ResponseFormatError(f"field {name!r} is not a string: {value!r}")
    return value


def _req_decimal(obj: object, name: str) -> Decimal:
    return _decimal(_field(obj, name), name)


def _req_int(obj: object, name: str) -> int:
    return _int(_field(obj, name), name)


def _req_str(obj: object, name: str) -> str:
    return _str(_field(obj, name), name)


def _opt(obj: JsonObject, name: str, convert: Callable[[object, str], T]) -> T | None:
    value = obj.get(name)
    return None if value is None else convert(value, name)


def _nonzero_decimal(obj: JsonObject, name: str) -> Decimal | None:
    """``None`` for an absent or zero value: Binance prints ``"0.00000000"`` for "not set"."""
    value = _opt(obj, name, _decimal)
    return None if value is None or value == 0 else value


def _list(value: object, what: str) -> Sequence[Any]:
    if not isinstance(value, list):
        raise ResponseFormatError(f"expected a JSON array of {what}, got {type(value).__name__}")
    return value


# --- orders and order lists ---------------------------------------------------------------------


def parse_order_report(obj: object) -> OrderReport:
    """One order: an element of ``openOrders``, ``GET /order`` or an ``orderReports`` entry."""
    obj = _object(obj)
    return OrderReport(
        symbol=_req_str(obj, "symbol"),
        order_id=_req_int(obj, "orderId"),
        order_list_id=_req_int(obj, "orderListId"),
        client_order_id=_req_str(obj, "clientOrderId"),
        side=_side(_req_str(obj, "side")),
        type=_req_str(obj, "type"),
        status=_req_str(obj, "status"),
        price=_req_decimal(obj, "price"),
        orig_qty=_req_decimal(obj, "origQty"),
        executed_qty=_req_decimal(obj, "executedQty"),
        stop_price=_nonzero_decimal(obj, "stopPrice"),
        iceberg_qty=_nonzero_decimal(obj, "icebergQty"),
        trailing_delta=_opt(obj, "trailingDelta", _int),
        time_in_force=_opt(obj, "timeInForce", _str),
        orig_client_order_id=_opt(obj, "origClientOrderId", _str),
        expiry_reason=_opt(obj, "expiryReason", _str),
        is_working=_opt(obj, "isWorking", _bool),
        time=_order_time(obj),
    )


def _side(text: str) -> Side:
    try:
        return Side(text)
    except ValueError:
        raise ResponseFormatError(f"unknown side {text!r}") from None


def _bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise ResponseFormatError(f"field {name!r} is not a boolean: {value!r}")
    return value


def _order_time(obj: JsonObject) -> int | None:
    """``time`` (open/queried orders) or ``transactTime`` (placement and cancel reports)."""
    time = _opt(obj, "time", _int)
    return time if time is not None else _opt(obj, "transactTime", _int)


def parse_order_reports(payload: object) -> tuple[OrderReport, ...]:
    return tuple(parse_order_report(item) for item in _list(payload, "orders"))


def _order_ref(obj: JsonObject) -> OrderRef:
    return OrderRef(
        symbol=_req_str(obj, "symbol"),
        order_id=_req_int(obj, "orderId"),
        client_order_id=_req_str(obj, "clientOrderId"),
    )


def parse_order_list(obj: object) -> OrderList:
    """One order list (openOrderList / orderList / allOrderList element, placement, cancel)."""
    obj = _object(obj)
    reports = obj.get("orderReports")
    return OrderList(
        order_list_id=_req_int(obj, "orderListId"),
        list_client_order_id=_req_str(obj, "listClientOrderId"),
        symbol=_req_str(obj, "symbol"),
        contingency_type=_req_str(obj, "contingencyType"),
        list_status_type=_req_str(obj, "listStatusType"),
        list_order_status=_req_str(obj, "listOrderStatus"),
        transaction_time=_req_int(obj, "transactionTime"),
        orders=tuple(_order_ref(item) for item in _list(_field(obj, "orders"), "orders")),
        reports=() if reports is None else parse_order_reports(reports),
    )


def parse_order_lists(payload: object) -> tuple[OrderList, ...]:
    return tuple(parse_order_list(item) for item in _list(payload, "order lists"))


# --- exchangeInfo -------------------------------------------------------------------------------


def parse_exchange_info(obj: object) -> ExchangeInfo:
    obj = _object(obj)
    symbols = (parse_symbol_rules(item) for item in _list(_field(obj, "symbols"), "symbols"))
    return ExchangeInfo(
        symbols={rules.symbol: rules for rules in symbols},
        rate_limits=parse_rate_limits(obj.get("rateLimits", [])),
        account_filters=parse_account_filters(obj.get("exchangeFilters", [])),
        server_time=_opt(obj, "serverTime", _int),
    )


def parse_rate_limits(payload: object) -> tuple[RateLimit, ...]:
    limits = []
    for item in _list(payload, "rate limits"):
        try:
            kind = RateLimitType(_req_str(item, "rateLimitType"))
        except ValueError:
            continue  # a limiter type this tool does not know cannot be paced for; skip it
        limits.append(
            RateLimit(
                type=kind,
                interval=_req_str(item, "interval"),
                interval_num=_req_int(item, "intervalNum"),
                limit=_req_int(item, "limit"),
            )
        )
    return tuple(limits)


def parse_account_filters(payload: object) -> AccountFilters:
    """The account-wide ``EXCHANGE_MAX_*`` filters (filters.md)."""
    by_type = _filters_by_type(payload)
    return AccountFilters(
        max_num_orders=_count(by_type, "EXCHANGE_MAX_NUM_ORDERS", "maxNumOrders"),
        max_num_algo_orders=_count(by_type, "EXCHANGE_MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders"),
        max_num_order_lists=_count(by_type, "EXCHANGE_MAX_NUM_ORDER_LISTS", "maxNumOrderLists"),
        max_num_iceberg_orders=_count(
            by_type, "EXCHANGE_MAX_NUM_ICEBERG_ORDERS", "maxNumIcebergOrders"
        ),
    )


def parse_symbol_rules(obj: object) -> SymbolRules:
    obj = _object(obj)
    by_type = _filters_by_type(_field(obj, "filters"))
    quote_precision = obj.get("quoteAssetPrecision", obj.get("quotePrecision"))
    order_types = _field(obj, "orderTypes")
    return SymbolRules(
        symbol=_req_str(obj, "symbol"),
        status=_req_str(obj, "status"),
        base_asset=_req_str(obj, "baseAsset"),
        quote_asset=_req_str(obj, "quoteAsset"),
        base_asset_precision=_req_int(obj, "baseAssetPrecision"),
        quote_asset_precision=_int(quote_precision, "quoteAssetPrecision"),
        order_types=frozenset(_str(t, "orderTypes") for t in _list(order_types, "order types")),
        oco_allowed=bool(obj.get("ocoAllowed", False)),
        allow_trailing_stop=bool(obj.get("allowTrailingStop", False)),
        iceberg_allowed=bool(obj.get("icebergAllowed", False)),
        price_filter=_typed(by_type, "PRICE_FILTER", _price_filter),
        lot_size=_typed(by_type, "LOT_SIZE", _lot_size),
        notional=_notional(by_type),
        percent_price_by_side=_typed(by_type, "PERCENT_PRICE_BY_SIDE", _percent_price_by_side),
        percent_price=_typed(by_type, "PERCENT_PRICE", _percent_price),
        trailing_delta=_typed(by_type, "TRAILING_DELTA", _trailing_delta),
        max_num_orders=_count(by_type, "MAX_NUM_ORDERS", "maxNumOrders"),
        max_num_algo_orders=_count(by_type, "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders"),
        max_num_order_lists=_count(by_type, "MAX_NUM_ORDER_LISTS", "maxNumOrderLists"),
        max_num_iceberg_orders=_count(by_type, "MAX_NUM_ICEBERG_ORDERS", "maxNumIcebergOrders"),
        iceberg_parts=_count(by_type, "ICEBERG_PARTS", "limit"),
        max_position=_typed(by_type, "MAX_POSITION", lambda raw: _req_decimal(raw, "maxPosition")),
        permission_sets=_permission_sets(obj),
    )


def _filters_by_type(payload: object) -> dict[str, JsonObject]:
    return {_req_str(item, "filterType"): item for item in _list(payload, "filters")}


def _typed(
    by_type: Mapping[str, JsonObject], name: str, build: Callable[[JsonObject], T]
) -> T | None:
    raw = by_type.get(name)
    if raw is None:
        return None
    try:
        return build(raw)
    except ResponseFormatError as error:
        raise ResponseFormatError(f"filter {name}: {error}") from None


def _count(by_type: Mapping[str, JsonObject], name: str, field_name: str) -> int | None:
    return _typed(by_type, name, lambda raw: _req_int(raw, field_name))


def _price_filter(raw: JsonObject) -> PriceFilter:
    return PriceFilter(
        min_price=_req_decimal(raw, "minPrice"),
        max_price=_req_decimal(raw, "maxPrice"),
        tick_size=_req_decimal(raw, "tickSize"),
    )


def _lot_size(raw: JsonObject) -> LotSize:
    return LotSize(
        min_qty=_req_decimal(raw, "minQty"),
        max_qty=_req_decimal(raw, "maxQty"),
        step_size=_req_decimal(raw, "stepSize"),
    )


def _notional(by_type: Mapping[str, JsonObject]) -> NotionalFilter | None:
    """NOTIONAL when present; else the legacy MIN_NOTIONAL (min only)."""
    current = _typed(
        by_type,
        "NOTIONAL",
        lambda raw: NotionalFilter(
            min_notional=_req_decimal(raw, "minNotional"),
            max_notional=_opt(raw, "maxNotional", _decimal),
            apply_min_to_market=_flag(raw, "applyMinToMarket"),
            apply_max_to_market=_flag(raw, "applyMaxToMarket"),
            avg_price_mins=_opt(raw, "avgPriceMins", _int) or 0,
        ),
    )
    if current is not None:
        return current
    return _typed(
        by_type,
        "MIN_NOTIONAL",
        lambda raw: NotionalFilter(
            min_notional=_req_decimal(raw, "minNotional"),
            legacy=True,
            apply_min_to_market=_flag(raw, "applyToMarket"),
            avg_price_mins=_opt(raw, "avgPriceMins", _int) or 0,
        ),
    )


def _flag(raw: JsonObject, name: str) -> bool:
    """filters.md "NOTIONAL": a bound applies to market orders (absent: it does, the stricter)."""
    return _opt(raw, name, _bool) is not False


def _permission_sets(obj: JsonObject) -> tuple[frozenset[str], ...]:
    """``permissionSets``: one permission of every set (CHANGELOG.md 2024-04-10); none: no check."""
    sets = _list(obj.get("permissionSets", []), "permissionSets")
    return tuple(
        frozenset(_str(p, "permissionSets") for p in _list(item, "permission set")) for item in sets
    )


def _percent_price_by_side(raw: JsonObject) -> PercentPriceBySide:
    return PercentPriceBySide(
        bid_multiplier_up=_req_decimal(raw, "bidMultiplierUp"),
        bid_multiplier_down=_req_decimal(raw, "bidMultiplierDown"),
        ask_multiplier_up=_req_decimal(raw, "askMultiplierUp"),
        ask_multiplier_down=_req_decimal(raw, "askMultiplierDown"),
        avg_price_mins=_opt(raw, "avgPriceMins", _int) or 0,
    )


def _percent_price(raw: JsonObject) -> PercentPrice:
    return PercentPrice(
        multiplier_up=_req_decimal(raw, "multiplierUp"),
        multiplier_down=_req_decimal(raw, "multiplierDown"),
        avg_price_mins=_opt(raw, "avgPriceMins", _int) or 0,
    )


def _trailing_delta(raw: JsonObject) -> TrailingDeltaFilter:
    return TrailingDeltaFilter(
        min_above=_req_int(raw, "minTrailingAboveDelta"),
        max_above=_req_int(raw, "maxTrailingAboveDelta"),
        min_below=_req_int(raw, "minTrailingBelowDelta"),
        max_below=_req_int(raw, "maxTrailingBelowDelta"),
    )


# --- account, prices, time ----------------------------------------------------------------------


def parse_balances(obj: object) -> dict[str, Balance]:
    """``GET /api/v3/account`` -> balance per asset."""
    obj = _object(obj)
    balances = {}
    for item in _list(_field(obj, "balances"), "balances"):
        asset = _req_str(item, "asset")
        balances[asset] = Balance(
            asset=asset, free=_req_decimal(item, "free"), locked=_req_decimal(item, "locked")
        )
    return balances


def parse_prices(payload: object) -> dict[str, Decimal]:
    """``GET /api/v3/ticker/price``: one object (``symbol=``) or an array (``symbols=``)."""
    items = payload if isinstance(payload, list) else [payload]
    return {_req_str(item, "symbol"): _req_decimal(item, "price") for item in items}


def parse_server_time(obj: object) -> int:
    obj = _object(obj)
    return _req_int(obj, "serverTime")
