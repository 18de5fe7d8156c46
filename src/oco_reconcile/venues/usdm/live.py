"""The futures live reader: everything a futures plan depends on, in as few requests as possible.

Two rounds over a thread pool (the client is thread-safe):

1. The independent reads at once: exchangeInfo (weight 1), every mark price (premiumIndex, 10)
   and last price (ticker/price, 2), positionRisk (5), the position mode (positionSide/dual, 30),
   the futures balances (5) and every open algo order in one request (openAlgoOrders without a
   symbol, 40: the open conditional orders are capped at 200 across all symbols, so one answer
   holds them all; fapi change log 2025-12-29).
2. As soon as the open orders are in: for each leg of a desired bracket whose clientAlgoId is
   not open, ``GET /fapi/v1/algoOrder?clientAlgoId=`` (1 each) -> ``history``; an id Binance does
   not know (never placed, or aged out: binance-api.md §10.4) is simply absent. A looked-up leg
   that is open after all (placed between the reads) joins the open orders instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from oco_reconcile.core.settings import Settings
from oco_reconcile.core.usdm.identity import futures_ids
from oco_reconcile.core.usdm.model import AlgoOrder, FuturesBracket, FuturesLiveState, LegRole
from oco_reconcile.venues.usdm.protocol import FuturesExchange


def read_futures_live(
    exchange: FuturesExchange,
    brackets: Sequence[FuturesBracket],
    settings: Settings,
    *,
    max_workers: int = 8,
) -> FuturesLiveState:
    """Read the futures live state the planner needs for ``brackets`` (module docstring)."""
    with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="usdm-live") as pool:
        info = pool.submit(exchange.exchange_info)
        marks = pool.submit(exchange.mark_prices)
        lasts = pool.submit(exchange.last_prices)
        positions = pool.submit(exchange.positions)
        hedge = pool.submit(exchange.hedge_mode)
        balances = pool.submit(exchange.balances)
        open_orders = pool.submit(exchange.open_algo_orders, None)
        opened = open_orders.result()
        wanted = history_ids(brackets, settings.owner, {o.client_algo_id for o in opened})
        lookups = {cid: pool.submit(exchange.algo_order, cid) for cid in wanted}
        found = _answers(lookups)
        return FuturesLiveState(
            info=info.result(),
            open_algo_orders=opened + tuple(o for o in found if o.status.is_open),
            positions=positions.result(),
            hedge_mode=hedge.result(),
            mark_prices=marks.result(),
            last_prices=lasts.result(),
            history={o.client_algo_id: o for o in found if not o.status.is_open},
            balances=balances.result(),
        )


def history_ids(
    brackets: Iterable[FuturesBracket], owner: str, open_ids: Iterable[str]
) -> tuple[str, ...]:
    """The clientAlgoIds of desired brackets' legs that are not open, sorted, each once."""
    open_set = set(open_ids)
    ids = {futures_ids(owner, bracket).leg_id(role) for bracket in brackets for role in LegRole}
    return tuple(sorted(ids - open_set))


def _answers(lookups: dict[str, Future[AlgoOrder | None]]) -> tuple[AlgoOrder, ...]:
    """The orders Binance knows, in id order; one known under another id is ignored."""
    answers = ((cid, future.result()) for cid, future in sorted(lookups.items()))
    return tuple(o for cid, o in answers if o is not None and o.client_algo_id == cid)
