"""The cassette machinery itself: vcrpy intercepts this client's httpx traffic, filters the
signature, timestamp and API key out, replays offline, and no cassette holds a secret.

The contract cassettes in ``tests/cassettes/`` are exercised by ``test_contract.py``; how to
re-record them is in ``docs/recording-cassettes.md``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest
from vcr.errors import CannotOverwriteExistingCassetteException

from oco_reconcile.venues.credentials import Credentials
from oco_reconcile.venues.retry import RetryPolicy
from oco_reconcile.venues.spot.client import BinanceClient
from oco_reconcile.venues.urls import TESTNET_URL
from tests.support.cassettes import contract_vcr
from tests.support.fake_binance import FAKE_API_KEY, FAKE_SECRET, FakeBinance
from tests.support.paths import CASSETTES_DIR

HEX_SIGNATURE = re.compile(r"\b[0-9a-f]{64}\b")
BASE64_SIGNATURE = re.compile(r"[A-Za-z0-9+/]{86}==|[A-Za-z0-9%]{100,}%3D%3D")
SECRET_ENV = (
    "BINANCE_TESTNET_API_KEY",
    "BINANCE_TESTNET_API_SECRET",
    "BINANCE_FUTURES_TESTNET_API_KEY",
    "BINANCE_FUTURES_TESTNET_API_SECRET",
    "BINANCE_API_KEY",
    "BINANCE_API_SECRET",
)


def known_secrets() -> list[str]:
    values = [FAKE_API_KEY, FAKE_SECRET]
    try:
        from oco_reconcile.sim.wire.keys import SIM_API_KEY, SIM_API_SECRET
    except ImportError:  # pragma: no cover - the simulator ships these constants
        pass
    else:
        values += [SIM_API_KEY, SIM_API_SECRET]
    values += [os.environ[name] for name in SECRET_ENV if os.environ.get(name)]
    return values


def leaks(text: str, secrets: list[str]) -> list[str]:
    """Everything in a cassette's text that looks like a secret or a signature."""
    found = [f"secret value #{i}" for i, secret in enumerate(secrets) if secret in text]
    lowered = text.lower()
    for marker in ("signature=", "x-mbx-apikey", "private key", "timestamp="):
        if marker in lowered:
            found.append(marker)
    found += [f"hex signature {m[:8]}..." for m in HEX_SIGNATURE.findall(text)]
    found += [f"base64 signature {m[:8]}..." for m in BASE64_SIGNATURE.findall(text)]
    return found


def cassette_files() -> list[Path]:
    return sorted(CASSETTES_DIR.glob("*.yaml"))


def test_no_cassette_contains_a_secret() -> None:
    files = cassette_files()
    if not files:
        pytest.skip(f"no cassettes recorded yet in {CASSETTES_DIR}")
    secrets = known_secrets()
    problems = {f.name: leaks(f.read_text(encoding="utf-8"), secrets) for f in files}
    assert {name: found for name, found in problems.items() if found} == {}


def test_the_leak_detector_finds_what_it_looks_for() -> None:
    signature = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    assert leaks(f"uri: https://x/api?symbol=A&signature={signature}", []) != []
    assert leaks("headers:\n  X-MBX-APIKEY:\n  - abc", []) == ["x-mbx-apikey"]
    assert leaks(f"body: {signature}", []) == ["hex signature c8db5682..."]
    assert leaks(f"body: {FAKE_SECRET}", [FAKE_SECRET]) == ["secret value #0"]
    assert leaks("uri: https://x/api/v3/openOrders?recvWindow=5000&symbol=BTCUSDT", []) == []


def recording_client(fake: FakeBinance) -> BinanceClient:
    return BinanceClient(
        TESTNET_URL,
        Credentials.hmac(FAKE_API_KEY, FAKE_SECRET),
        transport=httpx.MockTransport(fake.handle),
        clock=fake.time.clock,
        sleep=fake.time.sleep,
    )


def test_vcr_records_filtered_and_replays_offline(
    tmp_path: Path, fake_binance: FakeBinance
) -> None:
    recorder = contract_vcr("all")
    recorder.cassette_library_dir = str(tmp_path)
    fake_binance.reply(
        "GET", "/api/v3/openOrders", [], headers={"x-mbx-used-weight-1m": "6", "Set-Cookie": "a=b"}
    )
    with recorder.use_cassette("roundtrip.yaml"), recording_client(fake_binance) as client:
        assert client.open_orders("BTCUSDT") == ()
    text = (tmp_path / "roundtrip.yaml").read_text(encoding="utf-8")
    assert leaks(text, known_secrets()) == []
    assert "recvWindow=5000" in text
    assert "x-mbx-used-weight-1m" in text
    assert "Set-Cookie" not in text

    # Replay through the default transport: nothing may reach the network, vcr must answer.
    replayer = contract_vcr("none")
    replayer.cassette_library_dir = str(tmp_path)
    offline = BinanceClient(TESTNET_URL, Credentials.hmac("other-key", "other-secret"))
    with replayer.use_cassette("roundtrip.yaml") as cassette, offline:
        assert offline.open_orders("BTCUSDT") == ()
        assert offline.rate_usage().used_weight == {"1m": 6}
        assert cassette.all_played


def test_replay_refuses_a_request_that_was_not_recorded(tmp_path: Path) -> None:
    replayer = contract_vcr("none")
    replayer.cassette_library_dir = str(tmp_path)
    (tmp_path / "empty.yaml").write_text("interactions: []\nversion: 1\n", encoding="utf-8")
    client = BinanceClient(TESTNET_URL, None, retry=RetryPolicy(max_attempts=1))
    with (
        replayer.use_cassette("empty.yaml"),
        client,
        pytest.raises(CannotOverwriteExistingCassetteException),
    ):
        client.prices(["BTCUSDT"])


def test_a_real_request_fails_loudly_instead_of_looking_transient() -> None:
    """The guard's error is no OSError, so the client cannot mistake it for a network hiccup and
    retry it away: it escapes as is (tests/conftest.py installs the guard)."""
    client = BinanceClient(TESTNET_URL, None, retry=RetryPolicy(max_attempts=3))
    with client, pytest.raises(RuntimeError, match="must not reach the network"):
        client.server_time()
