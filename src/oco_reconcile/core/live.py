"""The live state a plan is made from: what each venue answered, read once per run.

Spot is always read; the USDⓈ-M futures part is there when the run reads that venue (settings
``markets``). PURE values, no I/O: the readers are ``venues/spot/live.py`` and
``venues/usdm/live.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from oco_reconcile.core.market import MarketView
from oco_reconcile.core.model import (
    Balance,
    ExchangeInfo,
    ListHistory,
    OrderList,
    OrderReport,
    Remnant,
)
from oco_reconcile.core.usdm.model import FuturesLiveState


@dataclass(frozen=True)
class LiveState:
    """Everything read from the exchange that a plan depends on.

    ``open_lists`` carries every open order list (all symbols), each joined with its legs from
    ``openOrders`` where those were read. ``open_orders`` are all open orders of the symbols read
    (list legs and plain orders, for the count filters). ``history`` is keyed by list client id,
    only for desired brackets whose list is not open. ``remnants``: ``history.find_remnants``.
    """

    open_lists: tuple[OrderList, ...]
    open_orders: tuple[OrderReport, ...]
    info: ExchangeInfo
    prices: Mapping[str, Decimal]
    balances: Mapping[str, Balance]
    history: Mapping[str, ListHistory] = field(default_factory=dict)
    remnants: tuple[Remnant, ...] = ()
    market: MarketView = field(default_factory=MarketView)
    # the USDⓈ-M futures venue, when the run reads it (settings ``markets``)
    usdm: FuturesLiveState | None = None
