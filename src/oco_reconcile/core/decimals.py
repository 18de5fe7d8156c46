"""Exact decimal arithmetic for prices and quantities: parsing, wire strings, step rounding.

Money never passes through ``float``. Wire strings are canonical plain decimals (no exponent, no
trailing zeros), which every Binance filter accepts when the value itself is valid.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation


def parse_decimal(text: str) -> Decimal | None:
    """``Decimal`` of a plain decimal string, or None when it is not a finite number."""
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def to_wire(value: Decimal) -> str:
    """Canonical plain string: ``Decimal('0.10')`` -> ``'0.1'``; never an exponent."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def is_multiple(value: Decimal, step: Decimal) -> bool:
    """True when ``value`` is a whole number of ``step`` (a zero step disables the rule)."""
    if step == 0:
        return True
    return value % step == 0


def floor_to_step(value: Decimal, step: Decimal) -> Decimal:
    if step == 0:
        return value
    return (value / step).to_integral_value(rounding=ROUND_FLOOR) * step


def ceil_to_step(value: Decimal, step: Decimal) -> Decimal:
    if step == 0:
        return value
    return (value / step).to_integral_value(rounding=ROUND_CEILING) * step


def nearest_steps(value: Decimal, step: Decimal) -> tuple[Decimal, Decimal]:
    """The valid values just below and just above ``value`` on the ``step`` grid."""
    return floor_to_step(value, step).normalize(), ceil_to_step(value, step).normalize()
