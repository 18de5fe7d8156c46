"""The futures user data stream's listen key: a secret, kept out of every repr and message.

``POST /fapi/v1/listenKey`` answers ``{"listenKey": "..."}``; whoever holds the key can read the
account's orders and positions from ``wss://fstream.binance.com/private/ws?listenKey=...``
(binance-api.md §11.2), so it is treated like an API key: ``str``/``repr`` show a placeholder,
and only :meth:`ListenKey.reveal` gives the value, to build the stream URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oco_reconcile.venues.spot.fields import ResponseFormatError, as_object, req_str

MAX_LISTEN_KEY_LENGTH = 200


@dataclass(frozen=True)
class ListenKey:
    _value: str = field(repr=False)

    def reveal(self) -> str:
        return self._value

    def __str__(self) -> str:
        return "<listen key>"


def parse_listen_key(answer: object) -> ListenKey:
    value = req_str(as_object(answer), "listenKey")
    if not value or len(value) > MAX_LISTEN_KEY_LENGTH or not value.isascii():
        raise ResponseFormatError("field 'listenKey' is not a listen key")
    return ListenKey(value)
