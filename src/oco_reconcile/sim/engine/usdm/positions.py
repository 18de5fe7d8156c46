"""Fills against positions, and the account's position mode (binance-api.md §10.5).

A fill changes one (symbol, positionSide) position: a BUY adds, a SELL subtracts (a SHORT is a
negative amount, in hedge mode too). Reduce-only and closePosition fills only shrink a position
towards zero, never flip it. Closing realises the PnL into the USDT wallet; margin, fees and
funding are not modelled (docs/simulator.md).
"""

from __future__ import annotations

from decimal import Decimal

from oco_reconcile.sim.engine.errors import SimError
from oco_reconcile.sim.engine.usdm import errors as fx
from oco_reconcile.sim.engine.usdm.records import (
    WALLET_ASSET,
    ZERO,
    FuturesPosition,
    FuturesState,
)


def signed(side: str, quantity: Decimal) -> Decimal:
    return quantity if side == "BUY" else -quantity


def amount_of(state: FuturesState, symbol: str, position_side: str) -> Decimal:
    position = state.position(symbol, position_side)
    return position.amount if position is not None else ZERO


def reducible(state: FuturesState, symbol: str, position_side: str, side: str) -> Decimal:
    """How much a reduce-only ``side`` order can take off that position (0: nothing)."""
    amount = amount_of(state, symbol, position_side)
    if (side == "SELL" and amount > 0) or (side == "BUY" and amount < 0):
        return abs(amount)
    return ZERO


def fill(
    state: FuturesState,
    symbol: str,
    position_side: str,
    *,
    delta: Decimal,
    price: Decimal,
    now: int,
) -> None:
    """Apply a signed fill of ``delta`` at ``price``: average in, realise PnL on the way out."""
    position = state.position(symbol, position_side)
    before = position.amount if position is not None else ZERO
    entry = position.entry_price if position is not None else ZERO
    after = before + delta
    closed = min(abs(before), abs(delta)) if before * delta < 0 else ZERO
    if closed:
        direction = 1 if before > 0 else -1
        state.wallet[WALLET_ASSET] = state.wallet.get(WALLET_ASSET, ZERO) + (
            (price - entry) * closed * direction
        )
    if after == 0:
        state.positions.pop((symbol, position_side), None)
        return
    if before * after < 0 or before == 0:
        entry = price  # opened or flipped: the remainder is new
    elif abs(after) > abs(before):
        entry = (entry * abs(before) + price * abs(delta)) / abs(after)
    state.positions[(symbol, position_side)] = FuturesPosition(
        symbol, position_side, after, entry, now
    )


def set_position(
    state: FuturesState,
    symbol: str,
    position_side: str,
    *,
    amount: Decimal,
    entry: Decimal,
    now: int,
) -> None:
    """``sim position``: put a position in place directly (demos, the README quick start)."""
    if amount == 0:
        state.positions.pop((symbol, position_side), None)
        return
    state.positions[(symbol, position_side)] = FuturesPosition(
        symbol, position_side, amount, entry, now
    )


def change_mode(state: FuturesState, dual_side: bool) -> None:
    """``POST /fapi/v1/positionSide/dual``: refused with open orders (-4067) or a position
    (-4068); asking for the current mode is -4059."""
    if state.dual_side == dual_side:
        raise SimError(-4059, fx.MSG_MODE_UNCHANGED)
    if state.open_algo_orders() or state.open_orders():
        raise SimError(-4067, fx.MSG_MODE_OPEN_ORDERS)
    if any(position.amount for position in state.positions.values()):
        raise SimError(-4068, fx.MSG_MODE_POSITION)
    state.dual_side = dual_side
