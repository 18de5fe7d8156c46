"""The engine's state as a JSON file, so ``plan``, ``apply``, ``plan`` work across commands.

The location is the ``sim_state`` setting (default ``.oco-reconcile/sim.json`` beside
``oco-reconcile.yaml``); a fresh account is seeded from the package data ``sim/data/seed.json``.
Decimals are written as strings, never floats. Writes are atomic (a temporary file in the same
directory, then ``os.replace``). :class:`StateFile` remembers the file's stamp after each load
or save, so a process can notice that another one (``sim price`` while ``sim serve`` runs) changed
it and reload. Two processes writing at the same moment: the last write wins.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
import threading
from dataclasses import asdict
from decimal import Decimal
from importlib import resources
from pathlib import Path

from oco_reconcile.errors import UsageError
from oco_reconcile.json_types import JsonObject
from oco_reconcile.sim.engine.records import (
    EngineState,
    Event,
    Holding,
    SimOrder,
    SimOrderList,
    SimTrade,
)

# The event log is for `sim status` and tests; a state file keeps only its recent end so that saving
# after every request stays cheap on long-lived accounts (in-memory simulators keep everything).
MAX_PERSISTED_EVENTS = 5000
MAX_PERSISTED_TRADES = 5000  # likewise for the fills (myTrades); trade ids keep counting
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
    return EngineState(
        symbols=symbols,
        rate_limits=seed["rateLimits"],
        exchange_filters=seed["exchangeFilters"],
        prices={name: Decimal(value) for name, value in account["prices"].items()},
        price_times=dict.fromkeys(account["prices"], now),
        balances={asset: Holding(Decimal(v)) for asset, v in account["balances"].items()},
        update_time=now,
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


def state_from_json(data: JsonObject) -> EngineState:
    if data.get("format") != FORMAT_VERSION:
        raise UsageError(f"simulator state format {data.get('format')!r} is not supported")
    counters = data["counters"]
    orders = [SimOrder(**_decimals(item)) for item in data["orders"]]
    lists = [SimOrderList(**_decimals(item)) for item in data["orderLists"]]
    return EngineState(
        symbols={item["symbol"]: item for item in data["symbols"]},
        rate_limits=data["rateLimits"],
        exchange_filters=data["exchangeFilters"],
        prices={name: Decimal(value) for name, value in data["prices"].items()},
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
    )


class StateFile:
    """One state file: load (or seed), atomic save, and change detection by stamp."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._stamp: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def exists(self) -> bool:
        return self.path.exists()

    def load(self) -> EngineState:
        try:
            text = self.path.read_text(encoding="utf-8")
            state = state_from_json(json.loads(text))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise UsageError(
                f"cannot read the simulator state {self.path}: {error} "
                "(`oco-reconcile sim reset` starts afresh)"
            ) from None
        self._stamp = self._current_stamp()
        return state

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
            self._stamp = self._current_stamp()

    def changed_since_last_seen(self) -> bool:
        return self.exists() and self._current_stamp() != self._stamp

    def _current_stamp(self) -> tuple[int, int] | None:
        try:
            info = self.path.stat()
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size)
