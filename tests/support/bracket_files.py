"""Bracket files for the input tests: write one, load it, or collect its problems."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from oco_reconcile.core.model import Bracket
from oco_reconcile.core.settings import Settings
from oco_reconcile.errors import InputError, Problem
from oco_reconcile.inputs.desired import load_brackets

DEFAULTS = Settings()
# One Spot bracket the simulator's seed state accepts (BTCUSDT at its seed price).
ONE_BRACKET = """\
brackets:
  - name: alpha
    symbol: BTCUSDT
    side: SELL
    quantity: "0.01"
    take_profit: {price: "120000"}
    stop_loss: {stop_price: "100000", price: "99900"}
"""
BASE: dict[str, Any] = {
    "name": "btc-exit",
    "symbol": "BTCUSDT",
    "side": "SELL",
    "quantity": "0.05",
    "take_profit": {"price": "125000"},
    "stop_loss": {"stop_price": "98000", "price": "97900"},
}


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_text(tmp_path: Path, text: str, owner: str = "ocr") -> tuple[Bracket, ...]:
    path = write(tmp_path, "b.yaml", text)
    return load_brackets([path], Settings(owner=owner))


def problems_of(tmp_path: Path, text: str, owner: str = "ocr") -> tuple[Problem, ...]:
    with pytest.raises(InputError) as raised:
        load_text(tmp_path, text, owner)
    return raised.value.problems


def bracket_yaml(**changes: Any) -> str:
    """One bracket: BASE with ``changes`` applied (a value of None removes the key)."""
    spec = {key: value for key, value in {**BASE, **changes}.items() if value is not None}
    return yaml.safe_dump({"brackets": [spec]}, sort_keys=False)
