"""``OrderList.with_reports``: the join's fast copy keeps every other field."""

from __future__ import annotations

from dataclasses import fields, replace
from decimal import Decimal

from oco_reconcile.core.model import OrderList, OrderRef, OrderReport, Side


def _list() -> OrderList:
    refs = (OrderRef("BTCUSDT", 11, "a-tp"), OrderRef("BTCUSDT", 12, "a-sl"))
    return OrderList(7, "a", "BTCUSDT", "OCO", "EXEC_STARTED", "EXECUTING", 1_700_000, refs)


def test_with_reports_names_every_field_of_the_list() -> None:
    """``with_reports`` passes the fields by position: a new field must be added there too."""
    assert [field.name for field in fields(OrderList)] == [
        "order_list_id", "list_client_order_id", "symbol", "contingency_type", "list_status_type",
        "list_order_status", "transaction_time", "orders", "reports",
    ]  # fmt: skip


def test_with_reports_equals_replace_and_keeps_every_field() -> None:
    report = OrderReport(
        "BTCUSDT", 11, 7, "a-tp", Side.SELL, "LIMIT_MAKER", "NEW", Decimal("1"), Decimal("2"),
        Decimal("0"),
    )  # fmt: skip
    original = _list()
    joined = original.with_reports((report,))
    assert joined == replace(original, reports=(report,))
    for field in fields(OrderList):
        if field.name != "reports":
            assert getattr(joined, field.name) == getattr(original, field.name), field.name
    assert original.reports == ()
