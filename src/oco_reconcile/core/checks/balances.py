"""Balances: the free assets cover what the plan's new lists lock.

Rule documented in the README (the simulator locks the same way): a SELL list locks its base
quantity once; a BUY list locks quote = qty x the highest leg price, each leg counted at its limit
price, else its stop price (the worst case of either leg executing). A cancel releases what the
list locks by the same rule, on the remaining (unexecuted) quantity. A remnant (a leg still
working after its list is done) locks its remaining quantity the same way; the balance it locks is
free again only when the plan cancels it (core/remnants.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.model import Leg, OrderList, Side, SymbolRules
from oco_reconcile.core.plan import Action, Change, PlanProblem, leg_from_report, live_bracket
from oco_reconcile.core.remnants import remaining

ZERO = Decimal(0)


def locked_by(
    side: Side, quantity: Decimal, legs: Sequence[Leg], rules: SymbolRules
) -> tuple[str, Decimal]:
    """The asset and amount an OCO of this shape locks (module docstring)."""
    if side is Side.SELL:
        return rules.base_asset, quantity
    prices = [leg.price if leg.price is not None else leg.stop_price for leg in legs]
    return rules.quote_asset, quantity * max((p for p in prices if p is not None), default=ZERO)


def released_by(order_list: OrderList, live: LiveState) -> tuple[str, Decimal] | None:
    """What cancelling ``order_list`` frees, or None when its legs or symbol are unknown."""
    view = live_bracket(order_list)
    rules = live.info.symbols.get(order_list.symbol)
    if view is None or rules is None:
        return None
    executed = max(report.executed_qty for report in order_list.reports)
    remaining = max(view.quantity - executed, Decimal(0))
    return locked_by(view.side, remaining, (view.above, view.below), rules)


def released_by_remnants(change: Change, live: LiveState) -> list[tuple[str, Decimal]]:
    """What cancelling the change's remnants frees (a no-op only shows them: nothing)."""
    if change.action is Action.NOOP:
        return []
    freed = []
    for step in change.remnants:
        rules = live.info.symbols.get(step.order.symbol)
        leg = leg_from_report(step.order)
        if rules is not None and leg is not None:
            freed.append(locked_by(step.order.side, remaining(step.order), (leg,), rules))
    return freed


def check_balances(changes: Sequence[Change], live: LiveState) -> list[PlanProblem]:
    """Free balances cover what the plan's new lists lock, counting what its cancels release."""
    needed: dict[str, Decimal] = defaultdict(Decimal)
    users: dict[str, list[str]] = defaultdict(list)
    released: dict[str, Decimal] = defaultdict(Decimal)
    for change in changes:
        if change.cancel is not None and change.before is not None:
            freed = released_by(change.before, live)
            if freed is not None:
                released[freed[0]] += freed[1]
        for asset, amount in released_by_remnants(change, live):
            released[asset] += amount
        bracket = change.after
        rules = None if bracket is None else live.info.symbols.get(bracket.symbol)
        if change.place is None or bracket is None or rules is None:
            continue
        asset, amount = locked_by(
            bracket.side, bracket.quantity, (bracket.above, bracket.below), rules
        )
        needed[asset] += amount
        users[asset].append(f"bracket.{bracket.name} ({to_wire(amount)})")
    return [
        _balance_problem(asset, needed[asset], released[asset], users[asset], live)
        for asset in sorted(needed)
        if needed[asset] > _free(live, asset) + released[asset]
    ]


def _free(live: LiveState, asset: str) -> Decimal:
    balance = live.balances.get(asset)
    return Decimal(0) if balance is None else balance.free


def _balance_problem(
    asset: str, needed: Decimal, released: Decimal, users: list[str], live: LiveState
) -> PlanProblem:
    available = _free(live, asset) + released
    address = users[0].split(" ")[0] if len(users) == 1 else f"balance.{asset}"
    message = (
        f"free {asset} {to_wire(_free(live, asset))} (+{to_wire(released)} released by this "
        f"plan's cancels) does not cover {to_wire(needed)} {asset} needed by "
        f"{', '.join(users)}; short by {to_wire(needed - available)}"
    )
    bracket = address.removeprefix("bracket.") if address.startswith("bracket.") else None
    return PlanProblem(address, message, bracket, None, "quantity")
