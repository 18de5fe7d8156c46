"""The compiled schema (local references inlined once) reports exactly what the schema as written
reports, on every example and every hostile corpus file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from oco_reconcile.errors import InputError
from oco_reconcile.inputs import schema
from oco_reconcile.inputs.brackets import _SEMANTIC_DEFS, BRACKETS_SCHEMA
from oco_reconcile.inputs.document import Issue
from oco_reconcile.inputs.yamldoc import read_document
from tests.support.paths import REPO_ROOT

FILES = sorted(
    [*(REPO_ROOT / "tests" / "corpus").rglob("*.yaml"), *(REPO_ROOT / "brackets").glob("*.yaml")]
)
# Values the semantic layer owns ("decimal", "futuresQuantity"): the schema stays quiet on them.
FUTURES = """\
  - name: perp-{n}
    market: usdm
    symbol: BTCUSDT
    side: SELL
    quantity: {quantity}
    take_profit: {{stop_price: "130000"}}
    stop_loss: {{stop_price: {stop}}}
"""
ODD_VALUES = [("abc", '"95000"'), ("-1", '"95000"'), ("close", '"-5"'), ("[1]", "x")]


@pytest.mark.parametrize("name", ["brackets", "config"])
def test_the_compiled_schema_has_no_reference_left(name: str) -> None:
    assert '"$ref"' not in json.dumps(schema.compiled_schema(name))
    assert '"$ref"' in json.dumps(schema.load_schema(name))


def _issues(path: Path) -> list[Issue] | None:
    try:
        document = read_document(path)
    except InputError:
        return None  # not YAML at all: no schema check
    return schema.check_schema(document, BRACKETS_SCHEMA, semantic_defs=_SEMANTIC_DEFS)


@pytest.fixture
def odd_futures(tmp_path: Path) -> Path:
    text = "brackets:\n" + "".join(
        FUTURES.format(n=n, quantity=quantity, stop=stop)
        for n, (quantity, stop) in enumerate(ODD_VALUES)
    )
    path = tmp_path / "odd.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_compiled_and_written_schemas_report_the_same_issues(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _same_issues(path, monkeypatch)


def test_the_same_issues_for_values_the_semantic_layer_owns(
    odd_futures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _same_issues(odd_futures, monkeypatch)


def _same_issues(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = _issues(path)
    monkeypatch.setattr(schema, "compiled_schema", schema.load_schema)
    monkeypatch.setattr(
        schema, "_validator", lambda name: Draft202012Validator(schema.load_schema(name))
    )
    assert _issues(path) == compiled
