"""The words of a plan: why a bracket is created or replaced, how an unmanaged list is described.

PURE. Kept apart from the planner's decisions so the rules read without the wording.
"""

from __future__ import annotations

from oco_reconcile.core.model import Bracket, HistoryOutcome, OrderList
from oco_reconcile.core.plan import bracket_view, diff_views, list_view

CREATE_REASONS = {
    HistoryOutcome.NEVER_PLACED: "not on the exchange",
    HistoryOutcome.CANCELLED_BY_TOOL: "not on the exchange (cancelled by oco-reconcile before)",
    HistoryOutcome.CANCELLED_OUTSIDE: "drift: the list was cancelled outside oco-reconcile",
    HistoryOutcome.EXPIRED: "drift: the list expired on the exchange without a fill",
    HistoryOutcome.FIRED: "fired",  # never used: a fired bracket is never created
}


def replace_reason(current: OrderList, bracket: Bracket) -> str:
    if not current.reports:
        return "spec changed (the live legs could not be read)"
    diffs = diff_views(list_view(current), bracket_view(bracket))
    if not diffs:
        return "list id changed (rev bumped or adopted list re-placed); legs unchanged"
    changed = ", ".join(d.field for d in diffs)
    return f"spec changed: {changed}"


def describe_list(order_list: OrderList) -> str:
    view = list_view(order_list)
    if view.get("side") is None:
        return ""
    return f", {view['side']} {view['quantity']} {order_list.symbol}"
