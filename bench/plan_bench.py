"""``plan`` against the simulator's HTTP server: wall time of ``read_live`` + ``make_plan`` (the
whole command minus process start-up and printing) and the request weight the simulator charged.

Two live states per (brackets, symbols):

* *nothing missing*: every desired bracket is already open (a plan with no changes, the usual CI
  case); the figures the targets are about;
* *nothing open*: an empty account, so every desired bracket needs its history read before it
  can be created: ``GET /api/v3/orderList`` (weight 4 each), or one ``allOrderList`` page
  (weight 20) when that is cheaper (``venues/spot/history_scan.py``).

Reads go through the pacer as in the ``plan`` command (``apply/reads.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import market
from common import Table, median, met, ms, ratio, timed
from simproc import SimProcess

from oco_reconcile.apply.reads import paced_reads
from oco_reconcile.core.model import Bracket
from oco_reconcile.core.plan import Action, Plan
from oco_reconcile.core.planner import make_plan
from oco_reconcile.venues.connect import open_exchange
from oco_reconcile.venues.spot.live import read_live
from oco_reconcile.venues.spot.weights import OPEN_ORDERS_WEIGHT_ALL, OPEN_ORDERS_WEIGHT_ONE

TARGET_ROUND_TRIPS = 3
TARGET_SLACK_S = 0.3
# rest-api.md "LIMITS" / docs/simulator.md: exchangeInfo 20, account 20, openOrderList 6, time 1.
FIXED_WEIGHT = 20 + 20 + 6  # exchangeInfo, account, openOrderList (no GET /time: issue 17)
HISTORY_LOOKUP_WEIGHT = 4
HISTORY_PAGE_WEIGHT = 20  # an empty account's whole history: one allOrderList page


def needed_weight(symbols: int, missing: int) -> int:
    """What the endpoints strictly need: the fixed reads, prices (2 for one symbol, 4 for
    several), open orders (6 per symbol, or 80 for all), and the history of the brackets whose
    list is not open (on an empty account: one lookup each, or one page when cheaper)."""
    ticker = 2 if symbols == 1 else 4
    orders = min(OPEN_ORDERS_WEIGHT_ONE * symbols, OPEN_ORDERS_WEIGHT_ALL)
    history = min(HISTORY_LOOKUP_WEIGHT * missing, HISTORY_PAGE_WEIGHT)
    return FIXED_WEIGHT + ticker + orders + history


def target_seconds(rtt_ms: int) -> float:
    return TARGET_ROUND_TRIPS * rtt_ms / 1000 + TARGET_SLACK_S


@dataclass(frozen=True)
class PlanRun:
    seconds: float
    weight: int
    requests: int
    throttled: int  # 429 + 418 answers


def plan_once(sim: SimProcess, brackets: Sequence[Bracket], expect_creates: int) -> PlanRun:
    settings = market.SETTINGS

    def run() -> Plan:
        with open_exchange(settings, base_url=sim.url, environ={}) as exchange:
            live = read_live(paced_reads(exchange), brackets, settings)
        return make_plan(brackets, live, settings)

    seconds, plan = timed(run)
    creates = sum(1 for change in plan.actionable if change.action is Action.CREATE)
    if plan.has_errors or creates != expect_creates or len(plan.actionable) != expect_creates:
        raise AssertionError(
            f"unexpected plan: {len(plan.actionable)} changes, {creates} creates "
            f"(expected {expect_creates}), problems {plan.problems[:3]}"
        )
    stats = sim.stats()
    throttled = stats["statuses"].get("429", 0) + stats["statuses"].get("418", 0)
    return PlanRun(seconds, stats["weight"], stats["requests"], throttled)


def measure(
    sim: SimProcess,
    state: dict[str, Any],
    *,
    brackets: Sequence[Bracket],
    rtt_ms: int,
    reps: int,
    expect_creates: int,
) -> list[PlanRun]:
    runs = []
    for _ in range(reps):
        sim.load(state, rtt_ms)
        runs.append(plan_once(sim, brackets, expect_creates))
    return runs


@dataclass(frozen=True)
class PlanConfig:
    sizes: Sequence[int]
    symbol_counts: Sequence[int]
    rtts_ms: Sequence[int]
    reps: int
    open_rtt_ms: int
    open_reps: int


def run_section(sim: SimProcess, config: PlanConfig) -> list[Table]:
    missing_table = Table(
        "plan, nothing missing (every desired bracket open): read_live + make_plan",
        [
            "brackets",
            "symbols",
            "RTT",
            "wall (median)",
            "target",
            "wall/target",
            "weight",
            "needed",
            "weight/needed",
            "requests",
            "429s",
            "verdict",
        ],
    )
    open_table = Table(
        f"plan, nothing open (history lookups) at {config.open_rtt_ms} ms RTT",
        [
            "brackets",
            "symbols",
            "wall (median)",
            "round trips",
            "weight",
            "needed",
            "weight/needed",
            "requests",
            "429s",
        ],
    )
    for size in config.sizes:
        for symbols in config.symbol_counts:
            names = market.symbol_names(symbols)
            desired = market.brackets(size, names)
            used = len({item.symbol for item in desired})  # 5 brackets touch at most 5 symbols
            full = market.state_with_open(symbols, desired)
            for rtt in config.rtts_ms:
                runs = measure(
                    sim, full, brackets=desired, rtt_ms=rtt, reps=config.reps, expect_creates=0
                )
                _missing_row(missing_table, size, (used, symbols), rtt, runs)
            empty = market.state_with_open(symbols, ())
            runs = measure(
                sim,
                empty,
                brackets=desired,
                rtt_ms=config.open_rtt_ms,
                reps=config.open_reps,
                expect_creates=size,
            )
            _open_row(open_table, size, (used, symbols), config.open_rtt_ms, runs)
    missing_table.notes += [
        f"target: wall <= {TARGET_ROUND_TRIPS} x RTT + {TARGET_SLACK_S} s; weight = what the "
        "simulator charged; needed = exchangeInfo 20 + ticker 2|4 + account 20 + openOrderList 6"
        " + openOrders 6/symbol (80 for all); no GET /api/v3/time (exchangeInfo gives the offset).",
        f"medians of {config.reps} runs; each run is a fresh client; "
        "'5 of 10': 5 brackets spread over 10 symbols use 5 of them.",
    ]
    open_table.notes += [
        "needed adds the history: one GET /api/v3/orderList (weight 4) per desired bracket, or "
        "one allOrderList page (20) when cheaper; round trips = wall / RTT.",
        f"medians of {config.open_reps} runs; no wall-time target (informational).",
    ]
    return [missing_table, open_table]


def _symbols_cell(symbols: tuple[int, int]) -> str:
    used, asked = symbols
    return str(used) if used == asked else f"{used} of {asked}"


def _missing_row(
    table: Table, size: int, symbols: tuple[int, int], rtt: int, runs: list[PlanRun]
) -> None:
    wall = median([run.seconds for run in runs])
    weight = int(median([run.weight for run in runs]))
    needed = needed_weight(symbols[0], 0)
    target = target_seconds(rtt)
    ok = wall <= target and weight <= needed
    table.add(
        size,
        _symbols_cell(symbols),
        f"{rtt} ms",
        ms(wall),
        ms(target),
        ratio(wall / target),
        weight,
        needed,
        ratio(weight / needed),
        int(median([run.requests for run in runs])),
        max(run.throttled for run in runs),
        met(ok),
    )


def _open_row(
    table: Table, size: int, symbols: tuple[int, int], rtt: int, runs: list[PlanRun]
) -> None:
    wall = median([run.seconds for run in runs])
    weight = int(median([run.weight for run in runs]))
    needed = needed_weight(symbols[0], size)
    table.add(
        size,
        _symbols_cell(symbols),
        ms(wall),
        f"{wall / (rtt / 1000):.1f}" if rtt else "-",
        weight,
        needed,
        ratio(weight / needed),
        int(median([run.requests for run in runs])),
        max(run.throttled for run in runs),
    )
