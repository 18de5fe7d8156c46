"""Futures changes in the plan document (planfile/futures_values.py): an exact round trip, the
schema accepts them, and a tampered step is told apart by the saved-plan check."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from oco_reconcile.core.live import LiveState
from oco_reconcile.core.model import ExchangeInfo
from oco_reconcile.core.plan import Plan
from oco_reconcile.core.selection import Selection
from oco_reconcile.core.settings import Settings
from oco_reconcile.core.usdm.model import AlgoRequest, AlgoStatus, LegRole
from oco_reconcile.core.usdm.planner import plan_futures
from oco_reconcile.errors import UsageError
from oco_reconcile.planfile.codec import (
    Fingerprints,
    change_json,
    plan_document,
    plan_from_document,
)
from oco_reconcile.planfile.fingerprints import desired_fingerprint, live_fingerprint
from oco_reconcile.planfile.futures_values import step_from
from oco_reconcile.planfile.verify import plan_difference
from oco_reconcile.render.plan import render_text
from tests.support.futures_state import (
    OWNER,
    D,
    both_legs,
    bracket,
    futures_live,
    leg_order,
    long_position,
)

PRINTS = Fingerprints(live="sha256:" + "a" * 64, desired="sha256:" + "d" * 64)
SCHEMA = Path(__file__).parents[3] / "schemas" / "plan.schema.json"


def futures_plan() -> Plan:
    """A replace, a fired bracket's orphan cancel and a reduce-only create in one plan."""
    edited = bracket("btc-edit", take_profit="126000")
    fired = bracket("btc-fired")
    fresh = bracket(
        "eth-new", symbol="ETHUSDT", quantity=D("0.5"), take_profit="4400", stop_loss="3700"
    )
    live = futures_live(
        [*both_legs(bracket("btc-edit"), 1), leg_order(fired, LegRole.TAKE_PROFIT, 5)],
        history=[leg_order(fired, LegRole.STOP_LOSS, 4, AlgoStatus.FINISHED)],
        positions=[long_position(), long_position("1", "ETHUSDT")],
    )
    part = plan_futures([edited, fired, fresh], live, Settings(owner=OWNER), Selection())
    return Plan(part.changes, part.notices, part.problems)


def test_a_futures_plan_round_trips_exactly() -> None:
    plan = futures_plan()
    assert len(plan.actionable) == 3
    document = plan_document(plan, PRINTS)
    again = plan_from_document(json.loads(json.dumps(document))).plan
    assert again.changes == plan.changes


def test_the_plan_schema_accepts_futures_changes() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(plan_document(futures_plan(), PRINTS), schema)


def test_a_tampered_trigger_price_is_a_difference() -> None:
    plan = futures_plan()
    change = next(c for c in plan.changes if c.futures and c.futures.places)
    assert change.futures is not None
    steps = list(change.futures.steps)
    first = next(i for i, s in enumerate(steps) if isinstance(s, AlgoRequest))
    target = steps[first]
    assert isinstance(target, AlgoRequest)
    steps[first] = replace(target, trigger_price=target.trigger_price + 1)
    tampered_change = replace(change, futures=replace(change.futures, steps=tuple(steps)))
    tampered = Plan(tuple(tampered_change if c is change else c for c in plan.changes))
    assert plan_difference(tampered, plan) is not None
    assert plan_difference(plan, plan) is None


def test_a_step_with_an_unknown_field_or_a_float_is_refused() -> None:
    plan = futures_plan()
    step = change_json(next(c for c in plan.changes if c.futures and c.futures.places))
    data = step["futures"]["steps"][0]
    with pytest.raises(ValueError, match="unknown field"):
        step_from({**data, "extra": 1})
    with pytest.raises(TypeError, match="decimal"):
        step_from({**data, "trigger_price": 98000.5})


def test_the_text_plan_lists_each_step_in_order() -> None:
    text = render_text(futures_plan())
    assert "take-profit fired: cancel the orphan take-profit" not in text
    assert "stop-loss fired: cancel the orphan take-profit" in text
    edit = text[text.index("bracket.btc-edit on") :]
    places_stop = edit.index("(stop-loss STOP_MARKET at 98000)")
    places_tp = edit.index("(take-profit TAKE_PROFIT_MARKET at 126000)")
    assert places_stop < places_tp
    lines = text.splitlines()
    assert any("take_profit.stop_price" in x and '"125000" -> "126000"' in x for x in lines)
    assert "Plan: 1 to place, 1 to replace, 1 to cancel." in text


def test_every_plan_is_format_version_3_and_older_versions_are_refused() -> None:
    document = plan_document(futures_plan(), PRINTS)
    assert document["format_version"] == 3
    assert plan_document(Plan(()), PRINTS)["format_version"] == 3
    for older in (1, 2):
        with pytest.raises(UsageError, match="expected 3"):
            plan_from_document({**document, "format_version": older})


def test_fingerprints_move_with_the_futures_live_state_and_brackets() -> None:
    spot = LiveState(open_lists=(), open_orders=(), info=ExchangeInfo({}), prices={}, balances={})
    item = bracket()
    base = futures_live(both_legs(item), positions=[long_position()])
    prints = {live_fingerprint(replace(spot, usdm=base))}
    moved = [
        replace(base, open_algo_orders=both_legs(item)[:1]),
        replace(base, positions=(long_position("0.04"),)),
        replace(base, hedge_mode=True),
        replace(base, history={"x": leg_order(item, LegRole.STOP_LOSS, 9, AlgoStatus.FINISHED)}),
    ]
    prints.update(live_fingerprint(replace(spot, usdm=live)) for live in moved)
    assert len(prints) == 5
    # mark prices move all the time: never stale for that
    marked = replace(base, mark_prices={"BTCUSDT": D("1")})
    assert live_fingerprint(replace(spot, usdm=marked)) == live_fingerprint(
        replace(spot, usdm=base)
    )
    assert live_fingerprint(spot) != live_fingerprint(replace(spot, usdm=base))
    settings = Settings(owner=OWNER)
    assert desired_fingerprint([], settings) != desired_fingerprint([], settings, [item])
    edited = replace(item, rev=1)
    assert desired_fingerprint([], settings, [item]) != desired_fingerprint([], settings, [edited])
