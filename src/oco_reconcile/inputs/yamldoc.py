"""Bounded, safe YAML: one file's bytes -> a :class:`~oco_reconcile.inputs.document.Document`.

Bytes are size-capped and decoded as strict UTF-8. PyYAML's *safe* machinery only composes nodes
(it never constructs objects, so no tag can run code); the nodes are converted to plain values
here, keeping a path -> line map. Numbers keep the text they were written with, so ``0.1``
becomes ``Decimal("0.1")`` and never passes through ``float``.

Anchors and aliases are allowed, but every value produced counts against a budget
(:data:`MAX_VALUES`, aliases included) and nesting is capped: an alias bomb ("billion laughs")
fails fast with bounded memory instead of expanding.

libyaml (``yaml.CSafeLoader``, shipped by PyYAML) scans and parses; the nodes are composed by
PyYAML's Python composer over libyaml's events, so the node and depth caps see every node before
it is built (libyaml's own composer would recurse without a bound). Without libyaml the
pure-Python loader does all of it, with the same caps and messages.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from yaml.composer import Composer

from oco_reconcile.errors import InputError, Problem
from oco_reconcile.files import FileReadError, read_bounded
from oco_reconcile.inputs.document import (
    INVALID,
    NON_FINITE_RE,
    Document,
    Invalid,
    Issue,
    OddScalar,
    PathKey,
    YamlInt,
)

MAX_FILE_BYTES = 1024 * 1024
MAX_VALUES = 50_000  # per document, counting every value an alias expands to
MAX_DEPTH = 40
MAX_INT_LITERAL = 24

_TAG = "tag:yaml.org,2002:"
_PLAIN_NUMBER_RE = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")
_MULTI_DOCUMENT = "more than one YAML document ('---'): keep everything in one"
_TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"
# libyaml's scanner stops at 1,000 flow levels before the composer sees the 41st: same message.
_LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"
_BOOLEANS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}


class _LimitExceededError(Exception):
    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = None if mark is None else mark.line + 1


if TYPE_CHECKING:
    _SafeLoader = yaml.SafeLoader
else:  # libyaml's parser when PyYAML was built with it
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _BoundedLoader(_SafeLoader):
    """A safe loader used for composition only, with caps on node count and nesting depth."""

    # The Python composer, also over libyaml's events: every node passes compose_node below.
    check_node = Composer.check_node
    get_node = Composer.get_node
    compose_document = Composer.compose_document
    compose_scalar_node = Composer.compose_scalar_node
    compose_sequence_node = Composer.compose_sequence_node
    compose_mapping_node = Composer.compose_mapping_node

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        Composer.__init__(self)  # CSafeLoader does not run it (its composer is in C)
        self._nodes = 0
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _LimitExceededError(_TOO_DEEP, event.start_mark)
            if not isinstance(event, yaml.AliasEvent):
                self._nodes += 1
                if self._nodes > MAX_VALUES:
                    raise _LimitExceededError(f"more than {MAX_VALUES} values", event.start_mark)
            return Composer.compose_node(self, parent, index)
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
        if isinstance(error, yaml.MarkedYAMLError) and error.problem == _LIBYAML_TOO_DEEP:
            line = None if error.problem_mark is None else error.problem_mark.line + 1
            raise _FileError(f"rejected: {_TOO_DEEP}", line) from None
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
        return read_bounded(path, MAX_FILE_BYTES)
    except FileReadError as error:
        if error.too_large:
            raise _FileError(f"file is larger than {MAX_FILE_BYTES // 1024} KiB") from None
        raise _FileError(f"cannot read: {error.reason}") from None


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

    def issue(self, path: PathKey, message: str, line: int | None) -> Invalid:
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
    if NON_FINITE_RE.match(text):
        return OddScalar("non-finite number", text)
    return OddScalar("number", text)


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1
