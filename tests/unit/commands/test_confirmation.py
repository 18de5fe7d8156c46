"""Issue 16: apply asks like Terraform -- only a typed ``yes`` proceeds -- with correct plurals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oco_reconcile.core.words import counted
from tests.support.bracket_files import ONE_BRACKET
from tests.support.cli import run_main
from tests.unit.commands.test_apply_cli import answer_prompt, placed


@pytest.fixture
def one_bracket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "oco-reconcile.yaml").write_text("exchange: sim\nowner: ocr\n", encoding="utf-8")
    (tmp_path / "brackets").mkdir()
    (tmp_path / "brackets" / "btc.yaml").write_text(ONE_BRACKET, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_one_change_is_singular_and_yes_applies(
    one_bracket: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answer_prompt(monkeypatch, "yes\n")
    assert run_main(["apply"]) == 0
    assert "Apply these 1 change to sim? Only 'yes' will be accepted: " in capsys.readouterr().out
    assert len(placed(one_bracket)) == 1


@pytest.mark.parametrize("typed", ["y", "Y", "YES", "yes please", ""])
def test_anything_but_yes_aborts_with_a_clear_line(
    typed: str,
    one_bracket: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    answer_prompt(monkeypatch, typed + "\n")
    assert run_main(["apply"]) == 1
    err = capsys.readouterr().err
    assert "apply cancelled" in err
    assert "nothing was changed" in err
    assert placed(one_bracket) == []


def test_the_question_goes_to_stderr_with_json(
    one_bracket: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answer_prompt(monkeypatch, "yes\n")
    assert run_main(["apply", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert "Only 'yes' will be accepted" in captured.err
    assert json.loads(captured.out)


def test_counted_nouns() -> None:
    assert counted(1, "change") == "1 change"
    assert counted(3, "change") == "3 changes"
    assert counted(0, "bracket") == "0 brackets"
    assert counted(2, "position", "positions") == "2 positions"
