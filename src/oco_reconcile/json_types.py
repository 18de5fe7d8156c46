"""The JSON type aliases, written once for the wire, the plan file and the simulator.

``json.loads`` gives untyped values; code that reads them checks each field before use (a saved
plan, a state file and an exchange answer are all untrusted), so these aliases name the shape
without promising more.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

JsonValue: TypeAlias = Any
"""Any decoded JSON value: object, array, string, number, boolean or null."""

JsonObject: TypeAlias = dict[str, Any]
"""A JSON object this process builds (a request, a plan file, a simulator answer)."""

JsonMapping: TypeAlias = Mapping[str, Any]
"""A JSON object this process only reads (an exchange answer, a loaded file)."""
