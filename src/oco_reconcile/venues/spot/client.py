"""The Binance Spot REST client: it implements the :class:`Exchange` seam over ``httpx``.

It owns the Spot endpoints, their parameters (``params.py``) and parsing (``parse.py``); the
request machinery shared with the futures client lives in :mod:`oco_reconcile.venues.signed`:
signing over the query string (rest-api.md "SIGNED (TRADE and USER_DATA) Endpoint security"),
``timestamp`` from ``GET /api/v3/time`` with the -1021 re-sync, the usage headers, and only the
retries :mod:`oco_reconcile.venues.retry` gives to ``Layer.CLIENT``. Every non-2xx answer and
httpx exception goes through ``errors.map_error``. A write is sent once (a -1021 re-send
excepted): a 429 or an unknown outcome is raised for the apply engine, which pauses or looks the
list up first. Secrets never reach a log or a message (see ``signed.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from decimal import Decimal

import httpx

from oco_reconcile.core.model import Balance, ExchangeInfo, OcoRequest, OrderList, OrderReport
from oco_reconcile.core.ratelimits import RateLimit, RateUsage
from oco_reconcile.venues.credentials import Credentials
from oco_reconcile.venues.ratelimit import Headroom
from oco_reconcile.venues.retry import Operation, RetryPolicy
from oco_reconcile.venues.signed import (
    CONNECT_TIMEOUT_S,
    MAX_RECV_WINDOW_MS,
    TIMEOUT_S,
    Dialect,
    SignedHttp,
)
from oco_reconcile.venues.spot.errors import map_error, unreadable_response
from oco_reconcile.venues.spot.filter_prices import parse_avg, parse_reference_price
from oco_reconcile.venues.spot.params import oco_params, symbols_json
from oco_reconcile.venues.spot.parse import (
    parse_account_permissions,
    parse_balances,
    parse_exchange_info,
    parse_order_list,
    parse_order_lists,
    parse_order_report,
    parse_order_reports,
    parse_prices,
)

__all__ = ["CONNECT_TIMEOUT_S", "MAX_RECV_WINDOW_MS", "TIMEOUT_S", "BinanceClient"]

SPOT = Dialect(time_path="/api/v3/time", map_error=map_error, unreadable=unreadable_response)


# --- the client ---------------------------------------------------------------------------------


class BinanceClient:
    """Binance Spot over REST; thread-safe; implements the ``Exchange`` protocol."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials | None,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        recv_window_ms: int = 5000,
        timeout: float = TIMEOUT_S,
        connect_timeout: float = CONNECT_TIMEOUT_S,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._http = SignedHttp(
            base_url,
            credentials,
            SPOT,
            transport=transport,
            clock=clock,
            sleep=sleep,
            recv_window_ms=recv_window_ms,
            timeout=timeout,
            connect_timeout=connect_timeout,
            retry=retry,
        )
        self._usage = self._http.usage
        self._permissions: frozenset[str] | None = None

    def __repr__(self) -> str:
        credentials = self._http.credentials
        return f"BinanceClient(base_url={self.base_url!r}, credentials={credentials!r})"

    __str__ = __repr__

    @property
    def base_url(self) -> str:
        return self._http.base_url

    @property
    def timeout(self) -> httpx.Timeout:
        return self._http.timeout

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> BinanceClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- Exchange protocol: reads ---

    def server_time(self) -> int:
        """``GET /api/v3/time``; also sets the clock offset used for ``timestamp``."""
        return self._http.server_time()

    def exchange_info(self, symbols: Sequence[str]) -> ExchangeInfo:
        """Rules for ``symbols`` in one request; an empty sequence asks for every symbol."""
        params = [("symbols", symbols_json(symbols))] if symbols else []
        info = self._http.call(
            Operation.READ, "GET", "/api/v3/exchangeInfo", params, parse_exchange_info
        )
        self._usage.set_limits(info.rate_limits)
        return info

    def prices(self, symbols: Sequence[str]) -> dict[str, Decimal]:
        """Last prices in one request; an empty sequence asks for every symbol."""
        unique = list(dict.fromkeys(symbols))
        if len(unique) == 1:
            params = [("symbol", unique[0])]
        else:
            params = [("symbols", symbols_json(unique))] if unique else []
        return self._http.call(Operation.READ, "GET", "/api/v3/ticker/price", params, parse_prices)

    def reference_price(self, symbol: str) -> Decimal | None:
        path, params = "/api/v3/referencePrice", [("symbol", symbol)]
        return self._http.call(Operation.READ, "GET", path, params, parse_reference_price)

    def average_price(self, symbol: str) -> Decimal:
        one = [("symbol", symbol)]
        return self._http.call(Operation.READ, "GET", "/api/v3/avgPrice", one, parse_avg)

    def balances(self) -> dict[str, Balance]:
        """``GET /api/v3/account``; its ``permissions`` are kept for :meth:`account_permissions`."""
        return self._http.call(
            Operation.READ, "GET", "/api/v3/account", [], self._account, signed=True
        )

    def _account(self, payload: object) -> dict[str, Balance]:
        self._permissions = parse_account_permissions(payload)
        return parse_balances(payload)

    def account_permissions(self) -> frozenset[str] | None:
        return self._permissions

    def open_order_lists(self) -> tuple[OrderList, ...]:
        return self._http.call(
            Operation.READ, "GET", "/api/v3/openOrderList", [], parse_order_lists, signed=True
        )

    def open_orders(self, symbol: str | None = None) -> tuple[OrderReport, ...]:
        """Open orders of ``symbol``, or of every symbol (weight 80: the caller decides)."""
        params = [] if symbol is None else [("symbol", symbol)]
        return self._http.call(
            Operation.READ, "GET", "/api/v3/openOrders", params, parse_order_reports, signed=True
        )

    def order_list(self, list_client_order_id: str) -> OrderList | None:
        """The latest list with this client id, or None (-2018, as the Spot testnet answers)."""
        params = [("origClientOrderId", list_client_order_id)]
        return self._http.unless_gone(
            Operation.READ, "GET", "/api/v3/orderList", params, parse_order_list
        )

    def all_order_lists(
        self,
        *,
        from_id: int | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
    ) -> tuple[OrderList, ...]:
        """``GET /api/v3/allOrderList`` (weight 20): history, at most 24 h per time window."""
        named = (
            ("fromId", from_id),
            ("startTime", start_time),
            ("endTime", end_time),
            ("limit", limit),
        )
        params = [(name, str(value)) for name, value in named if value is not None]
        return self._http.call(
            Operation.READ, "GET", "/api/v3/allOrderList", params, parse_order_lists, signed=True
        )

    def order(self, symbol: str, order_id: int) -> OrderReport | None:
        """One order by id, or None when Binance does not know it (-2013)."""
        params = [("symbol", symbol), ("orderId", str(order_id))]
        return self._http.unless_gone(
            Operation.READ, "GET", "/api/v3/order", params, parse_order_report
        )

    # --- Exchange protocol: writes ---

    def place_oco(self, request: OcoRequest) -> OrderList:
        """``POST /api/v3/orderList/oco``, sent at most once (a -1021 re-send excepted).

        Raises ``OutcomeUnknownError`` when the list may or may not exist (5xx, -1006, -1007,
        timeout or dropped connection after sending): look it up before placing it again.
        """
        return self._http.call(
            Operation.PLACE,
            "POST",
            "/api/v3/orderList/oco",
            oco_params(request),
            parse_order_list,
            signed=True,
        )

    def cancel_order_list(
        self, symbol: str, list_client_order_id: str, new_client_order_id: str | None = None
    ) -> OrderList | None:
        """``DELETE /api/v3/orderList``; None when the list was already gone (-2011)."""
        params = [("symbol", symbol), ("listClientOrderId", list_client_order_id)]
        if new_client_order_id is not None:
            params.append(("newClientOrderId", new_client_order_id))
        return self._http.unless_gone(
            Operation.CANCEL, "DELETE", "/api/v3/orderList", params, parse_order_list
        )

    def cancel_order(
        self, symbol: str, order_id: int, new_client_order_id: str | None = None
    ) -> OrderReport | None:
        """``DELETE /api/v3/order`` (rest-api.md "Cancel order"); None when already gone
        (-2011 "Unknown order sent.")."""
        params = [("symbol", symbol), ("orderId", str(order_id))]
        if new_client_order_id is not None:
            params.append(("newClientOrderId", new_client_order_id))
        return self._http.unless_gone(
            Operation.CANCEL, "DELETE", "/api/v3/order", params, parse_order_report
        )

    def rate_usage(self) -> RateUsage:
        return self._usage.usage()

    def rate_limits(self) -> tuple[RateLimit, ...]:
        """The ``rateLimits`` of the last exchangeInfo read (empty before the first)."""
        return self._usage.limits()

    def headroom(self) -> tuple[Headroom, ...]:
        return self._usage.headroom()
