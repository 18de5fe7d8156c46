"""Issue 16: ``validate --format json`` -- every problem with file, line, bracket, field and
message, the summary counts, and validate's exit codes unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_main
from tests.unit.commands.test_cli_validate import CORPUS, CORPUS_EXPECTATIONS, REPO

PROBLEM_KEYS = {"file", "line", "bracket", "field", "message"}


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(REPO)
    return REPO


def validate_json(capsys: pytest.CaptureFixture[str], *paths: str) -> tuple[int, dict[str, Any]]:
    code = run_main(["validate", "--format", "json", *paths])
    captured = capsys.readouterr()
    assert captured.err == ""  # stdout carries the whole answer
    document = json.loads(captured.out)
    assert isinstance(document, dict)
    return code, document


def test_valid_examples_exit_zero_with_the_counts(
    in_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, document = validate_json(capsys)
    assert code == 0
    assert document["format_version"] == 1
    assert document["valid"] is True
    assert document["problems"] == []
    assert document["summary"] == {
        "brackets": 4,
        "futures": 1,
        "files": 3,
        "settings": "oco-reconcile.yaml",
        "problems": 0,
        "warnings": 0,
    }


def problem_text(problem: dict[str, Any]) -> str:
    """The problem as the text output words it (errors.Problem.__str__)."""
    parts = [problem["file"] if problem["line"] is None else f"{problem['file']}:{problem['line']}"]
    if problem["bracket"] is not None:
        parts.append(f"bracket '{problem['bracket']}'")
    if problem["field"]:
        parts.append(problem["field"])
    return ": ".join([*parts, problem["message"]])


@pytest.mark.parametrize("entry", sorted(CORPUS_EXPECTATIONS))
def test_each_corpus_entry_lists_every_problem(
    in_repo: Path, capsys: pytest.CaptureFixture[str], entry: str
) -> None:
    code, document = validate_json(capsys, str(CORPUS / entry))
    assert code == 1
    assert document["valid"] is False
    problems = document["problems"]
    assert document["summary"]["problems"] == len(problems) > 0
    assert all(set(problem) == PROBLEM_KEYS for problem in problems)
    texts = [problem_text(problem) for problem in problems]
    for file, line, part in CORPUS_EXPECTATIONS[entry]:
        where = f"{CORPUS / file}" if line is None else f"{CORPUS / file}:{line}"
        assert any(text.startswith(where) and part in text for text in texts), (part, texts)


def test_bracket_and_field_are_separate_keys(
    in_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, document = validate_json(capsys, str(CORPUS / "legs_swapped.yaml"))
    first = document["problems"][0]
    assert (first["line"], first["bracket"], first["field"]) == (
        7,
        "sell-swapped",
        "take_profit.price",
    )
    assert first["message"].startswith("90000 must be above stop_loss.stop_price")


def test_an_unknown_format_is_a_usage_mistake(
    in_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["validate", "--format", "yaml"]) == 1
    assert "--format must be text or json" in capsys.readouterr().err
