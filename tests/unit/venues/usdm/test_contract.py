"""Contract tests of the USDⓈ-M futures client: its real HTTP exchanges, replayed from cassettes.

The mechanism is the Spot one (tests/unit/venues/spot/test_contract.py): by default every test
replays its cassette ``tests/cassettes/contract_fapi_*.yaml`` (``record_mode="none"``): no
network, and a request the cassette does not hold fails the test. The same tests re-record them:

* ``pytest tests/unit/venues/usdm -m testnet --record-sim``: against the simulator's HTTP server,
  started here on 127.0.0.1 (it answers ``/fapi`` on the same port as ``/api``; the cassettes in
  the repository were made this way);
* ``pytest tests/unit/venues/usdm -m testnet --record-testnet``: against the futures demo
  (``https://demo-fapi.binance.com``, Binance's futures testnet), with keys from
  ``BINANCE_FUTURES_TESTNET_API_KEY`` + ``BINANCE_FUTURES_TESTNET_API_SECRET`` (or
  ``BINANCE_FUTURES_TESTNET_PRIVATE_KEY_FILE``).

See docs/recording-cassettes.md. Every price is derived from the responses the scenario has just
read (tick-aligned from exchangeInfo), and the position side from ``positionSide/dual``, so a
replay sends exactly the recorded requests whichever exchange recorded them.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from oco_reconcile.core.decimals import ceil_to_step, floor_to_step
from oco_reconcile.core.model import Side
from oco_reconcile.core.settings import CredentialNames
from oco_reconcile.core.usdm.model import (
    AlgoOrder,
    AlgoOrderType,
    AlgoRequest,
    AlgoStatus,
    FuturesInfo,
    PositionSide,
    WorkingType,
)
from oco_reconcile.errors import DuplicateOrderError
from oco_reconcile.venues.retry import RetryPolicy
from oco_reconcile.venues.urls import FUTURES_DEMO_URL
from oco_reconcile.venues.usdm.client import UsdmClient
from tests.support.cassettes import contract_target, contract_vcr
from tests.support.paths import CASSETTES_DIR

pytestmark = pytest.mark.testnet

SYMBOL = "BTCUSDT"
OTHER_SYMBOL = "ETHUSDT"
STOP_ID = "contract-fapi-sl-a2b3c4"
TAKE_PROFIT_ID = "contract-fapi-tp-a2b3c4"
NEVER_PLACED = "contract-fapi-never-placed-zzzz"
FUTURES_TESTNET_NAMES = CredentialNames(
    api_key_env="BINANCE_FUTURES_TESTNET_API_KEY",
    api_secret_env="BINANCE_FUTURES_TESTNET_API_SECRET",
    private_key_file_env="BINANCE_FUTURES_TESTNET_PRIVATE_KEY_FILE",
    private_key_passphrase_env="BINANCE_FUTURES_TESTNET_PRIVATE_KEY_PASSPHRASE",
)


@pytest.fixture
def exchange(request: pytest.FixtureRequest) -> Iterator[UsdmClient]:
    name = f"contract_{request.node.name.removeprefix('test_')}.yaml"
    with contract_target(
        request.config,
        CASSETTES_DIR / name,
        testnet_url=FUTURES_DEMO_URL,
        testnet_names=FUTURES_TESTNET_NAMES,
    ) as target:
        recorder = contract_vcr(target.record_mode)
        # One attempt: a retry would add interactions that a replay could not reproduce.
        client = UsdmClient(target.base_url, target.credentials, retry=RetryPolicy(max_attempts=1))
        with recorder.use_cassette(name) as cassette, client:
            yield client
            if target.record_mode == "none":
                assert cassette.all_played, "the client skipped recorded requests"


def closing_legs(
    info: FuturesInfo, mark: Decimal, position_side: PositionSide
) -> tuple[AlgoRequest, AlgoRequest]:
    """A SELL closePosition bracket on MARK_PRICE: the stop 20 % below ``mark``, the take-profit
    20 % above, both on the symbol's tick (far enough that neither triggers while recorded)."""
    price_filter = info.symbols[SYMBOL].price_filter
    assert price_filter is not None
    tick = price_filter.tick_size

    def leg(kind: AlgoOrderType, client_algo_id: str, trigger: Decimal) -> AlgoRequest:
        return AlgoRequest(
            symbol=SYMBOL,
            side=Side.SELL,
            position_side=position_side,
            type=kind,
            client_algo_id=client_algo_id,
            trigger_price=trigger,
            working_type=WorkingType.MARK_PRICE,
            price_protect=False,
        )

    stop = leg(AlgoOrderType.STOP_MARKET, STOP_ID, floor_to_step(mark * Decimal("0.8"), tick))
    take_profit = leg(
        AlgoOrderType.TAKE_PROFIT_MARKET, TAKE_PROFIT_ID, ceil_to_step(mark * Decimal("1.2"), tick)
    )
    return stop, take_profit


def open_ids(orders: tuple[AlgoOrder, ...]) -> set[str]:
    return {order.client_algo_id for order in orders}


def test_fapi_market_data(exchange: UsdmClient) -> None:
    assert exchange.server_time() > 1_483_228_800_000
    info = exchange.exchange_info()
    assert {SYMBOL, OTHER_SYMBOL} <= set(info.symbols)
    rules = info.symbols[SYMBOL]
    assert rules.status == "TRADING"
    assert rules.contract_type == "PERPETUAL"
    assert {"STOP_MARKET", "TAKE_PROFIT_MARKET"} <= rules.order_types
    assert rules.price_filter is not None
    assert rules.lot_size is not None
    assert rules.min_notional is not None
    assert info.rate_limits
    marks = exchange.mark_prices()
    lasts = exchange.last_prices()
    assert marks[SYMBOL] > 0
    assert lasts[SYMBOL] > 0
    assert {SYMBOL, OTHER_SYMBOL} <= set(marks) & set(lasts)
    assert exchange.rate_usage().used_weight


def test_fapi_account_reads(exchange: UsdmClient) -> None:
    positions = exchange.positions()
    assert isinstance(positions, tuple)
    assert all(p.symbol and isinstance(p.amount, Decimal) for p in positions)
    hedge = exchange.hedge_mode()
    sides = {PositionSide.LONG, PositionSide.SHORT} if hedge else {PositionSide.BOTH}
    assert {p.position_side for p in positions} <= sides
    balances = exchange.balances()
    assert "USDT" in balances
    assert all(b.free >= 0 and b.locked >= 0 for b in balances.values())
    every = exchange.open_algo_orders()
    assert all(order.status is AlgoStatus.NEW for order in every)
    assert open_ids(exchange.open_algo_orders(SYMBOL)) <= open_ids(every)


def test_fapi_algo_lifecycle(exchange: UsdmClient) -> None:
    info = exchange.exchange_info()
    position_side = PositionSide.LONG if exchange.hedge_mode() else PositionSide.BOTH
    mark = exchange.mark_prices()[SYMBOL]
    stop, take_profit = closing_legs(info, mark, position_side)
    assert stop.trigger_price < mark < take_profit.trigger_price

    placed_stop = exchange.place_algo(stop)
    placed_tp = exchange.place_algo(take_profit)
    for placed, request in ((placed_stop, stop), (placed_tp, take_profit)):
        assert placed.client_algo_id == request.client_algo_id
        assert placed.symbol == SYMBOL
        assert placed.status is AlgoStatus.NEW
        assert placed.order_type == request.type.value
        assert placed.trigger_price == request.trigger_price
        assert placed.close_position
        assert placed.working_type is WorkingType.MARK_PRICE
        assert placed.position_side is position_side

    found = exchange.algo_order(STOP_ID)
    assert found is not None
    assert found.algo_id == placed_stop.algo_id
    assert found.status is AlgoStatus.NEW
    assert found.side is Side.SELL

    with pytest.raises(DuplicateOrderError) as duplicate:
        exchange.place_algo(stop)
    assert duplicate.value.code == -4116

    listed = {o.client_algo_id: o for o in exchange.open_algo_orders(SYMBOL)}
    assert {STOP_ID, TAKE_PROFIT_ID} <= set(listed)
    assert listed[TAKE_PROFIT_ID].algo_id == placed_tp.algo_id

    for placed in (placed_stop, placed_tp):
        cancelled = exchange.cancel_algo(SYMBOL, placed.client_algo_id)
        assert cancelled is not None
        assert cancelled.algo_id == placed.algo_id
        assert cancelled.status is AlgoStatus.CANCELED
    assert exchange.cancel_algo(SYMBOL, STOP_ID) is None  # already gone
    assert exchange.algo_order(NEVER_PLACED) is None
    assert not {STOP_ID, TAKE_PROFIT_ID} & open_ids(exchange.open_algo_orders(SYMBOL))
