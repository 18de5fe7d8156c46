"""Fault injection: each fault answers like Binance and leaves the engine as the exchange would
be."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from oco_reconcile.errors import UsageError
from oco_reconcile.sim.exchange import SimExchange
from oco_reconcile.sim.wire.faults import (
    FaultInjector,
    FaultKind,
    FaultPlan,
    FaultRule,
    load_fault_plan,
)
from tests.support.fake_time import FakeTime
from tests.support.sim_api import Api, error, make_sim, serve

OCO = "POST /api/v3/orderList/oco"
LIST_ID = "ocr-btc-exit-abcdef"


def plan(*rules: FaultRule, seed: int = 0, clock_offset_ms: int = 0) -> FaultPlan:
    return FaultPlan(rules, seed, clock_offset_ms)


@pytest.fixture
def faulty(request: pytest.FixtureRequest, clock: FakeTime) -> Iterator[tuple[Api, SimExchange]]:
    sim = make_sim(clock, request.param)
    for url in serve(sim):
        with httpx.Client(base_url=url, timeout=10) as http:
            yield Api(http, clock), sim


def placements(sim: SimExchange) -> list[str | None]:
    return [e.list_client_order_id for e in sim.engine.events() if e.kind == "placed"]


AFTER_5XX = plan(FaultRule(FaultKind.HTTP_5XX, OCO, after=True, sequence=(True,)))


@pytest.mark.parametrize("faulty", [AFTER_5XX], indirect=True)
def test_accepted_then_5xx_leaves_exactly_one_open_list(faulty: tuple[Api, SimExchange]) -> None:
    api, sim = faulty
    lost = api.place()
    assert error(lost) == (
        503,
        -1006,
        "An unexpected response was received from the message bus. Execution status unknown.",
    )
    assert [item["listClientOrderId"] for item in api.open_lists()] == [LIST_ID]
    found = api.signed("GET", "/api/v3/orderList", origClientOrderId=LIST_ID)
    assert found.json()["listOrderStatus"] == "EXECUTING"
    retry = api.place()  # a blind re-send: the first request did succeed
    assert error(retry) == (400, -2010, "Duplicate order sent.")
    assert len(api.open_lists()) == 1
    assert placements(sim) == [LIST_ID]


@pytest.mark.parametrize(
    "faulty", [plan(FaultRule(FaultKind.HTTP_5XX, OCO, sequence=(True,)))], indirect=True
)
def test_5xx_before_acceptance_executes_nothing(faulty: tuple[Api, SimExchange]) -> None:
    api, sim = faulty
    lost = api.place()
    assert error(lost) == (
        503,
        -1001,
        "Internal error; unable to process your request. Please try again.",
    )
    assert api.open_lists() == []
    assert api.place().status_code == 200
    assert placements(sim) == [LIST_ID]


@pytest.mark.parametrize(
    "faulty", [plan(FaultRule(FaultKind.TIMEOUT, OCO, sequence=(True,)))], indirect=True
)
def test_backend_timeout_1007_after_commit(faulty: tuple[Api, SimExchange]) -> None:
    api, _ = faulty
    response = api.place()
    assert error(response) == (
        408,
        -1007,
        "Timeout waiting for response from backend server. "
        "Send status unknown; execution status unknown.",
    )
    assert len(api.open_lists()) == 1


@pytest.mark.parametrize(
    "faulty",
    [plan(FaultRule(FaultKind.DROP, "DELETE /api/v3/orderList", after=True, sequence=(True,)))],
    indirect=True,
)
def test_dropped_connection_after_a_cancel_committed(faulty: tuple[Api, SimExchange]) -> None:
    api, _ = faulty
    api.place()
    with pytest.raises(httpx.RemoteProtocolError):
        api.signed("DELETE", "/api/v3/orderList", symbol="BTCUSDT", listClientOrderId=LIST_ID)
    assert api.open_lists() == []
    retry = api.signed("DELETE", "/api/v3/orderList", symbol="BTCUSDT", listClientOrderId=LIST_ID)
    assert error(retry) == (400, -2011, "Unknown order list sent.")


@pytest.mark.parametrize(
    "faulty", [plan(FaultRule(FaultKind.BUSY, OCO, sequence=(True,)))], indirect=True
)
def test_server_busy_1008(faulty: tuple[Api, SimExchange]) -> None:
    api, _ = faulty
    response = api.place()
    assert error(response) == (
        503,
        -1008,
        "Server is currently overloaded with other requests. Please try again in a few minutes.",
    )
    assert api.open_lists() == []


@pytest.mark.parametrize(
    "faulty",
    [plan(FaultRule(FaultKind.RATE_LIMIT, "GET *", sequence=(True,), retry_after=7))],
    indirect=True,
)
def test_injected_429_carries_retry_after(faulty: tuple[Api, SimExchange]) -> None:
    api, _ = faulty
    limited = api.signed("GET", "/api/v3/openOrderList")
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "7"
    assert limited.json()["code"] == -1003
    assert api.signed("GET", "/api/v3/openOrderList").status_code == 200


@pytest.mark.parametrize(
    "faulty",
    [plan(FaultRule(FaultKind.BAN, "GET /api/v3/time", sequence=(True,), retry_after=30))],
    indirect=True,
)
def test_injected_ban_holds_until_it_ends(faulty: tuple[Api, SimExchange]) -> None:
    api, _ = faulty
    banned = api.public("GET", "/api/v3/time")
    assert (banned.status_code, banned.headers["Retry-After"]) == (418, "30")
    assert api.place().status_code == 418  # every request is refused while banned
    api.time.advance(30)
    assert api.place().status_code == 200


@pytest.mark.parametrize(
    "faulty", [plan(FaultRule(FaultKind.CLOCK_SKEW, OCO, sequence=(True,)))], indirect=True
)
def test_injected_clock_skew_1021(faulty: tuple[Api, SimExchange]) -> None:
    api, _ = faulty
    response = api.place()
    assert error(response) == (
        400,
        -1021,
        "Timestamp for this request is outside of the recvWindow.",
    )
    assert api.open_lists() == []


@pytest.mark.parametrize("faulty", [plan(clock_offset_ms=-7000)], indirect=True)
def test_standing_clock_offset_until_the_client_resyncs(faulty: tuple[Api, SimExchange]) -> None:
    api, _ = faulty
    ahead = api.place()
    assert error(ahead)[1:] == (
        -1021,
        "Timestamp for this request was 1000ms ahead of the server's time.",
    )
    server_time = api.public("GET", "/api/v3/time").json()["serverTime"]
    assert server_time == api.time.clock_ms() - 7000
    assert api.place(timestamp=server_time).status_code == 200


@pytest.mark.parametrize(
    "faulty",
    [plan(FaultRule(FaultKind.LATENCY, "*", latency_ms=250, sequence=(False, True)))],
    indirect=True,
)
def test_latency_is_injected_through_sleep(faulty: tuple[Api, SimExchange]) -> None:
    api, _ = faulty
    api.public("GET", "/api/v3/ping")
    api.public("GET", "/api/v3/ping")
    assert api.time.slept == [0.25]


def test_in_process_transport_raises_what_a_connection_would(clock: FakeTime) -> None:
    sim = make_sim(
        clock,
        plan(
            FaultRule(FaultKind.DROP, OCO, after=True, sequence=(True,)),
            FaultRule(FaultKind.READ_TIMEOUT, "GET /api/v3/openOrderList", sequence=(True,)),
        ),
    )
    with httpx.Client(base_url="http://sim.local", transport=sim.transport()) as http:
        api = Api(http, clock)
        with pytest.raises(httpx.RemoteProtocolError):
            api.place()
        with pytest.raises(httpx.ReadTimeout):
            api.open_lists()
        assert [item["listClientOrderId"] for item in api.open_lists()] == [LIST_ID]


def test_probabilities_are_reproducible_from_the_seed() -> None:
    rule = FaultRule(FaultKind.HTTP_5XX, "*", probability=0.3)

    def run(seed: int) -> list[bool]:
        injector = FaultInjector(plan(rule, seed=seed))
        return [injector.draw("GET", "/api/v3/time").before is not None for _ in range(200)]

    assert run(7) == run(7)
    assert run(7) != run(8)
    assert 30 < sum(run(7)) < 90


def test_sequence_then_times_cap() -> None:
    injector = FaultInjector(
        plan(FaultRule(FaultKind.DROP, OCO, probability=1.0, times=2, sequence=(False, True)))
    )
    fired = [injector.draw("POST", "/api/v3/orderList/oco").before is not None for _ in range(5)]
    assert fired == [False, True, True, False, False]
    assert injector.draw("GET", "/api/v3/orderList/oco").before is None  # another method


def test_fault_plan_file(tmp_path: Path) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text(
        "seed: 3\nclock_offset_ms: 1500\nfaults:\n"
        "  - {endpoint: POST /api/v3/orderList/oco, kind: http_5xx, after: true, sequence: x.x}\n"
        "  - {kind: latency, latency_ms: 100, probability: 0.5}\n"
    )
    loaded = load_fault_plan(path)
    assert loaded.seed == 3
    assert loaded.clock_offset_ms == 1500
    assert loaded.rules[0] == FaultRule(
        FaultKind.HTTP_5XX, OCO, after=True, sequence=(True, False, True)
    )
    assert loaded.rules[1].kind is FaultKind.LATENCY


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("faults: [{kind: explode}]", "faults[0].kind must be one of"),
        ("faults: [{kind: ban, after: true}]", "'ban' cannot happen after"),
        ("faults: [{kind: drop, when: later}]", "unknown keys ['when']"),
        ("retries: 3", "unknown keys ['retries']"),
    ],
)
def test_fault_plan_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text(text)
    with pytest.raises(UsageError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_fault_plan(path)
