"""The engine's state as a JSON file, so ``plan``, ``apply``, ``plan`` work across commands.

The location is the ``sim_state`` setting (default ``.oco-reconcile/sim.json`` beside
``oco-reconcile.yaml``); a fresh account is seeded from the package data ``sim/data/seed.json``.
Decimals are written as strings, never floats. Writes are atomic (a temporary file in the same
directory, then ``os.replace``). Reading is bounded (``files.py``) and checked: a file that is
not a state this tool wrote is one :class:`UsageError` naming it.

Processes share the file the way clients share one exchange: :meth:`StateFile.locked` holds an
exclusive ``flock`` on ``<state>.lock`` around each load-modify-save (``exchange.py`` takes it for
every engine access), so concurrent commands never lose an update or hand out an id twice. The
lock file also counts saves; with the file's own stamp that tells a process that another one
changed the state (mtimes are too coarse to tell two quick saves apart) and it must reload.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import IO

from oco_reconcile.errors import UsageError
from oco_reconcile.files import FileReadError, read_bounded
from oco_reconcile.json_types import JsonObject

if sys.platform != "win32":
    import fcntl

from oco_reconcile.sim.engine.records import (
    NO_ORDER_LIST,
    EngineState,
    Event,
    Holding,
    SimOrder,
    SimOrderList,
    SimTrade,
)
from oco_reconcile.sim.engine.usdm.store import futures_from_json, futures_to_json, seeded_futures

# The event log is for `sim status` and tests; a state file keeps only its recent end so that saving
# after every request stays cheap on long-lived accounts (in-memory simulators keep everything).
MAX_PERSISTED_EVENTS = 5000
MAX_PERSISTED_TRADES = 5000  # likewise for the fills (myTrades); trade ids keep counting
# A state of 100,000 orders is about 60 MiB of JSON; anything larger is not a state this wrote.
MAX_STATE_BYTES = 256 * 1024 * 1024
FORMAT_VERSION = 1
SEED_PACKAGE = "oco_reconcile.sim"  # sim/data/seed.json, the package data pyproject.toml lists
_DECIMAL_FIELDS = {
    "price",
    "orig_qty",
    "stop_price",
    "trigger_price",
    "iceberg_qty",
    "executed_qty",
    "cummulative_quote_qty",
    "lock_amount",
    "qty",
    "quote_qty",
}


@functools.cache
def _seed_text() -> str:
    return resources.files(SEED_PACKAGE).joinpath("data/seed.json").read_text("utf-8")


def seed_data() -> JsonObject:
    """The packaged seed: symbols (BTCUSDT recorded, others in its shape), limits, account.
    A fresh copy each time: the engine mutates what it is given."""
    data: JsonObject = json.loads(_seed_text())
    return data


def seeded_state(now: int) -> EngineState:
    seed = seed_data()
    symbols = {item["symbol"]: item for item in seed["symbols"]}
    account = seed["account"]
    prices = {name: Decimal(value) for name, value in account["prices"].items()}
    return EngineState(
        symbols=symbols,
        rate_limits=seed["rateLimits"],
        exchange_filters=seed["exchangeFilters"],
        prices=dict(prices),
        price_times=dict.fromkeys(account["prices"], now),
        balances={asset: Holding(Decimal(v)) for asset, v in account["balances"].items()},
        update_time=now,
        usdm=seeded_futures(prices, now),
    )


def state_to_json(state: EngineState) -> JsonObject:
    return {
        "format": FORMAT_VERSION,
        "symbols": list(state.symbols.values()),
        "rateLimits": state.rate_limits,
        "exchangeFilters": state.exchange_filters,
        "prices": {name: str(value) for name, value in state.prices.items()},
        "priceTimes": state.price_times,
        "balances": {
            asset: {"free": str(held.free), "locked": str(held.locked)}
            for asset, held in state.balances.items()
        },
        "orders": [_record(order) for order in state.orders.values()],
        "orderLists": [_record(item) for item in state.lists.values()],
        "events": [asdict(event) for event in state.events[-MAX_PERSISTED_EVENTS:]],
        "trades": [_record(trade) for trade in state.trades[-MAX_PERSISTED_TRADES:]],
        "counters": {
            "nextOrderId": state.next_order_id,
            "nextOrderListId": state.next_order_list_id,
            "nextClientSeq": state.next_client_seq,
            "updateTime": state.update_time,
            "nextTradeId": state.next_trade_id,
        },
        "usdm": futures_to_json(state.usdm),
    }


def _record(record: SimOrder | SimOrderList | SimTrade) -> JsonObject:
    return {
        key: str(value) if isinstance(value, Decimal) else value
        for key, value in asdict(record).items()
    }


def _decimals(data: JsonObject) -> JsonObject:
    return {
        key: Decimal(value) if key in _DECIMAL_FIELDS and value is not None else value
        for key, value in data.items()
    }


class StateFormatError(Exception):
    """The JSON is not a simulator state this version wrote; the message says what is wrong."""


def state_from_json(data: object) -> EngineState:
    """The engine state in ``data``; raises :class:`StateFormatError` (or the ``KeyError``,
    ``TypeError`` ... that reading a wrong shape raises) for anything else."""
    if not isinstance(data, dict):
        raise StateFormatError(f"expected a JSON object, found {_json_kind(data)}")
    if data.get("format") != FORMAT_VERSION:
        raise StateFormatError(f"format {data.get('format')!r} is not supported")
    state = _state_from(data)
    _check_references(state)
    return state


def _json_kind(data: object) -> str:
    kinds = {list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return kinds.get(type(data), "a number")


def _check_references(state: EngineState) -> None:
    """Every id a record names exists: the engine looks them up without asking."""
    for item in state.lists.values():
        missing = [order_id for order_id in item.order_ids if order_id not in state.orders]
        if missing:
            raise StateFormatError(
                f"order list {item.order_list_id} names order {missing[0]}, which does not exist"
            )
    for order in state.orders.values():
        if order.order_list_id != NO_ORDER_LIST and order.order_list_id not in state.lists:
            raise StateFormatError(
                f"order {order.order_id} names order list {order.order_list_id}, "
                "which does not exist"
            )


def _state_from(data: JsonObject) -> EngineState:
    counters = data["counters"]
    orders = [SimOrder(**_decimals(item)) for item in data["orders"]]
    lists = [SimOrderList(**_decimals(item)) for item in data["orderLists"]]
    prices = {name: Decimal(value) for name, value in data["prices"].items()}
    usdm = data.get("usdm")  # absent in a state written before the futures account
    return EngineState(
        symbols={item["symbol"]: item for item in data["symbols"]},
        rate_limits=data["rateLimits"],
        exchange_filters=data["exchangeFilters"],
        prices=dict(prices),
        price_times={name: int(value) for name, value in data["priceTimes"].items()},
        balances={
            asset: Holding(Decimal(held["free"]), Decimal(held["locked"]))
            for asset, held in data["balances"].items()
        },
        orders={order.order_id: order for order in orders},
        lists={item.order_list_id: item for item in lists},
        events=[Event(**item) for item in data["events"]],
        trades=[SimTrade(**_decimals(item)) for item in data.get("trades", [])],
        next_order_id=int(counters["nextOrderId"]),
        next_order_list_id=int(counters["nextOrderListId"]),
        next_client_seq=int(counters["nextClientSeq"]),
        update_time=int(counters["updateTime"]),
        next_trade_id=int(counters.get("nextTradeId", 1)),
        usdm=futures_from_json(usdm) if usdm is not None else seeded_futures(prices, 0),
    )


# What reading a wrong shape raises: a missing key, a wrong type, bad Decimal text, deep nesting.
_MALFORMED = (KeyError, TypeError, AttributeError, ValueError, ArithmeticError, RecursionError)
_Stamp = tuple[int, int, int, int]


class StateFile:
    """One state file: load (or seed), atomic save, the cross-process lock, change detection."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._stamp: _Stamp | None = None
        self._lock = threading.Lock()
        self._lock_handle: IO[bytes] | None = None
        self._held: IO[bytes] | None = None  # the lock file, while :meth:`locked` holds it

    def exists(self) -> bool:
        return os.path.lexists(self.path)

    def load(self) -> EngineState:
        try:
            text = read_bounded(self.path, MAX_STATE_BYTES).decode("utf-8")
            state = state_from_json(json.loads(text))
        except FileReadError as error:
            raise self._unreadable(error.reason) from None
        except UnicodeDecodeError:
            raise self._unreadable("not UTF-8 text") from None
        except json.JSONDecodeError as error:
            raise self._unreadable(f"not JSON ({error.msg}, line {error.lineno})") from None
        except StateFormatError as error:
            raise self._unreadable(str(error)) from None
        except KeyError as error:
            raise self._unreadable(f"missing {error}") from None
        except _MALFORMED as error:
            raise self._unreadable(f"malformed ({type(error).__name__}: {error})") from None
        self._stamp = self._current_stamp()
        return state

    def _unreadable(self, reason: str) -> UsageError:
        return UsageError(
            f"cannot read the simulator state {self.path}: {reason} "
            "(`oco-reconcile sim reset` starts afresh)"
        )

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the state's exclusive lock (blocking until other processes release it). Not
        re-entrant: ``exchange.py`` nests it under one per-process lock."""
        if sys.platform == "win32":  # no flock: one process at a time, as before the lock
            yield
            return
        handle = self._lock_file()
        fcntl.flock(handle, fcntl.LOCK_EX)
        self._held = handle
        try:
            yield
        finally:
            self._held = None
            fcntl.flock(handle, fcntl.LOCK_UN)

    def _lock_file(self) -> IO[bytes]:
        """The lock file, opened once and kept (an open per request costs more than the lock)."""
        if self._lock_handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock_handle = self.lock_path.open("a+b")
        return self._lock_handle

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def save(self, state: EngineState) -> None:
        text = json.dumps(state_to_json(state), indent=1)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(
                prefix=self.path.name + ".", suffix=".tmp", dir=self.path.parent
            )
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    stream.write(text)
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            self._count_save()
            self._stamp = self._current_stamp()

    def changed_since_last_seen(self) -> bool:
        return self.exists() and self._current_stamp() != self._stamp

    def _count_save(self) -> None:
        if self._held is not None:
            count = self._saves() + 1
            self._held.seek(0)
            self._held.truncate()
            self._held.write(str(count).encode())
            self._held.flush()

    def _saves(self) -> int:
        if self._held is None:
            return 0
        self._held.seek(0)
        text = self._held.read(32)
        return int(text) if text.isdigit() else 0

    def _current_stamp(self) -> _Stamp | None:
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        return (self._saves(), info.st_mtime_ns, info.st_size, info.st_ino)
