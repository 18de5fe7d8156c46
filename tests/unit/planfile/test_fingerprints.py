"""Fingerprints of a saved plan: they move only with what the plan depends on."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from oco_reconcile.core.model import Balance, HistoryOutcome
from oco_reconcile.core.settings import Guardrails, Settings
from oco_reconcile.planfile.codec import Fingerprints
from oco_reconcile.planfile.fingerprints import (
    desired_fingerprint,
    fingerprints_for,
    live_fingerprint,
)
from tests.support.plan_support import history_of, live_state, open_list, partly_filled, sell

A = sell("alpha")


def test_live_fingerprint_ignores_prices_and_balances() -> None:
    live = live_state([open_list(A)])
    moved = replace(
        live,
        prices={"BTCUSDT": Decimal("123456")},
        balances={"BTC": Balance("BTC", Decimal(1), Decimal(0))},
    )

    assert live_fingerprint(live) == live_fingerprint(moved)
    assert live_fingerprint(live).startswith("sha256:")


def test_live_fingerprint_ignores_list_order() -> None:
    first, second = open_list(A, 1), open_list(sell("b"), 2)

    assert live_fingerprint(live_state([first, second])) == live_fingerprint(
        live_state([second, first])
    )


@pytest.mark.parametrize(
    "changed",
    [
        live_state([open_list(A, 1), open_list(sell("b"), 2)]),  # a list appeared
        live_state([]),  # a list went away
        live_state([open_list(A, 1, executed="0.001")]),  # a leg partly filled
        live_state([open_list(A, 1)], history=[history_of(sell("c"), HistoryOutcome.FIRED)]),
    ],
)
def test_live_fingerprint_moves_with_what_the_plan_reads(changed) -> None:  # type: ignore[no-untyped-def]
    assert live_fingerprint(live_state([open_list(A, 1)])) != live_fingerprint(changed)


def test_desired_fingerprint_moves_with_brackets_and_planner_settings() -> None:
    base = desired_fingerprint([A], Settings())

    assert desired_fingerprint([A], Settings()) == base
    assert desired_fingerprint([sell("alpha", tp="111000")], Settings()) != base
    assert desired_fingerprint([replace(A, protect=True)], Settings()) != base
    assert desired_fingerprint([A], Settings(prune=False)) != base
    assert desired_fingerprint([A], Settings(owner="desk")) != base
    guarded = Settings(guardrails=Guardrails(max_notional=Decimal(5)))
    assert desired_fingerprint([A], guarded) != base
    assert desired_fingerprint([A], Settings(exchange="testnet")) == base  # not a plan input


def test_fingerprints_for_pairs_both() -> None:
    live = live_state([open_list(A)])

    prints = fingerprints_for(live, [A], Settings())

    assert prints == Fingerprints(live_fingerprint(live), desired_fingerprint([A], Settings()))


def test_fingerprints_are_pinned() -> None:
    """A plan saved by an earlier build must not turn stale because the hashing was reshaped."""
    live = live_state([open_list(A, 1)])

    assert live_fingerprint(live) == (
        "sha256:2532890355b348a32021120bb3c4522625268055b8978fb28405c86e9a365962"
    )
    assert desired_fingerprint([A], Settings()) == (
        "sha256:e0f64e06420f826289c5ded3fc3d40233770e710e0c65d746e6e09589c22b4c5"
    )


def test_live_fingerprint_moves_when_a_remnant_executes_more() -> None:
    """A saved plan that cancels a remnant is stale once the remnant filled further: the open
    lists and the history it read are the same, only the working leg moved."""
    working, history = partly_filled(A, "0.004")
    before = live_state(plain_orders=[working], history=[history])
    more = replace(working, executed_qty=Decimal("0.006"))
    after = replace(before, remnants=(replace(before.remnants[0], order=more),))
    assert (before.open_lists, before.history) == (after.open_lists, after.history)
    assert live_fingerprint(before) != live_fingerprint(after)
