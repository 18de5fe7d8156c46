"""The JSON Schemas: valid Draft 2020-12, strict, documented, in sync with the code and the repo."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from oco_reconcile.core import identity
from oco_reconcile.core.model import LegType, Side, TimeInForce
from oco_reconcile.inputs.brackets import SYMBOL_RE
from oco_reconcile.inputs.schema import load_schema, packaged_schemas, stale_schemas, write_schemas
from oco_reconcile.inputs.schema import main as schema_main
from tests.support.paths import REPO_ROOT

REPO = REPO_ROOT
PACKAGED = REPO / "src" / "oco_reconcile" / "schemas"
NAMES = ("brackets", "config")


def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((PACKAGED / f"{name}.schema.json").read_text("utf-8"))
    return loaded


def subschemas(node: object, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object inside ``node`` (properties, items, $defs, combinators)."""
    if not isinstance(node, dict):
        return
    yield where, node
    for key in ("properties", "$defs", "patternProperties"):
        for name, child in node.get(key, {}).items():
            yield from subschemas(child, f"{where}/{key}/{name}")
    for key in ("items", "not"):
        yield from subschemas(node.get(key), f"{where}/{key}")
    for key in ("allOf", "anyOf", "oneOf"):
        for i, child in enumerate(node.get(key, [])):
            yield from subschemas(child, f"{where}/{key}/{i}")


@pytest.mark.parametrize("name", NAMES)
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    loaded = schema(name)
    assert loaded["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(loaded)


@pytest.mark.parametrize("name", NAMES)
def test_repo_copy_is_byte_identical_to_the_packaged_one(name: str) -> None:
    file = f"{name}.schema.json"
    assert (REPO / "schemas" / file).read_bytes() == (PACKAGED / file).read_bytes()


@pytest.mark.parametrize("name", NAMES)
def test_the_runtime_loads_the_packaged_schema(name: str) -> None:
    assert load_schema(name) == schema(name)


@pytest.mark.parametrize("name", NAMES)
def test_every_object_is_closed(name: str) -> None:
    objects = [
        (where, node) for where, node in subschemas(schema(name)) if node.get("type") == "object"
    ]
    assert objects
    for where, node in objects:
        assert node.get("additionalProperties") is False, where


@pytest.mark.parametrize("name", NAMES)
def test_every_property_is_described_for_editors(name: str) -> None:
    loaded = schema(name)
    defs = loaded["$defs"]
    for where, node in subschemas(loaded):
        for key, prop in node.get("properties", {}).items():
            target = prop
            if "description" not in prop and "$ref" in prop:
                target = defs[prop["$ref"].removeprefix("#/$defs/")]
            assert target.get("description"), f"{where}/properties/{key}"


@pytest.mark.parametrize("name", NAMES)
def test_schema_examples_are_valid(name: str) -> None:
    loaded = schema(name)
    validator = Draft202012Validator(loaded)
    assert loaded["examples"]
    for example in loaded["examples"]:
        assert list(validator.iter_errors(example)) == []


@pytest.mark.parametrize(
    ("file", "name"),
    [
        ("brackets/btc.yaml", "brackets"),
        ("brackets/eth.yaml", "brackets"),
        ("oco-reconcile.yaml", "config"),
    ],
)
def test_repo_examples_point_editors_at_the_schema_and_pass_it(file: str, name: str) -> None:
    path = REPO / file
    text = path.read_text("utf-8")
    match = re.match(r"# yaml-language-server: \$schema=(\S+)\n", text)
    assert match, "first line must be the yaml-language-server $schema comment"
    target = (path.parent / match.group(1)).resolve()
    assert target == (REPO / "schemas" / f"{name}.schema.json").resolve()
    # what an editor sees (a plain YAML parser, floats and all) must pass the schema too
    assert list(Draft202012Validator(schema(name)).iter_errors(yaml.safe_load(text))) == []


def test_enums_match_the_model() -> None:
    defs = schema("brackets")["$defs"]
    bracket = defs["bracket"]["properties"]
    assert set(bracket["side"]["enum"]) == {side.value for side in Side}
    assert set(defs["legType"]["enum"]) == {leg_type.value for leg_type in LegType}
    assert set(defs["timeInForce"]["enum"]) == {tif.value for tif in TimeInForce}


def test_patterns_match_the_code() -> None:
    brackets, config = schema("brackets"), schema("config")
    assert brackets["$defs"]["symbol"]["pattern"] == SYMBOL_RE.pattern
    assert config["$defs"]["symbol"] == brackets["$defs"]["symbol"] | {"examples": ["BTCUSDT"]}
    assert config["properties"]["owner"]["pattern"] == identity.OWNER_RE.pattern
    assert config["$defs"]["decimal"]["pattern"] == brackets["$defs"]["decimal"]["pattern"]


@pytest.mark.parametrize(
    ("name", "ok"),
    [("btc-core_exit-2", True), ("btc exit", False), ("btc.exit", False), ("", False)],
)
def test_name_pattern_agrees_with_identity(name: str, ok: bool) -> None:
    pattern = schema("brackets")["$defs"]["bracket"]["properties"]["name"]["pattern"]
    assert bool(re.match(pattern, name)) is ok
    assert bool(identity.NAME_RE.match(name)) is ok


def test_the_brackets_schema_describes_the_friendly_and_full_forms() -> None:
    validator = Draft202012Validator(schema("brackets"))
    base = {"name": "x", "symbol": "BTCUSDT", "side": "SELL", "quantity": "1"}
    friendly = base | {"take_profit": {"price": "2"}, "stop_loss": {"stop_price": "1"}}
    full = base | {
        "above": {"type": "LIMIT_MAKER", "price": "2"},
        "below": {"type": "STOP_LOSS", "stop_price": "1"},
    }
    mixed = friendly | {"above": {"type": "LIMIT_MAKER", "price": "2"}}
    assert validator.is_valid({"brackets": [friendly, full]})
    assert not validator.is_valid({"brackets": [mixed]})
    assert not validator.is_valid({"brackets": [base]})
    assert not validator.is_valid({"brackets": [full | {"below": {"stop_price": "1"}}]})


# --- one source: the package copy; schemas/ is regenerated from it -------------------------------


def test_the_repo_schemas_directory_is_exactly_the_package_copy() -> None:
    packaged = {path.name for path in PACKAGED.glob("*.schema.json")}
    assert packaged == set(packaged_schemas())
    assert {path.name for path in (REPO / "schemas").glob("*.json")} == packaged
    assert stale_schemas(REPO / "schemas") == []


def test_write_schemas_copies_every_packaged_file_byte_for_byte(tmp_path: Path) -> None:
    target = tmp_path / "schemas"
    assert write_schemas(target) == sorted(packaged_schemas())
    for name, data in packaged_schemas().items():
        assert (target / name).read_bytes() == data
    assert write_schemas(target) == []  # nothing changed, nothing written
    assert stale_schemas(target) == []


@pytest.mark.timeout(20)
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_an_endless_schema_file_is_stale_not_read(tmp_path: Path) -> None:
    write_schemas(tmp_path)
    (tmp_path / "brackets.schema.json").unlink()
    (tmp_path / "brackets.schema.json").symlink_to("/dev/zero")
    assert stale_schemas(tmp_path) == ["brackets.schema.json"]


def test_stale_schemas_names_changed_missing_and_extra_files(tmp_path: Path) -> None:
    write_schemas(tmp_path)
    (tmp_path / "brackets.schema.json").write_text("{}", encoding="utf-8")
    (tmp_path / "config.schema.json").unlink()
    (tmp_path / "old.schema.json").write_text("{}", encoding="utf-8")
    assert stale_schemas(tmp_path) == [
        "brackets.schema.json",
        "config.schema.json",
        "old.schema.json",
    ]


def test_the_module_command_checks_and_regenerates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "schemas"
    assert schema_main(["--check", "--write-schemas", str(target)]) == 1
    assert "run: python -m oco_reconcile.inputs.schema" in capsys.readouterr().err
    assert schema_main(["--write-schemas", str(target)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert schema_main(["--check", "--write-schemas", str(target)]) == 0


def test_python_dash_m_defaults_to_the_schemas_directory_here(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "oco_reconcile.inputs.schema"]
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert stale_schemas(tmp_path / "schemas") == []
    check = subprocess.run(
        [*command, "--check"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stderr
