"""The canonical layout of a bracket file, made by ruamel.yaml's round trip: comments, key order,
flow mappings and anchors are kept; indentation becomes the examples' (two spaces, list items
``  - name:``), stray spaces go, single-quoted strings become double-quoted, and the file ends
with one newline. Values are never changed (``commands/fmt.py`` checks that the formatted file
reads to the same brackets before writing it).
"""

from __future__ import annotations

import io
from typing import Any

# A long line stays one line: rewrapping a comment or a string is not a formatter's business.
_WIDTH = 4096


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()  # round trip: comments, order and styles kept
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = _WIDTH
    return yaml


def _double_quoted(node: Any) -> Any:
    """The same value, single quotes made double where that needs no escape."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    if isinstance(node, CommentedMap):
        for key in list(node):
            node[key] = _double_quoted(node[key])
    elif isinstance(node, CommentedSeq):
        for index, item in enumerate(node):
            node[index] = _double_quoted(item)
    elif isinstance(node, SingleQuotedScalarString) and _plainly_double(node):
        return DoubleQuotedScalarString(str(node))
    return node


def _plainly_double(node: Any) -> bool:
    """No escape needed, and no anchor (an alias must keep pointing at the same node)."""
    return node.anchor.value is None and not set(str(node)) & {'"', "\\"}


def normalised(text: str) -> str:
    """``text`` (one YAML document) in the canonical layout; raises ruamel's errors on bad YAML."""
    yaml = _yaml()
    data = _double_quoted(yaml.load(text))
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue().rstrip("\n") + "\n"
