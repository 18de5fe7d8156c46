"""``oco-reconcile completion bash|zsh|fish``: the shell completion script, printed.

The script is the one typer (the click it ships) generates for this program, so it matches what
the program answers when the shell asks it for completions (``_OCO_RECONCILE_COMPLETE`` set:
handled by typer before any command runs). Nothing here is hand-written shell.
"""

from __future__ import annotations

import os

from oco_reconcile.errors import UsageError

PROG_NAME = "oco-reconcile"
COMPLETE_VAR = "_OCO_RECONCILE_COMPLETE"  # typer's own name for it: _{PROG}_COMPLETE
SHELLS = ("bash", "zsh", "fish")

HOW_TO_INSTALL = {
    "bash": 'eval "$(oco-reconcile completion bash)"  # in ~/.bashrc',
    "zsh": 'eval "$(oco-reconcile completion zsh)"  # in ~/.zshrc',
    "fish": "oco-reconcile completion fish > ~/.config/fish/completions/oco-reconcile.fish",
}


def completion_script(shell: str) -> str:
    """The completion script for ``shell``; a shell we do not support is a usage mistake."""
    from typer._completion_shared import get_completion_script  # private: typer >= 0.29

    if shell not in SHELLS:
        raise UsageError(f"completion: the shell must be one of {', '.join(SHELLS)}, not {shell!r}")
    return get_completion_script(prog_name=PROG_NAME, complete_var=COMPLETE_VAR, shell=shell)


def answer_completions_when_asked() -> None:
    """When the shell asks for completions, let typer answer for bash, zsh and fish (the app is
    built without typer's ``--install-completion``, which would register them at every start)."""
    if os.environ.get(COMPLETE_VAR):
        from typer._completion_classes import completion_init  # private: typer >= 0.29

        completion_init()
