"""The ``apply`` command's flow: plan (or load a saved plan), confirm, execute, re-read, report.

The typer command in ``cli.py`` only parses options and calls :func:`run_apply`. Order of the
guards (each refuses before anything is sent):

1. production needs ``confirm_production: true`` in the settings (docs/file-formats.md "Settings");
2. without ``--auto-approve`` the run needs a terminal to ask on;
3. a saved plan (``--plan FILE``) must match the live state and the desired files it was made
   from (its fingerprints), else it is stale: exit 1, nothing changed (``--on-stale replan``
   plans again from the current files instead, for CI that applies after a merge);
4. a plan with errors applies nothing.

After executing, the live state is read again and planned again: an empty plan is "converged",
anything else is reported as the remaining diff. Exit 0 only when every change succeeded and the
exchange converged.

PATHs and ``--target`` select what is applied (:mod:`~oco_reconcile.core.selection`); a saved
plan records its selection, and ``apply --plan`` applies under it (a changed selection is stale).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

import typer

from oco_reconcile.apply.executor import execute
from oco_reconcile.apply.pacing import DEFAULT_LIMITS
from oco_reconcile.apply.results import ApplyResult, Reporter
from oco_reconcile.apply.stop import StopToken
from oco_reconcile.commands.interrupts import stop_on_signals
from oco_reconcile.commands.plan import require_known_targets
from oco_reconcile.commands.venues import Venues, open_venues, read_state
from oco_reconcile.core.desired import Desired
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.plan import Plan
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.ratelimits import RateLimit
from oco_reconcile.core.selection import Selection, selection_from_json
from oco_reconcile.core.settings import Settings
from oco_reconcile.errors import (
    EXIT_ERROR,
    EXIT_OK,
    ExchangeError,
    PlanError,
    StalePlanError,
    TamperedPlanError,
    UsageError,
)
from oco_reconcile.planfile.codec import SavedPlan
from oco_reconcile.planfile.fingerprints import desired_fingerprint, live_fingerprint
from oco_reconcile.planfile.store import load_plan
from oco_reconcile.planfile.verify import plan_difference
from oco_reconcile.render.apply_report import (
    LineReporter,
    LiveReporter,
    SilentReporter,
    render_json,
    render_text,
)
from oco_reconcile.venues.urls import is_production_url, resolve_base_url

ON_STALE_CHOICES = ("fail", "replan")


@dataclass(frozen=True)
class ApplyOptions:
    paths: Sequence[Path]
    plan_file: Path | None = None
    auto_approve: bool = False
    output_format: str = "text"
    base_url: str | None = None
    on_stale: str = "fail"
    targets: tuple[str, ...] | None = None  # --target NAME (repeatable); None: every bracket


def stdin_is_terminal() -> bool:
    """Whether a person can answer the confirmation prompt (tests replace this)."""
    return sys.stdin is not None and sys.stdin.isatty()


def _stream_is_terminal(stream: IO[str]) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def targets_production(settings: Settings, base_url: str | None) -> bool:
    """Decided by the resolved base URL's host: any case, port or ``api1``-style host counts."""
    return is_production_url(resolve_base_url(base_url or settings.exchange))


def check_guards(settings: Settings, options: ApplyOptions) -> None:
    """Refuse, before anything is read or sent, a run that could not be confirmed safely."""
    if options.output_format not in ("text", "json"):
        raise UsageError(f"unknown --format {options.output_format!r}: use text or json")
    if options.on_stale not in ON_STALE_CHOICES:
        raise UsageError(f"unknown --on-stale {options.on_stale!r}: use fail or replan")
    if targets_production(settings, options.base_url) and not settings.confirm_production:
        raise UsageError(
            "apply against production needs `confirm_production: true` in the settings file"
        )
    if not options.auto_approve and not stdin_is_terminal():
        raise UsageError(
            "apply needs confirmation: run it in a terminal, or pass --auto-approve "
            "(nothing was changed)"
        )


def saved_selection(plan_file: Path) -> tuple[Selection, tuple[str, ...]]:
    """(selection, PATH arguments) a saved plan was made with."""
    try:
        return selection_from_json(load_plan(plan_file).selection)
    except ValueError as error:
        raise UsageError(f"the plan document is malformed: {error}") from error


def selection_inputs(options: ApplyOptions) -> tuple[Sequence[Path], tuple[str, ...] | None]:
    """This run's PATHs and ``--target`` names: with ``--plan``, the saved plan's own (PATHs given
    on the command line win; a different selection then makes the plan stale)."""
    if options.plan_file is None:
        return options.paths, options.targets
    if options.targets is not None:
        raise UsageError("--target cannot be used with --plan: the saved plan records its targets")
    selection, paths = saved_selection(options.plan_file)
    targets = None if selection.targets is None else tuple(sorted(selection.targets))
    return (options.paths or [Path(path) for path in paths]), targets


def stale_reason(  # noqa: PLR0917 - what a saved plan is compared with
    saved: SavedPlan,
    plan_file: Path,
    live: LiveState,
    desired: Desired,
    settings: Settings,
    selection: Selection,
) -> str | None:
    """Why the saved plan no longer matches what it was made from, or None when it still does."""
    # Desired first: the live fingerprint covers the history of the desired ids, so a desired
    # change moves both, and this is the message that names the cause.
    if saved.fingerprints.desired != desired_fingerprint(desired.spot, settings, desired.futures):
        return "the desired brackets or settings changed since it was made"
    if saved.fingerprints.live != live_fingerprint(live):
        return "the live order lists changed since it was made"
    if saved_selection(plan_file)[0] != selection:
        return (
            "the selection (the names defined outside the selected files) changed since it was made"
        )
    return None


def plan_now(desired: Desired, live: LiveState, settings: Settings, selection: Selection) -> Plan:
    return make_plan(desired.spot, live, settings, selection, desired.futures)


def untampered(plan_file: Path, saved: Plan, fresh: Plan) -> Plan:
    """The plan made now, when the saved plan holds exactly its changes; else refused."""
    difference = plan_difference(saved, fresh)
    if difference is not None:
        raise TamperedPlanError(
            f"the saved plan {plan_file} does not match the plan made now from the same files and "
            f"live state ({difference}): refused as tampered. Nothing was changed; run `plan` "
            "again and review it."
        )
    return fresh


def _plan_to_apply(
    options: ApplyOptions,
    live: LiveState,
    desired: Desired,
    settings: Settings,
    selection: Selection,
) -> Plan:
    """The saved plan when one is given and still fresh (a stale one is refused, or with
    ``--on-stale replan`` replaced by a plan made now); without one, a plan made now."""
    if options.plan_file is None:
        require_known_targets(selection, desired, live, settings)
        return plan_now(desired, live, settings, selection)
    saved = load_plan(options.plan_file)
    why = stale_reason(saved, options.plan_file, live, desired, settings, selection)
    fresh = plan_now(desired, live, settings, selection)
    if why is None:
        return untampered(options.plan_file, saved.plan, fresh)
    if options.on_stale != "replan":
        raise StalePlanError(
            f"the saved plan {options.plan_file} is stale ({why}). Nothing was changed; run "
            "`plan` again."
        )
    typer.echo(
        f"Note: the saved plan {options.plan_file} is stale ({why}): planning again from the "
        "current files and live state (--on-stale replan).",
        err=True,
    )
    return fresh


class _Output:
    """Where each part goes: with ``--format json`` stdout carries only the JSON document."""

    def __init__(self, output_format: str) -> None:
        self.json = output_format == "json"
        self.side: IO[str] = sys.stderr if self.json else sys.stdout

    def reporter(self) -> Reporter:
        if _stream_is_terminal(self.side):
            from oco_reconcile.commands.console import make_console

            return LiveReporter(make_console(file=self.side))
        if self.json:
            return SilentReporter()
        return LineReporter(self.side)


def _show_plan(plan: Plan, out: _Output) -> None:
    from oco_reconcile.render.plan import render_text as render_plan

    typer.echo(render_plan(plan), err=out.json)


def _limits(live: LiveState) -> tuple[RateLimit, ...]:
    return live.info.rate_limits or DEFAULT_LIMITS


def with_remaining(
    result: ApplyResult,
    venues: Venues,
    desired: Desired,
    settings: Settings,
    selection: Selection,
) -> ApplyResult:
    """The result with the plan of a fresh read: empty means converged."""
    try:
        after = read_state(venues, desired, settings)
    except ExchangeError as error:
        return replace(result, reread_error=f"could not re-read the live state ({error})")
    return replace(result, remaining=plan_now(desired, after, settings, selection))


def _finish(result: ApplyResult, plan: Plan, out: _Output) -> int:
    if out.json:
        typer.echo(render_json(result, plan))
    else:
        typer.echo(render_text(result, progress_shown=bool(result.results)))
    return exit_code_of(result)


def exit_code_of(result: ApplyResult) -> int:
    """0 only when every change succeeded *and* the re-read shows the exchange converged: a
    remaining diff, plan errors after applying, or a failed re-read (convergence unknown) is 1."""
    return EXIT_OK if result.succeeded and result.converged is True else EXIT_ERROR


def run_apply(options: ApplyOptions) -> int:
    """The whole command; returns the exit code (errors raise into the CLI's one handler)."""
    from oco_reconcile.inputs.desired import load_selected

    paths, targets = selection_inputs(options)
    loaded = load_selected(list(paths))
    settings = loaded.settings
    desired = Desired(loaded.brackets, loaded.futures)
    selection = Selection.of(loaded.outside, targets)
    check_guards(settings, options)
    out = _Output(options.output_format)
    with open_venues(settings, desired, base_url=options.base_url) as venues:
        live = read_state(venues, desired, settings)  # one pacer per venue: reads and the run
        plan = _plan_to_apply(options, live, desired, settings, selection)
        _show_plan(plan, out)
        if plan.has_errors:
            raise PlanError("the plan has errors; nothing was applied")
        if not plan.has_changes:  # the plan text already says so
            if out.json:
                typer.echo(render_json(ApplyResult(results=(), remaining=plan), plan))
            return EXIT_OK
        if not options.auto_approve:
            _confirm(plan, options.base_url or settings.exchange, out)
        with stop_on_signals(StopToken()) as interrupts:
            result = execute_on(plan, venues, live, settings, out.reporter(), interrupts.token)
            if interrupts.exit_code is None:
                result = with_remaining(result, venues, desired, settings, selection)
            else:  # no new request after an interrupt, not even a read
                result = replace(result, reread_error="interrupted: run apply again to finish")
            code = _finish(result, plan, out)
    return interrupts.exit_code or code


def execute_on(  # noqa: PLR0917 - one run's pieces
    plan: Plan,
    venues: Venues,
    live: LiveState,
    settings: Settings,
    reporter: Reporter,
    stop: StopToken,
) -> ApplyResult:
    """Execute ``plan`` (made from ``live``) on the connected venues, each on its own pacer:
    ``apply`` and ``watch --apply`` run it the same way."""
    return execute(
        plan,
        venues.spot,
        reporter,
        limits=_limits(live),
        pacer=venues.spot_reads.pacer,
        max_parallel_symbols=settings.max_parallel_symbols,
        max_parallel_requests=settings.max_parallel_requests,
        history=live.history,
        stop=stop,
        futures=venues.futures_venue({} if live.usdm is None else live.usdm.history),
    )


APPROVAL = "yes"


def _confirm(plan: Plan, where: str, out: _Output) -> None:
    """Terraform's habit: only a typed ``yes`` approves (``y`` is a slip of the finger)."""
    from oco_reconcile.core.words import counted

    changes = counted(len(plan.actionable), "change")
    question = f"Apply these {changes} to {where}? Only '{APPROVAL}' will be accepted"
    answer = typer.prompt(question, default="", show_default=False, err=out.json)
    if answer.strip() != APPROVAL:
        typed = f"{answer.strip()!r} is not '{APPROVAL}'" if answer.strip() else "no answer"
        raise UsageError(f"apply cancelled ({typed}): nothing was changed")
