"""Saved plans (``plan --out``): the versioned document round-trips exactly through a file and
carries the two fingerprints; anything else in the file is a usage error naming it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oco_reconcile.errors import UsageError
from oco_reconcile.planfile import store
from oco_reconcile.planfile.codec import FORMAT_VERSION, Fingerprints
from oco_reconcile.planfile.store import load_plan, save_plan
from tests.unit.render.test_render import error_plan, mixed_plan, quiet_plan

PRINTS = Fingerprints("sha256:" + "1" * 64, "sha256:" + "2" * 64)


@pytest.mark.parametrize("make", [mixed_plan, error_plan, quiet_plan])
def test_round_trip_is_exact(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    plan = make()
    path = tmp_path / "plan.json"

    save_plan(plan, path, PRINTS)
    saved = load_plan(path)

    assert saved.plan == plan
    assert saved.fingerprints == PRINTS
    assert saved.format_version == FORMAT_VERSION


def test_decimals_are_strings_and_the_document_is_versioned(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    save_plan(mixed_plan(), path, PRINTS)

    document = json.loads(path.read_text())

    assert document["format_version"] == 3
    assert document["kind"] == "oco-reconcile-plan"
    placed = next(c for c in document["changes"] if c["action"] == "create")["place"]
    assert placed["quantity"] == "0.01"
    assert placed["above"]["price"] == "110000"
    assert all(isinstance(n, int) for n in _numbers(document))  # ids, counts, times only


def _numbers(value: object) -> list[object]:
    """Every JSON number in the document (none may be a price or quantity)."""
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return [value] if isinstance(value, (int, float)) and not isinstance(value, bool) else []


def test_no_float_ever_appears(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    save_plan(mixed_plan(), path, PRINTS)

    assert not any(isinstance(n, float) for n in _numbers(json.loads(path.read_text())))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "invalid JSON"),
        ('{"kind": "something-else"}', "not an oco-reconcile plan"),
        ('{"kind": "oco-reconcile-plan", "format_version": 99}', "unsupported plan format_version"),
        (
            '{"kind": "oco-reconcile-plan", "format_version": 3, "fingerprints": null}',
            "carries no fingerprints",
        ),
        (
            '{"kind": "oco-reconcile-plan", "format_version": 3, '
            '"fingerprints": {"live": "a", "desired": "b"}, "changes": [{"action": "x"}]}',
            "malformed",
        ),
    ],
)
def test_bad_files_are_usage_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(content)

    with pytest.raises(UsageError, match=message):
        load_plan(path)


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read the saved plan"):
        load_plan(tmp_path / "nope.json")


def test_a_file_over_the_size_bound_is_refused_unparsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "plan.json"
    save_plan(mixed_plan(), path, PRINTS)
    monkeypatch.setattr(store, "MAX_PLAN_BYTES", path.stat().st_size - 1)

    with pytest.raises(UsageError, match=r"plan\.json is not a saved plan \(larger than"):
        load_plan(path)


def test_a_file_at_the_size_bound_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "plan.json"
    save_plan(mixed_plan(), path, PRINTS)
    monkeypatch.setattr(store, "MAX_PLAN_BYTES", path.stat().st_size)

    assert load_plan(path).plan == mixed_plan()


def test_a_binary_file_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(b"\xff\xfe\x00garbage")

    with pytest.raises(UsageError, match="not UTF-8 text"):
        load_plan(path)
