"""The benchmark's market: synthetic symbols, brackets, and simulator states built in process.

Synthetic symbols ``X01USDT`` ... ``X20USDT`` clone the rules of the recorded BTCUSDT (filters,
order types, OCO allowed) under new names, at a last price of 100 USDT, with one change: the
per-symbol count caps ``MAX_NUM_ORDERS`` (real: 200), ``MAX_NUM_ALGO_ORDERS`` (real: 5) and
``MAX_NUM_ORDER_LISTS`` (real: 20) are raised to ``COUNT_CAP``, so 200 brackets fit on one symbol.
On Binance the real caps allow at most five OCOs per symbol.

Every bracket is a SELL of 1 to 2 units: LIMIT_MAKER take profit at 120, STOP_LOSS_LIMIT at 90 /
89.9.
Rate limits are the seed's (the real exchangeInfo): ORDERS 100 / 10 s, REQUEST_WEIGHT 6000 / min.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from oco_reconcile.core.model import Bracket, Leg, LegType, Side, TimeInForce
from oco_reconcile.core.settings import Settings
from oco_reconcile.sim.engine.records import EngineState, Holding
from oco_reconcile.sim.engine.store import seeded_state, state_to_json
from oco_reconcile.sim.exchange import wall_clock_ms

COUNT_CAP = 100_000
LAST_PRICE = Decimal(100)
BASE_BALANCE = Decimal(1_000_000)
QUOTE_BALANCE = Decimal(100_000_000)
CAPPED_FILTERS = {
    "MAX_NUM_ORDERS": "maxNumOrders",
    "MAX_NUM_ALGO_ORDERS": "maxNumAlgoOrders",
    "MAX_NUM_ORDER_LISTS": "maxNumOrderLists",
}
SETTINGS = Settings()  # owner "ocr", prune true, max_parallel_symbols 4: the defaults


def symbol_names(count: int) -> list[str]:
    return [f"X{index:02d}USDT" for index in range(1, count + 1)]


def _clone_rules(template: dict[str, Any], symbol: str) -> dict[str, Any]:
    rules = copy.deepcopy(template)
    rules["symbol"] = symbol
    rules["baseAsset"] = symbol.removesuffix("USDT")
    for item in rules["filters"]:
        key = CAPPED_FILTERS.get(item["filterType"])
        if key is not None:
            item[key] = COUNT_CAP
    return rules


def bench_state(symbol_count: int, now_ms: int | None = None) -> EngineState:
    """The seeded account plus ``symbol_count`` synthetic symbols, funded."""
    now = wall_clock_ms() if now_ms is None else now_ms
    state = seeded_state(now)
    template = state.symbols["BTCUSDT"]
    for symbol in symbol_names(symbol_count):
        state.symbols[symbol] = _clone_rules(template, symbol)
        state.prices[symbol] = LAST_PRICE
        state.price_times[symbol] = now
        state.balances[symbol.removesuffix("USDT")] = Holding(BASE_BALANCE)
    state.balances["USDT"] = Holding(QUOTE_BALANCE)
    return state


def exchange_info_json(state: EngineState) -> dict[str, Any]:
    """The exchangeInfo payload of ``state`` (for building live values without a simulator)."""
    return {
        "timezone": "UTC",
        "serverTime": state.update_time,
        "rateLimits": state.rate_limits,
        "exchangeFilters": state.exchange_filters,
        "symbols": list(state.symbols.values()),
    }


def bracket(
    name: str, symbol: str, *, take_profit: str = "120", quantity: Decimal = Decimal(1)
) -> Bracket:
    below = Leg(
        LegType.STOP_LOSS_LIMIT,
        price=Decimal("89.9"),
        stop_price=Decimal(90),
        time_in_force=TimeInForce.GTC,
    )
    above = Leg(LegType.LIMIT_MAKER, price=Decimal(take_profit))
    return Bracket(name, symbol, Side.SELL, quantity, above, below)


def brackets(count: int, symbols: Sequence[str], *, take_profit: str = "120") -> list[Bracket]:
    """``count`` brackets spread round-robin over ``symbols``; quantities differ (1.000, 1.001,
    ...) so that no two brackets share a spec (their ids are hashed from it)."""
    return [
        bracket(
            f"b{index:05d}",
            symbols[index % len(symbols)],
            take_profit=take_profit,
            quantity=1 + Decimal(index % 1000) / 1000,
        )
        for index in range(count)
    ]


def state_with_open(
    symbol_count: int, open_brackets: Sequence[Bracket], owner: str = SETTINGS.owner
) -> dict[str, Any]:
    """A bench state (as the simulator's JSON) with ``open_brackets`` already placed by ``owner``.

    Placed through the real client and the simulator's wire app in process, with the rate
    limiter switched off while setting up (the limits are restored in the returned state)."""
    from oco_reconcile.core.oco_planner import oco_request
    from oco_reconcile.sim.engine.machine import Engine
    from oco_reconcile.sim.exchange import SimExchange
    from oco_reconcile.sim.wire.keys import SIM_API_KEY, SIM_API_SECRET
    from oco_reconcile.venues.credentials import Credentials
    from oco_reconcile.venues.spot.client import BinanceClient

    state = bench_state(symbol_count)
    limits, state.rate_limits = state.rate_limits, []
    sim = SimExchange(Engine(state, wall_clock_ms))
    credentials = Credentials.hmac(SIM_API_KEY, SIM_API_SECRET)
    with BinanceClient("http://sim.local", credentials, transport=sim.transport()) as client:
        for item in open_brackets:
            client.place_oco(oco_request(owner, item))
    state.rate_limits = limits
    return state_to_json(state)
