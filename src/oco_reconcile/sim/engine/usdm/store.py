"""The futures account in the state file, and its seed (package data ``sim/data/usdm_seed.json``).

The futures part is one ``"usdm"`` object inside the Spot state (``store.py``); decimals are
strings. A state written before the futures account existed has no ``"usdm"``: it gets the seeded
account, priced from its Spot prices.
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict
from decimal import Decimal
from importlib import resources

from oco_reconcile.json_types import JsonObject
from oco_reconcile.sim.engine.usdm.records import (
    AlgoRecord,
    FuturesOrder,
    FuturesPosition,
    FuturesState,
)

SEED_PACKAGE = "oco_reconcile.sim"
_DECIMALS = {
    "amount",
    "entry_price",
    "quantity",
    "trigger_price",
    "price",
    "actual_price",
    "orig_qty",
    "stop_price",
    "executed_qty",
    "avg_price",
    "cum_quote",
}


@functools.cache
def _seed_text() -> str:
    return resources.files(SEED_PACKAGE).joinpath("data/usdm_seed.json").read_text("utf-8")


def seed_data() -> JsonObject:
    """A fresh copy of the packaged futures seed (the engine mutates what it is given)."""
    data: JsonObject = json.loads(_seed_text())
    return data


def seeded_futures(spot_prices: dict[str, Decimal], now: int) -> FuturesState:
    """Contracts, limits and the account of the seed; mark = last = the Spot price."""
    seed = seed_data()
    symbols = {item["symbol"]: item for item in seed["symbols"]}
    prices = {name: spot_prices[name] for name in symbols}
    state = FuturesState(
        symbols=symbols,
        rate_limits=seed["rateLimits"],
        last_prices=dict(prices),
        mark_prices=dict(prices),
        price_times=dict.fromkeys(prices, now),
        wallet={asset: Decimal(value) for asset, value in seed["account"]["wallet"].items()},
    )
    for item in seed["account"]["positions"]:
        key = (item["symbol"], item["positionSide"])
        amount, entry = Decimal(item["positionAmt"]), Decimal(item["entryPrice"])
        state.positions[key] = FuturesPosition(*key, amount, entry, now)
    return state


def futures_to_json(state: FuturesState) -> JsonObject:
    return {
        "symbols": list(state.symbols.values()),
        "rateLimits": state.rate_limits,
        "lastPrices": _texts(state.last_prices),
        "markPrices": _texts(state.mark_prices),
        "priceTimes": state.price_times,
        "wallet": _texts(state.wallet),
        "dualSidePosition": state.dual_side,
        "positions": [_record(item) for item in state.positions.values()],
        "algoOrders": [_record(item) for item in state.algo_orders.values()],
        "orders": [_record(item) for item in state.orders.values()],
        "counters": {
            "nextAlgoId": state.next_algo_id,
            "nextOrderId": state.next_order_id,
            "nextClientSeq": state.next_client_seq,
        },
    }


def _texts(values: dict[str, Decimal]) -> dict[str, str]:
    return {name: str(value) for name, value in values.items()}


def _decimals(values: dict[str, str]) -> dict[str, Decimal]:
    return {name: Decimal(value) for name, value in values.items()}


def _record(record: FuturesPosition | AlgoRecord | FuturesOrder) -> JsonObject:
    return {
        key: str(value) if isinstance(value, Decimal) else value
        for key, value in asdict(record).items()
    }


def _fields(data: JsonObject) -> JsonObject:
    return {
        key: Decimal(value) if key in _DECIMALS and value is not None else value
        for key, value in data.items()
    }


def futures_from_json(data: JsonObject) -> FuturesState:
    """The futures account in ``data``; a wrong shape raises what reading it raises
    (``store.py`` turns that into one message naming the file)."""
    counters = data["counters"]
    positions = [FuturesPosition(**_fields(item)) for item in data["positions"]]
    algo_orders = [AlgoRecord(**_fields(item)) for item in data["algoOrders"]]
    orders = [FuturesOrder(**_fields(item)) for item in data["orders"]]
    return FuturesState(
        symbols={item["symbol"]: item for item in data["symbols"]},
        rate_limits=data["rateLimits"],
        last_prices=_decimals(data["lastPrices"]),
        mark_prices=_decimals(data["markPrices"]),
        price_times={name: int(value) for name, value in data["priceTimes"].items()},
        wallet=_decimals(data["wallet"]),
        dual_side=bool(data["dualSidePosition"]),
        positions={(item.symbol, item.position_side): item for item in positions},
        algo_orders={item.algo_id: item for item in algo_orders},
        orders={item.order_id: item for item in orders},
        next_algo_id=int(counters["nextAlgoId"]),
        next_order_id=int(counters["nextOrderId"]),
        next_client_seq=int(counters["nextClientSeq"]),
    )
