"""Pure request signers for the three Binance key types (rest-api.md "SIGNED (TRADE and USER_DATA)
Endpoint security").

A signer turns the exact payload bytes that go on the wire (the percent-encoded query string) into
the signature text Binance expects: lower-case hex for HMAC-SHA256, base64 for Ed25519 and for
RSASSA-PKCS1-v1_5/SHA-256. Percent-encoding that text for the URL is the caller's job, because it
belongs to building the request, not to the cryptography.

No signer ever shows its key material: ``repr`` and ``str`` name the key type only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:  # cryptography (~40 ms to import) only when a key file is used
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes


class KeyLoadError(ValueError):
    """A private key could not be loaded. The message never contains key material."""


@runtime_checkable
class Signer(Protocol):
    """Signs the payload bytes of one request; the seam between the client and the key type."""

    @property
    def key_type(self) -> str:
        """``HMAC``, ``ED25519`` or ``RSA``."""
        ...

    def sign(self, payload: bytes) -> str:
        """The signature text for ``payload`` (hex or base64, not yet percent-encoded)."""
        ...


class HmacSigner:
    """HMAC-SHA256 with the API secret; the signature is lower-case hex (§8.1). The keyed state
    is built once and copied for each request (the key's pads are not hashed again)."""

    __slots__ = ("_keyed",)

    def __init__(self, secret: str) -> None:
        if not secret:
            raise KeyLoadError("the HMAC secret is empty")
        self._keyed = hmac.new(secret.encode("utf-8"), digestmod=hashlib.sha256)

    @property
    def key_type(self) -> str:
        return "HMAC"

    def sign(self, payload: bytes) -> str:
        keyed = self._keyed.copy()  # thread-safe: the shared state is only read
        keyed.update(payload)
        return keyed.hexdigest()

    def __repr__(self) -> str:
        return "HmacSigner(secret=***)"

    __str__ = __repr__


class Ed25519Signer:
    """Pure Ed25519 (no pre-hash); the 64-byte signature is base64-encoded (§8.4)."""

    __slots__ = ("_key",)

    def __init__(self, key: ed25519.Ed25519PrivateKey) -> None:
        self._key = key

    @property
    def key_type(self) -> str:
        return "ED25519"

    def sign(self, payload: bytes) -> str:
        return base64.b64encode(self._key.sign(payload)).decode("ascii")

    def __repr__(self) -> str:
        return "Ed25519Signer(key=***)"

    __str__ = __repr__


class RsaSigner:
    """RSASSA-PKCS1-v1_5 with SHA-256 (PSS is not accepted by Binance); base64 output (§8.3)."""

    __slots__ = ("_key",)

    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        self._key = key

    @property
    def key_type(self) -> str:
        return "RSA"

    def sign(self, payload: bytes) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        signature = self._key.sign(payload, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")

    def __repr__(self) -> str:
        return f"RsaSigner(bits={self._key.key_size}, key=***)"

    __str__ = __repr__


def signer_from_pem(pem: bytes, passphrase: bytes | None = None) -> Ed25519Signer | RsaSigner:
    """A signer for an Ed25519 or RSA private key in PEM form, optionally passphrase-protected.

    Raises :class:`KeyLoadError` with a message that says what is wrong (not PEM, wrong or missing
    passphrase, unsupported key type) and never echoes the key.
    """
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    key = _load_private_key(pem, passphrase)
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return Ed25519Signer(key)
    if isinstance(key, rsa.RSAPrivateKey):
        return RsaSigner(key)
    kind = type(key).__name__.lstrip("_")
    raise KeyLoadError(f"unsupported key type {kind}: Binance accepts Ed25519 or RSA keys")


def _load_private_key(pem: bytes, passphrase: bytes | None) -> PrivateKeyTypes:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    if b"-----BEGIN" not in pem:
        raise KeyLoadError("the file is not a PEM private key")
    try:
        return serialization.load_pem_private_key(pem, password=passphrase or None)
    except TypeError as error:
        # cryptography says which way round the passphrase is wrong; its message has no key data.
        if "not encrypted" in str(error):
            raise KeyLoadError("a passphrase was given but the key is not encrypted") from None
        raise KeyLoadError("the key is encrypted and needs a passphrase") from None
    except UnsupportedAlgorithm:
        raise KeyLoadError("the key uses an unsupported algorithm") from None
    except ValueError:
        if b"ENCRYPTED" in pem and passphrase:
            raise KeyLoadError("the passphrase is wrong or the key is damaged") from None
        raise KeyLoadError("the PEM data could not be decoded as a private key") from None
