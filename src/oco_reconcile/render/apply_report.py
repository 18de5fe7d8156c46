"""How an apply run is shown: live progress while it runs, and the final result as text or JSON.

:class:`LiveReporter` (a rich progress bar plus one line per finished change) is for terminals;
:class:`LineReporter` writes plain lines (CI logs, pipes). Both satisfy ``apply.Reporter``;
``apply.execute`` serializes their calls. :func:`render_text` and :func:`render_json` turn the
final :class:`ApplyResult` (with the re-read ``remaining`` plan) into what
the ``apply`` command prints: every change's outcome, then "converged" or the remaining diff.
"""

from __future__ import annotations

import json
from typing import IO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from oco_reconcile.apply.results import ApplyResult, ChangeResult, Outcome, Reporter
from oco_reconcile.core.model import OcoRequest
from oco_reconcile.core.plan import CancelStep, Change, Plan
from oco_reconcile.json_types import JsonObject
from oco_reconcile.planfile.codec import plan_document

# 2: summary keys and outcomes without spaces (``already_done``), the document's ``kind``.
JSON_FORMAT_VERSION = 2
DOCUMENT_KIND = "oco-reconcile-apply"

_STYLE = {
    Outcome.DONE: "green",
    Outcome.ALREADY_DONE: "green",
    Outcome.FAILED: "bold red",
    Outcome.HELD: "yellow",
    Outcome.NOT_ATTEMPTED: "yellow",
}


def describe(result: ChangeResult) -> str:
    """One line: ``-/+ bracket.x (BTCUSDT): done - placed [-2010 msg]``."""
    change = result.change
    line = f"{change.action.symbol} {change.address} ({change.symbol}): {result.outcome.value}"
    if result.detail:
        line += f" - {result.detail}"
    if result.code is not None or result.message:
        code = "" if result.code is None else f"{result.code} "
        line += f" [{code}{result.message or ''}]".replace(" ]", "]")
    return line


def summary_line(result: ApplyResult) -> str:
    parts = [f"{result.count(outcome)} {outcome.value}" for outcome in Outcome]
    return f"Apply: {', '.join(parts)}."


class LineReporter:
    """Plain lines, one per event; for logs and pipes."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def on_start(self, plan: Plan) -> None:
        count = len(plan.actionable)
        self._write(f"Applying {count} change{'s' if count != 1 else ''}...")

    def on_change_started(self, change: Change) -> None:
        self._write(f"{change.action.symbol} {change.address} ({change.symbol}): started")

    def on_change_done(self, change: Change, result: ChangeResult) -> None:
        self._write(describe(result))

    def on_finish(self, result: ApplyResult) -> None:
        self._write(summary_line(result))

    def _write(self, line: str) -> None:
        self._stream.write(line + "\n")
        self._stream.flush()


class LiveReporter:
    """A rich progress bar with each finished change printed above it; for terminals."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._progress = Progress(
            TextColumn("[bold]apply"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task = self._progress.add_task("", total=0)

    def on_start(self, plan: Plan) -> None:
        self._progress.update(self._task, total=len(plan.actionable))
        self._progress.start()

    def on_change_started(self, change: Change) -> None:
        self._progress.update(self._task, description=change.address)

    def on_change_done(self, change: Change, result: ChangeResult) -> None:
        style = _STYLE[result.outcome]
        self._progress.console.print(describe(result), style=style, markup=False, highlight=False)
        self._progress.advance(self._task)

    def on_finish(self, result: ApplyResult) -> None:
        self._progress.stop()
        self._console.print(summary_line(result), markup=False, highlight=False)


def make_reporter(stream: IO[str], *, live: bool) -> Reporter:
    """The live reporter on a terminal, plain lines otherwise."""
    if live:
        from oco_reconcile.commands.console import make_console

        return LiveReporter(make_console(file=stream))
    return LineReporter(stream)


class SilentReporter:
    """Reports nothing (``--format json`` without a terminal: the JSON document says it all)."""

    def on_start(self, plan: Plan) -> None:
        pass

    def on_change_started(self, change: Change) -> None:
        pass

    def on_change_done(self, change: Change, result: ChangeResult) -> None:
        pass

    def on_finish(self, result: ApplyResult) -> None:
        pass


# --- the final result --------------------------------------------------------------------------


def _remaining_lines(remaining: Plan) -> list[str]:
    lines = [
        f"  {c.action.symbol} {c.address} ({c.symbol}): {c.reason}" for c in remaining.actionable
    ]
    lines += [f"  ! {problem}" for problem in remaining.problems]
    return lines


def convergence_text(result: ApplyResult) -> str:
    if result.remaining is None:
        why = result.reread_error or "the live state was not re-read"
        return f"Convergence unknown: {why}."
    if result.converged:
        return "Converged: the exchange matches the desired state."
    lines = _remaining_lines(result.remaining)
    count = len(result.remaining.actionable)
    head = f"Not converged: {count} change{' remains' if count == 1 else 's remain'}"
    if result.remaining.has_errors:
        head += " and the plan has errors"
    return "\n".join([head + ":", *lines])


def _stopped_recap(result: ApplyResult) -> str:
    """What a stopped run did and did not start (an interrupt finishes started replaces)."""
    done = result.count(Outcome.DONE) + result.count(Outcome.ALREADY_DONE)
    skipped = result.count(Outcome.NOT_ATTEMPTED)
    return (
        f"Done before stopping: {done} of {len(result.results)} changes; not started: {skipped}"
        + (" (run apply again to finish them)." if skipped else ".")
    )


def render_text(result: ApplyResult, *, progress_shown: bool = False) -> str:
    """Every change's outcome, the stop reason (ban), the summary, then convergence.

    With ``progress_shown`` (a reporter already printed each result and the summary as they
    came) only the changes that did not succeed are repeated, so none of them scrolls out of sight.
    """
    if progress_shown:
        unsuccessful = [describe(item) for item in result.results if not item.succeeded]
        lines = ["Not succeeded:", *unsuccessful] if unsuccessful else []
    else:
        lines = [describe(item) for item in result.results]
    if result.stop_reason:
        lines.append(f"Stopped: {result.stop_reason}")
        lines.append(_stopped_recap(result))
    if not progress_shown:
        lines.append(summary_line(result))
    lines.append(convergence_text(result))
    return "\n".join(lines)


def _change_json(result: ChangeResult) -> JsonObject:
    change = result.change
    target = change.place or change.cancel
    document = _spot_change_json(result, target)
    if change.futures is not None:  # Spot documents stay as they were (no market key)
        document["market"] = change.market.value
        document["client_algo_ids"] = [step.client_algo_id for step in change.futures.steps]
    return document


def _spot_change_json(result: ChangeResult, target: OcoRequest | CancelStep | None) -> JsonObject:
    change = result.change
    return {
        "address": change.address,
        "action": change.action.value,
        "symbol": change.symbol,
        "list_client_order_id": None if target is None else target.list_client_order_id,
        "outcome": outcome_key(result.outcome),
        "succeeded": result.succeeded,
        "detail": result.detail,
        "code": result.code,
        "message": result.message,
        "order_list_id": None if result.placed is None else result.placed.order_list_id,
    }


def outcome_key(outcome: Outcome) -> str:
    """An outcome as a JSON key or value: ``already_done``, never a space."""
    return outcome.value.replace(" ", "_")


def _remaining_json(remaining: Plan | None) -> list[JsonObject] | None:
    if remaining is None:
        return None
    return [
        {"address": c.address, "action": c.action.value, "symbol": c.symbol, "reason": c.reason}
        for c in remaining.actionable
    ]


def result_document(result: ApplyResult, plan: Plan | None = None) -> JsonObject:
    """The ``--format json`` document (``format_version`` guards its shape); ``plan`` is the
    executed plan's own document (plan.py), included when given."""
    document: JsonObject = {
        "format_version": JSON_FORMAT_VERSION,
        "kind": DOCUMENT_KIND,
        "succeeded": result.succeeded,
        "converged": result.converged,
        "stop_reason": result.stop_reason,
        "banned_until": None if result.banned_until is None else result.banned_until.isoformat(),
        "reread_error": result.reread_error,
        "summary": {outcome_key(outcome): result.count(outcome) for outcome in Outcome},
        "changes": [_change_json(item) for item in result.results],
        "remaining": _remaining_json(result.remaining),
        "remaining_problems": (
            None if result.remaining is None else [str(p) for p in result.remaining.problems]
        ),
    }
    if result.remaining is not None:
        document["remaining_plan"] = plan_document(result.remaining)
    if plan is not None:
        document["plan"] = plan_document(plan)
    return document


def render_json(result: ApplyResult, plan: Plan | None = None) -> str:
    return json.dumps(result_document(result, plan), indent=2)
