"""Issue 16: shell completion is installable -- ``completion bash|zsh|fish`` prints the script
typer generates for this program, and the program answers the shell's questions with it."""

from __future__ import annotations

import pytest
from typer._completion_shared import get_completion_script

from oco_reconcile.commands.completion import COMPLETE_VAR, SHELLS
from tests.support.cli import run_main


@pytest.mark.parametrize("shell", SHELLS)
def test_prints_the_generated_script_naming_the_program(
    shell: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["completion", shell]) == 0
    out = capsys.readouterr().out
    generated = get_completion_script(
        prog_name="oco-reconcile", complete_var=COMPLETE_VAR, shell=shell
    )
    assert out == generated + "\n"
    assert "oco-reconcile" in out
    assert COMPLETE_VAR in out


def test_an_unknown_shell_is_a_usage_mistake(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main(["completion", "tcsh"]) == 1
    err = capsys.readouterr().err
    assert "bash, zsh, fish" in err
    assert "Traceback" not in err


def test_the_program_answers_bash_completion(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(COMPLETE_VAR, "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "oco-reconcile plan --base")
    monkeypatch.setenv("COMP_CWORD", "2")
    assert run_main([]) == 0
    assert capsys.readouterr().out.split() == ["--base-url"]


def test_the_program_answers_zsh_completion_of_subcommands(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(COMPLETE_VAR, "complete_zsh")
    monkeypatch.setenv("_TYPER_COMPLETE_ARGS", "oco-reconcile sim p")
    assert run_main([]) == 0
    out = capsys.readouterr().out
    assert '"price"' in out
    assert '"position"' in out
