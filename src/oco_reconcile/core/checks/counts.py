"""Count filters after the plan: MAX_NUM_ORDER_LISTS / MAX_NUM_ORDERS / MAX_NUM_ALGO_ORDERS /
MAX_NUM_ICEBERG_ORDERS per symbol and their EXCHANGE_MAX_NUM_* account-wide forms (filters.md).

Rule documented in the README: an OCO is 1 order list and 2 orders; every leg but a LIMIT_MAKER
is an algo order. Account-wide order counts are exact only when every symbol's open orders were
read (the reader does so when exchangeInfo has EXCHANGE_MAX_NUM_* filters).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from oco_reconcile.core.listing import listing
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.model import Bracket, LegType, OrderList, OrderReport
from oco_reconcile.core.plan import Change, PlanProblem

ALGO_TYPES = frozenset(t.value for t in LegType if t.is_algo)


@dataclass(frozen=True)
class _Counts:
    lists: int = 0
    orders: int = 0
    algo: int = 0
    iceberg: int = 0

    def __add__(self, other: _Counts) -> _Counts:
        return _Counts(
            self.lists + other.lists,
            self.orders + other.orders,
            self.algo + other.algo,
            self.iceberg + other.iceberg,
        )

    def __neg__(self) -> _Counts:
        return _Counts(-self.lists, -self.orders, -self.algo, -self.iceberg)


def _report_counts(reports: Iterable[OrderReport]) -> _Counts:
    reports = list(reports)
    return _Counts(
        orders=len(reports),
        algo=sum(1 for r in reports if r.type in ALGO_TYPES),
        iceberg=sum(1 for r in reports if r.iceberg_qty),
    )


def _placed_counts(bracket: Bracket) -> _Counts:
    legs = (bracket.above, bracket.below)
    return _Counts(
        lists=1,
        orders=2,
        algo=sum(1 for leg in legs if leg.type.is_algo),
        iceberg=sum(1 for leg in legs if leg.iceberg_qty),
    )


def _cancelled_counts(order_list: OrderList) -> _Counts:
    if order_list.reports:
        return _Counts(lists=1) + _report_counts(order_list.reports)
    return _Counts(lists=1, orders=len(order_list.orders))


def check_counts(changes: Sequence[Change], live: LiveState) -> list[PlanProblem]:
    """MAX_NUM_ORDER_LISTS / MAX_NUM_ORDERS / MAX_NUM_ALGO_ORDERS / MAX_NUM_ICEBERG_ORDERS per
    symbol, and the EXCHANGE_MAX_NUM_* account filters, counted after the plan."""
    delta: dict[str, _Counts] = defaultdict(_Counts)
    placing: dict[str, list[str]] = defaultdict(list)
    for change in changes:
        if change.cancel is not None and change.before is not None:
            delta[change.before.symbol] += -_cancelled_counts(change.before)
        if change.place is not None and change.after is not None:
            delta[change.after.symbol] += _placed_counts(change.after)
            placing[change.after.symbol].append(f"bracket.{change.after.name}")
    problems: list[PlanProblem] = []
    if not placing:
        return problems
    open_counts = _open_counts(live)
    for symbol in sorted(placing):
        rules = live.info.symbols.get(symbol)
        if rules is not None:
            after = open_counts.get(symbol, _Counts()) + delta[symbol]
            problems += _count_problems(f"symbol.{symbol}", symbol, rules, after, placing[symbol])
    total = sum(delta.values(), sum(open_counts.values(), _Counts()))
    brackets = [name for names in placing.values() for name in names]
    problems += _count_problems("account", None, live.info.account_filters, total, brackets)
    return problems


def _open_counts(live: LiveState) -> dict[str, _Counts]:
    """Open lists and orders per symbol, in one pass over each."""
    lists: dict[str, int] = defaultdict(int)
    orders: dict[str, list[OrderReport]] = defaultdict(list)
    for item in live.open_lists:
        lists[item.symbol] += 1
    for report in live.open_orders:
        orders[report.symbol].append(report)
    return {
        symbol: _Counts(lists=lists.get(symbol, 0)) + _report_counts(orders.get(symbol, ()))
        for symbol in {*lists, *orders}
    }


class _CountLimits(Protocol):
    """Per-symbol (SymbolRules) or account-wide (AccountFilters) count filters."""

    @property
    def max_num_orders(self) -> int | None: ...
    @property
    def max_num_algo_orders(self) -> int | None: ...
    @property
    def max_num_order_lists(self) -> int | None: ...
    @property
    def max_num_iceberg_orders(self) -> int | None: ...


def _count_problems(
    address: str, symbol: str | None, limits: _CountLimits, after: _Counts, brackets: list[str]
) -> list[PlanProblem]:
    prefix = "" if symbol is not None else "EXCHANGE_"
    where = f"on {symbol}" if symbol is not None else "on the account"
    checks = (
        ("MAX_NUM_ORDER_LISTS", limits.max_num_order_lists, after.lists, "lists"),
        ("MAX_NUM_ORDERS", limits.max_num_orders, after.orders, "orders"),
        ("MAX_NUM_ALGO_ORDERS", limits.max_num_algo_orders, after.algo, "algo orders"),
        ("MAX_NUM_ICEBERG_ORDERS", limits.max_num_iceberg_orders, after.iceberg, "iceberg orders"),
    )
    problems = []
    for name, limit, count, noun in checks:
        if limit is not None and count > limit:
            message = (
                f"{prefix}{name}: {count} open {noun} {where} after this plan, limit {limit}; "
                f"cancel some or place fewer; placed by:{listing(brackets)}"
            )
            problems.append(PlanProblem(address, message))
    return problems
