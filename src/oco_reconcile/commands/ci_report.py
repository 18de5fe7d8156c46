"""What the GitHub pipeline shows people: the job summary of one oco-reconcile run, and the comment
posted on the merged pull request after ``apply --format json``.

Both are rendered from what the command printed on stdout (the file the composite action tees it
to), never from the log: the comment states the outcome (done / failed / held), whether the
account converged, and each change with its outcome.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oco_reconcile.core.words import counted

# GitHub's "Run workflow" button: how a reviewer gets a fresh plan approved after a refused apply.
RECOVERY = (
    "To recover, run the apply workflow by hand (Actions > apply > Run workflow): it plans from "
    "the merged files, shows that plan, waits for approval in the account's environment "
    "(`production` requires reviewers), then applies exactly that plan."
)


@dataclass(frozen=True)
class ChangeLine:
    """One change of the apply result, as the comment shows it."""

    address: str
    action: str
    outcome: str
    detail: str  # the exchange's message when it refused, else the tool's detail


@dataclass(frozen=True)
class ApplySummary:
    """What the pipeline reports of one ``apply --format json`` document."""

    counts: dict[str, int]  # outcome -> number of changes, keys as the document spells them
    succeeded: bool
    converged: bool | None  # None: the re-read after applying failed
    changes: tuple[ChangeLine, ...]
    stop_reason: str | None
    remaining: int  # changes still to do after the apply


def _change_line(change: dict[str, Any]) -> ChangeLine:
    detail = change.get("message") or change.get("detail") or ""
    address, action, done = (str(change.get(key, "")) for key in ("address", "action", "outcome"))
    return ChangeLine(address, action, done.replace("_", " "), str(detail))


def read_summary(document: object) -> ApplySummary | None:
    """The one reader of ``apply --format json`` keys: ``summary``, ``succeeded``, ``converged``,
    ``stop_reason``, ``remaining`` and ``changes`` (each change's ``address``, ``action``,
    ``outcome``, ``message``, ``detail``, in :func:`_change_line`); None when ``document`` is not
    such a result."""
    if not isinstance(document, dict):
        return None
    counts, changes = document.get("summary"), document.get("changes")
    converged, remaining = document.get("converged"), document.get("remaining") or []
    if not isinstance(counts, dict) or not all(isinstance(n, int) for n in counts.values()):
        return None
    if not isinstance(changes, list) or not all(isinstance(c, dict) for c in changes):
        return None
    if converged not in (True, False, None) or "converged" not in document:
        return None
    return ApplySummary(
        counts={str(key): count for key, count in counts.items()},
        succeeded=document.get("succeeded", True) is True,
        converged=converged,
        changes=tuple(_change_line(change) for change in changes),
        stop_reason=document.get("stop_reason") or None,
        remaining=len(remaining) if isinstance(remaining, list) else 0,
    )


def apply_result(text: str) -> ApplySummary | None:
    """The apply result printed in ``text``, or None when the apply printed none."""
    try:
        return read_summary(json.loads(text))
    except ValueError:
        return None


def outcome(result: ApplySummary) -> str:
    """One word for the whole apply: ``failed`` beats ``held`` beats ``done``."""
    if result.counts.get("failed") or result.stop_reason:
        return "failed"
    if result.counts.get("held"):
        return "held"  # a held change is not a success either, but it is not a failure
    return "done" if result.succeeded else "failed"


_CONVERGED = {True: "converged", False: "not converged", None: "convergence unknown"}


def _counts(counts: dict[str, int]) -> str:
    # "already done" and "already_done" read the same
    return ", ".join(f"{count} {key.replace('_', ' ')}" for key, count in counts.items())


def _cell(value: object) -> str:
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")


def _change_rows(changes: tuple[ChangeLine, ...]) -> list[str]:
    if not changes:
        return ["No change was needed."]
    rows = ["| address | action | outcome | detail |", "|---|---|---|---|"]
    for change in changes:
        cells = (f"`{change.address}`", change.action, change.outcome, change.detail)
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return rows


def render_apply(result: ApplySummary, account: str) -> str:
    """Markdown for one account's apply result."""
    lines = [
        f"**oco-reconcile apply `{account}`: {outcome(result)}, {_CONVERGED[result.converged]}**",
        "",
        _counts(result.counts) + ".",
        "",
        *_change_rows(result.changes),
    ]
    if result.stop_reason:
        lines += ["", f"Stopped: {_cell(result.stop_reason)}."]
    if result.remaining:
        lines += ["", f"Still to do: {counted(result.remaining, 'change')}; run apply again."]
    return "\n".join(lines) + "\n"


def _no_result_cause(text: str) -> str:
    if not text.strip():
        return "it printed no result"
    return "what it printed is not an `apply --format json` result"


def render_no_result(account: str, exit_code: str, run_url: str, text: str = "") -> str:
    """Markdown for an apply that printed no result (refused stale plan, bad input, crash)."""
    where = f" ([run log]({run_url}))" if run_url else ""
    return (
        f"**oco-reconcile apply `{account}`: failed, no result (exit {exit_code or '?'})**"
        f"{where}\n\nThe apply stopped before reporting: {_no_result_cause(text)}; the run log "
        f"says why (a refused stale plan applies nothing). {RECOVERY}\n"
    )


def apply_comment(text: str, account: str, exit_code: str, run_url: str = "") -> str:
    """The comment for the merged pull request, from what ``apply --format json`` printed."""
    result = apply_result(text)
    if result is None:
        return render_no_result(account, exit_code, run_url, text)
    return render_apply(result, account)


def _fenced(text: str) -> str:
    fence = "````" if "```" in text else "```"
    return f"{fence}\n{text.rstrip()}\n{fence}\n"


def summary(text: str, title: str, exit_code: str, account: str = ".") -> str:
    """The job summary of one run: rendered apply result, markdown as is, anything else fenced."""
    status = f"exit {exit_code}" if exit_code else "interrupted"
    heading = f"### {title} ({status})\n\n"
    result = apply_result(text)
    if result is not None:
        return heading + render_apply(result, account)
    if not text.strip():
        return heading + "_No output._\n"
    if text.lstrip().startswith("#"):
        return heading + text.rstrip() + "\n"
    return heading + _fenced(text)


def _read(path: str) -> str:
    file = Path(path)
    return file.read_text(encoding="utf-8", errors="replace") if file.is_file() else ""


def summary_command(args: list[str]) -> int:
    """``summary OUTPUT_FILE TITLE [EXIT_CODE [ACCOUNT]]``: print the job summary markdown."""
    exit_code = args[2] if len(args) > 2 else ""
    account = args[3] if len(args) > 3 else "."
    sys.stdout.write(summary(_read(args[0]), args[1], exit_code, account))
    return 0


def apply_comment_command(args: list[str]) -> int:
    """``apply-comment RESULT_FILE ACCOUNT [EXIT_CODE [RUN_URL]]``: print the PR comment."""
    exit_code = args[2] if len(args) > 2 else ""
    run_url = args[3] if len(args) > 3 else ""
    sys.stdout.write(apply_comment(_read(args[0]), args[1], exit_code, run_url))
    return 0
