"""What the filters are checked against when it is not the last price. PURE."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class FilterPrice:
    """The price PERCENT_PRICE(_BY_SIDE) and a market leg's NOTIONAL / MIN_NOTIONAL use
    (filters.md "PERCENT_PRICE", "NOTIONAL"): the symbol's reference price when it has one, else
    the volume-weighted average over ``avgPriceMins``; the last price when ``avgPriceMins`` is 0.
    ``source`` names it in messages."""

    value: Decimal
    source: str  # "reference price" | "5-minute average price"


@dataclass(frozen=True)
class MarketView:
    """What the live read adds for the plan checks beyond exchangeInfo and the last prices:
    ``filter_prices`` per symbol where the filters' price is not the last price, and the account's
    ``permissions`` (rest-api.md "Account information (USER_DATA)"; None: not read), and
    ``symbol_names``: every symbol the exchange lists, read only when a desired symbol is unknown
    (for "did you mean"; empty otherwise)."""

    filter_prices: Mapping[str, FilterPrice] = field(default_factory=dict)
    account_permissions: frozenset[str] | None = None
    symbol_names: frozenset[str] = frozenset()
