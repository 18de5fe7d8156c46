"""The exchange seam: what the planner's reader and the apply engine need from an exchange.

:class:`Exchange` is implemented by the Binance REST client (``exchange/binance.py``); the
simulated exchange is reached through that same client over an in-process httpx transport, so the
default ``exchange: sim`` path exercises the production code.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import Protocol

from oco_reconcile.core.model import Balance, ExchangeInfo, OcoRequest, OrderList, OrderReport
from oco_reconcile.core.ratelimits import RateUsage


class Exchange(Protocol):
    """Binance Spot operations the tool uses. Every method raises only ``ExchangeError``s."""

    def server_time(self) -> int:
        """``GET /api/v3/time``: the server's clock in ms (also re-syncs the client's offset)."""
        ...

    def exchange_info(self, symbols: Sequence[str]) -> ExchangeInfo:
        """``GET /api/v3/exchangeInfo`` for ``symbols`` in one request."""
        ...

    def prices(self, symbols: Sequence[str]) -> Mapping[str, Decimal]:
        """``GET /api/v3/ticker/price``: last prices, one request."""
        ...

    def reference_price(self, symbol: str) -> Decimal | None:
        """``GET /api/v3/referencePrice``: None when the symbol has none now (null)."""
        ...

    def average_price(self, symbol: str) -> Decimal:
        """``GET /api/v3/avgPrice``: the average over the symbol's ``avgPriceMins``."""
        ...

    def balances(self) -> Mapping[str, Balance]:
        """``GET /api/v3/account``: free and locked balance per asset."""
        ...

    def account_permissions(self) -> frozenset[str] | None:
        """The ``permissions`` of the last :meth:`balances` answer (no request); None before it
        or when the answer carried none."""
        ...

    def open_order_lists(self) -> tuple[OrderList, ...]:
        """``GET /api/v3/openOrderList``: every open list, all symbols (ids only)."""
        ...

    def open_orders(self, symbol: str | None = None) -> tuple[OrderReport, ...]:
        """``GET /api/v3/openOrders``: open orders of one symbol, or of all (weight 80)."""
        ...

    def order_list(self, list_client_order_id: str) -> OrderList | None:
        """``GET /api/v3/orderList?origClientOrderId=``: the latest list with that id, or None."""
        ...

    def all_order_lists(self, *, from_id: int, limit: int) -> tuple[OrderList, ...]:
        """``GET /api/v3/allOrderList?fromId=``: up to ``limit`` lists from that id, ascending."""
        ...

    def order(self, symbol: str, order_id: int) -> OrderReport | None:
        """``GET /api/v3/order``: one order by id, or None when unknown."""
        ...

    def place_oco(self, request: OcoRequest) -> OrderList:
        """``POST /api/v3/orderList/oco``. Never re-sent automatically: an unknown outcome raises
        ``OutcomeUnknownError`` and the caller must look the list up first."""
        ...

    def cancel_order_list(
        self, symbol: str, list_client_order_id: str, new_client_order_id: str | None = None
    ) -> OrderList | None:
        """``DELETE /api/v3/orderList``. Returns None when the list was already gone (-2011)."""
        ...

    def cancel_order(
        self, symbol: str, order_id: int, new_client_order_id: str | None = None
    ) -> OrderReport | None:
        """``DELETE /api/v3/order`` of one order (a remnant: its list is done; a leg of an open
        list would cancel the whole list). Returns None when the order was already gone
        (-2011)."""
        ...

    def rate_usage(self) -> RateUsage:
        """The latest ``X-MBX-USED-WEIGHT-*`` / ``X-MBX-ORDER-COUNT-*`` values seen."""
        ...


def symbols_of(lists: Collection[OrderList]) -> frozenset[str]:
    return frozenset(item.symbol for item in lists)
