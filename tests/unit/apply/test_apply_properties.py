"""Property: apply converges under faults, never places a list twice, never touches others' lists.

Hypothesis draws an account (managed brackets already placed, unmanaged lists beside them), a
desired state, and a seeded fault schedule for the simulator (5xx before and after the engine
committed, -1007, dropped connections and read timeouts after commit, -1008, 429 with
Retry-After, latency, -1021). The real ``BinanceClient`` talks to the simulator through its
in-process transport; one fake clock drives the simulator, the client and the pacer, so latency
and Retry-After cost no real time.

For every case: the first ``apply`` runs under the drawn schedule, the second under a light one (at
most one fault); then the plan is empty. Over both runs the simulator's event log shows no list
client id placed twice (so never open twice at once) and no unmanaged list touched.

``OCO_PROPERTY_EXAMPLES`` raises the number of cases (default 200), e.g. 5000 before a release.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from oco_reconcile.apply.executor import execute
from oco_reconcile.apply.results import ApplyResult
from oco_reconcile.core.identity import bracket_ids, is_managed
from oco_reconcile.core.model import (
    Bracket,
    Leg,
    LegRequest,
    LegType,
    OcoRequest,
    Side,
    TimeInForce,
)
from oco_reconcile.core.oco_planner import oco_request
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.settings import Settings
from oco_reconcile.errors import ExchangeError
from oco_reconcile.render.apply_report import SilentReporter
from oco_reconcile.sim.engine.machine import Engine
from oco_reconcile.sim.exchange import SimExchange, open_sim
from oco_reconcile.sim.wire.faults import FaultKind, FaultPlan, FaultRule
from oco_reconcile.sim.wire.keys import SIM_API_KEY, SIM_API_SECRET
from oco_reconcile.venues.credentials import Credentials
from oco_reconcile.venues.retry import RetryPolicy
from oco_reconcile.venues.spot.client import BinanceClient
from oco_reconcile.venues.spot.live import read_live
from tests.support.fake_time import FakeTime

EXAMPLES = int(os.environ.get("OCO_PROPERTY_EXAMPLES", "200"))
SETTINGS = Settings(owner="ocr", prune=True, allow_empty=True)
CREDENTIALS = Credentials.hmac(SIM_API_KEY, SIM_API_SECRET)
START = 1_760_000_000.0  # seconds; any time after 2017 works for the simulator

# Seeded last prices (sim/data/seed.json) and quantities that pass LOT_SIZE and NOTIONAL and fit
# the seeded balances even with every list of a symbol open at once.
LAST = {"BTCUSDT": 110000, "ETHUSDT": 4000, "BNBUSDT": 850, "SOLUSDT": 200}
QUANTITIES = {
    "BTCUSDT": ("0.001", "0.002", "0.005"),
    "ETHUSDT": ("0.01", "0.05", "0.1"),
    "BNBUSDT": ("0.1", "0.2", "0.5"),
    "SOLUSDT": ("0.1", "0.5", "1"),
}
NAMES_PER_SYMBOL = 3  # at most 3 managed + 1 unmanaged open per symbol: MAX_NUM_ALGO_ORDERS is 5
TAKE_PROFIT_PCT = (5, 10, 20)
STOP_PCT = (5, 8, 15)

# Placements and cancels are where apply itself must resolve unknown outcomes: weighted up.
ENDPOINTS = (
    "*",
    "POST /api/v3/orderList/oco",
    "POST /api/v3/orderList/oco",
    "POST /api/v3/orderList/oco",
    "DELETE /api/v3/orderList",
    "DELETE /api/v3/orderList",
    "GET /api/v3/orderList",
    "GET *",
)


# --- strategies --------------------------------------------------------------------------------


def _price(symbol: str, percent: int, up: bool) -> Decimal:
    factor = Decimal(100 + percent if up else 100 - percent) / 100
    return (Decimal(LAST[symbol]) * factor).quantize(Decimal("0.01"))


def make_bracket(name: str, symbol: str, side: Side, *, qty: str, tp: int, sl: int) -> Bracket:
    """A friendly-form bracket: LIMIT_MAKER take-profit, STOP_LOSS_LIMIT stop (docs/file-formats.md
    "Friendly form")."""
    sell = side is Side.SELL
    take_profit = Leg(LegType.LIMIT_MAKER, price=_price(symbol, tp, up=sell))
    stop = _price(symbol, sl, up=not sell)
    limit = (stop * Decimal("0.999" if sell else "1.001")).quantize(Decimal("0.01"))
    stop_loss = Leg(
        LegType.STOP_LOSS_LIMIT, price=limit, stop_price=stop, time_in_force=TimeInForce.GTC
    )
    above, below = (take_profit, stop_loss) if sell else (stop_loss, take_profit)
    return Bracket(name, symbol, side, Decimal(qty), above, below)


@st.composite
def brackets_for(draw: st.DrawFn, names: Sequence[tuple[str, str]]) -> list[Bracket]:
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    result = []
    for name, symbol in chosen:
        side = draw(st.sampled_from(Side))
        qty = draw(st.sampled_from(QUANTITIES[symbol]))
        tp = draw(st.sampled_from(TAKE_PROFIT_PCT))
        sl = draw(st.sampled_from(STOP_PCT))
        result.append(make_bracket(name, symbol, side, qty=qty, tp=tp, sl=sl))
    return result


ALL_NAMES = [
    (f"{symbol[:3].lower()}{index}", symbol) for symbol in LAST for index in range(NAMES_PER_SYMBOL)
]


@st.composite
def fault_rules(draw: st.DrawFn) -> FaultRule:
    kind = draw(
        st.sampled_from(
            [
                FaultKind.HTTP_5XX,
                FaultKind.TIMEOUT,
                FaultKind.BUSY,
                FaultKind.DROP,
                FaultKind.READ_TIMEOUT,
                FaultKind.RATE_LIMIT,
                FaultKind.LATENCY,
                FaultKind.CLOCK_SKEW,
            ]
        )
    )
    can_be_after = kind in (
        FaultKind.HTTP_5XX,
        FaultKind.TIMEOUT,
        FaultKind.BUSY,
        FaultKind.DROP,
        FaultKind.READ_TIMEOUT,
    )
    return FaultRule(
        kind=kind,
        endpoint=draw(st.sampled_from(ENDPOINTS)),
        after=can_be_after and draw(st.booleans()),
        probability=draw(st.sampled_from([0.05, 0.15, 0.3, 0.5])),
        sequence=tuple(draw(st.lists(st.booleans(), max_size=4))),
        retry_after=draw(st.sampled_from([None, 1, 3])),
        latency_ms=draw(st.sampled_from([0, 50, 2000])),
    )


fault_plans = st.builds(
    FaultPlan,
    rules=st.lists(fault_rules(), min_size=1, max_size=4).map(tuple),
    seed=st.integers(0, 2**32 - 1),
)


@dataclass(frozen=True)
class Case:
    initial: list[Bracket]
    unmanaged: list[str]  # symbols with one unmanaged list
    desired: list[Bracket]
    faults: FaultPlan
    light_faults: FaultPlan


@st.composite
def cases(draw: st.DrawFn) -> Case:
    initial = draw(brackets_for(ALL_NAMES))
    unmanaged = draw(st.lists(st.sampled_from(list(LAST)), unique=True, max_size=2))
    desired = draw(brackets_for(ALL_NAMES))
    # sometimes keep some initial brackets unchanged, so no-ops mix with changes
    kept = draw(st.lists(st.sampled_from(initial), unique_by=lambda b: b.name)) if initial else []
    by_name = {b.name: b for b in desired} | {b.name: b for b in kept}
    light = draw(fault_rules())
    light_plan = FaultPlan(rules=(replace(light, times=1),), seed=draw(st.integers(0, 99)))
    return Case(initial, unmanaged, list(by_name.values()), draw(fault_plans), light_plan)


# --- running apply against the simulator -------------------------------------------------------


def client_for(sim: SimExchange, time: FakeTime) -> BinanceClient:
    return BinanceClient(
        "http://sim.local",
        CREDENTIALS,
        transport=sim.transport(),
        clock=time.clock,
        sleep=time.sleep,
        retry=RetryPolicy(jitter=0.0),
    )


def with_faults(engine: Engine, plan: FaultPlan, time: FakeTime) -> SimExchange:
    return SimExchange(engine, faults=plan, sleep=time.sleep)


def unmanaged_request(symbol: str) -> OcoRequest:
    """A list someone placed by hand (its ids are not ``ocr-...``)."""
    bracket = make_bracket("manual", symbol, Side.SELL, qty=QUANTITIES[symbol][0], tp=20, sl=15)
    list_id = f"web_{symbol.lower()}_1"
    return OcoRequest(
        symbol=symbol,
        side=bracket.side,
        quantity=bracket.quantity,
        list_client_order_id=list_id,
        above=LegRequest(bracket.above, list_id + "a"),
        below=LegRequest(bracket.below, list_id + "b"),
    )


def apply_once(client: BinanceClient, desired: list[Bracket], time: FakeTime) -> ApplyResult | None:
    """One ``apply`` as the command runs it; None when the live state could not even be read."""
    try:
        live = read_live(client, desired, SETTINGS)
    except ExchangeError:
        return None
    plan = make_plan(desired, live, SETTINGS)
    assert not plan.has_errors, plan.problems
    return execute(
        plan,
        client,
        SilentReporter(),
        limits=live.info.rate_limits,
        clock=time.clock,
        sleep=time.sleep,
        history=live.history,
    )


def note_outcomes(result: ApplyResult | None) -> None:
    """Hypothesis statistics (``--hypothesis-show-statistics``): which paths the faults took."""
    if result is None:
        event("run 1: live state unreadable")
        return
    for item in result.results:
        event(f"run 1: {item.change.action.value} {item.outcome.value}")
        for marker in ("confirmed by lookup", "on attempt", "first send landed", "already gone"):
            if marker in item.detail:
                event(f"run 1: {marker}")


def check_event_log(engine: Engine, first_event: int, unmanaged_ids: set[str]) -> None:
    open_ids: set[str] = {
        item.list_client_order_id for item in engine.open_order_lists()
    }  # recomputed below from the log; the final set must agree
    replay: set[str] = set()
    placed_during_apply: list[str] = []
    for index, entry in enumerate(engine.events()):
        list_id = entry.list_client_order_id
        if list_id is None:
            continue
        if entry.kind == "placed":
            assert list_id not in replay, f"{list_id} placed while already open"
            replay.add(list_id)
            if index >= first_event:
                placed_during_apply.append(list_id)
        elif entry.kind in ("cancelled", "filled", "expired", "triggered"):
            if index >= first_event:
                assert list_id not in unmanaged_ids, f"unmanaged list {list_id} touched"
            replay.discard(list_id)
    duplicates = {i for i in placed_during_apply if placed_during_apply.count(i) > 1}
    assert not duplicates, f"placed more than once: {duplicates}"
    assert replay == open_ids
    assert unmanaged_ids <= open_ids


@pytest.mark.timeout(max(120, EXAMPLES // 5))  # about 60 ms a case; more cases, more time
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=cases())
def test_apply_converges_within_two_runs_without_duplicates(case: Case) -> None:
    time = FakeTime(START)
    engine = open_sim(None, clock=time.clock_ms, sleep=time.sleep).engine
    setup = client_for(with_faults(engine, FaultPlan(), time), time)
    for bracket in case.initial:
        setup.place_oco(oco_request(SETTINGS.owner, bracket))
    unmanaged = [unmanaged_request(symbol) for symbol in case.unmanaged]
    for request in unmanaged:
        setup.place_oco(request)
    first_event = len(engine.events())

    first = apply_once(client_for(with_faults(engine, case.faults, time), time), case.desired, time)
    note_outcomes(first)
    time.sleep(300)  # a later run: any Retry-After from the first one has passed
    second = apply_once(
        client_for(with_faults(engine, case.light_faults, time), time), case.desired, time
    )
    assert second is not None

    clean = client_for(with_faults(engine, FaultPlan(), time), time)
    final = make_plan(case.desired, read_live(clean, case.desired, SETTINGS), SETTINGS)
    assert not final.has_changes, [c.address for c in final.actionable]
    unmanaged_ids = {request.list_client_order_id for request in unmanaged}
    check_event_log(engine, first_event, unmanaged_ids)
    desired_ids = {bracket_ids("ocr", b).list_client_order_id for b in case.desired}
    open_managed = {
        item.list_client_order_id
        for item in engine.open_order_lists()
        if is_managed("ocr", item.list_client_order_id)
    }
    assert open_managed == desired_ids


def test_a_placement_lost_after_commit_is_not_placed_again() -> None:
    """A fixed example of the property, so a regression names itself."""
    time = FakeTime(START)
    engine = open_sim(None, clock=time.clock_ms, sleep=time.sleep).engine
    drop_after = FaultPlan(
        rules=(
            FaultRule(FaultKind.DROP, "POST /api/v3/orderList/oco", after=True, sequence=(True,)),
        )
    )
    desired = [make_bracket("btc0", "BTCUSDT", Side.SELL, qty="0.001", tp=10, sl=5)]
    result = apply_once(client_for(with_faults(engine, drop_after, time), time), desired, time)
    assert result is not None
    assert result.succeeded
    placed = [e for e in engine.events() if e.kind == "placed"]
    assert len(placed) == 1


@pytest.mark.parametrize("kind", [FaultKind.HTTP_5XX, FaultKind.TIMEOUT, FaultKind.READ_TIMEOUT])
def test_every_placement_answered_unknown_after_commit_lands_once(kind: FaultKind) -> None:
    time = FakeTime(START)
    engine = open_sim(None, clock=time.clock_ms, sleep=time.sleep).engine
    plan = FaultPlan(
        rules=(FaultRule(kind, "POST /api/v3/orderList/oco", after=True, probability=1),)
    )
    desired = [
        make_bracket(name, symbol, Side.BUY, qty=QUANTITIES[symbol][1], tp=10, sl=5)
        for name, symbol in ALL_NAMES
    ]
    result = apply_once(client_for(with_faults(engine, plan, time), time), desired, time)
    assert result is not None
    assert result.succeeded, [r.detail for r in result.results if not r.succeeded]
    placed = [e.list_client_order_id for e in engine.events() if e.kind == "placed"]
    assert sorted(placed, key=str) == sorted(
        {bracket_ids("ocr", b).list_client_order_id for b in desired}
    )
