"""The futures live read: the independent reads once each (all symbols), then history lookups
only for legs of desired brackets that are not open (FakeFapi behind httpx.MockTransport)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from oco_reconcile.core.settings import Settings
from oco_reconcile.core.usdm.identity import futures_ids
from oco_reconcile.core.usdm.model import AlgoStatus
from oco_reconcile.errors import UnauthorizedError
from oco_reconcile.venues.usdm.live import history_ids, read_futures_live
from tests.support.futures_state import OWNER, bracket
from tests.unit.venues.usdm.fake_fapi import (
    FakeFapi,
    algo_order,
    balance,
    exchange_info,
    last_price,
    mark_price,
    position,
)

ALGO = "/fapi/v1/algoOrder"
SETTINGS = Settings(owner=OWNER)
KEPT = bracket("kept")
FIRED = bracket("fired", stop_loss="97000")
NEVER = bracket("never", symbol="ETHUSDT", take_profit="5000", stop_loss="3000")
SNAPSHOT_PATHS = {
    "/fapi/v1/exchangeInfo",
    "/fapi/v1/premiumIndex",
    "/fapi/v1/ticker/price",
    "/fapi/v3/positionRisk",
    "/fapi/v1/positionSide/dual",
    "/fapi/v3/balance",
    "/fapi/v1/openAlgoOrders",
}


def leg(cid: str, algo_id: int, **fields: object) -> dict[str, object]:
    return algo_order(clientAlgoId=cid, algoId=algo_id, symbol="BTCUSDT", **fields)


def snapshot(fake: FakeFapi, open_orders: list[dict[str, object]]) -> None:
    fake.reply("GET", "/fapi/v1/exchangeInfo", exchange_info())
    fake.reply("GET", "/fapi/v1/premiumIndex", [mark_price()])
    fake.reply("GET", "/fapi/v1/ticker/price", [last_price()])
    fake.reply("GET", "/fapi/v3/positionRisk", [position()])
    fake.reply("GET", "/fapi/v1/positionSide/dual", {"dualSidePosition": False})
    fake.reply("GET", "/fapi/v3/balance", [balance()])
    fake.reply("GET", "/fapi/v1/openAlgoOrders", open_orders)


def lookups(fake: FakeFapi) -> list[str]:
    return sorted(r.param("clientAlgoId") or "" for r in fake.sent(ALGO, "GET"))


def test_reads_everything_once_and_looks_up_only_missing_desired_legs() -> None:
    kept, fired = futures_ids(OWNER, KEPT), futures_ids(OWNER, FIRED)
    fake = FakeFapi()
    snapshot(fake, [leg(kept.take_profit_id, 1), leg(kept.stop_loss_id, 2), leg("web_tp_1", 9)])
    fake.algo_orders = {fired.stop_loss_id: leg(fired.stop_loss_id, 3, algoStatus="TRIGGERED")}
    state = read_futures_live(fake.usdm(), [KEPT, FIRED], SETTINGS)
    counts = Counter(r.path for r in fake.requests if r.path != "/fapi/v1/time")
    assert counts == Counter({**dict.fromkeys(SNAPSHOT_PATHS, 1), ALGO: 2})
    (every_symbol,) = fake.sent("/fapi/v1/openAlgoOrders")
    assert every_symbol.param("symbol") is None
    assert lookups(fake) == sorted([fired.take_profit_id, fired.stop_loss_id])
    assert {o.client_algo_id for o in state.open_algo_orders} == {
        kept.take_profit_id,
        kept.stop_loss_id,
        "web_tp_1",
    }
    assert set(state.history) == {fired.stop_loss_id}  # the take-profit: never placed
    assert state.history[fired.stop_loss_id].status is AlgoStatus.TRIGGERED


def test_the_state_carries_every_snapshot_read() -> None:
    fake = FakeFapi()
    snapshot(fake, [])
    fake.error("GET", ALGO, 400, -2013, "Order does not exist.")
    state = read_futures_live(fake.usdm(), [NEVER], SETTINGS)
    assert "BTCUSDT" in state.info.symbols
    assert state.mark_prices == {"BTCUSDT": Decimal("101000.00000000")}
    assert state.last_prices == {"BTCUSDT": Decimal("101005.10")}
    assert state.positions[0].amount == Decimal("0.010")
    assert state.hedge_mode is False
    assert state.balances["USDT"].free == Decimal("949.50")
    assert state.history == {}  # Binance knows neither leg: absent, not an error
    assert len(lookups(fake)) == 2


def test_a_leg_found_open_by_its_lookup_joins_the_open_orders() -> None:
    fired = futures_ids(OWNER, FIRED)
    fake = FakeFapi()
    snapshot(fake, [])
    fake.algo_orders = {
        fired.take_profit_id: leg(fired.take_profit_id, 5),
        fired.stop_loss_id: leg(fired.stop_loss_id, 6),
    }
    state = read_futures_live(fake.usdm(), [FIRED], SETTINGS)
    assert {o.client_algo_id for o in state.open_algo_orders} == {
        fired.take_profit_id,
        fired.stop_loss_id,
    }
    assert state.history == {}


def test_an_answer_for_another_id_is_not_taken_for_the_leg() -> None:
    fake = FakeFapi()
    snapshot(fake, [])
    fake.reply("GET", ALGO, leg("someone-else", 7, algoStatus="CANCELED"))
    state = read_futures_live(fake.usdm(), [FIRED], SETTINGS)
    assert state.history == {}


def test_no_desired_brackets_no_lookups() -> None:
    fake = FakeFapi()
    snapshot(fake, [leg("ocr-old-abc234-tp", 1)])
    state = read_futures_live(fake.usdm(), [], SETTINGS)
    assert fake.sent(ALGO) == []
    assert len(state.open_algo_orders) == 1


def test_a_failed_read_is_raised() -> None:
    fake = FakeFapi()
    snapshot(fake, [])
    fake.replies[("GET", "/fapi/v3/balance")].clear()
    fake.error("GET", "/fapi/v3/balance", 401, -2015, "Invalid API-key, IP, or permissions.")
    with pytest.raises(UnauthorizedError):
        read_futures_live(fake.usdm(), [], SETTINGS)


def test_history_ids_are_the_missing_leg_ids_sorted_once() -> None:
    kept = futures_ids(OWNER, KEPT)
    ids = history_ids([KEPT, KEPT], OWNER, [kept.take_profit_id])
    assert ids == (kept.stop_loss_id,)
