"""``import`` for futures: open algo orders -> YAML that validates and plans as a no-op."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from oco_reconcile.core.model import Side
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.settings import Settings
from oco_reconcile.core.usdm.model import AlgoOrder, LegRole, PositionSide, WorkingType
from oco_reconcile.inputs.desired import load_selected
from oco_reconcile.render.brackets_yaml import import_yaml
from tests.support.futures_state import (
    OWNER,
    D,
    both_legs,
    bracket,
    futures_live,
    leg_order,
    long_position,
)
from tests.support.plan_support import live_state


def round_trip(
    tmp_path: Path, orders: list[AlgoOrder], *, hedge: bool = False
) -> tuple[str, list[str]]:
    """(the YAML, the plan's change actions over the same live state)."""
    text = import_yaml([], OWNER, orders)
    (tmp_path / "brackets").mkdir()
    (tmp_path / "brackets" / "imported.yaml").write_text(text, encoding="utf-8")
    loaded = load_selected([tmp_path / "brackets"])
    position = long_position()
    if hedge:
        position = replace(position, position_side=PositionSide.LONG)
    usdm = futures_live(orders, positions=[position], hedge_mode=hedge)
    live = replace(live_state(), usdm=usdm)
    plan = make_plan(loaded.brackets, live, Settings(owner=OWNER), futures=loaded.futures)
    assert not plan.problems, plan.problems
    return text, [change.action.value for change in plan.changes]


def test_our_own_pair_is_imported_under_its_name_and_rev(tmp_path: Path) -> None:
    item = bracket("btc-perp", rev=3, working_type=WorkingType.MARK_PRICE)
    text, actions = round_trip(tmp_path, list(both_legs(item)))
    assert '  - name: "btc-perp"' in text
    assert "    rev: 3" in text
    assert "working_type: MARK_PRICE" in text
    assert "adopt" not in text
    assert actions == ["no-op"]


def test_an_unmanaged_pair_is_adopted_and_plans_as_a_no_op(tmp_path: Path) -> None:
    item = bracket("x", quantity=D("0.020"))
    take_profit = replace(leg_order(item, LegRole.TAKE_PROFIT, 501), client_algo_id="web_tp_9")
    stop_loss = replace(leg_order(item, LegRole.STOP_LOSS, 502), client_algo_id="web_sl_9")
    text, actions = round_trip(tmp_path, [stop_loss, take_profit])
    assert '  - name: "btcusdt-501"' in text
    assert 'adopt: ["web_tp_9", "web_sl_9"]' in text
    assert 'quantity: "0.02"' in text
    assert actions == ["no-op"]


def test_a_lone_orphan_is_left_out_with_its_reason(tmp_path: Path) -> None:
    item = bracket("btc-perp")
    orphan = leg_order(item, LegRole.TAKE_PROFIT, 7)
    text = import_yaml([], OWNER, [orphan])
    assert f"# skipped algo order {orphan.client_algo_id} (BTCUSDT, algoId 7): no matching" in text
    assert text.rstrip().endswith("brackets: []")


def test_legs_of_different_sizes_or_sides_are_not_paired() -> None:
    long_exit = bracket("a", quantity=D("0.010"))
    short_exit = bracket(
        "b", side=Side.BUY, take_profit="90000", stop_loss="120000", quantity=D("0.010")
    )
    take_profit = replace(leg_order(long_exit, LegRole.TAKE_PROFIT, 1), client_algo_id="w1")
    stop_loss = replace(leg_order(short_exit, LegRole.STOP_LOSS, 2), client_algo_id="w2")
    other_size = replace(
        leg_order(long_exit, LegRole.STOP_LOSS, 3), client_algo_id="w3", quantity=D("0.5")
    )
    text = import_yaml([], OWNER, [take_profit, stop_loss, other_size])
    assert text.count("# skipped algo order") == 3
    assert "market: usdm" not in text


def test_a_hedge_mode_pair_round_trips_as_a_no_op(tmp_path: Path) -> None:
    item = bracket("hedged", quantity=D("0.010"), position_side=PositionSide.LONG)
    legs = [leg_order(item, role, 10 + i, hedge=True) for i, role in enumerate(LegRole)]
    text, actions = round_trip(tmp_path, legs, hedge=True)
    assert "position_side: LONG" in text
    assert actions == ["no-op"]
