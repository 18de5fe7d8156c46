"""Deterministic client order ids: the only link between a YAML bracket and a live order list.

A list id is ``{owner}-{name}-{spec hash}``; its legs are ``{list id}-tp`` and ``{list id}-sl``;
the cancel the tool sends renames the legs to ``{list id}-cx`` so history tells "cancelled by
oco-reconcile" from "cancelled outside git". Binance allows ``^[a-zA-Z0-9-_]{1,36}$`` for all of
them (rest-api.md "New Order list - OCO (TRADE)", listClientOrderId), and nothing here is random,
so a re-run after a crash finds its own work.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.model import Bracket, Leg, LegPosition, take_profit_position

CLIENT_ID_RE = re.compile(r"^[a-zA-Z0-9\-_]{1,36}$")
OWNER_RE = re.compile(r"^[a-zA-Z0-9]{1,10}$")
NAME_RE = re.compile(r"^[a-zA-Z0-9\-_]+$")
HASH_LENGTH = 6
MAX_CLIENT_ID = 36
TAKE_PROFIT_SUFFIX = "-tp"
STOP_LOSS_SUFFIX = "-sl"
CANCEL_SUFFIX = "-cx"
_LONGEST_SUFFIX = max(len(TAKE_PROFIT_SUFFIX), len(STOP_LOSS_SUFFIX), len(CANCEL_SUFFIX))
_HASH_RE = re.compile(rf"^[a-z2-7]{{{HASH_LENGTH}}}$")


def max_name_length(owner: str) -> int:
    """Longest bracket name whose every derived id still fits in 36 characters."""
    return MAX_CLIENT_ID - len(owner) - 1 - 1 - HASH_LENGTH - _LONGEST_SUFFIX


def _leg_spec(leg: Leg) -> dict[str, object]:
    return {
        "type": leg.type.value,
        "price": None if leg.price is None else to_wire(leg.price),
        "stop_price": None if leg.stop_price is None else to_wire(leg.stop_price),
        "trailing_delta": leg.trailing_delta,
        "time_in_force": None if leg.time_in_force is None else leg.time_in_force.value,
        "iceberg_qty": None if leg.iceberg_qty is None else to_wire(leg.iceberg_qty),
    }


def spec_hash(bracket: Bracket) -> str:
    """Short hash of everything that goes to the exchange, plus ``rev`` (not ``protect``)."""
    spec = {
        "symbol": bracket.symbol,
        "side": bracket.side.value,
        "quantity": to_wire(bracket.quantity),
        "above": _leg_spec(bracket.above),
        "below": _leg_spec(bracket.below),
        "rev": bracket.rev,
    }
    return short_hash(spec)


def short_hash(spec: Mapping[str, object]) -> str:
    """The id's hash part: sha256 of the canonical JSON, base32, lower case, HASH_LENGTH long."""
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:HASH_LENGTH]


@dataclass(frozen=True)
class BracketIds:
    list_client_order_id: str
    above_client_order_id: str
    below_client_order_id: str
    cancel_client_order_id: str


def list_id_for(owner: str, name: str, digest: str) -> str:
    return f"{owner}-{name}-{digest}"


def cancel_id_for(list_client_order_id: str) -> str:
    return list_client_order_id + CANCEL_SUFFIX


# The planner asks for the same bracket's ids from several places; the answer depends only on the
# (frozen, hashable) bracket and the owner, and hashing the spec dominates large plans.
@functools.lru_cache(maxsize=65536)
def bracket_ids(owner: str, bracket: Bracket) -> BracketIds:
    list_id = list_id_for(owner, bracket.name, spec_hash(bracket))
    take_profit_id = list_id + TAKE_PROFIT_SUFFIX
    stop_loss_id = list_id + STOP_LOSS_SUFFIX
    tp_above = take_profit_position(bracket.side) is LegPosition.ABOVE
    return BracketIds(
        list_client_order_id=list_id,
        above_client_order_id=take_profit_id if tp_above else stop_loss_id,
        below_client_order_id=stop_loss_id if tp_above else take_profit_id,
        cancel_client_order_id=cancel_id_for(list_id),
    )


@dataclass(frozen=True)
class ParsedListId:
    name: str
    digest: str


def parse_list_id(owner: str, list_client_order_id: str) -> ParsedListId | None:
    """Name and hash of a list id this owner made, or None when the list is not ours."""
    prefix = owner + "-"
    if not list_client_order_id.startswith(prefix):
        return None
    name, sep, digest = list_client_order_id[len(prefix) :].rpartition("-")
    if not sep or not name or not NAME_RE.match(name) or not _HASH_RE.match(digest):
        return None
    return ParsedListId(name=name, digest=digest)


@dataclass(frozen=True)
class ParsedLegId:
    list_client_order_id: str
    name: str
    take_profit: bool


def parse_leg_id(owner: str, client_order_id: str) -> ParsedLegId | None:
    """The list and bracket name of a leg id this owner made (``{list id}-tp`` / ``-sl``)."""
    for suffix in (TAKE_PROFIT_SUFFIX, STOP_LOSS_SUFFIX):
        if client_order_id.endswith(suffix):
            list_id = client_order_id.removesuffix(suffix)
            parsed = parse_list_id(owner, list_id)
            if parsed is not None:
                return ParsedLegId(list_id, parsed.name, suffix == TAKE_PROFIT_SUFFIX)
    return None


def is_managed(owner: str, list_client_order_id: str) -> bool:
    return parse_list_id(owner, list_client_order_id) is not None


def was_cancelled_by_tool(list_client_order_id: str, leg_client_order_id: str) -> bool:
    """True when a cancelled leg carries the cancel id this tool sends (history classification)."""
    return leg_client_order_id == cancel_id_for(list_client_order_id)
