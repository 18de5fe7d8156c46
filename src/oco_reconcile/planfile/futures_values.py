"""Futures values <-> JSON for the plan document: a futures change's live orders, desired
bracket and steps. Decimals go out as wire strings, enums as their values; reading back is
directed by the dataclasses' own field types, and a wrong shape raises the usual
``KeyError``/``TypeError``/``ValueError``, which :mod:`~oco_reconcile.planfile.codec` reports as a
malformed document.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.usdm import model
from oco_reconcile.core.usdm.model import AlgoCancel, AlgoRequest, AlgoStep, FuturesChange
from oco_reconcile.json_types import JsonMapping, JsonObject, JsonValue

T = TypeVar("T")
_SKIPPED = frozenset({"source"})  # display-only (SourceLocation): never part of a plan
_STEP_KINDS: dict[str, type[AlgoRequest] | type[AlgoCancel]] = {
    "place": AlgoRequest,
    "cancel": AlgoCancel,
}


def futures_change_json(change: FuturesChange) -> JsonObject:
    return {
        "before": [_encode(order) for order in change.before],
        "after": None if change.after is None else _encode(change.after),
        "steps": [step_json(step) for step in change.steps],
    }


def futures_change_from(data: JsonMapping) -> FuturesChange:
    after = data["after"]
    return FuturesChange(
        before=tuple(_decode(model.AlgoOrder, item) for item in data["before"]),
        after=None if after is None else _decode(model.FuturesBracket, after),
        steps=tuple(step_from(item) for item in data["steps"]),
    )


def step_json(step: AlgoStep) -> JsonObject:
    kind = "place" if isinstance(step, AlgoRequest) else "cancel"
    encoded = _encode(step)
    assert isinstance(encoded, dict)  # noqa: S101 - a dataclass encodes to an object
    return {"step": kind, **encoded}


def step_from(data: JsonMapping) -> AlgoStep:
    values = {k: v for k, v in data.items() if k != "step"}
    return _decode(_STEP_KINDS[data["step"]], values)


def value_json(value: object) -> JsonValue:
    """Any futures value (an algo order, a position, a bracket) in the document's shape."""
    return _encode(value)


def _encode(value: object) -> JsonValue:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _encode(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in _SKIPPED
        }
    if isinstance(value, Decimal):
        return to_wire(value)
    if isinstance(value, Enum):
        return typing.cast(JsonValue, value.value)
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    return typing.cast(JsonValue, value)


def _decode(cls: type[T], data: JsonValue) -> T:
    if not isinstance(data, dict):
        raise TypeError(f"{cls.__name__}: expected an object")
    hints = typing.get_type_hints(cls, vars(model))
    names = {f.name for f in dataclasses.fields(cls) if f.name not in _SKIPPED}  # type: ignore[arg-type]
    unknown = set(data) - names
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown field(s) {sorted(unknown)}")
    return cls(**{name: _value(hints[name], data[name]) for name in names if name in data})


def _value(hint: Any, data: JsonValue) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return None if data is None else _value(options[0], data)
    if origin is tuple:
        if not isinstance(data, list):
            raise TypeError("expected a list")
        return tuple(_value(typing.get_args(hint)[0], item) for item in data)
    if hint is Decimal:
        if not isinstance(data, str):
            raise TypeError("a decimal must be a string")
        return Decimal(data)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(data)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _decode(hint, data)
    if hint in (bool, int, str) and not isinstance(data, hint):
        raise TypeError(f"expected {hint.__name__}")
    if hint is int and isinstance(data, bool):
        raise TypeError("expected int")
    return data
