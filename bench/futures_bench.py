"""``plan`` with USDⓈ-M futures brackets against the simulator's HTTP server: wall time of the
plan command's path (both venues read at once, ``commands/venues.read_state``, then
``make_plan``), minus process start-up and printing.

The account holds ``size`` futures brackets spread over ``symbols`` synthetic perpetuals
(``F01USDT``...: BTCUSDT's contract rules, last and mark price 100, a 10-contract long each),
every one already open (the usual CI case: a plan with no changes). Each bracket is a SELL with a
reduce-only quantity (1.000, 1.001, ... so no two share a spec), TAKE_PROFIT_MARKET at 120 and
STOP_MARKET at 90. Target (issue 14): within 3 RTT + 0.3 s at 50 ms RTT for 50 over 10.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import market
from common import Table, median, met, ms, ratio, timed
from simproc import SimProcess

from oco_reconcile.commands.venues import open_venues, read_state
from oco_reconcile.core.desired import Desired
from oco_reconcile.core.model import Side
from oco_reconcile.core.plan import Plan
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.usdm.model import AlgoOrderType, FuturesBracket, FuturesLeg, LegRole

TARGET_ROUND_TRIPS = 3
TARGET_SLACK_S = 0.3
PRICE = Decimal(100)
POSITION = Decimal(10)


def futures_names(count: int) -> list[str]:
    return [f"F{index:02d}USDT" for index in range(1, count + 1)]


def futures_brackets(count: int, symbols: Sequence[str]) -> list[FuturesBracket]:
    return [
        FuturesBracket(
            name=f"f{index:05d}",
            symbol=symbols[index % len(symbols)],
            side=Side.SELL,
            quantity=1 + Decimal(index % 1000) / 1000,
            take_profit=FuturesLeg(AlgoOrderType.TAKE_PROFIT_MARKET, Decimal(120)),
            stop_loss=FuturesLeg(AlgoOrderType.STOP_MARKET, Decimal(90)),
        )
        for index in range(count)
    ]


def futures_state(symbols: Sequence[str], open_brackets: Sequence[FuturesBracket]) -> Any:
    """A bench state (simulator JSON) whose futures account holds ``open_brackets``, placed
    through the real fapi client over the wire app in process, rate limits off while doing so."""
    from oco_reconcile.core.usdm.requests import leg_request
    from oco_reconcile.sim.engine.machine import Engine
    from oco_reconcile.sim.engine.store import state_to_json
    from oco_reconcile.sim.engine.usdm.records import FuturesPosition
    from oco_reconcile.sim.exchange import SimExchange, wall_clock_ms
    from oco_reconcile.sim.wire.keys import SIM_API_KEY, SIM_API_SECRET
    from oco_reconcile.venues.credentials import Credentials
    from oco_reconcile.venues.usdm.client import UsdmClient

    state = market.bench_state(0)
    usdm, now = state.usdm, wall_clock_ms()
    template = usdm.symbols["BTCUSDT"]
    for symbol in symbols:
        rules = copy.deepcopy(template)
        rules.update(symbol=symbol, pair=symbol, baseAsset=symbol.removesuffix("USDT"))
        for item in rules["filters"]:
            if item["filterType"] == "PRICE_FILTER":
                item["minPrice"] = item["tickSize"]  # BTCUSDT's floor is far above 100
        usdm.symbols[symbol] = rules
        usdm.last_prices[symbol] = usdm.mark_prices[symbol] = PRICE
        usdm.price_times[symbol] = now
        usdm.positions[(symbol, "BOTH")] = FuturesPosition(symbol, "BOTH", POSITION, PRICE, now)
    limits = (state.rate_limits, usdm.rate_limits)
    state.rate_limits, usdm.rate_limits = [], []
    sim = SimExchange(Engine(state, wall_clock_ms))
    credentials = Credentials.hmac(SIM_API_KEY, SIM_API_SECRET)
    with UsdmClient("http://sim.local", credentials, transport=sim.transport()) as client:
        for item in open_brackets:
            for role in (LegRole.STOP_LOSS, LegRole.TAKE_PROFIT):
                client.place_algo(leg_request(market.SETTINGS.owner, item, role, False))
    state.rate_limits, usdm.rate_limits = limits
    return state_to_json(state)


@dataclass(frozen=True)
class FuturesRun:
    seconds: float
    requests: int
    throttled: int


def plan_once(sim: SimProcess, desired: Desired) -> FuturesRun:
    settings = replace(market.SETTINGS, exchange=sim.url)

    def run() -> Plan:
        with open_venues(settings, desired, base_url=sim.url) as venues:
            live = read_state(venues, desired, settings)
        return make_plan(desired.spot, live, settings, futures=desired.futures)

    seconds, plan = timed(run)
    if plan.has_errors or plan.actionable:
        raise AssertionError(f"unexpected plan: {plan.actionable[:2]} {plan.problems[:2]}")
    stats = sim.stats()
    throttled = stats["statuses"].get("429", 0) + stats["statuses"].get("418", 0)
    return FuturesRun(seconds, stats["requests"], throttled)


@dataclass(frozen=True)
class FuturesConfig:
    sizes: Sequence[tuple[int, int]]  # (brackets, symbols)
    rtts_ms: Sequence[int]
    reps: int


def run_section(sim: SimProcess, config: FuturesConfig) -> list[Table]:
    table = Table(
        "plan, futures brackets all open (both venues read at once) + make_plan",
        [
            "brackets",
            "symbols",
            "RTT",
            "wall (median)",
            "target",
            "wall/target",
            "requests",
            "429s",
            "verdict",
        ],
    )
    for size, symbol_count in config.sizes:
        names = futures_names(symbol_count)
        desired = Desired((), tuple(futures_brackets(size, names)))
        state = futures_state(names, desired.futures)
        for rtt in config.rtts_ms:
            runs = []
            for _ in range(config.reps):
                sim.load(state, rtt)
                runs.append(plan_once(sim, desired))
            wall = median([run.seconds for run in runs])
            target = TARGET_ROUND_TRIPS * rtt / 1000 + TARGET_SLACK_S
            table.add(
                size,
                symbol_count,
                f"{rtt} ms",
                ms(wall),
                ms(target),
                ratio(wall / target),
                int(median([run.requests for run in runs])),
                max(run.throttled for run in runs),
                met(wall <= target),
            )
    table.notes += [
        f"target: wall <= {TARGET_ROUND_TRIPS} x RTT + {TARGET_SLACK_S} s (issue 14); requests: "
        "both venues; medians of the runs; each run is a fresh client of each venue.",
    ]
    return [table]
