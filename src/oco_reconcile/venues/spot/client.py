"""The Binance Spot REST client: it implements the :class:`Exchange` seam over ``httpx``.

It owns the Spot endpoints, their parameters (``params.py``) and parsing (``parse.py``); the
request machinery shared with the futures client is its base class,
:class:`~oco_reconcile.venues.signed.SignedRestClient`:
signing over the query string (rest-api.md "SIGNED (TRADE and USER_DATA) Endpoint security"),
``timestamp`` from the local clock plus the offset exchangeInfo's ``serverTime`` (or a -1021
re-sync against ``GET /api/v3/time``) gave, the usage headers, and only the
retries :mod:`oco_reconcile.venues.retry` gives to ``Layer.CLIENT``. Every non-2xx answer and
httpx exception goes through ``errors.map_error``. A write is sent once (a -1021 re-send
excepted): a 429 or an unknown outcome is raised for the apply engine, which pauses or looks the
list up first. Secrets never reach a log or a message (see ``signed.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from oco_reconcile.core.model import Balance, ExchangeInfo, OcoRequest, OrderList, OrderReport
from oco_reconcile.venues.retry import Operation
from oco_reconcile.venues.signed import (
    CONNECT_TIMEOUT_S,
    MAX_RECV_WINDOW_MS,
    TIMEOUT_S,
    Dialect,
    SignedRestClient,
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

# Spot signs with the local clock until exchangeInfo (or a -1021 re-sync) gave the offset.
SPOT = Dialect(
    time_path="/api/v3/time",
    map_error=map_error,
    unreadable=unreadable_response,
    sync_first=False,
)


# --- the client ---------------------------------------------------------------------------------


class BinanceClient(SignedRestClient):
    """Binance Spot over REST; thread-safe; implements the ``Exchange`` protocol."""

    DIALECT = SPOT
    _permissions: frozenset[str] | None = None  # from the last balances() read

    # --- Exchange protocol: reads ---

    def exchange_info(self, symbols: Sequence[str]) -> ExchangeInfo:
        """Rules for ``symbols`` in one request; an empty sequence asks for every symbol."""
        params = [("symbols", symbols_json(symbols))] if symbols else []
        info = self._call(
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
        return self._call(Operation.READ, "GET", "/api/v3/ticker/price", params, parse_prices)

    def reference_price(self, symbol: str) -> Decimal | None:
        path, params = "/api/v3/referencePrice", [("symbol", symbol)]
        return self._call(Operation.READ, "GET", path, params, parse_reference_price)

    def average_price(self, symbol: str) -> Decimal:
        one = [("symbol", symbol)]
        return self._call(Operation.READ, "GET", "/api/v3/avgPrice", one, parse_avg)

    def balances(self) -> dict[str, Balance]:
        """``GET /api/v3/account``; its ``permissions`` are kept for :meth:`account_permissions`."""
        return self._call(Operation.READ, "GET", "/api/v3/account", [], self._account, signed=True)

    def _account(self, payload: object) -> dict[str, Balance]:
        self._permissions = parse_account_permissions(payload)
        return parse_balances(payload)

    def account_permissions(self) -> frozenset[str] | None:
        return self._permissions

    def open_order_lists(self) -> tuple[OrderList, ...]:
        return self._call(
            Operation.READ, "GET", "/api/v3/openOrderList", [], parse_order_lists, signed=True
        )

    def open_orders(self, symbol: str | None = None) -> tuple[OrderReport, ...]:
        """Open orders of ``symbol``, or of every symbol (weight 80: the caller decides)."""
        params = [] if symbol is None else [("symbol", symbol)]
        return self._call(
            Operation.READ, "GET", "/api/v3/openOrders", params, parse_order_reports, signed=True
        )

    def order_list(self, list_client_order_id: str) -> OrderList | None:
        """The latest list with this client id, or None (-2018, as the Spot testnet answers)."""
        params = [("origClientOrderId", list_client_order_id)]
        return self._unless_gone(
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
        return self._call(
            Operation.READ, "GET", "/api/v3/allOrderList", params, parse_order_lists, signed=True
        )

    def order(self, symbol: str, order_id: int) -> OrderReport | None:
        """One order by id, or None when Binance does not know it (-2013)."""
        params = [("symbol", symbol), ("orderId", str(order_id))]
        return self._unless_gone(Operation.READ, "GET", "/api/v3/order", params, parse_order_report)

    # --- Exchange protocol: writes ---

    def place_oco(self, request: OcoRequest) -> OrderList:
        """``POST /api/v3/orderList/oco``, sent at most once (a -1021 re-send excepted).

        Raises ``OutcomeUnknownError`` when the list may or may not exist (5xx, -1006, -1007,
        timeout or dropped connection after sending): look it up before placing it again.
        """
        return self._call(
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
        return self._unless_gone(
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
        return self._unless_gone(
            Operation.CANCEL, "DELETE", "/api/v3/order", params, parse_order_report
        )
