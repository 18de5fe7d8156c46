"""The fingerprints a saved plan carries: what it was made from, so ``apply`` can tell it is stale.

Each is ``sha256:`` over canonical JSON (sorted keys, no spaces) of the document's own shapes of
brackets and order lists, so the hash moves exactly when the plan's inputs do.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal

from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.model import Bracket
from oco_reconcile.core.settings import Settings
from oco_reconcile.planfile.codec import Fingerprints
from oco_reconcile.planfile.values import bracket_json, order_list_json, remnant_json


def _text(value: Decimal | None) -> str | None:
    return None if value is None else to_wire(value)


def _digest(payload: object) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def live_fingerprint(live: LiveState) -> str:
    """Hash of the live state a plan depends on: every open order list with its legs, and the
    history of the desired brackets that were not open, and every remnant (a leg still working
    after its list is done: a saved plan must not place on top of one it did not see).

    Last prices and balances are left out on purpose: they move all the time, so a saved plan would
    always be stale; ``apply`` re-checks them against the exchange when it runs.
    """
    lists = sorted(live.open_lists, key=lambda item: (item.symbol, item.order_list_id))
    history = {
        key: {
            "outcome": entry.outcome.value,
            "order_list": None if entry.order_list is None else order_list_json(entry.order_list),
        }
        for key, entry in sorted(live.history.items())
    }
    payload: dict[str, object] = {
        "open_lists": [order_list_json(item) for item in lists],
        "history": history,
    }
    if live.remnants:  # absent when there are none: plans saved before remnants stay valid
        payload["remnants"] = [remnant_json(r) for r in live.remnants]
    return _digest(payload)


def desired_fingerprint(brackets: Iterable[Bracket], settings: Settings) -> str:
    """Hash of the desired brackets and the settings the planner reads."""
    guardrails = settings.guardrails
    return _digest(
        {
            "brackets": [bracket_json(b) for b in sorted(brackets, key=lambda b: b.name)],
            "owner": settings.owner,
            "prune": settings.prune,
            "allow_empty": settings.allow_empty,
            "guardrails": {
                "max_notional": _text(guardrails.max_notional),
                "max_total_notional": _text(guardrails.max_total_notional),
                "max_distance_pct": _text(guardrails.max_distance_pct),
                "symbols": None if guardrails.symbols is None else sorted(guardrails.symbols),
            },
        }
    )


def fingerprints_for(
    live: LiveState, brackets: Sequence[Bracket], settings: Settings
) -> Fingerprints:
    """Both fingerprints of a plan made from ``live``, ``brackets`` and ``settings``."""
    return Fingerprints(live_fingerprint(live), desired_fingerprint(brackets, settings))
