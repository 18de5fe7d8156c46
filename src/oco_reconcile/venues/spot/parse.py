"""Binance JSON -> the project's frozen values (model.py).

Decimal strings become :class:`~decimal.Decimal` exactly (never through ``float``); a zero
``stopPrice`` / ``icebergQty`` (``"0.00000000"``, which Binance prints for orders without one)
becomes ``None``; fields this tool does not use are ignored, so new fields Binance adds never break
parsing. A payload that lacks a field the tool needs raises :class:`ResponseFormatError`, which the
client turns into an exchange error naming the endpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TypeVar

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
    Side,
    SymbolRules,
    TrailingDeltaFilter,
)
from oco_reconcile.core.ratelimits import RateLimit, RateLimitType
from oco_reconcile.json_types import JsonMapping
from oco_reconcile.venues.spot.fields import (
    ResponseFormatError,
    as_decimal,
    as_int,
    as_list,
    as_object,
    as_str,
    get_field,
    nonzero_decimal,
    optional,
    req_decimal,
    req_int,
    req_str,
)
from oco_reconcile.venues.spot.quick_parse import quick_list, quick_report

T = TypeVar("T")

# --- orders and order lists ---------------------------------------------------------------------


def parse_order_report(obj: object) -> OrderReport:
    """One order: an element of ``openOrders``, ``GET /order`` or an ``orderReports`` entry."""
    quick = quick_report(obj)
    return quick if quick is not None else _checked_report(obj)


def _checked_report(obj: object) -> OrderReport:
    obj = as_object(obj)
    return OrderReport(
        symbol=req_str(obj, "symbol"),
        order_id=req_int(obj, "orderId"),
        order_list_id=req_int(obj, "orderListId"),
        client_order_id=req_str(obj, "clientOrderId"),
        side=_side(req_str(obj, "side")),
        type=req_str(obj, "type"),
        status=req_str(obj, "status"),
        price=req_decimal(obj, "price"),
        orig_qty=req_decimal(obj, "origQty"),
        executed_qty=req_decimal(obj, "executedQty"),
        stop_price=nonzero_decimal(obj, "stopPrice"),
        iceberg_qty=nonzero_decimal(obj, "icebergQty"),
        trailing_delta=optional(obj, "trailingDelta", as_int),
        time_in_force=optional(obj, "timeInForce", as_str),
        orig_client_order_id=optional(obj, "origClientOrderId", as_str),
        expiry_reason=optional(obj, "expiryReason", as_str),
        is_working=optional(obj, "isWorking", _bool),
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


def _order_time(obj: JsonMapping) -> int | None:
    """``time`` (open/queried orders) or ``transactTime`` (placement and cancel reports)."""
    time = optional(obj, "time", as_int)
    return time if time is not None else optional(obj, "transactTime", as_int)


def parse_order_reports(payload: object) -> tuple[OrderReport, ...]:
    return tuple(parse_order_report(item) for item in as_list(payload, "orders"))


def _order_ref(obj: JsonMapping) -> OrderRef:
    return OrderRef(
        symbol=req_str(obj, "symbol"),
        order_id=req_int(obj, "orderId"),
        client_order_id=req_str(obj, "clientOrderId"),
    )


def parse_order_list(obj: object) -> OrderList:
    """One order list (openOrderList / orderList / allOrderList element, placement, cancel)."""
    quick = quick_list(obj)
    return quick if quick is not None else _checked_list(obj)


def _checked_list(obj: object) -> OrderList:
    obj = as_object(obj)
    reports = obj.get("orderReports")
    return OrderList(
        order_list_id=req_int(obj, "orderListId"),
        list_client_order_id=req_str(obj, "listClientOrderId"),
        symbol=req_str(obj, "symbol"),
        contingency_type=req_str(obj, "contingencyType"),
        list_status_type=req_str(obj, "listStatusType"),
        list_order_status=req_str(obj, "listOrderStatus"),
        transaction_time=req_int(obj, "transactionTime"),
        orders=tuple(_order_ref(item) for item in as_list(get_field(obj, "orders"), "orders")),
        reports=() if reports is None else parse_order_reports(reports),
    )


def parse_order_lists(payload: object) -> tuple[OrderList, ...]:
    return tuple(parse_order_list(item) for item in as_list(payload, "order lists"))


# --- exchangeInfo -------------------------------------------------------------------------------


def parse_exchange_info(obj: object) -> ExchangeInfo:
    obj = as_object(obj)
    symbols = (parse_symbol_rules(item) for item in as_list(get_field(obj, "symbols"), "symbols"))
    return ExchangeInfo(
        symbols={rules.symbol: rules for rules in symbols},
        rate_limits=parse_rate_limits(obj.get("rateLimits", [])),
        account_filters=parse_account_filters(obj.get("exchangeFilters", [])),
        server_time=optional(obj, "serverTime", as_int),
    )


def parse_rate_limits(payload: object) -> tuple[RateLimit, ...]:
    limits = []
    for item in as_list(payload, "rate limits"):
        try:
            kind = RateLimitType(req_str(item, "rateLimitType"))
        except ValueError:
            continue  # a limiter type this tool does not know cannot be paced for; skip it
        limits.append(
            RateLimit(
                type=kind,
                interval=req_str(item, "interval"),
                interval_num=req_int(item, "intervalNum"),
                limit=req_int(item, "limit"),
            )
        )
    return tuple(limits)


def parse_account_filters(payload: object) -> AccountFilters:
    """The account-wide ``EXCHANGE_MAX_*`` filters (filters.md)."""
    by_type = filters_by_type(payload)
    return AccountFilters(
        max_num_orders=_count(by_type, "EXCHANGE_MAX_NUM_ORDERS", "maxNumOrders"),
        max_num_algo_orders=_count(by_type, "EXCHANGE_MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders"),
        max_num_order_lists=_count(by_type, "EXCHANGE_MAX_NUM_ORDER_LISTS", "maxNumOrderLists"),
        max_num_iceberg_orders=_count(
            by_type, "EXCHANGE_MAX_NUM_ICEBERG_ORDERS", "maxNumIcebergOrders"
        ),
    )


def parse_symbol_rules(obj: object) -> SymbolRules:
    obj = as_object(obj)
    by_type = filters_by_type(get_field(obj, "filters"))
    quote_precision = obj.get("quoteAssetPrecision", obj.get("quotePrecision"))
    order_types = get_field(obj, "orderTypes")
    return SymbolRules(
        symbol=req_str(obj, "symbol"),
        status=req_str(obj, "status"),
        base_asset=req_str(obj, "baseAsset"),
        quote_asset=req_str(obj, "quoteAsset"),
        base_asset_precision=req_int(obj, "baseAssetPrecision"),
        quote_asset_precision=as_int(quote_precision, "quoteAssetPrecision"),
        order_types=frozenset(as_str(t, "orderTypes") for t in as_list(order_types, "order types")),
        oco_allowed=bool(obj.get("ocoAllowed", False)),
        allow_trailing_stop=bool(obj.get("allowTrailingStop", False)),
        iceberg_allowed=bool(obj.get("icebergAllowed", False)),
        price_filter=typed_filter(by_type, "PRICE_FILTER", price_filter),
        lot_size=typed_filter(by_type, "LOT_SIZE", lot_size),
        notional=_notional(by_type),
        percent_price_by_side=typed_filter(
            by_type, "PERCENT_PRICE_BY_SIDE", _percent_price_by_side
        ),
        percent_price=typed_filter(by_type, "PERCENT_PRICE", percent_price),
        trailing_delta=typed_filter(by_type, "TRAILING_DELTA", _trailing_delta),
        max_num_orders=_count(by_type, "MAX_NUM_ORDERS", "maxNumOrders"),
        max_num_algo_orders=_count(by_type, "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders"),
        max_num_order_lists=_count(by_type, "MAX_NUM_ORDER_LISTS", "maxNumOrderLists"),
        max_num_iceberg_orders=_count(by_type, "MAX_NUM_ICEBERG_ORDERS", "maxNumIcebergOrders"),
        iceberg_parts=_count(by_type, "ICEBERG_PARTS", "limit"),
        max_position=typed_filter(
            by_type, "MAX_POSITION", lambda raw: req_decimal(raw, "maxPosition")
        ),
        permission_sets=_permission_sets(obj),
    )


def filters_by_type(payload: object) -> dict[str, JsonMapping]:
    return {req_str(item, "filterType"): item for item in as_list(payload, "filters")}


def typed_filter(
    by_type: Mapping[str, JsonMapping], name: str, build: Callable[[JsonMapping], T]
) -> T | None:
    raw = by_type.get(name)
    if raw is None:
        return None
    try:
        return build(raw)
    except ResponseFormatError as error:
        raise ResponseFormatError(f"filter {name}: {error}") from None


def _count(by_type: Mapping[str, JsonMapping], name: str, field_name: str) -> int | None:
    return typed_filter(by_type, name, lambda raw: req_int(raw, field_name))


def price_filter(raw: JsonMapping) -> PriceFilter:
    return PriceFilter(
        min_price=req_decimal(raw, "minPrice"),
        max_price=req_decimal(raw, "maxPrice"),
        tick_size=req_decimal(raw, "tickSize"),
    )


def lot_size(raw: JsonMapping) -> LotSize:
    return LotSize(
        min_qty=req_decimal(raw, "minQty"),
        max_qty=req_decimal(raw, "maxQty"),
        step_size=req_decimal(raw, "stepSize"),
    )


def _notional(by_type: Mapping[str, JsonMapping]) -> NotionalFilter | None:
    """NOTIONAL when present; else the legacy MIN_NOTIONAL (min only)."""
    current = typed_filter(
        by_type,
        "NOTIONAL",
        lambda raw: NotionalFilter(
            min_notional=req_decimal(raw, "minNotional"),
            max_notional=optional(raw, "maxNotional", as_decimal),
            apply_min_to_market=_flag(raw, "applyMinToMarket"),
            apply_max_to_market=_flag(raw, "applyMaxToMarket"),
            avg_price_mins=optional(raw, "avgPriceMins", as_int) or 0,
        ),
    )
    if current is not None:
        return current
    return typed_filter(
        by_type,
        "MIN_NOTIONAL",
        lambda raw: NotionalFilter(
            min_notional=req_decimal(raw, "minNotional"),
            legacy=True,
            apply_min_to_market=_flag(raw, "applyToMarket"),
            avg_price_mins=optional(raw, "avgPriceMins", as_int) or 0,
        ),
    )


def _flag(raw: JsonMapping, name: str) -> bool:
    """filters.md "NOTIONAL": a bound applies to market orders (absent: it does, the stricter)."""
    return optional(raw, name, _bool) is not False


def _permission_sets(obj: JsonMapping) -> tuple[frozenset[str], ...]:
    """``permissionSets``: one permission of every set (CHANGELOG.md 2024-04-10); none: no check."""
    sets = as_list(obj.get("permissionSets", []), "permissionSets")
    return tuple(
        frozenset(as_str(p, "permissionSets") for p in as_list(item, "permission set"))
        for item in sets
    )


def _percent_price_by_side(raw: JsonMapping) -> PercentPriceBySide:
    return PercentPriceBySide(
        bid_multiplier_up=req_decimal(raw, "bidMultiplierUp"),
        bid_multiplier_down=req_decimal(raw, "bidMultiplierDown"),
        ask_multiplier_up=req_decimal(raw, "askMultiplierUp"),
        ask_multiplier_down=req_decimal(raw, "askMultiplierDown"),
        avg_price_mins=optional(raw, "avgPriceMins", as_int) or 0,
    )


def percent_price(raw: JsonMapping) -> PercentPrice:
    return PercentPrice(
        multiplier_up=req_decimal(raw, "multiplierUp"),
        multiplier_down=req_decimal(raw, "multiplierDown"),
        avg_price_mins=optional(raw, "avgPriceMins", as_int) or 0,
    )


def _trailing_delta(raw: JsonMapping) -> TrailingDeltaFilter:
    return TrailingDeltaFilter(
        min_above=req_int(raw, "minTrailingAboveDelta"),
        max_above=req_int(raw, "maxTrailingAboveDelta"),
        min_below=req_int(raw, "minTrailingBelowDelta"),
        max_below=req_int(raw, "maxTrailingBelowDelta"),
    )


# --- account, prices, time ----------------------------------------------------------------------


def parse_balances(obj: object) -> dict[str, Balance]:
    """``GET /api/v3/account`` -> balance per asset."""
    obj = as_object(obj)
    balances = {}
    for item in as_list(get_field(obj, "balances"), "balances"):
        asset = req_str(item, "asset")
        balances[asset] = Balance(
            asset=asset, free=req_decimal(item, "free"), locked=req_decimal(item, "locked")
        )
    return balances


def parse_account_permissions(obj: object) -> frozenset[str] | None:
    """``GET /api/v3/account`` -> its ``permissions`` (rest-api.md "Account information"); None
    when the answer has none (then the permission check does not run)."""
    account = as_object(obj)
    if "permissions" not in account:
        return None
    permissions = as_list(account["permissions"], "permissions")
    if not all(isinstance(item, str) for item in permissions):
        raise ResponseFormatError("permissions: expected a list of strings")
    return frozenset(permissions)


def parse_prices(payload: object) -> dict[str, Decimal]:
    """``GET /api/v3/ticker/price``: one object (``symbol=``) or an array (``symbols=``)."""
    items = payload if isinstance(payload, list) else [payload]
    return {req_str(item, "symbol"): req_decimal(item, "price") for item in items}


def parse_server_time(obj: object) -> int:
    obj = as_object(obj)
    return req_int(obj, "serverTime")
