"""The autouse guard (tests/conftest.py, tests/support/network_guard.py): any non-loopback
connection fails loudly, loopback works."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from tests.support.network_guard import NetworkBlockedError, allowed_host
from tests.support.paths import REPO_ROOT

REMOTE = ("192.0.2.10", 443)  # TEST-NET-1: never routed, but the guard must fire before trying


def test_create_connection_to_a_remote_host_is_blocked() -> None:
    with pytest.raises(NetworkBlockedError, match=r"192\.0\.2\.10"):
        socket.create_connection(REMOTE, timeout=1)


def test_name_resolution_of_a_remote_host_is_blocked() -> None:
    with pytest.raises(NetworkBlockedError, match=r"api\.binance\.com"):
        socket.getaddrinfo("api.binance.com", 443)


@pytest.mark.parametrize("method", ["connect", "connect_ex"])
def test_raw_socket_connect_to_a_remote_host_is_blocked(method: str) -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(NetworkBlockedError),
    ):
        getattr(sock, method)(REMOTE)


def test_ipv6_remote_is_blocked() -> None:
    with pytest.raises(NetworkBlockedError):
        socket.create_connection(("2001:db8::1", 443), timeout=1)


def test_httpx_to_binance_is_blocked() -> None:
    import httpx

    with pytest.raises(NetworkBlockedError):
        httpx.get("https://api.binance.com/api/v3/time", timeout=1)


def _serve_once(server: socket.socket) -> None:
    conn, _ = server.accept()
    with conn:
        conn.sendall(b"ok")


def test_loopback_connections_still_work() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        worker = threading.Thread(target=_serve_once, args=(server,), daemon=True)
        worker.start()
        with socket.create_connection(server.getsockname(), timeout=5) as client:
            assert client.recv(2) == b"ok"
        worker.join(timeout=5)


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no UNIX sockets here")
def test_unix_sockets_are_allowed(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen(1)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            assert client.connect_ex(path) == 0


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LOCALHOST", True),
        (b"127.0.0.1", True),
        (None, True),
        ("10.0.0.1", False),
        ("api.binance.com", False),
        ("testnet.binance.vision", False),
        ("2001:db8::1", False),
        ("localhost.evil.com", False),
    ],
)
def test_loopback_classification(host: object, allowed: bool) -> None:
    assert allowed_host(host) is allowed


def test_fixtures_dir_is_inside_the_repository(fixtures_dir: Path) -> None:
    assert fixtures_dir.is_relative_to(REPO_ROOT)
    assert (fixtures_dir / "exchange_info_btcusdt.json").is_file()
    assert (fixtures_dir / "README.md").is_file()
