"""SIGNED endpoints: the API key, the signature and the request's timing (rest-api.md "SIGNED
(TRADE and USER_DATA) Endpoint security", "Timing security").

``X-MBX-APIKEY`` missing is 401 ``-2014``, unknown 401 ``-2015``; the ``signature`` is checked over
the exact query string + body without the ``signature`` parameter (``-1022``) with the key's
:class:`Verifier` (HMAC-SHA256, Ed25519 or RSA); ``timestamp`` and ``recvWindow`` give ``-1021``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from oco_reconcile.sim.engine.errors import SimError
from oco_reconcile.sim.wire import codes
from oco_reconcile.sim.wire.keys import SIM_API_KEY, SIM_API_SECRET
from oco_reconcile.sim.wire.messages import SimRequest
from oco_reconcile.sim.wire.params import Params

API_KEY_HEADER = "X-MBX-APIKEY"
DEFAULT_RECV_WINDOW_MS = 5000
MAX_RECV_WINDOW_MS = 60000
EARLIEST_TIMESTAMP = 1_483_228_800_000  # 2017-01-01: earlier timestamps are refused
AHEAD_TOLERANCE_MS = 1000  # a timestamp this far ahead of the server is refused
MICROSECONDS_FROM = 10**14  # a timestamp this large is in microseconds


class Verifier(Protocol):
    """Checks one key type's signature over the payload bytes."""

    def verify(self, payload: bytes, signature: str) -> bool: ...


class HmacVerifier:
    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def verify(self, payload: bytes, signature: str) -> bool:
        expected = hmac.new(self._secret, payload, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature.lower())  # HMAC is case-insensitive

    def __repr__(self) -> str:
        return "HmacVerifier(secret=***)"


class PublicKeyVerifier:
    """Ed25519 or RSA (PKCS#1 v1.5, SHA-256) with a registered public key; base64 signatures."""

    def __init__(self, public_key_pem: bytes) -> None:
        key = serialization.load_pem_public_key(public_key_pem)
        if not isinstance(key, ed25519.Ed25519PublicKey | rsa.RSAPublicKey):
            raise ValueError("only Ed25519 and RSA public keys are supported")
        self._key = key

    def verify(self, payload: bytes, signature: str) -> bool:
        try:
            raw = base64.b64decode(signature, validate=True)
            if isinstance(self._key, ed25519.Ed25519PublicKey):
                self._key.verify(raw, payload)
            else:
                self._key.verify(raw, payload, padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True


def default_keys() -> dict[str, Verifier]:
    return {SIM_API_KEY: HmacVerifier(SIM_API_SECRET)}


def signed_payload(query: str, body: str) -> bytes:
    """Binance signs the query string concatenated with the body, minus ``signature`` itself."""
    return (_strip_signature(query) + _strip_signature(body)).encode()


def _strip_signature(raw: str) -> str:
    if not raw:
        return ""
    return "&".join(part for part in raw.split("&") if not part.startswith("signature="))


def authenticate(
    request: SimRequest,
    params: Params,
    keys: Mapping[str, Verifier],
    server_time: Callable[[], int],
) -> None:
    """Raise the answer Binance gives when the key, signature or timing is not right."""
    verifier = known_key(request.header(API_KEY_HEADER), keys)
    signature = params.required("signature")
    timestamp = params.long("timestamp", mandatory=True)
    recv_window = params.decimal("recvWindow")
    if recv_window is not None and recv_window > MAX_RECV_WINDOW_MS:
        raise codes.too_great("recvWindow", MAX_RECV_WINDOW_MS)
    if not verifier.verify(signed_payload(request.query, request.body), signature):
        raise SimError(-1022, codes.MSG_BAD_SIGNATURE)
    assert timestamp is not None  # noqa: S101 - mandatory
    # recvWindow=0 means the default, as it always has in the simulator
    check_timestamp(timestamp, recv_window or Decimal(DEFAULT_RECV_WINDOW_MS), server_time())


def known_key(api_key: str | None, keys: Mapping[str, Verifier]) -> Verifier:
    """The key's verifier; -2014 for no key, -2015 for one this server does not know."""
    if not api_key:
        raise SimError(-2014, codes.MSG_BAD_API_KEY_FORMAT, status=401)
    verifier = keys.get(api_key)
    if verifier is None:
        raise SimError(-2015, codes.MSG_REJECTED_KEY, status=401)
    return verifier


def check_timestamp(timestamp: int, recv_window: Decimal, now: int) -> None:
    """rest-api.md "Timing security"; microsecond timestamps are accepted too."""
    millis = Decimal(timestamp) / 1000 if timestamp >= MICROSECONDS_FROM else Decimal(timestamp)
    if millis >= now + AHEAD_TOLERANCE_MS:
        raise SimError(-1021, codes.MSG_AHEAD)
    if millis < EARLIEST_TIMESTAMP or now - millis > recv_window:
        raise SimError(-1021, codes.MSG_RECV_WINDOW)
