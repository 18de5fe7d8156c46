"""The futures contract cassettes (``tests/cassettes/contract_fapi_*.yaml``): recorded, free of
secrets, and replayed strictly offline (the machinery is Spot's: ../spot/test_cassettes.py)."""

from __future__ import annotations

import pytest
from vcr.errors import CannotOverwriteExistingCassetteException

from oco_reconcile.venues.credentials import Credentials
from oco_reconcile.venues.retry import RetryPolicy
from oco_reconcile.venues.urls import FUTURES_DEMO_URL
from oco_reconcile.venues.usdm.client import UsdmClient
from tests.support.cassettes import contract_vcr
from tests.support.paths import CASSETTES_DIR
from tests.unit.venues.spot.test_cassettes import known_secrets, leaks

FAPI_CASSETTES = (
    "contract_fapi_market_data.yaml",
    "contract_fapi_account_reads.yaml",
    "contract_fapi_algo_lifecycle.yaml",
)


@pytest.mark.parametrize("name", FAPI_CASSETTES)
def test_a_fapi_cassette_is_recorded_and_holds_no_secret(name: str) -> None:
    text = (CASSETTES_DIR / name).read_text(encoding="utf-8")
    assert "/fapi/" in text
    assert "/api/v3/" not in text
    assert leaks(text, known_secrets()) == []


def test_a_fapi_replay_refuses_a_request_that_was_not_recorded() -> None:
    """The market-data cassette holds no signed read: asking for positions must fail in vcr,
    not reach the network (the autouse guard would raise something else)."""
    replayer = contract_vcr("none")
    client = UsdmClient(
        FUTURES_DEMO_URL,
        Credentials.hmac("any-key", "any-secret"),
        retry=RetryPolicy(max_attempts=1),
    )
    with (
        replayer.use_cassette(FAPI_CASSETTES[0]),
        client,
        pytest.raises(CannotOverwriteExistingCassetteException),
    ):
        client.open_algo_orders()
