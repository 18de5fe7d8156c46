"""The price PERCENT_PRICE(_BY_SIDE) and a market leg's NOTIONAL are checked against, read only
for the symbols whose filters use it (filters.md "PERCENT_PRICE", "NOTIONAL"; CHANGELOG.md
2026-05-06): the reference price (``GET /api/v3/referencePrice``, weight 2) when the symbol has one,
else the average over ``avgPriceMins`` (``GET /api/v3/avgPrice``, weight 2, only when that is not
0: then the last price, already read, is the one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal, InvalidOperation

from oco_reconcile.core.market import FilterPrice
from oco_reconcile.core.model import Bracket, SymbolRules
from oco_reconcile.errors import RejectedError
from oco_reconcile.venues.protocol import Exchange
from oco_reconcile.venues.spot.fields import ResponseFormatError

NO_REFERENCE_PRICE = -2043  # errors.md "-2043 NO_REFERENCE_PRICE": never had one


def uses_filter_price(rules: SymbolRules, brackets: Iterable[Bracket]) -> bool:
    """PERCENT_PRICE* check every limit price; NOTIONAL only market legs (when it applies)."""
    if rules.percent_price is not None or rules.percent_price_by_side is not None:
        return True
    notional = rules.notional
    if notional is None or not (notional.apply_min_to_market or notional.apply_max_to_market):
        return False
    legs = (leg for b in brackets if b.symbol == rules.symbol for leg in (b.above, b.below))
    return any(leg.price is None for leg in legs)


def read_filter_prices(
    exchange: Exchange,
    pool: ThreadPoolExecutor,
    rules: Iterable[SymbolRules],
    brackets: Iterable[Bracket],
) -> Mapping[str, FilterPrice]:
    """The filter price of every symbol whose filters use it and whose price is not the last."""
    wanted = [r for r in rules if uses_filter_price(r, brackets)]
    found = pool.map(lambda r: (r.symbol, _filter_price(exchange, r)), wanted)
    return {symbol: price for symbol, price in found if price is not None}


def _filter_price(exchange: Exchange, rules: SymbolRules) -> FilterPrice | None:
    try:
        reference = exchange.reference_price(rules.symbol)
    except RejectedError as error:
        if error.code != NO_REFERENCE_PRICE:
            raise
        reference = None
    if reference is not None:
        return FilterPrice(reference, "reference price")
    minutes = _avg_price_mins(rules)
    if minutes <= 0:
        return None
    return FilterPrice(exchange.average_price(rules.symbol), f"{minutes}-minute average price")


def parse_reference_price(payload: object) -> Decimal | None:
    """rest-api.md "Query reference price": ``referencePrice`` is a string, or null."""
    return _price(payload, "referencePrice", nullable=True)


def parse_avg(payload: object) -> Decimal:
    """rest-api.md "Current average price": ``{"mins", "price", "closeTime"}``."""
    return Decimal(_price(payload, "price", nullable=False) or 0)


def _price(payload: object, name: str, *, nullable: bool) -> Decimal | None:
    if not isinstance(payload, dict) or name not in payload:
        raise ResponseFormatError(f"missing field {name!r}")
    value = payload[name]
    if value is None and nullable:
        return None
    if isinstance(value, str):
        try:
            price = Decimal(value)
        except InvalidOperation:
            price = None
        if price is not None and price.is_finite():
            return price
    raise ResponseFormatError(f"field {name!r} is not a decimal string: {value!r}")


def _avg_price_mins(rules: SymbolRules) -> int:
    """The longest ``avgPriceMins`` among the filters that read an average price."""
    filters = (rules.notional, rules.percent_price, rules.percent_price_by_side)
    return max((f.avg_price_mins for f in filters if f is not None), default=0)
