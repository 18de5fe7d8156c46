"""A ``market: usdm`` bracket as written -> a futures bracket value, every problem reported.

The schema (``$defs.futuresBracket``) has already reported structure, types, enums and unknown
keys; this layer reads the exact decimals and checks what only the bracket as a whole shows:
``quantity: close`` needs market legs (New-Algo-Order.md: ``closePosition`` only with
STOP_MARKET / TAKE_PROFIT_MARKET), ``time_in_force`` only on limit legs, the triggers on the right
sides for the side, and a ``position_side`` that closes rather than opens (binance-api.md §10.5).
"""

from __future__ import annotations

from decimal import Decimal

from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.model import Side, SourceLocation, TimeInForce
from oco_reconcile.core.usdm.model import (
    AlgoOrderType,
    FuturesBracket,
    FuturesLeg,
    LegRole,
    PositionSide,
    WorkingType,
)
from oco_reconcile.inputs.amounts import read_amount
from oco_reconcile.inputs.document import (
    INVALID,
    Invalid,
    IssueLog,
    PathKey,
    enum_value,
    value_kind,
)

CLOSE = "close"
_LEG_TYPES = {
    (LegRole.TAKE_PROFIT, True): AlgoOrderType.TAKE_PROFIT_MARKET,
    (LegRole.TAKE_PROFIT, False): AlgoOrderType.TAKE_PROFIT,
    (LegRole.STOP_LOSS, True): AlgoOrderType.STOP_MARKET,
    (LegRole.STOP_LOSS, False): AlgoOrderType.STOP,
}
# Hedge mode: a SELL closes the LONG side and a BUY the SHORT side; the other pairing opens.
_CLOSING_SIDE = {Side.SELL: PositionSide.LONG, Side.BUY: PositionSide.SHORT}


class FuturesReader:
    """Reads one futures bracket mapping; issues go to the shared ``log``."""

    def __init__(self, log: IssueLog) -> None:
        self.log = log

    def bracket(
        self, raw: dict[str, object], path: PathKey, name: str | None, source: SourceLocation
    ) -> FuturesBracket | None:
        side = enum_value(raw.get("side"), Side)
        quantity = self.quantity(raw, path)
        legs = self.legs(raw, path, side, quantity)
        position_side = self.position_side(raw, path, side)
        working_type = enum_value(raw.get("working_type", "CONTRACT_PRICE"), WorkingType)
        flags = [raw.get(key, False) for key in ("protect", "price_protect")]
        rev, adopt = raw.get("rev", 0), _adopted(raw.get("adopt"))
        symbol = raw.get("symbol")
        if name is None or not isinstance(side, Side) or legs is None:
            return None
        if isinstance(quantity, Invalid) or not isinstance(position_side, PositionSide):
            return None
        if not isinstance(working_type, WorkingType) or not isinstance(symbol, str):
            return None
        if not all(isinstance(flag, bool) for flag in flags) or adopt is None:
            return None
        if not (isinstance(rev, int) and not isinstance(rev, bool) and rev >= 0):
            return None
        return FuturesBracket(
            name=name,
            symbol=symbol,
            side=side,
            quantity=quantity,
            take_profit=legs[0],
            stop_loss=legs[1],
            working_type=working_type,
            price_protect=bool(flags[1]),
            position_side=position_side,
            protect=bool(flags[0]),
            rev=int(rev),
            adopt=adopt,
            source=source,
        )

    def quantity(self, raw: dict[str, object], path: PathKey) -> Decimal | Invalid | None:
        """None for ``close``; this layer owns the message for any other bad value."""
        value = raw.get("quantity")
        if value == CLOSE:
            return None
        if value is None:
            return INVALID  # the schema reports the missing field
        if (isinstance(value, str) and value.isalpha()) or isinstance(value, (bool, list, dict)):
            got = repr(value) if isinstance(value, str) and len(value) <= 40 else value_kind(value)
            self.log.add((*path, "quantity"), f"must be close or a positive decimal (got {got})")
            return INVALID
        amount = read_amount(self.log, raw, path, "quantity")
        return INVALID if amount is None else amount

    def legs(
        self,
        raw: dict[str, object],
        path: PathKey,
        side: Side | Invalid | None,
        quantity: Decimal | Invalid | None,
    ) -> tuple[FuturesLeg, FuturesLeg] | None:
        closes = quantity is None
        take_profit = self.leg(raw, path, LegRole.TAKE_PROFIT, closes=closes)
        stop_loss = self.leg(raw, path, LegRole.STOP_LOSS, closes=closes)
        if take_profit is None or stop_loss is None:
            return None
        if isinstance(side, Side):
            self.check_triggers(side, take_profit, stop_loss, path)
        return take_profit, stop_loss

    def leg(
        self, raw: dict[str, object], path: PathKey, role: LegRole, *, closes: bool
    ) -> FuturesLeg | None:
        written = raw.get(role.field)
        if not isinstance(written, dict):
            return None  # the schema reports it
        here = (*path, role.field)
        trigger = read_amount(self.log, written, here, "stop_price")
        price = read_amount(self.log, written, here, "price")
        time_in_force = enum_value(written.get("time_in_force"), TimeInForce)
        if price is None and "time_in_force" in written:
            self.log.add(
                (*here, "time_in_force"), "is only for a limit leg (one with a price); remove it"
            )
        if closes and price is not None:
            self.log.add(
                (*here, "price"),
                "quantity: close needs market legs (closePosition is only for STOP_MARKET and "
                "TAKE_PROFIT_MARKET): remove the price or give a reduce-only quantity",
            )
        if not isinstance(trigger, Decimal) or isinstance(price, Invalid):
            return None
        if isinstance(time_in_force, Invalid):
            return None
        # Both problems above are reported and the leg still read, so the trigger sides are
        # checked in the same run; the file is refused either way.
        if price is None:
            return FuturesLeg(_LEG_TYPES[(role, True)], trigger)
        return FuturesLeg(
            _LEG_TYPES[(role, False)], trigger, price, time_in_force or TimeInForce.GTC
        )

    def check_triggers(
        self, side: Side, take_profit: FuturesLeg, stop_loss: FuturesLeg, path: PathKey
    ) -> None:
        """SELL closes a long: take profit above, stop below; BUY closes a short: the reverse."""
        tp, sl = take_profit.trigger_price, stop_loss.trigger_price
        if (tp > sl) if side is Side.SELL else (tp < sl):
            return
        direction, closes = ("above", "long") if side is Side.SELL else ("below", "short")
        self.log.add(
            (*path, "take_profit", "stop_price"),
            f"{to_wire(tp)} must be {direction} stop_loss.stop_price {to_wire(sl)}: a {side} "
            f"futures bracket closes a {closes}, taking profit {direction} the market and "
            "stopping on the other side (legs swapped?)",
        )

    def position_side(
        self, raw: dict[str, object], path: PathKey, side: Side | Invalid | None
    ) -> PositionSide | Invalid | None:
        position_side = enum_value(raw.get("position_side", "BOTH"), PositionSide)
        if not isinstance(position_side, PositionSide) or not isinstance(side, Side):
            return position_side
        if position_side in (PositionSide.BOTH, _CLOSING_SIDE[side]):
            return position_side
        self.log.add(
            (*path, "position_side"),
            f"a {side} bracket closes the {_CLOSING_SIDE[side]} side in hedge mode; "
            f"{side} on {position_side} would open a position instead",
        )
        return INVALID


def _adopted(value: object) -> tuple[str, ...] | None:
    """The adopted clientAlgoIds; None when malformed (the schema reports it)."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None
    return tuple(str(item) for item in value)
