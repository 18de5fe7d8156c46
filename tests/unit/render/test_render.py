"""Renderers: snapshot tests of text / Markdown / JSON (``tests/snapshots/``; regenerate with
``OCO_UPDATE_SNAPSHOTS=1`` and review the diff), the JSON document against its published schema,
and the Markdown size limit of a GitHub comment."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from oco_reconcile.core.model import HistoryOutcome
from oco_reconcile.core.plan import Plan
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.settings import Settings
from oco_reconcile.planfile.codec import Fingerprints
from oco_reconcile.render.plan import render_json, render_markdown, render_text, style_of
from tests.support.paths import REPO_ROOT
from tests.support.plan_support import (
    buy,
    foreign_list,
    history_of,
    live_state,
    open_list,
    sell,
)
from tests.unit.core.test_planner import CASES

REPO = REPO_ROOT
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
SCHEMA_PATHS = (
    REPO / "schemas" / "plan.schema.json",
    REPO / "src" / "oco_reconcile" / "schemas" / "plan.schema.json",
)
PRINTS = Fingerprints("sha256:" + "a" * 64, "sha256:" + "b" * 64)


def assert_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("OCO_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing snapshot {path}; run with OCO_UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8")


def mixed_plan() -> Plan:
    """One of everything: create, replace, cancel, no-op, fired, drift, hold, unmanaged."""
    alpha = sell("alpha")
    live = live_state(
        [
            open_list(alpha, 1),
            open_list(sell("bravo", qty="0.02"), 2),
            open_list(sell("old-exit"), 3),
            open_list(
                buy("held", symbol="ETHUSDT", tp="3800", stop="4200", limit="4210"),
                4,
                executed="0.004",
            ),
            foreign_list(buy("x", qty="0.003"), 5, "web_8f2kq1"),
        ],
        history=[
            history_of(sell("fired"), HistoryOutcome.FIRED),
            history_of(sell("healed"), HistoryOutcome.CANCELLED_OUTSIDE),
        ],
    )
    desired = [
        alpha,
        sell("bravo", qty="0.03", tp="112000.5"),
        sell("fired"),
        sell("healed"),
        buy("new-entry", qty="0.02"),
        buy("held", symbol="ETHUSDT", tp="3700", stop="4200", limit="4210"),
    ]
    return make_plan(desired, live, Settings())


def error_plan() -> Plan:
    bad = sell("bad", qty="0.000105", tp="99999.999")
    return make_plan(
        [bad, replace(sell("locked", tp="120000"), protect=True)],
        live_state([open_list(sell("locked"), 1)]),
        Settings(),
    )


def quiet_plan() -> Plan:
    alpha = sell("alpha")
    return make_plan([alpha], live_state([open_list(alpha, 1)]), Settings())


PLANS = {"mixed": mixed_plan, "errors": error_plan, "no_changes": quiet_plan}


@pytest.mark.parametrize("name", PLANS)
def test_text_snapshot(name: str) -> None:
    assert_snapshot(f"plan_{name}.txt", render_text(PLANS[name]()))


@pytest.mark.parametrize("name", PLANS)
def test_markdown_snapshot(name: str) -> None:
    assert_snapshot(f"plan_{name}.md", render_markdown(PLANS[name]()))


def _json(plan: Plan) -> str:
    return render_json(plan, PRINTS).replace('"tool_version": "0.1.0"', '"tool_version": "X"')


@pytest.mark.parametrize("name", PLANS)
def test_json_snapshot(name: str) -> None:
    assert_snapshot(f"plan_{name}.json", _json(PLANS[name]()))


def test_text_has_the_terraform_shape() -> None:
    text = render_text(mixed_plan())

    assert text.splitlines()[0] == "oco-reconcile will perform the following actions:"
    assert "  + bracket.new-entry" in text
    assert "-/+ bracket.bravo" in text
    assert "  - bracket.old-exit" in text
    assert '~ above.price          : "110000" -> "112000.5"' in text
    assert "Fired (never re-placed; bump `rev` to re-arm):" in text
    assert "Unmanaged order lists (never touched):\n  list.web_8f2kq1 (BTCUSDT)" in text
    assert text.rstrip().endswith("Plan: 2 to place, 1 to replace, 1 to cancel.")
    assert "bracket.alpha" not in text  # unchanged brackets are not listed


def test_text_lists_every_error_and_says_nothing_applies() -> None:
    plan = error_plan()
    text = render_text(plan)

    assert text.count("  Error: ") == len(plan.problems) >= 3
    assert f"The plan has {len(plan.problems)} errors: nothing will be applied." in text


def test_no_changes_text() -> None:
    assert render_text(quiet_plan()).startswith("No changes.")
    assert "Plan: 0 to place, 0 to replace, 0 to cancel." in render_text(quiet_plan())


def test_markdown_puts_the_summary_first_and_collapses_details() -> None:
    comment = render_markdown(mixed_plan())

    lines = comment.splitlines()
    assert lines[0] == "### oco-reconcile plan"
    assert lines[2] == "**Plan: 2 to place, 1 to replace, 1 to cancel.**"
    assert comment.index("| `-/+` | `bracket.bravo`") < comment.index("<details>")
    assert comment.rstrip().endswith("</details>")
    assert '+     above.price          = "112000.5"' in comment  # diff markers in column 0


def test_markdown_stays_within_a_github_comment() -> None:
    brackets = [sell(f"b{i:03d}", qty=f"0.0{i % 9 + 1}") for i in range(400)]
    plan = make_plan(brackets, live_state(), Settings())
    assert len(render_markdown(plan, limit=10**9)) > 65536

    comment = render_markdown(plan)

    # what plan.yml posts: a marker and an account header, then the rendered plan
    posted = f"<!-- oco-reconcile:plan:{'x' * 200} -->\n**Account `{'y' * 200}`**\n\n{comment}"
    assert len(posted) <= 65536
    assert "truncated:" in comment
    assert comment.count("```") == 2
    assert comment.rstrip().endswith("</details>")
    assert comment.startswith("### oco-reconcile plan")


def test_markdown_truncation_honours_a_small_limit() -> None:
    plan = mixed_plan()

    comment = render_markdown(plan, limit=2500)

    assert len(comment) <= 2500
    assert "truncated:" in comment


def test_both_schema_copies_are_identical() -> None:
    first, second = (path.read_text(encoding="utf-8") for path in SCHEMA_PATHS)
    assert first == second
    Draft202012Validator.check_schema(json.loads(first))


def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_PATHS[0].read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", PLANS)
def test_json_validates_against_the_schema(name: str) -> None:
    document = json.loads(render_json(PLANS[name](), PRINTS))

    errors = [error.message for error in _validator().iter_errors(document)]
    assert errors == []


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_every_planner_case_renders_valid_json(case) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(case.brackets, case.live(), case.settings)

    document = json.loads(render_json(plan))

    assert list(_validator().iter_errors(document)) == []
    assert document["format_version"] == 3


def test_the_schema_rejects_a_malformed_document() -> None:
    document = json.loads(render_json(mixed_plan(), PRINTS))
    document["changes"][0]["action"] = "destroy"
    document["summary"].pop("place")

    assert len(list(_validator().iter_errors(document))) >= 2


def test_json_carries_before_after_and_reason() -> None:
    document = json.loads(render_json(mixed_plan(), PRINTS))

    replace_change = next(c for c in document["changes"] if c["action"] == "replace")
    assert replace_change["address"] == "bracket.bravo"
    assert replace_change["before"]["quantity"] == "0.02"
    assert replace_change["after"]["quantity"] == "0.03"
    assert replace_change["reason"].startswith("spec changed: quantity, above.price")
    assert {"field": "quantity", "before": "0.02", "after": "0.03"} in replace_change["diff"]
    assert document["fingerprints"]["live"] == PRINTS.live
    assert document["summary"]["text"] == "Plan: 2 to place, 1 to replace, 1 to cancel."


def test_styles_only_colour_known_lines() -> None:
    assert style_of("  + bracket.a") == "green"
    assert style_of("-/+ bracket.a") == "yellow"
    assert style_of("  - bracket.a") == "red"
    assert style_of("  Error: x") == "bold red"
    assert style_of("Plan: 0 to place") is None


def test_markdown_with_thousands_of_errors_still_fits() -> None:
    brackets = [sell(f"b{i:04d}", tp="99999.999") for i in range(1500)]
    plan = make_plan(brackets, live_state(), Settings())
    assert len(plan.problems) >= 3000

    comment = render_markdown(plan)

    assert len(comment) <= 65536
    assert "more left out" in comment
    assert comment.rstrip().endswith("</details>")
