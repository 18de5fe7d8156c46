"""Counted nouns for what a person reads: ``1 change``, ``3 changes``, ``0 brackets``."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun``, the noun plural unless the count is exactly one."""
    word = noun if count == 1 else (plural or noun + "s")
    return f"{count} {word}"
