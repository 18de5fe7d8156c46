"""``validate`` as a process, as it grows: start-up (3 brackets) and N = 10 ... 10,000 brackets
(100 per file, the friendly-form mix of ``local_bench.write_repository``), each against the
bound of issue 17: 0.25 s of start-up plus 0.25 ms per bracket (1,000 brackets: 0.5 s)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from common import Table, median, ms, ratio, timed, verdict
from local_bench import cli_path, write_repository

START_UP_BOUND_S = 0.25
PER_BRACKET_S = 0.000_25
START_UP_BRACKETS = 3


@dataclass(frozen=True)
class ValidateConfig:
    sizes: tuple[int, ...]
    reps: int


def bound(brackets: int) -> float:
    """The issue's bound for ``validate`` of ``brackets`` brackets, process start-up included."""
    return START_UP_BOUND_S + PER_BRACKET_S * brackets


def _validate(root: Path) -> float:
    # As installed: byte code cached (a PYTHONDONTWRITEBYTECODE=1 shell recompiles every module).
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    seconds, done = timed(
        lambda: subprocess.run(
            [cli_path(), "validate"], cwd=root, env=env, capture_output=True, text=True, check=False
        )
    )
    if done.returncode != 0 or not done.stdout.startswith("OK: "):
        raise AssertionError(f"validate failed in {root}: {done.stderr[-500:]}")
    return seconds


def _median_run(root: Path, reps: int) -> float:
    _validate(root)  # warm the file and byte-code caches once
    return median([_validate(root) for _ in range(reps)])


def run_section(config: ValidateConfig) -> list[Table]:
    table = Table(
        "validate as a process, growth curve",
        ["brackets", "files", "median", "bound", "ratio", "verdict"],
    )
    with tempfile.TemporaryDirectory(prefix="ocr-validate-") as temporary:
        for count in (START_UP_BRACKETS, *config.sizes):
            root = Path(temporary) / f"n{count}"
            root.mkdir()
            write_repository(root, count)
            seconds = _median_run(root, config.reps)
            limit = START_UP_BOUND_S if count == START_UP_BRACKETS else bound(count)
            files = len(list((root / "brackets").glob("*.yaml")))
            name = f"{count:,} (start-up)" if count == START_UP_BRACKETS else f"{count:,}"
            table.add(
                name, files, ms(seconds), ms(limit), ratio(seconds / limit), verdict(seconds, limit)
            )
    table.notes += [
        f"`oco-reconcile validate` in the repository's directory (oco-reconcile.yaml + brackets/),"
        f" median of {config.reps} runs after one warm-up; process start-up included; byte code"
        " cached (PYTHONDONTWRITEBYTECODE unset for these runs).",
        f"bound = {START_UP_BOUND_S} s + {PER_BRACKET_S * 1000:g} ms x brackets "
        f"(start-up row: {START_UP_BOUND_S} s).",
    ]
    return [table]
