"""Shared test set-up: no test may reach the network, and the Binance fixtures are one fixture away.

The guard is autouse: every test runs with ``socket`` patched so that only loopback and AF_UNIX
connections work (tests/support/network_guard.py holds the mechanics).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.network_guard import block_network
from tests.support.paths import FIXTURES_DIR, REPO_ROOT


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly when a test opens a connection to anything but loopback or a UNIX socket."""
    block_network(monkeypatch)


@pytest.fixture
def example_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This repository's own example (settings + brackets/btc.yaml, eth.yaml) copied into a temp
    directory, which becomes the working directory; no credential variables set."""
    shutil.copy(REPO_ROOT / "oco-reconcile.yaml", tmp_path / "oco-reconcile.yaml")
    shutil.copytree(REPO_ROOT / "brackets", tmp_path / "brackets")
    monkeypatch.chdir(tmp_path)
    for name in ("BINANCE_API_KEY", "BINANCE_API_SECRET", "BINANCE_PRIVATE_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def fixtures_dir() -> Path:
    """``tests/fixtures/binance`` (real Binance payloads; see its README)."""
    return FIXTURES_DIR


def pytest_addoption(parser: pytest.Parser) -> None:
    """Opt-in switches for re-recording the contract cassettes (docs/recording-cassettes.md)."""
    group = parser.getgroup("oco-reconcile cassettes")
    group.addoption(
        "--record-testnet",
        action="store_true",
        default=False,
        help="re-record the contract cassettes against the real Spot testnet and the futures demo "
        "(needs BINANCE_TESTNET_API_KEY / BINANCE_FUTURES_TESTNET_API_KEY and a secret or key "
        "file; see docs/recording-cassettes.md)",
    )
    group.addoption(
        "--record-sim",
        action="store_true",
        default=False,
        help="re-record the contract cassettes against the simulator's HTTP server on 127.0.0.1",
    )
