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
from oco_reconcile.core.usdm.model import FuturesBracket, FuturesLiveState
from oco_reconcile.planfile.codec import Fingerprints
from oco_reconcile.planfile.futures_values import value_json
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
    if live.usdm is not None:  # absent for a Spot-only run: its saved plans stay valid
        payload["usdm"] = _usdm_payload(live.usdm)
    return _digest(payload)


def _usdm_payload(live: FuturesLiveState) -> object:
    """Open algo orders, positions (a fill changes what a bracket protects), the position mode
    and the history used; mark and last prices are left out like Spot's last prices."""
    orders = sorted(live.open_algo_orders, key=lambda o: (o.symbol, o.algo_id))
    positions = sorted(live.positions, key=lambda p: (p.symbol, p.position_side.value))
    return {
        "open_algo_orders": [value_json(o) for o in orders],
        "positions": [value_json(p) for p in positions],
        "hedge_mode": live.hedge_mode,
        "history": {key: value_json(order) for key, order in sorted(live.history.items())},
    }


def desired_fingerprint(
    brackets: Iterable[Bracket], settings: Settings, futures: Iterable[FuturesBracket] = ()
) -> str:
    """Hash of the desired brackets (both venues) and the settings the planner reads."""
    payload = _desired_payload(brackets, settings)
    ordered = sorted(futures, key=lambda b: b.name)
    if ordered:  # absent for Spot-only repositories: their saved plans stay valid
        payload["futures"] = [value_json(b) for b in ordered]
    return _digest(payload)


def _desired_payload(brackets: Iterable[Bracket], settings: Settings) -> dict[str, object]:
    guardrails = settings.guardrails
    return {
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


def fingerprints_for(
    live: LiveState,
    brackets: Sequence[Bracket],
    settings: Settings,
    futures: Sequence[FuturesBracket] = (),
) -> Fingerprints:
    """Both fingerprints of a plan made from ``live``, the desired brackets and ``settings``."""
    return Fingerprints(live_fingerprint(live), desired_fingerprint(brackets, settings, futures))
