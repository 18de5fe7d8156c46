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

from oco_reconcile.core.plan import Plan
from oco_reconcile.errors import InputError, OcoReconcileError
from oco_reconcile.inputs.settings import NAMED_EXCHANGES, settings_file_in
from oco_reconcile.planfile.store import load_plan
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


# Plan notice kinds drift.yml flags: trading happened since the last run (not drift, but a
# reviewer must see it: a fired bracket is never re-placed, a partly fired one still works).
FIRED_KINDS = {"fired": "fired", "partly_fired": "partly fired"}


def fired_annotations(plan: Plan, account: str) -> list[str]:
    """GitHub ``::warning::`` lines for the fired and partly fired brackets of a plan."""
    lines = []
    for kind, label in FIRED_KINDS.items():
        addresses = [n.address for n in plan.notices if n.kind.value == kind]
        if addresses:
            count = f"{len(addresses)} bracket{'s' if len(addresses) != 1 else ''}"
            lines.append(f"::warning::{count} {label} in {account}: {', '.join(addresses)}")
    return lines


def _fired(args: list[str]) -> int:
    plan = load_plan(Path(args[0])).plan
    account = args[1] if len(args) > 1 else "."
    for line in fired_annotations(plan, account):
        sys.stdout.write(line + "\n")
    return 0


USAGE = (
    "usage: python -m oco_reconcile.commands.ci accounts [ROOT]\n"
    "       python -m oco_reconcile.commands.ci fired PLAN_FILE [ACCOUNT]\n"
)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["accounts"]:
        return _accounts(Path(args[1]) if len(args) > 1 else Path())
    if args[:1] == ["fired"] and len(args) > 1:
        try:
            return _fired(args[1:])
        except OcoReconcileError as error:
            sys.stderr.write(f"Error: {error}\n")
            return error.exit_code
    sys.stderr.write(USAGE)
    return 1


def _accounts(root: Path) -> int:
    try:
        matrix = matrix_json(root)
    except InputError as error:  # an account's settings file: the same lines `validate` prints
        sys.stderr.write("".join(f"{problem}\n" for problem in error.problems))
        return 1
    sys.stdout.write(matrix + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
