"""Command-line values without pydantic: typer coerces every non-flag parameter through a
pydantic ``TypeAdapter`` it builds on first use, and importing pydantic for that is the largest
single cost of starting a command (~100 ms on 2 cores; typer has no setting to avoid it).

Our parameters are plain ``str``, ``Path`` and lists of them; for those, :class:`PlainGroup`
gives each parameter a coercion that does what typer's does without pydantic (paths still pass
typer's own checks, ``coerce_cli_path``). Any other annotation, or a value of an unexpected
type, goes to typer's own coercion. ``tests/unit/commands/test_startup_imports.py`` fails when
a command imports pydantic again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast, get_args, get_origin

from typer._click import Command as ClickCommand
from typer._click import Context
from typer._coercion import RuntimeParam, build_runtime_param  # private: typer >= 0.29
from typer._param_types import coerce_cli_path
from typer.core import TyperArgument, TyperGroup, TyperOption, _TyperParameter

_LEAVES = (str, Path, bool)


def plain_leaf(annotation: object) -> type | None:
    """``str``, ``Path`` or ``bool`` for these and ``list`` of them, else None."""
    if get_origin(annotation) is list:
        (annotation,) = get_args(annotation) or (None,)
    return annotation if isinstance(annotation, type) and annotation in _LEAVES else None


@dataclass(frozen=True)
class _PlainParam(RuntimeParam):
    """Coerces a command-line string (or list of them) to ``str`` or ``Path``; a flag's
    ``bool`` stays itself; anything else is left to typer."""

    leaf: type

    def _coerce_value(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        if isinstance(value, (list, tuple)):
            return [self._one(item, param, ctx) for item in value]
        if get_origin(cast("Any", self.annotation)) is list:  # one value for a list
            return [self._one(value, param, ctx)]
        return self._one(value, param, ctx)

    def _one(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        if not isinstance(value, (bool if self.leaf is bool else (str, Path))):
            descriptor = param.type_descriptor
            return build_runtime_param(descriptor)._coerce_value(value, param=param, ctx=ctx)
        if self.leaf is not Path:
            return value
        return coerce_cli_path(
            Path(str(value)), self.parameter_info, path_type=Path, param=param, ctx=ctx
        )


def use_plain_params(command: object, ctx: Context) -> None:
    """Give every plain parameter of ``command`` (``--help`` included) the pydantic-free
    coercion; idempotent."""
    if not isinstance(command, ClickCommand):
        return
    for param in command.get_params(ctx):
        if not isinstance(param, _TyperParameter) or param._runtime_param is not None:
            continue
        info = param.type_descriptor.parameter_info
        leaf = plain_leaf(param.type_descriptor.annotation)
        if leaf is None or info.parser is not None or getattr(info, "click_type", None):
            continue
        param._runtime_param = _PlainParam(info, param.type_descriptor.annotation, leaf)


# The word an option without a declared metavar shows for its value, by type.
_TYPE_WORDS: dict[type, str] = {str: "TEXT", Path: "PATH", int: "INTEGER", float: "NUMBER"}


class _WordArgument(TyperArgument):
    """An argument as a word: ``SYMBOL`` when required, ``[PATH]...`` when optional and many."""

    def word(self) -> str:
        word = self.metavar or (self.name or "value").upper()
        return word + ("..." if self.nargs != 1 else "")

    def get_usage_pieces(self, ctx: Context) -> list[str]:
        word = self.word()
        if self.required:
            return [word]
        base = word.removesuffix("...")
        return [f"[{base}]" + ("..." if word.endswith("...") else "")]

    def get_help_record(self, ctx: Context) -> tuple[str, str] | None:
        record = super().get_help_record(ctx)
        return None if record is None else (self.word(), record[1])


def _option_word(option: TyperOption) -> str:
    annotation = option.type_descriptor.annotation
    leaf = plain_leaf(annotation) or (annotation if isinstance(annotation, type) else None)
    return _TYPE_WORDS.get(leaf, "VALUE") if leaf is not None else "VALUE"


def use_words(command: object, ctx: Context) -> None:
    """Words instead of Python types in ``command``'s help and usage; idempotent."""
    if not isinstance(command, ClickCommand):
        return
    for param in command.get_params(ctx):
        if isinstance(param, TyperArgument) and not isinstance(param, _WordArgument):
            param.__class__ = _WordArgument  # same fields; only how it is shown changes
        elif isinstance(param, TyperOption) and param.metavar is None and not param.is_flag:
            param.metavar = _option_word(param)


class PlainGroup(TyperGroup):
    """The root group (and ``sim``'s): it and each command it runs get the pydantic-free
    coercion and the help words first."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        use_plain_params(self, ctx)
        use_words(self, ctx)
        return super().parse_args(ctx, args)

    def get_command(self, ctx: Context, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        use_plain_params(command, ctx)
        use_words(command, ctx)
        return command
