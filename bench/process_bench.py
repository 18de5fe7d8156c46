"""``oco-reconcile plan`` as a process against the simulator's HTTP server (issue 17): process
start-up, reading the YAML, the live read, planning and printing -- what a CI job waits for.

The repository is ``oco-reconcile.yaml`` (``exchange:`` the simulator's loopback URL, so the
simulator's public keys sign) plus ``brackets/`` holding the bench brackets in the friendly form,
every one already open on the simulator (the plan has no changes: ``--detailed-exitcode`` must
answer 0). Goal (issue 17): 50 brackets at 50 ms RTT within 0.6 s; the growth curve holds the same
bound for every N (reading more YAML is the only part that may grow).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import market
from common import Table, median, ms, ratio, timed, verdict
from local_bench import cli_path
from simproc import SimProcess

from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.model import Bracket

GOAL_S = 0.6
PER_FILE = 100


@dataclass(frozen=True)
class ProcessConfig:
    sizes: Sequence[int]  # brackets; the first is the row
    symbols: int
    rtt_ms: int
    reps: int


def _bracket_yaml(bracket: Bracket) -> list[str]:
    take_profit, stop_loss = bracket.take_profit, bracket.stop_loss
    assert take_profit.price is not None
    assert stop_loss.stop_price is not None
    assert stop_loss.price is not None
    return [
        f"  - name: {bracket.name}",
        f"    symbol: {bracket.symbol}",
        f"    side: {bracket.side.value}",
        f'    quantity: "{to_wire(bracket.quantity)}"',
        f'    take_profit: {{price: "{to_wire(take_profit.price)}"}}',
        f'    stop_loss: {{stop_price: "{to_wire(stop_loss.stop_price)}", '
        f'price: "{to_wire(stop_loss.price)}", time_in_force: GTC}}',
    ]


def write_repository(root: Path, url: str, brackets: Sequence[Bracket]) -> None:
    settings = f"exchange: {url}\nowner: {market.SETTINGS.owner}\n"
    (root / "oco-reconcile.yaml").write_text(settings, encoding="utf-8")
    folder = root / "brackets"
    folder.mkdir()
    for start in range(0, len(brackets), PER_FILE):
        lines = ["brackets:"]
        for item in brackets[start : start + PER_FILE]:
            lines += _bracket_yaml(item)
        text = "\n".join(lines) + "\n"
        (folder / f"set{start // PER_FILE:03d}.yaml").write_text(text, encoding="utf-8")


def plan_process(root: Path) -> float:
    """One ``oco-reconcile plan --detailed-exitcode`` in ``root``; it must find nothing to do."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    command = [cli_path(), "plan", "--detailed-exitcode"]
    seconds, done = timed(
        lambda: subprocess.run(
            command, cwd=root, env=env, capture_output=True, text=True, check=False
        )
    )
    if done.returncode != 0:
        raise AssertionError(f"plan exited {done.returncode}: {(done.stdout + done.stderr)[-500:]}")
    return seconds


def _measure(sim: SimProcess, root: Path, size: int, config: ProcessConfig) -> tuple[float, int]:
    names = market.symbol_names(config.symbols)
    desired = market.brackets(size, names)
    state = market.state_with_open(config.symbols, desired)
    write_repository(root, sim.url, desired)
    runs, throttled = [], 0
    for rep in range(config.reps + 1):
        sim.load(state, config.rtt_ms)
        seconds = plan_process(root)
        statuses = sim.stats()["statuses"]
        throttled = max(throttled, statuses.get("429", 0) + statuses.get("418", 0))
        if rep:  # the first run warms the byte-code and file caches
            runs.append(seconds)
    return median(runs), throttled


def run_section(sim: SimProcess, config: ProcessConfig) -> list[Table]:
    table = Table(
        f"plan as a process, nothing missing, {config.symbols} symbols, {config.rtt_ms} ms RTT",
        ["brackets", "wall (median)", "goal", "ratio", "429s", "verdict"],
    )
    with tempfile.TemporaryDirectory(prefix="ocr-plan-") as temporary:
        for size in config.sizes:
            root = Path(temporary) / f"n{size}"
            root.mkdir()
            wall, throttled = _measure(sim, root, size, config)
            cells = (ms(wall), ms(GOAL_S), ratio(wall / GOAL_S), throttled, verdict(wall, GOAL_S))
            table.add(f"{size:,}", *cells)
    table.notes += [
        f"`oco-reconcile plan --detailed-exitcode` (exit 0: no changes) in a repository of N "
        f"friendly-form brackets, all open; median of {config.reps} runs after one warm-up; "
        "process start-up included, byte code cached.",
        f"goal = {GOAL_S} s for every N (issue 17: 50 brackets at 50 ms RTT).",
    ]
    return [table]
