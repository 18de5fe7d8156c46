"""The weight of every USDⓈ-M futures endpoint the tool calls (binance-api.md §10, each
endpoint's "Weight" in the fapi docs). The one owner of these numbers: the futures pacer charges
them (``apply/usdm_reads.py``), the live reader chooses between calls by them.

Two budgets are counted (binance-api.md §10.6): the IP's ``REQUEST_WEIGHT`` (2400 / 1 min by
default) and the account's ``ORDERS`` (1200 / 1 min and 300 / 10 s by default).
"""

from __future__ import annotations

SERVER_TIME_WEIGHT = 1  # GET /fapi/v1/time
EXCHANGE_INFO_WEIGHT = 1  # GET /fapi/v1/exchangeInfo
MARK_PRICES_WEIGHT_ONE = 1  # GET /fapi/v1/premiumIndex with a symbol
MARK_PRICES_WEIGHT_ALL = 10  # ... without a symbol
LAST_PRICES_WEIGHT_ONE = 1  # GET /fapi/v1/ticker/price with a symbol
LAST_PRICES_WEIGHT_ALL = 2  # ... without a symbol
POSITIONS_WEIGHT = 5  # GET /fapi/v3/positionRisk
HEDGE_MODE_WEIGHT = 30  # GET /fapi/v1/positionSide/dual
BALANCE_WEIGHT = 5  # GET /fapi/v3/balance
OPEN_ALGO_ORDERS_WEIGHT_ONE = 1  # GET /fapi/v1/openAlgoOrders with a symbol
OPEN_ALGO_ORDERS_WEIGHT_ALL = 40  # ... without a symbol
ALGO_ORDER_WEIGHT = 1  # GET /fapi/v1/algoOrder
ALL_ALGO_ORDERS_WEIGHT = 5  # GET /fapi/v1/allAlgoOrders

# New-Algo-Order.md: 0 on the IP weight, 1 on each ORDERS window (10 s and 1 min).
PLACE_ALGO_WEIGHT = 0
PLACE_ALGO_ORDER_COUNT = 1
CANCEL_ALGO_WEIGHT = 1  # DELETE /fapi/v1/algoOrder
# The client's cancel_algo reads the cancelled order back (GET /fapi/v1/algoOrder) for its report.
CANCEL_ALGO_CALL_WEIGHT = CANCEL_ALGO_WEIGHT + ALGO_ORDER_WEIGHT
