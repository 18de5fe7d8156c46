"""The futures half of ``oco-reconcile sim status`` / ``price`` / ``position``: the lines that
show the USDⓈ-M account (prices, positions, algo orders), with nothing printed for an absent
value (no "None")."""

from __future__ import annotations

from decimal import Decimal

from oco_reconcile.errors import UsageError
from oco_reconcile.sim.engine.usdm.machine import FuturesEngine
from oco_reconcile.sim.engine.usdm.records import AlgoRecord, FuturesState

POSITION_SIDES = ("BOTH", "LONG", "SHORT")


def status_lines(state: FuturesState) -> list[str]:
    mode = "hedge" if state.dual_side else "one-way"
    lines = [f"Futures (USDⓈ-M, {mode} mode):", "  Wallet:"]
    lines += [f"    {asset:<6} {value}" for asset, value in state.wallet.items()]
    lines.append("  Prices (last / mark):")
    for symbol in state.symbols:
        last, mark = state.last_prices[symbol], state.mark_prices[symbol]
        lines.append(f"    {symbol:<10} {last} / {mark}")
    held = [item for item in state.positions.values() if item.amount]
    lines.append(f"  Positions: {len(held)}")
    lines += [
        f"    {item.symbol} {item.position_side} {item.amount} @ {item.entry_price}"
        for item in held
    ]
    shown = [
        item for item in state.algo_orders.values() if item.is_open or item.status == "TRIGGERED"
    ]
    lines.append(f"  Open algo orders: {len(shown)}")
    lines += ["    " + algo_line(item) for item in shown]
    return lines


def algo_line(order: AlgoRecord) -> str:
    """id, clientAlgoId, type, side, trigger, status (+ what applies, nothing for what does not)."""
    parts = [
        str(order.algo_id),
        order.client_algo_id,
        order.symbol,
        order.order_type,
        order.side,
        f"trigger {order.trigger_price} ({order.working_type})",
    ]
    if order.price:
        parts.append(f"price {order.price}")
    parts.append("close position" if order.close_position else f"qty {order.quantity}")
    if order.position_side != "BOTH":
        parts.append(order.position_side)
    parts.append(order.status)
    return " ".join(parts)


def move(futures: FuturesEngine, symbol: str, last: Decimal, mark: Decimal | None) -> bool:
    """``sim price`` on a futures contract: last = PRICE, mark = ``--mark`` or PRICE. False when
    the symbol is no contract."""
    if symbol not in futures.state.symbols:
        return False
    futures.set_prices(symbol, last, mark if mark is not None else last)
    return True


def seed_position(
    futures: FuturesEngine, symbol: str, amount: Decimal, side: str, entry: Decimal | None
) -> None:
    if symbol not in futures.state.symbols:
        known = ", ".join(futures.state.symbols)
        raise UsageError(f"unknown futures symbol {symbol!r} (known: {known})")
    if side not in POSITION_SIDES:
        raise UsageError("--position-side must be BOTH, LONG or SHORT")
    if (side == "BOTH") == futures.state.dual_side:
        mode = "hedge" if futures.state.dual_side else "one-way"
        raise UsageError(f"--position-side {side} does not fit the account's {mode} mode")
    if (side == "LONG" and amount < 0) or (side == "SHORT" and amount > 0):
        raise UsageError(
            f"a {side} position needs a {'positive' if side == 'LONG' else 'negative'} amount"
        )
    futures.set_position(symbol, amount, side, entry)
