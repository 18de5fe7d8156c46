"""The live reader: everything a plan depends on, in as few requests as the API allows.

Three concurrent rounds (a thread pool over the thread-safe client):

1. exchangeInfo for the desired symbols (weight 20), last prices (4), balances (20),
   openOrderList (6), and openOrders -- per desired symbol (6 each), or once without a symbol (80)
   once 6 x n would exceed 80 (rest-api.md "Query Open Order lists", "Current open orders",
   "LIMITS"). The balances answer also gives the account's permissions.
2. What round 1 showed is missing: openOrders (and exchangeInfo) for symbols of managed open lists
   that are not desired; every open order when exchangeInfo enforces account-wide count filters;
   and the history lookup ``GET /api/v3/orderList`` by list client id (4 each) only for desired
   brackets whose list is not open (and for the list an ``adopt:`` names) -- or, when cheaper,
   a scan of ``allOrderList`` pages (``history_scan.py``).
3. The legs of those closed lists (``GET /api/v3/order``, 4 each), unless they are still in
   ``openOrders``: a stop-limit leg that triggered stays open (working) after its list left
   openOrderList (enums.md "Order status") -- that bracket *fired*. Then the filter prices of
   the symbols of brackets whose list is not open, where the filters use one
   (``filter_prices.py``: 2 or 4 weight each). Lists carry only leg ids: legs come from openOrders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TypeVar

from oco_reconcile.core.history import archived_list, classify, find_remnants
from oco_reconcile.core.identity import bracket_ids, is_managed
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.market import MarketView
from oco_reconcile.core.model import (
    Balance,
    Bracket,
    ExchangeInfo,
    ListHistory,
    OrderList,
    OrderReport,
)
from oco_reconcile.core.settings import Settings
from oco_reconcile.errors import ArchivedOrderError
from oco_reconcile.venues.protocol import Exchange
from oco_reconcile.venues.spot.filter_prices import read_filter_prices
from oco_reconcile.venues.spot.history_scan import latest_by_scan, scan_pages_allowed
from oco_reconcile.venues.spot.tolerant import (
    exchange_info_of,
    merge_info,
    prices_of,
    tolerate_invalid_symbol,
)
from oco_reconcile.venues.spot.weights import OPEN_ORDERS_WEIGHT_ALL, OPEN_ORDERS_WEIGHT_ONE

T = TypeVar("T")


def open_orders_per_symbol(symbol_count: int) -> bool:
    """Per-symbol openOrders calls cost 6 each; one call without a symbol costs 80."""
    return symbol_count > 0 and OPEN_ORDERS_WEIGHT_ONE * symbol_count <= OPEN_ORDERS_WEIGHT_ALL


def read_live(
    exchange: Exchange,
    brackets: Sequence[Bracket],
    settings: Settings,
    *,
    max_workers: int = 16,
) -> LiveState:
    """Read the live state the planner needs for ``brackets`` (see the module docstring)."""
    with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="live") as pool:
        reader = _Reader(exchange, pool, settings.owner)
        snapshot = reader.read_snapshot(sorted({b.symbol for b in brackets}))
        latest = reader.look_up_latest_lists(snapshot, brackets)
        history, legs = reader.read_history(latest)
        state = latest.state(history, legs, settings.owner)
        placeable = _not_open(brackets, state.open_lists, settings.owner)
        rules = [
            state.info.symbols[s] for s in {b.symbol for b in placeable} & set(state.info.symbols)
        ]
        filter_prices = read_filter_prices(exchange, pool, rules, placeable)
    permissions = exchange.account_permissions()  # kept from the balances read above
    market = replace(state.market, filter_prices=filter_prices, account_permissions=permissions)
    return replace(state, market=market)


def read_open_lists(
    exchange: Exchange, symbols: Sequence[str] = (), *, max_workers: int = 16
) -> tuple[OrderList, ...]:
    """Every open order list (of ``symbols`` when given) joined with its legs, for ``import``."""
    wanted = set(symbols)
    lists = [item for item in exchange.open_order_lists() if not wanted or item.symbol in wanted]
    list_symbols = sorted({item.symbol for item in lists})
    with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="live") as pool:
        orders = _Pending.submit(exchange, pool, list_symbols).result()
    return join_legs(lists, orders.reports)


def join_legs(lists: Iterable[OrderList], orders: Iterable[OrderReport]) -> tuple[OrderList, ...]:
    """Attach to each list the open orders carrying its orderListId (-1 means "no list")."""
    by_list: dict[tuple[str, int], list[OrderReport]] = {}
    for report in orders:
        if report.order_list_id != -1:
            by_list.setdefault((report.symbol, report.order_list_id), []).append(report)
    return tuple(
        item.with_reports(_sorted_legs(by_list.get((item.symbol, item.order_list_id), ())))
        for item in lists
    )


def _sorted_legs(reports: Iterable[OrderReport]) -> tuple[OrderReport, ...]:
    return tuple(sorted(reports, key=lambda r: r.order_id))


# --- the rounds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _OpenOrders:
    """Open orders read so far, and which symbols they cover (None: every symbol)."""

    reports: tuple[OrderReport, ...]
    symbols: frozenset[str] | None

    def covers(self, symbol: str) -> bool:
        return self.symbols is None or symbol in self.symbols

    def merge(self, other: _OpenOrders) -> _OpenOrders:
        if other.symbols is None:
            return other
        if self.symbols is None:
            return self
        known = {(r.symbol, r.order_id) for r in self.reports}
        extra = tuple(r for r in other.reports if (r.symbol, r.order_id) not in known)
        return _OpenOrders(self.reports + extra, self.symbols | other.symbols)


@dataclass(frozen=True)
class _Pending:
    """openOrders requests in flight: per symbol, or one for every symbol (``symbols`` None)."""

    futures: tuple[Future[tuple[OrderReport, ...]], ...]
    symbols: frozenset[str] | None

    @staticmethod
    def submit(
        exchange: Exchange, pool: ThreadPoolExecutor, symbols: Sequence[str] | None
    ) -> _Pending:
        if symbols is not None and not symbols:
            return _Pending((), frozenset())
        if symbols is not None and open_orders_per_symbol(len(symbols)):
            futures = tuple(pool.submit(exchange.open_orders, symbol) for symbol in symbols)
            return _Pending(futures, frozenset(symbols))
        return _Pending((pool.submit(exchange.open_orders, None),), None)

    def result(self) -> _OpenOrders:
        """The answers; a symbol that does not exist (-1121) has no open orders (the plan
        reports the symbol)."""
        answers = [tolerate_invalid_symbol(future.result) or () for future in self.futures]
        return _OpenOrders(tuple(r for answer in answers for r in answer), self.symbols)


@dataclass(frozen=True)
class _Snapshot:
    """Everything read before the history lookups."""

    info: ExchangeInfo
    prices: Mapping[str, Decimal]
    balances: Mapping[str, Balance]
    lists: tuple[OrderList, ...]
    orders: _OpenOrders
    symbol_names: frozenset[str] = frozenset()  # every listed symbol, read for an unknown one


@dataclass(frozen=True)
class _LatestLists:
    """Round 2's result: the completed snapshot and the latest list of every history id."""

    snapshot: _Snapshot
    closed: Mapping[str, OrderList | None]  # list client id -> latest list (None: never placed)
    archived: frozenset[str] = frozenset()  # list client ids whose lookup answered -2026

    def state(self, history: Mapping[str, ListHistory], legs: Legs, owner: str) -> LiveState:
        """The live state; a looked-up list that turned out open (placed between our reads) is
        added to the open lists with its legs. Remnants are kept (``history.find_remnants``)."""
        reopened = [item for item in self.closed.values() if item is not None and item.is_open]
        known = {(r.symbol, r.order_id) for r in self.snapshot.orders.reports}
        extra_legs = tuple(
            report
            for item in reopened
            for ref in item.orders
            if (ref.symbol, ref.order_id) not in known
            and (report := legs.get((ref.symbol, ref.order_id))) is not None
        )
        orders = self.snapshot.orders.reports + extra_legs
        open_lists = join_legs((*self.snapshot.lists, *reopened), orders)
        return LiveState(
            open_lists=open_lists,
            open_orders=orders,
            info=self.snapshot.info,
            prices=self.snapshot.prices,
            balances=self.snapshot.balances,
            history=history,
            remnants=find_remnants(owner, orders, open_lists),
            market=MarketView(symbol_names=self.snapshot.symbol_names),
        )


Legs = Mapping[tuple[str, int], OrderReport | None]


class _Reader:
    """Rounds 1-3: ``read_snapshot``, ``look_up_latest_lists``, ``read_history``."""

    def __init__(self, exchange: Exchange, pool: ThreadPoolExecutor, owner: str) -> None:
        self.exchange = exchange
        self.pool = pool
        self.owner = owner

    def read_snapshot(self, symbols: Sequence[str]) -> _Snapshot:
        exchange, pool = self.exchange, self.pool
        info = pool.submit(exchange_info_of, exchange, symbols)
        prices = pool.submit(prices_of, exchange, symbols)
        balances = pool.submit(exchange.balances)
        lists = pool.submit(exchange.open_order_lists)
        orders = _Pending.submit(exchange, pool, symbols)
        read_info = info.result()
        read_prices = prices.result()
        listed: Mapping[str, Decimal] = {}
        if read_prices is None or set(symbols) - set(read_info.symbols):  # an unknown symbol:
            listed = exchange.prices([])  # every price (weight 4): the known ones, and names
            read_prices = {s: listed[s] for s in read_info.symbols if s in listed}
        return _Snapshot(
            info=read_info,
            prices=read_prices,
            symbol_names=frozenset(listed),
            balances=balances.result(),
            lists=lists.result(),
            orders=orders.result(),
        )

    def look_up_latest_lists(self, first: _Snapshot, brackets: Sequence[Bracket]) -> _LatestLists:
        exchange, pool = self.exchange, self.pool
        missing = self._missing_symbols(first)
        # every list's legs (a plan shows an unmanaged list's side and quantity); rules: ours only
        uncovered = sorted({i.symbol for i in first.lists if not first.orders.covers(i.symbol)})
        orders = _Pending((), frozenset())
        if _has_account_count_filters(first.info) and first.orders.symbols is not None:
            orders = _Pending.submit(exchange, pool, None)  # exact account-wide counts
        elif uncovered:
            orders = _Pending.submit(exchange, pool, uncovered)
        extra_symbols = [s for s in missing if s not in first.info.symbols] if brackets else []
        info = pool.submit(exchange_info_of, exchange, extra_symbols) if extra_symbols else None
        closed = self._latest(_history_ids(brackets, first.lists, self.owner))
        merged_info = first.info if info is None else merge_info(first.info, info.result())
        snapshot = replace(first, orders=first.orders.merge(orders.result()), info=merged_info)
        found, archived = _results(closed())
        return _LatestLists(snapshot, found, archived)

    def _latest(self, ids: Sequence[str]) -> Callable[[], Mapping[str, Future[OrderList | None]]]:
        """The latest list of each id: a history scan when cheaper, else one lookup each."""
        scanned = latest_by_scan(self.exchange, ids) if scan_pages_allowed(len(ids)) else None
        if scanned is not None:
            return lambda: {key: _done(item) for key, item in scanned.items()}
        lookups = {list_id: self.pool.submit(self.exchange.order_list, list_id) for list_id in ids}
        return lambda: lookups

    def _missing_symbols(self, first: _Snapshot) -> list[str]:
        managed = {
            item.symbol for item in first.lists if is_managed(self.owner, item.list_client_order_id)
        }
        return sorted(symbol for symbol in managed if not first.orders.covers(symbol))

    def read_history(self, latest: _LatestLists) -> tuple[dict[str, ListHistory], Legs]:
        known: dict[tuple[str, int], OrderReport | None] = {
            (r.symbol, r.order_id): r for r in latest.snapshot.orders.reports
        }
        futures: dict[tuple[str, int], Future[OrderReport | None]] = {}
        for item in latest.closed.values():
            for ref in () if item is None else item.orders:
                key = (ref.symbol, ref.order_id)
                if key not in known and key not in futures:
                    futures[key] = self.pool.submit(self.exchange.order, ref.symbol, ref.order_id)
        looked_up, archived = _results(futures)
        legs = {**looked_up, **known}
        history = {
            list_id: _history(list_id, item, legs, archived)
            for list_id, item in latest.closed.items()
            if item is None or not item.is_open
        }
        history.update({list_id: archived_list(list_id) for list_id in latest.archived})
        return history, legs


K = TypeVar("K")


def _results(
    futures: Mapping[K, Future[T | None]],
) -> tuple[dict[K, T | None], frozenset[K]]:
    """Each lookup's answer, and the keys the exchange answered -2026 ORDER_ARCHIVED for: they
    read as not found here and are classified as ended without a fill (core/history.py)."""
    answers: dict[K, T | None] = {}
    archived: set[K] = set()
    for key, future in futures.items():
        try:
            answers[key] = future.result()
        except ArchivedOrderError:
            archived.add(key)
    return answers, frozenset(archived)


def _done(value: T) -> Future[T]:
    future: Future[T] = Future()
    future.set_result(value)
    return future


def _history(
    list_id: str,
    item: OrderList | None,
    legs: Mapping[tuple[str, int], OrderReport | None],
    archived: frozenset[tuple[str, int]],
) -> ListHistory:
    if item is None:
        return classify(list_id, None, ())
    keys = [(ref.symbol, ref.order_id) for ref in item.orders]
    reports = [legs.get(key) for key in keys]
    found = _sorted_legs(report for report in reports if report is not None)
    gone = sum(key in archived for key in keys)
    return classify(list_id, replace(item, reports=found), reports, archived=gone)


def _not_open(
    brackets: Sequence[Bracket], open_lists: Sequence[OrderList], owner: str
) -> list[Bracket]:
    """The brackets the plan may place: those whose own list is not open (an open one is the
    bracket as desired: its id carries the bracket's content, identity.py)."""
    open_ids = {item.list_client_order_id for item in open_lists}
    return [b for b in brackets if bracket_ids(owner, b).list_client_order_id not in open_ids]


def _history_ids(
    brackets: Sequence[Bracket], open_lists: Sequence[OrderList], owner: str
) -> list[str]:
    """List client ids to look up: each desired bracket's own id when that list is not open, and
    the id its ``adopt`` names when neither is open (only at rev 0: see planner.py)."""
    open_ids = {item.list_client_order_id for item in open_lists}
    wanted: list[str] = []
    for bracket in brackets:
        own = bracket_ids(owner, bracket).list_client_order_id
        if own in open_ids:
            continue
        wanted.append(own)
        if bracket.adopt and bracket.rev == 0 and bracket.adopt not in open_ids:
            wanted.append(bracket.adopt)
    return sorted(set(wanted))


def _has_account_count_filters(info: ExchangeInfo) -> bool:
    filters = info.account_filters
    return (
        filters.max_num_orders is not None
        or filters.max_num_algo_orders is not None
        or (filters.max_num_iceberg_orders is not None)
    )
