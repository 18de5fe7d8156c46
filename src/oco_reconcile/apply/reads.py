"""Reads through the pacer: every read of a command waits for room in the same windows as apply.

:class:`PacedReads` wraps an :class:`Exchange` for the live reader (``plan``, ``apply``, the
re-read after applying): each read holds a pacer slot at its request weight (rest-api.md, each
endpoint's "Weight") and then feeds the response's usage headers back (``X-MBX-USED-WEIGHT-1M``,
rest-api.md "LIMITS"), so a large plan, many plans in a minute, or several processes on one IP
wait for room instead of earning a 429 (and, repeated, a 418 ban). The first read goes
alone (a plan's is exchangeInfo): its headers say what others used before the other reads are sent
at once -- no ``GET /api/v3/time`` of its own (issue 17: it cost a round trip and weight 1).
The ``rateLimits`` of exchangeInfo replace the published defaults the pacer starts with.

Writes pass through unpaced: the apply engine paces them itself (``requests.py``) with the same
:class:`Pacer` (``PacedReads.pacer``), so a lookup is never counted twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from oco_reconcile.apply.pacing import (
    ACCOUNT,
    ALL_ORDER_LISTS,
    AVG_PRICE,
    DEFAULT_LIMITS,
    EXCHANGE_INFO,
    OPEN_ORDER_LISTS,
    ORDER_LIST_LOOKUP,
    ORDER_LOOKUP,
    REFERENCE_PRICE,
    SERVER_TIME,
    Cost,
    Pacer,
    open_orders_cost,
    prices_cost,
)
from oco_reconcile.core.model import Balance, ExchangeInfo, OcoRequest, OrderList, OrderReport
from oco_reconcile.core.ratelimits import RateUsage

if TYPE_CHECKING:
    from oco_reconcile.venues.protocol import Exchange

T = TypeVar("T")


class _Usage(Protocol):
    def rate_usage(self) -> RateUsage: ...


E = TypeVar("E", bound=_Usage)


class PacedReader(Generic[E]):
    """One venue's exchange with its reads paced by ``pacer``; each answer's usage headers
    correct the pacer. Shared by the Spot and futures readers."""

    def __init__(self, exchange: E, pacer: Pacer) -> None:
        self._exchange = exchange
        self.pacer = pacer
        self._primed = threading.Lock()
        self._is_primed = False

    def _paced(self, cost: Cost, call: Callable[[], T]) -> T:
        try:
            with self.pacer.slot(cost):
                return call()
        finally:
            self.pacer.observe(self._exchange.rate_usage())


class PacedReads(PacedReader["Exchange"]):
    """An ``Exchange`` whose reads are paced by ``pacer`` (writes: see the module docstring)."""

    # -- reads --

    def server_time(self) -> int:
        return self._read(SERVER_TIME, self._exchange.server_time)

    def exchange_info(self, symbols: Sequence[str]) -> ExchangeInfo:
        """The rules; their published ``rateLimits`` become the pacer's limits from now on."""
        info = self._read(EXCHANGE_INFO, lambda: self._exchange.exchange_info(symbols))
        if info.rate_limits:
            self.pacer.adopt(info.rate_limits)
        return info

    def prices(self, symbols: Sequence[str]) -> Mapping[str, Decimal]:
        cost = prices_cost(len(set(symbols)))
        return self._read(cost, lambda: self._exchange.prices(symbols))

    def reference_price(self, symbol: str) -> Decimal | None:
        return self._read(REFERENCE_PRICE, lambda: self._exchange.reference_price(symbol))

    def average_price(self, symbol: str) -> Decimal:
        return self._read(AVG_PRICE, lambda: self._exchange.average_price(symbol))

    def balances(self) -> Mapping[str, Balance]:
        return self._read(ACCOUNT, self._exchange.balances)

    def account_permissions(self) -> frozenset[str] | None:
        return self._exchange.account_permissions()  # no request: kept from balances()

    def open_order_lists(self) -> tuple[OrderList, ...]:
        return self._read(OPEN_ORDER_LISTS, self._exchange.open_order_lists)

    def open_orders(self, symbol: str | None = None) -> tuple[OrderReport, ...]:
        return self._read(open_orders_cost(symbol), lambda: self._exchange.open_orders(symbol))

    def order_list(self, list_client_order_id: str) -> OrderList | None:
        return self._read(
            ORDER_LIST_LOOKUP, lambda: self._exchange.order_list(list_client_order_id)
        )

    def all_order_lists(self, *, from_id: int, limit: int) -> tuple[OrderList, ...]:
        return self._read(
            ALL_ORDER_LISTS, lambda: self._exchange.all_order_lists(from_id=from_id, limit=limit)
        )

    def order(self, symbol: str, order_id: int) -> OrderReport | None:
        return self._read(ORDER_LOOKUP, lambda: self._exchange.order(symbol, order_id))

    def rate_usage(self) -> RateUsage:
        return self._exchange.rate_usage()

    # -- writes: paced by the apply engine --

    def place_oco(self, request: OcoRequest) -> OrderList:
        return self._exchange.place_oco(request)

    def cancel_order_list(
        self, symbol: str, list_client_order_id: str, new_client_order_id: str | None = None
    ) -> OrderList | None:
        return self._exchange.cancel_order_list(symbol, list_client_order_id, new_client_order_id)

    def cancel_order(
        self, symbol: str, order_id: int, new_client_order_id: str | None = None
    ) -> OrderReport | None:
        return self._exchange.cancel_order(symbol, order_id, new_client_order_id)

    # -- pacing --

    def _read(self, cost: Cost, call: Callable[[], T]) -> T:
        with self._primed:  # the first read goes alone: its headers say what others used
            if not self._is_primed:
                answer = self._paced(cost, call)
                self._is_primed = True
                return answer
        return self._paced(cost, call)


def paced_reads(exchange: Exchange) -> PacedReads:
    """``exchange`` with its reads paced by a new pacer at the published limits (a command's)."""
    return PacedReads(exchange, Pacer(DEFAULT_LIMITS))
