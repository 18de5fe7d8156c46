"""The planner: (desired brackets, live state, settings) -> :class:`~oco_reconcile.core.plan.Plan`.

PURE: no I/O, no clock, no printing. Each venue plans its own brackets with its own rules —
Spot OCO lists in :mod:`~oco_reconcile.core.oco_planner`, USDⓈ-M futures algo-order pairs in
:mod:`~oco_reconcile.core.usdm.planner` — into the one venue-neutral :class:`Plan` shape; the rules
that span venues live here: the empty desired state never cancels everything unless
``allow_empty``, every ``--target`` names something, and the order of changes and notices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from operator import attrgetter

from oco_reconcile.core.checks.guardrails import check_total_notional
from oco_reconcile.core.listing import natural_key
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.model import Bracket
from oco_reconcile.core.oco_planner import PlanPart, plan_spot
from oco_reconcile.core.plan import Action, Change, Plan, PlanProblem
from oco_reconcile.core.selection import (
    EVERYTHING,
    Selection,
    unknown_target_message,
    unknown_targets,
)
from oco_reconcile.core.settings import Settings
from oco_reconcile.core.usdm.model import FuturesBracket, FuturesLiveState
from oco_reconcile.core.words import counted

_SYMBOL = attrgetter("symbol")


def make_plan(
    brackets: Sequence[Bracket],
    live: LiveState,
    settings: Settings,
    selection: Selection = EVERYTHING,
    futures: Sequence[FuturesBracket] = (),
) -> Plan:
    """Plan the changes that make ``live`` match the selected ``brackets`` and ``futures`` (by
    default all of them), leaving alone what the selection does not cover."""
    parts = [plan_spot(brackets, live, settings, selection)]
    if live.usdm is not None:
        parts.append(_plan_usdm(futures, live.usdm, settings, selection))
    changes = tuple(c for part in parts for c in part.changes)
    problems = [p for part in parts for p in part.problems]
    problems.extend(check_total_notional(changes, live, settings))  # spans both venues
    if not brackets and not futures and not selection.outside:
        problems.extend(_refuse_empty(changes, settings))
    if selection.targets:  # no --target: nothing can be unknown (and no list need be parsed)
        unknown = unknown_targets(selection, [*brackets, *futures], live, settings.owner)
        if unknown:
            problems.append(PlanProblem("plan", unknown_target_message(unknown), field="target"))
    notices = (n for part in parts for n in part.notices)
    problems = located(problems, [*brackets, *futures])
    ordered = sorted(changes, key=lambda change: natural_key(change.address))
    ordered.sort(key=_SYMBOL)  # stable: by symbol, then address, without a key tuple per change
    return Plan(
        changes=tuple(ordered),
        notices=tuple(
            sorted(notices, key=lambda n: (n.symbol, natural_key(n.address), n.kind.value))
        ),
        problems=tuple(problems),
    )


def located(
    problems: Sequence[PlanProblem], brackets: Sequence[Bracket | FuturesBracket]
) -> list[PlanProblem]:
    """Each problem about a bracket, with where that bracket is defined."""
    sources = {b.name: b.source for b in brackets if b.source is not None}
    return [replace(p, source=sources[p.bracket]) if p.bracket in sources else p for p in problems]


def _plan_usdm(
    futures: Sequence[FuturesBracket],
    live: FuturesLiveState,
    settings: Settings,
    selection: Selection,
) -> PlanPart:
    from oco_reconcile.core.usdm.planner import plan_futures

    part = plan_futures(futures, live, settings, selection)
    return PlanPart(part.changes, part.notices, part.problems)


def _refuse_empty(changes: Sequence[Change], settings: Settings) -> list[PlanProblem]:
    cancels = [c for c in changes if c.action is Action.CANCEL]
    if not cancels or settings.allow_empty:
        return []
    message = (
        "the desired state is empty: refusing to cancel all "
        f"{counted(len(cancels), 'managed list')}; set `allow_empty: true` in the settings to "
        "allow it"
    )
    return [PlanProblem(address="plan", message=message)]
