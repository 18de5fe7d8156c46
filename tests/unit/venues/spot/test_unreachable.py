"""An exchange that cannot be reached: a connect timeout of a few seconds, the host (never the
URL) in the error, and every retry reported on stderr as it happens (through the logging handler
the command line installs: commands/app.py)."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import pytest

from oco_reconcile.commands.app import report_retries_on_stderr
from oco_reconcile.errors import TransientError
from oco_reconcile.venues.credentials import Credentials
from oco_reconcile.venues.retry import RetryPolicy
from oco_reconcile.venues.spot.client import BinanceClient
from tests.support.fake_time import FakeTime

POLICY = RetryPolicy(max_attempts=3, base_delay=0.5, jitter=0.0)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on: bound, then closed."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def stderr_reporting() -> Iterator[None]:
    logger = logging.getLogger("oco_reconcile")
    before = list(logger.handlers)
    report_retries_on_stderr()
    yield
    logger.handlers[:] = before


def client_for(port: int, time: FakeTime) -> BinanceClient:
    return BinanceClient(
        f"http://127.0.0.1:{port}", None, clock=time.clock, sleep=time.sleep, retry=POLICY
    )


def test_the_connect_timeout_is_a_few_seconds() -> None:
    with BinanceClient("https://api.binance.com", None) as client:
        connect = client.timeout.connect
    assert connect is not None
    assert 0 < connect <= 5


def test_an_unreachable_exchange_names_the_host_not_the_url(closed_port: int) -> None:
    time = FakeTime()
    with client_for(closed_port, time) as client, pytest.raises(TransientError) as caught:
        client.prices(["BTCUSDT"])
    message = str(caught.value)
    assert f"127.0.0.1:{closed_port}" in message
    assert "http://" not in message
    assert "symbol=" not in message
    assert time.slept == [0.5, 1.0]  # retried with backoff, never for real


def test_each_retry_is_reported_on_stderr_as_it_happens(
    closed_port: int, stderr_reporting: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with client_for(closed_port, FakeTime()) as client, pytest.raises(TransientError):
        client.prices(["BTCUSDT"])
    lines = capsys.readouterr().err.splitlines()
    host = f"127.0.0.1:{closed_port}"
    assert lines == [
        f"retrying GET /api/v3/ticker/price on {host} after could not connect to {host}"
        f" (ConnectError) (attempt 1 of 3, waiting 0.5s)",
        f"retrying GET /api/v3/ticker/price on {host} after could not connect to {host}"
        f" (ConnectError) (attempt 2 of 3, waiting 1.0s)",
    ]


def test_a_signed_read_is_not_retried_inside_its_own_retries(closed_port: int) -> None:
    """The first signed read syncs the clock; when that fails, the read's own retries cover it
    (not a full retry cycle of the sync inside each attempt: minutes of silence before)."""
    time = FakeTime()
    credentials = Credentials.hmac("k" * 64, "s" * 64)
    with (
        BinanceClient(
            f"http://127.0.0.1:{closed_port}",
            credentials,
            clock=time.clock,
            sleep=time.sleep,
            retry=POLICY,
        ) as client,
        pytest.raises(TransientError, match=f"127.0.0.1:{closed_port}"),
    ):
        client.balances()
    assert time.slept == [0.5, 1.0]
