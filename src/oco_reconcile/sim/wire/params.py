"""Request parameters as Binance reads them (rest-api.md "General Information on Endpoints").

GET parameters come from the query string; POST/PUT/DELETE from the query string and/or a
form-encoded body, the query string winning when a name is in both. A name repeated within one
source is ``-1101``. Every accessor marks its parameter as read; :meth:`Params.finish` answers
``-1104`` "Not all sent parameters were read" when the request carried a name the endpoint does not
know. Malformed values are ``-1100`` with the legal range Binance prints, missing mandatory ones
``-1102``, empty optional ones ``-1105``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from urllib.parse import parse_qsl

from oco_reconcile.sim.engine import errors
from oco_reconcile.sim.engine.errors import SimError
from oco_reconcile.sim.wire import codes

_DECIMAL_RE = re.compile(codes.DECIMAL_RANGE)
_LONG_RE = re.compile(codes.LONG_RANGE)
_CLIENT_ID_RE = re.compile(codes.CLIENT_ID_RANGE)  # the range Binance prints is a valid pattern
MIN_STRATEGY_TYPE = 1_000_000


def parse_pairs(raw: str) -> list[tuple[str, str]]:
    return parse_qsl(raw, keep_blank_values=True)


class Params:
    def __init__(self, query: str, body: str = "") -> None:
        self.values: dict[str, str] = {}
        for source in (query, body):
            seen: set[str] = set()
            for name, value in parse_pairs(source):
                if name in seen:
                    raise SimError(-1101, codes.MSG_DUPLICATE_PARAM)
                seen.add(name)
                self.values.setdefault(name, value)
        self.read: set[str] = set()

    def raw(self, name: str) -> str | None:
        """The value without marking it read (weights, routing)."""
        return self.values.get(name)

    def text(self, name: str, *, mandatory: bool = False) -> str | None:
        self.read.add(name)
        value = self.values.get(name)
        if value is None or value == "":
            if mandatory:
                raise errors.mandatory(name)
            if value == "":
                raise SimError(-1105, codes.MSG_EMPTY_PARAM.format(name=name))
            return None
        return value

    def required(self, name: str) -> str:
        value = self.text(name, mandatory=True)
        assert value is not None  # noqa: S101 - text() raised otherwise
        return value

    def decimal(self, name: str, *, mandatory: bool = False) -> Decimal | None:
        value = self.text(name, mandatory=mandatory)
        if value is None:
            return None
        if not _DECIMAL_RE.match(value):
            raise codes.illegal_chars(name, codes.DECIMAL_RANGE)
        return Decimal(value)

    def long(self, name: str, *, mandatory: bool = False) -> int | None:
        value = self.text(name, mandatory=mandatory)
        if value is None:
            return None
        if not _LONG_RE.match(value):
            raise codes.illegal_chars(name, codes.LONG_RANGE)
        return int(value)

    def enum(
        self,
        name: str,
        allowed: Sequence[str],
        *,
        mandatory: bool = False,
        invalid: SimError | None = None,
    ) -> str | None:
        value = self.text(name, mandatory=mandatory)
        if value is None or value in allowed:
            return value
        if invalid is not None:
            raise invalid
        raise codes.illegal_chars(name, "^(" + "|".join(allowed) + ")$")

    def boolean(self, name: str) -> bool | None:
        value = self.enum(name, ("true", "false", "TRUE", "FALSE"))
        return None if value is None else value.lower() == "true"

    def client_id(self, name: str) -> str | None:
        value = self.text(name)
        if value is not None and not _CLIENT_ID_RE.match(value):
            raise codes.illegal_chars(name, codes.CLIENT_ID_RANGE)
        return value

    def strategy_type(self, name: str) -> int | None:
        value = self.long(name)
        if value is not None and value < MIN_STRATEGY_TYPE:
            raise SimError(-1134, codes.MSG_STRATEGY_TYPE_TOO_LOW)
        return value

    def finish(self) -> None:
        """-1104 when a parameter was sent that the endpoint never read."""
        unread = set(self.values) - self.read
        if unread:
            read = len(set(self.values) & self.read)
            message = codes.MSG_UNREAD.format(read=read, sent=len(self.values))
            raise SimError(-1104, message)
