"""What reading an input file gives: plain values with the line of every key, and issues at paths.

A :class:`Document` is one YAML file converted to plain values (``str``, ``bool``, ``None``,
``dict``, ``list``, exact numbers). Every layer that checks it (YAML, JSON Schema, semantics)
records an :class:`Issue` at a path; :func:`to_problems` turns them into ``file:line`` problems.
A layer stays quiet where an earlier one already found a problem (:meth:`Document.blocked`), so
each problem is reported once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from oco_reconcile.errors import Problem

PathKey = tuple[str | int, ...]
Describe = Callable[[PathKey], tuple[str | None, str | None]]
"""A path -> (bracket name, field) for a :class:`Problem`."""

# YAML's spellings of infinity and not-a-number; neither is an amount.
NON_FINITE_RE = re.compile(r"^[-+]?\.?(?:inf|infinity|nan)$", re.IGNORECASE)
_E = TypeVar("_E", bound=StrEnum)
_T = TypeVar("_T")


# --- values a document holds besides str / bool / None / dict / list ----------------------------


class YamlInt(int):
    """A YAML integer that remembers its source text (a price must be read from what was written:
    YAML 1.1 reads ``010`` as octal 8)."""

    text: str

    def __new__(cls, value: int, text: str) -> YamlInt:
        number = super().__new__(cls, value)
        number.text = text
        return number


@dataclass(frozen=True)
class OddScalar:
    """A scalar with no exact plain value here, kept as text: ``.inf``/``.nan``, a sexagesimal or
    underscored number, a date. Every schema type rejects it; messages say what it is."""

    kind: str
    text: str


class Invalid:
    """Marks a field that is present but invalid (its problem is already reported)."""


INVALID = Invalid()


def value_kind(value: object) -> str:
    """What a document value is, in words (never the value itself)."""
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, Decimal):
        return "a decimal number"
    if isinstance(value, OddScalar):
        return f"a {value.kind}"
    kinds: dict[type, str] = {str: "a string", dict: "a mapping", list: "a list"}
    return kinds.get(type(value), "an invalid value")


def enum_value(value: object, kind: type[_E]) -> _E | Invalid | None:
    """``value`` as a member of ``kind``; None when absent, :data:`INVALID` when not a member."""
    if value is None:
        return None
    if isinstance(value, str) and value in kind.__members__:
        return kind(value)
    return INVALID


def present(value: object, kind: type[_T]) -> _T | None:
    """``value`` when it is a ``kind``, else None (absent or :data:`INVALID`)."""
    return value if isinstance(value, kind) else None


# --- documents and issues ------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """A problem at a path inside one document; ``line`` overrides the path's line."""

    path: PathKey
    message: str
    line: int | None = None


@dataclass
class Document:
    """One YAML file converted to plain values, with the line of every key and item."""

    file: str
    data: object
    lines: dict[PathKey, int] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    empty: bool = False

    def line_of(self, path: PathKey) -> int | None:
        """The line of ``path``, else of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    def blocked(self, path: PathKey) -> bool:
        """True when a YAML-level issue sits at or above ``path`` (other layers stay quiet)."""
        return any(path[: len(issue.path)] == issue.path for issue in self.issues)


class IssueLog:
    """The issues one checking layer finds in a document, in the order found."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.issues: list[Issue] = []

    def add(self, path: PathKey, message: str) -> None:
        """Record ``message`` at ``path`` unless a YAML-level issue already covers it."""
        if not self.document.blocked(path):
            self.issues.append(Issue(path, message))


# --- issues -> problems --------------------------------------------------------------------------


def format_path(path: PathKey) -> str:
    """``("guardrails", "symbols", 1)`` -> ``guardrails.symbols[1]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def to_problems(
    document: Document, issues: Iterable[Issue], describe: Describe | None = None
) -> list[Problem]:
    """Issues -> sorted, de-duplicated :class:`Problem` values naming file and line."""
    describe = describe or (lambda path: (None, format_path(path) or None))
    unique = dict.fromkeys(issues)
    problems = []
    for issue in unique:
        bracket, where = describe(issue.path)
        line = issue.line if issue.line is not None else document.line_of(issue.path)
        problems.append(
            Problem(document.file, issue.message, line=line, bracket=bracket, field=where)
        )
    return sorted(problems, key=lambda problem: (problem.line or 0, problem.field or ""))
