"""The one place a rich ``Console`` is built, so colour follows one rule everywhere.

No colour when the command got ``--no-color`` or ``NO_COLOR`` is set (https://no-color.org: not
even bold, so no escape code at all); else rich decides, and it honours ``FORCE_COLOR`` (colour
through a pipe, e.g. in CI logs) and otherwise colours only at a terminal. rich is imported only
when a console is built.
"""

from __future__ import annotations

import os
import sys
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

# --no-color of the command being run; every command that can colour sets it when it starts
_chosen = {"no_color": False}


def choose_color(*, no_color: bool) -> None:
    """Record the command's ``--no-color`` (each colouring command calls this first)."""
    _chosen["no_color"] = no_color


def color_refused() -> bool:
    """``--no-color``, or ``NO_COLOR`` set to anything but the empty string."""
    return _chosen["no_color"] or bool(os.environ.get("NO_COLOR"))


def make_console(*, file: IO[str] | None = None, stderr: bool = False) -> Console:
    """A console on ``file`` (default stdout, or stderr) under the colour rule above."""
    from rich.console import Console

    if color_refused():
        return Console(file=file, stderr=stderr, color_system=None, highlight=False)
    return Console(file=file, stderr=stderr, highlight=False)


def styles_output(stream: IO[str] | None = None) -> bool:
    """Whether text written to ``stream`` (default stdout) gets colours: the rule above, asked
    without building a console when colour is refused or the stream is a plain file."""
    if color_refused():
        return False
    target = sys.stdout if stream is None else stream
    isatty = getattr(target, "isatty", None)
    if os.environ.get("FORCE_COLOR") or (isatty is not None and isatty()):
        return make_console(file=target).color_system is not None
    return False
