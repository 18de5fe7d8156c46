"""The simulated exchange's engine: one account, its balances, symbols, prices and order lists.

Everything behind one lock; the clock (ms) is injected. The wire layer (``app.py``) parses and
checks parameters, then calls :meth:`Engine.place_oco`, :meth:`Engine.cancel_order_list` ... and
renders the records with ``shapes.py``; ``sim price`` calls :meth:`Engine.set_price`.

Modelled (rest-api.md "New Order list - OCO (TRADE)", filters.md, the Binance support article on
OCO orders):

* Placement: the rules of ``rules.py``, then the matching engine's own checks in this order:
  duplicate ``listClientOrderId`` among open lists / leg ``clientOrderId`` among open orders
  ("Duplicate order sent."), the price relationship with the last price, the free balance.
* Locking: a SELL OCO locks ``quantity`` of the base asset once (both legs share it); a BUY OCO
  locks ``quantity x`` the higher leg price (limit price, else stop price) of the quote asset.
* Order ids: the stop-loss leg first, then the take-profit leg (as in the docs' examples).
* Matching on a price move (:meth:`Engine.set_price`): a resting LIMIT_MAKER fills at its price when
  the market reaches it; a STOP_LOSS / TAKE_PROFIT leg triggers when its stop price is reached (SELL
  stop: price <= stop; SELL take-profit: price >= stop; BUY mirrored) and fills at the new price;
  a STOP_LOSS_LIMIT / TAKE_PROFIT_LIMIT leg triggers and becomes a working limit order (filled at
  once at the market price when marketable, else later at its limit price). The moment one leg
  fills or triggers - even partly - the other expires with ``expiryReason`` ``OCO_TRIGGER`` and the
  list becomes ``ALL_DONE``; a still-working leg stays in ``openOrders`` with its ``orderListId``.
* Cancelling a list (or any of its legs) cancels both legs and renames them to the cancel's
  ``newClientOrderId`` (the old id moves to ``origClientOrderId``), which frees the ids.
* Balances settle at the fill price; fees are zero.

Simplified: the reference price of every filter is the last price; a trailing leg without a stop
price gets a fixed trigger ``last x (1 +/- delta/10000)`` at placement; there is no order book, so
every fill is for the whole remaining quantity unless forced partial with :meth:`force_fill`.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from oco_reconcile.errors import UsageError
from oco_reconcile.sim import codes
from oco_reconcile.sim.codes import SimError
from oco_reconcile.sim.rules import (
    ALGO_TYPES,
    STOP_LOSS_TYPES,
    FilterContext,
    LegSpec,
    OcoSpec,
    OpenCounts,
    check_exchange_filters,
    check_filters,
    check_price_relationship,
    validate_request,
)

Clock = Callable[[], int]
ZERO = Decimal(0)
OPEN_STATUSES = frozenset({"NEW", "PARTIALLY_FILLED"})
BPS = Decimal(10000)


@dataclass
class Holding:
    free: Decimal
    locked: Decimal = ZERO


@dataclass
class SimOrder:
    """One order (an OCO leg). ``placed_client_order_id`` never changes; ``client_order_id`` is
    renamed by a cancel."""

    order_id: int
    order_list_id: int
    symbol: str
    side: str
    type: str
    position: str
    client_order_id: str
    placed_client_order_id: str
    price: Decimal
    orig_qty: Decimal
    time_in_force: str
    self_trade_prevention_mode: str
    time: int
    update_time: int
    stop_price: Decimal | None = None
    trigger_price: Decimal | None = None
    trailing_delta: int | None = None
    iceberg_qty: Decimal | None = None
    strategy_id: int | None = None
    strategy_type: int | None = None
    status: str = "NEW"
    executed_qty: Decimal = ZERO
    cummulative_quote_qty: Decimal = ZERO
    working_time: int = -1
    is_working: bool = False
    expiry_reason: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def remaining(self) -> Decimal:
        return self.orig_qty - self.executed_qty

    @property
    def has_limit_price(self) -> bool:
        return self.price > 0

    @property
    def orig_client_order_id(self) -> str | None:
        """The id the order was placed with, once a cancel renamed it."""
        renamed = self.client_order_id != self.placed_client_order_id
        return self.placed_client_order_id if renamed else None


@dataclass
class SimOrderList:
    order_list_id: int
    symbol: str
    list_client_order_id: str
    side: str
    transaction_time: int
    order_ids: list[int]
    lock_asset: str
    lock_amount: Decimal = ZERO
    contingency_type: str = "OCO"
    list_status_type: str = "EXEC_STARTED"
    list_order_status: str = "EXECUTING"

    @property
    def is_open(self) -> bool:
        return self.list_order_status == "EXECUTING"


@dataclass(frozen=True)
class Event:
    """One line of the event log: what happened to which list, when (ms)."""

    time: int
    kind: str  # placed | cancelled | triggered | filled | partially_filled | expired | price
    symbol: str
    order_list_id: int | None = None
    list_client_order_id: str | None = None
    order_id: int | None = None
    client_order_id: str | None = None
    detail: str = ""


@dataclass
class EngineState:
    """Everything the engine knows; ``store.py`` persists it as JSON."""

    symbols: dict[str, dict[str, Any]]
    rate_limits: list[dict[str, Any]]
    exchange_filters: list[dict[str, Any]]
    prices: dict[str, Decimal]
    price_times: dict[str, int]
    balances: dict[str, Holding]
    orders: dict[int, SimOrder] = field(default_factory=dict)
    lists: dict[int, SimOrderList] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    next_order_id: int = 1
    next_order_list_id: int = 1
    next_client_seq: int = 1
    update_time: int = 0


@dataclass(frozen=True)
class CancelResult:
    """A cancel either took a whole list (``order_list`` set) or one stray working order."""

    orders: tuple[SimOrder, ...]
    order_list: SimOrderList | None = None


class Engine:
    """The state machine. Public methods take the lock; callers that render records after a call
    hold :attr:`lock` around both (it is re-entrant)."""

    def __init__(self, state: EngineState, clock: Clock) -> None:
        self.state = state
        self.clock = clock
        self.lock = threading.RLock()
        self.revision = 0

    # --- reads ------------------------------------------------------------------------------

    def symbol(self, name: str) -> dict[str, Any]:
        info = self.state.symbols.get(name)
        if info is None:
            raise SimError(-1121, codes.MSG_BAD_SYMBOL)
        return info

    def last_price(self, symbol: str) -> Decimal:
        self.symbol(symbol)
        return self.state.prices[symbol]

    def open_order_lists(self) -> list[SimOrderList]:
        with self.lock:
            return [item for _, item in sorted(self.state.lists.items()) if item.is_open]

    def open_orders(self, symbol: str | None = None) -> list[SimOrder]:
        with self.lock:
            return [
                order
                for _, order in sorted(self.state.orders.items())
                if order.is_open and (symbol is None or order.symbol == symbol)
            ]

    def orders_of(self, order_list: SimOrderList) -> list[SimOrder]:
        return [self.state.orders[order_id] for order_id in order_list.order_ids]

    def find_order_list(self, order_list_id: int | None, client_id: str | None) -> SimOrderList:
        """``GET /api/v3/orderList``: by id, else the latest list with that client id (-2018)."""
        with self.lock:
            found = self._list_by_id(order_list_id) if order_list_id is not None else None
            if order_list_id is None and client_id is not None:
                found = self._latest_list(client_id)
            if found is None:
                raise SimError(-2018, codes.MSG_NO_SUCH_ORDER_LIST)
            return found

    def _list_by_id(self, order_list_id: int) -> SimOrderList | None:
        return self.state.lists.get(order_list_id)

    def _latest_list(self, client_id: str) -> SimOrderList | None:
        matches = [
            item for item in self.state.lists.values() if item.list_client_order_id == client_id
        ]
        return max(matches, key=lambda item: item.order_list_id, default=None)

    def all_order_lists(
        self, from_id: int | None, start: int | None, end: int | None, limit: int
    ) -> list[SimOrderList]:
        """``GET /api/v3/allOrderList``: ascending from ``fromId``/``startTime``; otherwise the
        most recent ``limit`` lists, newest first (as the docs' example lists them)."""
        with self.lock:
            lists = [item for _, item in sorted(self.state.lists.items())]
            if from_id is not None:
                return [item for item in lists if item.order_list_id >= from_id][:limit]
            if start is not None or end is not None:
                low = start if start is not None else (end or 0) - 24 * 3_600_000
                high = end if end is not None else low + 24 * 3_600_000
                picked = [item for item in lists if low <= item.transaction_time <= high]
                return picked[:limit]
            return list(reversed(lists))[:limit]

    def find_order(self, symbol: str, order_id: int | None, client_id: str | None) -> SimOrder:
        """``GET /api/v3/order``: -2013 when unknown, -2039 when both ids disagree."""
        with self.lock:
            self.symbol(symbol)
            if order_id is not None:
                order = self.state.orders.get(order_id)
                if order is None or order.symbol != symbol:
                    raise SimError(-2013, codes.MSG_NO_SUCH_ORDER)
                if client_id is not None and client_id not in _ids_of(order):
                    raise SimError(-2039, codes.MSG_CLIENT_ID_MISMATCH)
                return order
            order = self._order_by_client_id(symbol, client_id or "")
            if order is None:
                raise SimError(-2013, codes.MSG_NO_SUCH_ORDER)
            return order

    def _order_by_client_id(self, symbol: str, client_id: str) -> SimOrder | None:
        candidates = [
            order
            for order in self.state.orders.values()
            if order.symbol == symbol and client_id in _ids_of(order)
        ]
        open_first = sorted(candidates, key=lambda order: (order.is_open, order.order_id))
        return open_first[-1] if open_first else None

    def balances(self) -> list[tuple[str, Holding]]:
        with self.lock:
            return list(self.state.balances.items())

    def events(self) -> list[Event]:
        with self.lock:
            return list(self.state.events)

    # --- placement ----------------------------------------------------------------------------

    def place_oco(self, spec: OcoSpec) -> SimOrderList:
        """Validate like Binance, then open the list, lock the balance and log ``placed``."""
        with self.lock:
            symbol = self.symbol(spec.symbol)
            validate_request(symbol, spec)
            last = self.state.prices[spec.symbol]
            context = FilterContext(last, self._counts(spec.symbol), self._counts(None))
            check_filters(symbol, spec, context)
            check_exchange_filters(self.state.exchange_filters, spec, context)
            self._check_duplicates(spec)
            check_price_relationship(spec, last)
            lock_asset, lock_amount = self._lock_needed(symbol, spec, last)
            if self._holding(lock_asset).free < lock_amount:
                raise codes.rejected(codes.MSG_INSUFFICIENT_BALANCE)
            return self._open_list(symbol, spec, last, lock_asset)

    def _counts(self, symbol: str | None) -> OpenCounts:
        orders = self.open_orders(symbol)
        lists = [item for item in self.open_order_lists() if symbol in (None, item.symbol)]
        return OpenCounts(
            orders=len(orders),
            algo_orders=sum(1 for order in orders if order.type in ALGO_TYPES),
            iceberg_orders=sum(1 for order in orders if order.iceberg_qty is not None),
            order_lists=len(lists),
        )

    def _check_duplicates(self, spec: OcoSpec) -> None:
        list_id = spec.list_client_order_id
        if list_id and any(
            item.list_client_order_id == list_id for item in self.open_order_lists()
        ):
            raise codes.rejected(codes.MSG_DUPLICATE_ORDER)
        open_ids = {order.client_order_id for order in self.open_orders()}
        if any(leg.client_order_id in open_ids for leg in spec.legs if leg.client_order_id):
            raise codes.rejected(codes.MSG_DUPLICATE_ORDER)

    def _lock_needed(
        self, symbol: Mapping[str, Any], spec: OcoSpec, last: Decimal
    ) -> tuple[str, Decimal]:
        if spec.side == "SELL":
            return str(symbol["baseAsset"]), spec.quantity
        prices = [_leg_lock_price(leg, last, spec.side) for leg in spec.legs]
        return str(symbol["quoteAsset"]), spec.quantity * max(prices)

    def _open_list(
        self,
        symbol: Mapping[str, Any],
        spec: OcoSpec,
        last: Decimal,
        lock_asset: str,
    ) -> SimOrderList:
        now = self.clock()
        list_id = self._take_list_id()
        stop_leg, take_profit_leg = sorted(spec.legs, key=lambda leg: leg.is_take_profit)
        default_stp = str(symbol.get("defaultSelfTradePreventionMode", "NONE"))
        stp = spec.self_trade_prevention_mode or default_stp
        orders = [
            self._new_order(spec, leg, list_id, last=last, stp=stp, now=now)
            for leg in (stop_leg, take_profit_leg)
        ]
        client_id = spec.list_client_order_id or self._auto_client_id()
        order_list = SimOrderList(
            order_list_id=list_id,
            symbol=spec.symbol,
            list_client_order_id=client_id,
            side=spec.side,
            transaction_time=now,
            order_ids=[order.order_id for order in orders],
            lock_asset=lock_asset,
        )
        self.state.lists[list_id] = order_list
        self._relock(order_list)  # the same amount _lock_needed checked against the balance
        self._log(now, "placed", order_list, detail=f"{spec.side} {spec.quantity}")
        return order_list

    def _new_order(
        self, spec: OcoSpec, leg: LegSpec, list_id: int, *, last: Decimal, stp: str, now: int
    ) -> SimOrder:
        order_id = self.state.next_order_id
        self.state.next_order_id += 1
        client_id = leg.client_order_id or self._auto_client_id()
        resting = leg.type == "LIMIT_MAKER"
        order = SimOrder(
            order_id=order_id,
            order_list_id=list_id,
            symbol=spec.symbol,
            side=spec.side,
            type=leg.type,
            position=leg.position,
            client_order_id=client_id,
            placed_client_order_id=client_id,
            price=leg.price if leg.price is not None else ZERO,
            orig_qty=spec.quantity,
            time_in_force=leg.time_in_force or "GTC",
            self_trade_prevention_mode=stp,
            time=now,
            update_time=now,
            stop_price=leg.stop_price,
            trigger_price=_trigger_price(leg, spec.side, last),
            trailing_delta=leg.trailing_delta,
            iceberg_qty=leg.iceberg_qty,
            strategy_id=leg.strategy_id,
            strategy_type=leg.strategy_type,
            working_time=now if resting else -1,
            is_working=resting,
        )
        self.state.orders[order_id] = order
        return order

    def _take_list_id(self) -> int:
        list_id = self.state.next_order_list_id
        self.state.next_order_list_id += 1
        return list_id

    def _auto_client_id(self) -> str:
        """A 22-character id like Binance generates, but deterministic (a counter's hash)."""
        seq = self.state.next_client_seq
        self.state.next_client_seq += 1
        digest = hashlib.sha256(f"oco-reconcile-sim-{seq}".encode()).digest()
        alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        return "".join(alphabet[byte % len(alphabet)] for byte in digest[:22])

    # --- cancelling ---------------------------------------------------------------------------

    def cancel_order_list(
        self,
        symbol: str,
        order_list_id: int | None,
        list_client_order_id: str | None,
        new_client_order_id: str | None,
    ) -> CancelResult:
        """``DELETE /api/v3/orderList``: -2011 "Unknown order list sent." unless open."""
        with self.lock:
            self.symbol(symbol)
            found = self._open_list_for_cancel(symbol, order_list_id, list_client_order_id)
            if found is None:
                raise codes.cancel_rejected(codes.MSG_UNKNOWN_ORDER_LIST)
            return self._cancel_list(found, new_client_order_id)

    def _open_list_for_cancel(
        self, symbol: str, order_list_id: int | None, client_id: str | None
    ) -> SimOrderList | None:
        for item in self.open_order_lists():
            if item.symbol != symbol:
                continue
            if order_list_id is not None and item.order_list_id != order_list_id:
                continue
            if client_id is not None and item.list_client_order_id != client_id:
                continue
            return item
        return None

    def _cancel_list(self, order_list: SimOrderList, cancel_id: str | None) -> CancelResult:
        now = self.clock()
        new_id = cancel_id or self._auto_client_id()
        orders = self.orders_of(order_list)
        for order in orders:
            if order.is_open:
                self._cancel(order, new_id, now)
        self._close_list(order_list, now)
        self._log(now, "cancelled", order_list, client_order_id=new_id)
        return CancelResult(tuple(orders), order_list)

    def _cancel(self, order: SimOrder, new_id: str, now: int) -> None:
        order.status = "CANCELED"
        order.client_order_id = new_id
        order.update_time = now
        order.is_working = False

    def cancel_order(
        self,
        symbol: str,
        *,
        order_id: int | None,
        client_id: str | None,
        new_client_order_id: str | None,
        restriction: str | None,
    ) -> CancelResult:
        """``DELETE /api/v3/order``: a leg of an open list cancels the whole list."""
        with self.lock:
            self.symbol(symbol)
            order = self._open_order_for_cancel(symbol, order_id, client_id)
            _check_restriction(order, restriction)
            order_list = self.state.lists.get(order.order_list_id)
            if order_list is not None and order_list.is_open:
                return self._cancel_list(order_list, new_client_order_id)
            now = self.clock()
            self._cancel(order, new_client_order_id or self._auto_client_id(), now)
            if order_list is not None:
                self._relock(order_list)
                self._log(now, "cancelled", order_list, order, detail="working leg")
            return CancelResult((order,))

    def _open_order_for_cancel(
        self, symbol: str, order_id: int | None, client_id: str | None
    ) -> SimOrder:
        if order_id is not None:
            order = self.state.orders.get(order_id)
            matches = order is not None and order.symbol == symbol
            if not matches or (client_id is not None and client_id not in _ids_of(order)):
                raise codes.cancel_rejected(codes.MSG_UNKNOWN_ORDER)
        else:
            order = next(
                (o for o in self.open_orders(symbol) if o.client_order_id == client_id), None
            )
        if order is None or not order.is_open:
            raise codes.cancel_rejected(codes.MSG_UNKNOWN_ORDER)
        return order

    # --- the market ---------------------------------------------------------------------------

    def set_price(self, symbol: str, price: Decimal) -> list[Event]:
        """Move the last price and match every open order of the symbol against it."""
        with self.lock:
            if symbol not in self.state.symbols:
                raise UsageError(f"unknown symbol {symbol!r}")
            if price <= 0:
                raise UsageError("the price must be positive")
            before = len(self.state.events)
            now = self.clock()
            self.state.prices[symbol] = price
            self.state.price_times[symbol] = now
            self.state.events.append(Event(now, "price", symbol, detail=str(price)))
            for order in self.open_orders(symbol):
                self._match(order, price, now)
            self.revision += 1
            return self.state.events[before:]

    def _match(self, order: SimOrder, price: Decimal, now: int) -> None:
        if not order.is_open:  # an earlier order of the same list expired it
            return
        if order.is_working:
            if order.has_limit_price and _crosses(order, price):
                self._fill(order, order.remaining, order.price, now)
            return
        if order.trigger_price is not None and _triggers(order, order.trigger_price, price):
            self._trigger(order, now)
            if not order.has_limit_price:
                self._fill(order, order.remaining, price, now)
            elif _crosses(order, price):
                self._fill(order, order.remaining, price, now)  # marketable: a taker fill

    def _trigger(self, order: SimOrder, now: int) -> None:
        order.is_working = True
        order.working_time = now
        order.update_time = now
        order_list = self.state.lists[order.order_list_id]
        self._log(now, "triggered", order_list, order)
        self._activate(order_list, order, now)

    def _activate(self, order_list: SimOrderList, active: SimOrder, now: int) -> None:
        """One leg started working or filled: the others expire (OCO_TRIGGER), the list is done."""
        if not order_list.is_open:
            return
        for sibling in self.orders_of(order_list):
            if sibling.order_id != active.order_id and sibling.is_open:
                sibling.status = "EXPIRED"
                sibling.expiry_reason = "OCO_TRIGGER"
                sibling.update_time = now
                sibling.is_working = False
                self._log(now, "expired", order_list, sibling, detail="OCO_TRIGGER")
        self._close_list(order_list, now)

    def _close_list(self, order_list: SimOrderList, now: int) -> None:
        order_list.list_status_type = "ALL_DONE"
        order_list.list_order_status = "ALL_DONE"
        order_list.transaction_time = now
        self._relock(order_list)

    def _fill(self, order: SimOrder, qty: Decimal, price: Decimal, now: int) -> None:
        order_list = self.state.lists[order.order_list_id]
        self._settle(order_list, order, qty, price)
        order.executed_qty += qty
        order.cummulative_quote_qty += qty * price
        order.status = "FILLED" if order.remaining == 0 else "PARTIALLY_FILLED"
        order.update_time = now
        if order.working_time < 0:
            order.working_time = now
        order.is_working = order.is_open
        kind = "filled" if order.status == "FILLED" else "partially_filled"
        self._log(now, kind, order_list, order, detail=f"{qty} @ {price}")
        self._activate(order_list, order, now)
        self._relock(order_list)

    # --- balances -----------------------------------------------------------------------------

    def _holding(self, asset: str) -> Holding:
        return self.state.balances.setdefault(asset, Holding(ZERO))

    def _settle(
        self, order_list: SimOrderList, order: SimOrder, qty: Decimal, price: Decimal
    ) -> None:
        """Move the filled part out of the lock and credit the other asset (no fees)."""
        symbol = self.state.symbols[order.symbol]
        base, quote = self._holding(symbol["baseAsset"]), self._holding(symbol["quoteAsset"])
        if order.side == "SELL":
            base.locked -= qty
            order_list.lock_amount -= qty
            quote.free += qty * price
            return
        reserved = qty * self._order_lock_price(order)
        quote.locked -= reserved
        order_list.lock_amount -= reserved
        quote.free += reserved - qty * price
        base.free += qty

    def _order_lock_price(self, order: SimOrder) -> Decimal:
        if order.has_limit_price:
            return order.price
        return order.trigger_price or self.state.prices[order.symbol]

    def _relock(self, order_list: SimOrderList) -> None:
        """Keep the locked amount equal to what the list's open orders still need."""
        needed = ZERO
        for order in self.orders_of(order_list):
            if order.is_open:
                per_unit = 1 if order.side == "SELL" else self._order_lock_price(order)
                needed = max(needed, order.remaining * per_unit)
        delta = needed - order_list.lock_amount
        holding = self._holding(order_list.lock_asset)
        holding.free -= delta
        holding.locked += delta
        order_list.lock_amount = needed

    # --- forced fills (tests, ``sim fill``) ---------------------------------------------------

    def force_fill(
        self, list_client_order_id: str, qty: Decimal, position: str | None = None
    ) -> SimOrder:
        """Fill ``qty`` of one leg of the latest list with that id, at the leg's own price.

        The leg is ``position`` (``above``/``below``) or, by default, the leg working on the book,
        else the take-profit leg. A partial fill activates the leg like a full one: the other leg
        expires and the list is done (Binance: "if one is fully or partially filled, the other is
        canceled").
        """
        with self.lock:
            order_list = self._latest_list(list_client_order_id)
            if order_list is None:
                raise UsageError(f"no order list {list_client_order_id!r}")
            order = self._leg_to_fill(order_list, position)
            if qty <= 0:
                raise UsageError("the quantity must be positive")
            now = self.clock()
            if not order.is_working:
                self._trigger(order, now)
            price = order.price if order.has_limit_price else order.trigger_price or ZERO
            self._fill(order, min(qty, order.remaining), price, now)
            self.revision += 1
            return order

    def _leg_to_fill(self, order_list: SimOrderList, position: str | None) -> SimOrder:
        legs = [order for order in self.orders_of(order_list) if order.is_open]
        if position is not None:
            legs = [order for order in legs if order.position == position]
        working = [order for order in legs if order.is_working]
        take_profit = [order for order in legs if order.type not in STOP_LOSS_TYPES]
        chosen = (working or take_profit or legs)[:1]
        if not chosen:
            raise UsageError(f"order list {order_list.list_client_order_id!r} has no open leg")
        return chosen[0]

    # --- log ----------------------------------------------------------------------------------

    def _log(
        self,
        now: int,
        kind: str,
        order_list: SimOrderList,
        order: SimOrder | None = None,
        *,
        client_order_id: str | None = None,
        detail: str = "",
    ) -> None:
        self.state.events.append(
            Event(
                time=now,
                kind=kind,
                symbol=order_list.symbol,
                order_list_id=order_list.order_list_id,
                list_client_order_id=order_list.list_client_order_id,
                order_id=order.order_id if order else None,
                client_order_id=order.client_order_id if order else client_order_id,
                detail=detail,
            )
        )
        self.state.update_time = now
        self.revision += 1


def _ids_of(order: SimOrder | None) -> tuple[str, ...]:
    if order is None:
        return ()
    return (order.client_order_id, order.placed_client_order_id)


def _check_restriction(order: SimOrder, restriction: str | None) -> None:
    wanted = {"ONLY_NEW": "NEW", "ONLY_PARTIALLY_FILLED": "PARTIALLY_FILLED"}
    if restriction is not None and order.status != wanted[restriction]:
        raise codes.cancel_rejected(codes.MSG_CANCEL_RESTRICTED)


def _trigger_price(leg: LegSpec, side: str, last: Decimal) -> Decimal | None:
    """The stop price, or for a trailing-only leg a fixed trigger derived from the last price."""
    if leg.type == "LIMIT_MAKER":
        return None
    if leg.stop_price is not None:
        return leg.stop_price
    delta = Decimal(leg.trailing_delta or 0) / BPS
    above = (side == "BUY") == (leg.type in STOP_LOSS_TYPES)
    return last * (1 + delta) if above else last * (1 - delta)


def _leg_lock_price(leg: LegSpec, last: Decimal, side: str) -> Decimal:
    if leg.price is not None:
        return leg.price
    return _trigger_price(leg, side, last) or last


def _crosses(order: SimOrder, price: Decimal) -> bool:
    """A resting limit order trades when the market reaches its price."""
    return price >= order.price if order.side == "SELL" else price <= order.price


def _triggers(order: SimOrder, trigger: Decimal, price: Decimal) -> bool:
    """Stop-loss: SELL below, BUY above; take-profit: SELL above, BUY below (rest-api.md)."""
    stop = order.type in STOP_LOSS_TYPES
    fires_when_price_falls = (order.side == "SELL") == stop
    return price <= trigger if fires_when_price_falls else price >= trigger
