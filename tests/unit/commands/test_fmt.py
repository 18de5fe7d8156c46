"""Issue 16: ``fmt`` normalises bracket files keeping comments (ruamel.yaml's round trip), is
idempotent, never changes what a file means, and ``--check`` changes nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from oco_reconcile.commands import fmt as fmt_command
from oco_reconcile.core.settings import Settings
from oco_reconcile.inputs.brackets import read_bracket_file
from oco_reconcile.render.bracket_format import normalised
from tests.support.cli import run_main
from tests.support.paths import REPO_ROOT

MESSY = """\
# yaml-language-server: $schema=../schemas/brackets.schema.json
brackets:
    # the core exit
    -   name: btc-exit     # named for the desk
        symbol:    BTCUSDT
        side: SELL
        quantity: "0.05"<TRAIL>
        take_profit: {price: '125000'}   # the target
        stop_loss:
              stop_price: "98000"
              price: '97900'   # just below the stop
    - name: eth-entry
      symbol: ETHUSDT
      side: BUY
      quantity: "0.5"
      take_profit: { price: "3600" }
      stop_loss: {stop_price: "4400", price: "4410"}
# end of file
""".replace("<TRAIL>", "   ")  # trailing spaces are part of the mess


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "oco-reconcile.yaml").write_text("exchange: sim\nowner: ocr\n", encoding="utf-8")
    (tmp_path / "brackets").mkdir()
    (tmp_path / "brackets" / "main.yaml").write_text(MESSY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def main_file(repo: Path) -> Path:
    return repo / "brackets" / "main.yaml"


def comments(text: str) -> list[str]:
    return re.findall(r"#.*$", text, flags=re.MULTILINE)


def test_fmt_keeps_every_comment_and_normalises_the_layout(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["fmt"]) == 0
    assert capsys.readouterr().out == "reformatted brackets/main.yaml\n"
    text = main_file(repo).read_text(encoding="utf-8")
    assert comments(text) == comments(MESSY)
    assert "  - name: btc-exit" in text
    assert "    symbol: BTCUSDT\n" in text
    assert '{price: "125000"}' in text  # single quotes made double
    assert not re.search(r" +$", text.replace("   #", " #"), flags=re.MULTILINE)


def test_fmt_never_changes_what_the_file_means(repo: Path) -> None:
    settings = Settings(owner="ocr")
    before = read_bracket_file(main_file(repo), settings)
    assert run_main(["fmt"]) == 0
    after = read_bracket_file(main_file(repo), settings)
    assert after.problems == ()
    assert (after.brackets, after.futures) == (before.brackets, before.futures)
    assert len(after.brackets) == 2


def test_fmt_is_idempotent(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main(["fmt"]) == 0
    once = main_file(repo).read_text(encoding="utf-8")
    capsys.readouterr()
    assert run_main(["fmt"]) == 0
    assert capsys.readouterr().out == ""
    assert main_file(repo).read_text(encoding="utf-8") == once
    assert normalised(once) == once


def test_check_changes_nothing_and_lists_what_would_change(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["fmt", "--check"]) == 1
    assert capsys.readouterr().out == "would reformat brackets/main.yaml\n"
    assert main_file(repo).read_text(encoding="utf-8") == MESSY
    assert run_main(["fmt"]) == 0
    capsys.readouterr()
    assert run_main(["fmt", "--check"]) == 0
    assert capsys.readouterr().out == ""


def test_the_examples_are_already_formatted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO_ROOT)
    assert run_main(["fmt", "--check"]) == 0
    assert capsys.readouterr().out == ""


def test_an_invalid_file_is_left_alone(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = MESSY.replace('quantity: "0.05"', "quantity: lots")
    main_file(repo).write_text(broken, encoding="utf-8")
    assert run_main(["fmt"]) == 1
    assert "not formatted brackets/main.yaml (1 problem: run validate)" in capsys.readouterr().out
    assert main_file(repo).read_text(encoding="utf-8") == broken


def test_a_format_that_would_change_a_value_is_refused(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = normalised
    monkeypatch.setattr(
        "oco_reconcile.render.bracket_format.normalised",
        lambda text: real(text).replace('"0.05"', '"0.06"'),
    )
    assert run_main(["fmt"]) == 1
    assert "would read differently" in capsys.readouterr().out
    assert main_file(repo).read_text(encoding="utf-8") == MESSY
    assert sorted(p.name for p in main_file(repo).parent.iterdir()) == ["main.yaml"]
    assert fmt_command.Outcome.REFUSED.value == "not formatted"
