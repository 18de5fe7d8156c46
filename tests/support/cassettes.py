"""The contract cassettes (``tests/cassettes/``): the vcrpy set-up and the re-recording switches.

Cassettes replay by method, path and query with the signature, timestamp and API key filtered
out, so they match whatever host recorded them and never contain a secret
(docs/recording-cassettes.md). ``--record-testnet`` and ``--record-sim`` are registered by
``tests/conftest.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import vcr

from oco_reconcile.core.settings import CredentialNames
from oco_reconcile.venues.credentials import Credentials, credentials_from_env
from tests.support.fake_binance import FAKE_API_KEY, FAKE_SECRET
from tests.support.paths import CASSETTES_DIR

RECORD_TESTNET = "--record-testnet"
RECORD_SIM = "--record-sim"

_KEPT_RESPONSE_HEADERS = ("content-type", "retry-after")


def record_flag(config: pytest.Config, name: str) -> bool:
    try:
        return bool(config.getoption(name))
    except ValueError:  # not registered (e.g. a foreign conftest layout): not recording
        return False


def recording_testnet(request: pytest.FixtureRequest) -> bool:
    """True only for a test marked ``testnet`` while ``--record-testnet`` is given."""
    marked = request.node.get_closest_marker("testnet") is not None
    return marked and record_flag(request.config, RECORD_TESTNET)


@dataclass(frozen=True)
class Target:
    """Where a contract test's client goes: the host, its keys, and the vcrpy record mode."""

    base_url: str
    credentials: Credentials
    record_mode: str


@contextmanager
def sim_http_server() -> Iterator[str]:
    """A fresh simulator (in memory, seeded) served over HTTP on 127.0.0.1 (``/api`` and
    ``/fapi`` on the same port)."""
    from oco_reconcile.sim.exchange import open_sim
    from oco_reconcile.sim.wire.server import start_server, stop_server

    server, url = start_server(open_sim(None))
    try:
        yield url
    finally:
        stop_server(server)


@contextmanager
def contract_target(
    config: pytest.Config, cassette: Path, *, testnet_url: str, testnet_names: CredentialNames
) -> Iterator[Target]:
    """``--record-testnet``: ``testnet_url`` with the keys under ``testnet_names``;
    ``--record-sim``: a simulator on 127.0.0.1; else a replay of ``cassette`` (skipped while it
    is not recorded yet) with a fake key, since the key and signatures are filtered out."""
    if record_flag(config, RECORD_TESTNET):
        credentials = credentials_from_env(testnet_names, os.environ)
        yield Target(testnet_url, credentials, "all")
    elif record_flag(config, RECORD_SIM):
        from oco_reconcile.sim.wire.keys import SIM_API_KEY, SIM_API_SECRET

        with sim_http_server() as url:
            yield Target(url, Credentials.hmac(SIM_API_KEY, SIM_API_SECRET), "all")
    else:
        if not cassette.is_file():
            pytest.skip(
                f"cassette {cassette.name} not recorded yet (see docs/recording-cassettes.md)"
            )
        yield Target(testnet_url, Credentials.hmac(FAKE_API_KEY, FAKE_SECRET), "none")


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Keep only the headers the client reads; drop cookies, dates and anything else."""
    headers = response.get("headers", {})
    response["headers"] = {
        name: value
        for name, value in headers.items()
        if name.lower() in _KEPT_RESPONSE_HEADERS or name.lower().startswith("x-mbx-")
    }
    return response


def contract_vcr(record_mode: str) -> vcr.VCR:
    return vcr.VCR(
        cassette_library_dir=str(CASSETTES_DIR),
        record_mode=record_mode,
        match_on=("method", "path", "query"),
        filter_query_parameters=["signature", "timestamp"],
        filter_headers=["X-MBX-APIKEY", "Authorization", "Cookie"],
        before_record_response=_scrub_response,
        decode_compressed_response=True,
        serializer="yaml",
    )
