"""oco-reconcile benchmarks: ``python bench/run.py [--quick] [--only SECTION,...]``.

Sections: plan, process, apply, futures, growth, validate, local, watch (:data:`SECTIONS`).
Prints the machine, the settings, then one table per measurement (medians of several runs, with
ratios to the targets of issues 8 and 17). Plan and apply run against the simulator's HTTP
server (the one ``oco-reconcile sim serve`` runs) in a separate process, with latency injected
on every request and the real rate limits of exchangeInfo. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import apply_bench
import futures_bench
import growth_bench
import local_bench
import market
import plan_bench
import process_bench
import validate_bench
import watch_bench
from common import Table, machine_lines, reference_lines
from simproc import SimProcess

SECTIONS = ("plan", "process", "apply", "futures", "growth", "validate", "local", "watch")


@dataclass(frozen=True)
class Configs:
    plan: plan_bench.PlanConfig
    process: process_bench.ProcessConfig
    apply: apply_bench.ApplyConfig
    futures: futures_bench.FuturesConfig
    validate: validate_bench.ValidateConfig
    local: local_bench.LocalConfig
    watch: watch_bench.WatchConfig
    growth: growth_bench.GrowthConfig


FULL = Configs(
    plan=plan_bench.PlanConfig(
        sizes=(5, 50, 200),
        symbol_counts=(1, 10, 20),
        rtts_ms=(0, 50, 150),
        reps=5,
        open_rtt_ms=50,
        open_reps=3,
    ),
    process=process_bench.ProcessConfig(
        sizes=(50, 10, 100, 1000, 10_000), symbols=10, rtt_ms=50, reps=5
    ),
    apply=apply_bench.ApplyConfig(
        placements=(20, 100), replacements=(50,), sdk_placements=(20, 100), rtt_ms=50, reps=3
    ),
    futures=futures_bench.FuturesConfig(sizes=((5, 1), (50, 10)), rtts_ms=(0, 50), reps=5),
    validate=validate_bench.ValidateConfig(sizes=(10, 100, 1000, 10_000), reps=5),
    local=local_bench.LocalConfig(
        help_reps=10, validate_brackets=1000, validate_reps=5, planner_size=10_000, planner_reps=5
    ),
    watch=watch_bench.WatchConfig(triggers=200, hours=24, event_every_s=120, interval_s=60),
    growth=growth_bench.GrowthConfig(
        planner_sizes=(10, 100, 1000, 10_000),
        planner_reps=5,
        plan_sizes=(10, 100, 1000, 2000, 10_000),
        plan_reps=5,
        rtt_ms=50,
    ),
)
QUICK = Configs(
    plan=plan_bench.PlanConfig(
        sizes=(5, 50), symbol_counts=(1, 10), rtts_ms=(0, 50), reps=1, open_rtt_ms=50, open_reps=1
    ),
    process=process_bench.ProcessConfig(sizes=(50,), symbols=10, rtt_ms=50, reps=1),
    apply=apply_bench.ApplyConfig(
        placements=(5, 20), replacements=(5,), sdk_placements=(20,), rtt_ms=50, reps=1
    ),
    futures=futures_bench.FuturesConfig(sizes=((50, 10),), rtts_ms=(50,), reps=1),
    validate=validate_bench.ValidateConfig(sizes=(10, 100), reps=1),
    local=local_bench.LocalConfig(
        help_reps=1, validate_brackets=100, validate_reps=1, planner_size=1000, planner_reps=1
    ),
    watch=watch_bench.WatchConfig(triggers=5, hours=0.5, event_every_s=120, interval_s=60),
    growth=growth_bench.GrowthConfig(
        planner_sizes=(10, 100), planner_reps=1, plan_sizes=(10, 100), plan_reps=1, rtt_ms=50
    ),
)


def settings_lines(configs: Configs, sections: list[str]) -> list[str]:
    lines = [
        "simulator: oco_reconcile.sim.wire.server (the `sim serve` HTTP server) in its own process "
        "on 127.0.0.1; latency = FaultRule(kind=latency, endpoint='*', probability=1.0, "
        "latency_ms=RTT) on every request",
        "rate limits: the seed's exchangeInfo (REQUEST_WEIGHT 6000/min, ORDERS 100/10 s and "
        "200000/day, RAW_REQUESTS 300000/5 min); fresh windows for every run, aligned with its "
        "start",
        f"symbols: synthetic X01USDT.. (BTCUSDT's rules, last price {market.LAST_PRICE}) with "
        f"MAX_NUM_ORDERS / MAX_NUM_ALGO_ORDERS / MAX_NUM_ORDER_LISTS raised to {market.COUNT_CAP:,}"
        " (real BTCUSDT: 200 / 5 / 20)",
        f"tool settings: defaults (owner {market.SETTINGS.owner}, max_parallel_symbols "
        f"{market.SETTINGS.max_parallel_symbols}, max_parallel_requests "
        f"{market.SETTINGS.max_parallel_requests}); read_live max_workers 16",
    ]
    lines += [f"{name}: {getattr(configs, name)}" for name in sections]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one small run of everything")
    parser.add_argument("--only", default=",".join(SECTIONS), help="sections, comma-separated")
    args = parser.parse_args(argv)
    sections = [name for name in args.only.split(",") if name]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    configs = QUICK if args.quick else FULL
    started = time.perf_counter()
    mode = "quick (smoke run: figures not meaningful)" if args.quick else "full"
    print(f"# oco-reconcile benchmarks ({mode})\n")
    for line in machine_lines() + reference_lines() + settings_lines(configs, sections):
        print(line)
    print(flush=True)
    run_sections(sections, configs)
    print(f"total: {time.perf_counter() - started:.0f} s")
    return 0


def run_sections(sections: list[str], configs: Configs) -> None:
    """Run the sections, printing each table as soon as its section is done."""
    if {"plan", "process", "apply", "futures", "growth"} & set(sections):
        with SimProcess() as sim:
            if "plan" in sections:
                _show(plan_bench.run_section(sim, configs.plan))
            if "process" in sections:
                _show(process_bench.run_section(sim, configs.process))
            if "apply" in sections:
                _show(apply_bench.run_section(sim, configs.apply))
            if "futures" in sections:
                _show(futures_bench.run_section(sim, configs.futures))
            if "growth" in sections:
                _show(growth_bench.run_section(sim, configs.growth))
    if "validate" in sections:
        _show(validate_bench.run_section(configs.validate))
    if "local" in sections:
        _show(local_bench.run_section(configs.local))
    if "watch" in sections:
        _show(watch_bench.run_section(configs.watch))


def _show(tables: list[Table]) -> None:
    for table in tables:
        print(table.render(), flush=True)


if __name__ == "__main__":
    sys.exit(main())
