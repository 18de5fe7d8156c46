"""The commands that check, show and tidy -- ``validate``, ``show``, ``fmt``, ``completion`` --
registered on the app by ``app.py``. As there, no logic lives here and every flow module is
imported inside its command (``--help`` and ``validate`` stay light)."""

from __future__ import annotations

from typing import Annotated

import typer

from oco_reconcile.commands.console import choose_color
from oco_reconcile.commands.options import BaseUrlOpt, NoColorOpt, PathsArg


def validate(
    paths: PathsArg = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format", metavar="text|json", help="text, or json: every problem and the counts."
        ),
    ] = "text",
) -> None:
    """Check bracket files and settings offline: YAML, schema and semantics. Exit 0 or 1."""
    if output_format == "json":
        from oco_reconcile.commands.validate_json import run_validate_json

        code = run_validate_json(paths or [])
        if code:
            raise typer.Exit(code)
        return
    if output_format != "text":
        from oco_reconcile.errors import UsageError

        raise UsageError(f"--format must be text or json, not {output_format!r}")
    from oco_reconcile.inputs.desired import validate_paths

    summary = validate_paths(paths or [])
    typer.echo(summary)


def show(
    paths: PathsArg = None,
    output_format: Annotated[
        str, typer.Option("--format", metavar="text|json", help="text or json (docs/show.md).")
    ] = "text",
    base_url: BaseUrlOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """Print what is live now, as the tool sees it: brackets and their legs, unmanaged orders,
    futures positions (reads the exchange, plans and changes nothing)."""
    from oco_reconcile.commands.show import ShowOptions, run_show, show_format

    choose_color(no_color=no_color)
    run_show(ShowOptions(paths or [], show_format(output_format), base_url))


def fmt(
    paths: PathsArg = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Change nothing; exit 1 listing the files that would change."),
    ] = False,
) -> None:
    """Rewrite bracket files in the canonical layout, comments kept (values never change)."""
    from oco_reconcile.commands.fmt import run_fmt

    code = run_fmt(paths or [], check=check)
    if code:
        raise typer.Exit(code)


def completion(
    shell: Annotated[
        str, typer.Argument(metavar="bash|zsh|fish", help="The shell to complete in.")
    ],
) -> None:
    """Print the shell completion script, e.g. `eval "$(oco-reconcile completion bash)"`."""
    from oco_reconcile.commands.completion import completion_script

    typer.echo(completion_script(shell))
