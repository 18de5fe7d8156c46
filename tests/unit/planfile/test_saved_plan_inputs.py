"""Every way a saved plan file can be wrong, through ``apply --plan``, and every way ``plan --out``
can fail to write: one line naming the file, exit 1, never a traceback (issue 13, "Inputs")."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_main

Edit = Callable[[dict[str, Any]], object]


def _set(key: str, value: object) -> Edit:
    return lambda document: document.__setitem__(key, value)


def _drop_fingerprint(key: str) -> Edit:
    return lambda document: document["fingerprints"].pop(key)


DOCUMENT_EDITS: dict[str, Edit] = {
    "changes is a number": _set("changes", 5),
    "changes is text": _set("changes", "create everything"),
    "changes is an object": _set("changes", {"action": "create"}),
    "changes is null": _set("changes", None),
    "a change is a number": _set("changes", [1]),
    "notices is an object": _set("notices", {"kind": "x"}),
    "problems is text": _set("problems", "none"),
    "no changes key": lambda document: document.pop("changes"),
    "fingerprints lacks live": _drop_fingerprint("live"),
    "fingerprints lacks desired": _drop_fingerprint("desired"),
    "fingerprints is a list": _set("fingerprints", ["live", "desired"]),
    "fingerprints are numbers": _set("fingerprints", {"live": 1, "desired": 2}),
    "format_version is text": _set("format_version", "1"),
}
RAW_CONTENTS: dict[str, bytes] = {
    "binary": b"\x00\x01\x02\x03\xff\xfe\xfd",
    "binary but UTF-8": b"\x00\x01\x02\x03 plan",
    "empty": b"",
    "a JSON list": b"[]",
    "a huge number": b'{"format_version": 1' + b"0" * 5000 + b"}",
    "deep nesting": b"[" * 100_000,
}


@pytest.fixture
def saved(example_repo: Path) -> Path:
    assert run_main(["plan", "--out", "saved.json"]) == 0
    return example_repo / "saved.json"


def _refused(capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert run_main(["apply", "--plan", "saved.json", "--auto-approve"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    assert err.startswith("Error: ")
    assert "saved.json" in err
    return err


@pytest.mark.parametrize("case", sorted(DOCUMENT_EDITS))
def test_a_saved_plan_of_the_wrong_shape_is_one_line(
    saved: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    document = json.loads(saved.read_text())
    DOCUMENT_EDITS[case](document)
    saved.write_text(json.dumps(document))
    _refused(capsys)


@pytest.mark.parametrize("case", sorted(RAW_CONTENTS))
def test_a_saved_plan_that_is_not_json_is_one_line(
    saved: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    saved.write_bytes(RAW_CONTENTS[case])
    _refused(capsys)


@pytest.mark.timeout(20)
def test_a_saved_plan_that_is_a_fifo_is_one_line(
    saved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved.unlink()
    os.mkfifo(saved)
    assert "not a regular file (a FIFO)" in _refused(capsys)


# --- plan --out --------------------------------------------------------------------------------

OUT_TARGETS = {
    "a missing directory": ("missing/dir/plan.json", "No such file or directory"),
    "a directory": (".", "Is a directory"),
}


@pytest.mark.parametrize("case", sorted(OUT_TARGETS))
def test_plan_out_that_cannot_be_written_is_one_line(
    example_repo: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    target, reason = OUT_TARGETS[case]
    assert run_main(["plan", "--out", target]) == 1
    err = capsys.readouterr().err
    assert err == f"Error: cannot save the plan to {target}: {reason}\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_plan_out_to_a_full_disk_is_one_line(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["plan", "--out", "/dev/full"]) == 1
    err = capsys.readouterr().err
    assert err == "Error: cannot save the plan to /dev/full: No space left on device\n"
    assert Path("/dev/full").is_char_device()  # written to, never replaced
