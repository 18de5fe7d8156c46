"""The fake Binance of the Spot client tests, answering ``/fapi``: the same signature check and
reply queues, ``GET /fapi/v1/time`` answered by default, and payloads shaped exactly like the
fapi docs' examples (binance-api.md §10.3, the common brief's wire contract)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from oco_reconcile.core.model import Side
from oco_reconcile.core.usdm.model import AlgoOrderType, AlgoRequest, PositionSide, WorkingType
from oco_reconcile.venues.credentials import Credentials
from oco_reconcile.venues.retry import RetryPolicy
from oco_reconcile.venues.usdm.client import UsdmClient
from tests.support.fake_binance import FAKE_API_KEY, FAKE_SECRET, SERVER_TIME_MS, FakeBinance

FAPI_URL = "https://fapi.binance.com"
STOP_REQUEST = AlgoRequest(
    symbol="BTCUSDT",
    side=Side.SELL,
    position_side=PositionSide.BOTH,
    type=AlgoOrderType.STOP_MARKET,
    client_algo_id="ocr-btc-long-abc234-sl",
    trigger_price=Decimal("95000"),
    working_type=WorkingType.MARK_PRICE,
    price_protect=False,
)


class FakeFapi(FakeBinance):
    """:class:`FakeBinance` whose client is a :class:`UsdmClient` and whose time is fapi's."""

    def __init__(self) -> None:
        super().__init__()
        self.reply("GET", "/fapi/v1/time", {"serverTime": SERVER_TIME_MS})
        # GET /fapi/v1/algoOrder answered by clientAlgoId when set (-2013 for any other id)
        self.algo_orders: dict[str, dict[str, Any]] | None = None

    def handle(self, request: httpx.Request) -> httpx.Response:
        is_lookup = request.method == "GET" and request.url.path == "/fapi/v1/algoOrder"
        if self.algo_orders is None or not is_lookup:
            return super().handle(request)
        sent = self._record(request)
        order = self.algo_orders.get(sent.param("clientAlgoId") or "")
        if order is None:
            return httpx.Response(400, json={"code": -2013, "msg": "Order does not exist."})
        return httpx.Response(200, json=order)

    def usdm(self, **kw: Any) -> UsdmClient:
        kw.setdefault("clock", self.time.clock)
        kw.setdefault("sleep", self.time.sleep)
        kw.setdefault("retry", RetryPolicy(jitter=0.0))
        return UsdmClient(
            FAPI_URL,
            Credentials.hmac(FAKE_API_KEY, FAKE_SECRET),
            transport=httpx.MockTransport(self.handle),
            **kw,
        )


def exchange_info() -> dict[str, Any]:
    """``GET /fapi/v1/exchangeInfo`` with one perpetual (the wire contract's shape)."""
    return {
        "timezone": "UTC",
        "serverTime": SERVER_TIME_MS,
        "rateLimits": [
            {
                "rateLimitType": "REQUEST_WEIGHT",
                "interval": "MINUTE",
                "intervalNum": 1,
                "limit": 2400,
            },
            {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": 1200},
            {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 300},
        ],
        "exchangeFilters": [],
        "assets": [],
        "symbols": [symbol_info("BTCUSDT", "BTC")],
    }


def symbol_info(symbol: str, base: str) -> dict[str, Any]:
    return {
        "symbol": symbol,
        "pair": symbol,
        "contractType": "PERPETUAL",
        "status": "TRADING",
        "baseAsset": base,
        "quoteAsset": "USDT",
        "marginAsset": "USDT",
        "pricePrecision": 2,
        "quantityPrecision": 3,
        "baseAssetPrecision": 8,
        "quotePrecision": 8,
        "triggerProtect": "0.0500",
        "orderTypes": [
            "LIMIT",
            "MARKET",
            "STOP",
            "STOP_MARKET",
            "TAKE_PROFIT",
            "TAKE_PROFIT_MARKET",
            "TRAILING_STOP_MARKET",
        ],
        "timeInForce": ["GTC", "IOC", "FOK", "GTX", "GTD"],
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": "556.80",
                "maxPrice": "4529764",
                "tickSize": "0.10",
            },
            {"filterType": "LOT_SIZE", "minQty": "0.001", "maxQty": "1000", "stepSize": "0.001"},
            {
                "filterType": "MARKET_LOT_SIZE",
                "minQty": "0.001",
                "maxQty": "120",
                "stepSize": "0.001",
            },
            {"filterType": "MAX_NUM_ORDERS", "limit": 200},
            {"filterType": "MIN_NOTIONAL", "notional": "100"},
            {
                "filterType": "PERCENT_PRICE",
                "multiplierUp": "1.0500",
                "multiplierDown": "0.9500",
                "multiplierDecimal": "4",
            },
        ],
    }


def algo_order(**overrides: Any) -> dict[str, Any]:
    """The response example of New-Algo-Order.md (binance-api.md §10.3), copied."""
    order: dict[str, Any] = {
        "algoId": 2146760,
        "clientAlgoId": "6B2I9XVcJpCjqPAJ4YoFX7",
        "algoType": "CONDITIONAL",
        "orderType": "TAKE_PROFIT",
        "symbol": "BNBUSDT",
        "side": "SELL",
        "positionSide": "BOTH",
        "timeInForce": "GTC",
        "quantity": "0.01",
        "algoStatus": "NEW",
        "triggerPrice": "750.000",
        "price": "750.000",
        "icebergQuantity": None,
        "selfTradePreventionMode": "EXPIRE_MAKER",
        "workingType": "CONTRACT_PRICE",
        "priceMatch": "NONE",
        "closePosition": False,
        "priceProtect": False,
        "reduceOnly": False,
        "activatePrice": "",
        "callbackRate": "",
        "createTime": 1750485492076,
        "updateTime": 1750485492076,
        "triggerTime": 0,
        "goodTillDate": 0,
    }
    order.update(overrides)
    return order


def position(symbol: str = "BTCUSDT", side: str = "BOTH", amount: str = "0.010") -> dict[str, Any]:
    """One ``GET /fapi/v3/positionRisk`` row."""
    return {
        "symbol": symbol,
        "positionSide": side,
        "positionAmt": amount,
        "entryPrice": "100000.0",
        "breakEvenPrice": "100040.0",
        "markPrice": "101000.00000000",
        "unRealizedProfit": "10.00000000",
        "liquidationPrice": "0",
        "isolatedMargin": "0",
        "notional": "1010.00000000",
        "marginAsset": "USDT",
        "isolatedWallet": "0",
        "initialMargin": "50.5",
        "maintMargin": "4.04",
        "positionInitialMargin": "50.5",
        "openOrderInitialMargin": "0",
        "adl": 1,
        "bidNotional": "0",
        "askNotional": "0",
        "updateTime": 1750485492076,
    }


def balance(
    asset: str = "USDT", total: str = "1000.00", available: str = "949.50"
) -> dict[str, Any]:
    """One ``GET /fapi/v3/balance`` item."""
    return {
        "accountAlias": "SgsR",
        "asset": asset,
        "balance": total,
        "crossWalletBalance": total,
        "crossUnPnl": "10.00",
        "availableBalance": available,
        "maxWithdrawAmount": available,
        "marginAvailable": True,
        "updateTime": 1750485492076,
    }


def mark_price(symbol: str = "BTCUSDT", mark: str = "101000.00000000") -> dict[str, Any]:
    """One ``GET /fapi/v1/premiumIndex`` item."""
    return {
        "symbol": symbol,
        "markPrice": mark,
        "indexPrice": "100990.00000000",
        "estimatedSettlePrice": "100995.00000000",
        "lastFundingRate": "0.00010000",
        "interestRate": "0.00010000",
        "nextFundingTime": 1750492800000,
        "time": 1750485492076,
    }


def last_price(symbol: str = "BTCUSDT", price: str = "101005.10") -> dict[str, Any]:
    """One ``GET /fapi/v1/ticker/price`` item."""
    return {"symbol": symbol, "price": price, "time": 1750485492076}
