"""Names Binance's firewall may reject: a warning in validate's summary, never an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from oco_reconcile.inputs import desired
from oco_reconcile.inputs.names import SQL_KEYWORDS, sql_words
from tests.support.bracket_files import bracket_yaml, write


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("select", ("select",)),
        ("DROP", ("drop",)),
        ("btc-union-exit", ("union",)),
        ("eth_insert_1", ("insert",)),
        ("dropTable", ("drop",)),
        ("update-delete", ("update", "delete")),
        ("exec2", ("exec",)),
        ("btc-core-exit", ()),
        ("selected", ()),  # a keyword inside a longer word is an ordinary word
        ("dropship", ()),
        ("sol-or-and", ()),  # plain English words are not on the list
    ],
)
def test_sql_words_split_at_dashes_underscores_and_case(name: str, found: tuple[str, ...]) -> None:
    assert sql_words(name) == found


def test_the_list_holds_the_statements_the_issue_names() -> None:
    assert {"select", "union", "insert", "update", "delete", "drop", "exec"} <= SQL_KEYWORDS


def test_validate_warns_naming_file_line_and_bracket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "b.yaml", bracket_yaml(name="btc-drop-table"))
    lines = desired.validate_paths([Path("b.yaml")]).splitlines()
    assert lines[0] == "OK: 1 bracket in 1 file (settings: defaults)"
    assert lines[1:] == [
        "warning: b.yaml:2: bracket 'btc-drop-table': the name contains the SQL keyword drop, "
        "which Binance's firewall may reject with HTTP 403; consider another name"
    ]


def test_validate_stays_one_line_for_ordinary_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "b.yaml", bracket_yaml(name="btc-core-exit"))
    assert desired.validate_paths([Path("b.yaml")]).count("\n") == 0
