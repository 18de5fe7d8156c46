"""One request in, one answer out: the values both front-ends (the in-process httpx transport and
``sim serve``) hand to and take from :class:`~oco_reconcile.sim.wire.app.SimApp`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from oco_reconcile.json_types import JsonValue

# A fault can lose the answer: the front-end then sends nothing.
DROP = "drop"  # the connection closes without an answer
TIMEOUT = "timeout"  # the client's read times out
JSON_CONTENT_TYPE = "application/json;charset=UTF-8"


@dataclass(frozen=True)
class SimRequest:
    method: str
    path: str
    query: str = ""
    body: str = ""
    headers: Mapping[str, str] | None = None

    def header(self, name: str) -> str | None:
        """A header by name, in any letter case (HTTP header names are case-insensitive)."""
        for key, value in (self.headers or {}).items():
            if key.lower() == name.lower():
                return value
        return None


@dataclass(frozen=True)
class SimResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    disconnect: str | None = None  # DROP or TIMEOUT: the front-end sends no answer

    def json(self) -> JsonValue:
        return json.loads(self.body)


class RequestHandler(Protocol):
    """What a front-end serves: the wire app, or the exchange that wraps it with a state file."""

    def handle(self, request: SimRequest) -> SimResponse: ...
