"""The JSON Schemas (Draft 2020-12): loaded from package data, errors turned into plain messages.

The package copy under ``oco_reconcile/schemas/`` is the source. The repository's top-level
``schemas/`` holds the same bytes for editors (the ``yaml-language-server`` line of every example
points there); regenerate it with ``python -m oco_reconcile.inputs.schema`` (``--check`` only
compares). Each schema is compiled once, with its local ``$ref`` s to ``$defs`` inlined (the
validator then never resolves a reference per value). Schema errors become
:class:`~oco_reconcile.inputs.document.Issue` values at the path of the offending value; values
that may be secrets are never echoed.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, cast

from oco_reconcile.files import FileReadError, read_bounded
from oco_reconcile.inputs.document import Document, Issue, PathKey, value_kind
from oco_reconcile.inputs.schema_fast import Decider, UnsupportedSchemaError, compile_decider
from oco_reconcile.json_types import JsonObject

if TYPE_CHECKING:  # jsonschema is imported when a schema is first checked, not at start-up
    from jsonschema import Draft202012Validator, ValidationError

SCHEMA_SUFFIX = ".schema.json"
_DEFS_REF = "#/$defs/"
# Keywords beside a "$ref" that validate nothing, so the reference can stand in for the node.
_ANNOTATIONS = frozenset({"description", "title", "default", "examples", "$comment"})
REPO_SCHEMAS_DIR = Path("schemas")
_STALE = "not the packaged schema (run: python -m oco_reconcile.inputs.schema)"


# --- loading -------------------------------------------------------------------------------------


def _packaged() -> Traversable:
    return resources.files("oco_reconcile") / "schemas"


@cache
def load_schema(name: str) -> JsonObject:
    """The packaged schema ``schemas/<name>.schema.json`` (``brackets`` or ``config``)."""
    text = (_packaged() / f"{name}{SCHEMA_SUFFIX}").read_text("utf-8")
    schema: JsonObject = json.loads(text)
    return schema


@cache
def compiled_schema(name: str) -> JsonObject:
    """``load_schema(name)`` with every ``{"$ref": "#/$defs/x"}`` (beside annotations only)
    replaced by the ``$defs`` entry itself, references inside it inlined too; a reference that
    would recurse stays a ``$ref``. Every use of a definition is the same object."""
    schema = json.loads(json.dumps(load_schema(name)))
    defs: JsonObject = schema.get("$defs", {})
    inliner = _Inliner(defs)
    for key in defs:
        defs[key] = inliner.definition(key)
    return cast("JsonObject", inliner.inline(schema))  # the root is never a reference


class _Inliner:
    """Replaces local references by their (already inlined) definitions, once per definition."""

    def __init__(self, defs: JsonObject) -> None:
        self.defs = defs
        self.done: dict[str, object] = {}
        self.active: set[str] = set()

    def definition(self, key: str) -> object:
        if key not in self.done:
            self.active.add(key)
            self.done[key] = self.inline(self.defs[key])
            self.active.discard(key)
        return self.done[key]

    def inline(self, node: object) -> object:
        if isinstance(node, list):
            return [self.inline(item) for item in node]
        if not isinstance(node, dict):
            return node
        key = _defs_key(node)
        if key is not None and key in self.defs and key not in self.active:
            return self.definition(key)
        return {name: self.inline(value) for name, value in node.items()}


def _defs_key(node: dict[str, object]) -> str | None:
    """``x`` for ``{"$ref": "#/$defs/x", ...annotations}``, else None."""
    ref = node.get("$ref")
    if not isinstance(ref, str) or not ref.startswith(_DEFS_REF):
        return None
    if not set(node) - {"$ref"} <= _ANNOTATIONS:
        return None
    return ref[len(_DEFS_REF) :]


@cache
def _validator(name: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(compiled_schema(name))


@cache
def _decider(name: str) -> Decider | None:
    try:
        return compile_decider(compiled_schema(name))
    except UnsupportedSchemaError:
        return None


def surely_valid(data: object, name: str) -> bool:
    """True only when the fast decider finds ``data`` valid (then jsonschema finds no error)."""
    decide = _decider(name)
    if decide is None:
        return False
    try:
        return decide(data)
    except Exception:  # an odd value never counts as valid: jsonschema will say why
        return False


def check_schema(
    document: Document,
    name: str,
    *,
    semantic_defs: Sequence[str] = (),
    quiet_roots: frozenset[str] = frozenset(),
) -> list[Issue]:
    """Every schema error of ``document`` as an issue. Errors raised by the ``$defs`` named in
    ``semantic_defs`` are skipped (the semantic layer reports those); values under
    ``quiet_roots`` are never echoed in messages (they may be secrets). A document the fast
    decider finds valid has no schema error: jsonschema is asked only about the others."""
    if surely_valid(document.data, name):
        return []
    defs = compiled_schema(name).get("$defs", {})
    owned = [defs[key] for key in semantic_defs]
    issues: list[Issue] = []
    for error in _validator(name).iter_errors(document.data):
        if any(error.schema == schema for schema in owned):
            continue
        path: PathKey = tuple(error.absolute_path)
        echo = not (path and path[0] in quiet_roots)
        issues.extend(_translate(error, path, echo=echo))
    return [issue for issue in issues if not document.blocked(issue.path)]


def _translate(error: ValidationError, path: PathKey, *, echo: bool) -> list[Issue]:
    keyword, instance = error.validator, error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    if keyword == "required" and isinstance(instance, dict):
        required: list[str] = list(error.validator_value)  # type: ignore[arg-type]
        missing = [key for key in required if key not in instance]
        return [Issue((*path, key), "required field is missing") for key in missing]
    if keyword == "additionalProperties" and isinstance(instance, dict):
        known = list(schema.get("properties", {}))
        patterns = [re.compile(pattern) for pattern in schema.get("patternProperties", {})]
        extra = [
            key
            for key in instance
            if key not in known and not any(pattern.search(key) for pattern in patterns)
        ]
        return [Issue((*path, key), _unknown_field(key, known)) for key in extra]
    if keyword == "type":
        return [
            Issue(
                path, f"must be {_type_phrase(error.validator_value)}, not {value_kind(instance)}"
            )
        ]
    if isinstance(schema.get("errorMessage"), str):
        return [Issue(path, schema["errorMessage"])]
    return [Issue(path, _keyword_message(error, echo=echo))]


def _keyword_message(error: ValidationError, *, echo: bool) -> str:
    keyword, value, instance = error.validator, error.validator_value, error.instance
    if keyword == "enum":
        got = f" (got {_show(instance)})" if echo and _show(instance) else ""
        options: list[object] = list(value)  # type: ignore[arg-type]
        return "must be one of " + ", ".join(str(option) for option in options) + got
    phrases: dict[str, Callable[[], str]] = {
        "minimum": lambda: f"must be at least {value}",
        "maximum": lambda: f"must be at most {value}",
        "exclusiveMinimum": lambda: f"must be greater than {value}",
        "minItems": lambda: f"must list at least {value} item{'s' if value != 1 else ''}",
        "uniqueItems": lambda: "must not contain the same value twice",
        "minLength": lambda: "must not be empty",
        "pattern": lambda: "has an invalid format",
    }
    if keyword in phrases:
        return phrases[keyword]()
    return error.message if echo else "is invalid"


def _unknown_field(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        return f"unknown field; did you mean '{close[0]}'?"
    return "unknown field; expected one of: " + ", ".join(known)


def _type_phrase(expected: object) -> str:
    names = {
        "string": "a string",
        "number": "a number",
        "integer": "an integer",
        "boolean": "true or false",
        "object": "a mapping",
        "array": "a list",
        "null": "empty",
    }
    options = [expected] if isinstance(expected, str) else list(expected)  # type: ignore[call-overload]
    return " or ".join(names.get(str(option), str(option)) for option in options)


def _show(value: object) -> str | None:
    """A short rendering of a value for a message, or None when it is too long to show."""
    if isinstance(value, str) and len(value) <= 40:
        return repr(value)
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    return None


# --- the repository's copy for editors -----------------------------------------------------------


def packaged_schemas() -> dict[str, bytes]:
    """Every packaged schema file: name (``brackets.schema.json``...) -> exact bytes."""
    files = (entry for entry in _packaged().iterdir() if entry.name.endswith(SCHEMA_SUFFIX))
    return {entry.name: entry.read_bytes() for entry in sorted(files, key=lambda e: e.name)}


def stale_schemas(directory: Path) -> list[str]:
    """Schema files of ``directory`` that are missing, differ from the package, or are extra."""
    packaged = packaged_schemas()
    present = {path.name for path in directory.glob(f"*{SCHEMA_SUFFIX}")}
    changed = [name for name, data in packaged.items() if not _holds(directory / name, data)]
    return sorted({*changed, *(present - packaged.keys())})


def _holds(path: Path, data: bytes) -> bool:
    """``path`` is a regular file of exactly ``data``; read no further than ``data`` is long."""
    try:
        return read_bounded(path, len(data)) == data
    except FileReadError:
        return False


def write_schemas(directory: Path) -> list[str]:
    """Copy every packaged schema into ``directory``; the names of the files that changed."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in packaged_schemas().items():
        target = directory / name
        if not _holds(target, data):
            target.write_bytes(data)
            written.append(name)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m oco_reconcile.inputs.schema [--check] [--write-schemas DIR]``."""
    parser = argparse.ArgumentParser(
        prog="python -m oco_reconcile.inputs.schema",
        description="Copy the packaged JSON Schemas into the repository's schemas/ directory.",
    )
    parser.add_argument(
        "--write-schemas",
        metavar="DIR",
        type=Path,
        default=REPO_SCHEMAS_DIR,
        help="directory to write (default: schemas)",
    )
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if stale")
    args = parser.parse_args(argv)
    directory: Path = args.write_schemas
    if args.check:
        stale = stale_schemas(directory)
        for name in stale:
            print(f"{directory / name}: {_STALE}", file=sys.stderr)
        return 1 if stale else 0
    for name in write_schemas(directory):
        print(f"wrote {directory / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
