"""What became of an order list that is no longer open: fired, cancelled (by us or not), expired.

Pure: the reader (``live.py``) fetches the closed list and its legs; this module only reads them.
The distinction matters because the planner must never re-place a bracket that fired (re-entering
a position or selling twice) while it should heal one that was cancelled by hand (README "What a
plan means"
semantics). When the evidence is missing, the answer is the safe one: *fired*, never re-placed.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.identity import parse_leg_id, was_cancelled_by_tool
from oco_reconcile.core.model import (
    Fired,
    HistoryOutcome,
    LegType,
    ListHistory,
    OrderList,
    OrderReport,
    Remnant,
)

# Order statuses (enums.md "Order status"). A leg in one of these after its list left openOrderList
# is
# a stop-limit leg that triggered and is now working on the book: the bracket fired.
WORKING_STATUSES = frozenset({"NEW", "PARTIALLY_FILLED", "PENDING_NEW"})
CANCELLED_STATUSES = frozenset({"CANCELED", "PENDING_CANCEL"})
EXPIRED_STATUSES = frozenset({"EXPIRED", "EXPIRED_IN_MATCH", "REJECTED"})


# errors.md "-2026 ORDER_ARCHIVED": only an order cancelled or expired with no executed quantity
# is archived (after 90 days), so an archived leg is proof that it never filled.
ARCHIVED_DETAIL = "archived by the exchange: cancelled or expired over 90 days ago without a fill"


def classify(
    list_client_order_id: str,
    order_list: OrderList | None,
    legs: Sequence[OrderReport | None],
    *,
    archived: int = 0,
) -> ListHistory:
    """Classify the latest closed list carrying ``list_client_order_id``.

    ``legs`` are the list's orders as looked up (``None`` where a lookup found nothing, or where
    the order was archived: ``archived`` counts those).
    """
    if order_list is None:
        return ListHistory(list_client_order_id, HistoryOutcome.NEVER_PLACED)
    known = [leg for leg in legs if leg is not None]
    outcome, detail = _outcome(list_client_order_id, order_list, known, archived)
    return ListHistory(list_client_order_id, outcome, order_list, detail)


def archived_list(list_client_order_id: str) -> ListHistory:
    """A list the exchange archived (-2026 on its lookup): it ended without a fill."""
    return ListHistory(list_client_order_id, HistoryOutcome.EXPIRED, None, ARCHIVED_DETAIL)


def _outcome(
    list_id: str, order_list: OrderList, legs: Sequence[OrderReport], archived: int
) -> tuple[HistoryOutcome, str]:
    if order_list.list_order_status == "REJECT":
        return HistoryOutcome.NEVER_PLACED, "the placement was rejected"
    filled = [leg for leg in legs if leg.executed_qty > 0 or leg.status == "FILLED"]
    if filled:
        return HistoryOutcome.FIRED, _filled_detail(filled[0])
    working = [leg for leg in legs if leg.status in WORKING_STATUSES]
    if working:
        return HistoryOutcome.FIRED, f"{working[0].type} leg triggered and is working"
    cancelled = [leg for leg in legs if leg.status in CANCELLED_STATUSES]
    if cancelled:
        return _cancel_outcome(list_id, order_list, cancelled)
    if any(leg.status in EXPIRED_STATUSES for leg in legs):
        reasons = sorted({leg.expiry_reason for leg in legs if leg.expiry_reason})
        suffix = f" ({', '.join(reasons)})" if reasons else ""
        return HistoryOutcome.EXPIRED, f"expired on the exchange without a fill{suffix}"
    if archived:
        return _archived_outcome(list_id, order_list)
    # No leg tells what happened (archived, or the lookups failed): assume the worst.
    return HistoryOutcome.FIRED, "leg details unavailable: assumed fired, never re-placed"


def fired_leg(order_list: OrderList | None) -> Fired:
    """The leg that fired a list (filled, else triggered and working), as far as its legs tell."""
    legs = () if order_list is None else order_list.reports
    filled = [leg for leg in legs if leg.executed_qty > 0 or leg.status == "FILLED"]
    working = [leg for leg in legs if leg.status in WORKING_STATUSES]
    if not filled and not working:
        return Fired()
    found = (filled or working)[0]
    stop_loss = found.type in (LegType.STOP_LOSS, LegType.STOP_LOSS_LIMIT)
    return Fired(
        leg="stop_loss" if stop_loss else "take_profit",
        client_order_id=found.client_order_id,
        status=found.status,
        executed_qty=found.executed_qty,
        price=found.price if found.price > 0 else found.stop_price,
    )


def _filled_detail(leg: OrderReport) -> str:
    price = leg.price if leg.price > 0 else leg.stop_price
    at = f" at {_plain(price)}" if price else ""
    return f"{leg.type} leg executed {_plain(leg.executed_qty)} of {_plain(leg.orig_qty)}{at}"


def _cancel_outcome(
    list_id: str, order_list: OrderList, cancelled: Sequence[OrderReport]
) -> tuple[HistoryOutcome, str]:
    ids = [leg.client_order_id for leg in cancelled]
    ids += [leg.orig_client_order_id for leg in cancelled if leg.orig_client_order_id]
    ids += [ref.client_order_id for ref in order_list.orders]
    if any(was_cancelled_by_tool(list_id, leg_id) for leg_id in ids):
        return HistoryOutcome.CANCELLED_BY_TOOL, "cancelled by oco-reconcile"
    return HistoryOutcome.CANCELLED_OUTSIDE, "cancelled outside oco-reconcile"


def _archived_outcome(list_id: str, order_list: OrderList) -> tuple[HistoryOutcome, str]:
    if any(was_cancelled_by_tool(list_id, ref.client_order_id) for ref in order_list.orders):
        return HistoryOutcome.CANCELLED_BY_TOOL, f"cancelled by oco-reconcile, {ARCHIVED_DETAIL}"
    return HistoryOutcome.EXPIRED, ARCHIVED_DETAIL


def _plain(value: Decimal) -> str:
    return to_wire(value)


def find_remnants(
    owner: str, open_orders: Sequence[OrderReport], open_lists: Sequence[OrderList]
) -> tuple[Remnant, ...]:
    """Open orders carrying one of our leg ids whose list is no longer open: the leg that filled
    partly (or triggered) keeps working with the rest after its OCO is done (rest-api.md "New
    Order list - OCO (TRADE)"). Each is attributed to its bracket by the list id in its own id."""
    listed = {(item.symbol, item.order_list_id) for item in open_lists}
    unlisted = [o for o in open_orders if (o.symbol, o.order_list_id) not in listed]
    found = []
    for order in sorted(unlisted, key=lambda o: (o.symbol, o.order_id)):
        leg = parse_leg_id(owner, order.client_order_id)
        if leg is not None and order.status in WORKING_STATUSES:
            found.append(Remnant(leg.name, leg.list_client_order_id, order, leg.take_profit))
    return tuple(found)
