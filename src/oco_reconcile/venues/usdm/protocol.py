"""The futures venue seam: what the live reader and the apply engine need from ``/fapi``.

:class:`FuturesExchange` is implemented by the fapi REST client (``venues/usdm/client.py``); the
simulator is reached through that same client over an in-process httpx transport or loopback.
Every method raises only ``ExchangeError``s (errors.py), mapped in exactly one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Protocol, runtime_checkable

from oco_reconcile.core.model import Balance
from oco_reconcile.core.ratelimits import RateLimit, RateUsage
from oco_reconcile.core.usdm.model import AlgoOrder, AlgoRequest, FuturesInfo, Position
from oco_reconcile.venues.usdm.streams import ListenKey


class FuturesExchange(Protocol):
    """Binance USDⓈ-M futures operations the tool uses (binance-api.md §10)."""

    def exchange_info(self) -> FuturesInfo:
        """``GET /fapi/v1/exchangeInfo`` (all symbols, weight 1)."""
        ...

    def mark_prices(self) -> Mapping[str, Decimal]:
        """``GET /fapi/v1/premiumIndex`` without a symbol: the mark price of every symbol."""
        ...

    def last_prices(self) -> Mapping[str, Decimal]:
        """``GET /fapi/v1/ticker/price`` without a symbol: every symbol's last (contract) price."""
        ...

    def positions(self) -> tuple[Position, ...]:
        """``GET /fapi/v3/positionRisk``: every position with a size or an open order."""
        ...

    def hedge_mode(self) -> bool:
        """``GET /fapi/v1/positionSide/dual``: True when the account is in hedge mode."""
        ...

    def balances(self) -> Mapping[str, Balance]:
        """``GET /fapi/v3/balance``: the futures wallet (available as ``free``)."""
        ...

    def open_algo_orders(self, symbol: str | None = None) -> tuple[AlgoOrder, ...]:
        """``GET /fapi/v1/openAlgoOrders``: open algo orders of a symbol (weight 1) or all (40)."""
        ...

    def algo_order(self, client_algo_id: str) -> AlgoOrder | None:
        """``GET /fapi/v1/algoOrder?clientAlgoId=``: the latest order with that id, or None when
        Binance knows none (never placed, or aged out: binance-api.md §10.4)."""
        ...

    def algo_history(
        self, symbol: str, *, start_time: int | None = None, limit: int = 100
    ) -> tuple[AlgoOrder, ...]:
        """``GET /fapi/v1/allAlgoOrders``: algo orders of one symbol, oldest first."""
        ...

    def place_algo(self, request: AlgoRequest) -> AlgoOrder:
        """``POST /fapi/v1/algoOrder``. Never re-sent automatically: an unknown outcome raises
        ``OutcomeUnknownError`` and the caller looks the order up by clientAlgoId first."""
        ...

    def cancel_algo(self, symbol: str, client_algo_id: str) -> AlgoOrder | None:
        """``DELETE /fapi/v1/algoOrder`` by clientAlgoId; None when it was already gone."""
        ...

    def rate_usage(self) -> RateUsage:
        """The latest ``X-MBX-USED-WEIGHT-*`` / ``X-MBX-ORDER-COUNT-*`` values seen on /fapi."""
        ...

    def rate_limits(self) -> tuple[RateLimit, ...]:
        """The ``rateLimits`` of the last futures exchangeInfo read (empty before the first)."""
        ...


@runtime_checkable
class FuturesStreamKeys(Protocol):
    """The listen-key half of ``/fapi`` that only ``watch`` needs (binance-api.md §11.2)."""

    def start_user_stream(self) -> ListenKey:
        """``POST /fapi/v1/listenKey``: the key of the account's user data stream (a secret)."""
        ...

    def keepalive_user_stream(self) -> None:
        """``PUT /fapi/v1/listenKey``: keeps the key alive for another 60 minutes."""
        ...
