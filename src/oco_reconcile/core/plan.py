"""A plan is data: the changes that make the exchange match the desired state, and why.

Terraform's ``internal/plans`` is the model: each change has an action and a display-only reason;
notices (fired, drift, hold, protected, unmanaged) are reported but change nothing; problems make
the plan an error, and a plan with errors applies nothing.

Also here: the bracket-shaped *view* of a live list (its legs mapped to above/below) and the field
by field diff the renderers show. PURE: the JSON document, the fingerprints and plan files are
:mod:`oco_reconcile.planfile`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from enum import StrEnum

from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.match_keys import desired_key, live_key
from oco_reconcile.core.model import (
    Bracket,
    Fired,
    Leg,
    LegPosition,
    LegType,
    OcoRequest,
    OrderList,
    OrderReport,
    Remnant,
    Side,
    SourceLocation,
    TimeInForce,
    take_profit_position,
)
from oco_reconcile.core.usdm.model import FuturesChange, Market
from oco_reconcile.core.usdm.views import futures_bracket_view, futures_orders_view


class Action(StrEnum):
    CREATE = "create"
    CANCEL = "cancel"
    REPLACE = "replace"
    NOOP = "no-op"

    @property
    def symbol(self) -> str:
        return {"create": "+", "cancel": "-", "replace": "-/+", "no-op": " "}[self.value]


class NoticeKind(StrEnum):
    FIRED = "fired"
    PARTLY_FIRED = "partly_fired"  # a leg executed partly and keeps working (model.Remnant)
    DRIFT = "drift"
    HOLD = "hold"
    PROTECTED = "protected"
    UNMANAGED = "unmanaged"
    KEPT = "kept"  # a managed list no longer desired, left alone because prune is false
    ADOPTED = "adopted"  # an unmanaged list a bracket adopts (`adopt:`), matching its spec
    OUTSIDE_SELECTION = "outside_selection"  # a managed list a PATH or --target did not select
    FLAT_POSITION = "flat_position"  # a futures bracket's legs are open but the position is flat


@dataclass(frozen=True)
class CancelStep:
    """``DELETE /api/v3/orderList`` for one managed list."""

    symbol: str
    list_client_order_id: str
    cancel_client_order_id: str


@dataclass(frozen=True)
class RemnantStep:
    """``DELETE /api/v3/order`` (rest-api.md "Cancel order") of a remnant, renamed to our cancel
    id so history tells our cancel apart."""

    remnant: Remnant
    cancel_client_order_id: str

    @property
    def order(self) -> OrderReport:
        return self.remnant.order


@dataclass(frozen=True)
class Change:
    """One thing apply will do (or, for no-op, deliberately not do).

    ``address`` is the stable display name (``bracket.<name>`` or ``list.<listClientOrderId>``);
    ``before`` is the live list (with its legs) and ``after`` the desired bracket; ``place`` and
    ``cancel`` are the exact requests apply sends. ``remnants`` are the bracket's remnants: a
    create, replace or cancel cancels them first; a no-op only shows them. ``reason`` is for humans
    only.
    """

    action: Action
    address: str
    symbol: str
    reason: str
    before: OrderList | None = None
    after: Bracket | None = None
    cancel: CancelStep | None = None
    place: OcoRequest | None = None
    remnants: tuple[RemnantStep, ...] = ()
    futures: FuturesChange | None = None  # a futures bracket's change (before/after/steps)
    fired: Fired | None = None  # what fired the bracket (its JSON ``state`` is then "fired")

    @property
    def market(self) -> Market:
        return Market.SPOT if self.futures is None else Market.USDM

    def before_view(self) -> dict[str, str | None] | None:
        if self.futures is not None:
            return futures_orders_view(self.futures.before) if self.futures.before else None
        return None if self.before is None else list_view(self.before)

    def after_view(self) -> dict[str, str | None] | None:
        if self.futures is not None:
            after = self.futures.after
            return None if after is None else futures_bracket_view(after)
        return None if self.after is None else bracket_view(self.after)

    def diff(self) -> tuple[FieldDiff, ...]:
        """The fields whose value differs between the live list and the desired bracket."""
        return diff_views(self.before_view(), self.after_view())


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    address: str
    symbol: str
    message: str


@dataclass(frozen=True)
class PlanProblem:
    """A plan-time check that failed, naming the bracket and the leg; ``source`` is where that
    bracket is defined (the planner adds it), shown as validate shows its problems."""

    address: str
    message: str
    bracket: str | None = None
    leg: str | None = None
    field: str | None = None
    source: SourceLocation | None = dataclass_field(default=None, compare=False)

    @property
    def location(self) -> str | None:
        """``file:line`` (or just the file) of the bracket, when known."""
        if self.source is None:
            return None
        line = self.source.line
        return self.source.file if line is None else f"{self.source.file}:{line}"

    def __str__(self) -> str:
        parts = [self.location] if self.location else []
        parts.append(self.address)
        if self.leg:
            parts.append(self.leg)
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    notices: tuple[Notice, ...] = ()
    problems: tuple[PlanProblem, ...] = ()

    @property
    def actionable(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.action is not Action.NOOP)

    @property
    def has_changes(self) -> bool:
        return bool(self.actionable)

    @property
    def has_errors(self) -> bool:
        return bool(self.problems)

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action is action)

    def desired_brackets(self) -> tuple[Bracket, ...]:
        """Every desired bracket the plan was made from (each yields exactly one change)."""
        return tuple(c.after for c in self.changes if c.after is not None)

    def summary(self) -> PlanSummary:
        return PlanSummary(
            place=self.count(Action.CREATE),
            replace=self.count(Action.REPLACE),
            cancel=self.count(Action.CANCEL),
            unchanged=self.count(Action.NOOP),
            errors=len(self.problems),
            fired=sum(1 for n in self.notices if n.kind is NoticeKind.FIRED),
            partly_fired=len({s.remnant.name for c in self.changes for s in c.remnants}),
        )


@dataclass(frozen=True)
class PlanSummary:
    place: int
    replace: int
    cancel: int
    unchanged: int
    errors: int
    fired: int = 0  # brackets fired completely (never re-placed)
    partly_fired: int = 0  # brackets with a working remnant (model.Remnant)

    @property
    def line(self) -> str:
        return f"Plan: {self.place} to place, {self.replace} to replace, {self.cancel} to cancel."


# --- bracket-shaped views of desired brackets and live lists -----------------------------------

LEG_FIELDS = ("type", "price", "stop_price", "trailing_delta", "time_in_force", "iceberg_qty")
VIEW_FIELDS = (
    "symbol",
    "side",
    "quantity",
    *(f"{position.value}.{name}" for position in LegPosition for name in LEG_FIELDS),
)


@dataclass(frozen=True)
class LiveBracket:
    """An open (or closed) list's legs read back in the bracket's terms."""

    symbol: str
    side: Side
    quantity: Decimal
    above: Leg
    below: Leg


@dataclass(frozen=True)
class FieldDiff:
    field: str
    before: str | None
    after: str | None


def leg_from_report(report: OrderReport) -> Leg | None:
    """The :class:`Leg` a report describes, keeping only the fields its type carries (Binance
    reports ``price: 0`` for a STOP_LOSS and ``timeInForce: GTC`` for a LIMIT_MAKER)."""
    try:
        leg_type = LegType(report.type)
    except ValueError:
        return None
    stop = report.stop_price if leg_type.needs_trigger and report.stop_price else None
    delta = report.trailing_delta if leg_type.needs_trigger and report.trailing_delta else None
    tif = report.time_in_force if leg_type.needs_time_in_force else None
    time_in_force = TimeInForce(tif) if tif is not None and tif in TimeInForce.__members__ else None
    return Leg(
        type=leg_type,
        price=report.price if leg_type.needs_price else None,
        stop_price=stop,
        trailing_delta=delta,
        time_in_force=time_in_force,
        iceberg_qty=report.iceberg_qty if report.iceberg_qty else None,
    )


def position_of(side: Side, leg_type: LegType) -> LegPosition:
    """Where a leg of this type sits in an OCO of this side (rest-api.md "New Order list - OCO
    (TRADE)" table)."""
    take_profit = take_profit_position(side)
    if not leg_type.is_stop_loss:
        return take_profit
    return LegPosition.BELOW if take_profit is LegPosition.ABOVE else LegPosition.ABOVE


def live_bracket(order_list: OrderList) -> LiveBracket | None:
    """The list's two legs mapped to above/below, or None when they are unknown or not an OCO."""
    if len(order_list.reports) != 2:
        return None
    side = order_list.reports[0].side
    legs: dict[LegPosition, Leg] = {}
    for report in order_list.reports:
        leg = leg_from_report(report)
        if leg is None or report.side is not side:
            return None
        legs[position_of(side, leg.type)] = leg
    if len(legs) != 2:
        return None
    quantity = order_list.reports[0].orig_qty
    above, below = legs[LegPosition.ABOVE], legs[LegPosition.BELOW]
    return LiveBracket(order_list.symbol, side, quantity, above, below)


def comparable_leg(leg: Leg) -> Leg:
    """A leg normalised for comparison: GTC where the type needs a time in force and none was
    written, and only the fields the type carries."""
    tif = leg.time_in_force
    if leg.type.needs_time_in_force and tif is None:
        tif = TimeInForce.GTC
    return Leg(
        type=leg.type,
        price=leg.price if leg.type.needs_price else None,
        stop_price=leg.stop_price if leg.type.needs_trigger else None,
        trailing_delta=leg.trailing_delta if leg.type.needs_trigger else None,
        time_in_force=tif if leg.type.needs_time_in_force else None,
        iceberg_qty=leg.iceberg_qty or None,
    )


def desired_live_bracket(bracket: Bracket) -> LiveBracket:
    return LiveBracket(
        bracket.symbol,
        bracket.side,
        bracket.quantity,
        comparable_leg(bracket.above),
        comparable_leg(bracket.below),
    )


def matches(order_list: OrderList, bracket: Bracket) -> bool:
    """True when the live list's legs are exactly what the bracket asks for."""
    live = live_key(order_list)
    return live is not None and live == desired_key(bracket)


def is_partly_executed(order_list: OrderList) -> bool:
    return any(report.executed_qty > 0 for report in order_list.reports)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return to_wire(value)
    return str(value)


def _leg_view(position: LegPosition, leg: Leg | None) -> dict[str, str | None]:
    values = {name: None if leg is None else _text(getattr(leg, name)) for name in LEG_FIELDS}
    return {f"{position.value}.{name}": value for name, value in values.items()}


def _view(live: LiveBracket) -> dict[str, str | None]:
    view: dict[str, str | None] = {
        "symbol": live.symbol,
        "side": live.side.value,
        "quantity": to_wire(live.quantity),
    }
    view.update(_leg_view(LegPosition.ABOVE, comparable_leg(live.above)))
    view.update(_leg_view(LegPosition.BELOW, comparable_leg(live.below)))
    return view


def bracket_view(bracket: Bracket) -> dict[str, str | None]:
    """Flat ``field -> text`` view of a desired bracket (``above.price`` ...), for diffs."""
    return _view(desired_live_bracket(bracket))


def list_view(order_list: OrderList) -> dict[str, str | None]:
    """The same flat view of a live list; legs unknown -> only the symbol."""
    live = live_bracket(order_list)
    if live is None:
        return {name: (order_list.symbol if name == "symbol" else None) for name in VIEW_FIELDS}
    return _view(live)


def diff_views(
    before: Mapping[str, str | None] | None, after: Mapping[str, str | None] | None
) -> tuple[FieldDiff, ...]:
    before = before or {}
    after = after or {}
    names = dict.fromkeys([*before, *after])
    return tuple(
        FieldDiff(name, before.get(name), after.get(name))
        for name in names
        if before.get(name) != after.get(name)
    )
