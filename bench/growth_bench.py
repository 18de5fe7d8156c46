"""Growth curves (issue 17): the pure planner and ``plan`` in process at N = 10 .. 10,000.

* planner: ``make_plan`` over ``local_bench.planner_inputs(N)`` (90 % up to date, 5 % amended,
  5 % gone, 5 % never placed, over 20 symbols). Bound: the issue's 0.3 s at 10,000, linear in N,
  plus 5 ms for the fixed part; us/bracket shows how flat the cost per bracket is.
* plan in process: ``read_live`` + ``make_plan`` against the simulator, every bracket open over
  20 symbols, at 50 ms RTT. Bound: the issue's 0.45 s whatever N ("flat in N").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import local_bench
import market
import plan_bench
from common import Table, median, ms, ratio, verdict
from simproc import SimProcess

PLANNER_GOAL_S = 0.3  # at 10,000 x 10,000
PLANNER_GOAL_SIZE = 10_000
PLANNER_FIXED_S = 0.005
PLAN_GOAL_S = 0.45
PLAN_SYMBOLS = 20


@dataclass(frozen=True)
class GrowthConfig:
    planner_sizes: Sequence[int]
    planner_reps: int
    plan_sizes: Sequence[int]
    plan_reps: int
    rtt_ms: int


def planner_bound(size: int) -> float:
    return PLANNER_GOAL_S * size / PLANNER_GOAL_SIZE + PLANNER_FIXED_S


def planner_table(config: GrowthConfig) -> Table:
    table = Table(
        "growth: the pure planner (make_plan), N desired x N open",
        ["N", "median", "us/bracket", "bound", "ratio", "verdict"],
    )
    for size in config.planner_sizes:
        desired, live, expected = local_bench.planner_inputs(size)
        runs = [local_bench.plan_counts(desired, live) for _ in range(config.planner_reps)]
        if runs[0][1] != expected:
            raise AssertionError(f"planner growth: {dict(runs[0][1])}, expected {expected}")
        seconds, bound = median([s for s, _ in runs]), planner_bound(size)
        per = f"{seconds / size * 1e6:.1f}"
        cells = (ms(seconds), per, ms(bound), ratio(seconds / bound), verdict(seconds, bound))
        table.add(f"{size:,}", *cells)
    table.notes += [
        f"medians of {config.planner_reps} runs; bound = {PLANNER_GOAL_S} s x N / "
        f"{PLANNER_GOAL_SIZE:,} + {PLANNER_FIXED_S * 1000:.0f} ms (issue 17's 10,000 goal, linear)."
    ]
    return table


def plan_table(sim: SimProcess, config: GrowthConfig) -> Table:
    table = Table(
        f"growth: plan in process (read_live + make_plan), all open, {PLAN_SYMBOLS} symbols, "
        f"{config.rtt_ms} ms RTT",
        ["N", "wall (median)", "bound", "ratio", "weight", "requests", "429s", "verdict"],
    )
    names = market.symbol_names(PLAN_SYMBOLS)
    for size in config.plan_sizes:
        desired = market.brackets(size, names)
        state = market.state_with_open(PLAN_SYMBOLS, desired)
        runs = plan_bench.measure(
            sim, state, brackets=desired, rtt_ms=config.rtt_ms, reps=config.plan_reps,
            expect_creates=0,
        )  # fmt: skip
        wall = median([run.seconds for run in runs])
        weight = int(median([run.weight for run in runs]))
        requests = int(median([run.requests for run in runs]))
        throttled = max(run.throttled for run in runs)
        table.add(
            f"{size:,}", ms(wall), ms(PLAN_GOAL_S), ratio(wall / PLAN_GOAL_S), weight, requests,
            throttled, verdict(wall, PLAN_GOAL_S),
        )  # fmt: skip
    table.notes += [
        f"medians of {config.plan_reps} runs, each a fresh client; bound = {PLAN_GOAL_S} s for "
        "every N (issue 17: flat in N)."
    ]
    return table


def run_section(sim: SimProcess, config: GrowthConfig) -> list[Table]:
    return [planner_table(config), plan_table(sim, config)]
