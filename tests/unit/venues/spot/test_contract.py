"""Contract tests: the client's real HTTP exchanges, replayed from cassettes in tests/cassettes/.

By default every test replays its cassette (``record_mode="none"``): no network, and a request the
cassette does not hold fails the test. The same tests re-record the cassettes:

* ``pytest tests/exchange -m testnet --record-sim``: against the simulator's HTTP server, started
  here on 127.0.0.1 (the cassettes in the repository were made this way);
* ``pytest tests/exchange -m testnet --record-testnet``: against the real Spot testnet, with keys
  from ``BINANCE_TESTNET_API_KEY`` + ``BINANCE_TESTNET_API_SECRET`` (or
  ``BINANCE_TESTNET_PRIVATE_KEY_FILE``), so the contract is checked against Binance itself.

See docs/recording-cassettes.md. The scenarios derive every price and quantity from the responses
they read, so a replay sends exactly the recorded requests whichever exchange recorded them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest

from oco_reconcile.core.decimals import ceil_to_step, floor_to_step
from oco_reconcile.core.model import (
    ExchangeInfo,
    Leg,
    LegRequest,
    LegType,
    OcoRequest,
    Side,
    TimeInForce,
)
from oco_reconcile.core.settings import CredentialNames
from oco_reconcile.errors import DuplicateOrderError
from oco_reconcile.venues.retry import RetryPolicy
from oco_reconcile.venues.spot.client import BinanceClient
from oco_reconcile.venues.urls import TESTNET_URL
from tests.support.cassettes import Target, contract_target, contract_vcr
from tests.support.paths import CASSETTES_DIR

pytestmark = pytest.mark.testnet

SYMBOL = "BTCUSDT"
OTHER_SYMBOL = "ETHUSDT"
LIST_ID = "contract-sell-a2b3c4"
TESTNET_NAMES = CredentialNames(
    api_key_env="BINANCE_TESTNET_API_KEY",
    api_secret_env="BINANCE_TESTNET_API_SECRET",
    private_key_file_env="BINANCE_TESTNET_PRIVATE_KEY_FILE",
    private_key_passphrase_env="BINANCE_TESTNET_PRIVATE_KEY_PASSPHRASE",
)


@contextmanager
def target_for(config: pytest.Config, cassette: Path) -> Iterator[Target]:
    with contract_target(
        config, cassette, testnet_url=TESTNET_URL, testnet_names=TESTNET_NAMES
    ) as target:
        yield target


@pytest.fixture
def exchange(request: pytest.FixtureRequest) -> Iterator[BinanceClient]:
    name = f"contract_{request.node.name.removeprefix('test_')}.yaml"
    with target_for(request.config, CASSETTES_DIR / name) as target:
        recorder = contract_vcr(target.record_mode)
        # One attempt: a retry would add interactions that a replay could not reproduce.
        client = BinanceClient(
            target.base_url, target.credentials, retry=RetryPolicy(max_attempts=1)
        )
        with recorder.use_cassette(name) as cassette, client:
            yield client
            if target.record_mode == "none":
                assert cassette.all_played, "the client skipped recorded requests"


def sell_bracket(info: ExchangeInfo, last: Decimal) -> OcoRequest:
    """A small SELL bracket around ``last`` that passes the symbol's filters."""
    rules = info.symbols[SYMBOL]
    assert rules.price_filter is not None
    assert rules.lot_size is not None
    tick, step = rules.price_filter.tick_size, rules.lot_size.step_size
    take_profit = floor_to_step(last * Decimal("1.05"), tick)
    stop = floor_to_step(last * Decimal("0.95"), tick)
    stop_limit = floor_to_step(last * Decimal("0.945"), tick)
    min_notional = rules.notional.min_notional if rules.notional else Decimal(10)
    quantity = max(ceil_to_step(min_notional * 2 / stop_limit, step), rules.lot_size.min_qty)
    return OcoRequest(
        symbol=SYMBOL,
        side=Side.SELL,
        quantity=quantity,
        list_client_order_id=LIST_ID,
        above=LegRequest(Leg(LegType.LIMIT_MAKER, price=take_profit), f"{LIST_ID}-tp"),
        below=LegRequest(
            Leg(
                LegType.STOP_LOSS_LIMIT,
                price=stop_limit,
                stop_price=stop,
                time_in_force=TimeInForce.GTC,
            ),
            f"{LIST_ID}-sl",
        ),
    )


def test_market_data(exchange: BinanceClient) -> None:
    assert exchange.server_time() > 1_483_228_800_000
    info = exchange.exchange_info([SYMBOL, OTHER_SYMBOL])
    assert set(info.symbols) == {SYMBOL, OTHER_SYMBOL}
    rules = info.symbols[SYMBOL]
    assert rules.oco_allowed
    assert rules.price_filter is not None
    assert rules.lot_size is not None
    assert info.rate_limits
    one = exchange.prices([SYMBOL])
    both = exchange.prices([SYMBOL, OTHER_SYMBOL])
    assert one[SYMBOL] > 0
    assert set(both) == {SYMBOL, OTHER_SYMBOL}
    assert exchange.rate_usage().used_weight


def test_account_reads(exchange: BinanceClient) -> None:
    balances = exchange.balances()
    assert "BTC" in balances
    assert all(b.free >= 0 and b.locked >= 0 for b in balances.values())
    assert isinstance(exchange.open_order_lists(), tuple)
    assert all(order.symbol == SYMBOL for order in exchange.open_orders(SYMBOL))
    assert exchange.order_list("contract-never-placed-zzzzzz") is None


def test_oco_lifecycle(exchange: BinanceClient) -> None:
    info = exchange.exchange_info([SYMBOL])
    request = sell_bracket(info, exchange.prices([SYMBOL])[SYMBOL])

    placed = exchange.place_oco(request)
    assert placed.list_client_order_id == LIST_ID
    assert placed.is_open
    assert {r.client_order_id for r in placed.reports} == {f"{LIST_ID}-tp", f"{LIST_ID}-sl"}
    assert {r.type for r in placed.reports} == {"LIMIT_MAKER", "STOP_LOSS_LIMIT"}

    with pytest.raises(DuplicateOrderError):
        exchange.place_oco(request)

    assert LIST_ID in {item.list_client_order_id for item in exchange.open_order_lists()}
    legs = [o for o in exchange.open_orders(SYMBOL) if o.order_list_id == placed.order_list_id]
    assert {leg.client_order_id for leg in legs} == {f"{LIST_ID}-tp", f"{LIST_ID}-sl"}
    stop_leg = next(leg for leg in legs if leg.type == "STOP_LOSS_LIMIT")
    assert stop_leg.stop_price == request.below.leg.stop_price
    looked_up = exchange.order(SYMBOL, stop_leg.order_id)
    assert looked_up is not None
    assert looked_up.client_order_id == f"{LIST_ID}-sl"

    found = exchange.order_list(LIST_ID)
    assert found is not None
    assert found.order_list_id == placed.order_list_id

    cancelled = exchange.cancel_order_list(SYMBOL, LIST_ID, f"{LIST_ID}-cx")
    assert cancelled is not None
    assert not cancelled.is_open
    assert {r.orig_client_order_id for r in cancelled.reports} == {f"{LIST_ID}-tp", f"{LIST_ID}-sl"}
    assert exchange.cancel_order_list(SYMBOL, LIST_ID) is None  # already gone
    assert LIST_ID not in {item.list_client_order_id for item in exchange.open_order_lists()}
