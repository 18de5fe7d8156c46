"""Amounts as users write them: exact positive decimals, or the message saying why not.

A price or quantity is read from the text it was written with (a YAML number keeps its text, see
:class:`~oco_reconcile.inputs.document.YamlInt`), so it never passes through ``float``.
"""

from __future__ import annotations

import re
from decimal import Decimal

from oco_reconcile.inputs.document import (
    INVALID,
    NON_FINITE_RE,
    Invalid,
    IssueLog,
    OddScalar,
    PathKey,
    YamlInt,
    value_kind,
)

MAX_DECIMAL_PLACES = 8  # Binance's precision ceiling; more gives -1111 (filters.md)
MAX_INTEGER_DIGITS = 20

_DECIMAL_TEXT_RE = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")


def read_amount(
    log: IssueLog, mapping: dict[str, object], path: PathKey, key: str
) -> Decimal | Invalid | None:
    """``mapping[key]`` as an amount: None when absent, :data:`INVALID` (reported at
    ``path + (key,)``) when it is not one."""
    if key not in mapping:
        return None
    parsed = parse_amount(mapping[key])
    if isinstance(parsed, str):
        log.add((*path, key), parsed)
        return INVALID
    return parsed


def parse_amount(value: object) -> Decimal | str:
    """A positive decimal exactly as written, or the message saying why ``value`` is not one.

    Accepts a string (``"0.05"``) or a YAML number (``0.05``, ``5``); rejects booleans, NaN and
    infinities, exponents in strings, negative or zero values, more than 8 decimal places
    (Binance's maximum; filters.md, -1111) and absurdly large values."""
    number = _as_decimal(value)
    if isinstance(number, str):
        return number
    if number <= 0:
        return f"must be greater than 0 (got {number})"
    if number.adjusted() >= MAX_INTEGER_DIGITS:
        return f"is too large (more than {MAX_INTEGER_DIGITS} digits before the decimal point)"
    places = _decimal_places(number)
    if places > MAX_DECIMAL_PLACES:
        return f"has {places} decimal places; at most {MAX_DECIMAL_PLACES} are allowed"
    return number


def _decimal_places(number: Decimal) -> int:
    """Significant decimal places, exactly (``normalize()`` would round to the context's 28
    digits): ``0.100`` has 1, ``5`` and ``5E+3`` have 0."""
    digits, exponent = number.as_tuple().digits, int(number.as_tuple().exponent)
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + trailing_zeros))


def _as_decimal(value: object) -> Decimal | str:
    if isinstance(value, bool) or value is None:
        return f"must be a decimal number, not {value_kind(value)}"
    if isinstance(value, OddScalar):
        if value.kind == "non-finite number":
            return f"must be a finite number (got {value.text})"
        return f"write it as a plain decimal number like 0.05 (got {value.text!r})"[:120]
    if isinstance(value, YamlInt):
        return _decimal_from_text(value.text)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        return _decimal_from_text(value)
    return f"must be a decimal number, not {value_kind(value)}"


def _decimal_from_text(text: str) -> Decimal | str:
    if _DECIMAL_TEXT_RE.match(text):
        return Decimal(text)
    if NON_FINITE_RE.match(text.strip()):
        return f"must be a finite number (got {text!r})"
    shown = repr(text) if len(text) <= 40 else "the value"
    return f'{shown} is not a plain decimal number (write it like "0.05")'
