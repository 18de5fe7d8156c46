"""The ``show`` command's flow: load the files, read the live state the way ``plan`` does
(commands/venues.py: one read path), and print what is live -- nothing is planned or sent.

PATHs select bracket files like ``plan``: names defined in other files of the repository are
left out rather than reported as unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import typer

from oco_reconcile.errors import EXIT_OK, UsageError


class ShowFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


@dataclass(frozen=True)
class ShowOptions:
    paths: Sequence[Path]
    output_format: ShowFormat = ShowFormat.TEXT
    base_url: str | None = None


def show_format(text: str) -> ShowFormat:
    if text not in ShowFormat.__members__.values():
        raise UsageError(f"--format must be text or json, not {text!r}")
    return ShowFormat(text)


def run_show(options: ShowOptions) -> int:
    """The whole ``show`` command; returns the exit code (errors raise to the CLI handler)."""
    from oco_reconcile.commands.venues import open_venues, read_state
    from oco_reconcile.core.desired import Desired
    from oco_reconcile.inputs.desired import load_selected
    from oco_reconcile.render.show import build_view, render_json, render_text

    loaded = load_selected(list(options.paths))
    settings = loaded.settings
    desired = Desired(loaded.brackets, loaded.futures)
    with open_venues(settings, desired, base_url=options.base_url) as venues:
        live = read_state(venues, desired, settings)
    where = options.base_url or settings.exchange
    view = build_view(desired, live, where, settings.owner, loaded.outside)
    if options.output_format is ShowFormat.JSON:
        typer.echo(render_json(view), nl=False)
    else:
        _print_text(render_text(view))
    return EXIT_OK


def _print_text(text: str) -> None:
    from oco_reconcile.commands.console import make_console, styles_output

    if not styles_output():
        typer.echo(text, nl=False)
        return
    from rich.text import Text

    from oco_reconcile.render.show import style_of

    console = make_console()
    for line in text.splitlines():
        console.print(Text(line, style=style_of(line) or ""), soft_wrap=True)
