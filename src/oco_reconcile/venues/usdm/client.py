"""The Binance USDⓈ-M futures REST client: it implements the :class:`FuturesExchange` seam.

It owns the ``/fapi`` endpoints (binance-api.md §10), their parameters (``params.py``) and parsing
(``parse.py``); the request machinery is Spot's (the base class ``signed.SignedRestClient``):
signing over the query string, also for POST and DELETE (§10.6 "the same scheme as spot"),
``timestamp`` from ``GET /fapi/v1/time`` with the -1021 re-sync, the usage headers
(``X-MBX-USED-WEIGHT-1M``, ``X-MBX-ORDER-COUNT-10S`` / ``-1M``), and only the retries
:mod:`oco_reconcile.venues.retry` gives to ``Layer.CLIENT``: reads are retried, a placement is
sent once (an unknown outcome is raised for the caller to look the order up by clientAlgoId).
Errors are mapped in ``usdm/errors.py``. Secrets never reach a log or a message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TypeVar

from oco_reconcile.core.model import Balance
from oco_reconcile.core.usdm.model import AlgoOrder, AlgoRequest, FuturesInfo, Position
from oco_reconcile.errors import UsageError
from oco_reconcile.venues.retry import Operation
from oco_reconcile.venues.signed import Dialect, SignedRestClient
from oco_reconcile.venues.usdm.errors import map_futures_error, unreadable_futures_response
from oco_reconcile.venues.usdm.params import algo_params
from oco_reconcile.venues.usdm.parse import (
    parse_algo_cancel,
    parse_algo_order,
    parse_algo_orders,
    parse_futures_balances,
    parse_futures_info,
    parse_hedge_mode,
    parse_last_prices,
    parse_mark_prices,
    parse_positions,
)
from oco_reconcile.venues.usdm.streams import ListenKey, parse_listen_key

FAPI = Dialect(
    time_path="/fapi/v1/time",
    map_error=map_futures_error,
    unreadable=unreadable_futures_response,
)
ALGO_ORDER_PATH = "/fapi/v1/algoOrder"
LISTEN_KEY_PATH = "/fapi/v1/listenKey"
MAX_HISTORY_LIMIT = 100  # allAlgoOrders: "limit" at most 100
T = TypeVar("T")


class UsdmClient(SignedRestClient):
    """Binance USDⓈ-M futures over REST; thread-safe; implements ``FuturesExchange``."""

    DIALECT = FAPI

    # --- FuturesExchange: market data and account ---

    def exchange_info(self) -> FuturesInfo:
        """Every symbol's rules (weight 1); the ``rateLimits`` are kept for :meth:`rate_limits`."""
        path = "/fapi/v1/exchangeInfo"
        info = self._call(Operation.READ, "GET", path, [], parse_futures_info)
        self._usage.set_limits(info.rate_limits)
        return info

    def mark_prices(self) -> Mapping[str, Decimal]:
        path = "/fapi/v1/premiumIndex"
        return self._call(Operation.READ, "GET", path, [], parse_mark_prices)

    def last_prices(self) -> Mapping[str, Decimal]:
        path = "/fapi/v1/ticker/price"
        return self._call(Operation.READ, "GET", path, [], parse_last_prices)

    def positions(self) -> tuple[Position, ...]:
        return self._signed_read("/fapi/v3/positionRisk", [], parse_positions)

    def hedge_mode(self) -> bool:
        return self._signed_read("/fapi/v1/positionSide/dual", [], parse_hedge_mode)

    def balances(self) -> Mapping[str, Balance]:
        return self._signed_read("/fapi/v3/balance", [], parse_futures_balances)

    # --- FuturesExchange: algo orders ---

    def open_algo_orders(self, symbol: str | None = None) -> tuple[AlgoOrder, ...]:
        """Open algo orders of ``symbol`` (weight 1), or of every symbol (weight 40)."""
        params = [] if symbol is None else [("symbol", symbol)]
        return self._signed_read("/fapi/v1/openAlgoOrders", params, parse_algo_orders)

    def algo_order(self, client_algo_id: str) -> AlgoOrder | None:
        """The latest order with this clientAlgoId, or None (-2013 "Order does not exist.")."""
        params = [("clientAlgoId", client_algo_id)]
        return self._unless_gone(Operation.READ, "GET", ALGO_ORDER_PATH, params, parse_algo_order)

    def algo_history(
        self, symbol: str, *, start_time: int | None = None, limit: int = 100
    ) -> tuple[AlgoOrder, ...]:
        """``GET /fapi/v1/allAlgoOrders`` (weight 5): ``limit`` at most 100, oldest first."""
        if not 1 <= limit <= MAX_HISTORY_LIMIT:
            raise UsageError(f"allAlgoOrders limit must be between 1 and {MAX_HISTORY_LIMIT}")
        params = [("symbol", symbol)]
        if start_time is not None:
            params.append(("startTime", str(start_time)))
        params.append(("limit", str(limit)))
        return self._signed_read("/fapi/v1/allAlgoOrders", params, parse_algo_orders)

    def place_algo(self, request: AlgoRequest) -> AlgoOrder:
        """``POST /fapi/v1/algoOrder``, sent at most once (a -1021 re-send excepted).

        Raises ``OutcomeUnknownError`` when the order may or may not exist (5xx, -1007, 408, a
        timeout or dropped connection after sending): look it up by clientAlgoId first.
        """
        return self._call(
            Operation.PLACE,
            "POST",
            ALGO_ORDER_PATH,
            algo_params(request),
            parse_algo_order,
            signed=True,
        )

    def cancel_algo(self, symbol: str, client_algo_id: str) -> AlgoOrder | None:
        """``DELETE /fapi/v1/algoOrder`` by clientAlgoId, then the order read back: the cancel's
        answer is only ``{algoId, clientAlgoId, code, msg}`` (Cancel-Algo-Order.md). None when
        it was already gone (-2011 "Unknown order sent.", -2013), or when the read-back finds no
        such order of ``symbol``: the caller's lookup confirms either way. ``symbol`` is not sent:
        the endpoint takes only the id (binance-api.md §10.4)."""
        params = [("clientAlgoId", client_algo_id)]
        gone = self._unless_gone(
            Operation.CANCEL, "DELETE", ALGO_ORDER_PATH, params, parse_algo_cancel
        )
        if gone is None:
            return None
        order = self.algo_order(client_algo_id)
        return order if order is not None and order.symbol == symbol else None

    # --- the user data stream (binance-api.md §11.2) ---

    def start_user_stream(self) -> ListenKey:
        """``POST /fapi/v1/listenKey`` (weight 1): the account's stream key (the same one while
        it is alive). The key is a secret: it never reaches a log or a message."""
        return self._call(Operation.READ, "POST", LISTEN_KEY_PATH, [], parse_listen_key, keyed=True)

    def keepalive_user_stream(self) -> None:
        """``PUT /fapi/v1/listenKey``: the stream closes after 60 minutes without one."""
        self._call(Operation.READ, "PUT", LISTEN_KEY_PATH, [], _ignore, keyed=True)

    def close_user_stream(self) -> None:
        """``DELETE /fapi/v1/listenKey``."""
        self._call(Operation.READ, "DELETE", LISTEN_KEY_PATH, [], _ignore, keyed=True)

    def _signed_read(
        self, path: str, params: list[tuple[str, str]], parse: Callable[[object], T]
    ) -> T:
        return self._call(Operation.READ, "GET", path, params, parse, signed=True)


def _ignore(answer: object) -> None:
    """Keepalive and close answer ``{}``: nothing to read."""
