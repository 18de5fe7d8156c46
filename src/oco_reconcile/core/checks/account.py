"""What the account may hold and trade: symbol permissions and MAX_POSITION. PURE.

Rules where Binance is not explicit, documented in the README:

* Permissions: an order on a symbol needs, for every set in its ``permissionSets``, one of that
  set's permissions among the account's (CHANGELOG.md 2024-04-10; errors.md "This symbol is not
  permitted for this account."). Checked only when the live read has the account's permissions.
* MAX_POSITION (filters.md "MAX_POSITION": free + locked base asset + the quantity of open BUY
  orders): an open BUY order list counts its remaining quantity once (its legs are alternatives),
  a plain BUY order its own; what the plan cancels first no longer counts; each BUY list the plan
  places adds its quantity, in plan order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from oco_reconcile.core.checks.context import BracketContext
from oco_reconcile.core.decimals import floor_to_step, to_wire
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.model import Bracket, OrderReport, Side, SymbolRules
from oco_reconcile.core.plan import Change, PlanProblem
from oco_reconcile.core.remnants import remaining

_SHOWN = 5  # permissions listed in a message; a symbol's sets can hold hundreds


def permission_problems(ctx: BracketContext, account: frozenset[str] | None) -> list[PlanProblem]:
    """Every permission set of the symbol shares a permission with the account."""
    if account is None:
        return []
    problems = []
    for needed in ctx.rules.permission_sets:
        if needed and needed.isdisjoint(account):
            message = (
                f"symbol {ctx.rules.symbol} is not permitted for this account: it needs one of "
                f"{_listed(needed)} (permissionSets); the account has {_listed(account) or 'none'}"
            )
            problems.append(ctx.problem(message, field="symbol"))
    return problems


def _listed(permissions: Iterable[str]) -> str:
    names = sorted(permissions)
    shown = ", ".join(names[:_SHOWN])
    return shown if len(names) <= _SHOWN else f"{shown}, ... ({len(names)} in all)"


def check_positions(changes: Sequence[Change], live: LiveState) -> list[PlanProblem]:
    """MAX_POSITION for every BUY list the plan places (module docstring)."""
    cancelled = _cancelled_order_ids(changes)
    added: dict[str, Decimal] = {}
    problems = []
    for change in changes:
        bracket = change.after
        if change.place is None or bracket is None or bracket.side is not Side.BUY:
            continue
        rules = live.info.symbols.get(bracket.symbol)
        if rules is None or rules.max_position is None:
            continue
        earlier = added.get(bracket.symbol, Decimal(0))
        added[bracket.symbol] = earlier + bracket.quantity
        before = _position(rules, live, cancelled) + earlier
        if before + bracket.quantity > rules.max_position:
            problems.append(_position_problem(bracket, rules, before, earlier=earlier > 0))
    return problems


def _cancelled_order_ids(changes: Sequence[Change]) -> frozenset[int]:
    ids = {ref.order_id for c in changes if c.cancel and c.before for ref in c.before.orders}
    ids |= {step.order.order_id for c in changes if c.cancel or c.place for step in c.remnants}
    return frozenset(ids)


def _position(rules: SymbolRules, live: LiveState, cancelled: frozenset[int]) -> Decimal:
    balance = live.balances.get(rules.base_asset)
    held = Decimal(0) if balance is None else balance.free + balance.locked
    buys = [
        order
        for order in live.open_orders
        if order.symbol == rules.symbol
        and order.side is Side.BUY
        and order.order_id not in cancelled
    ]
    return held + _open_buy_quantity(buys)


def _open_buy_quantity(orders: Iterable[OrderReport]) -> Decimal:
    per_list: dict[int, Decimal] = {}
    plain = Decimal(0)
    for order in orders:
        if order.order_list_id < 0:
            plain += remaining(order)
        else:
            per_list[order.order_list_id] = max(
                per_list.get(order.order_list_id, Decimal(0)), remaining(order)
            )
    return plain + sum(per_list.values(), Decimal(0))


def _position_problem(
    bracket: Bracket, rules: SymbolRules, before: Decimal, *, earlier: bool
) -> PlanProblem:
    maximum = rules.max_position
    assert maximum is not None  # noqa: S101 - checked by the caller
    step = rules.lot_size.step_size if rules.lot_size else Decimal(0)
    largest = max(floor_to_step(maximum - before, step), Decimal(0))
    message = (
        f"position {to_wire(before)} {rules.base_asset} (free + locked + open BUY orders"
        f"{' + earlier brackets' if earlier else ''}) + {to_wire(bracket.quantity)} is above "
        f"maxPosition {to_wire(maximum)} (MAX_POSITION); largest valid quantity: {to_wire(largest)}"
    )
    return PlanProblem(f"bracket.{bracket.name}", message, bracket.name, None, "quantity")
