"""Helpers for the GitHub workflows and the composite action, kept here (not in shell) so the logic
is tested.

``python -m oco_reconcile.commands.ci accounts`` prints the matrix the workflows fan out over: every
directory holding a settings file (the repository root and ``accounts/<name>/``), with
the GitHub ``environment`` its exchange maps to (``production`` accounts can then require
reviewers). ``credentials`` says in one line why a job has no exchange credentials (a fork's pull
request gets no secrets); ``summary`` turns what a command printed into the job summary and
``apply-comment`` turns ``apply --format json`` into the comment on the merged pull request
(:mod:`oco_reconcile.commands.ci_report`).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from oco_reconcile.commands import ci_report
from oco_reconcile.core.plan import Plan
from oco_reconcile.core.settings import Settings
from oco_reconcile.errors import InputError, OcoReconcileError
from oco_reconcile.inputs.settings import NAMED_EXCHANGES, settings_file_in
from oco_reconcile.planfile.store import load_plan
from oco_reconcile.venues.urls import is_loopback_host, is_production_url

ACCOUNTS_DIR = "accounts"


@dataclass(frozen=True)
class Account:
    account: str  # directory relative to the repository root, "." for the root
    slug: str  # safe for artifact names and comment markers
    environment: str  # GitHub environment: sim / testnet / demo / production / custom


def _settings_of(settings_file: Path | None) -> Settings:
    from oco_reconcile.inputs.settings import load_settings

    return load_settings(settings_file)


def _exchange_of(settings_file: Path) -> str:
    return _settings_of(settings_file).exchange


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


def needs_credentials(settings: Settings) -> bool:
    """Whether the account talks to a real exchange (the simulator and loopback need no key)."""
    if settings.exchange == "sim":
        return False
    return not is_loopback_host(urlsplit(settings.exchange).hostname)


def missing_credentials_line(
    settings: Settings, account: str, environ: Mapping[str, str], secrets: list[str]
) -> str | None:
    """The one ``::error::`` line for a job that cannot read the exchange, or None when it can.

    A pull request from a fork runs without the repository's secrets (GitHub's rule, not ours):
    ``OCO_FORK_PULL_REQUEST=true`` says the run is one, so the line names the cause."""
    if not needs_credentials(settings) or environ.get(settings.credentials.api_key_env):
        return None
    if environ.get("OCO_FORK_PULL_REQUEST") == "true":
        return (
            f"::error::No plan for {account}: pull requests from forks get no secrets, so the "
            "exchange cannot be read; a maintainer can push the branch to this repository."
        )
    names = " and ".join(secrets) or settings.credentials.api_key_env
    return (
        f"::error::No exchange credentials for {account}: {settings.credentials.api_key_env} is "
        f"empty; set the secrets {names} (Settings > Secrets and variables > Actions)."
    )


def _credentials(args: list[str]) -> int:
    account = args[0]
    settings = _settings_of(settings_file_in(Path(account)))
    line = missing_credentials_line(settings, account, os.environ, args[1:])
    if line is None:
        return 0
    sys.stdout.write(line + "\n")
    return 1


_PREFIX = "python -m oco_reconcile.commands.ci"
USAGE = (
    f"usage: {_PREFIX} accounts [ROOT]\n"
    f"       {_PREFIX} fired PLAN_FILE [ACCOUNT]\n"
    f"       {_PREFIX} credentials ACCOUNT [SECRET_NAME...]\n"
    f"       {_PREFIX} summary OUTPUT_FILE TITLE [EXIT_CODE [ACCOUNT]]\n"
    f"       {_PREFIX} apply-comment RESULT_FILE ACCOUNT [EXIT_CODE [RUN_URL]]\n"
)

# subcommand -> (handler, least number of arguments after the subcommand)
_FILE_COMMANDS = {
    "fired": (_fired, 1),
    "credentials": (_credentials, 1),
    "summary": (ci_report.summary_command, 2),
    "apply-comment": (ci_report.apply_comment_command, 2),
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["accounts"]:
        return _accounts(Path(args[1]) if len(args) > 1 else Path())
    handler, least = _FILE_COMMANDS.get(args[0] if args else "", (None, 0))
    if handler is not None and len(args) > least:
        try:
            return handler(args[1:])
        except InputError as error:
            sys.stderr.write("".join(f"{problem}\n" for problem in error.problems))
            return error.exit_code
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
