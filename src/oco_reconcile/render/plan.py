"""Plans for humans and machines: Terraform-like text, the versioned JSON document, and a
pull-request comment in Markdown. The only place that formats a plan; every function returns a
plain string (colours are added at the terminal by :func:`style_of`, never stored). The JSON
document's shape is :mod:`oco_reconcile.planfile.codec`'s; this module only prints it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from oco_reconcile.core.plan import (
    VIEW_FIELDS,
    Action,
    Change,
    Notice,
    NoticeKind,
    Plan,
    PlanProblem,
)
from oco_reconcile.core.remnants import working_text
from oco_reconcile.core.usdm.views import FUTURES_VIEW_FIELDS, step_text
from oco_reconcile.json_types import JsonObject
from oco_reconcile.planfile.codec import Fingerprints, dump_document, plan_document

GITHUB_COMMENT_LIMIT = 65536
# plan.yml prepends a marker and an account header to the sticky comment: leave room for them.
COMMENT_HEADROOM = 1024
_VERBS = {
    Action.CREATE: "will be placed",
    Action.REPLACE: "will be replaced (cancel, then place)",
    Action.CANCEL: "will be cancelled",
}
NOTICE_HEADINGS = {
    NoticeKind.FIRED: "Fired (never re-placed; bump `rev` to re-arm)",
    NoticeKind.PARTLY_FIRED: "Partly fired (a leg is still working; bump `rev` to re-arm)",
    NoticeKind.DRIFT: "Drift (changed outside oco-reconcile; this plan heals it)",
    NoticeKind.HOLD: "Held (a leg is partly executed; not touched)",
    NoticeKind.PROTECTED: "Protected (`protect: true`)",
    NoticeKind.KEPT: "Kept (no longer desired; `prune` is false)",
    NoticeKind.ADOPTED: "Adopted (unmanaged lists standing for a bracket)",
    NoticeKind.OUTSIDE_SELECTION: "Outside the selection (left alone)",
    NoticeKind.UNMANAGED: "Unmanaged order lists (never touched)",
}
NO_CHANGES = "No changes. The live order lists match the desired state."


# --- text ---------------------------------------------------------------------------------------


def render_text(plan: Plan) -> str:
    """The plan as a terminal shows it: changes, notices, errors, and the summary line."""
    blocks: list[str] = []
    changes = plan.actionable
    if changes:
        blocks.append("oco-reconcile will perform the following actions:")
        blocks.extend("\n".join(change_lines(change)) for change in changes)
    else:
        blocks.append(NO_CHANGES)
    blocks.extend(_notice_blocks(plan.notices))
    if plan.problems:
        blocks.append("\n".join(problem_lines(plan.problems)))
    blocks.append(summary_line(plan))
    return "\n\n".join(blocks) + "\n"


def summary_line(plan: Plan) -> str:
    line = plan.summary().line
    if plan.has_errors:
        count = len(plan.problems)
        line += f" The plan has {count} error{'s' if count != 1 else ''}: nothing will be applied."
    return line


def change_lines(change: Change, *, diff_markers: bool = False) -> list[str]:
    """One change: a comment line with the verb and reason, the address, then its fields."""
    verb = _VERBS[change.action]
    header = f"  # {change.address} on {change.symbol} {verb}: {change.reason}"
    marker = f"{change.action.symbol:>3}"
    address = (
        f"  {marker.strip()} {change.address}" if diff_markers else f"{marker} {change.address}"
    )
    lines = [header, address]
    lines += [
        _line(
            "-", f"remnant order {s.order.client_order_id} ({working_text(s.order)})", diff_markers
        )
        for s in change.remnants
    ]
    replaced_unknown = change.action is Action.REPLACE and change.before_view() is None
    if change.action is Action.CREATE or replaced_unknown:
        lines += _field_lines("+", change.after_view(), diff_markers)
    elif change.action is Action.CANCEL:
        lines += _field_lines("-", change.before_view(), diff_markers)
    else:
        lines += _diff_lines(change, diff_markers)
    lines += _id_lines(change)
    return lines


def _field_lines(marker: str, view: dict[str, str | None] | None, diff_markers: bool) -> list[str]:
    width = _width_of(view)
    return [
        _line(marker, f"{name:<{width}} = {_quote(view[name])}", diff_markers)
        for name in (view or {})
        if view is not None and view.get(name) is not None
    ]


def _diff_lines(change: Change, diff_markers: bool) -> list[str]:
    width = _width_of(change.after_view() or change.before_view())
    lines = []
    for diff in change.diff():
        if diff_markers:
            lines.append(_line("-", f"{diff.field:<{width}} = {_quote(diff.before)}", True))
            lines.append(_line("+", f"{diff.field:<{width}} = {_quote(diff.after)}", True))
        else:
            text = f"{diff.field:<{width}} : {_quote(diff.before)} -> {_quote(diff.after)}"
            lines.append(_line("~", text, False))
    return lines


def _id_lines(change: Change) -> list[str]:
    ids = []
    if change.cancel is not None:
        listed = "" if change.before is None else f" (orderListId {change.before.order_list_id})"
        ids.append(f"      # cancels {change.cancel.list_client_order_id}{listed}")
    if change.place is not None:
        ids.append(f"      # places  {change.place.list_client_order_id}")
    if change.futures is not None:
        ids.extend(f"      # {step_text(step)}" for step in change.futures.steps)
    return ids


def _line(marker: str, text: str, diff_markers: bool) -> str:
    """Terraform indents markers; a ```diff block needs them in the first column."""
    return f"{marker}     {text}" if diff_markers else f"      {marker} {text}"


def _width() -> int:
    return max(len(name) for name in VIEW_FIELDS)


def _width_of(view: dict[str, str | None] | None) -> int:
    """Spot keeps its column; a futures view (``market`` first) aligns on its own names."""
    if view is not None and "market" in view:
        return max(len(name) for name in FUTURES_VIEW_FIELDS)
    return _width()


def _quote(value: str | None) -> str:
    return "(none)" if value is None else f'"{value}"'


def _notice_blocks(notices: Sequence[Notice]) -> list[str]:
    blocks = []
    for kind, heading in NOTICE_HEADINGS.items():
        of_kind = [n for n in notices if n.kind is kind]
        if of_kind:
            lines = [f"{heading}:"]
            lines += [f"  {n.address} ({n.symbol}): {n.message}" for n in of_kind]
            blocks.append("\n".join(lines))
    return blocks


def problem_lines(problems: Iterable[PlanProblem]) -> list[str]:
    return ["Errors (nothing will be applied):"] + [f"  Error: {p}" for p in problems]


def style_of(line: str) -> str | None:
    """A rich style for one text line at a terminal (the strings themselves stay plain)."""
    stripped = line.lstrip()
    if stripped.startswith(("Error", "Errors")):
        return "bold red"
    if stripped.startswith("-/+"):
        return "yellow"
    if stripped.startswith("+"):
        return "green"
    if stripped.startswith("-"):
        return "red"
    if stripped.startswith("~"):
        return "yellow"
    if stripped.startswith("#"):
        return "dim"
    return None


# --- json ---------------------------------------------------------------------------------------


def render_json(
    plan: Plan, fingerprints: Fingerprints | None = None, selection: JsonObject | None = None
) -> str:
    """The versioned document (``schemas/plan.schema.json``); saved plans are the same JSON."""
    return dump_document(plan_document(plan, fingerprints, selection))


# --- markdown -----------------------------------------------------------------------------------


def render_markdown(plan: Plan, *, limit: int = GITHUB_COMMENT_LIMIT - COMMENT_HEADROOM) -> str:
    """A pull-request comment: the summary first, errors and notices, details collapsed."""
    head = "\n\n".join(_markdown_head(plan)) + "\n\n"
    details = _markdown_details(plan)
    comment = head + details
    if len(comment) <= limit:
        return comment
    head = _clip_head(head, limit // 2)
    return head + _truncated_details(plan, limit - len(head))


def _clip_head(head: str, room: int) -> str:
    """Thousands of errors or changes: keep whole lines of the head up to ``room``."""
    if len(head) <= room:
        return head
    note = "\n\n... more left out (the comment would exceed GitHub's limit).\n\n"
    cut = head.rfind("\n", 0, max(room - len(note), 0))
    return head[: max(cut, 0)] + note


def _markdown_head(plan: Plan) -> list[str]:
    parts = ["### oco-reconcile plan"]
    if plan.has_errors:
        parts.append(f":x: **{summary_line(plan)}**")
        parts.append(
            "\n".join(f"- `{p.address}`: {_escape(_problem_text(p))}" for p in plan.problems)
        )
    else:
        parts.append(f"**{plan.summary().line}**" if plan.has_changes else f"**{NO_CHANGES}**")
    if plan.actionable:
        parts.append(_change_table(plan.actionable))
    notices = _markdown_notices(plan.notices)
    if notices:
        parts.append(notices)
    return parts


def _problem_text(problem: PlanProblem) -> str:
    parts = (problem.leg, problem.field, problem.message)
    text = ": ".join(part for part in parts if part)
    return text if problem.location is None else f"{text} ({problem.location})"


def _change_table(changes: Sequence[Change]) -> str:
    rows = ["| | address | symbol | reason |", "|---|---|---|---|"]
    rows += [
        f"| `{c.action.symbol}` | `{c.address}` | {c.symbol} | {_escape(c.reason)} |"
        for c in changes
    ]
    return "\n".join(rows)


def _markdown_notices(notices: Sequence[Notice]) -> str:
    groups = []
    for kind, heading in NOTICE_HEADINGS.items():
        of_kind = [n for n in notices if n.kind is kind]
        if of_kind:
            lines = [f"**{heading}**", ""]
            lines += [f"- `{n.address}` ({n.symbol}): {_escape(n.message)}" for n in of_kind]
            groups.append("\n".join(lines))
    return "\n\n".join(groups)


def _markdown_details(plan: Plan, body: str | None = None) -> str:
    text = body if body is not None else _details_body(plan)
    return f"<details><summary>Details</summary>\n\n```diff\n{text}```\n\n</details>\n"


def _details_body(plan: Plan) -> str:
    if not plan.actionable:
        return NO_CHANGES + "\n"
    blocks = ["\n".join(change_lines(c, diff_markers=True)) for c in plan.actionable]
    return "\n\n".join(blocks) + "\n"


def _truncated_details(plan: Plan, room: int) -> str:
    body = _details_body(plan)
    note = (
        "\n... truncated: {n} characters left out (GitHub comments are limited to 65536 "
        "characters); run `oco-reconcile plan` for the full plan.\n"
    )
    wrapper = len(_markdown_details(plan, "")) + len(note.format(n=len(body))) + 1
    keep = max(room - wrapper, 0)
    cut = body.rfind("\n", 0, keep) + 1
    return _markdown_details(plan, body[:cut] + note.format(n=len(body) - cut).lstrip("\n"))


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
