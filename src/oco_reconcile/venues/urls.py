"""Base URLs: the one place that knows the exchange hosts, loopback, and which hosts are production.

Named exchanges map to the base URLs of rest-api.md "General API Information" (the Spot testnet
and demo mode are documented in the testnet and demo sections of the same docs). A custom base URL
must be ``https://``; plain ``http://`` is allowed only to a loopback host (a local ``sim serve``).
USDⓈ-M futures has its own named hosts (``fapi``, ``demo-fapi``); a custom base URL serves both
venues. Production is decided by *host*, not by the spelling of the URL: every ``*.binance.com``
host (``api``, ``api1``-``api4``, ``api-gcp``, ``fapi`` ...) in any letter case and with any port
is production, except the documented demo hosts. Messages never echo a URL (it may carry a secret).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import SplitResult, urlsplit

from oco_reconcile.errors import UsageError

PRODUCTION_URL = "https://api.binance.com"
TESTNET_URL = "https://testnet.binance.vision"
DEMO_URL = "https://demo-api.binance.com"
# Only ever reached through the in-process simulator transport; never resolved on a network.
SIM_URL = "http://sim.local"

NAMED_BASE_URLS: Mapping[str, str] = MappingProxyType(
    {"production": PRODUCTION_URL, "testnet": TESTNET_URL, "demo": DEMO_URL, "sim": SIM_URL}
)

# USDⓈ-M futures (binance-api.md §9, §10): its own hosts; the futures testnet is demo trading.
FUTURES_PRODUCTION_URL = "https://fapi.binance.com"
FUTURES_DEMO_URL = "https://demo-fapi.binance.com"
NAMED_FUTURES_URLS: Mapping[str, str] = MappingProxyType(
    {
        "production": FUTURES_PRODUCTION_URL,
        "testnet": FUTURES_DEMO_URL,
        "demo": FUTURES_DEMO_URL,
        "sim": SIM_URL,
    }
)

# The user data streams (binance-api.md §11): Spot only over the WebSocket API since 2026-02-20
# (web-socket-api.md "General API Information"; testnet and demo in their sections), futures on
# the listenKey stream host (the futures "Websocket Market Streams" / "User Data Streams" pages).
# A loopback ``sim serve`` serves both on its HTTP port + 1 (docs/simulator.md "User data
# streams").
SPOT_STREAM_PATH = "/ws-api/v3"
NAMED_STREAM_URLS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "production": ("wss://ws-api.binance.com:443/ws-api/v3", "wss://fstream.binance.com"),
        "testnet": (
            "wss://ws-api.testnet.binance.vision/ws-api/v3",
            "wss://fstream.binancefuture.com",
        ),
        "demo": ("wss://demo-ws-api.binance.com/ws-api/v3", "wss://fstream.binancefuture.com"),
    }
)

_PRODUCTION_DOMAIN = "binance.com"
_DEMO_HOSTS = frozenset({"demo-api.binance.com", "demo-fapi.binance.com", "demo-dapi.binance.com"})
_LOOPBACK_NAMES = frozenset({"localhost"})


def normalized_host(host: str | None) -> str:
    """``host`` lower-cased, without IPv6 brackets, a zone id or a trailing dot."""
    if not host:
        return ""
    return host.strip().strip("[]").split("%", 1)[0].rstrip(".").lower()


def is_loopback_host(host: str | None) -> bool:
    """127.0.0.0/8, ::1 and ``localhost`` (any case, trailing dot allowed)."""
    name = normalized_host(host)
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_production_host(host: str | None) -> bool:
    """True for every Binance production host: ``binance.com`` and its subdomains but demo."""
    name = normalized_host(host)
    if name in _DEMO_HOSTS:
        return False
    return name == _PRODUCTION_DOMAIN or name.endswith("." + _PRODUCTION_DOMAIN)


def is_production_url(url: str) -> bool:
    """Whether ``url`` (a base URL or a named exchange) reaches real money."""
    named = NAMED_BASE_URLS.get(url.strip().lower())
    if named is not None:
        return named == PRODUCTION_URL
    try:
        return is_production_host(urlsplit(url.strip()).hostname)
    except ValueError:
        return False


def uses_tls(base_url: str) -> bool:
    """Whether a client of ``base_url`` needs a verifying TLS context: a plain-http base URL
    (allowed only to loopback, see :func:`base_url_problem`) never uses one."""
    return urlsplit(base_url).scheme != "http"


def base_url_problem(url: str, *, allow_plain_http: bool = False) -> str | None:
    """Why ``url`` cannot be an exchange base URL, or None (the URL itself is never echoed).

    ``allow_plain_http`` accepts ``http://`` to any host: only for an in-process transport (the
    simulator's), where no request leaves the process.
    """
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return "is not a valid URL"
    return _parts_problem(parts, allow_plain_http=allow_plain_http)


def _parts_problem(parts: SplitResult, *, allow_plain_http: bool) -> str | None:
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http(s):// URL with a host"
    if parts.username or parts.password:
        return "must not contain a user name or password (credentials come from the environment)"
    if parts.query or parts.fragment:
        return "must be a base URL without a query or fragment"
    if parts.scheme == "http" and not (allow_plain_http or is_loopback_host(parts.hostname)):
        return "plain http:// is only allowed to a loopback host; use https://"
    return None


def client_base_url(base_url: str, *, has_transport: bool) -> str:
    """``base_url`` normalised for the client, or :class:`UsageError`. A plain-http URL is refused
    unless it stays on this machine (loopback, or an in-process transport such as the
    simulator's), so credentials never cross a network unencrypted."""
    problem = base_url_problem(base_url, allow_plain_http=has_transport)
    if problem is not None:
        raise UsageError(f"refused exchange base URL: it {problem}")
    return base_url.strip().rstrip("/")


def resolve_base_url(exchange: str) -> str:
    """The base URL for a named exchange, or ``exchange`` itself when it is a valid base URL."""
    named = NAMED_BASE_URLS.get(exchange.strip().lower())
    if named is not None:
        return named
    problem = base_url_problem(exchange)
    if problem is not None:
        names = ", ".join(NAMED_BASE_URLS)
        raise UsageError(f"exchange must be one of {names} or a base URL: it {problem}")
    return exchange.strip().rstrip("/")


def resolve_futures_base_url(exchange: str) -> str:
    """The ``/fapi`` base URL for a named exchange; a custom base URL (a loopback ``sim serve``,
    or any other) is used as it is, since one server answers both ``/api`` and ``/fapi``."""
    named = NAMED_FUTURES_URLS.get(exchange.strip().lower())
    if named is not None:
        return named
    return resolve_base_url(exchange)


@dataclass(frozen=True)
class StreamUrls:
    """Where ``watch`` subscribes: the Spot WebSocket API URL and the futures stream base URL
    (the stream of a listen key is ``{futures}/private/ws?listenKey=...``)."""

    spot: str
    futures: str


def resolve_stream_urls(exchange: str, stream_url: str | None = None) -> StreamUrls:
    """The stream URLs of a named exchange, of a loopback ``sim serve`` (its port + 1), or of
    ``stream_url`` (``ws://`` only to loopback, else ``wss://``), which wins when given."""
    if stream_url is not None:
        return _custom_streams(stream_url)
    named = NAMED_STREAM_URLS.get(exchange.strip().lower())
    if named is not None:
        return StreamUrls(*named)
    parts = urlsplit(resolve_base_url(exchange))
    if parts.scheme == "http" and is_loopback_host(parts.hostname) and parts.port:
        return _custom_streams(f"ws://{parts.hostname}:{parts.port + 1}")
    raise UsageError(
        "watch cannot tell where this exchange's user data streams are: pass --stream-url "
        "(the WebSocket base URL that serves /ws-api/v3 and /private/ws)"
    )


def _custom_streams(url: str) -> StreamUrls:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise UsageError("refused --stream-url: it is not a valid URL") from None
    problem = _stream_problem(parts)
    if problem is not None:
        raise UsageError(f"refused --stream-url: it {problem}")
    base = url.strip().rstrip("/")
    return StreamUrls(base + SPOT_STREAM_PATH, base)


def _stream_problem(parts: SplitResult) -> str | None:
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        return "must be a ws(s):// URL with a host"
    if parts.username or parts.password or parts.query or parts.fragment:
        return "must be a base URL without credentials, a query or a fragment"
    if parts.scheme == "ws" and not is_loopback_host(parts.hostname):
        return "plain ws:// is only allowed to a loopback host; use wss://"
    return None
