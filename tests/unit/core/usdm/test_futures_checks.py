"""Plan-time checks of futures brackets (core/usdm/checks.py): each rule fails on a bad input
and names the bracket, the leg and the field; a good input passes."""

from __future__ import annotations

from dataclasses import replace

import hypothesis.strategies as st
from hypothesis import given, settings

from oco_reconcile.core.live import LiveState
from oco_reconcile.core.model import ExchangeInfo, Side
from oco_reconcile.core.plan import Action, PlanProblem
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.selection import Selection
from oco_reconcile.core.settings import Guardrails, Settings
from oco_reconcile.core.usdm.checks import futures_notional
from oco_reconcile.core.usdm.model import (
    AlgoCancel,
    AlgoOrder,
    AlgoRequest,
    FuturesBracket,
    FuturesLiveState,
    PositionSide,
    WorkingType,
)
from oco_reconcile.core.usdm.planner import plan_futures
from tests.support.futures_state import (
    OWNER,
    D,
    both_legs,
    bracket,
    futures_live,
    long_position,
    unmanaged,
)

SETTINGS = Settings(owner=OWNER)


def problems(
    item: FuturesBracket, live: FuturesLiveState, cfg: Settings = SETTINGS
) -> list[PlanProblem]:
    return list(plan_futures([item], live, cfg, Selection()).problems)


def fields(found: list[PlanProblem]) -> list[tuple[str | None, str | None]]:
    return [(p.leg, p.field) for p in found]


def test_a_good_bracket_passes_every_check() -> None:
    assert problems(bracket(), futures_live(positions=[long_position()])) == []


def test_a_take_profit_below_the_mark_would_trigger_at_once() -> None:
    item = bracket(take_profit="105000", working_type=WorkingType.MARK_PRICE)
    found = problems(item, futures_live(positions=[long_position()]))
    assert fields(found) == [("take_profit", "stop_price")]
    assert "-2021" in found[0].message
    assert found[0].bracket == "btc-perp"


def test_the_working_type_decides_which_price_triggers() -> None:
    item = bracket(stop_loss="108000", working_type=WorkingType.MARK_PRICE)
    live = futures_live(positions=[long_position()], mark={"BTCUSDT": D("107000")})
    assert fields(problems(item, live)) == [("stop_loss", "stop_price")]
    contract = replace(item, working_type=WorkingType.CONTRACT_PRICE)
    assert problems(contract, live) == []  # the last price, 110000, is above the stop


def test_a_trigger_off_the_tick_size_names_the_nearest_valid_prices() -> None:
    found = problems(bracket(stop_loss="98000.05"), futures_live(positions=[long_position()]))
    assert fields(found) == [("stop_loss", "stop_price")]
    assert "nearest valid: 98000 or 98000.1" in found[0].message


def test_a_reduce_only_quantity_larger_than_the_position_is_refused() -> None:
    found = problems(bracket(quantity=D("0.06")), futures_live(positions=[long_position()]))
    assert fields(found) == [(None, "quantity")]
    assert any("larger than the position 0.05" in p.message for p in found)


def test_a_sell_bracket_on_a_short_would_add_to_it() -> None:
    short = long_position("-0.05")
    found = problems(bracket(), futures_live(positions=[short]))
    assert fields(found) == [(None, "quantity")]
    assert "short 0.05" in found[0].message


def test_a_quantity_below_the_minimum_says_the_minimum() -> None:
    found = problems(bracket(quantity=D("0.0001")), futures_live(positions=[long_position()]))
    messages = {p.message for p in found if p.field == "quantity"}
    assert messages == {"0.0001 is below minQty 0.001 (MARKET_LOT_SIZE); at least 0.001"}


def test_a_quantity_off_the_step_size_is_refused() -> None:
    found = problems(bracket(quantity=D("0.0105")), futures_live(positions=[long_position()]))
    assert ("take_profit", "quantity") in fields(found)
    assert ("stop_loss", "quantity") in fields(found)


def test_the_position_mode_must_match_position_side() -> None:
    hedged = problems(bracket(), futures_live(positions=[long_position()], hedge_mode=True))
    assert fields(hedged) == [(None, "position_side")]
    one_way = problems(bracket(position_side=PositionSide.LONG), futures_live())
    assert fields(one_way) == [(None, "position_side")]


def test_an_unknown_or_halted_symbol_is_refused() -> None:
    assert fields(problems(bracket(symbol="DOGEUSDT"), futures_live())) == [(None, "symbol")]
    live = futures_live()
    halted = replace(live.info.symbols["BTCUSDT"], status="SETTLING")
    info = replace(live.info, symbols={"BTCUSDT": halted})
    assert "SETTLING" in problems(bracket(), replace(live, info=info))[0].message


def test_an_unknown_futures_symbol_offers_the_close_listed_one() -> None:
    (typo,) = problems(bracket(symbol="BTCUSDTT"), futures_live())
    assert typo.message == "futures symbol BTCUSDTT does not exist; did you mean BTCUSDT?"
    (far,) = problems(bracket(symbol="DOGEEUR"), futures_live())
    assert far.message == "futures symbol DOGEEUR does not exist"


def test_guardrails_symbols_and_max_notional() -> None:
    cfg = Settings(
        owner=OWNER, guardrails=Guardrails(max_notional=D("5000"), symbols=frozenset({"ETHUSDT"}))
    )
    found = problems(bracket(), futures_live(positions=[long_position()]), cfg)
    assert [p.field for p in found] == ["symbol", "quantity"]
    assert "notional 6250" in found[1].message


def test_the_notional_of_a_close_bracket_is_the_position_size_times_the_top_trigger() -> None:
    live = futures_live(positions=[long_position("0.2")])
    assert futures_notional(bracket(), live) == D("25000")
    assert futures_notional(bracket(quantity=D("0.01")), live) == D("1250")


def test_the_200_open_conditional_orders_limit_counts_the_plan() -> None:
    filler = tuple(unmanaged(i, f"web_{i}") for i in range(199))
    found = problems(bracket(), futures_live(filler, positions=[long_position()]))
    assert [p.field for p in found] == ["count"]
    assert "201 open conditional orders" in found[0].message


def test_make_plan_joins_both_venues_and_knows_futures_targets() -> None:
    item = bracket()
    spot = LiveState(open_lists=(), open_orders=(), info=ExchangeInfo({}), prices={}, balances={})
    live = replace(spot, usdm=futures_live(positions=[long_position()]))
    plan = make_plan([], live, SETTINGS, Selection.of({}, ["btc-perp"]), futures=[item])
    assert [c.action for c in plan.changes] == [Action.CREATE]
    assert plan.problems == ()
    unknown = make_plan([], live, SETTINGS, Selection.of({}, ["nope"]), futures=[item])
    assert [p.field for p in unknown.problems] == ["target"]


def test_an_empty_desired_state_never_prunes_every_futures_bracket() -> None:
    spot = LiveState(open_lists=(), open_orders=(), info=ExchangeInfo({}), prices={}, balances={})
    live = replace(spot, usdm=futures_live(both_legs(bracket("old"))))
    refused = make_plan([], live, SETTINGS)
    assert "desired state is empty" in refused.problems[0].message
    allowed = make_plan([], live, Settings(owner=OWNER, allow_empty=True))
    assert allowed.problems == ()


ORDERS = st.lists(st.sampled_from(["ours-a", "ours-b", "old-a", "web"]), unique=True, max_size=4)


@settings(max_examples=60, deadline=None)
@given(which=ORDERS, rev=st.integers(0, 2), side=st.sampled_from([Side.SELL, Side.BUY]))
def test_no_plan_cancels_an_unmanaged_order_or_places_an_open_id(
    which: list[str], rev: int, side: Side
) -> None:
    take_profit, stop = ("125000", "98000") if side is Side.SELL else ("98000", "125000")
    desired = bracket(rev=rev, side=side, take_profit=take_profit, stop_loss=stop)
    pool: dict[str, tuple[AlgoOrder, ...]] = {
        "ours-a": both_legs(desired, 1)[:1],
        "ours-b": both_legs(desired, 1)[1:],
        "old-a": both_legs(bracket(rev=rev + 1), 10),
        "web": (unmanaged(50),),
    }
    open_orders = [o for key in which for o in pool[key]]
    part = plan_futures([desired], futures_live(open_orders), SETTINGS, Selection())
    open_ids = {o.client_algo_id for o in open_orders}
    steps = [s for c in part.changes if c.futures for s in c.futures.steps]
    assert all(s.client_algo_id != "web_tp_1" for s in steps if isinstance(s, AlgoCancel))
    assert all(s.client_algo_id not in open_ids for s in steps if isinstance(s, AlgoRequest))
    placed = {s.client_algo_id for s in steps if isinstance(s, AlgoRequest)}
    assert placed | (open_ids - {"web_tp_1"} - _stale_ids(pool, which)) >= {
        o.client_algo_id for o in both_legs(desired)
    }


def _stale_ids(pool: dict[str, tuple[AlgoOrder, ...]], which: list[str]) -> set[str]:
    return {o.client_algo_id for o in pool["old-a"]} if "old-a" in which else set()


def test_a_trigger_exactly_at_the_working_price_fires_at_once() -> None:
    """New-Algo-Order.md: SELL TAKE_PROFIT fires at latest >= trigger; BUY STOP at >=."""
    at_price = bracket(take_profit="110000")
    assert fields(problems(at_price, futures_live(positions=[long_position()]))) == [
        ("take_profit", "stop_price")
    ]
    short = long_position("-1", "ETHUSDT")
    buy = bracket("eth", symbol="ETHUSDT", side=Side.BUY, take_profit="3500", stop_loss="4000")
    assert fields(problems(buy, futures_live(positions=[short]))) == [("stop_loss", "stop_price")]


def test_guardrail_max_distance_is_measured_from_the_legs_working_price() -> None:
    cfg = Settings(owner=OWNER, guardrails=Guardrails(max_distance_pct=D("12")))
    item = bracket(working_type=WorkingType.MARK_PRICE)  # take-profit 125000: 13.64% off 110000
    found = problems(item, futures_live(positions=[long_position()]), cfg)
    assert fields(found) == [("take_profit", "stop_price")]
    assert "13.64% from the MARK_PRICE 110000" in found[0].message
    nearer = futures_live(positions=[long_position()], mark={"BTCUSDT": D("115000")})
    # 125000 is 8.70% off a 115000 mark; the stop, 98000, is now 14.78% off it
    assert fields(problems(item, nearer, cfg)) == [("stop_loss", "stop_price")]


def test_max_total_notional_sums_spot_and_futures_brackets() -> None:
    from tests.support.plan_support import live_state, sell

    spot = sell("spot-a", qty="0.1", tp="110000")  # notional 0.1 x 110000 = 11000 USDT
    futures = bracket(quantity=D("0.05"))  # notional 0.05 x 125000 = 6250 USDT
    live = replace(live_state(), usdm=futures_live(positions=[long_position()]))

    def totals(limit: str) -> list[str]:
        cfg = Settings(owner=OWNER, guardrails=Guardrails(max_total_notional=D(limit)))
        plan = make_plan([spot], live, cfg, futures=[futures])
        return [p.message for p in plan.problems if p.address.startswith("guardrail.max_total")]

    assert totals("17250") == []
    (message,) = totals("17249")
    assert "total 17250 USDT" in message
    assert "bracket.btc-perp" in message
    assert "bracket.spot-a" in message
