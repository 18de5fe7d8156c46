"""The command-line values several commands share, declared once (typer ``Annotated`` aliases)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(
        metavar="PATH",
        help="Bracket files or directories, and/or the settings file "
        "(default: brackets/ and oco-reconcile.yaml).",
        show_default=False,
    ),
]

TargetsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--target",
        metavar="NAME",
        help="Plan only this bracket (repeatable); nothing else is placed, replaced or pruned.",
        show_default=False,
    ),
]

BaseUrlOpt = Annotated[
    str | None,
    typer.Option("--base-url", metavar="URL", help="Exchange base URL (overrides settings)."),
]

NoColorOpt = Annotated[
    bool,
    typer.Option("--no-color", help="No colours (also: the NO_COLOR environment variable)."),
]
