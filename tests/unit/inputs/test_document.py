"""Documents and issues: paths, lines, issues -> problems."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oco_reconcile.core.model import Side
from oco_reconcile.inputs import document
from oco_reconcile.inputs.document import (
    INVALID,
    Document,
    Issue,
    IssueLog,
    OddScalar,
    YamlInt,
    enum_value,
    present,
    to_problems,
    value_kind,
)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), ""),
        (("brackets",), "brackets"),
        (("brackets", 2), "brackets[2]"),
        (("guardrails", "symbols", 1), "guardrails.symbols[1]"),
        (("take_profit", "price"), "take_profit.price"),
    ],
)
def test_format_path(path: document.PathKey, text: str) -> None:
    assert document.format_path(path) == text


def test_line_of_falls_back_to_the_nearest_ancestor() -> None:
    doc = Document("f.yaml", {}, lines={(): 1, ("brackets",): 2, ("brackets", 0): 3})
    assert doc.line_of(("brackets", 0, "take_profit", "price")) == 3
    assert doc.line_of(("other",)) == 1
    assert Document("f.yaml", None).line_of(("x",)) is None


def test_an_issue_log_stays_quiet_under_a_yaml_level_issue() -> None:
    doc = Document("f.yaml", {}, issues=[Issue(("brackets", 0), "duplicate key")])
    log = IssueLog(doc)
    log.add(("brackets", 0, "name"), "hidden: the YAML layer already reported it")
    log.add(("brackets", 1, "name"), "shown")
    assert log.issues == [Issue(("brackets", 1, "name"), "shown")]


def test_to_problems_sorts_by_line_drops_repeats_and_keeps_the_issue_line() -> None:
    doc = Document("f.yaml", {}, lines={(): 1, ("a",): 5, ("b",): 2})
    issues = [Issue(("a",), "late"), Issue(("b",), "early"), Issue(("a",), "late")]
    issues.append(Issue((), "pinned", line=3))
    rendered = [str(problem) for problem in to_problems(doc, issues)]
    assert rendered == ["f.yaml:2: b: early", "f.yaml:3: pinned", "f.yaml:5: a: late"]


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (None, "empty (null)"),
        (True, "a boolean"),
        (YamlInt(8, "010"), "an integer"),
        (Decimal("0.1"), "a decimal number"),
        (OddScalar("date", "2024-01-01"), "a date"),
        ("x", "a string"),
        ({}, "a mapping"),
        ([], "a list"),
        (object(), "an invalid value"),
    ],
)
def test_value_kind_says_what_a_value_is_without_showing_it(value: object, kind: str) -> None:
    assert value_kind(value) == kind


def test_enum_value_and_present() -> None:
    assert enum_value("SELL", Side) is Side.SELL
    assert enum_value(None, Side) is None
    assert enum_value("sell", Side) is INVALID
    assert present(INVALID, Decimal) is None
    assert present(Decimal(1), Decimal) == Decimal(1)
