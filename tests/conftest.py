"""Shared test set-up: no test may reach the network, and the Binance fixtures are one fixture away.

The guard is autouse: every test runs with ``socket`` patched so that only loopback (127.0.0.0/8,
::1, ``localhost``) and AF_UNIX connections work. Anything else raises :class:`NetworkBlockedError`
(deliberately not an ``OSError``, so retry code cannot swallow it as a transient failure).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import FIXTURES_DIR


class NetworkBlockedError(RuntimeError):
    """A test tried to reach a host that is not loopback."""


def is_loopback_host(host: object) -> bool:
    """True for 127.0.0.0/8, ::1, ``localhost`` (and None, which getaddrinfo treats as local)."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").split("%", 1)[0].rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _check_address(family: int, address: object) -> None:
    if hasattr(socket, "AF_UNIX") and family == socket.AF_UNIX:
        return
    host = address[0] if isinstance(address, tuple) and address else address
    if not is_loopback_host(host):
        raise NetworkBlockedError(
            f"tests must not reach the network (tried to connect to {address!r}); "
            "use an in-process transport or a server on 127.0.0.1"
        )


def _guarded_method(original: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(self: socket.socket, address: Any, *args: Any, **kwargs: Any) -> Any:
        _check_address(self.family, address)
        return original(self, address, *args, **kwargs)

    return guarded


def _guarded_create_connection(original: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(address: Any, *args: Any, **kwargs: Any) -> Any:
        _check_address(socket.AF_INET, address)
        return original(address, *args, **kwargs)

    return guarded


def _guarded_getaddrinfo(original: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        _check_address(socket.AF_INET, (host,))
        return original(host, *args, **kwargs)

    return guarded


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly when a test opens a connection to anything but loopback or a UNIX socket."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_method(socket.socket.connect))
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_method(socket.socket.connect_ex))
    monkeypatch.setattr(
        socket, "create_connection", _guarded_create_connection(socket.create_connection)
    )
    monkeypatch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo(socket.getaddrinfo))


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
        help="re-record the contract cassettes against the real Spot testnet "
        "(needs BINANCE_TESTNET_API_KEY and a secret or key file; see docs/recording-cassettes.md)",
    )
    group.addoption(
        "--record-sim",
        action="store_true",
        default=False,
        help="re-record the contract cassettes against the simulator's HTTP server on 127.0.0.1",
    )
