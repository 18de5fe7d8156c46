"""The futures listenKey flow (binance-api.md §11.2): ``POST /fapi/v1/listenKey`` starts the
account's user data stream (or extends the active one and returns the same key), ``PUT`` keeps it
alive, ``DELETE`` closes it. A key expires 60 minutes (engine clock) after its last POST/PUT;
the WebSocket stream of the key (``sim/streams/server.py``) then sends
``listenKeyExpired``. Weight 1 each; the API key header is required, no signature (Binance's
USER_STREAM security).

The simulator has one account, so there is at most one active key. Keys live in the serving
process's memory (not in the state file): a restarted ``sim serve`` forgets them, as a client
reconnecting after a Binance restart starts a new stream.
"""

from __future__ import annotations

import secrets
import string
import threading
from collections.abc import Callable

from oco_reconcile.json_types import JsonValue
from oco_reconcile.sim.engine.errors import SimError
from oco_reconcile.sim.wire.endpoints import Endpoints
from oco_reconcile.sim.wire.params import Params

LISTEN_KEY_VALIDITY_MS = 60 * 60 * 1000
LISTEN_KEY_LENGTH = 64
MSG_NO_LISTEN_KEY = "This listenKey does not exist."  # -1125
_ALPHABET = string.ascii_letters + string.digits


class ListenKeys:
    """The account's listen key and when it was last kept alive; thread-safe (the HTTP threads
    and the stream server's loop share it)."""

    def __init__(self, clock: Callable[[], int]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._key: str | None = None
        self._kept_at = 0
        self.generation = 0  # bumps when the key is replaced or closed

    def start(self) -> str:
        with self._lock:
            if self._key is None or self._expired():
                self._key = "".join(secrets.choice(_ALPHABET) for _ in range(LISTEN_KEY_LENGTH))
                self.generation += 1
            self._kept_at = self._clock()
            return self._key

    def keep_alive(self) -> str:
        with self._lock:
            if self._key is None or self._expired():
                raise SimError(-1125, MSG_NO_LISTEN_KEY)
            self._kept_at = self._clock()
            return self._key

    def close(self) -> None:
        with self._lock:
            self._key = None
            self.generation += 1

    def is_active(self, key: str) -> bool:
        """``key`` is the account's key and has not expired."""
        with self._lock:
            return (
                self._key is not None
                and secrets.compare_digest(self._key, key)
                and not self._expired()
            )

    def expires_at(self) -> int | None:
        with self._lock:
            return None if self._key is None else self._kept_at + LISTEN_KEY_VALIDITY_MS

    def _expired(self) -> bool:
        return self._clock() - self._kept_at >= LISTEN_KEY_VALIDITY_MS


def _keys(api: Endpoints) -> ListenKeys:
    keys = api.listen_keys
    if not isinstance(keys, ListenKeys):  # an Endpoints built without (tests of other parts)
        raise SimError(-1000, "simulator: no listenKey registry")
    return keys


def start(api: Endpoints, params: Params) -> JsonValue:
    params.finish()
    return {"listenKey": _keys(api).start()}


def keep_alive(api: Endpoints, params: Params) -> JsonValue:
    params.text("listenKey")  # the futures SDKs send none; python-binance sends it
    params.finish()
    return {"listenKey": _keys(api).keep_alive()}


def close(api: Endpoints, params: Params) -> JsonValue:
    params.text("listenKey")
    params.finish()
    _keys(api).close()
    return {}
