"""The futures planner: desired futures brackets and the futures live state -> this venue's
changes (PURE: no I/O, clock or printing). DESIGN.md "Futures brackets":

* both legs open as specified -> no-op;
* a leg triggered (``AlgoStatus.has_fired`` in the history of its id) -> *fired*: the orphan (the
  other leg) and any stale order of the bracket are cancelled as a planned change, nothing is
  re-placed (bump ``rev`` to re-arm: new ids, no history);
* nothing open -> create (stop-loss placed first);
* one leg open, the other cancelled or expired outside the tool -> *drift*: the missing leg is
  placed again;
* open orders of the bracket's name with another spec (an edit, a crash leftover) -> replace,
  ordered so the position is never without a stop: place the new stop-loss, cancel the stale
  take-profits, place the new take-profit, cancel the stale stop-losses last (algo orders cannot
  be modified: binance-api.md §10.2);
* our orders of a name no longer desired -> cancel (prune) or kept; unmanaged orders -> listed,
  never touched; ``protect: true`` turns any cancel into a plan error;
* legs open or placed while the position is flat -> a warning (the bracket protects nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.draft import address_of
from oco_reconcile.core.identity import parse_leg_id
from oco_reconcile.core.model import Fired
from oco_reconcile.core.oco_planner import PlanPart
from oco_reconcile.core.plan import Action, Change, Notice, NoticeKind, PlanProblem
from oco_reconcile.core.selection import Selection
from oco_reconcile.core.settings import Settings
from oco_reconcile.core.usdm.checks import check_futures
from oco_reconcile.core.usdm.identity import futures_ids
from oco_reconcile.core.usdm.model import (
    AlgoCancel,
    AlgoOrder,
    AlgoRequest,
    AlgoStatus,
    AlgoStep,
    FuturesBracket,
    FuturesChange,
    FuturesLiveState,
    LegRole,
)
from oco_reconcile.core.usdm.requests import is_request, leg_request, order_role
from oco_reconcile.core.words import counted

ROLES = (LegRole.STOP_LOSS, LegRole.TAKE_PROFIT)  # the stop first: placed first, cancelled last
DRIFT_STATUSES = frozenset({AlgoStatus.CANCELED, AlgoStatus.EXPIRED, AlgoStatus.REJECTED})


def plan_futures(
    brackets: Sequence[FuturesBracket],
    live: FuturesLiveState,
    settings: Settings,
    selection: Selection,
) -> PlanPart:
    """Plan the selected futures ``brackets`` against ``live``; plan-time checks included."""
    index = _OpenIndex.build(live, settings.owner)
    draft = _Draft(live=live, settings=settings, selection=selection, index=index)
    planned = [b for b in sorted(brackets, key=lambda b: b.name) if selection.plans(b.name)]
    for bracket in planned:
        draft.plan_bracket(bracket)
    draft.plan_leftovers({i for b in brackets for i in b.adopt})
    changes = tuple(draft.changes)
    problems = tuple(draft.problems) + check_futures(changes, live, settings)
    return PlanPart(changes, tuple(draft.notices), problems)


@dataclass(frozen=True)
class _OpenIndex:
    """The open algo orders, indexed once: ours by bracket name, the rest by clientAlgoId, each
    in (symbol, algoId) order."""

    ours: dict[str, tuple[AlgoOrder, ...]]
    others: dict[str, AlgoOrder]

    @staticmethod
    def build(live: FuturesLiveState, owner: str) -> _OpenIndex:
        ours: dict[str, list[AlgoOrder]] = {}
        others: dict[str, AlgoOrder] = {}
        for order in sorted(live.open_algo_orders, key=lambda o: (o.symbol, o.algo_id)):
            if not order.status.is_open:
                continue
            leg = parse_leg_id(owner, order.client_algo_id)
            if leg is None:
                others.setdefault(order.client_algo_id, order)
            else:
                ours.setdefault(leg.name, []).append(order)
        return _OpenIndex({name: tuple(v) for name, v in ours.items()}, others)


@dataclass
class _Draft:
    live: FuturesLiveState
    settings: Settings
    selection: Selection
    index: _OpenIndex
    changes: list[Change] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    problems: list[PlanProblem] = field(default_factory=list)
    claimed: set[str] = field(default_factory=set)

    # -- one desired bracket --

    def plan_bracket(self, bracket: FuturesBracket) -> None:
        ids = futures_ids(self.settings.owner, bracket)
        requests = {
            r: leg_request(self.settings.owner, bracket, r, self.live.hedge_mode) for r in ROLES
        }
        mine = self._open_for(bracket)
        self.claimed.update(order.client_algo_id for order in mine)
        current = {r: o for r in ROLES for o in mine if self._is_current(o, requests[r], bracket)}
        stale = [o for o in mine if o not in current.values()]
        fired = self._fired_leg(ids.take_profit_id, ids.stop_loss_id)
        if fired is not None:
            self._fired(bracket, fired, mine)
            return
        missing = [r for r in ROLES if r not in current]
        steps = _clashes_first([requests[r] for r in missing], stale)
        self._drift_notices(bracket, missing, [ids.leg_id(r) for r in missing], current)
        action = _action(steps, stale)
        self._add(bracket, action, _reason(action, missing, stale), tuple(mine), steps)
        if steps or current:
            self._warn_if_flat(bracket)

    def _open_for(self, bracket: FuturesBracket) -> list[AlgoOrder]:
        """Ours by name, then the adopted ones (unmanaged orders named by ``adopt``)."""
        adopted = (self.index.others.get(client_id) for client_id in bracket.adopt)
        return [*self.index.ours.get(bracket.name, ()), *(o for o in adopted if o is not None)]

    def _is_current(self, order: AlgoOrder, request: AlgoRequest, bracket: FuturesBracket) -> bool:
        adopted = order.client_algo_id in bracket.adopt and bracket.rev == 0
        own = order.client_algo_id == request.client_algo_id
        return (own or adopted) and is_request(order, request)

    def _fired_leg(self, *leg_ids: str) -> AlgoOrder | None:
        for leg_id in leg_ids:
            order = self.live.history.get(leg_id)
            if order is not None and order.status.has_fired:
                return order
        return None

    def _fired(self, bracket: FuturesBracket, fired: AlgoOrder, mine: list[AlgoOrder]) -> None:
        role = order_role(fired)
        leg = role.label if role is not None else "a leg"
        price = "" if fired.actual_price is None else f" at {to_wire(fired.actual_price)}"
        message = f"{leg} fired{price}; not re-placed -- bump rev to re-arm"
        self._notice(NoticeKind.FIRED, bracket.name, bracket.symbol, message)
        steps = _ordered_steps([], mine)
        what = Fired(
            None if role is None else role.field,
            fired.client_algo_id,
            fired.status.value,
            price=fired.actual_price,
        )
        if not steps:
            self._add(bracket, Action.NOOP, f"fired: {leg} triggered", (), (), fired=what)
            return
        roles = [s.role for s in steps if isinstance(s, AlgoCancel) and s.role is not None]
        orphans = " and ".join(role.label for role in roles)
        reason = f"{leg} fired: cancel the orphan {orphans or 'order'}"
        self._add(bracket, Action.CANCEL, reason, tuple(mine), steps, fired=what)

    def _drift_notices(
        self,
        bracket: FuturesBracket,
        missing: Sequence[LegRole],
        leg_ids: Sequence[str],
        current: dict[LegRole, AlgoOrder],
    ) -> None:
        if not current:
            return
        for role, leg_id in zip(missing, leg_ids, strict=True):
            gone = self.live.history.get(leg_id)
            if gone is not None and gone.status in DRIFT_STATUSES:
                message = f"{role.label} {gone.status.value.lower()} outside git: placed again"
                self._notice(NoticeKind.DRIFT, bracket.name, bracket.symbol, message)

    def _warn_if_flat(self, bracket: FuturesBracket) -> None:
        position = self.live.position(bracket.symbol, bracket.position_side)
        if position is None or position.amount == 0:
            message = "the position is flat: the bracket protects nothing"
            self._notice(NoticeKind.FLAT_POSITION, bracket.name, bracket.symbol, message)

    # -- what no desired bracket claims --

    def plan_leftovers(self, adopted: set[str]) -> None:
        """Open orders no planned bracket claimed: ours by name (pruned, kept or left alone),
        the rest unmanaged unless a bracket adopts them."""
        for name, orders in sorted(self.index.ours.items()):
            unclaimed = [o for o in orders if o.client_algo_id not in self.claimed]
            if unclaimed:
                self._leftover(name, unclaimed)
        for client_id, order in self.index.others.items():
            if client_id not in self.claimed and client_id not in adopted:
                self._unmanaged(order)

    def _leftover(self, name: str, orders: list[AlgoOrder]) -> None:
        symbol = orders[0].symbol
        left_alone = self.selection.left_alone_because(name)
        if left_alone is not None:
            self._notice(NoticeKind.OUTSIDE_SELECTION, name, symbol, left_alone)
        elif not self.settings.prune:
            message = "no longer in the desired state; kept because prune is false"
            self._notice(NoticeKind.KEPT, name, symbol, message)
        else:
            steps = _ordered_steps([], orders)
            reason = "no longer in the desired state (prune)"
            change = Change(
                Action.CANCEL,
                address_of(name),
                symbol,
                reason,
                futures=FuturesChange(tuple(orders), None, steps),
            )
            self.changes.append(change)

    def _unmanaged(self, order: AlgoOrder) -> None:
        message = (
            f"algoId {order.algo_id} {order.side.value} {order.order_type} trigger "
            f"{to_wire(order.trigger_price)}; never touched"
        )
        address = f"algo.{order.client_algo_id}"
        self.notices.append(Notice(NoticeKind.UNMANAGED, address, order.symbol, message))

    # -- recording --

    def _add(
        self,
        bracket: FuturesBracket,
        action: Action,
        reason: str,
        before: tuple[AlgoOrder, ...],
        steps: tuple[AlgoStep, ...],
        *,
        fired: Fired | None = None,
    ) -> None:
        futures = FuturesChange(before, bracket, steps)
        address = address_of(bracket.name)
        change = Change(action, address, bracket.symbol, reason, futures=futures, fired=fired)
        self.changes.append(change)
        if bracket.protect and any(isinstance(s, AlgoCancel) for s in steps):
            message = (
                f"protect: true forbids this change ({reason}); cancel it by hand or drop protect"
            )
            self._notice(NoticeKind.PROTECTED, bracket.name, bracket.symbol, message)
            self.problems.append(
                PlanProblem(address, message, bracket=bracket.name, field="protect")
            )

    def _notice(self, kind: NoticeKind, name: str, symbol: str, message: str) -> None:
        self.notices.append(Notice(kind, address_of(name), symbol, message))


def _ordered_steps(
    places: Sequence[AlgoRequest], stale: Sequence[AlgoOrder]
) -> tuple[AlgoStep, ...]:
    """New stop first, stale take-profits (and orders of no known role), new take-profit, stale
    stops last: the position always has a stop while the bracket changes."""

    def cancels(wanted: set[LegRole | None]) -> list[AlgoStep]:
        roles = ((o, order_role(o)) for o in stale)
        return [AlgoCancel(o.symbol, o.client_algo_id, r) for o, r in roles if r in wanted]

    new_stop = [p for p in places if p.role is LegRole.STOP_LOSS]
    new_take_profit = [p for p in places if p.role is LegRole.TAKE_PROFIT]
    return (
        *new_stop,
        *cancels({LegRole.TAKE_PROFIT, None}),
        *new_take_profit,
        *cancels({LegRole.STOP_LOSS}),
    )


def _clashes_first(
    places: Sequence[AlgoRequest], stale: Sequence[AlgoOrder]
) -> tuple[AlgoStep, ...]:
    """A stale order holding a desired id (same spec hash, other fields as Binance reports them)
    is cancelled before that id is placed again: Binance refuses an id that is open (-4116
    "ClientOrderId is duplicated.")."""
    wanted = {p.client_algo_id for p in places}
    clashing = [o for o in stale if o.client_algo_id in wanted]
    others = [o for o in stale if o.client_algo_id not in wanted]
    first = tuple(AlgoCancel(o.symbol, o.client_algo_id, order_role(o)) for o in clashing)
    return first + _ordered_steps(places, others)


def _action(steps: Sequence[AlgoStep], stale: Sequence[AlgoOrder]) -> Action:
    places = any(isinstance(s, AlgoRequest) for s in steps)
    if not steps:
        return Action.NOOP
    if not stale:
        return Action.CREATE
    return Action.REPLACE if places else Action.CANCEL


def _reason(action: Action, missing: Sequence[LegRole], stale: Sequence[AlgoOrder]) -> str:
    legs = " and ".join(r.label for r in missing)
    if action is Action.NOOP:
        return "up to date"
    if action is Action.CANCEL:
        return f"cancel {counted(len(stale), 'extra order')} of this bracket"
    if action is Action.REPLACE:
        old = "order" if len(stale) == 1 else "orders"
        return f"the spec changed: place the new {legs}, cancel the old {old}"
    if len(missing) == len(ROLES):
        return "not placed yet"
    return f"place the missing {legs}"
