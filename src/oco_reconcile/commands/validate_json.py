"""``validate --format json``: one JSON document on stdout, valid or not (docs/file-formats.md
"validate --format json"); the exit code is validate's own: 0 valid, 1 problems."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import typer

from oco_reconcile.errors import EXIT_ERROR, EXIT_OK


def run_validate_json(paths: Sequence[Path]) -> int:
    from oco_reconcile.inputs.desired import validate_json

    document, valid = validate_json(paths)
    typer.echo(json.dumps(document, indent=2))
    return EXIT_OK if valid else EXIT_ERROR
