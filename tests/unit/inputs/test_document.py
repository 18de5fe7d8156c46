"""Documents and issues: paths, lines, issues -> problems."""

from __future__ import annotations

import pytest

from oco_reconcile.inputs import document


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
