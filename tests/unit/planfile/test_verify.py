"""A saved plan's body against the plan made now: every difference is found and named."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from oco_reconcile.core.plan import Action, Plan
from oco_reconcile.planfile.codec import plan_document, plan_from_document
from oco_reconcile.planfile.verify import plan_difference
from tests.unit.render.test_render import mixed_plan


def _round_tripped(plan: Plan) -> Plan:
    return plan_from_document(
        plan_document(plan, None) | {"fingerprints": {"live": "", "desired": ""}}
    ).plan


def _first_create(plan: Plan) -> int:
    return next(i for i, c in enumerate(plan.changes) if c.action is Action.CREATE)


def test_a_plan_read_back_from_its_file_matches() -> None:
    plan = mixed_plan()
    assert plan_difference(_round_tripped(plan), plan) is None


def test_a_changed_quantity_is_named_by_address_and_field() -> None:
    plan = mixed_plan()
    index = _first_create(plan)
    change = plan.changes[index]
    assert change.place is not None
    forged_place = dataclasses.replace(change.place, quantity=Decimal("5"))
    changes = list(plan.changes)
    changes[index] = dataclasses.replace(change, place=forged_place)
    found = plan_difference(dataclasses.replace(plan, changes=tuple(changes)), plan)
    assert found == f"{change.address}: place.quantity differs"


def test_a_changed_action_is_found() -> None:
    plan = mixed_plan()
    index = _first_create(plan)
    changes = list(plan.changes)
    changes[index] = dataclasses.replace(changes[index], action=Action.NOOP)
    found = plan_difference(dataclasses.replace(plan, changes=tuple(changes)), plan)
    assert found == f"{changes[index].address}: action differs"


def test_missing_extra_and_repeated_changes_are_found() -> None:
    plan = mixed_plan()
    first, rest = plan.changes[0], plan.changes[1:]
    missing = plan_difference(dataclasses.replace(plan, changes=rest), plan)
    assert missing == f"it lacks changes the plan made now has: {first.address}"
    extra = plan_difference(plan, dataclasses.replace(plan, changes=rest))
    assert extra == f"it holds changes the plan made now does not: {first.address}"
    repeated = dataclasses.replace(plan, changes=(*plan.changes, first))
    assert plan_difference(repeated, plan) is not None
