"""How names are listed in messages: in natural order (``b-2`` before ``b-10``), wrapped onto
indented lines when there are many, and the close matches offered for a misspelt one.

PURE. The one owner of these rules: every message that lists bracket names, addresses or ids goes
through :func:`listing`, and every order people read names in uses :func:`natural_key`.
"""

from __future__ import annotations

import difflib
import re
import textwrap
from collections.abc import Iterable

_DIGITS = re.compile(r"(\d+)")
# A list longer than this starts on its own line and wraps there: a message about 200 names stays
# readable in a terminal and a CI log.
LISTING_WIDTH = 72
LISTING_INDENT = "    "
# difflib's ratio for "did you mean": BTCUSDTT -> BTCUSDT is 0.93, BTCUSDT -> ETHUSDT 0.71.
CLOSE_MATCH_CUTOFF = 0.8
CLOSE_MATCHES = 3


def natural_key(text: str) -> tuple[tuple[str | int, ...], str]:
    """Sort key comparing runs of digits by value: ``b-2`` < ``b-10`` < ``b-100``."""
    parts = _DIGITS.split(text)  # text, digits, text, ...: types alternate at fixed positions
    return tuple(int(p) if i % 2 else p.casefold() for i, p in enumerate(parts)), text


def natural_sorted(items: Iterable[str]) -> list[str]:
    return sorted(items, key=natural_key)


def listing(items: Iterable[str], *, width: int = LISTING_WIDTH) -> str:
    """The items in natural order, comma-separated, to follow a colon: `` a, b`` on the same line;
    past ``width`` characters the list starts on a new line and wraps at ``width``, indented."""
    joined = ", ".join(natural_sorted(dict.fromkeys(items)))
    if len(joined) <= width:
        return " " + joined
    wrapped = textwrap.fill(
        joined,
        width=width + len(LISTING_INDENT),
        initial_indent=LISTING_INDENT,
        subsequent_indent=LISTING_INDENT,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return "\n" + wrapped


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """``; did you mean BTCUSDT?`` for the close matches among ``known``; "" when none is close."""
    matches = difflib.get_close_matches(name, list(known), CLOSE_MATCHES, CLOSE_MATCH_CUTOFF)
    if not matches:
        return ""
    return f"; did you mean {' or '.join(matches)}?"
