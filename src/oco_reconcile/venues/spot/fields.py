"""Readers of Binance JSON fields: each checks the shape the docs describe and raises
:class:`ResponseFormatError` naming the field otherwise (decimals exactly, never via float)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from oco_reconcile.core.model import Side
from oco_reconcile.json_types import JsonMapping

T = TypeVar("T")


class ResponseFormatError(ValueError):
    """A response did not have the shape the Binance docs describe."""


def as_object(obj: object) -> JsonMapping:
    if not isinstance(obj, Mapping):
        raise ResponseFormatError(f"expected a JSON object, got {type(obj).__name__}")
    return obj


def get_field(obj: object, name: str) -> Any:
    obj = as_object(obj)
    if name not in obj:
        raise ResponseFormatError(f"missing field {name!r}")
    return obj[name]


def as_decimal(value: object, name: str) -> Decimal:
    # Decimals arrive as strings; a JSON number (parsed with parse_float=Decimal) is accepted too.
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ResponseFormatError(f"field {name!r} is not a decimal: {value!r}")
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise ResponseFormatError(f"field {name!r} is not a decimal: {value!r}") from None
    if not result.is_finite():
        raise ResponseFormatError(f"field {name!r} is not finite: {value!r}")
    return result


def as_int(value: object, name: str) -> int:
    if isinstance(value, bool):
        raise ResponseFormatError(f"field {name!r} is not an integer: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    raise ResponseFormatError(f"field {name!r} is not an integer: {value!r}")


def as_str(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise ResponseFormatError(f"field {name!r} is not a string: {value!r}")
    return value


def req_decimal(obj: object, name: str) -> Decimal:
    return as_decimal(get_field(obj, name), name)


def req_int(obj: object, name: str) -> int:
    return as_int(get_field(obj, name), name)


def req_str(obj: object, name: str) -> str:
    return as_str(get_field(obj, name), name)


def optional(obj: JsonMapping, name: str, convert: Callable[[object, str], T]) -> T | None:
    value = obj.get(name)
    return None if value is None else convert(value, name)


def req_side(obj: JsonMapping, name: str = "S") -> Side:
    """A ``BUY`` / ``SELL`` field; anything else is a format error."""
    value = req_str(obj, name)
    if value not in Side.__members__:
        raise ResponseFormatError(f"field {name!r} is not a side: {value[:20]!r}")
    return Side(value)


def nonzero_decimal(obj: JsonMapping, name: str) -> Decimal | None:
    """``None`` for an absent or zero value: Binance prints ``"0.00000000"`` for "not set"."""
    value = optional(obj, name, as_decimal)
    return None if value is None or value == 0 else value


def as_list(value: object, what: str) -> Sequence[Any]:
    if not isinstance(value, list):
        raise ResponseFormatError(f"expected a JSON array of {what}, got {type(value).__name__}")
    return value
