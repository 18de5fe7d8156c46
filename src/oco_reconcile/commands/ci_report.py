"""What the GitHub pipeline shows people: the job summary of one oco-reconcile run, and the comment
posted on the merged pull request after ``apply --format json``.

Both are rendered from what the command printed on stdout (the file the composite action tees it
to), never from the log: the comment states the outcome (done / failed / held), whether the
account converged, and each change with its outcome.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

# GitHub's "Run workflow" button: how a reviewer gets a fresh plan approved after a refused apply.
RECOVERY = (
    "To recover, run the apply workflow by hand (Actions > apply > Run workflow): it plans from "
    "the merged files, shows that plan, waits for approval in the account's environment "
    "(`production` requires reviewers), then applies exactly that plan."
)


def apply_result(text: str) -> dict[str, Any] | None:
    """The ``apply --format json`` document in ``text``, or None when the apply printed none."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if isinstance(data, dict) and {"converged", "summary", "changes"} <= data.keys():
        return data
    return None


def outcome(result: dict[str, Any]) -> str:
    """One word for the whole apply: ``failed`` beats ``held`` beats ``done``."""
    counts = result["summary"]
    if counts.get("failed") or not result.get("succeeded", True):
        return "failed"
    return "held" if counts.get("held") else "done"


def _counts(summary: dict[str, Any]) -> str:
    return ", ".join(f"{count} {key.replace('_', ' ')}" for key, count in summary.items())


def _cell(value: object) -> str:
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")


def _change_rows(changes: list[dict[str, Any]]) -> list[str]:
    if not changes:
        return ["No change was needed."]
    rows = ["| address | action | outcome | detail |", "|---|---|---|---|"]
    for change in changes:
        detail = change.get("message") or change.get("detail")
        cells = (f"`{change.get('address')}`", change.get("action"), change.get("outcome"), detail)
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return rows


def render_apply(result: dict[str, Any], account: str) -> str:
    """Markdown for one account's apply result."""
    converged = "converged" if result["converged"] else "not converged"
    lines = [
        f"**oco-reconcile apply `{account}`: {outcome(result)}, {converged}**",
        "",
        _counts(result["summary"]) + ".",
        "",
        *_change_rows(result["changes"]),
    ]
    if result.get("stop_reason"):
        lines += ["", f"Stopped: {_cell(result['stop_reason'])}."]
    if result.get("remaining"):
        lines += ["", f"Still to do: {len(result['remaining'])} change(s); run apply again."]
    return "\n".join(lines) + "\n"


def render_no_result(account: str, exit_code: str, run_url: str) -> str:
    """Markdown for an apply that printed no result (refused stale plan, bad input, crash)."""
    where = f" ([run log]({run_url}))" if run_url else ""
    return (
        f"**oco-reconcile apply `{account}`: failed before any change (exit {exit_code or '?'})**"
        f"{where}\n\nNothing was applied. {RECOVERY}\n"
    )


def apply_comment(text: str, account: str, exit_code: str, run_url: str = "") -> str:
    """The comment for the merged pull request, from what ``apply --format json`` printed."""
    result = apply_result(text)
    if result is None:
        return render_no_result(account, exit_code, run_url)
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
