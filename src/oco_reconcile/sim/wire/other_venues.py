"""What the simulator answers outside the Spot REST API it models.

Clients for the whole of Binance ask more than Spot when they start: ccxt's ``load_markets``, with
its default options, also reads ``GET /fapi/v1/exchangeInfo`` (USDⓈ-M futures: served for real,
``fapi_market.py``), ``GET /dapi/v1/exchangeInfo`` (COIN-M futures) and, with an API key,
``GET /sapi/v1/capital/config/getall`` (the wallet's coins), ``GET /sapi/v1/margin/allPairs`` and
``GET /sapi/v1/margin/isolated/allPairs`` (margin pairs). The simulator has no COIN-M futures, no
wallet and no margin, so each gets the smallest valid answer that says so: an exchangeInfo with no
symbol, an empty list.

Every other path gets :func:`not_served`: HTTP 404 with a JSON body that has no ``code`` or
``msg``, so no client can take it for a Binance rejection (a ``-1020`` would read as "this
operation is not supported" by Binance itself).
"""

from __future__ import annotations

from oco_reconcile.json_types import JsonObject, JsonValue
from oco_reconcile.sim.wire.endpoints import Endpoints
from oco_reconcile.sim.wire.params import Params

NOT_SERVED_STATUS = 404
NOT_SERVED = "not served by the oco-reconcile simulator"
SERVED_LIST = "docs/simulator.md (Endpoints)"


def futures_exchange_info(api: Endpoints, params: Params) -> JsonValue:
    """``GET /dapi/v1/exchangeInfo``: no COIN-M futures symbols."""
    params.finish()
    return {
        "timezone": "UTC",
        "serverTime": api.server_time(),
        "rateLimits": [],
        "exchangeFilters": [],
        "assets": [],
        "symbols": [],
    }


def wallet_coins(api: Endpoints, params: Params) -> JsonValue:
    """``GET /sapi/v1/capital/config/getall`` (SIGNED): no coin to deposit or withdraw."""
    params.finish()
    return []


def margin_pairs(api: Endpoints, params: Params) -> JsonValue:
    """``GET /sapi/v1/margin/allPairs`` and ``.../isolated/allPairs``: no margin pair. A client may
    sign either (ccxt does) or not; the signature is not checked, nothing here is private."""
    for name in ("timestamp", "recvWindow", "signature", "symbol"):
        params.text(name)
    params.finish()
    return []


def not_served(method: str, path: str) -> JsonObject:
    """The body of the 404 for a method + path the simulator does not serve."""
    return {"error": NOT_SERVED, "method": method, "path": path, "served": SERVED_LIST}
