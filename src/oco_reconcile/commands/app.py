"""The command line: typer commands that build the pieces and call the core. No logic lives here.

Exactly one error handler (:func:`main`) maps the error tree to exit codes (README "Exit
codes"); a user mistake never shows a traceback.
"""

from __future__ import annotations

import gc
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from oco_reconcile import __version__
from oco_reconcile.commands import tools
from oco_reconcile.commands.console import choose_color
from oco_reconcile.commands.options import BaseUrlOpt, NoColorOpt, PathsArg, TargetsOpt
from oco_reconcile.commands.typer_params import PlainGroup
from oco_reconcile.errors import (
    EXIT_BUG,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    BannedError,
    InputError,
    OcoReconcileError,
)

app = typer.Typer(
    name="oco-reconcile",
    help="GitOps for Binance Spot OCO brackets: validate, plan and apply order lists from YAML.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=PlainGroup,  # no pydantic to read a command's values
    rich_markup_mode=None,  # plain help: typer's rich help imports rich.markdown (~70 ms)
)

BUG_HINT = (
    "This is a bug in oco-reconcile. Please report it with the command you ran "
    "(no secrets are needed): https://github.com/oco-reconcile/oco-reconcile/issues"
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"oco-reconcile {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """GitOps for Binance Spot OCO brackets."""


app.command()(tools.validate)


@app.command()
def plan(  # noqa: PLR0917 - typer passes every option
    paths: PathsArg = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help="Save the plan (for `apply --plan FILE`)."),
    ] = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="text|json|markdown",
            help="text, json or markdown (a pull-request comment).",
        ),
    ] = "text",
    detailed_exitcode: Annotated[
        bool,
        typer.Option("--detailed-exitcode", help="Exit 0: no changes, 1: error, 2: changes."),
    ] = False,
    base_url: BaseUrlOpt = None,
    targets: TargetsOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """Show the changes apply would make (reads the exchange, changes nothing)."""
    choose_color(no_color=no_color)
    from oco_reconcile.commands.plan import OutputFormat, PlanOptions, run_plan
    from oco_reconcile.errors import UsageError

    if output_format not in OutputFormat.__members__.values():
        raise UsageError(f"--format must be text, json or markdown, not {output_format!r}")
    chosen = tuple(targets) if targets else None
    options = PlanOptions(
        paths or [], out, OutputFormat(output_format), detailed_exitcode, base_url, chosen
    )
    code = run_plan(options)
    if code:
        raise typer.Exit(code)


app.command()(tools.show)


@app.command("import")
def import_(
    symbols: Annotated[
        list[str] | None,
        typer.Option(
            "--symbol",
            metavar="SYMBOL",
            help="Only lists of this symbol (repeatable; default: all).",
        ),
    ] = None,
    base_url: BaseUrlOpt = None,
) -> None:
    """Print bracket YAML for the live order lists, to adopt an existing account."""
    from oco_reconcile.commands.plan import run_import

    run_import(symbols or [], base_url)


@app.command()
def apply(  # noqa: PLR0917 - typer passes every option
    paths: PathsArg = None,
    plan_file: Annotated[
        Path | None,
        typer.Option(
            "--plan", metavar="FILE", help="Apply exactly this saved plan (refused when stale)."
        ),
    ] = None,
    auto_approve: Annotated[
        bool, typer.Option("--auto-approve", help="Do not ask for confirmation.")
    ] = False,
    output_format: Annotated[
        str, typer.Option("--format", metavar="text|json", help="text or json.")
    ] = "text",
    base_url: BaseUrlOpt = None,
    on_stale: Annotated[
        str,
        typer.Option(
            "--on-stale",
            metavar="fail|replan",
            help="A stale --plan: fail (exit 1) or replan from the files.",
        ),
    ] = "fail",
    targets: TargetsOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """Make the exchange match the desired state (or a saved plan). Exit 0 only if all succeeded."""
    choose_color(no_color=no_color)
    from oco_reconcile.commands.apply import ApplyOptions, run_apply

    chosen = tuple(targets) if targets else None
    options = ApplyOptions(
        paths or [], plan_file, auto_approve, output_format, base_url, on_stale, chosen
    )
    code = run_apply(options)
    if code:
        raise typer.Exit(code)


@app.command()
def watch(  # noqa: PLR0917 - typer passes every option
    paths: PathsArg = None,
    apply_changes: Annotated[
        bool,
        typer.Option("--apply", help="Apply every plan with changes (under apply's rules)."),
    ] = False,
    interval: Annotated[
        float,
        typer.Option(
            "--interval", metavar="SECONDS", help="Seconds between re-plans without events."
        ),
    ] = 60.0,
    output_format: Annotated[
        str,
        typer.Option("--format", metavar="text|json", help="text, or json (one object per line)."),
    ] = "text",
    base_url: BaseUrlOpt = None,
    stream_url: Annotated[
        str | None,
        typer.Option(
            "--stream-url",
            metavar="URL",
            help="WebSocket base URL of the user data streams (default: the exchange's own).",
        ),
    ] = None,
    max_events: Annotated[
        int | None,
        typer.Option(
            "--max-events",
            metavar="COUNT",
            help="Stop after this many events and the re-plan after them (for scripts, tests).",
        ),
    ] = None,
    no_color: NoColorOpt = False,
) -> None:
    """Follow the user data streams: report fills and triggers, cancel futures orphans at once,
    re-plan continuously (and heal with --apply). Stops on Ctrl-C (exit 130)."""
    choose_color(no_color=no_color)
    from oco_reconcile.commands.watch import WatchCommand, run_watch

    command = WatchCommand(
        paths or [], apply_changes, interval, output_format, base_url, stream_url, max_events
    )
    code = run_watch(command)
    if code:
        raise typer.Exit(code)


app.command()(tools.fmt)
app.command()(tools.completion)


from oco_reconcile.sim.cli import sim_app  # noqa: E402 - registered beside the other commands

app.add_typer(
    sim_app,
    name="sim",
    help="The simulated exchange: sim serve | price | fill | status | reset.",
)


def _report(error: OcoReconcileError) -> None:
    if isinstance(error, InputError):
        for problem in error.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"Error: {error}", err=True)
        return
    if isinstance(error, BannedError):
        typer.echo(f"Error: {error} (banned until {error.until_text()})", err=True)
        return
    typer.echo(f"Error: {error}", err=True)


class Terminated(BaseException):
    """SIGTERM outside apply's execute phase (which handles it itself): nothing is being sent, so
    the command stops where it is. A BaseException, like KeyboardInterrupt, so that no
    ``except Exception`` on the way swallows it."""


def _raise_terminated(_signum: int, _frame: FrameType | None) -> None:
    raise Terminated


@contextmanager
def _sigterm_stops_the_command() -> Iterator[None]:
    """SIGTERM (what CI sends to a cancelled job) ends the command with a message and 143."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _StderrLines(logging.Handler):
    """One line per record on stderr, looked up when written (so a redirected stderr counts)."""

    def emit(self, record: logging.LogRecord) -> None:
        typer.echo(self.format(record), err=True)


def report_retries_on_stderr() -> None:
    """Show the tool's warnings -- each retry as it starts (venues/retry.py) -- on stderr."""
    logger = logging.getLogger("oco_reconcile")
    if not any(isinstance(handler, _StderrLines) for handler in logger.handlers):
        handler = _StderrLines(logging.WARNING)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)


# A command builds its inputs and answers once and keeps them to the end: at CPython's default
# first-generation threshold (700 allocations) `validate` of 1,000 brackets spent ~20 % of its
# time in collections that freed nothing. Cycles are still collected, less often.
GC_THRESHOLDS = (10_000, 10, 10)
# httpx imports its own command line (click, pygments, rich: ~35 ms) whenever click is installed,
# and falls back to a stub when that import fails; this process never runs httpx's command line.
UNUSED_IMPORTS = ("httpx._main",)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: runs the app and maps every outcome to an exit code."""
    gc.set_threshold(*GC_THRESHOLDS)
    _block_unused_imports()
    report_retries_on_stderr()
    with _sigterm_stops_the_command():
        _run(argv)


def _block_unused_imports() -> None:
    """``None`` in ``sys.modules`` makes importing that name fail (the import system's rule)."""
    for name in UNUSED_IMPORTS:
        if name not in sys.modules:
            sys.modules[name] = None  # type: ignore[assignment]


def _run(argv: list[str] | None) -> None:
    from oco_reconcile.commands.completion import answer_completions_when_asked

    answer_completions_when_asked()
    try:
        # one program name however it was started (completion's variable is derived from it)
        code = app(args=argv, prog_name="oco-reconcile", standalone_mode=False)
    except typer.Abort:
        typer.echo("Aborted.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except typer.TyperException as error:  # bad options or arguments: a user mistake
        if not error.format_message():  # bare `oco-reconcile`: help was shown
            sys.exit(0)
        typer.echo(f"Error: {error.format_message()}", err=True)
        typer.echo("Try 'oco-reconcile --help'.", err=True)
        sys.exit(EXIT_ERROR)
    except OcoReconcileError as error:
        _report(error)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        typer.echo("Interrupted.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Terminated:
        typer.echo("Terminated.", err=True)
        sys.exit(EXIT_TERMINATED)
    except Exception as error:  # the one place an unexpected exception becomes exit 3
        import traceback

        traceback.print_exc()
        typer.echo(f"Internal error: {type(error).__name__}: {error}\n{BUG_HINT}", err=True)
        sys.exit(EXIT_BUG)
    sys.exit(code if isinstance(code, int) else 0)
