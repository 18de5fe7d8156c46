"""One OCO leg as written -> a :class:`~oco_reconcile.core.model.Leg`, with every problem found.

A leg's type is given (full form) or inferred from its fields (friendly form); each type then
requires or forbids fields, and the two legs of a bracket must sit on the right sides of the
market (rest-api.md "New Order list - OCO (TRADE)").
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal

from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.model import Leg, LegType, Side, TimeInForce
from oco_reconcile.inputs.amounts import read_amount
from oco_reconcile.inputs.document import (
    INVALID,
    Invalid,
    IssueLog,
    PathKey,
    enum_value,
    present,
)

FRIENDLY_KEYS = ("take_profit", "stop_loss")
FULL_KEYS = ("above", "below")
_TRIGGER_FIELDS = ("stop_price", "trailing_delta")


@dataclass(frozen=True)
class LegRole:
    """What a leg is for, hence which types it may have (rest-api.md "New Order list - OCO (TRADE)"
    placement table)."""

    described: str
    allowed: frozenset[LegType]
    both_limit_maker: bool = False
    swap_hint: bool = False

    def refusal(self, leg_type: LegType) -> str:
        hint = ""
        if self.both_limit_maker:
            hint = " (both legs are LIMIT_MAKER: at least one OCO order must be contingent)"
        elif self.swap_hint:
            hint = " (above and below swapped?)"
        names = ", ".join(sorted(self.allowed))
        return f"{self.described} must be one of {names}, not {leg_type}{hint}"


@dataclass(frozen=True)
class LegFields:
    """A leg as written, before its type is settled; a field that was invalid is ``INVALID``."""

    type: LegType | Invalid | None
    price: Decimal | Invalid | None
    stop_price: Decimal | Invalid | None
    trailing_delta: int | Invalid | None
    time_in_force: TimeInForce | Invalid | None
    iceberg_qty: Decimal | Invalid | None

    @property
    def valid(self) -> bool:
        return not any(isinstance(getattr(self, item.name), Invalid) for item in fields(self))

    @property
    def has_trigger(self) -> bool:
        return self.stop_price is not None or self.trailing_delta is not None


class LegReader:
    """Semantic checks of legs; issues go to the shared ``log``."""

    def __init__(self, log: IssueLog) -> None:
        self.log = log

    def add(self, path: PathKey, message: str) -> None:
        self.log.add(path, message)

    def leg(self, raw: object, path: PathKey, role: LegRole) -> Leg | None:
        if not isinstance(raw, dict):
            return None  # the schema reports the type
        fields = self.leg_fields(raw, path)
        if not fields.valid:
            return None
        leg_type = self.leg_type(fields, path, role)
        if leg_type is None:
            return None
        return self.leg_for_type(leg_type, fields, path)

    def leg_fields(self, raw: dict[str, object], path: PathKey) -> LegFields:
        return LegFields(
            type=enum_value(raw.get("type"), LegType),
            price=read_amount(self.log, raw, path, "price"),
            stop_price=read_amount(self.log, raw, path, "stop_price"),
            trailing_delta=_positive_int(raw.get("trailing_delta")),
            time_in_force=enum_value(raw.get("time_in_force"), TimeInForce),
            iceberg_qty=read_amount(self.log, raw, path, "iceberg_qty"),
        )

    def leg_type(self, fields: LegFields, path: PathKey, role: LegRole) -> LegType | None:
        leg_type = fields.type
        if leg_type is None and path[-1] in FULL_KEYS:
            return None  # the schema reports the missing type
        if leg_type is None:
            leg_type = self.infer_type(fields, path)
            if leg_type is None:
                return None
        if isinstance(leg_type, Invalid):
            return None
        if leg_type not in role.allowed:
            self.add((*path, "type"), role.refusal(leg_type))
            return None
        return leg_type

    def infer_type(self, fields: LegFields, path: PathKey) -> LegType | None:
        """The friendly form's mapping (docs/file-formats.md "Friendly form")."""
        limit = fields.price is not None
        if path[-1] == "take_profit":
            if fields.has_trigger:
                return LegType.TAKE_PROFIT_LIMIT if limit else LegType.TAKE_PROFIT
            if limit:
                return LegType.LIMIT_MAKER
            self.add(path, "needs a price (LIMIT_MAKER) and/or a stop_price (TAKE_PROFIT[_LIMIT])")
            return None
        if fields.has_trigger:
            return LegType.STOP_LOSS_LIMIT if limit else LegType.STOP_LOSS
        self.add(
            (*path, "stop_price"),
            "required: a stop loss triggers at stop_price (or trailing_delta); add price as well "
            "for a STOP_LOSS_LIMIT",
        )
        return None

    def leg_for_type(self, leg_type: LegType, fields: LegFields, path: PathKey) -> Leg | None:
        """Fields each leg type requires or forbids (rest-api.md "New Order list - OCO (TRADE)")."""
        before = len(self.log.issues)
        self.check_price(leg_type, fields, path)
        self.check_trigger(leg_type, fields, path)
        time_in_force = self.check_time_in_force(leg_type, fields, path)
        self.check_iceberg(leg_type, time_in_force, fields, path)
        if len(self.log.issues) > before:
            return None
        return Leg(
            type=leg_type,
            price=present(fields.price, Decimal),
            stop_price=present(fields.stop_price, Decimal),
            trailing_delta=present(fields.trailing_delta, int),
            time_in_force=time_in_force,
            iceberg_qty=present(fields.iceberg_qty, Decimal),
        )

    def check_price(self, leg_type: LegType, fields: LegFields, path: PathKey) -> None:
        if leg_type.needs_price and fields.price is None:
            self.add((*path, "price"), f"required: a {leg_type} leg needs a limit price")
        elif not leg_type.needs_price and fields.price is not None:
            limit_type = f"{leg_type}_LIMIT"
            self.add(
                (*path, "price"),
                f"not allowed on a {leg_type} leg (it executes at market when triggered); "
                f"use {limit_type} for a limit price",
            )

    def check_trigger(self, leg_type: LegType, fields: LegFields, path: PathKey) -> None:
        if leg_type.needs_trigger and not fields.has_trigger:
            self.add(
                (*path, "stop_price"),
                f"required: a {leg_type} leg needs stop_price or trailing_delta",
            )
        if not leg_type.needs_trigger:
            for key in _TRIGGER_FIELDS:
                if getattr(fields, key) is not None:
                    self.add((*path, key), f"not allowed on a {leg_type} leg (it has no trigger)")

    def check_time_in_force(
        self, leg_type: LegType, fields: LegFields, path: PathKey
    ) -> TimeInForce | None:
        time_in_force = present(fields.time_in_force, TimeInForce)
        if leg_type.needs_time_in_force:
            return time_in_force or TimeInForce.GTC
        if time_in_force is not None:
            self.add(
                (*path, "time_in_force"),
                f"not allowed on a {leg_type} leg "
                "(only TAKE_PROFIT_LIMIT and STOP_LOSS_LIMIT take one)",
            )
        return None

    def check_iceberg(
        self,
        leg_type: LegType,
        time_in_force: TimeInForce | None,
        fields: LegFields,
        path: PathKey,
    ) -> None:
        """Iceberg: LIMIT_MAKER legs, or limit legs with GTC (rest-api.md "New Order list - OCO
        (TRADE)", -1160)."""
        if fields.iceberg_qty is None:
            return
        if leg_type is LegType.LIMIT_MAKER or time_in_force is TimeInForce.GTC:
            return
        if leg_type.needs_time_in_force:
            self.add(
                (*path, "iceberg_qty"), f"needs time_in_force GTC (this leg is {time_in_force})"
            )
        else:
            self.add(
                (*path, "iceberg_qty"),
                f"not allowed on a {leg_type} leg (a market order when triggered)",
            )

    def check_order(
        self, side: Side, take_profit: Leg, stop_loss: Leg, path: PathKey, keys: tuple[str, str]
    ) -> None:
        """Binance's price relationship (rest-api.md "New Order list - OCO (TRADE)"): SELL
        take-profit > last > stop;
        BUY take-profit < last < stop. TAKE_PROFIT compares its stop price, LIMIT_MAKER and
        TAKE_PROFIT_LIMIT their limit price; stops compare their stop price."""
        tp_key = "stop_price" if take_profit.type is LegType.TAKE_PROFIT else "price"
        tp_price: Decimal | None = getattr(take_profit, tp_key)
        sl_price = stop_loss.stop_price
        if tp_price is None or sl_price is None:
            return  # a trailing-only leg has no fixed price to compare
        if (tp_price > sl_price) if side is Side.SELL else (tp_price < sl_price):
            return
        direction = "above" if side is Side.SELL else "below"
        self.add(
            (*path, keys[0], tp_key),
            f"{to_wire(tp_price)} must be {direction} {keys[1]}.stop_price {to_wire(sl_price)}: "
            f"a {side} OCO takes profit {direction} the market and stops on the other side "
            "(legs swapped?)",
        )


def _positive_int(value: object) -> int | Invalid | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return int(value)
    return INVALID
