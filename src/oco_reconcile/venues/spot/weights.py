"""The request weight of every Binance Spot endpoint the tool calls (rest-api.md, each endpoint's
"Weight"; how weight is counted: rest-api.md "LIMITS"). The one owner of these numbers: the
pacer charges them, the live reader chooses between calls by them.
"""

from __future__ import annotations

# rest-api.md "New Order list - OCO (TRADE)", "Cancel Order list (TRADE)": successful order and
# cancel requests cost 0 since 2026-04-02, failed ones still 1; the pacer counts the worst case.
PLACE_OCO_WEIGHT = 1
CANCEL_LIST_WEIGHT = 1
OCO_ORDER_COUNT = 2  # an OCO adds two orders to the ORDERS count (rest-api.md "LIMITS")

SERVER_TIME_WEIGHT = 1  # rest-api.md "Check server time"
EXCHANGE_INFO_WEIGHT = 20  # rest-api.md "Exchange information"
PRICE_ONE_WEIGHT = 2  # rest-api.md "Symbol price ticker": one symbol
PRICE_MANY_WEIGHT = 4  # ... several symbols, or all
ACCOUNT_WEIGHT = 20  # rest-api.md "Account information (USER_DATA)"
OPEN_ORDER_LISTS_WEIGHT = 6  # rest-api.md "Query Open Order lists (USER_DATA)"
OPEN_ORDERS_WEIGHT_ONE = 6  # rest-api.md "Current open orders (USER_DATA)": one symbol
OPEN_ORDERS_WEIGHT_ALL = 80  # ... without a symbol
ORDER_LIST_WEIGHT = 4  # rest-api.md "Query Order list (USER_DATA)"
ALL_ORDER_LISTS_WEIGHT = 20  # rest-api.md "Query all Order lists (USER_DATA)"
ORDER_WEIGHT = 4  # rest-api.md "Query order (USER_DATA)"
REFERENCE_PRICE_WEIGHT = 2  # rest-api.md "Query reference price"
AVG_PRICE_WEIGHT = 2  # rest-api.md "Current average price"
