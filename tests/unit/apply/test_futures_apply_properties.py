"""Property: a mixed Spot + futures apply converges under faults on both venues, never places a
Spot list or a futures leg twice, never touches others' orders, never leaves a bracket half open.

The Spot property (``test_apply_properties.py``) over both venues at once. Hypothesis draws an
account: managed Spot brackets and managed futures brackets already placed, unmanaged Spot lists
and unmanaged futures algo orders beside them, a futures position per contract (long or short),
and optionally a price move through one futures leg's trigger (the engine's ``set_prices``, then
back), so the plan holds orphan cancels. It draws a desired state over both venues (creates,
replaces, prunes, no-ops; futures with ``close`` or reduce-only quantities, MARK_PRICE or
CONTRACT_PRICE triggers) and a seeded fault schedule that covers the ``/fapi`` paths as well as
Spot's (5xx before and after commit, -1007, dropped connections and read timeouts after commit,
-1008, 429 with Retry-After, latency, -1021).

The real ``BinanceClient`` and the real ``UsdmClient`` talk to ONE simulator over one in-process
transport (``/api`` and ``/fapi``); one fake clock drives the simulator, both clients and both
pacers. For every case: plan with ``make_plan`` over a ``LiveState`` whose ``usdm`` part comes
from ``read_futures_live``; ``execute(..., futures=FuturesVenue(...))`` under the drawn schedule,
then again under a light one (at most one fault); then the plan is empty. Over both runs:

* no clientAlgoId open twice at once, no placement of an id *sent* while an order with it was
  open (checked on the wire, before the simulator's own -4116 guard), each id placed at most once
  by apply, and never one whose earlier order had fired;
* no Spot list id placed twice, no Spot placement sent while the list was open;
* no unmanaged Spot list and no unmanaged algo order touched;
* after each run that completed, and at the end, no managed futures bracket with only one leg
  open unless the other fired; at the end, exactly the desired unfired brackets are open.

``OCO_PROPERTY_EXAMPLES`` raises the number of cases (default 150 here), e.g. 5000 before a release.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Protocol, TypeVar
from urllib.parse import parse_qsl

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from oco_reconcile.apply.executor import FuturesVenue, execute
from oco_reconcile.apply.pacing import Pacer
from oco_reconcile.apply.results import ApplyResult
from oco_reconcile.apply.usdm_reads import FUTURES_DEFAULT_LIMITS, PacedFuturesReads
from oco_reconcile.core.identity import bracket_ids, is_managed, parse_leg_id
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.model import Bracket, Side
from oco_reconcile.core.oco_planner import oco_request
from oco_reconcile.core.plan import Plan
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.usdm.identity import futures_ids
from oco_reconcile.core.usdm.model import (
    AlgoOrderType,
    AlgoRequest,
    AlgoStatus,
    FuturesBracket,
    FuturesLeg,
    LegRole,
    PositionSide,
    WorkingType,
)
from oco_reconcile.core.usdm.requests import leg_request
from oco_reconcile.errors import ExchangeError
from oco_reconcile.render.apply_report import SilentReporter
from oco_reconcile.sim.engine.machine import Engine
from oco_reconcile.sim.exchange import SimExchange, open_sim
from oco_reconcile.sim.wire.faults import FaultKind, FaultPlan, FaultRule
from oco_reconcile.sim.wire.messages import SimRequest, SimResponse
from oco_reconcile.sim.wire.transport import SimTransport
from oco_reconcile.venues.retry import RetryPolicy
from oco_reconcile.venues.spot.client import BinanceClient
from oco_reconcile.venues.spot.live import read_live
from oco_reconcile.venues.usdm.client import UsdmClient
from oco_reconcile.venues.usdm.live import read_futures_live
from tests.support.fake_time import FakeTime
from tests.unit.apply.test_apply_properties import (
    ALL_NAMES,
    CREDENTIALS,
    LAST,
    SETTINGS,
    START,
    brackets_for,
    check_event_log,
    fault_rules,
    make_bracket,
    unmanaged_request,
)

EXAMPLES = int(os.environ.get("OCO_PROPERTY_EXAMPLES", "150"))
OWNER = SETTINGS.owner

# The simulator's seeded contracts (sim/data/usdm_seed.json): mark = last = the Spot price.
FUT_LAST = {"BTCUSDT": Decimal(110000), "ETHUSDT": Decimal(4000)}
FUT_TICK = {"BTCUSDT": Decimal("0.1"), "ETHUSDT": Decimal("0.01")}
# Positions large enough that every reduce-only leg of a contract fits even after one fired.
FUT_POSITIONS = {"BTCUSDT": ("0.05", "0.1"), "ETHUSDT": ("1", "2")}
FUT_QUANTITIES = {"BTCUSDT": ("0.001", "0.002", "0.005"), "ETHUSDT": ("0.01", "0.05", "0.1")}
FUT_NAMES_PER_SYMBOL = 3
FUT_NAMES = [
    (f"{symbol[:3].lower()}p{index}", symbol)
    for symbol in FUT_LAST
    for index in range(FUT_NAMES_PER_SYMBOL)
]
FUT_TAKE_PROFIT_PCT = (5, 10, 20)
FUT_STOP_PCT = (5, 8, 15)
UNMANAGED_PCT = 30  # beyond every managed trigger: the drawn price move never fires one

PLACE_ALGO = "POST /fapi/v1/algoOrder"
PLACE_OCO = "POST /api/v3/orderList/oco"
# Both venues' writes and the lookups apply resolves them with: weighted up.
ENDPOINTS = (
    "*",
    PLACE_OCO,
    PLACE_OCO,
    "DELETE /api/v3/orderList",
    "GET /api/v3/orderList",
    PLACE_ALGO,
    PLACE_ALGO,
    PLACE_ALGO,
    "DELETE /fapi/v1/algoOrder",
    "DELETE /fapi/v1/algoOrder",
    "GET /fapi/v1/algoOrder",
    "GET /fapi/v1/openAlgoOrders",
    "GET *",
)


# --- strategies --------------------------------------------------------------------------------


def _fut_price(symbol: str, percent: int, up: bool) -> Decimal:
    factor = Decimal(100 + percent if up else 100 - percent) / 100
    return (FUT_LAST[symbol] * factor).quantize(FUT_TICK[symbol])


def futures_bracket(
    name: str,
    symbol: str,
    side: Side,
    *,
    quantity: str | None,
    tp: int,
    sl: int,
    working_type: WorkingType,
) -> FuturesBracket:
    """SELL closes a long (take-profit above, stop below); BUY closes a short."""
    sell = side is Side.SELL
    return FuturesBracket(
        name=name,
        symbol=symbol,
        side=side,
        quantity=None if quantity is None else Decimal(quantity),
        take_profit=FuturesLeg(AlgoOrderType.TAKE_PROFIT_MARKET, _fut_price(symbol, tp, up=sell)),
        stop_loss=FuturesLeg(AlgoOrderType.STOP_MARKET, _fut_price(symbol, sl, up=not sell)),
        working_type=working_type,
    )


@st.composite
def futures_brackets_for(draw: st.DrawFn, long: dict[str, bool]) -> list[FuturesBracket]:
    chosen = draw(st.lists(st.sampled_from(FUT_NAMES), unique=True, max_size=len(FUT_NAMES)))
    result = []
    for name, symbol in chosen:
        quantity = draw(st.one_of(st.none(), st.sampled_from(FUT_QUANTITIES[symbol])))
        result.append(
            futures_bracket(
                name,
                symbol,
                Side.SELL if long[symbol] else Side.BUY,
                quantity=quantity,
                tp=draw(st.sampled_from(FUT_TAKE_PROFIT_PCT)),
                sl=draw(st.sampled_from(FUT_STOP_PCT)),
                working_type=draw(st.sampled_from(WorkingType)),
            )
        )
    return result


@st.composite
def mixed_fault_rules(draw: st.DrawFn) -> FaultRule:
    """The Spot suite's rules over both venues' endpoints; a rule on every request fires less
    often (both venues' reads together are a dozen requests: most runs should get to apply)."""
    rule = replace(draw(fault_rules()), endpoint=draw(st.sampled_from(ENDPOINTS)))
    if rule.endpoint in ("*", "GET *"):
        rule = replace(rule, probability=min(rule.probability, 0.15))
    return rule


mixed_fault_plans = st.builds(
    FaultPlan,
    rules=st.lists(mixed_fault_rules(), min_size=1, max_size=5).map(tuple),
    seed=st.integers(0, 2**32 - 1),
)


@dataclass(frozen=True)
class Fire:
    """Move one contract's price to one initial bracket's leg trigger (then back)."""

    bracket: int  # index into the initial futures brackets
    role: LegRole


@dataclass(frozen=True)
class Case:
    spot_initial: list[Bracket]
    spot_unmanaged: list[str]  # symbols with one unmanaged Spot list
    spot_desired: list[Bracket]
    positions: dict[str, Decimal]  # signed: > 0 long, < 0 short
    futures_initial: list[FuturesBracket]
    futures_unmanaged: list[str]  # contracts with one unmanaged algo order
    futures_desired: list[FuturesBracket]
    fire: Fire | None
    faults: FaultPlan
    light_faults: FaultPlan


class Named(Protocol):
    @property
    def name(self) -> str: ...


N = TypeVar("N", bound=Named)


def kept_of(initial: Sequence[N]) -> st.SearchStrategy[list[N]]:
    """Some ``initial`` brackets, kept unchanged in the desired state (no-ops mix with changes)."""
    if not initial:
        return st.just([])
    return st.lists(st.sampled_from(initial), unique_by=lambda b: b.name)


def merged(desired: Sequence[N], kept: Sequence[N]) -> list[N]:
    by_name = {b.name: b for b in desired} | {b.name: b for b in kept}
    return list(by_name.values())


@st.composite
def cases(draw: st.DrawFn) -> Case:
    spot_initial = draw(brackets_for(ALL_NAMES))
    spot_unmanaged = draw(st.lists(st.sampled_from(list(LAST)), unique=True, max_size=2))
    spot_desired = merged(draw(brackets_for(ALL_NAMES)), draw(kept_of(spot_initial)))
    long = {symbol: draw(st.booleans()) for symbol in FUT_LAST}
    positions = {
        symbol: Decimal(draw(st.sampled_from(FUT_POSITIONS[symbol]))) * (1 if long[symbol] else -1)
        for symbol in FUT_LAST
    }
    futures_initial = draw(futures_brackets_for(long))
    futures_unmanaged = draw(st.lists(st.sampled_from(list(FUT_LAST)), unique=True, max_size=2))
    futures_desired = merged(draw(futures_brackets_for(long)), draw(kept_of(futures_initial)))
    fire = None
    if len(futures_initial) > 0 and draw(st.booleans()):
        index = draw(st.integers(0, len(futures_initial) - 1))
        fire = Fire(index, draw(st.sampled_from(LegRole)))
    light = draw(mixed_fault_rules())
    light_plan = FaultPlan(rules=(replace(light, times=1),), seed=draw(st.integers(0, 99)))
    return Case(
        spot_initial,
        spot_unmanaged,
        spot_desired,
        positions,
        futures_initial,
        futures_unmanaged,
        futures_desired,
        fire,
        draw(mixed_fault_plans),
        light_plan,
    )


# --- one simulator, both clients -----------------------------------------------------------------


@dataclass
class WireLog:
    """Placements *sent* while an order with the same client id was open in the simulator (a
    correct apply looks an unknown outcome up first, so it never sends one: the simulator's own
    duplicate guard, -4116 / -2010, must never be what saves it)."""

    engine: Engine
    resent_while_open: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, request: SimRequest) -> None:
        if request.method != "POST":
            return
        params = dict(parse_qsl(request.query)) | dict(parse_qsl(request.body))
        if request.path == "/fapi/v1/algoOrder":
            client_id = params.get("clientAlgoId")
            open_ids = {o.client_algo_id for o in self.engine.usdm.open_algo_orders()}
        elif request.path == "/api/v3/orderList/oco":
            client_id = params.get("listClientOrderId")
            open_ids = {o.list_client_order_id for o in self.engine.open_order_lists()}
        else:
            return
        if client_id is not None and client_id in open_ids:
            with self.lock:
                self.resent_while_open.append(client_id)


def transport_for(sim: SimExchange, log: WireLog) -> SimTransport:
    def handle(request: SimRequest) -> SimResponse:
        log.check(request)
        return sim.handle(request)

    return SimTransport(handle)


@dataclass(frozen=True)
class Clients:
    spot: BinanceClient
    futures: UsdmClient
    time: FakeTime

    def futures_reads(self) -> PacedFuturesReads:
        """The futures client behind its own pacer on the fake clock (as ``open_venues``)."""
        pacer = Pacer(FUTURES_DEFAULT_LIMITS, clock=self.time.clock, sleep=self.time.sleep)
        return PacedFuturesReads(self.futures, pacer)


def clients_for(engine: Engine, plan: FaultPlan, time: FakeTime, log: WireLog) -> Clients:
    """Both clients over ONE simulator (one fault schedule, one transport for /api and /fapi)."""
    sim = SimExchange(engine, faults=plan, sleep=time.sleep)
    transport = transport_for(sim, log)
    common = {
        "transport": transport,
        "clock": time.clock,
        "sleep": time.sleep,
        "retry": RetryPolicy(jitter=0.0),
    }
    spot = BinanceClient("http://sim.local", CREDENTIALS, **common)  # type: ignore[arg-type]
    futures = UsdmClient("http://sim.local", CREDENTIALS, **common)  # type: ignore[arg-type]
    return Clients(spot, futures, time)


def unmanaged_algo(symbol: str, long: bool) -> AlgoRequest:
    """An algo order someone placed by hand (its id is not ``ocr-...``), far from the market."""
    side = Side.SELL if long else Side.BUY
    return AlgoRequest(
        symbol=symbol,
        side=side,
        position_side=PositionSide.BOTH,
        type=AlgoOrderType.TAKE_PROFIT_MARKET,
        client_algo_id=f"web_{symbol.lower()}_tp_1",
        trigger_price=_fut_price(symbol, UNMANAGED_PCT, up=long),
        working_type=WorkingType.CONTRACT_PRICE,
        price_protect=False,
        quantity=Decimal(FUT_QUANTITIES[symbol][0]),
        reduce_only=True,
    )


@dataclass(frozen=True)
class Planned:
    plan: Plan
    live: LiveState
    reads: PacedFuturesReads


def plan_once(clients: Clients, case: Case) -> Planned:
    reads = clients.futures_reads()
    spot = read_live(clients.spot, case.spot_desired, SETTINGS)
    usdm = read_futures_live(reads, case.futures_desired, SETTINGS)
    live = replace(spot, usdm=usdm)
    plan = make_plan(case.spot_desired, live, SETTINGS, futures=case.futures_desired)
    assert not plan.has_errors, plan.problems
    return Planned(plan, live, reads)


def apply_once(clients: Clients, case: Case) -> ApplyResult | None:
    """One ``apply`` as the command runs it; None when the live state could not even be read."""
    try:
        planned = plan_once(clients, case)
    except ExchangeError:
        return None
    live, time = planned.live, clients.time
    assert live.usdm is not None
    return execute(
        planned.plan,
        clients.spot,
        SilentReporter(),
        limits=live.info.rate_limits,
        clock=time.clock,
        sleep=time.sleep,
        history=live.history,
        futures=FuturesVenue(clients.futures, planned.reads.pacer, live.usdm.history),
    )


def note_outcomes(result: ApplyResult | None) -> None:
    """Hypothesis statistics (``--hypothesis-show-statistics``): which paths the faults took."""
    if result is None:
        event("run 1: live state unreadable")
        return
    for item in result.results:
        event(f"run 1: {item.change.market.value} {item.change.action.value} {item.outcome.value}")
        for marker in ("confirmed by lookup", "on attempt", "already gone", "already placed"):
            if marker in item.detail:
                event(f"run 1: {item.change.market.value} {marker}")


# --- the invariants ------------------------------------------------------------------------------


def latest_by_id(engine: Engine) -> dict[str, AlgoStatus]:
    with engine.lock:
        orders = sorted(engine.usdm.state.algo_orders.values(), key=lambda o: o.algo_id)
        return {o.client_algo_id: AlgoStatus(o.status) for o in orders}


def fired_ids(engine: Engine) -> set[str]:
    return {cid for cid, status in latest_by_id(engine).items() if status.has_fired}


def check_algo_log(
    engine: Engine, first_event: int, unmanaged_ids: set[str], fired_before: set[str]
) -> None:
    """No clientAlgoId open twice; apply places each id at most once and never a fired one;
    apply never touches an unmanaged algo order."""
    open_now: set[str] = set()
    placed_by_apply: list[str] = []
    for index, entry in enumerate(engine.events()):
        client_id = entry.client_order_id
        if client_id is None or not entry.kind.startswith("algo "):
            continue
        if entry.kind == "algo placed":
            assert client_id not in open_now, f"{client_id} placed while already open"
            open_now.add(client_id)
            if index >= first_event:
                assert client_id not in unmanaged_ids, f"unmanaged {client_id} placed"
                assert client_id not in fired_before, f"fired {client_id} placed again"
                placed_by_apply.append(client_id)
        else:  # cancelled, triggered, rejected: no longer open
            if index >= first_event:
                assert client_id not in unmanaged_ids, f"unmanaged algo order {client_id} touched"
            open_now.discard(client_id)
    duplicates = {i for i in placed_by_apply if placed_by_apply.count(i) > 1}
    assert not duplicates, f"placed more than once: {duplicates}"
    live = {o.client_algo_id for o in engine.usdm.open_algo_orders()}
    assert open_now == live
    assert unmanaged_ids <= live


def half_open_brackets(engine: Engine) -> set[str]:
    """Managed futures brackets with exactly one leg open whose other leg has not fired."""
    statuses = latest_by_id(engine)
    open_ids = {o.client_algo_id for o in engine.usdm.open_algo_orders()}
    half = set()
    for client_id in open_ids:
        leg = parse_leg_id(OWNER, client_id)
        if leg is None:
            continue
        base = leg.list_client_order_id
        other = f"{base}-{'sl' if leg.take_profit else 'tp'}"
        if other not in open_ids and not (other in statuses and statuses[other].has_fired):
            half.add(base)
    return half


def expected_futures_open(case: Case, fired: set[str]) -> set[str]:
    expected = set()
    for item in case.futures_desired:
        legs = futures_ids(OWNER, item)
        pair = {legs.take_profit_id, legs.stop_loss_id}
        if not pair & fired:
            expected |= pair
    return expected


def completed(result: ApplyResult | None) -> bool:
    return (
        result is not None
        and result.stop_reason is None
        and all(r.succeeded for r in result.results)
    )


# --- the property --------------------------------------------------------------------------------


def set_up(case: Case, engine: Engine, time: FakeTime, log: WireLog) -> None:
    setup = clients_for(engine, FaultPlan(), time, log)
    for symbol, amount in case.positions.items():
        engine.usdm.set_position(symbol, amount, PositionSide.BOTH.value)
    for bracket in case.spot_initial:
        setup.spot.place_oco(oco_request(OWNER, bracket))
    for symbol in case.spot_unmanaged:
        setup.spot.place_oco(unmanaged_request(symbol))
    for item in case.futures_initial:
        for role in (LegRole.STOP_LOSS, LegRole.TAKE_PROFIT):
            setup.futures.place_algo(leg_request(OWNER, item, role, hedge=False))
    for symbol in case.futures_unmanaged:
        setup.futures.place_algo(unmanaged_algo(symbol, case.positions[symbol] > 0))
    if case.fire is not None:
        item = case.futures_initial[case.fire.bracket]
        price = item.leg(case.fire.role).trigger_price
        engine.usdm.set_prices(item.symbol, price, price)  # through the trigger ...
        engine.usdm.set_prices(item.symbol, FUT_LAST[item.symbol], FUT_LAST[item.symbol])  # back


@pytest.mark.timeout(max(120, EXAMPLES // 2))  # about 0.3 s a case; more cases, more time
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=cases())
def test_mixed_apply_converges_within_two_runs_without_duplicates(case: Case) -> None:
    time = FakeTime(START)
    engine = open_sim(None, clock=time.clock_ms, sleep=time.sleep).engine
    log = WireLog(engine)
    set_up(case, engine, time, log)
    fired_before = fired_ids(engine)
    if case.fire is not None:
        desired = fired_before & {futures_ids(OWNER, b).stop_loss_id for b in case.futures_desired}
        desired |= fired_before & {
            futures_ids(OWNER, b).take_profit_id for b in case.futures_desired
        }
        event(f"fired: {len(fired_before)} legs, {len(desired)} of desired brackets")
    first_event = len(engine.events())

    first = apply_once(clients_for(engine, case.faults, time, log), case)
    note_outcomes(first)
    if completed(first):
        assert not half_open_brackets(engine)
    time.sleep(300)  # a later run: any Retry-After from the first one has passed
    second = apply_once(clients_for(engine, case.light_faults, time, log), case)
    assert second is not None

    clean = clients_for(engine, FaultPlan(), time, log)
    final = plan_once(clean, case).plan
    assert not final.has_changes, [c.address for c in final.actionable]
    assert log.resent_while_open == []
    spot_unmanaged = {unmanaged_request(s).list_client_order_id for s in case.spot_unmanaged}
    check_event_log(engine, first_event, spot_unmanaged)
    algo_unmanaged = {unmanaged_algo(s, True).client_algo_id for s in case.futures_unmanaged}
    check_algo_log(engine, first_event, algo_unmanaged, fired_before)
    assert not half_open_brackets(engine)

    desired_lists = {bracket_ids(OWNER, b).list_client_order_id for b in case.spot_desired}
    open_lists = {
        item.list_client_order_id
        for item in engine.open_order_lists()
        if is_managed(OWNER, item.list_client_order_id)
    }
    assert open_lists == desired_lists
    open_algos = {
        o.client_algo_id
        for o in engine.usdm.open_algo_orders()
        if parse_leg_id(OWNER, o.client_algo_id) is not None
    }
    assert open_algos == expected_futures_open(case, fired_ids(engine))


@pytest.mark.parametrize("kind", [FaultKind.HTTP_5XX, FaultKind.DROP, FaultKind.READ_TIMEOUT])
def test_a_futures_placement_lost_after_commit_lands_once_beside_spot(kind: FaultKind) -> None:
    """A fixed example of the property, so a regression names itself: every /fapi placement's
    answer is lost after the engine committed; each leg is still placed exactly once."""
    time = FakeTime(START)
    engine = open_sim(None, clock=time.clock_ms, sleep=time.sleep).engine
    log = WireLog(engine)
    lost = FaultPlan(rules=(FaultRule(kind, PLACE_ALGO, after=True, probability=1),))
    item = futures_bracket(
        "btcp0",
        "BTCUSDT",
        Side.SELL,
        quantity=None,
        tp=10,
        sl=5,
        working_type=WorkingType.MARK_PRICE,
    )
    spot = make_bracket("btc0", "BTCUSDT", Side.SELL, qty="0.001", tp=10, sl=5)
    positions = {"BTCUSDT": Decimal("0.05"), "ETHUSDT": Decimal(1)}
    case = Case([], [], [spot], positions, [], [], [item], None, lost, FaultPlan())
    set_up(case, engine, time, log)
    result = apply_once(clients_for(engine, lost, time, log), case)
    assert result is not None
    assert result.succeeded, [r.detail for r in result.results if not r.succeeded]
    placed = [e.client_order_id for e in engine.events() if e.kind == "algo placed"]
    legs = futures_ids(OWNER, item)
    assert sorted(placed, key=str) == sorted([legs.stop_loss_id, legs.take_profit_id])
    assert log.resent_while_open == []
