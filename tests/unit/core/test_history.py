"""history.classify: what became of a list that is no longer open."""

from __future__ import annotations

from dataclasses import replace

import pytest

from oco_reconcile.core.history import classify
from oco_reconcile.core.identity import bracket_ids, cancel_id_for
from oco_reconcile.core.model import HistoryOutcome
from tests.support.plan_support import OWNER, closed, open_list, sell

A = sell("alpha")
LIST_ID = bracket_ids(OWNER, A).list_client_order_id
OUR_CANCEL = cancel_id_for(LIST_ID)


def _legs(*statuses: tuple[str, str], cancel_id: str | None = None):  # type: ignore[no-untyped-def]
    order_list = closed(open_list(A, 3), *statuses, cancel_id=cancel_id)
    return order_list, order_list.reports


@pytest.mark.parametrize(
    ("statuses", "cancel_id", "expected"),
    [
        ((("EXPIRED", "0"), ("FILLED", "0.01")), None, HistoryOutcome.FIRED),
        ((("FILLED", "0.01"), ("EXPIRED", "0")), None, HistoryOutcome.FIRED),
        ((("EXPIRED", "0"), ("CANCELED", "0.004")), None, HistoryOutcome.FIRED),
        # a stop-limit leg that triggered and still works after its list left openOrderList
        ((("NEW", "0"), ("EXPIRED", "0")), None, HistoryOutcome.FIRED),
        ((("PARTIALLY_FILLED", "0.002"), ("EXPIRED", "0")), None, HistoryOutcome.FIRED),
        ((("CANCELED", "0"), ("CANCELED", "0")), OUR_CANCEL, HistoryOutcome.CANCELLED_BY_TOOL),
        ((("CANCELED", "0"), ("CANCELED", "0")), "web_cancel_1", HistoryOutcome.CANCELLED_OUTSIDE),
        ((("CANCELED", "0"), ("CANCELED", "0")), None, HistoryOutcome.CANCELLED_OUTSIDE),
        ((("EXPIRED", "0"), ("EXPIRED", "0")), None, HistoryOutcome.EXPIRED),
        ((("EXPIRED_IN_MATCH", "0"), ("EXPIRED", "0")), None, HistoryOutcome.EXPIRED),
    ],
)
def test_outcomes(
    statuses: tuple[tuple[str, str], ...], cancel_id: str | None, expected: HistoryOutcome
) -> None:
    order_list, legs = _legs(*statuses, cancel_id=cancel_id)

    history = classify(LIST_ID, order_list, legs)

    assert history.outcome is expected
    assert history.list_client_order_id == LIST_ID
    assert history.order_list == order_list


def test_no_list_means_never_placed() -> None:
    history = classify(LIST_ID, None, ())

    assert history.outcome is HistoryOutcome.NEVER_PLACED
    assert history.order_list is None


def test_our_cancel_id_found_in_orig_client_order_id() -> None:
    order_list, legs = _legs(("CANCELED", "0"), ("CANCELED", "0"))
    legs = tuple(replace(leg, client_order_id="x", orig_client_order_id=OUR_CANCEL) for leg in legs)

    assert classify(LIST_ID, order_list, legs).outcome is HistoryOutcome.CANCELLED_BY_TOOL


def test_unknown_legs_are_assumed_fired() -> None:
    order_list, _ = _legs(("CANCELED", "0"), ("CANCELED", "0"))

    history = classify(LIST_ID, order_list, [None, None])

    assert history.outcome is HistoryOutcome.FIRED
    assert "assumed fired" in history.detail


def test_one_known_leg_decides() -> None:
    order_list, legs = _legs(("CANCELED", "0"), ("CANCELED", "0"))

    history = classify(LIST_ID, order_list, [legs[0], None])

    assert history.outcome is HistoryOutcome.CANCELLED_OUTSIDE


def test_rejected_placement_was_never_placed() -> None:
    order_list, legs = _legs(("REJECTED", "0"), ("REJECTED", "0"))
    order_list = replace(order_list, list_order_status="REJECT")

    assert classify(LIST_ID, order_list, legs).outcome is HistoryOutcome.NEVER_PLACED


def test_fired_detail_names_the_leg_and_the_fill() -> None:
    order_list, legs = _legs(("EXPIRED", "0"), ("FILLED", "0.01"))

    history = classify(LIST_ID, order_list, legs)

    assert history.detail == "LIMIT_MAKER leg executed 0.01 of 0.01 at 110000"


def test_expired_detail_carries_the_expiry_reason() -> None:
    order_list, legs = _legs(("EXPIRED", "0"), ("EXPIRED", "0"))
    legs = tuple(replace(leg, expiry_reason="EXCHANGE_CANCELED") for leg in legs)

    assert "EXCHANGE_CANCELED" in classify(LIST_ID, order_list, legs).detail
