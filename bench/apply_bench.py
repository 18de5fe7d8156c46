"""``apply`` against the simulator's HTTP server at a fixed round trip, next to a plain sequential
loop with the official ``binance-sdk-spot`` placing the same OCOs.

Each run: load the state, read it and plan (``read_live`` + ``make_plan``, not timed), load the
same state again (fresh, aligned rate-limit windows), then time ``apply.execute`` alone (called as
``apply_command.run_apply`` calls it, with the plan's history): the part the ORDERS limit bounds.
429s are counted by the simulator over the whole run.

The bound the ORDERS limit sets (100 orders per 10 s, an OCO counts 2, so 50 OCOs per window):
with the windows starting when the run starts, the k-th OCO (from 0) cannot be sent before
``floor(k / 50) x 10 s``, and the last one still needs its request's round trips::

    bound(N) = floor((N - 1) / 50) x 10 s + c x RTT

``c`` = 1 for a placement (one POST), 2 for a replacement (DELETE, then POST: they must be in
order). Every other request (lookups) is the tool's choice, so it is not in the bound. A sliding
window gives the same bound; a client that cannot see the window boundaries cannot do better.

Each row's *goal* is issue 17's where it names one -- 20 placements: 1 RTT + 0.03 s (signing and
thread start-up); 50 replacements: 3 RTT + 0.1 s -- and otherwise the bound times
:data:`TARGET_RATIO`. The verdict is against the goal, with no 429 and every change done.
``in flight`` is ``max_parallel_requests`` (the executor's only concurrency bound): the default,
and the previous default as a what-if.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import market
from common import Table, median, met, ratio, secs, timed
from simproc import SimProcess

from oco_reconcile.apply.executor import execute
from oco_reconcile.apply.pacing import DEFAULT_LIMITS
from oco_reconcile.apply.results import ApplyResult
from oco_reconcile.core.model import Bracket
from oco_reconcile.core.oco_planner import oco_request
from oco_reconcile.core.plan import Action
from oco_reconcile.core.planner import make_plan
from oco_reconcile.render.apply_report import SilentReporter
from oco_reconcile.venues.connect import open_exchange
from oco_reconcile.venues.spot.live import read_live

ORDERS_LIMIT = 100
ORDERS_WINDOW_S = 10.0
ORDERS_PER_OCO = 2
TARGET_RATIO = 1.15
APPLY_SYMBOLS = 20
PREVIOUS_IN_FLIGHT = 32  # max_parallel_requests' default before issue 17
# issue 17's goals: (OCOs, replace) -> (round trips, seconds of our own time)
ISSUE_17_GOALS = {(20, False): (1, 0.03), (50, True): (3, 0.1)}


def bound_seconds(ocos: int, rtt_ms: int, round_trips: int) -> float:
    per_window = ORDERS_LIMIT // ORDERS_PER_OCO
    return (ocos - 1) // per_window * ORDERS_WINDOW_S + round_trips * rtt_ms / 1000


def goal_seconds(ocos: int, replace: bool, rtt_ms: int) -> float:
    """Issue 17's goal for this row, else the ORDERS bound x TARGET_RATIO."""
    named = ISSUE_17_GOALS.get((ocos, replace))
    if named is not None:
        round_trips, own = named
        return round_trips * rtt_ms / 1000 + own
    return bound_seconds(ocos, rtt_ms, 2 if replace else 1) * TARGET_RATIO


@dataclass(frozen=True)
class Scenario:
    label: str
    count: int
    replace: bool
    in_flight: int = market.SETTINGS.max_parallel_requests

    @property
    def round_trips(self) -> int:
        return 2 if self.replace else 1

    def states(self) -> tuple[dict[str, Any], list[Bracket]]:
        """The starting state and the desired brackets."""
        names = market.symbol_names(APPLY_SYMBOLS)
        if self.replace:
            old = market.brackets(self.count, names, take_profit="120")
            return market.state_with_open(APPLY_SYMBOLS, old), market.brackets(
                self.count, names, take_profit="125"
            )
        return market.state_with_open(APPLY_SYMBOLS, ()), market.brackets(self.count, names)


@dataclass(frozen=True)
class Run:
    seconds: float
    throttled: int  # 429 answers (418 counted apart)
    banned: int
    done: int
    requests: int


def apply_once(sim: SimProcess, scenario: Scenario, rtt_ms: int) -> Run:
    state, desired = scenario.states()
    settings = market.SETTINGS
    sim.load(state, rtt_ms)
    with open_exchange(settings, base_url=sim.url, environ={}) as exchange:
        live = read_live(exchange, desired, settings)
        plan = make_plan(desired, live, settings)
        want = Action.REPLACE if scenario.replace else Action.CREATE
        if plan.has_errors or [c.action for c in plan.actionable] != [want] * scenario.count:
            raise AssertionError(f"unexpected plan for {scenario.label}: {plan.problems[:3]}")
        before = sim.stats()
        sim.load(state, rtt_ms)  # the same account, fresh windows aligned with the start
        seconds, result = timed(
            lambda: execute(
                plan,
                exchange,
                SilentReporter(),
                limits=live.info.rate_limits or DEFAULT_LIMITS,
                max_parallel_requests=scenario.in_flight,
                history=live.history,  # as apply_command.run_apply passes it
            )
        )
    after = sim.stats()
    return Run(
        seconds,
        before["statuses"].get("429", 0) + after["statuses"].get("429", 0),
        before["statuses"].get("418", 0) + after["statuses"].get("418", 0),
        _done(result),
        after["requests"],
    )


def _done(result: ApplyResult) -> int:
    return sum(1 for item in result.results if item.succeeded)


def sdk_once(sim: SimProcess, count: int, rtt_ms: int) -> Run:
    """A plain sequential loop with the official SDK, default settings: one call per OCO, an
    error is counted and the loop goes on (what a simple script does)."""
    from binance_common.configuration import ConfigurationRestAPI
    from binance_sdk_spot.spot import Spot

    from oco_reconcile.sim.wire.keys import SIM_API_KEY, SIM_API_SECRET

    state, desired = Scenario("sdk", count, replace=False).states()
    sim.load(state, rtt_ms)
    config = ConfigurationRestAPI(api_key=SIM_API_KEY, api_secret=SIM_API_SECRET, base_path=sim.url)
    rest = Spot(config_rest_api=config).rest_api
    calls = [_sdk_arguments(item) for item in desired]

    def loop() -> int:
        placed = 0
        for arguments in calls:
            try:
                rest.order_list_oco(**arguments)
            except Exception:  # noqa: S112 - the plain loop's behaviour: count, go on
                continue
            placed += 1
        return placed

    seconds, placed = timed(loop)
    stats = sim.stats()
    return Run(
        seconds,
        stats["statuses"].get("429", 0),
        stats["statuses"].get("418", 0),
        placed,
        stats["requests"],
    )


def _sdk_arguments(item: Bracket) -> dict[str, Any]:
    from binance_sdk_spot.rest_api.models import (
        OrderListOcoAboveTypeEnum,
        OrderListOcoBelowTimeInForceEnum,
        OrderListOcoBelowTypeEnum,
        OrderListOcoSideEnum,
    )

    request = oco_request(market.SETTINGS.owner, item)
    above, below = request.above.leg, request.below.leg
    assert above.price is not None
    assert below.price is not None
    assert below.stop_price is not None
    return {
        "symbol": request.symbol,
        "side": OrderListOcoSideEnum[request.side.value],
        "quantity": float(request.quantity),  # the SDK's parameters are floats
        "list_client_order_id": request.list_client_order_id,
        "above_type": OrderListOcoAboveTypeEnum[above.type.value],
        "above_client_order_id": request.above.client_order_id,
        "above_price": float(above.price),
        "below_type": OrderListOcoBelowTypeEnum[below.type.value],
        "below_client_order_id": request.below.client_order_id,
        "below_price": float(below.price),
        "below_stop_price": float(below.stop_price),
        "below_time_in_force": OrderListOcoBelowTimeInForceEnum["GTC"],
    }


@dataclass(frozen=True)
class ApplyConfig:
    placements: Sequence[int]
    replacements: Sequence[int]
    sdk_placements: Sequence[int]
    rtt_ms: int
    reps: int
    what_if_in_flight: int | None = PREVIOUS_IN_FLIGHT  # also run with max_parallel_requests = this


def run_section(sim: SimProcess, config: ApplyConfig) -> list[Table]:
    table = Table(
        f"apply at {config.rtt_ms} ms RTT over {APPLY_SYMBOLS} symbols: apply.execute vs the "
        "ORDERS bound and issue 17's goals",
        [
            "changes",
            "in flight",
            "OCOs",
            "wall (median)",
            "bound",
            "wall/bound",
            "goal",
            "wall/goal",
            "429s",
            "done",
            "verdict",
        ],
    )
    placements: dict[int, list[Run]] = {}
    for scenario in _scenarios(config):
        runs = [apply_once(sim, scenario, config.rtt_ms) for _ in range(config.reps)]
        if not scenario.replace and scenario.in_flight == market.SETTINGS.max_parallel_requests:
            placements[scenario.count] = runs
        _row(table, scenario, config.rtt_ms, runs)
    sdk = Table(
        f"the same placements: oco-reconcile apply vs a plain sequential loop with "
        f"binance-sdk-spot (defaults), {config.rtt_ms} ms RTT",
        ["client", "OCOs", "wall (median)", "bound", "wall/bound", "429s", "placed", "418s"],
    )
    for count in config.sdk_placements:
        ours = placements.get(count) or [
            apply_once(sim, Scenario("", count, replace=False), config.rtt_ms)
        ]
        theirs = [sdk_once(sim, count, config.rtt_ms) for _ in range(config.reps)]
        bound = bound_seconds(count, config.rtt_ms, 1)
        for name, runs in (("oco-reconcile apply", ours), ("binance-sdk-spot loop", theirs)):
            wall = median([run.seconds for run in runs])
            sdk.add(
                name,
                count,
                secs(wall),
                secs(bound),
                ratio(wall / bound, 3),
                max(run.throttled for run in runs),
                min(run.done for run in runs),
                max(run.banned for run in runs),
            )
    table.notes += [
        "bound = floor((OCOs - 1) / 50) x 10 s + c x RTT (c = 1 placement, 2 replacement); "
        "goal = issue 17's (20 placements: 1 RTT + 0.03 s; 50 replacements: 3 RTT + 0.1 s), "
        f"else bound x {TARGET_RATIO}; verdict: wall <= goal, no 429, every change done.",
        f"in flight = max_parallel_requests ({market.SETTINGS.max_parallel_requests}: the "
        f"default and the settings' maximum; {config.what_if_in_flight}: the default before "
        "issue 17).",
        f"medians of {config.reps} runs; 429s = the most in any run; done = changes that "
        "succeeded (fewest in any run).",
    ]
    sdk.notes += [
        "same OCOs, same client ids, same simulator state and windows; the loop counts an error "
        "and goes on (ORDERS 429s, -1015, do not escalate to a ban).",
        f"medians of {config.reps} runs each; placed = fewest OCOs placed in any run.",
    ]
    return [table, sdk]


def _scenarios(config: ApplyConfig) -> list[Scenario]:
    default = market.SETTINGS.max_parallel_requests
    widths = [default] + ([config.what_if_in_flight] if config.what_if_in_flight else [])
    scenarios = [
        Scenario(f"{n} placements", n, replace=False, in_flight=width)
        for width in widths
        for n in config.placements
    ]
    scenarios += [
        Scenario(f"{n} replacements", n, replace=True, in_flight=width)
        for width in widths
        for n in config.replacements
    ]
    return sorted(scenarios, key=lambda item: (item.replace, item.count, item.in_flight))


def _row(table: Table, scenario: Scenario, rtt: int, runs: list[Run]) -> None:
    count = scenario.count
    wall = median([run.seconds for run in runs])
    bound = bound_seconds(count, rtt, scenario.round_trips)
    goal = goal_seconds(count, scenario.replace, rtt)
    throttled = max(run.throttled for run in runs)
    done = min(run.done for run in runs)
    ok = wall <= goal and throttled == 0 and done == count
    table.add(
        scenario.label,
        scenario.in_flight,
        count,
        secs(wall, 3),
        secs(bound, 3),
        ratio(wall / bound, 3),
        secs(goal, 3),
        ratio(wall / goal, 2),
        throttled,
        f"{done}/{count}",
        met(ok),
    )
