"""Signature vectors from tests/fixtures/binance/sig_*_vectors.json, reproduced byte for byte.

Only the usable entries are taken: a published key, a payload and a signature that was verified
(entries marked DO NOT USE or UNVERIFIABLE have no key or a broken signature).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from oco_reconcile.venues.signing import (
    Ed25519Signer,
    HmacSigner,
    KeyLoadError,
    RsaSigner,
    Signer,
    signer_from_pem,
)
from oco_reconcile.venues.spot.params import encode_query


def usable(vectors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in vectors if v.get("verified_locally") is True and v.get("private_key_pem")]


def _ids(vectors: list[dict[str, Any]]) -> list[str]:
    return [v["label"][:60] for v in vectors]


def load(fixture_json: Callable[[str], Any], name: str) -> list[dict[str, Any]]:
    vectors: list[dict[str, Any]] = fixture_json(name)
    return vectors


# --- HMAC ---------------------------------------------------------------------------------------


def test_every_hmac_vector_is_reproduced(fixture_json: Callable[[str], Any]) -> None:
    vectors = [v for v in load(fixture_json, "sig_hmac_vectors.json") if v["verified_locally"]]
    assert len(vectors) == 6
    for vector in vectors:
        payload = vector.get("signing_payload", vector["query"])
        signature = HmacSigner(vector["secret"]).sign(payload.encode("utf-8"))
        assert signature == vector["signature"], vector["label"]


def test_hmac_doc_query_is_rebuilt_from_parameters_by_the_client_encoder(
    fixture_json: Callable[[str], Any],
) -> None:
    """Vector 2 of rest-api.md: the client's percent-encoding turns the raw non-ASCII symbol into
    the exact payload Binance signed, so the signature matches too."""
    vector = load(fixture_json, "sig_hmac_vectors.json")[1]
    params = [
        ("symbol", "１２３４５６"),
        ("side", "BUY"),
        ("type", "LIMIT"),
        ("timeInForce", "GTC"),
        ("quantity", "1"),
        ("price", "0.1"),
        ("recvWindow", "5000"),
        ("timestamp", "1499827319559"),
    ]
    query = encode_query(params)
    assert query == vector["query"]
    assert HmacSigner(vector["secret"]).sign(query.encode("ascii")) == vector["signature"]


def test_encoder_escapes_everything_but_unreserved_characters() -> None:
    query = encode_query([("symbols", '["BTCUSDT","ETHUSDT"]'), ("id", "a-b_c.d~e f/g+h=")])
    assert query == "symbols=%5B%22BTCUSDT%22%2C%22ETHUSDT%22%5D&id=a-b_c.d~e%20f%2Fg%2Bh%3D"


# --- Ed25519 ------------------------------------------------------------------------------------


def test_every_usable_ed25519_vector_is_reproduced(fixture_json: Callable[[str], Any]) -> None:
    vectors = usable(load(fixture_json, "sig_ed25519_vectors.json"))
    assert len(vectors) == 3
    for vector in vectors:
        signer = signer_from_pem(vector["private_key_pem"].encode())
        assert isinstance(signer, Ed25519Signer)
        payload = vector["payload"].encode("utf-8")
        assert signer.sign(payload) == vector["signature_base64"], vector["label"]


def test_ed25519_vectors_marked_do_not_use_are_skipped(fixture_json: Callable[[str], Any]) -> None:
    vectors = load(fixture_json, "sig_ed25519_vectors.json")
    broken = [v for v in vectors if "DO NOT USE" in v.get("_note", "")]
    assert broken
    assert not any(v in usable(vectors) for v in broken)


# --- RSA ----------------------------------------------------------------------------------------


def test_every_usable_rsa_vector_is_reproduced(fixture_json: Callable[[str], Any]) -> None:
    vectors = usable(load(fixture_json, "sig_rsa_vectors.json"))
    assert len(vectors) == 3
    for vector in vectors:
        password = vector["password"].encode() if vector["password"] else None
        signer = signer_from_pem(vector["private_key_pem"].encode(), password)
        assert isinstance(signer, RsaSigner)
        payload = vector["payload"].encode("utf-8")
        assert signer.sign(payload) == vector["signature_base64"], vector["label"]


def test_rsa_doc_signature_percent_encodes_like_the_docs(
    fixture_json: Callable[[str], Any],
) -> None:
    """The docs' RSA example has no published key, but its URL form shows the encoding rule."""
    doc = next(
        v for v in load(fixture_json, "sig_rsa_vectors.json") if v["private_key_pem"] is None
    )
    encoded = quote(doc["signature_base64"], safe="")
    assert encoded.startswith("HZ8HOjiJ1s%2FigS9JA%2Bn7%2B7Ti%2F")
    assert encoded.endswith("Kp0oXA%3D%3D")


def test_rsa_round_trip_with_a_fresh_key() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pass phrase"),
    )
    signer = signer_from_pem(pem, b"pass phrase")
    payload = b"symbol=BTCUSDT&side=SELL&timestamp=1"
    signature = base64.b64decode(signer.sign(payload))
    key.public_key().verify(signature, payload, padding.PKCS1v15(), hashes.SHA256())


def test_ed25519_round_trip_with_a_fresh_key() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    signer = signer_from_pem(pem)
    signature = base64.b64decode(signer.sign(b"timestamp=1"))
    assert len(signature) == 64
    key.public_key().verify(signature, b"timestamp=1")


# --- key loading errors and masking -------------------------------------------------------------


@pytest.fixture(scope="module")
def encrypted_ed25519_pem() -> bytes:
    return ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"right"),
    )


@pytest.mark.parametrize(
    ("passphrase", "message"),
    [
        (None, "needs a passphrase"),
        (b"wrong", "passphrase is wrong"),
    ],
)
def test_encrypted_key_errors_say_what_is_wrong(
    encrypted_ed25519_pem: bytes, passphrase: bytes | None, message: str
) -> None:
    with pytest.raises(KeyLoadError, match=message):
        signer_from_pem(encrypted_ed25519_pem, passphrase)


def test_passphrase_for_an_unencrypted_key_is_reported() -> None:
    pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(KeyLoadError, match="not encrypted"):
        signer_from_pem(pem, b"unneeded")


def test_non_pem_and_unsupported_keys_are_refused() -> None:
    with pytest.raises(KeyLoadError, match="not a PEM"):
        signer_from_pem(b"just some bytes")
    from cryptography.hazmat.primitives.asymmetric import ec

    ec_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(KeyLoadError, match="Ed25519 or RSA"):
        signer_from_pem(ec_pem)


def test_signers_never_show_key_material(fixture_json: Callable[[str], Any]) -> None:
    hmac_vector = load(fixture_json, "sig_hmac_vectors.json")[0]
    rsa_vector = usable(load(fixture_json, "sig_rsa_vectors.json"))[0]
    signers: list[Signer] = [
        HmacSigner(hmac_vector["secret"]),
        signer_from_pem(rsa_vector["private_key_pem"].encode()),
        signer_from_pem(
            usable(load(fixture_json, "sig_ed25519_vectors.json"))[0]["private_key_pem"].encode()
        ),
    ]
    pem_body = rsa_vector["private_key_pem"].splitlines()[1]
    for signer in signers:
        shown = repr(signer) + str(signer)
        assert "***" in shown
        assert hmac_vector["secret"] not in shown
        assert pem_body not in shown
        assert isinstance(signer, Signer)
    assert [s.key_type for s in signers] == ["HMAC", "RSA", "ED25519"]
