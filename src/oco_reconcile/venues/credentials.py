"""API credentials: the key sent in ``X-MBX-APIKEY`` plus the signer for its secret half.

Values come from environment variables whose *names* the settings file chooses (docs/file-formats.md
"Settings"). Every message here names the variable and never its value, and ``repr`` masks both
the API key and the secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from oco_reconcile.core.settings import CredentialNames
from oco_reconcile.errors import UsageError
from oco_reconcile.files import FileReadError, read_bounded
from oco_reconcile.venues.signing import HmacSigner, KeyLoadError, Signer, signer_from_pem

# A PEM private key is a few KiB (an RSA-4096 key about 3.3 KiB); the bound keeps `/dev/zero` out.
MAX_KEY_FILE_BYTES = 64 * 1024


@dataclass(frozen=True, repr=False)
class Credentials:
    """An API key and the signer that proves we hold its secret."""

    api_key: str
    signer: Signer

    @classmethod
    def hmac(cls, api_key: str, secret: str) -> Credentials:
        """HMAC-SHA256 credentials (tests, the simulator, and HMAC keys)."""
        return cls(api_key=api_key, signer=HmacSigner(secret))

    @classmethod
    def from_private_key_pem(
        cls, api_key: str, pem: bytes, passphrase: bytes | None = None
    ) -> Credentials:
        """Ed25519 or RSA credentials from a PEM private key (raises ``KeyLoadError``)."""
        return cls(api_key=api_key, signer=signer_from_pem(pem, passphrase))

    @property
    def key_type(self) -> str:
        return self.signer.key_type

    def __repr__(self) -> str:
        return f"Credentials(api_key=***, key_type={self.key_type})"

    __str__ = __repr__


def credentials_from_env(names: CredentialNames, environ: Mapping[str, str]) -> Credentials:
    """Credentials from the environment: the API key plus either an HMAC secret or a key file.

    Raises :class:`UsageError` naming the variable that is missing, ambiguous or unreadable.
    """
    api_key = _required(environ, names.api_key_env)
    secret = environ.get(names.api_secret_env, "")
    key_file = environ.get(names.private_key_file_env, "")
    if secret and key_file:
        raise UsageError(
            f"both {names.api_secret_env} and {names.private_key_file_env} are set: "
            "set only one (an HMAC secret or an Ed25519/RSA private key file)"
        )
    if secret:
        return Credentials.hmac(api_key, secret)
    if key_file:
        return _from_key_file(api_key, key_file, names, environ)
    raise UsageError(
        f"no API secret: set {names.api_secret_env} (HMAC) or "
        f"{names.private_key_file_env} (path to an Ed25519 or RSA PEM private key)"
    )


def _required(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "")
    if not value.strip():
        raise UsageError(f"environment variable {name} is not set (the Binance API key)")
    return value.strip()


def _from_key_file(
    api_key: str, key_file: str, names: CredentialNames, environ: Mapping[str, str]
) -> Credentials:
    try:
        pem = read_bounded(Path(key_file).expanduser(), MAX_KEY_FILE_BYTES)
    except FileReadError as error:
        raise UsageError(
            f"cannot read the private key file named by {names.private_key_file_env}: "
            f"{error.reason}"
        ) from None
    passphrase = environ.get(names.private_key_passphrase_env) or None
    try:
        return Credentials.from_private_key_pem(
            api_key, pem, passphrase.encode("utf-8") if passphrase else None
        )
    except KeyLoadError as error:
        raise UsageError(
            f"cannot use the private key file named by {names.private_key_file_env} "
            f"(passphrase from {names.private_key_passphrase_env}): {error}"
        ) from None
