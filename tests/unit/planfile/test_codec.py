"""The plan document in memory: an exact round trip, and an untrusted document of the wrong shape
is a usage error, never a crash."""

from __future__ import annotations

import pytest

from oco_reconcile.core.plan import Plan
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.settings import Settings
from oco_reconcile.errors import UsageError
from oco_reconcile.json_types import JsonObject
from oco_reconcile.planfile.codec import (
    DOCUMENT_KIND,
    FORMAT_VERSION,
    Fingerprints,
    plan_document,
    plan_from_document,
)
from tests.support.plan_support import live_state, partly_filled, sell
from tests.unit.render.test_render import error_plan, mixed_plan, quiet_plan

PRINTS = Fingerprints("sha256:" + "1" * 64, "sha256:" + "2" * 64)


@pytest.mark.parametrize("make", [mixed_plan, error_plan, quiet_plan])
def test_document_round_trip_is_exact(make) -> None:  # type: ignore[no-untyped-def]
    plan = make()

    saved = plan_from_document(plan_document(plan, PRINTS))

    assert (saved.plan, saved.fingerprints, saved.format_version) == (plan, PRINTS, FORMAT_VERSION)


def _document(**fields: object) -> JsonObject:
    base: JsonObject = {
        "kind": DOCUMENT_KIND,
        "format_version": FORMAT_VERSION,
        "fingerprints": {"live": "a", "desired": "b"},
        "changes": [],
        "notices": [],
        "problems": [],
    }
    return {**base, **fields}


@pytest.mark.parametrize(
    "document",
    [
        _document(changes=["not an object"]),
        _document(changes=[{"action": "create"}]),
        _document(notices=[{"kind": "nonsense"}]),
        _document(problems=[{"address": "x", "message": "m", "extra": 1}]),
        _document(fingerprints={"live": "a"}),
        _document(changes=None),
    ],
)
def test_a_document_of_the_wrong_shape_is_malformed(document: JsonObject) -> None:
    with pytest.raises(UsageError, match="the plan document is malformed"):
        plan_from_document(document)


@pytest.mark.parametrize("document", [[], "plan", None, {"kind": DOCUMENT_KIND}])
def test_anything_but_a_plan_document_is_refused(document: object) -> None:
    with pytest.raises(UsageError):
        plan_from_document(document)


def test_a_document_without_fingerprints_is_refused() -> None:
    """``plan --format json`` output (no fingerprints) cannot be applied: it was not saved."""
    with pytest.raises(UsageError, match="carries no fingerprints"):
        plan_from_document(plan_document(mixed_plan()))


def _remnant_plans() -> list[Plan]:
    """Unchanged (shown), edited (replace), deleted (prune) with a remnant of ``alpha``."""
    alpha = sell("alpha")
    working, history = partly_filled(alpha)
    live = live_state(plain_orders=[working], history=[history])
    moved = sell("alpha", tp="111000")
    return [make_plan(desired, live, Settings()) for desired in ([alpha], [moved], [])]


def test_remnant_steps_round_trip_exactly() -> None:
    plans = _remnant_plans()
    assert all(any(c.remnants for c in plan.changes) for plan in plans)
    for plan in plans:
        assert plan_from_document(plan_document(plan, PRINTS)).plan == plan


def test_a_plan_saved_before_remnants_existed_still_reads() -> None:
    document = plan_document(mixed_plan(), PRINTS)
    for change in document["changes"]:
        change.pop("remnants")
    assert plan_from_document(document).plan == mixed_plan()
