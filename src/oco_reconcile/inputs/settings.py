"""``oco-reconcile.yaml`` + environment -> frozen :class:`Settings`.

The settings file names environment variables; it never holds secret values. Secret values are
read from the environment only when an exchange client is built, and are masked in every ``repr``.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

from oco_reconcile.core.identity import OWNER_RE
from oco_reconcile.core.settings import (
    MAX_PARALLEL_REQUESTS,
    CredentialNames,
    Guardrails,
    Settings,
)
from oco_reconcile.core.usdm.model import Market
from oco_reconcile.errors import InputError, Problem
from oco_reconcile.inputs.amounts import read_amount
from oco_reconcile.inputs.document import Document, Issue, IssueLog, present, to_problems
from oco_reconcile.inputs.schema import check_schema
from oco_reconcile.inputs.yamldoc import read_document
from oco_reconcile.venues.urls import NAMED_BASE_URLS, base_url_problem

DEFAULT_SETTINGS_FILE = "oco-reconcile.yaml"
NAMED_EXCHANGES = tuple(NAMED_BASE_URLS)
# The one list of settings file names: validate, plan, apply and the CI account matrix all use it.
SETTINGS_FILE_NAMES = (DEFAULT_SETTINGS_FILE, "oco-reconcile.yml")


def settings_file_in(directory: Path) -> Path | None:
    """The settings file of ``directory`` (the first of :data:`SETTINGS_FILE_NAMES` present).
    Present means any directory entry: a dangling symlink or a FIFO there is an error when read,
    never a silent "defaults"."""
    return next(
        (directory / name for name in SETTINGS_FILE_NAMES if os.path.lexists(directory / name)),
        None,
    )


# --- loading oco-reconcile.yaml ------------------------------------------------------------------

SETTINGS_SCHEMA = "config"
_SECRET_ROOTS = frozenset({"credentials", "exchange"})
_ENV_NAME_RE = re.compile(r"^[A-Z_][A-Z0-9_]{0,63}$")


def load_settings(path: Path | None) -> Settings:
    """Settings from ``path`` (schema-validated; every problem in one :class:`InputError`).

    ``None`` means ``oco-reconcile.yaml`` in the current directory; when that default file does not
    exist the defaults apply (exchange ``sim``). A path given explicitly must exist."""
    settings, problems = read_settings(path)
    if problems:
        raise InputError(problems)
    return settings


def read_settings(path: Path | None) -> tuple[Settings, list[Problem]]:
    """Best-effort settings plus every problem: a field with a problem keeps its default, so the
    bracket checks that depend on settings (``owner``) still run in the same ``validate``."""
    default = Path(DEFAULT_SETTINGS_FILE)
    if path is None or (path == default and not os.path.lexists(path)):
        if not os.path.lexists(default):
            return Settings(), []
        path = default
    if not os.path.lexists(path):
        return Settings(), [Problem(str(path), "no such file")]
    try:
        document = read_document(path)
    except InputError as error:
        return Settings(source=path), list(error.problems)
    if document.empty:
        return Settings(source=path), []  # a settings file with only comments: all defaults
    return _settings_from_document(document, path)


def _settings_from_document(document: Document, path: Path) -> tuple[Settings, list[Problem]]:
    if not isinstance(document.data, dict):
        if not document.blocked(()):
            document.issues.append(Issue((), "expected a mapping of settings"))
        return Settings(source=path), to_problems(document, document.issues)
    issues = list(document.issues)
    issues += check_schema(
        document, SETTINGS_SCHEMA, semantic_defs=("decimal",), quiet_roots=_SECRET_ROOTS
    )
    builder = _SettingsBuilder(document)
    settings = builder.build(document.data, path)
    return settings, to_problems(document, issues + builder.log.issues)


class _SettingsBuilder:
    """Settings values from a schema-checked mapping. The schema reports structural problems;
    fields it rejected keep their defaults here. This adds what the schema cannot say: exact
    decimals, base URL safety, production confirmation."""

    def __init__(self, document: Document) -> None:
        self.log = IssueLog(document)

    def build(self, data: dict[str, object], path: Path) -> Settings:
        defaults = Settings()
        exchange = self.exchange(data.get("exchange", defaults.exchange))
        confirm = _flag(data, "confirm_production", defaults.confirm_production)
        if exchange == "production" and not confirm:
            self.log.add(
                ("exchange",),
                "production trades real money: set confirm_production: true to allow it",
            )
        return Settings(
            exchange=exchange,
            owner=_owner(data.get("owner"), defaults.owner),
            prune=_flag(data, "prune", defaults.prune),
            allow_empty=_flag(data, "allow_empty", defaults.allow_empty),
            confirm_production=confirm,
            recv_window_ms=_bounded(data.get("recv_window"), 1, 60000, defaults.recv_window_ms),
            credentials=_credentials(data.get("credentials")),
            guardrails=self.guardrails(data.get("guardrails")),
            sim_state=_text(data.get("sim_state"), defaults.sim_state),
            max_parallel_symbols=_bounded(
                data.get("max_parallel_symbols"), 1, 32, defaults.max_parallel_symbols
            ),
            max_parallel_requests=_bounded(
                data.get("max_parallel_requests"),
                1,
                MAX_PARALLEL_REQUESTS,
                defaults.max_parallel_requests,
            ),
            markets=_markets(data.get("markets")),
            source=path,
        )

    def exchange(self, value: object) -> str:
        if not isinstance(value, str):
            return "sim"
        if value in NAMED_EXCHANGES:
            return value
        if not value.startswith(("http://", "https://")):
            return "sim"  # the schema reports it
        problem = base_url_problem(value)
        if problem is not None:
            self.log.add(("exchange",), problem)
            return "sim"
        return value

    def guardrails(self, value: object) -> Guardrails:
        if not isinstance(value, dict):
            return Guardrails()
        amounts = {
            key: present(read_amount(self.log, value, ("guardrails",), key), Decimal)
            for key in ("max_notional", "max_total_notional", "max_distance_pct")
        }
        symbols = value.get("symbols")
        valid_symbols = (
            frozenset(symbols)
            if isinstance(symbols, list) and symbols and all(isinstance(s, str) for s in symbols)
            else None
        )
        return Guardrails(symbols=valid_symbols, **amounts)


def _markets(value: object) -> frozenset[Market] | None:
    """The venues listed (Spot always among them); None when omitted or invalid (the schema
    reports an invalid list)."""
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(item, str) and item in Market._value2member_map_ for item in value):
        return None
    return frozenset({Market.SPOT, *(Market(item) for item in value)})


def _flag(data: dict[str, object], key: str, default: bool) -> bool:
    value = data.get(key, default)
    return value if isinstance(value, bool) else default


def _owner(value: object, default: str) -> str:
    return value if isinstance(value, str) and OWNER_RE.match(value) else default


def _bounded(value: object, low: int, high: int, default: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return int(value)
    return default


def _text(value: object, default: str) -> str:
    return value if isinstance(value, str) and value else default


def _credentials(value: object) -> CredentialNames:
    if not isinstance(value, dict):
        return CredentialNames()
    names = {
        key: item
        for key, item in value.items()
        if key in CredentialNames.__dataclass_fields__
        and isinstance(item, str)
        and _ENV_NAME_RE.match(item)
    }
    return CredentialNames(**names)
