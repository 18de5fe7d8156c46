"""A small digest of the state: what each order, list, balance, algo order and position is at,
so that two looks at the engine can be compared (``watch.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from oco_reconcile.sim.engine.records import EngineState

OrderMark = tuple[str, Decimal, Decimal, str]  # status, executed qty, quote qty, client id
ListMark = tuple[str, str]  # listStatusType, listOrderStatus
AlgoMark = str
FuturesMark = tuple[str, Decimal]
BalanceMark = tuple[Decimal, Decimal]


@dataclass
class Digest:
    orders: dict[int, OrderMark] = field(default_factory=dict)
    lists: dict[int, ListMark] = field(default_factory=dict)
    balances: dict[str, BalanceMark] = field(default_factory=dict)
    algos: dict[int, AlgoMark] = field(default_factory=dict)
    futures_orders: dict[int, FuturesMark] = field(default_factory=dict)
    positions: dict[tuple[str, str], Decimal] = field(default_factory=dict)


def digest(state: EngineState) -> Digest:
    usdm_state = state.usdm
    return Digest(
        orders={
            key: (o.status, o.executed_qty, o.cummulative_quote_qty, o.client_order_id)
            for key, o in state.orders.items()
        },
        lists={
            key: (item.list_status_type, item.list_order_status)
            for key, item in state.lists.items()
        },
        balances={asset: (held.free, held.locked) for asset, held in state.balances.items()},
        algos={key: algo.status for key, algo in usdm_state.algo_orders.items()},
        futures_orders={key: (o.status, o.executed_qty) for key, o in usdm_state.orders.items()},
        positions={key: held.amount for key, held in usdm_state.positions.items()},
    )
