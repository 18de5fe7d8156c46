"""The Spot planner: desired OCO brackets and the Spot live state -> this venue's changes.

PURE: no I/O, no clock, no printing. It follows the plan semantics table (README "What a plan
means"):

* a bracket whose list (same deterministic id, legs as specified) is open -> no-op;
* an open managed list for the bracket's *name* with another id, or legs that no longer match
  (amended) -> replace (cancel, then place) -- unless a leg is partly executed: *hold*, no change;
* not open, and history shows a leg filled or still working -> *fired*: reported, never re-placed
  (bump ``rev`` to re-arm);
* not open, cancelled or expired outside the tool -> create again, reported as *drift*;
* never placed, or cancelled by the tool -> create;
* a managed open list whose name is not desired -> cancel when ``prune`` (hold if partly
  executed, *kept* otherwise); an empty desired set never cancels everything unless
  ``allow_empty``;
* several managed open lists for one name (a crash left one behind) -> keep the one matching the
  spec, cancel the others;
* unmanaged lists -> listed, never touched;
* a remnant (a leg of a done list still working) counts against its bracket: ``remnants.py``;
* a :class:`~oco_reconcile.core.selection.Selection` (PATHs, ``--target``) plans only the selected
  brackets; a managed list of a name defined outside it, or not targeted, is left alone.

``protect: true`` forbids every cancel or replace of the bracket's lists: such a change becomes a
plan error (and a *protected* notice). Creating a protected bracket is allowed. A protected
bracket that is deleted from the YAML can no longer be recognised as protected and is pruned like
any other -- as in Terraform, where ``prevent_destroy`` leaves with the resource block.

Adoption (``adopt: <listClientOrderId>``, written by ``import``): an *unmanaged* open list named by
a bracket's ``adopt`` stands for that bracket. Its legs matching the spec at ``rev: 0`` -> no-op;
otherwise the adopted list is replaced by one of ours. When the adopted list is no longer open, its
history decides (fired -> never re-placed) while ``rev`` is 0; bumping ``rev`` re-arms, as for any
bracket. A bracket removed from the YAML releases its adopted list: it is unmanaged again.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace

from oco_reconcile.core import remnants as remnant_rules
from oco_reconcile.core.checks import check_plan
from oco_reconcile.core.draft import DraftBase, address_of, cancel_step, list_address
from oco_reconcile.core.history import fired_leg
from oco_reconcile.core.identity import BracketIds, bracket_ids
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.live_index import LiveIndex, by_symbol_and_id
from oco_reconcile.core.match_keys import desired_key, live_key
from oco_reconcile.core.model import (
    Bracket,
    HistoryOutcome,
    LegRequest,
    ListHistory,
    OcoRequest,
    OrderList,
    Remnant,
)
from oco_reconcile.core.plan import (
    Action,
    Change,
    Notice,
    NoticeKind,
    PlanProblem,
    is_partly_executed,
)
from oco_reconcile.core.reasons import CREATE_REASONS, describe_list, replace_reason
from oco_reconcile.core.selection import (
    EVERYTHING,
    Selection,
)
from oco_reconcile.core.settings import Settings

DRIFT_OUTCOMES = frozenset({HistoryOutcome.CANCELLED_OUTSIDE, HistoryOutcome.EXPIRED})


@dataclass(frozen=True)
class PlanPart:
    """One venue's share of a plan, before the venue-neutral rules (core/planner.py) join them."""

    changes: tuple[Change, ...]
    notices: tuple[Notice, ...] = ()
    problems: tuple[PlanProblem, ...] = ()


def plan_spot(
    brackets: Sequence[Bracket],
    live: LiveState,
    settings: Settings,
    selection: Selection = EVERYTHING,
) -> PlanPart:
    """Plan the Spot OCO lists for the selected ``brackets``; plan-time checks included."""
    index = LiveIndex.build(live, settings.owner)
    draft = _Draft(index=index, live=live, settings=settings, selection=selection)
    draft.remnants = remnant_rules.by_name(live.remnants)
    planned = [b for b in sorted(brackets, key=lambda b: b.name) if selection.plans(b.name)]
    for bracket in planned:
        draft.plan_bracket(bracket)
    draft.plan_leftovers()
    changes = tuple(draft.changes)
    problems = tuple(draft.problems) + check_plan(changes, planned, live, settings)
    return PlanPart(changes, tuple(draft.notices), problems)


# --- requests -----------------------------------------------------------------------------------


def oco_request(owner: str, bracket: Bracket, ids: BracketIds | None = None) -> OcoRequest:
    """The exact ``POST /api/v3/orderList/oco`` a bracket becomes (deterministic ids; ``ids``
    when the caller has them already)."""
    ids = ids or bracket_ids(owner, bracket)
    return OcoRequest(
        symbol=bracket.symbol,
        side=bracket.side,
        quantity=bracket.quantity,
        list_client_order_id=ids.list_client_order_id,
        above=LegRequest(bracket.above, ids.above_client_order_id),
        below=LegRequest(bracket.below, ids.below_client_order_id),
    )


# --- the draft plan -----------------------------------------------------------------------------


@dataclass(kw_only=True)
class _Draft(DraftBase):
    index: LiveIndex
    live: LiveState
    claimed: set[str] = field(default_factory=set)
    remnants: dict[str, tuple[Remnant, ...]] = field(default_factory=dict)
    # a bracket's ids, once per plan (keyed by identity, not by hashing the whole Bracket); a
    # live list's match key is not kept: each list is matched against one bracket (``claimed``)
    ids: dict[int, BracketIds] = field(default_factory=dict)

    def _own_id(self, bracket: Bracket) -> str:
        ids = self.ids.get(id(bracket)) or self._ids(bracket)
        return ids.list_client_order_id

    def _ids(self, bracket: Bracket) -> BracketIds:
        ids = self.ids.get(id(bracket))
        if ids is None:
            ids = self.ids[id(bracket)] = bracket_ids(self.settings.owner, bracket)
        return ids

    def _matches(self, order_list: OrderList, bracket: Bracket) -> bool:
        live = live_key(order_list)
        return live is not None and live == desired_key(bracket)

    # -- one desired bracket --

    def plan_bracket(self, bracket: Bracket) -> None:
        own_id = self._own_id(bracket)
        candidates = self._candidates(bracket, own_id)
        for item in candidates:
            self.claimed.add(item.list_client_order_id)
        remnants = self.remnants.pop(bracket.name, ())
        current = self._current(bracket, candidates, own_id)
        if current is not None:
            self._keep(bracket, current)
            self._cancel_extras(bracket, [c for c in candidates if c is not current])
            self._cancel_remnants(bracket, remnants)
            return
        history = self._history(bracket)
        if any(r.list_client_order_id == own_id for r in remnants):
            self._partly_fired(bracket, history, remnants)  # its own legs: never re-placed
            self._cancel_extras(bracket, candidates)
        elif history is not None and history.outcome is HistoryOutcome.FIRED:
            self._fired(bracket, history, remnants)
            self._cancel_extras(bracket, candidates)
        elif candidates:
            self._replace(bracket, candidates[0], candidates[1:], remnants)
        else:
            self._create(bracket, history, remnants)

    def _candidates(self, bracket: Bracket, own_id: str) -> list[OrderList]:
        """Open lists that stand for this bracket: ours by id, ours by name, the adopted one."""
        found = [self.index.by_client_id.get(own_id)]
        if bracket.adopt:
            found.append(self.index.by_client_id.get(bracket.adopt))
        found.extend(self.index.managed_by_name.get(bracket.name, ()))
        claimed, unique = self.claimed, dict[str, OrderList]()
        for item in found:
            if item is not None and item.list_client_order_id not in claimed:
                unique.setdefault(item.list_client_order_id, item)
        return list(unique.values())

    def _current(
        self, bracket: Bracket, candidates: Sequence[OrderList], own_id: str
    ) -> OrderList | None:
        for item in candidates:
            if item.list_client_order_id == own_id and (
                not item.reports or self._matches(item, bracket)
            ):
                return item
            adopted = bracket.adopt is not None and item.list_client_order_id == bracket.adopt
            if adopted and bracket.rev == 0 and self._matches(item, bracket):
                return item
        return None

    def _history(self, bracket: Bracket) -> ListHistory | None:
        own = self.live.history.get(self._own_id(bracket))
        if own is not None and own.outcome is not HistoryOutcome.NEVER_PLACED:
            return own
        if bracket.adopt and bracket.rev == 0:
            adopted = self.live.history.get(bracket.adopt)
            if adopted is not None and adopted.outcome is not HistoryOutcome.NEVER_PLACED:
                return adopted
        return own

    def _keep(self, bracket: Bracket, current: OrderList) -> None:
        own_id = self._own_id(bracket)
        reason = "up to date"
        if current.list_client_order_id != own_id:
            reason = f"adopted list {current.list_client_order_id} matches the spec"
            self._notice(NoticeKind.ADOPTED, bracket, f"adopts the live list: {reason}")
        self._change(Action.NOOP, bracket, reason, before=current)

    def _fired(
        self, bracket: Bracket, history: ListHistory, remnants: Sequence[Remnant] = ()
    ) -> None:
        if remnants:  # an older list of this name still works: shown, never re-placed
            self._partly_fired(bracket, history, remnants)
            return
        detail = history.detail or "a leg filled"
        message = f"fired ({detail}); not re-placed -- bump rev to re-arm"
        self._notice(NoticeKind.FIRED, bracket, message)
        fired = fired_leg(history.order_list)
        self._change(Action.NOOP, bracket, f"fired: {detail}", history.order_list, fired)

    def _partly_fired(
        self, bracket: Bracket, history: ListHistory | None, remnants: Sequence[Remnant]
    ) -> None:
        message = remnant_rules.partly_fired_message(remnants)
        self._notice(NoticeKind.PARTLY_FIRED, bracket, message)
        before = None if history is None else history.order_list
        address, steps = address_of(bracket.name), remnant_rules.steps(remnants)
        reason = "partly fired: a leg is still working"
        self.changes.append(
            Change(Action.NOOP, address, bracket.symbol, reason, before, bracket, remnants=steps)
        )

    def _replace(
        self,
        bracket: Bracket,
        current: OrderList | None,
        extras: Sequence[OrderList],
        remnants: Sequence[Remnant] = (),
    ) -> None:
        lists = [item for item in (current, *extras) if item is not None]
        if current is not None and any(is_partly_executed(item) for item in lists):
            self._hold(bracket, current, "would be replaced")
            self._show_remnants(remnants)
            return
        reason = (
            replace_reason(current, bracket)
            if current is not None
            else remnant_rules.replace_reason(remnants)
        )
        if bracket.protect:
            self._protected(bracket, current, f"would be replaced ({reason})")
            self._show_remnants(remnants)
            return
        own_id = self._own_id(bracket)
        self.changes.append(
            Change(
                action=Action.REPLACE,
                address=address_of(bracket.name),
                symbol=bracket.symbol,
                reason=reason,
                before=current,
                after=bracket,
                cancel=None if current is None else cancel_step(current, own_id),
                place=oco_request(self.settings.owner, bracket, self._ids(bracket)),
                remnants=remnant_rules.steps(remnants),
            )
        )
        self._cancel_extras(bracket, extras)

    def _create(
        self, bracket: Bracket, history: ListHistory | None, remnants: Sequence[Remnant] = ()
    ) -> None:
        if remnants:  # an older list's leg still works: cancelled before the new list is placed
            self._replace(bracket, None, (), remnants)
            return
        outcome = HistoryOutcome.NEVER_PLACED if history is None else history.outcome
        reason = CREATE_REASONS[outcome]
        if outcome in DRIFT_OUTCOMES:
            self._notice(NoticeKind.DRIFT, bracket, f"{reason}; placing it again")
        self.changes.append(
            Change(
                action=Action.CREATE,
                address=address_of(bracket.name),
                symbol=bracket.symbol,
                reason=reason,
                after=bracket,
                place=oco_request(self.settings.owner, bracket, self._ids(bracket)),
            )
        )

    def _cancel_extras(self, bracket: Bracket, extras: Sequence[OrderList]) -> None:
        if not extras:
            return
        own_id = self._own_id(bracket)
        for extra in extras:
            why = f"another open list for {address_of(bracket.name)}"
            if is_partly_executed(extra):
                self._hold_list(extra, f"{why}, partly executed: not cancelled")
            elif bracket.protect:
                what = f"{why} {extra.list_client_order_id} would be cancelled"
                self._protected(bracket, extra, what, with_change=False)
            else:
                self._cancel(extra, list_address(extra), why, own_id)

    def _show_remnants(self, remnants: Sequence[Remnant]) -> None:
        """The bracket's no-op just added shows (and counts) its remnants: never dropped."""
        if remnants:
            self.changes[-1] = replace(self.changes[-1], remnants=remnant_rules.steps(remnants))

    def _cancel_remnants(self, bracket: Bracket, remnants: Sequence[Remnant]) -> None:
        """Remnants of older lists next to the bracket's open list: cancelled (an oversell)."""
        if not remnants:
            return
        why = f"a leg of an older list of {address_of(bracket.name)} is still working"
        if bracket.protect:
            self._protected(bracket, None, f"{why} and would be cancelled", with_change=False)
            return
        address = f"list.{remnants[0].list_client_order_id}"
        self._remnant_cancel(address, bracket.symbol, remnants, why)

    # -- lists no desired bracket claimed --

    def plan_leftovers(self) -> None:
        leftovers = by_symbol_and_id(
            item for item in self.live.open_lists if item.list_client_order_id not in self.claimed
        )
        managed: dict[str, list[OrderList]] = {}
        for item in leftovers:
            name = self.index.names[item.list_client_order_id]
            if name is None:
                self._unmanaged(item)
            else:
                managed.setdefault(name, []).append(item)
        for name, lists in sorted(managed.items()):
            left_alone = self.selection.left_alone_because(name)
            for item in lists:
                address = address_of(name) if len(lists) == 1 else list_address(item)
                if left_alone is None:
                    self._orphan(item, address)
                else:
                    notice = Notice(NoticeKind.OUTSIDE_SELECTION, address, item.symbol, left_alone)
                    self.notices.append(notice)
        for name, remnants in sorted(self.remnants.items()):
            self._orphan_remnants(name, remnants, list_names=managed.keys())

    def _orphan_remnants(
        self, name: str, remnants: Sequence[Remnant], list_names: Collection[str]
    ) -> None:
        """Remnants of a bracket no longer desired: cancelled when ``prune`` (remnants.py)."""
        address = address_of(name)
        if name in list_names:
            address = f"list.{remnants[0].list_client_order_id}"
        symbol = remnants[0].order.symbol
        left_alone = self.selection.left_alone_because(name)
        if left_alone is not None:
            self.notices.append(Notice(NoticeKind.OUTSIDE_SELECTION, address, symbol, left_alone))
        elif not self.settings.prune:
            message = "a leg still working; no longer desired, kept because prune is false"
            self.notices.append(Notice(NoticeKind.KEPT, address, symbol, message))
        else:
            self._remnant_cancel(address, symbol, remnants, "no longer desired (prune)")

    def _orphan(self, order_list: OrderList, address: str) -> None:
        if not self.settings.prune:
            message = "no longer in the desired state; kept because prune is false"
            self.notices.append(Notice(NoticeKind.KEPT, address, order_list.symbol, message))
        elif is_partly_executed(order_list):
            self._hold_list(order_list, "no longer desired, but partly executed: not cancelled")
        else:
            self._cancel(order_list, address, "no longer in the desired state (prune)")

    def _unmanaged(self, order_list: OrderList) -> None:
        described = describe_list(order_list)
        message = f"orderListId {order_list.order_list_id}{described}; never touched"
        address = list_address(order_list)
        self.notices.append(Notice(NoticeKind.UNMANAGED, address, order_list.symbol, message))
