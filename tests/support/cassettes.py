"""The contract cassettes (``tests/cassettes/``): the vcrpy set-up and the re-recording switches.

Cassettes replay by method, path and query with the signature, timestamp and API key filtered
out, so they match whatever host recorded them and never contain a secret
(docs/recording-cassettes.md). ``--record-testnet`` and ``--record-sim`` are registered by
``tests/conftest.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
import vcr

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
