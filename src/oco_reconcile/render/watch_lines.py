"""``watch`` output: one line per stream event naming the bracket, or one JSON object per line.

The JSON form is versioned (``format_version``) like the plan and apply documents; decimals are
canonical strings (``98000.00`` -> ``98000``), times ISO 8601 UTC. Secrets never reach an event
(the stream messages carry none; a listen key is part of the URL, never of an event).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from oco_reconcile.apply.results import ApplyResult
from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.events import StreamEvent, bracket_of
from oco_reconcile.core.identity import parse_leg_id
from oco_reconcile.core.plan import Plan
from oco_reconcile.core.usdm.model import AlgoCancel, LegRole
from oco_reconcile.core.words import counted
from oco_reconcile.json_types import JsonObject
from oco_reconcile.planfile.codec import plan_document
from oco_reconcile.render.apply_report import outcome_key, result_document
from oco_reconcile.render.apply_report import render_text as render_apply_text
from oco_reconcile.render.plan import render_text as render_plan_text
from oco_reconcile.watch.desired_files import Rejected, Reloaded
from oco_reconcile.watch.fast_path import OrphanCancelled
from oco_reconcile.watch.feeds import Connected, Disconnected
from oco_reconcile.watch.loop import WatchStatus

# 2: an orphan cancel's outcome spelled as apply's JSON spells it (``already_done``).
WATCH_FORMAT_VERSION = 2


def _when(event: StreamEvent) -> str:
    return iso_time(event.time_ms)


def _leg(event: StreamEvent, owner: str) -> str | None:
    leg = parse_leg_id(owner, event.client_id)
    if leg is None:
        return None
    return "take-profit" if leg.take_profit else "stop-loss"


def event_line(event: StreamEvent, owner: str) -> str:
    """``2026-12-03T12:57:00.000+00:00 usdm BTCUSDT bracket.btc-perp stop-loss triggered at
    98000 (ocr-btc-perp-6btxse-sl)``; an order we do not manage is called unmanaged."""
    name = bracket_of(event, owner)
    subject = "unmanaged order" if name is None else f"bracket.{name}"
    leg = _leg(event, owner)
    parts = [_when(event), event.market.value, event.symbol or "-", subject]
    if leg is not None:
        parts.append(leg)
    parts.append(event.kind.value)
    if event.quantity is not None:
        parts.append(to_wire(event.quantity))
    if event.price is not None:
        parts.append(f"at {to_wire(event.price)}")
    ident = event.client_id or event.list_client_id
    if ident:
        parts.append(f"({ident})")
    return " ".join(parts)


def event_json(event: StreamEvent, owner: str) -> str:
    document: JsonObject = {
        "format_version": WATCH_FORMAT_VERSION,
        "type": "event",
        "time": _when(event),
        "market": event.market.value,
        "kind": event.kind.value,
        "symbol": event.symbol or None,
        "bracket": bracket_of(event, owner),
        "leg": _leg(event, owner),
        "client_id": event.client_id or None,
        "list_client_id": event.list_client_id or None,
        "side": None if event.side is None else event.side.value,
        "price": None if event.price is None else to_wire(event.price),
        "quantity": None if event.quantity is None else to_wire(event.quantity),
        "detail": event.detail or None,
    }
    return json.dumps(document, separators=(",", ":"))


# --- what watch itself does (the loop's records), as text lines and JSON objects -------------


def iso_time(when_ms: int) -> str:
    return datetime.fromtimestamp(when_ms / 1000, UTC).isoformat(timespec="milliseconds")


def orphan_line(when_ms: int, reaction: OrphanCancelled, owner: str) -> str:
    """``... usdm BTCUSDT bracket.btc-perp take-profit: orphan cancelled (ocr-...-tp)``."""
    cancel = reaction.cancel
    name = _bracket_of_leg(owner, cancel.client_algo_id)
    head = f"{iso_time(when_ms)} usdm {cancel.symbol} bracket.{name} {_role(cancel)}"
    if reaction.outcome is not None and reaction.succeeded:
        return f"{head}: orphan cancelled, {reaction.outcome.detail} ({cancel.client_algo_id})"
    why = reaction.error or (reaction.outcome.detail if reaction.outcome else "not sent")
    return f"{head}: orphan cancel failed ({why}); the re-plan shows it ({cancel.client_algo_id})"


def orphan_json(when_ms: int, reaction: OrphanCancelled, owner: str) -> str:
    cancel, outcome = reaction.cancel, reaction.outcome
    document: JsonObject = {
        "format_version": WATCH_FORMAT_VERSION,
        "type": "orphan_cancel",
        "time": iso_time(when_ms),
        "market": "usdm",
        "symbol": cancel.symbol,
        "bracket": _bracket_of_leg(owner, cancel.client_algo_id),
        "leg": _role(cancel),
        "client_id": cancel.client_algo_id,
        "outcome": None if outcome is None else outcome_key(outcome.outcome),
        "detail": reaction.error or (outcome.detail if outcome else None),
    }
    return _dump(document)


def connection_line(when_ms: int, item: Connected | Disconnected) -> str:
    head = f"{iso_time(when_ms)} {item.market.value} stream"
    if isinstance(item, Connected):
        if item.again:
            return f"{head} reconnected: re-planning (events sent meanwhile are not trusted absent)"
        return f"{head} connected"
    return f"{head} lost: {item.reason}; reconnecting in {item.retry_in_s:.1f} s"


def connection_json(when_ms: int, item: Connected | Disconnected) -> str:
    document: JsonObject = {
        "format_version": WATCH_FORMAT_VERSION,
        "type": "stream",
        "time": iso_time(when_ms),
        "market": item.market.value,
        "state": ("reconnected" if item.again else "connected")
        if isinstance(item, Connected)
        else "disconnected",
        "detail": None if isinstance(item, Connected) else item.reason,
        "retry_in_s": None if isinstance(item, Connected) else round(item.retry_in_s, 3),
    }
    return _dump(document)


def plan_lines(when_ms: int, plan: Plan, why: str) -> list[str]:
    """The re-plan's result: "in sync", or the drift (the plan as ``plan`` prints it)."""
    head = f"{iso_time(when_ms)} re-plan ({why}):"
    if not plan.has_changes and not plan.has_errors:
        return [f"{head} in sync, no changes"]
    what = counted(len(plan.actionable), "change")
    if plan.has_errors:
        what = f"{counted(len(plan.problems), 'error')}, nothing will be applied"
    body = [f"  {line}" if line else "" for line in render_plan_text(plan).splitlines()]
    return [f"{head} {what}", *body]


def plan_json(when_ms: int, plan: Plan, why: str, *, news: bool) -> str:
    document: JsonObject = {
        "format_version": WATCH_FORMAT_VERSION,
        "type": "plan",
        "time": iso_time(when_ms),
        "why": why,
        "news": news,
        "changes": len(plan.actionable),
        "errors": len(plan.problems),
        "plan": plan_document(plan),
    }
    return _dump(document)


def apply_lines(when_ms: int, result: ApplyResult) -> list[str]:
    text = render_apply_text(result, progress_shown=True)
    return [f"{iso_time(when_ms)} applied:", *(f"  {line}" for line in text.splitlines() if line)]


def apply_json(when_ms: int, result: ApplyResult, plan: Plan) -> str:
    document: JsonObject = {
        "format_version": WATCH_FORMAT_VERSION,
        "type": "apply",
        "time": iso_time(when_ms),
        "result": result_document(result, plan),
    }
    return _dump(document)


def failure_line(when_ms: int, what: str, error: str, retry_in_s: float) -> str:
    return f"{iso_time(when_ms)} {what} failed: {error}; trying again in {retry_in_s:.0f} s"


def failure_json(when_ms: int, what: str, error: str, retry_in_s: float) -> str:
    document: JsonObject = {
        "format_version": WATCH_FORMAT_VERSION,
        "type": "error",
        "time": iso_time(when_ms),
        "what": what,
        "detail": error,
        "retry_in_s": round(retry_in_s, 3),
    }
    return _dump(document)


def reload_lines(when_ms: int, change: Reloaded | Rejected) -> list[str]:
    head = f"{iso_time(when_ms)} bracket files changed"
    if isinstance(change, Rejected):
        count = len(change.problems)
        return [
            f"{head} but {count} problem{'s' if count != 1 else ''} found; the last good "
            "desired state stays in force:",
            *(f"  {problem}" for problem in change.problems),
        ]
    inputs = change.inputs
    count = len(inputs.brackets) + len(inputs.futures)
    lines = [f"{head}: {count} bracket{'s' if count != 1 else ''} loaded"]
    if change.settings_changed:
        lines.append("  the settings file changed too: restart watch to use it (kept as started)")
    return lines


def reload_json(when_ms: int, change: Reloaded | Rejected) -> str:
    rejected = isinstance(change, Rejected)
    document: JsonObject = {
        "format_version": WATCH_FORMAT_VERSION,
        "type": "reload",
        "time": iso_time(when_ms),
        "accepted": not rejected,
        "problems": [str(p) for p in change.problems] if isinstance(change, Rejected) else [],
        "settings_changed": False if isinstance(change, Rejected) else change.settings_changed,
    }
    return _dump(document)


def status_text(status: WatchStatus) -> str:
    """The terminal's status line: ``watching spot, usdm · last event ... · re-plan in 42 s``."""
    venues = ", ".join(
        market.value if market in status.connected else f"{market.value} (connecting)"
        for market in sorted(status.venues, key=lambda market: market.value)
    )
    last = status.last_event or "none yet"
    return f"watching {venues} · last event: {last} · next re-plan in {status.next_plan_in_s:.0f} s"


def _role(cancel: AlgoCancel) -> str:
    return "take-profit" if cancel.role is LegRole.TAKE_PROFIT else "stop-loss"


def _bracket_of_leg(owner: str, client_algo_id: str) -> str:
    leg = parse_leg_id(owner, client_algo_id)
    return client_algo_id if leg is None else leg.name


def _dump(document: JsonObject) -> str:
    return json.dumps(document, separators=(",", ":"))
