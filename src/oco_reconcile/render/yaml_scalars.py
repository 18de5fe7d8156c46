"""How ``import`` writes a string in YAML: double-quoted, JSON string syntax (valid YAML)."""

from __future__ import annotations

import json


def quote(text: str) -> str:
    return json.dumps(text)
