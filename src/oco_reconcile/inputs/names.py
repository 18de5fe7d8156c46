"""Bracket names that may trip Binance's web application firewall: a warning, never an error.

A bracket's name travels in every client order id the tool sends (``core/identity.py``). Binance
answers 403 when a request breaks the WAF's limits (rest-api.md "HTTP Return Codes"), and SQL
keywords in a parameter are what such firewalls look for. Binance does not publish its rules, so
this list is ours (documented in the README): a name warns when one of its words, split at ``-``,
``_`` and lower-to-upper case changes, is one of :data:`SQL_KEYWORDS`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from oco_reconcile.core.model import Bracket

# The statements and clauses SQL-injection rules match; plain English words (and, or, from, like)
# are left out: they would warn on ordinary names and are harmless without the operators around
# them, which a name cannot hold (identity.NAME_RE allows letters, digits, '-' and '_').
SQL_KEYWORDS = frozenset(
    {
        "alter",
        "create",
        "declare",
        "delete",
        "drop",
        "exec",
        "execute",
        "insert",
        "select",
        "truncate",
        "union",
        "update",
    }
)

_WORD_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")


def sql_words(name: str) -> tuple[str, ...]:
    """The SQL keywords among the words of ``name`` (lower case, in order, each once)."""
    words = (word.lower() for part in re.split(r"[-_]", name) for word in _WORD_RE.findall(part))
    return tuple(dict.fromkeys(word for word in words if word in SQL_KEYWORDS))


def name_warnings(brackets: Iterable[Bracket]) -> list[str]:
    """One ``warning:`` line per bracket whose name holds SQL keywords, naming its file and line."""
    warnings = []
    for bracket in brackets:
        found = sql_words(bracket.name)
        if not found:
            continue
        where = "?" if bracket.source is None else bracket.source.file
        if bracket.source is not None and bracket.source.line is not None:
            where += f":{bracket.source.line}"
        warnings.append(
            f"warning: {where}: bracket '{bracket.name}': the name contains the SQL keyword"
            f"{'s' if len(found) > 1 else ''} {', '.join(found)}, which Binance's firewall may "
            "reject with HTTP 403; consider another name"
        )
    return warnings
