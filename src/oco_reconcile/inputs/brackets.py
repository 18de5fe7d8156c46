"""Bracket files -> frozen :class:`~oco_reconcile.core.model.Bracket` values, every problem at once.

One file goes through three layers, each reporting ``file:line`` problems: bounded YAML
(:mod:`~oco_reconcile.inputs.yamldoc`), the ``brackets`` JSON Schema (structure, types, enums,
unknown keys) and the semantics here: exact decimals, names that fit a client order id, the
friendly or full form of the legs (:mod:`~oco_reconcile.inputs.legs`). Where the schema states a
rule only for editors (decimal values, the friendly/full form choice), its errors are dropped in
favour of this layer's more precise message, so each problem is reported once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from oco_reconcile.core.identity import CLIENT_ID_RE, NAME_RE, max_name_length
from oco_reconcile.core.model import (
    STOP_LOSS_TYPES,
    TAKE_PROFIT_TYPES,
    Bracket,
    Leg,
    LegPosition,
    LegType,
    Side,
    SourceLocation,
    take_profit_position,
)
from oco_reconcile.core.settings import Settings
from oco_reconcile.core.usdm.model import FuturesBracket, Market
from oco_reconcile.errors import InputError, Problem
from oco_reconcile.inputs.amounts import read_amount
from oco_reconcile.inputs.document import (
    Describe,
    Document,
    Issue,
    IssueLog,
    PathKey,
    enum_value,
    format_path,
    present,
    to_problems,
    value_kind,
)
from oco_reconcile.inputs.futures import FuturesReader
from oco_reconcile.inputs.legs import FRIENDLY_KEYS, FULL_KEYS, LegReader, LegRole
from oco_reconcile.inputs.schema import check_schema
from oco_reconcile.inputs.yamldoc import read_document

BRACKETS_SCHEMA = "brackets"
SYMBOL_RE = re.compile(r"^[A-Z0-9]{3,20}$")
_SEMANTIC_DEFS = ("decimal", "oneForm", "futuresQuantity")


# --- one file ------------------------------------------------------------------------------------


def allowed_leg_types(side: Side, position: LegPosition) -> frozenset[LegType]:
    """Valid leg types per side and position (rest-api.md "New Order list - OCO (TRADE)")."""
    take_profit_above = side is Side.SELL
    if (position is LegPosition.ABOVE) == take_profit_above:
        return TAKE_PROFIT_TYPES
    return STOP_LOSS_TYPES


@dataclass(frozen=True)
class BracketFile:
    """What one bracket file gave: the brackets that are valid and every problem found."""

    brackets: tuple[Bracket, ...]
    problems: tuple[Problem, ...]
    names: tuple[tuple[str, int | None], ...]  # every readable name, for the uniqueness check
    futures: tuple[FuturesBracket, ...] = ()


def read_bracket_file(path: Path, settings: Settings) -> BracketFile:
    """One bracket file through YAML, schema and semantics; never raises for bad input."""
    try:
        document = read_document(path)
    except InputError as error:
        return BracketFile((), error.problems, ())
    if document.empty:
        message = "empty file: expected a mapping with a 'brackets' list"
        return BracketFile((), (Problem(document.file, message),), ())
    if not isinstance(document.data, dict) and not document.blocked(()):
        got = value_kind(document.data)
        document.issues.append(Issue((), f"expected a mapping with a 'brackets' list, found {got}"))
        return BracketFile((), tuple(to_problems(document, document.issues)), ())
    issues = list(document.issues) + check_schema(
        document, BRACKETS_SCHEMA, semantic_defs=_SEMANTIC_DEFS
    )
    reader = BracketReader(document, settings)
    built = reader.brackets()
    problems = to_problems(document, issues + reader.log.issues, _bracket_describe(document))
    return BracketFile(
        tuple(bracket for bracket in built if isinstance(bracket, Bracket)),
        tuple(problems),
        _names(document),
        tuple(bracket for bracket in built if isinstance(bracket, FuturesBracket)),
    )


def _bracket_describe(document: Document) -> Describe:
    """Problems under ``brackets[i]`` name bracket ``i`` (when it has a name) and a field in it."""
    data = document.data
    items = data.get("brackets") if isinstance(data, dict) else None
    names = {}
    if isinstance(items, list):
        for i, item in enumerate(items):
            name = item.get("name") if isinstance(item, dict) else None
            if isinstance(name, str) and name:
                names[i] = name if len(name) <= 60 else name[:57] + "..."

    def describe(path: PathKey) -> tuple[str | None, str | None]:
        if (
            len(path) >= 2
            and path[0] == "brackets"
            and isinstance(path[1], int)
            and path[1] in names
        ):
            return names[path[1]], format_path(path[2:]) or None
        return None, format_path(path) or None

    return describe


def _names(document: Document) -> tuple[tuple[str, int | None], ...]:
    """Every bracket name written in ``document``, valid or not, with its line."""
    data = document.data
    items = data.get("brackets") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return ()
    found = []
    for i, item in enumerate(items):
        name = item.get("name") if isinstance(item, dict) else None
        if isinstance(name, str):
            found.append((name, document.line_of(("brackets", i, "name"))))
    return tuple(found)


# --- semantics -----------------------------------------------------------------------------------


class BracketReader:
    """Semantic checks of one bracket file's brackets; issues go to ``self.log``."""

    def __init__(self, document: Document, settings: Settings) -> None:
        self.doc = document
        self.settings = settings
        self.log = IssueLog(document)
        self.leg_reader = LegReader(self.log)
        self.futures_reader = FuturesReader(self.log)

    def add(self, path: PathKey, message: str) -> None:
        self.log.add(path, message)

    def brackets(self) -> list[Bracket | FuturesBracket | None]:
        data = self.doc.data
        items = data.get("brackets") if isinstance(data, dict) else None
        if not isinstance(items, list):
            return []
        return [self.bracket(raw, ("brackets", i)) for i, raw in enumerate(items)]

    def bracket(self, raw: object, path: PathKey) -> Bracket | FuturesBracket | None:
        """The one place a bracket is told apart by ``market`` (the schema's if/then/else)."""
        if not isinstance(raw, dict):
            return None
        name = self.name(raw, path)
        if raw.get("market") == Market.USDM.value:
            source = SourceLocation(self.doc.file, self.doc.line_of((*path, "name")))
            return self.futures_reader.bracket(raw, path, name, source)
        return self.spot_bracket(raw, path, name)

    def spot_bracket(
        self, raw: dict[str, object], path: PathKey, name: str | None
    ) -> Bracket | None:
        if raw.get("market", Market.SPOT.value) != Market.SPOT.value:
            return None  # the schema reports the unknown market
        side = enum_value(raw.get("side"), Side)
        quantity = read_amount(self.log, raw, path, "quantity")
        legs = self.legs(raw, path, side)
        protect, rev = raw.get("protect", False), raw.get("rev", 0)
        adopt = raw.get("adopt")
        symbol = raw.get("symbol")
        if not (isinstance(symbol, str) and SYMBOL_RE.match(symbol)):
            return None
        if name is None or not isinstance(side, Side) or not isinstance(quantity, Decimal):
            return None
        if legs is None or not isinstance(protect, bool) or not _is_count(rev):
            return None
        if adopt is not None and not (isinstance(adopt, str) and CLIENT_ID_RE.match(adopt)):
            return None  # the schema reports it
        line = self.doc.line_of((*path, "name"))
        return Bracket(
            name=name,
            symbol=symbol,
            side=side,
            quantity=quantity,
            above=legs[0],
            below=legs[1],
            protect=protect,
            rev=int(present(rev, int) or 0),
            adopt=adopt,
            source=SourceLocation(self.doc.file, line),
        )

    def name(self, raw: dict[str, object], path: PathKey) -> str | None:
        name = raw.get("name")
        if not isinstance(name, str) or not NAME_RE.match(name):
            return None  # the schema reports it
        limit = max_name_length(self.settings.owner)
        if len(name) > limit:
            self.add(
                (*path, "name"),
                f"is {len(name)} characters; at most {limit} with owner '{self.settings.owner}' "
                "(every client order id derived from it must fit Binance's 36)",
            )
            return None
        return name

    def legs(self, raw: dict[str, object], path: PathKey, side: object) -> tuple[Leg, Leg] | None:
        friendly = [key for key in FRIENDLY_KEYS if key in raw]
        full = [key for key in FULL_KEYS if key in raw]
        if friendly and full:
            self.add(
                path,
                f"mixes the friendly form ({', '.join(friendly)}) with the full form "
                f"({', '.join(full)}); use take_profit + stop_loss, or above + below",
            )
            return None
        if not friendly and not full:
            self.add(path, "has no legs: give take_profit and stop_loss (or above and below)")
            return None
        keys = FRIENDLY_KEYS if friendly else FULL_KEYS
        for key in keys:
            if key not in raw:
                other = keys[1] if key == keys[0] else keys[0]
                self.add((*path, key), f"required field is missing ({other} needs it)")
        if len(friendly or full) < 2:
            return None
        if friendly:
            return self.friendly_legs(raw, path, side)
        return self.full_legs(raw, path, side)

    def friendly_legs(
        self, raw: dict[str, object], path: PathKey, side: object
    ) -> tuple[Leg, Leg] | None:
        both_limit_maker = _both_limit_maker(raw, FRIENDLY_KEYS)
        take_profit = self.leg_reader.leg(
            raw["take_profit"],
            (*path, "take_profit"),
            LegRole("a take-profit leg", TAKE_PROFIT_TYPES),
        )
        stop_loss = self.leg_reader.leg(
            raw["stop_loss"],
            (*path, "stop_loss"),
            LegRole("a stop-loss leg", STOP_LOSS_TYPES, both_limit_maker=both_limit_maker),
        )
        if take_profit is None or stop_loss is None or not isinstance(side, Side):
            return None
        self.leg_reader.check_order(
            side, take_profit, stop_loss, path, ("take_profit", "stop_loss")
        )
        if take_profit_position(side) is LegPosition.ABOVE:
            return take_profit, stop_loss
        return stop_loss, take_profit

    def full_legs(
        self, raw: dict[str, object], path: PathKey, side: object
    ) -> tuple[Leg, Leg] | None:
        both_limit_maker = _both_limit_maker(raw, FULL_KEYS)
        if not isinstance(side, Side):
            for key in FULL_KEYS:
                self.leg_reader.leg(
                    raw[key], (*path, key), LegRole("a leg", TAKE_PROFIT_TYPES | STOP_LOSS_TYPES)
                )
            return None
        legs = [
            self.leg_reader.leg(
                raw[position.value],
                (*path, position.value),
                LegRole(
                    f"the {position.value} leg of a {side} OCO",
                    allowed_leg_types(side, position),
                    both_limit_maker=both_limit_maker,
                    swap_hint=True,
                ),
            )
            for position in (LegPosition.ABOVE, LegPosition.BELOW)
        ]
        above, below = legs
        if above is None or below is None:
            return None
        if take_profit_position(side) is LegPosition.ABOVE:
            self.leg_reader.check_order(side, above, below, path, ("above", "below"))
        else:
            self.leg_reader.check_order(side, below, above, path, ("below", "above"))
        return above, below


def _both_limit_maker(raw: dict[str, object], keys: tuple[str, str]) -> bool:
    legs = [raw.get(key) for key in keys]
    types = [leg.get("type") if isinstance(leg, dict) else None for leg in legs]
    return types == [LegType.LIMIT_MAKER.value, LegType.LIMIT_MAKER.value]


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
