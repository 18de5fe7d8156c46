"""What needs no exchange: CLI start-up, ``validate`` of 1,000 brackets, the pure planner at
10,000 desired x 10,000 live lists."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import market
from common import Table, median, ms, ratio, timed, verdict

from oco_reconcile.core.identity import bracket_ids
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.model import (
    Balance,
    Bracket,
    HistoryOutcome,
    LegRequest,
    LegType,
    ListHistory,
    OcoRequest,
    OrderList,
    OrderRef,
    OrderReport,
)
from oco_reconcile.core.oco_planner import oco_request
from oco_reconcile.core.plan import Action
from oco_reconcile.core.planner import make_plan
from oco_reconcile.venues.spot.parse import parse_exchange_info

HELP_TARGET_S = 0.35
VALIDATE_TARGET_S = 0.5  # issue 17 (was 1 s, issue 8)
PLANNER_TARGET_S = 0.3  # issue 17 (was 0.5)
PLANNER_SYMBOLS = 20


@dataclass(frozen=True)
class LocalConfig:
    help_reps: int
    validate_brackets: int
    validate_reps: int
    planner_size: int
    planner_reps: int


def cli_path() -> str:
    beside = Path(sys.executable).parent / "oco-reconcile"
    found = str(beside) if beside.exists() else shutil.which("oco-reconcile")
    if found is None:
        raise RuntimeError("the oco-reconcile command is not installed next to this Python")
    return found


def _run_cli(args: Sequence[str], cwd: Path | None = None) -> float:
    seconds, completed = timed(
        lambda: subprocess.run(
            [cli_path(), *args], cwd=cwd, capture_output=True, text=True, check=False
        )
    )
    if completed.returncode != 0:
        raise AssertionError(f"oco-reconcile {' '.join(args)} failed: {completed.stderr[-500:]}")
    return seconds


# --- validate ------------------------------------------------------------------------------------

PER_FILE = 100


def write_repository(root: Path, count: int) -> None:
    """``oco-reconcile.yaml`` and ``brackets/*.yaml`` with ``count`` friendly-form brackets."""
    (root / "oco-reconcile.yaml").write_text("exchange: sim\nowner: ocr\n", encoding="utf-8")
    folder = root / "brackets"
    folder.mkdir()
    for start in range(0, count, PER_FILE):
        lines = ["brackets:"]
        for index in range(start, min(start + PER_FILE, count)):
            lines += _bracket_yaml(index)
        (folder / f"set{start // PER_FILE:03d}.yaml").write_text(
            "\n".join(lines) + "\n", encoding="utf-8"
        )


def _bracket_yaml(index: int) -> list[str]:
    if index % 2:
        return [
            f"  - name: eth-{index:05d}",
            "    symbol: ETHUSDT",
            "    side: BUY",
            "    quantity: 0.5",
            "    take_profit: {price: 3600}",
            "    stop_loss: {stop_price: 4400, price: 4410}",
        ]
    return [
        f"  - name: btc-{index:05d}",
        "    symbol: BTCUSDT",
        "    side: SELL",
        f'    quantity: "0.{index % 9 + 1:02d}"',
        "    take_profit:",
        '      price: "125000"',
        "    stop_loss:",
        '      stop_price: "98000"',
        '      price: "97900"',
        "      time_in_force: GTC",
    ]


def validate_in_process(root: Path) -> tuple[float, str]:
    from oco_reconcile.inputs.desired import validate_paths

    return timed(lambda: validate_paths([root / "oco-reconcile.yaml", root / "brackets"]))


# --- the pure planner ---------------------------------------------------------------------------


def _report(part: LegRequest, request: OcoRequest, order_id: int, list_id: int) -> OrderReport:
    """A leg as the client parses openOrders (see live.py): zero stop price reads as None."""
    leg = part.leg
    return OrderReport(
        symbol=request.symbol,
        order_id=order_id,
        order_list_id=list_id,
        client_order_id=part.client_order_id,
        side=request.side,
        type=leg.type.value,
        status="NEW",
        price=leg.price if leg.price is not None else Decimal(0),
        orig_qty=request.quantity,
        executed_qty=Decimal(0),
        stop_price=leg.stop_price,
        time_in_force=(leg.time_in_force.value if leg.time_in_force else "GTC"),
        is_working=leg.type is LegType.LIMIT_MAKER,
        time=1_700_000_000_000,
    )


def open_list(request: OcoRequest, list_id: int) -> OrderList:
    legs = (request.below, request.above)  # stop-loss leg first, as Binance numbers them
    reports = tuple(
        _report(part, request, list_id * 2 + offset, list_id) for offset, part in enumerate(legs)
    )
    return OrderList(
        order_list_id=list_id,
        list_client_order_id=request.list_client_order_id,
        symbol=request.symbol,
        contingency_type="OCO",
        list_status_type="EXEC_STARTED",
        list_order_status="EXECUTING",
        transaction_time=1_700_000_000_000,
        orders=tuple(OrderRef(r.symbol, r.order_id, r.client_order_id) for r in reports),
        reports=reports,
    )


def planner_inputs(size: int) -> tuple[list[Bracket], LiveState, Counter[Action]]:
    """``size`` desired and ``size`` live lists: 90 % match, 5 % amended (replace), 5 % of the
    live lists no longer desired (cancel), 5 % of the desired never placed (create)."""
    owner = market.SETTINGS.owner
    names = market.symbol_names(PLANNER_SYMBOLS)
    desired = market.brackets(size, names)
    tail = size // 20
    matching = size - 2 * tail
    lists = [open_list(oco_request(owner, b), i + 1) for i, b in enumerate(desired[:matching])]
    amended = [replace(b, above=replace(b.above, price=Decimal(125))) for b in desired[matching:]]
    lists += [
        open_list(oco_request(owner, b), matching + i + 1) for i, b in enumerate(amended[:tail])
    ]
    gone = market.brackets(tail, names)
    gone = [replace(b, name=f"gone-{b.name}") for b in gone]
    lists += [open_list(oco_request(owner, b), size + i + 1) for i, b in enumerate(gone)]
    history = {
        bracket_ids(owner, b).list_client_order_id: ListHistory(
            bracket_ids(owner, b).list_client_order_id, HistoryOutcome.NEVER_PLACED
        )
        for b in desired[matching + tail :]
    }
    live = _live_state(lists, history)
    expected = Counter({Action.NOOP: matching, Action.REPLACE: tail, Action.CANCEL: tail})
    expected[Action.CREATE] = tail
    return desired, live, expected


def _live_state(lists: list[OrderList], history: dict[str, ListHistory]) -> LiveState:
    state = market.bench_state(PLANNER_SYMBOLS)
    info = parse_exchange_info(market.exchange_info_json(state))
    balances = {
        asset: Balance(asset, held.free, held.locked) for asset, held in state.balances.items()
    }
    return LiveState(
        open_lists=tuple(lists),
        open_orders=tuple(report for item in lists for report in item.reports),
        info=info,
        prices=dict(state.prices),
        balances=balances,
        history=history,
    )


def plan_counts(desired: list[Bracket], live: LiveState) -> tuple[float, Counter[Action]]:
    seconds, plan = timed(lambda: make_plan(desired, live, market.SETTINGS))
    if plan.has_errors:
        raise AssertionError(f"the planner bench plan has errors: {plan.problems[:3]}")
    return seconds, Counter(change.action for change in plan.changes)


# --- the section ---------------------------------------------------------------------------------


def run_section(config: LocalConfig) -> list[Table]:
    table = Table(
        "local: CLI start-up, validate, pure planner",
        ["measure", "what is timed", "median", "target", "ratio", "verdict"],
    )
    _run_cli(["--help"])  # warm the file cache once
    help_s = median([_run_cli(["--help"]) for _ in range(config.help_reps)])
    _add(table, "oco-reconcile --help", "subprocess", help_s, HELP_TARGET_S)
    with tempfile.TemporaryDirectory(prefix="ocr-bench-") as temporary:
        one, root = Path(temporary) / "one", Path(temporary) / "many"
        one.mkdir()
        root.mkdir()
        write_repository(one, 1)
        cli = median([_run_cli(["validate"], cwd=one) for _ in range(config.validate_reps)])
        table.add("validate 1 bracket", "subprocess", ms(cli), "-", "-", "(start-up)")
        write_repository(root, config.validate_brackets)
        count = config.validate_brackets
        cli = median([_run_cli(["validate"], cwd=root) for _ in range(config.validate_reps)])
        _add(table, f"validate {count} brackets", "subprocess", cli, VALIDATE_TARGET_S)
        runs = [validate_in_process(root) for _ in range(config.validate_reps)]
        if not runs[0][1].startswith(f"OK: {count} brackets"):
            raise AssertionError(f"validate did not read every bracket: {runs[0][1]}")
        inner = median([seconds for seconds, _ in runs])
        _add(table, f"validate {count} brackets", "validate_paths", inner, VALIDATE_TARGET_S)
    size = config.planner_size
    desired, live, expected = planner_inputs(size)
    runs_p = [plan_counts(desired, live) for _ in range(config.planner_reps)]
    if runs_p[0][1] != expected:
        raise AssertionError(f"planner bench: {dict(runs_p[0][1])}, expected {dict(expected)}")
    label = f"planner {size:,} x {size:,}"
    _add(table, label, "make_plan", median([s for s, _ in runs_p]), PLANNER_TARGET_S)
    table.notes += [
        f"medians of {config.help_reps} (--help) / {config.validate_reps} (validate) / "
        f"{config.planner_reps} (planner) runs; subprocess = process start-up included.",
        f"planner input: {size:,} desired over {PLANNER_SYMBOLS} symbols, {size:,} open lists; "
        "plan = " + ", ".join(f"{n:,} {a.value}" for a, n in sorted(expected.items())) + ".",
    ]
    return [table]


def _add(table: Table, name: str, what: str, seconds: float, target: float) -> None:
    table.add(
        name, what, ms(seconds), ms(target), ratio(seconds / target), verdict(seconds, target)
    )
