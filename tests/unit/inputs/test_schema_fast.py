"""The fast decider agrees with jsonschema: a document it calls valid has no schema error.

``check_schema`` skips jsonschema for a document the decider calls valid, so any disagreement
would hide a user's mistake. The verdicts are compared exactly (both directions) on every YAML
file in the repository and the hostile corpus, and on random edits of valid documents.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oco_reconcile.errors import InputError
from oco_reconcile.inputs.document import INVALID, OddScalar, YamlInt
from oco_reconcile.inputs.schema import _validator, compiled_schema, surely_valid
from oco_reconcile.inputs.schema_fast import UnsupportedSchemaError, compile_decider, equal
from oco_reconcile.inputs.yamldoc import read_document

ROOT = Path(__file__).resolve().parents[3]
SCHEMAS = ("brackets", "config")


def jsonschema_valid(data: object, name: str) -> bool:
    return next(iter(_validator(name).iter_errors(data)), None) is None


def yaml_files() -> list[Path]:
    places = ["brackets", "examples", "tests/corpus", "tests/fixtures", "docs"]
    found = [p for place in places for p in sorted((ROOT / place).rglob("*.y*ml"))]
    return [*found, ROOT / "oco-reconcile.yaml"]


def test_every_yaml_file_gets_the_same_verdict() -> None:
    verdicts: dict[bool, int] = {True: 0, False: 0}
    for path in yaml_files():
        try:
            data = read_document(path).data
        except InputError:  # not YAML a schema ever sees
            continue
        for name in SCHEMAS:
            expected = jsonschema_valid(data, name)
            assert surely_valid(data, name) is expected, (path, name)
            verdicts[expected] += 1
    assert verdicts[True] >= 5, verdicts
    assert verdicts[False] >= 20, verdicts


VALID_BRACKETS = {
    "brackets": [
        {
            "name": "btc-exit",
            "symbol": "BTCUSDT",
            "side": "SELL",
            "quantity": Decimal("0.01"),
            "take_profit": {"price": Decimal("125000")},
            "stop_loss": {"stop_price": Decimal("98000"), "price": Decimal("97900")},
        },
        {
            "name": "eth-long",
            "market": "usdm",
            "symbol": "ETHUSDT",
            "side": "SELL",
            "quantity": "close",
            "take_profit": {"stop_price": Decimal("4000")},
            "stop_loss": {"stop_price": Decimal("2500")},
        },
    ]
}
VALID_CONFIG = {
    "exchange": "sim",
    "owner": "ocr",
    "guardrails": {"max_notional": Decimal("1000"), "symbols": ["BTCUSDT"]},
}
KEYS = st.sampled_from(
    [
        "name",
        "symbol",
        "side",
        "quantity",
        "price",
        "stop_price",
        "market",
        "take_profit",
        "stop_loss",
        "type",
        "trailing_delta",
        "time_in_force",
        "owner",
        "exchange",
        "prune",
        "guardrails",
        "symbols",
        "max_notional",
        "credentials",
        "brackets",
        "working_type",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 10**6).map(lambda i: YamlInt(i, str(i))),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.sampled_from(
        [
            "BUY",
            "SELL",
            "all",
            "usdm",
            "spot",
            "",
            "BTCUSDT",
            "x" * 80,
            "MARK_PRICE",
            "GTC",
            "LIMIT_MAKER",
            "sim",
            "0.5",
            "ocr",
            "bad name!",
        ]
    ),
    st.just(INVALID),
    st.just(OddScalar("tag", "!!python/object")),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=8,
)


def edited(document: object, path: list[int], value: object) -> object:
    """``document`` with the node reached by walking ``path`` (indices mod size) replaced."""
    if not path or not isinstance(document, (dict, list)) or not document:
        return value
    if isinstance(document, dict):
        key = list(document)[path[0] % len(document)]
        return {**document, key: edited(document[key], path[1:], value)}
    index = path[0] % len(document)
    return [*document[:index], edited(document[index], path[1:], value), *document[index + 1 :]]


@settings(max_examples=400, deadline=None)
@given(
    base=st.sampled_from([("brackets", VALID_BRACKETS), ("config", VALID_CONFIG)]),
    path=st.lists(st.integers(0, 7), max_size=5),
    value=VALUES,
)
def test_random_edits_get_the_same_verdict(
    base: tuple[str, object], path: list[int], value: object
) -> None:
    name, document = base
    data = edited(document, path, value)
    assert surely_valid(data, name) is jsonschema_valid(data, name)


@pytest.mark.parametrize("name", SCHEMAS)
def test_the_unedited_documents_are_valid(name: str) -> None:
    document = VALID_BRACKETS if name == "brackets" else VALID_CONFIG
    assert jsonschema_valid(document, name)
    assert surely_valid(document, name)


def test_a_keyword_it_does_not_know_is_refused() -> None:
    with pytest.raises(UnsupportedSchemaError, match="dependentRequired"):
        compile_decider({"type": "object", "dependentRequired": {"a": ["b"]}})
    with pytest.raises(UnsupportedSchemaError, match=r"\$ref"):
        compile_decider({"properties": {"a": {"$ref": "#/$defs/a"}}})


def test_the_packaged_schemas_compile() -> None:
    for name in SCHEMAS:
        assert compile_decider(compiled_schema(name))({}) is jsonschema_valid({}, name)


def test_json_equality_keeps_booleans_apart_from_numbers() -> None:
    assert not equal(True, 1)
    assert not equal(0, False)
    assert not equal([True], [1])
    assert equal(Decimal("1.0"), 1)
    assert equal({"a": [1]}, {"a": [1]})
    assert equal(True, True)
