"""Futures reads through the futures pacer: the ``/fapi`` twin of :mod:`oco_reconcile.apply.reads`.

The futures venue has its own budgets (binance-api.md §10.6): the IP's ``REQUEST_WEIGHT`` on
``/fapi`` (2400 per minute) and the account's futures ``ORDERS`` (1200 per minute, 300 per 10 s),
so it has its own :class:`Pacer`, started at those defaults and replaced by exchangeInfo's
``rateLimits`` once read. :class:`PacedFuturesReads` wraps a :class:`FuturesExchange`: each read
holds a slot at its weight (``venues/usdm/weights.py``) and then feeds the response's usage
headers back (``X-MBX-USED-WEIGHT-1M``). The first read goes alone, so its headers say what
others on the IP used before several reads are sent at once.

Writes pass through unpaced: the apply engine paces them with the same pacer
(``PacedFuturesReads.pacer``: ``apply/usdm_writes.py``), so nothing is counted twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from oco_reconcile.apply.pacing import Cost, Pacer
from oco_reconcile.apply.reads import PacedReader
from oco_reconcile.core.model import Balance
from oco_reconcile.core.ratelimits import RateLimit, RateLimitType, RateUsage
from oco_reconcile.core.usdm.model import AlgoOrder, AlgoRequest, FuturesInfo, Position
from oco_reconcile.venues.usdm import weights

if TYPE_CHECKING:
    from oco_reconcile.venues.usdm.protocol import FuturesExchange

T = TypeVar("T")

# Until exchangeInfo is read, or when it carried none (binance-api.md §10.6, the defaults).
FUTURES_DEFAULT_LIMITS = (
    RateLimit(RateLimitType.REQUEST_WEIGHT, "MINUTE", 1, 2400),
    RateLimit(RateLimitType.ORDERS, "MINUTE", 1, 1200),
    RateLimit(RateLimitType.ORDERS, "SECOND", 10, 300),
)

EXCHANGE_INFO = Cost(weight=weights.EXCHANGE_INFO_WEIGHT)
MARK_PRICES = Cost(weight=weights.MARK_PRICES_WEIGHT_ALL)
LAST_PRICES = Cost(weight=weights.LAST_PRICES_WEIGHT_ALL)
POSITIONS = Cost(weight=weights.POSITIONS_WEIGHT)
HEDGE_MODE = Cost(weight=weights.HEDGE_MODE_WEIGHT)
BALANCES = Cost(weight=weights.BALANCE_WEIGHT)
ALGO_ORDER = Cost(weight=weights.ALGO_ORDER_WEIGHT)
ALL_ALGO_ORDERS = Cost(weight=weights.ALL_ALGO_ORDERS_WEIGHT)


def open_algo_orders_cost(symbol: str | None) -> Cost:
    one, every = weights.OPEN_ALGO_ORDERS_WEIGHT_ONE, weights.OPEN_ALGO_ORDERS_WEIGHT_ALL
    return Cost(weight=every if symbol is None else one)


class PacedFuturesReads(PacedReader["FuturesExchange"]):
    """A ``FuturesExchange`` whose reads are paced by ``pacer`` (writes: module docstring)."""

    # -- reads --

    def exchange_info(self) -> FuturesInfo:
        """The rules; their published ``rateLimits`` become the pacer's limits from now on."""
        info = self._read(EXCHANGE_INFO, self._exchange.exchange_info)
        if info.rate_limits:
            self.pacer.adopt(info.rate_limits)
        return info

    def mark_prices(self) -> Mapping[str, Decimal]:
        return self._read(MARK_PRICES, self._exchange.mark_prices)

    def last_prices(self) -> Mapping[str, Decimal]:
        return self._read(LAST_PRICES, self._exchange.last_prices)

    def positions(self) -> tuple[Position, ...]:
        return self._read(POSITIONS, self._exchange.positions)

    def hedge_mode(self) -> bool:
        return self._read(HEDGE_MODE, self._exchange.hedge_mode)

    def balances(self) -> Mapping[str, Balance]:
        return self._read(BALANCES, self._exchange.balances)

    def open_algo_orders(self, symbol: str | None = None) -> tuple[AlgoOrder, ...]:
        cost = open_algo_orders_cost(symbol)
        return self._read(cost, lambda: self._exchange.open_algo_orders(symbol))

    def algo_order(self, client_algo_id: str) -> AlgoOrder | None:
        return self._read(ALGO_ORDER, lambda: self._exchange.algo_order(client_algo_id))

    def algo_history(
        self, symbol: str, *, start_time: int | None = None, limit: int = 100
    ) -> tuple[AlgoOrder, ...]:
        return self._read(
            ALL_ALGO_ORDERS,
            lambda: self._exchange.algo_history(symbol, start_time=start_time, limit=limit),
        )

    def rate_usage(self) -> RateUsage:
        return self._exchange.rate_usage()

    def rate_limits(self) -> tuple[RateLimit, ...]:
        return self._exchange.rate_limits()

    # -- writes: paced by the apply engine --

    def place_algo(self, request: AlgoRequest) -> AlgoOrder:
        return self._exchange.place_algo(request)

    def cancel_algo(self, symbol: str, client_algo_id: str) -> AlgoOrder | None:
        return self._exchange.cancel_algo(symbol, client_algo_id)

    # -- pacing --

    def _read(self, cost: Cost, call: Callable[[], T]) -> T:
        with self._primed:
            if not self._is_primed:
                # The first read alone: its headers tell the pacer what others used already.
                self._is_primed = True
                return self._paced(cost, call)
        return self._paced(cost, call)


def paced_futures_reads(exchange: FuturesExchange) -> PacedFuturesReads:
    """``exchange`` with its reads paced by a new futures pacer at the default limits."""
    return PacedFuturesReads(exchange, Pacer(FUTURES_DEFAULT_LIMITS))
