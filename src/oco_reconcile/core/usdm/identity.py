"""Deterministic clientAlgoIds of a futures bracket's two legs (DESIGN.md "Futures brackets").

A bracket id is ``{owner}-{name}-{spec hash}`` exactly like a Spot list id, and its legs are
``{bracket id}-tp`` / ``{bracket id}-sl``, so :func:`~oco_reconcile.core.identity.parse_leg_id`
reads both venues' leg ids. Binance allows ``^[\\.A-Z\\:/a-z0-9_-]{1,36}$`` for a clientAlgoId
(New-Algo-Order.md), a superset of what these ids use. Nothing is random: a re-run after a crash
finds its own orders.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.identity import (
    STOP_LOSS_SUFFIX,
    TAKE_PROFIT_SUFFIX,
    list_id_for,
    short_hash,
)
from oco_reconcile.core.usdm.model import FuturesBracket, FuturesLeg, LegRole


def _leg_spec(leg: FuturesLeg) -> dict[str, object]:
    return {
        "type": leg.type.value,
        "trigger_price": to_wire(leg.trigger_price),
        "price": None if leg.price is None else to_wire(leg.price),
        "time_in_force": None if leg.time_in_force is None else leg.time_in_force.value,
    }


def futures_spec_hash(bracket: FuturesBracket) -> str:
    """Short hash of everything that goes to the exchange, plus ``rev`` (not ``protect``)."""
    spec = {
        "market": "usdm",
        "symbol": bracket.symbol,
        "side": bracket.side.value,
        "quantity": "close" if bracket.quantity is None else to_wire(bracket.quantity),
        "take_profit": _leg_spec(bracket.take_profit),
        "stop_loss": _leg_spec(bracket.stop_loss),
        "working_type": bracket.working_type.value,
        "price_protect": bracket.price_protect,
        "position_side": bracket.position_side.value,
        "rev": bracket.rev,
    }
    return short_hash(spec)


@dataclass(frozen=True)
class FuturesIds:
    bracket_id: str
    take_profit_id: str
    stop_loss_id: str

    def leg_id(self, role: LegRole) -> str:
        return self.take_profit_id if role is LegRole.TAKE_PROFIT else self.stop_loss_id


@functools.lru_cache(maxsize=65536)
def futures_ids(owner: str, bracket: FuturesBracket) -> FuturesIds:
    bracket_id = list_id_for(owner, bracket.name, futures_spec_hash(bracket))
    return FuturesIds(
        bracket_id=bracket_id,
        take_profit_id=bracket_id + TAKE_PROFIT_SUFFIX,
        stop_loss_id=bracket_id + STOP_LOSS_SUFFIX,
    )
