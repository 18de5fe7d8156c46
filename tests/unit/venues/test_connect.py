"""Settings -> exchange: which exchange, which credentials, where the simulator keeps its state."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from oco_reconcile.core.settings import CredentialNames, Settings
from oco_reconcile.errors import UsageError
from oco_reconcile.sim.wire.keys import SIM_API_KEY
from oco_reconcile.venues.connect import open_exchange, sim_state_path


def recording_transport(seen: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/api/v3/time":
            return httpx.Response(200, json={"serverTime": 1_700_000_000_000})
        return httpx.Response(200, json=[])

    return httpx.MockTransport(handler)


def test_sim_state_lives_next_to_the_settings_file(tmp_path: Path) -> None:
    settings = Settings(source=tmp_path / "accounts" / "main" / "oco-reconcile.yaml")
    assert sim_state_path(settings) == tmp_path / "accounts" / "main" / ".oco-reconcile/sim.json"
    assert sim_state_path(Settings()) == Path(".oco-reconcile/sim.json")


def test_default_sim_runs_the_real_client_against_a_persisted_simulator(tmp_path: Path) -> None:
    settings = Settings(exchange="sim", source=tmp_path / "oco-reconcile.yaml")
    with open_exchange(settings, environ={}) as exchange:
        assert exchange.open_order_lists() == ()
        balances = exchange.balances()
    assert balances["USDT"].free > 0
    state = tmp_path / ".oco-reconcile" / "sim.json"
    assert json.loads(state.read_text(encoding="utf-8"))  # created and seeded on first use


def test_production_without_credentials_names_the_variable_not_a_value() -> None:
    settings = Settings(exchange="production", confirm_production=True)
    with pytest.raises(UsageError, match="BINANCE_API_KEY"), open_exchange(settings, environ={}):
        pass


def test_loopback_without_credentials_uses_the_simulator_keys() -> None:
    seen: list[httpx.Request] = []
    settings = Settings(exchange="production", confirm_production=True)
    with open_exchange(
        settings, base_url="http://127.0.0.1:8765", transport=recording_transport(seen), environ={}
    ) as exchange:
        exchange.open_order_lists()
    assert seen
    assert seen[-1].url.host == "127.0.0.1"
    assert seen[-1].headers["X-MBX-APIKEY"] == SIM_API_KEY


def test_credentials_come_from_the_variables_the_settings_name() -> None:
    seen: list[httpx.Request] = []
    settings = Settings(
        exchange="http://127.0.0.1:9000",
        credentials=CredentialNames(api_key_env="DESK_KEY", api_secret_env="DESK_SECRET"),
    )
    environ = {"DESK_KEY": "desk-api-key", "DESK_SECRET": "desk-secret-value"}
    with open_exchange(settings, transport=recording_transport(seen), environ=environ) as exchange:
        exchange.open_order_lists()
        assert "desk-secret-value" not in repr(exchange)
    assert seen[-1].headers["X-MBX-APIKEY"] == "desk-api-key"
    assert "desk-secret-value" not in str(seen[-1].url)


def test_plain_http_to_a_remote_host_is_refused() -> None:
    settings = Settings(exchange="http://example.com")
    with pytest.raises(UsageError), open_exchange(settings, environ={}):
        pass
