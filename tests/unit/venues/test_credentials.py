"""Credentials from the environment: which variable is wrong is named, its value never is."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from oco_reconcile.core.settings import CredentialNames
from oco_reconcile.errors import UsageError
from oco_reconcile.venues.credentials import Credentials, credentials_from_env

API_KEY = "apikey-VALUE-abcdefghijklmnopqrstuvwxyz0123456789"
SECRET = "secret-VALUE-9876543210zyxwvutsrqponmlkjihgfedcba"
NAMES = CredentialNames()


def write_key(path: Path, *, rsa_key: bool = False, passphrase: bytes | None = None) -> Path:
    key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if rsa_key
        else ed25519.Ed25519PrivateKey.generate()
    )
    encryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )
    return path


def test_hmac_credentials_from_default_names() -> None:
    creds = credentials_from_env(NAMES, {"BINANCE_API_KEY": API_KEY, "BINANCE_API_SECRET": SECRET})
    assert creds.api_key == API_KEY
    assert creds.key_type == "HMAC"


def test_custom_variable_names_are_used() -> None:
    names = CredentialNames(api_key_env="DESK_KEY", api_secret_env="DESK_SECRET")
    creds = credentials_from_env(names, {"DESK_KEY": API_KEY, "DESK_SECRET": SECRET})
    assert creds.signer.sign(b"x") == Credentials.hmac(API_KEY, SECRET).signer.sign(b"x")


@pytest.mark.parametrize(
    ("rsa_key", "passphrase", "key_type"),
    [(False, None, "ED25519"), (True, None, "RSA"), (False, b"open sesame", "ED25519")],
)
def test_private_key_file_credentials(
    tmp_path: Path, rsa_key: bool, passphrase: bytes | None, key_type: str
) -> None:
    key_file = write_key(tmp_path / "key.pem", rsa_key=rsa_key, passphrase=passphrase)
    environ = {"BINANCE_API_KEY": API_KEY, "BINANCE_PRIVATE_KEY_FILE": str(key_file)}
    if passphrase:
        environ["BINANCE_PRIVATE_KEY_PASSPHRASE"] = passphrase.decode()
    assert credentials_from_env(NAMES, environ).key_type == key_type


def _usage_error(environ: dict[str, str], names: CredentialNames = NAMES) -> str:
    with pytest.raises(UsageError) as caught:
        credentials_from_env(names, environ)
    return str(caught.value)


def test_missing_api_key_names_the_variable() -> None:
    message = _usage_error({"BINANCE_API_SECRET": SECRET})
    assert "BINANCE_API_KEY" in message
    assert SECRET not in message


def test_missing_secret_names_both_alternatives() -> None:
    message = _usage_error({"BINANCE_API_KEY": API_KEY})
    assert "BINANCE_API_SECRET" in message
    assert "BINANCE_PRIVATE_KEY_FILE" in message
    assert API_KEY not in message


def test_both_secret_kinds_at_once_are_refused() -> None:
    message = _usage_error(
        {
            "BINANCE_API_KEY": API_KEY,
            "BINANCE_API_SECRET": SECRET,
            "BINANCE_PRIVATE_KEY_FILE": "/somewhere/key.pem",
        }
    )
    assert "only one" in message
    assert SECRET not in message
    assert "/somewhere" not in message


def test_unreadable_key_file_names_the_variable_not_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "secret-location" / "key.pem"
    message = _usage_error({"BINANCE_API_KEY": API_KEY, "BINANCE_PRIVATE_KEY_FILE": str(missing)})
    assert "BINANCE_PRIVATE_KEY_FILE" in message
    assert "No such file" in message
    assert "secret-location" not in message


@pytest.mark.timeout(10)
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_an_endless_key_file_is_refused_not_read_forever() -> None:
    message = _usage_error({"BINANCE_API_KEY": API_KEY, "BINANCE_PRIVATE_KEY_FILE": "/dev/zero"})
    assert "BINANCE_PRIVATE_KEY_FILE" in message
    assert "not a regular file (a character device)" in message


def test_wrong_passphrase_is_reported_without_the_passphrase(tmp_path: Path) -> None:
    key_file = write_key(tmp_path / "key.pem", passphrase=b"correct horse")
    message = _usage_error(
        {
            "BINANCE_API_KEY": API_KEY,
            "BINANCE_PRIVATE_KEY_FILE": str(key_file),
            "BINANCE_PRIVATE_KEY_PASSPHRASE": "battery staple",
        }
    )
    assert "BINANCE_PRIVATE_KEY_PASSPHRASE" in message
    assert "passphrase is wrong" in message
    assert "battery staple" not in message


def test_key_file_that_is_not_a_key(tmp_path: Path) -> None:
    key_file = tmp_path / "key.pem"
    key_file.write_text(f"{SECRET}\n", encoding="utf-8")
    message = _usage_error({"BINANCE_API_KEY": API_KEY, "BINANCE_PRIVATE_KEY_FILE": str(key_file)})
    assert "not a PEM private key" in message
    assert SECRET not in message


def test_credentials_repr_masks_everything() -> None:
    creds = Credentials.hmac(API_KEY, SECRET)
    for shown in (repr(creds), str(creds), f"{creds}"):
        assert API_KEY not in shown
        assert SECRET not in shown
        assert "HMAC" in shown
