"""Fixtures for the Binance client tests (the helpers live in tests/support).

* The network guard of ``tests/conftest.py`` applies to every test here; tests marked ``testnet``
  are exempt only while re-recording the cassettes with ``--record-testnet``.
* ``fake_binance``: a fresh :class:`tests.support.fake_binance.FakeBinance`.
* ``fixture_json``: loads a file of ``tests/fixtures/binance/``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.cassettes import recording_testnet
from tests.support.fake_binance import FakeBinance
from tests.support.network_guard import allow_network
from tests.support.paths import FIXTURES_DIR


@pytest.fixture(autouse=True)
def _network_only_when_recording_testnet(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, _no_network: None
) -> None:
    if recording_testnet(request):
        allow_network(monkeypatch)


@pytest.fixture(scope="session")
def fixture_json() -> Callable[[str], Any]:
    """Load ``tests/fixtures/binance/<name>`` (exact payloads from the Binance docs)."""

    def load(name: str) -> Any:
        path = FIXTURES_DIR / name
        if not path.is_file():
            raise FileNotFoundError(f"Binance fixture missing: {path}")
        return json.loads(path.read_text(encoding="utf-8"))

    return load


@pytest.fixture
def fake_binance() -> FakeBinance:
    return FakeBinance()
