"""The ``/fapi`` general, market-data and account endpoints (the common wire contract;
binance-api.md §10.5): time, exchangeInfo, premiumIndex, ticker/price, positionRisk, balance and
the position mode. Handlers over :class:`~oco_reconcile.sim.wire.endpoints.Endpoints`."""

from __future__ import annotations

from decimal import Decimal

from oco_reconcile.json_types import JsonObject, JsonValue
from oco_reconcile.sim.engine import errors
from oco_reconcile.sim.engine.usdm.records import BOTH, LONG, SHORT, WALLET_ASSET, FuturesState
from oco_reconcile.sim.wire.endpoints import Endpoints
from oco_reconcile.sim.wire.fapi_shapes import MONEY_PLACES, FuturesShapes, places
from oco_reconcile.sim.wire.params import Params

FUNDING_INTERVAL_MS = 8 * 3_600_000
FUNDING_RATE = "0.00010000"  # fixed: funding is not modelled
ACCOUNT_ALIAS = "SgsR"
ASSETS = [{"asset": WALLET_ASSET, "marginAvailable": True, "autoAssetExchange": "-10000"}]


def _futures(api: Endpoints) -> FuturesState:
    return api.engine.usdm.state


def _symbol(api: Endpoints, params: Params) -> str | None:
    symbol = params.text("symbol")
    params.finish()
    if symbol is not None:
        api.engine.usdm.check_symbol(symbol)
    return symbol


def ping(api: Endpoints, params: Params) -> JsonValue:
    params.finish()
    return {}


def server_time(api: Endpoints, params: Params) -> JsonValue:
    params.finish()
    return {"serverTime": api.server_time()}


def exchange_info(api: Endpoints, params: Params) -> JsonValue:
    params.finish()
    state = _futures(api)
    return {
        "timezone": "UTC",
        "serverTime": api.server_time(),
        "futuresType": "U_MARGINED",
        "rateLimits": state.rate_limits,
        "exchangeFilters": [],
        "assets": list(ASSETS),
        "symbols": list(state.symbols.values()),
    }


def premium_index(api: Endpoints, params: Params) -> JsonValue:
    symbol = _symbol(api, params)
    state = _futures(api)
    items = [_premium(api, state, name) for name in state.symbols if symbol in (None, name)]
    return items[0] if symbol is not None else list(items)


def _premium(api: Endpoints, state: FuturesState, symbol: str) -> JsonObject:
    mark = places(state.mark_prices[symbol], MONEY_PLACES)
    now = api.server_time()
    return {
        "symbol": symbol,
        "markPrice": mark,
        "indexPrice": mark,
        "estimatedSettlePrice": mark,
        "lastFundingRate": FUNDING_RATE,
        "interestRate": FUNDING_RATE,
        "nextFundingTime": now - now % FUNDING_INTERVAL_MS + FUNDING_INTERVAL_MS,
        "time": now,
    }


def ticker_price(api: Endpoints, params: Params) -> JsonValue:
    symbol = _symbol(api, params)
    state = _futures(api)
    shapes = FuturesShapes(state)
    items: list[JsonValue] = [
        {
            "symbol": name,
            "price": shapes.price(name, state.last_prices[name]),
            "time": state.price_times.get(name, 0),
        }
        for name in state.symbols
        if symbol in (None, name)
    ]
    return items[0] if symbol is not None else items


def position_risk(api: Endpoints, params: Params) -> JsonValue:
    """Rows for every position, and for symbols with open orders (their mode's sides)."""
    symbol = _symbol(api, params)
    state = _futures(api)
    keys = {key for key, held in state.positions.items() if held.amount}
    sides = (LONG, SHORT) if state.dual_side else (BOTH,)
    busy = {order.symbol for order in state.open_algo_orders()}
    busy |= {order.symbol for order in state.open_orders()}
    keys |= {(name, side) for name in busy for side in sides}
    shapes = FuturesShapes(state)
    return [shapes.position(name, side) for name, side in sorted(keys) if symbol in (None, name)]


def balance(api: Endpoints, params: Params) -> JsonValue:
    params.finish()
    state = _futures(api)
    unrealised = sum(
        (
            (state.mark_prices[held.symbol] - held.entry_price) * held.amount
            for held in state.positions.values()
        ),
        Decimal(0),
    )
    return [
        {
            "accountAlias": ACCOUNT_ALIAS,
            "asset": asset,
            "balance": places(value, MONEY_PLACES),
            "crossWalletBalance": places(value, MONEY_PLACES),
            "crossUnPnl": places(unrealised if asset == WALLET_ASSET else Decimal(0), MONEY_PLACES),
            "availableBalance": places(value, MONEY_PLACES),
            "maxWithdrawAmount": places(value, MONEY_PLACES),
            "marginAvailable": True,
            "updateTime": api.engine.state.update_time,
        }
        for asset, value in state.wallet.items()
    ]


def get_position_mode(api: Endpoints, params: Params) -> JsonValue:
    params.finish()
    return {"dualSidePosition": _futures(api).dual_side}


def set_position_mode(api: Endpoints, params: Params) -> JsonValue:
    dual = params.boolean("dualSidePosition")
    params.finish()
    if dual is None:
        raise errors.mandatory("dualSidePosition")
    api.engine.usdm.set_dual_side(dual)
    return {"code": 200, "msg": "success"}
