"""Desired state: bracket files (YAML) -> validated, frozen ``Bracket`` values.

Three layers, and every problem of every layer is reported in one run as ``file:line: ...``:

1. **YAML.** Bytes are size-capped and decoded as strict UTF-8. PyYAML's *safe* machinery only
   composes nodes (it never constructs objects, so no tag can run code); we convert the nodes to
   plain values ourselves, keeping a path -> line map. Numbers keep the text they were written
   with, so ``0.1`` becomes ``Decimal("0.1")`` and never passes through ``float``.
   Anchors and aliases are allowed, but every value produced counts against a budget
   (:data:`MAX_VALUES`, aliases included) and nesting is capped: an alias bomb ("billion laughs")
   fails fast with bounded memory instead of expanding.
2. **JSON Schema** (``schemas/*.schema.json``, Draft 2020-12): structure, types, enums, unknown
   keys. The same files drive editor completion.
3. **Semantics**: exact decimals, names, leg types per side, fields per leg type, leg order,
   unique names across files (rest-api.md "New Order list - OCO (TRADE)").

Where the schema states a rule only for editors (decimal values, the friendly/full form choice),
its errors are dropped in favour of the semantic layer's more precise message, so each problem is
reported once.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from jsonschema import Draft202012Validator, ValidationError

from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.identity import CLIENT_ID_RE, NAME_RE, max_name_length
from oco_reconcile.core.model import (
    STOP_LOSS_TYPES,
    TAKE_PROFIT_TYPES,
    Bracket,
    Leg,
    LegPosition,
    LegType,
    Side,
    SourceLocation,
    TimeInForce,
    allowed_leg_types,
    take_profit_position,
)
from oco_reconcile.core.settings import Settings
from oco_reconcile.errors import BugError, InputError, Problem
from oco_reconcile.inputs.settings import SETTINGS_FILE_NAMES, settings_file_in

MAX_FILE_BYTES = 1024 * 1024
MAX_VALUES = 50_000  # per document, counting every value an alias expands to
MAX_DEPTH = 40
MAX_DECIMAL_PLACES = 8  # Binance's precision ceiling; more gives -1111 (filters.md)
MAX_INTEGER_DIGITS = 20
MAX_INT_LITERAL = 24
DEFAULT_BRACKETS_DIR = "brackets"
BRACKET_SUFFIXES = (".yaml", ".yml")
SYMBOL_RE = re.compile(r"^[A-Z0-9]{3,20}$")

PathKey = tuple[str | int, ...]
_E = TypeVar("_E", Side, LegType, TimeInForce)
_T = TypeVar("_T")

_TAG = "tag:yaml.org,2002:"
_PLAIN_NUMBER_RE = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")
_DECIMAL_TEXT_RE = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
_NON_FINITE_RE = re.compile(r"^[-+]?\.?(?:inf|infinity|nan)$", re.IGNORECASE)
_MULTI_DOCUMENT = "more than one YAML document ('---'): keep everything in one"
_BOOLEANS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}


# --- values the YAML layer produces besides str / bool / None / dict / list ---------------------


class YamlInt(int):
    """A YAML integer that remembers its source text (a price must be read from what was written:
    YAML 1.1 reads ``010`` as octal 8)."""

    text: str

    def __new__(cls, value: int, text: str) -> YamlInt:
        number = super().__new__(cls, value)
        number.text = text
        return number


@dataclass(frozen=True)
class OddScalar:
    """A scalar with no exact plain value here, kept as text: ``.inf``/``.nan``, a sexagesimal or
    underscored number, a date. Every schema type rejects it; messages say what it is."""

    kind: str
    text: str


class _Invalid:
    """Marks a field that is present but invalid (its problem is already reported)."""


INVALID = _Invalid()


# --- documents and issues ------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """A problem at a path inside one document; ``line`` overrides the path's line."""

    path: PathKey
    message: str
    line: int | None = None


@dataclass
class Document:
    """One YAML file converted to plain values, with the line of every key and item."""

    file: str
    data: object
    lines: dict[PathKey, int] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    empty: bool = False

    def line_of(self, path: PathKey) -> int | None:
        """The line of ``path``, else of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    def blocked(self, path: PathKey) -> bool:
        """True when a YAML-level issue sits at or above ``path`` (other layers stay quiet)."""
        return any(path[: len(issue.path)] == issue.path for issue in self.issues)


class _LimitExceededError(Exception):
    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = None if mark is None else mark.line + 1


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader used for composition only, with caps on node count and nesting depth."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._nodes = 0
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _LimitExceededError(
                    f"nested deeper than {MAX_DEPTH} levels", event.start_mark
                )
            if not isinstance(event, yaml.AliasEvent):
                self._nodes += 1
                if self._nodes > MAX_VALUES:
                    raise _LimitExceededError(f"more than {MAX_VALUES} values", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _FileError(Exception):
    """The file cannot be read as YAML at all; carries the one problem to report."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def read_document(path: Path, display: str | None = None) -> Document:
    """Read one YAML file into a :class:`Document`; raises :class:`InputError` when it cannot be
    read or parsed at all. An empty file gives ``Document(empty=True)``."""
    name = display or str(path)
    try:
        return _read_document(path, name)
    except _FileError as error:
        raise InputError([Problem(name, error.message, line=error.line)]) from None


def _read_document(path: Path, name: str) -> Document:
    text = _decode(_read_bytes(path))
    loader = _compose_loader(text)
    try:
        root = _compose_root(loader)
        second = _next_document_line(loader)
        if second is not None and root is None:
            raise _FileError(_MULTI_DOCUMENT, second)
        document = Document(file=name, data=None, empty=root is None)
        if root is None:
            return document
        if second is not None:
            document.issues.append(Issue((), _MULTI_DOCUMENT, line=second))
        _Converter(loader, document).convert_root(root)
        return document
    except _LimitExceededError as error:
        raise _FileError(f"rejected: {error.message}", error.line) from None
    except yaml.YAMLError as error:
        raise _FileError(*_describe_yaml_error(error, text)) from None
    finally:
        loader.dispose()


def _next_document_line(loader: _BoundedLoader) -> int | None:
    if not loader.check_node():
        return None
    event = loader.peek_event()  # type: ignore[no-untyped-call]
    return int(event.start_mark.line) + 1


def _read_bytes(path: Path) -> bytes:
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise _FileError(f"cannot read: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise _FileError(f"file is larger than {MAX_FILE_BYTES // 1024} KiB")
    return data


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start]
        raise _FileError(
            f"not valid UTF-8 (byte 0x{byte:02x}); save the file as UTF-8", line
        ) from None


def _compose_loader(text: str) -> _BoundedLoader:
    try:
        return _BoundedLoader(text)
    except yaml.YAMLError as error:  # the reader rejects control characters up front
        raise _FileError(*_describe_yaml_error(error, text)) from None


def _compose_root(loader: _BoundedLoader) -> yaml.Node | None:
    if not loader.check_node():  # also drops STREAM-START, which get_node expects gone
        return None
    root = loader.get_node()
    if isinstance(root, yaml.ScalarNode) and root.tag == _TAG + "null" and root.value in ("", "~"):
        return None  # a document with nothing in it ("---" alone) is as empty as an empty file
    return root


def _describe_yaml_error(error: yaml.YAMLError, text: str) -> tuple[str, int | None]:
    """Message and line of a PyYAML error, without the source snippet (it might hold a secret)."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        parts = [part for part in (error.problem, error.context) if part]
        detail = "; ".join(parts) or "syntax error"
        return f"invalid YAML: {detail}", None if mark is None else mark.line + 1
    if isinstance(error, yaml.reader.ReaderError):
        line = text[: error.position].count("\n") + 1
        return f"invalid YAML: unacceptable character #x{error.character:04x}", line
    return "invalid YAML", None


class _Converter:
    """Nodes -> plain values, recording lines; unsupported tags become issues, never objects."""

    def __init__(self, loader: _BoundedLoader, document: Document) -> None:
        self.loader = loader
        self.doc = document
        self.budget = MAX_VALUES
        self.active: set[int] = set()

    def convert_root(self, root: yaml.Node) -> None:
        self.doc.lines[()] = root.start_mark.line + 1
        self.doc.data = self.value(root, ())

    def value(self, node: yaml.Node, path: PathKey) -> object:
        self.budget -= 1
        if self.budget < 0:
            raise _LimitExceededError(
                f"aliases expand to more than {MAX_VALUES} values (an alias bomb?)", node.start_mark
            )
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if id(node) in self.active:
            raise _LimitExceededError("an alias refers to itself", node.start_mark)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode) and node.tag == _TAG + "map":
                return self.mapping(node, path)
            if isinstance(node, yaml.SequenceNode) and node.tag == _TAG + "seq":
                return [self.item(child, (*path, i)) for i, child in enumerate(node.value)]
            return self.unsupported(node, path)
        finally:
            self.active.discard(id(node))

    def item(self, node: yaml.Node, path: PathKey) -> object:
        self.doc.lines[path] = node.start_mark.line + 1
        return self.value(node, path)

    def mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, object]:
        result: dict[str, object] = {}
        merges = [value for key, value in node.value if key.tag == _TAG + "merge"]
        for source in merges:
            result.update(self.merged(source, path))
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                continue
            key = self.key(key_node, path)
            if key is None:
                continue
            line = key_node.start_mark.line + 1
            if key in seen:
                self.issue((*path, key), f"duplicate key (first at line {seen[key]})", line)
                continue
            seen[key] = line
            self.doc.lines[(*path, key)] = line
            result[key] = self.value(value_node, (*path, key))
        return result

    def merged(self, source: yaml.Node, path: PathKey) -> dict[str, object]:
        """A ``<<`` merge key: a mapping or a list of mappings; explicit keys win."""
        sources = source.value if isinstance(source, yaml.SequenceNode) else [source]
        result: dict[str, object] = {}
        for node in reversed(sources):  # earlier mappings in the list take precedence
            merged = self.value(node, path)
            if not isinstance(merged, dict):
                self.issue(path, "'<<' (merge) needs a mapping or a list of mappings", _line(node))
                continue
            result.update(merged)
        return result

    def key(self, node: yaml.Node, path: PathKey) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or _tag_name(node.tag) is None:
            self.issue(path, "mapping keys must be plain text", _line(node))
            return None
        return str(node.value)

    def scalar(self, node: yaml.ScalarNode, path: PathKey) -> object:
        tag, text = _tag_name(node.tag), str(node.value)
        if tag == "str":
            return text
        if tag == "null":
            return None
        if tag == "bool":
            if text.lower() in _BOOLEANS:
                return _BOOLEANS[text.lower()]
            return self.issue(path, "not a valid boolean (use true or false)", _line(node))
        if tag == "int":
            return self.integer(node, path)
        if tag == "float":
            return _float(text)
        if tag == "timestamp":
            return OddScalar("date", text)
        return self.unsupported(node, path)

    def integer(self, node: yaml.ScalarNode, path: PathKey) -> object:
        text = str(node.value)
        if len(text) > MAX_INT_LITERAL:
            return self.issue(
                path, f"integer is longer than {MAX_INT_LITERAL} characters", _line(node)
            )
        try:
            value = self.loader.construct_yaml_int(node)
        except (ValueError, IndexError):
            return self.issue(path, "not a valid integer", _line(node))
        return YamlInt(int(value), text)

    def unsupported(self, node: yaml.Node, path: PathKey) -> object:
        shown = node.tag.replace(_TAG, "!!", 1)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        return self.issue(
            path, f"YAML tag '{shown}' is not allowed (plain values only)", _line(node)
        )

    def issue(self, path: PathKey, message: str, line: int | None) -> _Invalid:
        self.doc.issues.append(Issue(path, message, line))
        return INVALID


def _tag_name(tag: str) -> str | None:
    """The short name of a standard scalar tag we read (``str``, ``int``...), else None."""
    if tag.startswith(_TAG):
        short = tag[len(_TAG) :]
        if short in ("str", "null", "bool", "int", "float", "timestamp"):
            return short
    return None


def _float(text: str) -> object:
    if _PLAIN_NUMBER_RE.match(text):
        return Decimal(text)  # exactly as written: Decimal("0.1"), never float 0.1
    if _NON_FINITE_RE.match(text):
        return OddScalar("non-finite number", text)
    return OddScalar("number", text)


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


# --- JSON Schema ---------------------------------------------------------------------------------


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The packaged schema ``schemas/<name>.schema.json`` (``brackets`` or ``config``)."""
    text = (resources.files("oco_reconcile") / "schemas" / f"{name}.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(name))


def check_schema(
    document: Document,
    name: str,
    *,
    semantic_defs: Sequence[str] = (),
    quiet_roots: frozenset[str] = frozenset(),
) -> list[Issue]:
    """Every schema error of ``document`` as an issue. Errors raised by the ``$defs`` named in
    ``semantic_defs`` are skipped (the semantic layer reports those); values under
    ``quiet_roots`` are never echoed in messages (they may be secrets)."""
    defs = load_schema(name).get("$defs", {})
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
            Issue(path, f"must be {_type_phrase(error.validator_value)}, not {_kind(instance)}")
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


def _kind(value: object) -> str:
    """What a YAML value is, in words (never the value itself)."""
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, Decimal):
        return "a decimal number"
    if isinstance(value, OddScalar):
        return f"a {value.kind}"
    kinds: dict[type, str] = {str: "a string", dict: "a mapping", list: "a list"}
    return kinds.get(type(value), "an invalid value")


def _show(value: object) -> str | None:
    """A short rendering of a value for a message, or None when it is too long to show."""
    if isinstance(value, str) and len(value) <= 40:
        return repr(value)
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    return None


# --- exact decimals ------------------------------------------------------------------------------


def parse_amount(value: object) -> Decimal | str:
    """A positive decimal exactly as written, or the message saying why ``value`` is not one.

    Accepts a string (``"0.05"``) or a YAML number (``0.05``, ``5``); rejects booleans, NaN and
    infinities, exponents in strings, negative or zero values, more than 8 decimal places
    (Binance's maximum; filters.md, -1111) and absurdly large values."""
    number = _as_decimal(value)
    if isinstance(number, str):
        return number
    if number <= 0:
        return f"must be greater than 0 (got {number})"
    if number.adjusted() >= MAX_INTEGER_DIGITS:
        return f"is too large (more than {MAX_INTEGER_DIGITS} digits before the decimal point)"
    places = _decimal_places(number)
    if places > MAX_DECIMAL_PLACES:
        return f"has {places} decimal places; at most {MAX_DECIMAL_PLACES} are allowed"
    return number


def _decimal_places(number: Decimal) -> int:
    """Significant decimal places, exactly (``normalize()`` would round to the context's 28
    digits): ``0.100`` has 1, ``5`` and ``5E+3`` have 0."""
    digits, exponent = number.as_tuple().digits, int(number.as_tuple().exponent)
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + trailing_zeros))


def _as_decimal(value: object) -> Decimal | str:
    if isinstance(value, bool) or value is None:
        return f"must be a decimal number, not {_kind(value)}"
    if isinstance(value, OddScalar):
        if value.kind == "non-finite number":
            return f"must be a finite number (got {value.text})"
        return f"write it as a plain decimal number like 0.05 (got {value.text!r})"[:120]
    if isinstance(value, YamlInt):
        return _decimal_from_text(value.text)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        return _decimal_from_text(value)
    return f"must be a decimal number, not {_kind(value)}"


def _decimal_from_text(text: str) -> Decimal | str:
    if _DECIMAL_TEXT_RE.match(text):
        return Decimal(text)
    if _NON_FINITE_RE.match(text.strip()):
        return f"must be a finite number (got {text!r})"
    shown = repr(text) if len(text) <= 40 else "the value"
    return f'{shown} is not a plain decimal number (write it like "0.05")'


# --- issues -> problems --------------------------------------------------------------------------


def format_path(path: PathKey) -> str:
    """``("guardrails", "symbols", 1)`` -> ``guardrails.symbols[1]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


Describe = Callable[[PathKey], tuple[str | None, str | None]]


def to_problems(
    document: Document, issues: Iterable[Issue], describe: Describe | None = None
) -> list[Problem]:
    """Issues -> sorted, de-duplicated :class:`Problem` values naming file and line."""
    describe = describe or (lambda path: (None, format_path(path) or None))
    unique = dict.fromkeys(issues)
    problems = []
    for issue in unique:
        bracket, where = describe(issue.path)
        line = issue.line if issue.line is not None else document.line_of(issue.path)
        problems.append(
            Problem(document.file, issue.message, line=line, bracket=bracket, field=where)
        )
    return sorted(problems, key=lambda problem: (problem.line or 0, problem.field or ""))


# --- brackets: semantics -------------------------------------------------------------------------

_FRIENDLY = ("take_profit", "stop_loss")
_FULL = ("above", "below")
_SEMANTIC_DEFS = ("decimal", "oneForm")
_TRIGGER_FIELDS = ("stop_price", "trailing_delta")


@dataclass(frozen=True)
class _LegFields:
    """A leg as written, before its type is settled; a field that was invalid is ``INVALID``."""

    type: LegType | _Invalid | None
    price: Decimal | _Invalid | None
    stop_price: Decimal | _Invalid | None
    trailing_delta: int | _Invalid | None
    time_in_force: TimeInForce | _Invalid | None
    iceberg_qty: Decimal | _Invalid | None

    @property
    def valid(self) -> bool:
        return not any(isinstance(getattr(self, item.name), _Invalid) for item in fields(self))

    @property
    def has_trigger(self) -> bool:
        return self.stop_price is not None or self.trailing_delta is not None


class _BracketReader:
    """Semantic checks of one bracket file; issues go to ``self.issues``."""

    def __init__(self, document: Document, settings: Settings) -> None:
        self.doc = document
        self.settings = settings
        self.issues: list[Issue] = []

    def add(self, path: PathKey, message: str) -> None:
        if not self.doc.blocked(path):
            self.issues.append(Issue(path, message))

    def brackets(self) -> list[Bracket | None]:
        data = self.doc.data
        items = data.get("brackets") if isinstance(data, dict) else None
        if not isinstance(items, list):
            return []
        return [self.bracket(raw, ("brackets", i)) for i, raw in enumerate(items)]

    def bracket(self, raw: object, path: PathKey) -> Bracket | None:
        if not isinstance(raw, dict):
            return None
        name = self.name(raw, path)
        side = _enum(raw.get("side"), Side)
        quantity = self.amount(raw, path, "quantity")
        legs = self.legs(raw, path, side)
        protect, rev = raw.get("protect", False), raw.get("rev", 0)
        adopt = raw.get("adopt")
        symbol = raw.get("symbol")
        if not (isinstance(symbol, str) and SYMBOL_RE.match(symbol)):
            return None
        if name is None or not isinstance(side, Side) or not isinstance(quantity, Decimal):
            return None
        if legs is None or not isinstance(protect, bool) or not _is_count(rev):
            return None
        if adopt is not None and not (isinstance(adopt, str) and CLIENT_ID_RE.match(adopt)):
            return None  # the schema reports it
        line = self.doc.line_of((*path, "name"))
        return Bracket(
            name=name,
            symbol=symbol,
            side=side,
            quantity=quantity,
            above=legs[0],
            below=legs[1],
            protect=protect,
            rev=int(_present(rev, int) or 0),
            adopt=adopt,
            source=SourceLocation(self.doc.file, line),
        )

    def name(self, raw: dict[str, object], path: PathKey) -> str | None:
        name = raw.get("name")
        if not isinstance(name, str) or not NAME_RE.match(name):
            return None  # the schema reports it
        limit = max_name_length(self.settings.owner)
        if len(name) > limit:
            self.add(
                (*path, "name"),
                f"is {len(name)} characters; at most {limit} with owner '{self.settings.owner}' "
                "(every client order id derived from it must fit Binance's 36)",
            )
            return None
        return name

    def amount(self, raw: dict[str, object], path: PathKey, key: str) -> Decimal | _Invalid | None:
        if key not in raw:
            return None
        parsed = parse_amount(raw[key])
        if isinstance(parsed, str):
            self.add((*path, key), parsed)
            return INVALID
        return parsed

    # legs ------------------------------------------------------------------------------------

    def legs(self, raw: dict[str, object], path: PathKey, side: object) -> tuple[Leg, Leg] | None:
        friendly = [key for key in _FRIENDLY if key in raw]
        full = [key for key in _FULL if key in raw]
        if friendly and full:
            self.add(
                path,
                f"mixes the friendly form ({', '.join(friendly)}) with the full form "
                f"({', '.join(full)}); use take_profit + stop_loss, or above + below",
            )
            return None
        if not friendly and not full:
            self.add(path, "has no legs: give take_profit and stop_loss (or above and below)")
            return None
        keys = _FRIENDLY if friendly else _FULL
        for key in keys:
            if key not in raw:
                other = keys[1] if key == keys[0] else keys[0]
                self.add((*path, key), f"required field is missing ({other} needs it)")
        if len(friendly or full) < 2:
            return None
        if friendly:
            return self.friendly_legs(raw, path, side)
        return self.full_legs(raw, path, side)

    def friendly_legs(
        self, raw: dict[str, object], path: PathKey, side: object
    ) -> tuple[Leg, Leg] | None:
        both_limit_maker = _both_limit_maker(raw, _FRIENDLY)
        take_profit = self.leg(
            raw["take_profit"],
            (*path, "take_profit"),
            _Role("a take-profit leg", TAKE_PROFIT_TYPES),
        )
        stop_loss = self.leg(
            raw["stop_loss"],
            (*path, "stop_loss"),
            _Role("a stop-loss leg", STOP_LOSS_TYPES, both_limit_maker=both_limit_maker),
        )
        if take_profit is None or stop_loss is None or not isinstance(side, Side):
            return None
        self.check_order(side, take_profit, stop_loss, path, ("take_profit", "stop_loss"))
        if take_profit_position(side) is LegPosition.ABOVE:
            return take_profit, stop_loss
        return stop_loss, take_profit

    def full_legs(
        self, raw: dict[str, object], path: PathKey, side: object
    ) -> tuple[Leg, Leg] | None:
        both_limit_maker = _both_limit_maker(raw, _FULL)
        if not isinstance(side, Side):
            for key in _FULL:
                self.leg(
                    raw[key], (*path, key), _Role("a leg", TAKE_PROFIT_TYPES | STOP_LOSS_TYPES)
                )
            return None
        legs = [
            self.leg(
                raw[position.value],
                (*path, position.value),
                _Role(
                    f"the {position.value} leg of a {side} OCO",
                    allowed_leg_types(side, position),
                    both_limit_maker=both_limit_maker,
                    swap_hint=True,
                ),
            )
            for position in (LegPosition.ABOVE, LegPosition.BELOW)
        ]
        above, below = legs
        if above is None or below is None:
            return None
        if take_profit_position(side) is LegPosition.ABOVE:
            self.check_order(side, above, below, path, ("above", "below"))
        else:
            self.check_order(side, below, above, path, ("below", "above"))
        return above, below

    def leg(self, raw: object, path: PathKey, role: _Role) -> Leg | None:
        if not isinstance(raw, dict):
            return None  # the schema reports the type
        fields = self.leg_fields(raw, path)
        if not fields.valid:
            return None
        leg_type = self.leg_type(fields, path, role)
        if leg_type is None:
            return None
        return self.leg_for_type(leg_type, fields, path)

    def leg_fields(self, raw: dict[str, object], path: PathKey) -> _LegFields:
        return _LegFields(
            type=_enum(raw.get("type"), LegType),
            price=self.amount(raw, path, "price"),
            stop_price=self.amount(raw, path, "stop_price"),
            trailing_delta=_positive_int(raw.get("trailing_delta")),
            time_in_force=_enum(raw.get("time_in_force"), TimeInForce),
            iceberg_qty=self.amount(raw, path, "iceberg_qty"),
        )

    def leg_type(self, fields: _LegFields, path: PathKey, role: _Role) -> LegType | None:
        leg_type = fields.type
        if leg_type is None and path[-1] in _FULL:
            return None  # the schema reports the missing type
        if leg_type is None:
            leg_type = self.infer_type(fields, path)
            if leg_type is None:
                return None
        if isinstance(leg_type, _Invalid):
            return None
        if leg_type not in role.allowed:
            self.add((*path, "type"), role.refusal(leg_type))
            return None
        return leg_type

    def infer_type(self, fields: _LegFields, path: PathKey) -> LegType | None:
        """The friendly form's mapping (docs/file-formats.md "Friendly form")."""
        limit = fields.price is not None
        if path[-1] == "take_profit":
            if fields.has_trigger:
                return LegType.TAKE_PROFIT_LIMIT if limit else LegType.TAKE_PROFIT
            if limit:
                return LegType.LIMIT_MAKER
            self.add(path, "needs a price (LIMIT_MAKER) and/or a stop_price (TAKE_PROFIT[_LIMIT])")
            return None
        if fields.has_trigger:
            return LegType.STOP_LOSS_LIMIT if limit else LegType.STOP_LOSS
        self.add(
            (*path, "stop_price"),
            "required: a stop loss triggers at stop_price (or trailing_delta); add price as well "
            "for a STOP_LOSS_LIMIT",
        )
        return None

    def leg_for_type(self, leg_type: LegType, fields: _LegFields, path: PathKey) -> Leg | None:
        """Fields each leg type requires or forbids (rest-api.md "New Order list - OCO (TRADE)")."""
        before = len(self.issues)
        self.check_price(leg_type, fields, path)
        self.check_trigger(leg_type, fields, path)
        time_in_force = self.check_time_in_force(leg_type, fields, path)
        self.check_iceberg(leg_type, time_in_force, fields, path)
        if len(self.issues) > before:
            return None
        return Leg(
            type=leg_type,
            price=_present(fields.price, Decimal),
            stop_price=_present(fields.stop_price, Decimal),
            trailing_delta=_present(fields.trailing_delta, int),
            time_in_force=time_in_force,
            iceberg_qty=_present(fields.iceberg_qty, Decimal),
        )

    def check_price(self, leg_type: LegType, fields: _LegFields, path: PathKey) -> None:
        if leg_type.needs_price and fields.price is None:
            self.add((*path, "price"), f"required: a {leg_type} leg needs a limit price")
        elif not leg_type.needs_price and fields.price is not None:
            limit_type = f"{leg_type}_LIMIT"
            self.add(
                (*path, "price"),
                f"not allowed on a {leg_type} leg (it executes at market when triggered); "
                f"use {limit_type} for a limit price",
            )

    def check_trigger(self, leg_type: LegType, fields: _LegFields, path: PathKey) -> None:
        if leg_type.needs_trigger and not fields.has_trigger:
            self.add(
                (*path, "stop_price"),
                f"required: a {leg_type} leg needs stop_price or trailing_delta",
            )
        if not leg_type.needs_trigger:
            for key in _TRIGGER_FIELDS:
                if getattr(fields, key) is not None:
                    self.add((*path, key), f"not allowed on a {leg_type} leg (it has no trigger)")

    def check_time_in_force(
        self, leg_type: LegType, fields: _LegFields, path: PathKey
    ) -> TimeInForce | None:
        time_in_force = _present(fields.time_in_force, TimeInForce)
        if leg_type.needs_time_in_force:
            return time_in_force or TimeInForce.GTC
        if time_in_force is not None:
            self.add(
                (*path, "time_in_force"),
                f"not allowed on a {leg_type} leg "
                "(only TAKE_PROFIT_LIMIT and STOP_LOSS_LIMIT take one)",
            )
        return None

    def check_iceberg(
        self,
        leg_type: LegType,
        time_in_force: TimeInForce | None,
        fields: _LegFields,
        path: PathKey,
    ) -> None:
        """Iceberg: LIMIT_MAKER legs, or limit legs with GTC (rest-api.md "New Order list - OCO
        (TRADE)", -1160)."""
        if fields.iceberg_qty is None:
            return
        if leg_type is LegType.LIMIT_MAKER or time_in_force is TimeInForce.GTC:
            return
        if leg_type.needs_time_in_force:
            self.add(
                (*path, "iceberg_qty"), f"needs time_in_force GTC (this leg is {time_in_force})"
            )
        else:
            self.add(
                (*path, "iceberg_qty"),
                f"not allowed on a {leg_type} leg (a market order when triggered)",
            )

    def check_order(
        self, side: Side, take_profit: Leg, stop_loss: Leg, path: PathKey, keys: tuple[str, str]
    ) -> None:
        """Binance's price relationship (rest-api.md "New Order list - OCO (TRADE)"): SELL
        take-profit > last > stop;
        BUY take-profit < last < stop. TAKE_PROFIT compares its stop price, LIMIT_MAKER and
        TAKE_PROFIT_LIMIT their limit price; stops compare their stop price."""
        tp_key = "stop_price" if take_profit.type is LegType.TAKE_PROFIT else "price"
        tp_price: Decimal | None = getattr(take_profit, tp_key)
        sl_price = stop_loss.stop_price
        if tp_price is None or sl_price is None:
            return  # a trailing-only leg has no fixed price to compare
        if (tp_price > sl_price) if side is Side.SELL else (tp_price < sl_price):
            return
        direction = "above" if side is Side.SELL else "below"
        self.add(
            (*path, keys[0], tp_key),
            f"{to_wire(tp_price)} must be {direction} {keys[1]}.stop_price {to_wire(sl_price)}: "
            f"a {side} OCO takes profit {direction} the market and stops on the other side "
            "(legs swapped?)",
        )


@dataclass(frozen=True)
class _Role:
    """What a leg is for, hence which types it may have (rest-api.md "New Order list - OCO (TRADE)"
    placement table)."""

    described: str
    allowed: frozenset[LegType]
    both_limit_maker: bool = False
    swap_hint: bool = False

    def refusal(self, leg_type: LegType) -> str:
        hint = ""
        if self.both_limit_maker:
            hint = " (both legs are LIMIT_MAKER: at least one OCO order must be contingent)"
        elif self.swap_hint:
            hint = " (above and below swapped?)"
        names = ", ".join(sorted(self.allowed))
        return f"{self.described} must be one of {names}, not {leg_type}{hint}"


def _both_limit_maker(raw: dict[str, object], keys: tuple[str, str]) -> bool:
    legs = [raw.get(key) for key in keys]
    types = [leg.get("type") if isinstance(leg, dict) else None for leg in legs]
    return types == [LegType.LIMIT_MAKER.value, LegType.LIMIT_MAKER.value]


def _enum(value: object, kind: type[_E]) -> _E | _Invalid | None:
    if value is None:
        return None
    if isinstance(value, str) and value in kind.__members__:
        return kind(value)
    return INVALID


def _positive_int(value: object) -> int | _Invalid | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return int(value)
    return INVALID


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _present(value: object, kind: type[_T]) -> _T | None:
    return value if isinstance(value, kind) else None


# --- files -> brackets ---------------------------------------------------------------------------


def _bracket_describe(document: Document) -> Describe:
    data = document.data
    items = data.get("brackets") if isinstance(data, dict) else None
    names = {}
    if isinstance(items, list):
        for i, item in enumerate(items):
            name = item.get("name") if isinstance(item, dict) else None
            if isinstance(name, str) and name:
                names[i] = name if len(name) <= 60 else name[:57] + "..."

    def describe(path: PathKey) -> tuple[str | None, str | None]:
        if (
            len(path) >= 2
            and path[0] == "brackets"
            and isinstance(path[1], int)
            and path[1] in names
        ):
            return names[path[1]], format_path(path[2:]) or None
        return None, format_path(path) or None

    return describe


@dataclass(frozen=True)
class _FileResult:
    brackets: tuple[Bracket, ...]
    problems: tuple[Problem, ...]
    names: tuple[tuple[str, int | None], ...]  # every readable name, for the uniqueness check


def _read_bracket_file(path: Path, settings: Settings) -> _FileResult:
    try:
        document = read_document(path)
    except InputError as error:
        return _FileResult((), error.problems, ())
    if document.empty:
        message = "empty file: expected a mapping with a 'brackets' list"
        return _FileResult((), (Problem(document.file, message),), ())
    if not isinstance(document.data, dict) and not document.blocked(()):
        got = _kind(document.data)
        document.issues.append(Issue((), f"expected a mapping with a 'brackets' list, found {got}"))
        return _FileResult((), tuple(to_problems(document, document.issues)), ())
    issues = list(document.issues) + check_schema(
        document, "brackets", semantic_defs=_SEMANTIC_DEFS
    )
    reader = _BracketReader(document, settings)
    built = reader.brackets()
    problems = to_problems(document, issues + reader.issues, _bracket_describe(document))
    return _FileResult(
        tuple(bracket for bracket in built if bracket is not None),
        tuple(problems),
        _names(document),
    )


def _names(document: Document) -> tuple[tuple[str, int | None], ...]:
    data = document.data
    items = data.get("brackets") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return ()
    found = []
    for i, item in enumerate(items):
        name = item.get("name") if isinstance(item, dict) else None
        if isinstance(name, str):
            found.append((name, document.line_of(("brackets", i, "name"))))
    return tuple(found)


def _duplicate_problems(results: Sequence[tuple[str, _FileResult]]) -> dict[str, list[Problem]]:
    """Names are identities: each repeat is reported where it is, naming the first definition."""
    first: dict[str, tuple[str, int | None]] = {}
    found: dict[str, list[Problem]] = {}
    for file, result in results:
        for name, line in result.names:
            if name not in first:
                first[name] = (file, line)
                continue
            where = (
                first[name][0] if first[name][1] is None else f"{first[name][0]}:{first[name][1]}"
            )
            message = (
                f"duplicate name: already defined at {where} "
                "(names must be unique across all files)"
            )
            found.setdefault(file, []).append(
                Problem(file, message, line=line, bracket=name, field="name")
            )
    return found


def _adopt_problems(brackets: Sequence[Bracket]) -> list[Problem]:
    """One live list stands for at most one bracket."""
    first: dict[str, Bracket] = {}
    problems = []
    for bracket in brackets:
        if bracket.adopt is None:
            continue
        if bracket.adopt not in first:
            first[bracket.adopt] = bracket
            continue
        source = bracket.source or SourceLocation("?")
        message = (
            f"list {bracket.adopt!r} is already adopted by bracket '{first[bracket.adopt].name}'"
        )
        problems.append(
            Problem(source.file, message, line=source.line, bracket=bracket.name, field="adopt")
        )
    return problems


def _read_brackets(
    files: Sequence[Path], settings: Settings
) -> tuple[tuple[Bracket, ...], list[Problem]]:
    results = [(str(path), _read_bracket_file(path, settings)) for path in files]
    duplicates = _duplicate_problems(results)
    problems: list[Problem] = []
    for file, result in results:
        extra = duplicates.get(file, [])
        problems.extend(
            sorted([*result.problems, *extra], key=lambda p: (p.line or 0, p.field or ""))
        )
    brackets = tuple(bracket for _, result in results for bracket in result.brackets)
    problems.extend(_adopt_problems(brackets))
    if not problems and sum(len(result.names) for _, result in results) != len(brackets):
        raise BugError("a bracket was dropped without a reported problem")
    return brackets, problems


def _expand(paths: Sequence[Path]) -> tuple[Path, ...]:
    """Bracket files from files and directories (recursively ``*.yaml``/``*.yml``, sorted, hidden
    files and directories and settings files skipped), each file once."""
    files: dict[Path, Path] = {}
    for path in paths:
        for file in _walk(path) if path.is_dir() else [path]:
            files.setdefault(file.resolve(), file)
    return tuple(files.values())


def _walk(directory: Path) -> Iterator[Path]:
    for file in sorted(directory.rglob("*")):
        parts = file.relative_to(directory).parts
        if any(part.startswith(".") for part in parts) or file.name in SETTINGS_FILE_NAMES:
            continue
        if file.suffix in BRACKET_SUFFIXES and file.is_file():
            yield file


# --- public API ----------------------------------------------------------------------------------


def load_brackets(paths: Sequence[Path], settings: Settings) -> tuple[Bracket, ...]:
    """Every bracket in ``paths`` (files or directories); raises :class:`InputError` carrying every
    problem in every file."""
    missing = [
        Problem(str(path), "no such file or directory") for path in paths if not path.exists()
    ]
    brackets, problems = _read_brackets(
        _expand([path for path in paths if path.exists()]), settings
    )
    if missing or problems:
        raise InputError(missing + problems)
    return brackets


def _resolve(paths: Sequence[Path]) -> tuple[Path | None, tuple[Path, ...], list[Problem]]:
    settings: Path | None = None
    brackets: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        is_settings = path.name in SETTINGS_FILE_NAMES and not path.is_dir()
        if not path.exists():
            problems.append(Problem(str(path), "no such file or directory"))
        elif is_settings and settings is not None and settings.resolve() != path.resolve():
            problems.append(
                Problem(str(path), f"a second settings file (already using {settings})")
            )
        elif is_settings:
            settings = path
        else:
            brackets.append(path)
    gave_brackets = any(not (p.name in SETTINGS_FILE_NAMES and not p.is_dir()) for p in paths)
    if settings is None:
        settings = settings_file_in(Path())
    if not gave_brackets and Path(DEFAULT_BRACKETS_DIR).is_dir():
        brackets.append(Path(DEFAULT_BRACKETS_DIR))
    return settings, tuple(brackets), problems


def resolve_inputs(paths: Sequence[Path]) -> tuple[Path | None, tuple[Path, ...]]:
    """Split CLI PATH arguments into (settings file, bracket paths). A file named
    ``oco-reconcile.yaml``/``.yml`` is the settings file; defaults (in the current directory) are
    ``oco-reconcile.yaml`` when it exists and ``brackets/`` when no bracket path is given.
    A PATH that does not exist is a problem (:class:`InputError`)."""
    settings, brackets, problems = _resolve(paths)
    if problems:
        raise InputError(problems)
    return settings, brackets


@dataclass(frozen=True)
class LoadedInputs:
    settings: Settings
    settings_file: Path | None
    files: tuple[Path, ...]
    brackets: tuple[Bracket, ...]


def _load(paths: Sequence[Path]) -> LoadedInputs:
    from oco_reconcile.inputs.settings import read_settings

    settings_file, bracket_paths, problems = _resolve(paths)
    settings, settings_problems = read_settings(settings_file)
    files = _expand(bracket_paths)
    brackets, bracket_problems = _read_brackets(files, settings)
    everything = problems + settings_problems + bracket_problems
    if everything:
        raise InputError(everything)
    return LoadedInputs(settings, settings_file, files, brackets)


def load_inputs(paths: Sequence[Path]) -> tuple[Settings, tuple[Bracket, ...]]:
    """Settings and brackets from CLI PATH arguments; every problem of both in one InputError."""
    loaded = _load(paths)
    return loaded.settings, loaded.brackets


def validate_paths(paths: Sequence[Path]) -> str:
    """``validate``: load everything (raising InputError with every problem) and summarise."""
    loaded = _load(paths)
    count, files = len(loaded.brackets), len(loaded.files)
    settings = "defaults" if loaded.settings_file is None else str(loaded.settings_file)
    brackets = f"{count} bracket{'s' if count != 1 else ''}"
    return f"OK: {brackets} in {files} file{'s' if files != 1 else ''} (settings: {settings})"
