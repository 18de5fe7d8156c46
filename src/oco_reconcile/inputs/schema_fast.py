"""A fast yes/no answer to "is this document valid against the schema?", jsonschema only on a no.

Nearly every document a user validates is valid, and jsonschema spends most of ``validate``'s
time (and ~60 ms of start-up importing itself) proving it. :func:`compile_decider` turns a
compiled schema (``inputs/schema.compiled_schema``) into nested closures that answer only
valid/invalid, with Draft 2020-12's meaning of each keyword as jsonschema implements it.
``check_schema`` asks jsonschema for the errors only when the answer is "invalid", so every
message and path still comes from one place.

Safety rule: a ``True`` must mean jsonschema finds no error. The compiler refuses a keyword it does
not know (:class:`UnsupportedSchemaError`; the caller then always asks jsonschema), and a value of
a kind no keyword expects (an unreadable scalar) fails ``type``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from numbers import Number

Decider = Callable[[object], bool]

_ANNOTATIONS = frozenset(
    {"$schema", "$defs", "$comment", "title", "description", "default", "examples", "errorMessage"}
)


class UnsupportedSchemaError(Exception):
    """The schema uses a keyword this decider does not implement."""


def compile_decider(schema: object) -> Decider:
    """A function answering whether an instance is valid against ``schema``."""
    if schema is True:
        return _always
    if schema is False:
        return _never
    if not isinstance(schema, dict):
        raise UnsupportedSchemaError(f"schema node {schema!r}")
    unknown = set(schema) - _ANNOTATIONS - set(_KEYWORDS) - {"then", "else"}
    if unknown:
        raise UnsupportedSchemaError(", ".join(sorted(unknown)))
    checks = [_KEYWORDS[key](schema[key], schema) for key in schema if key in _KEYWORDS]
    return _all_of(checks)


def _always(instance: object) -> bool:
    return True


def _never(instance: object) -> bool:
    return False


def _all_of(checks: Sequence[Decider]) -> Decider:
    if len(checks) == 1:
        return checks[0]
    return lambda instance: all(check(instance) for check in checks)


# --- types and values (jsonschema's TypeChecker and _utils.equal) --------------------------------


_KINDS: dict[str, type] = {
    "string": str,
    "boolean": bool,
    "object": dict,
    "array": list,
    "null": type(None),
}


def is_type(instance: object, name: str) -> bool:
    if name == "integer":
        return (isinstance(instance, int) and not isinstance(instance, bool)) or (
            isinstance(instance, float) and instance.is_integer()
        )
    if name == "number":
        return isinstance(instance, Number) and not isinstance(instance, bool)
    return name in _KINDS and isinstance(instance, _KINDS[name])


def equal(one: object, two: object) -> bool:
    """JSON equality: ``True`` is not ``1``, lists and mappings compare item by item."""
    if isinstance(one, str) or isinstance(two, str):
        return one == two
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, dict) and isinstance(two, dict):
        return one.keys() == two.keys() and all(equal(one[key], two[key]) for key in one)
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one is two
    return one == two


def _type(value: object, schema: dict[str, object]) -> Decider:
    names = [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    return lambda instance: any(is_type(instance, str(name)) for name in names)


def _enum(value: object, schema: dict[str, object]) -> Decider:
    options = list(value)  # type: ignore[call-overload]
    return lambda instance: any(equal(instance, option) for option in options)


def _const(value: object, schema: dict[str, object]) -> Decider:
    return lambda instance: equal(instance, value)


def _pattern(value: object, schema: dict[str, object]) -> Decider:
    search = re.compile(str(value)).search
    return lambda instance: not isinstance(instance, str) or search(instance) is not None


def _min_length(value: object, schema: dict[str, object]) -> Decider:
    return lambda instance: not isinstance(instance, str) or len(instance) >= value  # type: ignore[operator]


def _bound(
    compare: Callable[[object, object], bool],
) -> Callable[[object, dict[str, object]], Decider]:
    def build(value: object, schema: dict[str, object]) -> Decider:
        return lambda instance: not is_type(instance, "number") or compare(instance, value)

    return build


# --- objects -------------------------------------------------------------------------------------


def _required(value: object, schema: dict[str, object]) -> Decider:
    keys = list(value)  # type: ignore[call-overload]
    return lambda instance: not isinstance(instance, dict) or all(key in instance for key in keys)


def _properties(value: object, schema: dict[str, object]) -> Decider:
    deciders = {key: compile_decider(sub) for key, sub in value.items()}  # type: ignore[attr-defined]

    def check(instance: object) -> bool:
        if not isinstance(instance, dict):
            return True
        return all(decide(instance[key]) for key, decide in deciders.items() if key in instance)

    return check


def _pattern_properties(value: object, schema: dict[str, object]) -> Decider:
    rules = [(re.compile(p).search, compile_decider(sub)) for p, sub in value.items()]  # type: ignore[attr-defined]

    def check(instance: object) -> bool:
        if not isinstance(instance, dict):
            return True
        return all(
            decide(item)
            for key, item in instance.items()
            for search, decide in rules
            if search(key)
        )

    return check


def _additional_properties(value: object, schema: dict[str, object]) -> Decider:
    known = set(schema.get("properties", {}))  # type: ignore[call-overload]
    searches = [re.compile(p).search for p in schema.get("patternProperties", {})]  # type: ignore[attr-defined]
    decide = compile_decider(value)

    def check(instance: object) -> bool:
        if not isinstance(instance, dict):
            return True
        extra = (
            v for k, v in instance.items() if k not in known and not any(s(k) for s in searches)
        )
        return all(decide(item) for item in extra)

    return check


# --- arrays --------------------------------------------------------------------------------------


def _items(value: object, schema: dict[str, object]) -> Decider:
    decide = compile_decider(value)
    return lambda instance: not isinstance(instance, list) or all(decide(i) for i in instance)


def _max_items(value: object, schema: dict[str, object]) -> Decider:
    return lambda instance: not isinstance(instance, list) or len(instance) <= value  # type: ignore[operator]


def _min_items(value: object, schema: dict[str, object]) -> Decider:
    return lambda instance: not isinstance(instance, list) or len(instance) >= value  # type: ignore[operator]


def _unique_items(value: object, schema: dict[str, object]) -> Decider:
    def check(instance: object) -> bool:
        if value is not True or not isinstance(instance, list):
            return True
        return not any(equal(a, b) for i, a in enumerate(instance) for b in instance[i + 1 :])

    return check


# --- applicators ---------------------------------------------------------------------------------


def _all(value: object, schema: dict[str, object]) -> Decider:
    return _all_of([compile_decider(sub) for sub in value])  # type: ignore[attr-defined]


def _any(value: object, schema: dict[str, object]) -> Decider:
    deciders = [compile_decider(sub) for sub in value]  # type: ignore[attr-defined]
    return lambda instance: any(decide(instance) for decide in deciders)


def _one(value: object, schema: dict[str, object]) -> Decider:
    deciders = [compile_decider(sub) for sub in value]  # type: ignore[attr-defined]
    return lambda instance: sum(1 for decide in deciders if decide(instance)) == 1


def _not(value: object, schema: dict[str, object]) -> Decider:
    decide = compile_decider(value)
    return lambda instance: not decide(instance)


def _if(value: object, schema: dict[str, object]) -> Decider:
    condition = compile_decider(value)
    then = compile_decider(schema.get("then", True))
    otherwise = compile_decider(schema.get("else", True))
    return lambda instance: then(instance) if condition(instance) else otherwise(instance)


_KEYWORDS: dict[str, Callable[[object, dict[str, object]], Decider]] = {
    "type": _type,
    "enum": _enum,
    "const": _const,
    "pattern": _pattern,
    "minLength": _min_length,
    "minimum": _bound(lambda a, b: a >= b),  # type: ignore[operator]
    "maximum": _bound(lambda a, b: a <= b),  # type: ignore[operator]
    "exclusiveMinimum": _bound(lambda a, b: a > b),  # type: ignore[operator]
    "required": _required,
    "properties": _properties,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
    "items": _items,
    "maxItems": _max_items,
    "minItems": _min_items,
    "uniqueItems": _unique_items,
    "allOf": _all,
    "anyOf": _any,
    "oneOf": _one,
    "not": _not,
    "if": _if,
}
