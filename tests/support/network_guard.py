"""The mechanics of the no-network guard: which socket calls are patched and what they allow.

Only loopback hosts (as :func:`oco_reconcile.venues.urls.is_loopback_host` defines them) and
AF_UNIX sockets may be reached. Anything else raises :class:`NetworkBlockedError`, deliberately not
an ``OSError``, so retry code cannot swallow it as a transient failure. ``tests/conftest.py``
installs the guard for every test; re-recording cassettes against the real testnet lifts it.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest

from oco_reconcile.venues.urls import is_loopback_host

# Captured when this module is first imported (at collection, before any test patches them).
_REAL_FUNCTIONS: tuple[tuple[object, str, Any], ...] = (
    (socket.socket, "connect", socket.socket.connect),
    (socket.socket, "connect_ex", socket.socket.connect_ex),
    (socket, "create_connection", socket.create_connection),
    (socket, "getaddrinfo", socket.getaddrinfo),
)


class NetworkBlockedError(RuntimeError):
    """A test tried to reach a host that is not loopback."""


def allowed_host(host: object) -> bool:
    """Whether a socket call may reach ``host``: a loopback name or address, or None (which
    ``getaddrinfo`` resolves locally). Socket calls pass ``bytes`` and ``str`` alike."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    return isinstance(host, str) and is_loopback_host(host)


def check_address(family: int, address: object) -> None:
    if hasattr(socket, "AF_UNIX") and family == socket.AF_UNIX:
        return
    host = address[0] if isinstance(address, tuple) and address else address
    if not allowed_host(host):
        raise NetworkBlockedError(
            f"tests must not reach the network (tried to connect to {address!r}); "
            "use an in-process transport or a server on 127.0.0.1"
        )


def _guarded_method(original: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(self: socket.socket, address: Any, *args: Any, **kwargs: Any) -> Any:
        check_address(self.family, address)
        return original(self, address, *args, **kwargs)

    return guarded


def _guarded_function(original: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(address: Any, *args: Any, **kwargs: Any) -> Any:
        check_address(socket.AF_INET, address)
        return original(address, *args, **kwargs)

    return guarded


def _guarded_getaddrinfo(original: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        check_address(socket.AF_INET, (host,))
        return original(host, *args, **kwargs)

    return guarded


def block_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Patch ``socket`` (undone with ``monkeypatch``) so only loopback and AF_UNIX work."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_method(socket.socket.connect))
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_method(socket.socket.connect_ex))
    monkeypatch.setattr(socket, "create_connection", _guarded_function(socket.create_connection))
    monkeypatch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo(socket.getaddrinfo))


def allow_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Put the real socket functions back for one test (re-recording against the testnet)."""
    for owner, name, real in _REAL_FUNCTIONS:
        monkeypatch.setattr(owner, name, real)
