"""The notes ``plan --out`` and a stale ``apply --plan`` print (issue 16 "Details that read as
unfinished"): the real path of the saved plan, shell-quoted, and one stale-plan note that says
what happens next without contradicting itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import run_main


def test_the_saved_plan_note_names_the_real_path(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (example_repo / "plans").mkdir()
    assert run_main(["plan", "--out", "plans/x.json"]) == 0
    out = capsys.readouterr().out
    assert "apply it with `oco-reconcile apply --plan plans/x.json`." in out
    assert "FILE" not in out


def test_a_saved_plan_path_with_spaces_is_shell_quoted(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (example_repo / "my plans").mkdir()
    assert run_main(["plan", "--out", "my plans/x.json"]) == 0
    assert "`oco-reconcile apply --plan 'my plans/x.json'`" in capsys.readouterr().out


def _stale_plan(example_repo: Path) -> None:
    assert run_main(["plan", "--out", "saved.json"]) == 0
    btc = example_repo / "brackets" / "btc.yaml"
    btc.write_text(btc.read_text().replace('quantity: "0.05"', 'quantity: "0.04"'), "utf-8")


def test_a_stale_plan_with_replan_says_once_it_is_planned_again(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _stale_plan(example_repo)
    capsys.readouterr()
    argv = ["apply", "--plan", "saved.json", "--on-stale", "replan", "--auto-approve"]
    assert run_main(argv) == 0
    err = capsys.readouterr().err
    assert err.count("is stale") == 1
    assert "run `plan` again" not in err
    assert "Nothing was changed" not in err
    assert (
        "Note: the saved plan saved.json is stale (the desired brackets or settings changed "
        "since it was made): planning again from the current files and live state "
        "(--on-stale replan)." in err
    )


def test_a_stale_plan_with_fail_says_to_run_plan_again(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _stale_plan(example_repo)
    capsys.readouterr()
    assert run_main(["apply", "--plan", "saved.json", "--auto-approve"]) == 1
    err = capsys.readouterr().err
    assert "Planning again" not in err
    assert (
        "Error: the saved plan saved.json is stale (the desired brackets or settings changed "
        "since it was made). Nothing was changed; run `plan` again." in err
    )
