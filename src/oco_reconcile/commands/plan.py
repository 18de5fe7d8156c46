"""The ``plan`` and ``import`` commands' flows; ``cli.py`` only parses options and calls these.

``plan``: load settings and brackets, read the live state, plan, print (text / json / markdown),
save with ``--out``. PATHs and ``--target`` make a selection (:mod:`~oco_reconcile.core.selection`):
what it does not select is left alone, and a saved plan records it. Exit codes (README "Exit
codes"): a plan with errors raises :class:`PlanError` (1) after printing it; with
``--detailed-exitcode`` a plan with changes returns 2, else 0.
``import``: read the open order lists (of ``--symbol``s) and print bracket YAML.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import typer

from oco_reconcile.commands.console import make_console, styles_output
from oco_reconcile.core.desired import Desired
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.plan import Plan
from oco_reconcile.core.selection import (
    Selection,
    selection_json,
    unknown_target_message,
    unknown_targets,
)
from oco_reconcile.core.settings import Settings
from oco_reconcile.errors import EXIT_CHANGES, EXIT_OK, InputError, PlanError, UsageError
from oco_reconcile.json_types import JsonObject
from oco_reconcile.planfile.codec import Fingerprints
from oco_reconcile.planfile.fingerprints import fingerprints_for
from oco_reconcile.planfile.store import save_plan


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


@dataclass(frozen=True)
class PlanOptions:
    paths: Sequence[Path]
    out: Path | None = None
    output_format: OutputFormat = OutputFormat.TEXT
    detailed_exitcode: bool = False
    base_url: str | None = None
    targets: tuple[str, ...] | None = None  # --target NAME (repeatable); None: every bracket


def run_plan(options: PlanOptions) -> int:
    """The whole ``plan`` command; returns the exit code (errors raise to the CLI handler)."""
    from oco_reconcile.commands.venues import open_venues, read_state
    from oco_reconcile.core.planner import make_plan
    from oco_reconcile.inputs.desired import load_selected

    loaded = load_selected(list(options.paths))
    settings = loaded.settings
    desired = Desired(loaded.brackets, loaded.futures)
    selection = Selection.of(loaded.outside, options.targets)
    with open_venues(settings, desired, base_url=options.base_url) as venues:
        live = read_state(venues, desired, settings)
    require_known_targets(selection, desired, live, settings)
    plan = make_plan(desired.spot, live, settings, selection, desired.futures)
    fingerprints = fingerprints_for(live, desired.spot, settings, desired.futures)
    recorded = recorded_selection(selection, options.paths)
    _print(plan, fingerprints, options.output_format, recorded)
    if plan.has_errors:
        count = len(plan.problems)
        raise PlanError(f"the plan has {count} error{'s' if count != 1 else ''}; nothing applied")
    if options.out is not None:
        save_plan(plan, options.out, fingerprints, recorded)
        command = f"oco-reconcile apply --plan {shlex.quote(str(options.out))}"
        note = f"Saved the plan to {options.out}: apply it with `{command}`."
        typer.echo(note, err=options.output_format is not OutputFormat.TEXT)
    if options.detailed_exitcode and plan.has_changes:
        return EXIT_CHANGES
    return EXIT_OK


def require_known_targets(
    selection: Selection, desired: Desired, live: LiveState, settings: Settings
) -> None:
    """A ``--target`` naming nothing is a mistake: refuse it before anything is planned or sent."""
    unknown = unknown_targets(selection, [*desired.spot, *desired.futures], live, settings.owner)
    if unknown:
        raise UsageError(unknown_target_message(unknown))


def recorded_selection(selection: Selection, paths: Sequence[Path]) -> JsonObject | None:
    """What a saved plan records about its selection; None when it covers the whole repository."""
    if selection.is_everything and not paths:
        return None
    return selection_json(selection, [str(path) for path in paths])


def _print(
    plan: Plan,
    fingerprints: Fingerprints,
    output_format: OutputFormat,
    selection: JsonObject | None = None,
) -> None:
    from oco_reconcile.render.plan import render_json, render_markdown, render_text

    if output_format is OutputFormat.JSON:
        typer.echo(render_json(plan, fingerprints, selection), nl=False)
    elif output_format is OutputFormat.MARKDOWN:
        typer.echo(render_markdown(plan), nl=False)
    elif styles_output():
        _print_styled(render_text(plan))
    else:
        typer.echo(render_text(plan), nl=False)


def _print_styled(text: str) -> None:
    """Colours only at a terminal; the rendered text itself stays plain."""
    from rich.text import Text

    from oco_reconcile.render.plan import style_of

    console = make_console()
    for line in text.splitlines():
        console.print(Text(line, style=style_of(line) or ""), soft_wrap=True)


def run_import(symbols: Sequence[str], base_url: str | None) -> int:
    """``import``: YAML for the open order lists (of ``symbols``), on stdout; with ``usdm`` in
    the settings' ``markets``, also for the open algo orders (of ``symbols``)."""
    from oco_reconcile.commands.venues import open_venues
    from oco_reconcile.render.brackets_yaml import import_yaml
    from oco_reconcile.venues.spot.live import read_open_lists

    settings = load_settings_only()
    wanted = sorted({symbol.upper() for symbol in symbols})
    with open_venues(settings, Desired(()), base_url=base_url) as venues:
        lists = read_open_lists(venues.spot_reads, wanted)
        algo_orders = None
        if venues.futures_reads is not None:
            every = venues.futures_reads.open_algo_orders()
            algo_orders = [o for o in every if not wanted or o.symbol in wanted]
    typer.echo(import_yaml(lists, settings.owner, algo_orders), nl=False)
    return EXIT_OK


def load_settings_only() -> Settings:
    """The settings file of the current directory (or defaults), without reading brackets."""
    from oco_reconcile.inputs.discovery import resolve_inputs
    from oco_reconcile.inputs.settings import read_settings

    settings_file, _ = resolve_inputs([])
    settings, problems = read_settings(settings_file)
    if problems:
        raise InputError(problems)
    return settings
