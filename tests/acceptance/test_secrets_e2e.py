"""Secrets never leave the process: whole commands (validate, plan --out, apply --plan, import,
and a failing apply) run with real credentials against `sim serve`, and neither their output nor
any file they write contains the API key, the HMAC secret or the private key."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from oco_reconcile.sim.exchange import open_sim
from oco_reconcile.sim.wire.auth import HmacVerifier, PublicKeyVerifier, Verifier
from oco_reconcile.sim.wire.server import start_server, stop_server

OCO = str(Path(sys.executable).parent / "oco-reconcile")
API_KEY = "e2eKeyQ7xW2mZ9pL4vN8rT1yU6iO3aS5dF0gH"
HMAC_SECRET = "e2eSecretK3jH8gF2dS7aP1oI9uY4tR6eW0qZx"

BRACKETS = """\
brackets:
  - name: btc-exit
    symbol: BTCUSDT
    side: SELL
    quantity: "0.01"
    take_profit: {price: "125000"}
    stop_loss: {stop_price: "98000", price: "97900"}
"""


def ed25519_key() -> tuple[bytes, bytes]:
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def serve(keys: dict[str, Verifier]) -> Iterator[str]:
    server, url = start_server(open_sim(None, keys=keys))
    try:
        yield url
    finally:
        stop_server(server)


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [OCO, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def everything_written(workdir: Path, outputs: list[subprocess.CompletedProcess[str]]) -> str:
    texts = [o.stdout + o.stderr for o in outputs]
    for path in workdir.rglob("*"):
        if path.is_file() and path.suffix != ".pem":
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(texts)


def secret_forms(secret: str) -> list[str]:
    """The secret as written and in the encodings a leak could take."""
    return [secret, base64.b64encode(secret.encode()).decode(), secret.encode().hex()]


@pytest.mark.parametrize("key_type", ["hmac", "ed25519"])
def test_no_command_leaks_a_credential(tmp_path: Path, key_type: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BINANCE_")}
    env["BINANCE_API_KEY"] = API_KEY
    if key_type == "hmac":
        env["BINANCE_API_SECRET"] = HMAC_SECRET
        verifier: Verifier = HmacVerifier(HMAC_SECRET)
        secrets = [HMAC_SECRET]
    else:
        private, public = ed25519_key()
        key_file = tmp_path / "key.pem"
        key_file.write_bytes(private)
        env["BINANCE_PRIVATE_KEY_FILE"] = str(key_file)
        verifier = PublicKeyVerifier(public)
        body = "".join(private.decode().splitlines()[1:-1])
        secrets = [body]
    (tmp_path / "brackets").mkdir()
    (tmp_path / "brackets" / "btc.yaml").write_text(BRACKETS)
    (tmp_path / "oco-reconcile.yaml").write_text("exchange: testnet\nowner: ocr\n")

    server = serve({API_KEY: verifier})
    url = next(server)
    try:
        base = ["--base-url", url]
        outputs = [
            run(["validate"], tmp_path, env),
            run(["plan", "--out", "plan.json", "--format", "json", *base], tmp_path, env),
            run(["apply", "--plan", "plan.json", "--auto-approve", *base], tmp_path, env),
            run(["import", *base], tmp_path, env),
        ]
        assert [o.returncode for o in outputs] == [0, 0, 0, 0], [o.stderr for o in outputs]
        wrong = dict(env, BINANCE_API_KEY="not-registered-key")
        refused = run(["apply", "--auto-approve", *base], tmp_path, wrong)
        assert refused.returncode == 1  # an exchange error, reported without a traceback
        assert "Traceback" not in refused.stderr
        outputs.append(refused)
    finally:
        next(server, None)

    written = everything_written(tmp_path, outputs)
    assert "ocr-btc-exit-" in written  # the commands did write plans and results
    for secret in secrets:
        for form in secret_forms(secret):
            assert form not in written
    assert API_KEY not in written
