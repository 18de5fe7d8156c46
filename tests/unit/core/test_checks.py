"""Plan-time checks with BTCUSDT's real filters (the 2025-08-07 exchangeInfo recording):
PRICE_FILTER 0.01..1000000 tick 0.01, LOT_SIZE 0.00001..9000 step 0.00001, NOTIONAL 5..9000000,
PERCENT_PRICE_BY_SIDE 0.2..5, TRAILING_DELTA 10..2000, ICEBERG_PARTS 10, MAX_NUM_ORDERS 200,
MAX_NUM_ALGO_ORDERS 5. The last price is 100000 throughout."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from oco_reconcile.core.checks import released_by
from oco_reconcile.core.model import (
    AccountFilters,
    Balance,
    Bracket,
    Leg,
    LegType,
    LiveState,
    NotionalFilter,
    Side,
    SymbolRules,
)
from oco_reconcile.core.plan import Plan, PlanProblem
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.settings import Guardrails, Settings
from tests.support.plan_support import (
    RICH,
    btcusdt_rules,
    buy,
    live_state,
    market_info,
    open_list,
    report_for,
    sell,
)

D = Decimal


def _plan(
    *brackets: Bracket, live: LiveState | None = None, settings: Settings | None = None
) -> Plan:
    return make_plan(brackets, live or live_state(), settings or Settings())


def _with_rules(rules: SymbolRules, **kw: object) -> LiveState:
    info = market_info()
    info = replace(info, symbols={**info.symbols, rules.symbol: rules})
    return live_state(info=info, **kw)  # type: ignore[arg-type]


def _one(plan: Plan) -> PlanProblem:
    assert len(plan.problems) == 1, [str(p) for p in plan.problems]
    return plan.problems[0]


def test_a_valid_bracket_has_no_problems() -> None:
    assert _plan(sell("ok"), buy("ok2")).problems == ()


# --- symbol -------------------------------------------------------------------------------------


def test_symbol_must_exist() -> None:
    problem = _one(_plan(sell("x", symbol="NOPEUSDT")))

    assert problem.field == "symbol"
    assert problem.message == "symbol NOPEUSDT does not exist on the exchange"


def test_symbol_must_be_trading() -> None:
    live = _with_rules(replace(btcusdt_rules(), status="BREAK"))

    assert "is not trading (status BREAK)" in _one(_plan(sell("x"), live=live)).message


def test_symbol_must_allow_oco() -> None:
    live = _with_rules(replace(btcusdt_rules(), oco_allowed=False))

    assert "does not allow OCO" in _one(_plan(sell("x"), live=live)).message


def test_leg_type_must_be_allowed_on_the_symbol() -> None:
    types = btcusdt_rules().order_types - {"STOP_LOSS"}
    live = _with_rules(replace(btcusdt_rules(), order_types=types))

    problem = _one(_plan(sell("x", limit=None), live=live))

    assert (problem.leg, problem.field) == ("stop_loss (below)", "type")
    assert problem.message == "STOP_LOSS orders are not allowed on BTCUSDT"


# --- PRICE_FILTER / LOT_SIZE --------------------------------------------------------------------


def test_price_off_the_tick_states_both_neighbours() -> None:
    problem = _one(_plan(sell("x", tp="110000.005")))

    assert (problem.bracket, problem.leg, problem.field) == ("x", "take_profit (above)", "price")
    assert problem.message == (
        "110000.005 is not a multiple of tickSize 0.01 (PRICE_FILTER); "
        "nearest valid: 110000 or 110000.01"
    )


def test_stop_price_is_checked_too() -> None:
    problem = _one(_plan(sell("x", stop="90000.001", limit="89900")))

    assert (problem.leg, problem.field) == ("stop_loss (below)", "stop_price")
    assert "nearest valid: 90000 or 90000.01" in problem.message


def test_price_above_max_price() -> None:
    plan = _plan(sell("x", tp="1000000.5"))

    messages = [p.message for p in plan.problems if p.field == "price"]
    assert any(
        "above maxPrice 1000000 (PRICE_FILTER); largest valid: 1000000" in m for m in messages
    )


def test_quantity_off_the_step() -> None:
    problem = _one(_plan(sell("x", qty="0.000105")))

    assert (problem.leg, problem.field) == (None, "quantity")
    assert problem.message == (
        "0.000105 is not a multiple of stepSize 0.00001 (LOT_SIZE); "
        "nearest valid: 0.0001 or 0.00011"
    )


def test_quantity_below_min_qty() -> None:
    plan = _plan(sell("x", qty="0.000001"))

    messages = [p.message for p in plan.problems if p.field == "quantity" and p.leg is None]
    assert "0.000001 is below minQty 0.00001 (LOT_SIZE); smallest valid: 0.00001" in messages


def test_quantity_above_max_qty() -> None:
    balances = {**RICH, "BTC": Balance("BTC", D("10000"), D(0))}
    plan = _plan(sell("x", qty="9000.5"), live=live_state(balances=balances))

    messages = [p.message for p in plan.problems if p.leg is None]
    assert "9000.5 is above maxQty 9000 (LOT_SIZE); largest valid: 9000" in messages


# --- NOTIONAL / MIN_NOTIONAL per leg ------------------------------------------------------------


def test_notional_below_minimum_on_the_far_stop_leg_only() -> None:
    # 0.00005 x 110000 = 5.5 passes; 0.00005 x 89900 = 4.495 fails (JKorf/Binance.Net #1048)
    problem = _one(_plan(sell("x", qty="0.00005")))

    assert (problem.leg, problem.field) == ("stop_loss (below)", "quantity")
    assert problem.message == (
        "notional 4.495 (0.00005 x 89900) is below minNotional 5 (NOTIONAL); "
        "smallest valid quantity at this price: 0.00006"
    )


def test_market_stop_leg_counts_at_its_stop_price() -> None:
    problem = _one(_plan(sell("x", qty="0.00005", stop="95000", limit=None)))

    assert problem.leg == "stop_loss (below)"
    assert "notional 4.75 (0.00005 x 95000)" in problem.message


def test_notional_above_maximum() -> None:
    balances = {**RICH, "BTC": Balance("BTC", D("1000"), D(0))}
    plan = _plan(sell("x", qty="100"), live=live_state(balances=balances))

    above = [p for p in plan.problems if p.leg == "take_profit (above)"]
    assert [p.message for p in above] == [
        "notional 11000000 (100 x 110000) is above maxNotional 9000000 (NOTIONAL); "
        "largest valid quantity at this price: 81.81818"
    ]


def test_legacy_min_notional() -> None:
    rules = replace(btcusdt_rules(), notional=NotionalFilter(D("10"), legacy=True))
    plan = _plan(sell("x", qty="0.0001"), live=_with_rules(rules))

    problem = _one(plan)
    assert "below minNotional 10 (MIN_NOTIONAL)" in problem.message
    assert problem.message.endswith("smallest valid quantity at this price: 0.00012")


# --- PERCENT_PRICE_BY_SIDE ----------------------------------------------------------------------


def test_sell_limit_price_below_the_ask_multiplier_down() -> None:
    problem = _one(_plan(sell("x", stop="20000", limit="19999.99")))

    assert (problem.leg, problem.field) == ("stop_loss (below)", "price")
    assert problem.message == (
        "19999.99 is below 0.2 x the last price 100000 (PERCENT_PRICE_BY_SIDE, ask); "
        "lowest valid: 20000"
    )


def test_buy_limit_price_above_the_bid_multiplier_up() -> None:
    plan = _plan(buy("x", stop="490000", limit="500000.01"))

    problem = _one(plan)
    assert (problem.leg, problem.field) == ("stop_loss (above)", "price")
    assert "above 5 x the last price 100000 (PERCENT_PRICE_BY_SIDE, bid)" in problem.message
    assert problem.message.endswith("highest valid: 500000")


# --- sides of the last price --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bracket", "leg", "field", "expected"),
    [
        (
            sell("x", tp="99999"),
            "take_profit (above)",
            "price",
            "must be above the last price 100000 for a SELL OCO; nearest valid: 100000.01",
        ),
        (sell("x", tp="100000"), "take_profit (above)", "price", "must be above the last price"),
        (
            sell("x", stop="100001", limit="99000"),
            "stop_loss (below)",
            "stop_price",
            "must be below the last price 100000 for a SELL OCO; nearest valid: 99999.99",
        ),
        (
            buy("x", tp="100001"),
            "take_profit (below)",
            "price",
            "must be below the last price 100000 for a BUY OCO",
        ),
        (
            buy("x", stop="99999", limit="100100"),
            "stop_loss (above)",
            "stop_price",
            "must be above the last price 100000 for a BUY OCO",
        ),
    ],
)
def test_legs_on_the_right_side_of_the_last_price(
    bracket: Bracket, leg: str, field: str, expected: str
) -> None:
    problem = _one(_plan(bracket))

    assert (problem.leg, problem.field) == (leg, field)
    assert expected in problem.message


def test_take_profit_limit_stop_price_is_on_its_side_too() -> None:
    above = Leg(LegType.TAKE_PROFIT_LIMIT, price=D("110000"), stop_price=D("99000"))
    bracket = replace(sell("x"), above=above)

    problem = _one(_plan(bracket))
    assert (problem.leg, problem.field) == ("take_profit (above)", "stop_price")


def test_missing_last_price_is_a_problem() -> None:
    problem = _one(_plan(sell("x"), live=live_state(prices={"ETHUSDT": D(4000)})))

    assert problem.message == "no last price for BTCUSDT"


# --- TRAILING_DELTA and iceberg -----------------------------------------------------------------


def test_trailing_delta_outside_the_bounds() -> None:
    below = Leg(LegType.STOP_LOSS, trailing_delta=5)
    problem = _one(_plan(replace(sell("x"), below=below)))

    assert (problem.leg, problem.field) == ("stop_loss (below)", "trailing_delta")
    assert problem.message == (
        "trailing delta 5 is outside 10..2000 BIPS (TRAILING_DELTA); nearest valid: 10"
    )


def test_trailing_stop_not_allowed() -> None:
    live = _with_rules(replace(btcusdt_rules(), allow_trailing_stop=False))
    below = Leg(LegType.STOP_LOSS, trailing_delta=100)

    problem = _one(_plan(replace(sell("x"), below=below), live=live))
    assert problem.message == "trailing stops are not allowed on BTCUSDT"


def test_iceberg_parts_limit() -> None:
    above = Leg(LegType.LIMIT_MAKER, price=D("110000"), iceberg_qty=D("0.05"))
    problem = _one(_plan(replace(sell("x", qty="1"), above=above)))

    assert (problem.leg, problem.field) == ("take_profit (above)", "iceberg_qty")
    assert (
        problem.message == "1 / 0.05 needs 20 parts, limit 10 (ICEBERG_PARTS); smallest valid: 0.1"
    )


# --- balances -----------------------------------------------------------------------------------


def test_sell_needs_the_base_asset() -> None:
    balances = {**RICH, "BTC": Balance("BTC", D("0.015"), D("0"))}
    plan = _plan(sell("a"), sell("b"), live=live_state(balances=balances))

    problem = _one(plan)
    assert problem.address == "balance.BTC"
    assert problem.message == (
        "free BTC 0.015 (+0 released by this plan's cancels) does not cover 0.02 BTC needed by "
        "bracket.a (0.01), bracket.b (0.01); short by 0.005"
    )


def test_buy_locks_quote_at_the_highest_leg_price() -> None:
    # 0.01 x 110100 (the stop-limit's limit price) = 1101 USDT
    balances = {**RICH, "USDT": Balance("USDT", D("1100"), D(0))}
    problem = _one(_plan(buy("b"), live=live_state(balances=balances)))

    assert (problem.address, problem.bracket) == ("bracket.b", "b")
    assert "does not cover 1101 USDT needed by bracket.b (1101); short by 1" in problem.message


def test_cancels_release_what_they_locked() -> None:
    old = sell("a", qty="0.5")
    balances = {**RICH, "BTC": Balance("BTC", D("0.1"), D("0.5"))}
    live = live_state([open_list(old)], balances=balances)

    assert _plan(sell("a", qty="0.6"), live=live).problems == ()
    assert len(_plan(sell("a", qty="0.7"), live=live).problems) == 1


def test_a_partly_executed_list_releases_only_the_rest() -> None:
    live = live_state()
    sold = open_list(sell("old", qty="0.5"), executed="0.4")
    bought = open_list(buy("old", qty="0.5"))

    assert released_by(sold, live) == ("BTC", D("0.1"))
    assert released_by(bought, live) == ("USDT", D("55050"))  # 0.5 x 110100
    assert released_by(replace(sold, reports=()), live) is None


# --- count filters after the plan ---------------------------------------------------------------


def _lists(n: int) -> list:  # type: ignore[type-arg]
    return [open_list(sell(f"l{i}"), i + 1) for i in range(n)]


def test_max_num_algo_orders_counts_after_the_plan() -> None:
    live = live_state(_lists(5))
    keep = [sell(f"l{i}") for i in range(5)]

    problem = _one(_plan(*keep, sell("new"), live=live))
    assert problem.address == "symbol.BTCUSDT"
    assert problem.message.startswith(
        "MAX_NUM_ALGO_ORDERS: 6 open algo orders on BTCUSDT after this plan, limit 5"
    )


def test_a_cancel_in_the_same_plan_makes_room() -> None:
    live = live_state(_lists(5))

    assert _plan(*[sell(f"l{i}") for i in range(4)], sell("new"), live=live).problems == ()


def test_max_num_orders_counts_plain_orders_too() -> None:
    plain = [
        report_for(
            Leg(LegType.LIMIT_MAKER, price=D("50000")),
            symbol="BTCUSDT",
            side=Side.BUY,
            qty=D("0.001"),
            order_id=5000 + i,
            list_id=-1,
            client_id=f"p{i}",
        )
        for i in range(199)
    ]
    problem = _one(_plan(sell("new"), live=live_state(plain_orders=plain)))

    assert (
        "MAX_NUM_ORDERS: 201 open orders on BTCUSDT after this plan, limit 200" in problem.message
    )


def test_max_num_order_lists_per_symbol() -> None:
    rules = replace(btcusdt_rules(), max_num_order_lists=1)
    live = _with_rules(rules, lists=_lists(1))

    problem = _one(_plan(sell("l0"), sell("new"), live=live))
    assert "MAX_NUM_ORDER_LISTS: 2 open lists on BTCUSDT" in problem.message


def test_account_wide_order_list_limit() -> None:
    info = replace(market_info(), account_filters=AccountFilters(max_num_order_lists=2))
    live = live_state(_lists(2), info=info)

    problem = _one(
        _plan(
            sell("l0"),
            sell("l1"),
            sell("e", symbol="ETHUSDT", qty="1", tp="4400", stop="3600", limit="3590"),
            live=live,
        )
    )
    assert problem.address == "account"
    assert problem.message.startswith(
        "EXCHANGE_MAX_NUM_ORDER_LISTS: 3 open lists on the account after this plan, limit 2"
    )


# --- guardrails ---------------------------------------------------------------------------------


def test_guardrail_symbols() -> None:
    settings = Settings(guardrails=Guardrails(symbols=frozenset({"ETHUSDT"})))

    problem = _one(_plan(sell("x"), settings=settings))
    assert problem.field == "symbol"
    assert problem.message == "guardrail symbols: BTCUSDT is not an allowed symbol (ETHUSDT)"


def test_guardrail_max_notional_per_bracket() -> None:
    settings = Settings(guardrails=Guardrails(max_notional=D("1000")))

    problem = _one(_plan(sell("x"), settings=settings))
    assert problem.message == (
        "guardrail max_notional: notional 1100 USDT (quantity x highest leg price) exceeds 1000"
    )


def test_guardrail_max_total_notional_counts_what_stays_live() -> None:
    settings = Settings(guardrails=Guardrails(max_total_notional=D("2000")))
    live = live_state([open_list(sell("kept"))])

    problem = _one(_plan(sell("kept"), sell("new"), settings=settings, live=live))
    assert problem.address == "guardrail.max_total_notional.USDT"
    assert "total 2200 USDT, limit 2000 (placed by this plan: bracket.new)" in problem.message
    assert _plan(sell("kept"), settings=settings, live=live).problems == ()


def test_guardrail_max_distance_pct() -> None:
    settings = Settings(guardrails=Guardrails(max_distance_pct=D("5")))

    plan = _plan(sell("x", tp="104000", stop="96000", limit="93000"), settings=settings)

    problem = _one(plan)
    assert (problem.leg, problem.field) == ("stop_loss (below)", "price")
    assert problem.message == (
        "guardrail max_distance_pct: 93000 is 7.00% from the last price 100000, limit 5%; "
        "nearest valid: 95000"
    )


# --- all at once, and only for what the plan places ---------------------------------------------


def test_every_problem_is_reported_at_once() -> None:
    bad = sell("bad", qty="0.000105", tp="99999.999", stop="100001", limit="100000.005")
    worse = buy("worse", symbol="NOPEUSDT")

    plan = _plan(bad, worse)

    where = {(p.bracket, p.leg, p.field) for p in plan.problems}
    assert ("bad", None, "quantity") in where
    assert ("bad", "take_profit (above)", "price") in where
    assert ("bad", "stop_loss (below)", "stop_price") in where
    assert ("bad", "stop_loss (below)", "price") in where
    assert ("worse", None, "symbol") in where
    assert len(plan.problems) >= 6


def test_lists_already_in_place_are_not_checked() -> None:
    # the live list was placed when 99000 was above the market; it stays, so no complaint
    stale = sell("x", tp="99000")
    plan = _plan(stale, live=live_state([open_list(stale)]))

    assert plan.problems == ()
    assert not plan.has_changes
