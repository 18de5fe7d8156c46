"""Helpers for the GitHub workflows: which account directories exist, and where each applies.

``python -m oco_reconcile.commands.ci accounts`` prints the matrix the workflows fan out over: every
directory holding a settings file (the repository root and ``accounts/<name>/``), with
the GitHub ``environment`` its exchange maps to (``production`` accounts can then require
reviewers). Kept here, not in shell, so the logic is tested.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from oco_reconcile.errors import InputError
from oco_reconcile.inputs.settings import NAMED_EXCHANGES, settings_file_in
from oco_reconcile.venues.urls import is_production_url

ACCOUNTS_DIR = "accounts"


@dataclass(frozen=True)
class Account:
    account: str  # directory relative to the repository root, "." for the root
    slug: str  # safe for artifact names and comment markers
    environment: str  # GitHub environment: sim / testnet / demo / production / custom


def _exchange_of(settings_file: Path) -> str:
    from oco_reconcile.inputs.settings import load_settings

    return load_settings(settings_file).exchange


def _environment_for(exchange: str) -> str:
    if exchange in NAMED_EXCHANGES:
        return exchange
    return "production" if is_production_url(exchange) else "custom"


def _slug(directory: str) -> str:
    return "root" if directory == "." else directory.replace("/", "-")


def find_accounts(root: Path) -> tuple[Account, ...]:
    """Account directories under ``root``, the root first, then ``accounts/*`` sorted."""
    candidates = [root, *sorted(p for p in (root / ACCOUNTS_DIR).glob("*") if p.is_dir())]
    accounts = []
    for directory in candidates:
        settings_file = settings_file_in(directory)
        if settings_file is None:
            continue
        relative = directory.relative_to(root).as_posix()
        accounts.append(
            Account(relative, _slug(relative), _environment_for(_exchange_of(settings_file)))
        )
    return tuple(accounts)


def matrix_json(root: Path) -> str:
    """The ``strategy.matrix`` value: ``{"include": [...]}`` (GitHub rejects an empty matrix)."""
    return json.dumps({"include": [asdict(a) for a in find_accounts(root)]}, sort_keys=True)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] != ["accounts"]:
        sys.stderr.write("usage: python -m oco_reconcile.commands.ci accounts [ROOT]\n")
        return 1
    root = Path(args[1]) if len(args) > 1 else Path()
    try:
        matrix = matrix_json(root)
    except InputError as error:  # an account's settings file: the same lines `validate` prints
        sys.stderr.write("".join(f"{problem}\n" for problem in error.problems))
        return 1
    sys.stdout.write(matrix + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
