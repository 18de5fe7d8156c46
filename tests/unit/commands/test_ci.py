"""The CI account matrix: which directories are accounts, and the GitHub environment of each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oco_reconcile.commands import ci
from oco_reconcile.core.plan import NoticeKind, Plan
from oco_reconcile.planfile.codec import Fingerprints
from oco_reconcile.planfile.store import load_plan, save_plan
from tests.unit.render.test_render import mixed_plan


def _account(directory: Path, exchange: str, file_name: str = "oco-reconcile.yaml") -> None:
    directory.mkdir(parents=True, exist_ok=True)
    text = f"exchange: {exchange}\nconfirm_production: true\n"
    (directory / file_name).write_text(text, encoding="utf-8")


def test_a_yml_settings_file_makes_an_account(tmp_path: Path) -> None:
    _account(tmp_path / "accounts" / "desk", "testnet", file_name="oco-reconcile.yml")
    assert json.loads(ci.matrix_json(tmp_path))["include"] == [
        {"account": "accounts/desk", "environment": "testnet", "slug": "accounts-desk"}
    ]


@pytest.mark.parametrize(
    ("exchange", "environment"),
    [
        ("production", "production"),
        ("https://api.binance.com", "production"),
        ("https://API1.binance.com:443", "production"),
        ("https://demo-api.binance.com", "custom"),
        ("http://127.0.0.1:8765", "custom"),
    ],
)
def test_a_production_host_maps_to_the_production_environment(
    tmp_path: Path, exchange: str, environment: str
) -> None:
    _account(tmp_path, exchange)
    assert json.loads(ci.matrix_json(tmp_path))["include"] == [
        {"account": ".", "environment": environment, "slug": "root"}
    ]


def test_fired_brackets_become_warnings_for_the_drift_job(tmp_path: Path) -> None:
    plan = mixed_plan()
    fired = [n.address for n in plan.notices if n.kind is NoticeKind.FIRED]
    assert fired, "the example plan has a fired bracket"
    path = tmp_path / "drift-plan.json"
    save_plan(plan, path, Fingerprints(live="sha256:l", desired="sha256:d"))
    lines = ci.fired_annotations(load_plan(path).plan, "accounts/desk")
    assert lines == [f"::warning::1 bracket fired in accounts/desk: {fired[0]}"]


def test_a_plan_without_fired_brackets_gives_no_warning() -> None:
    assert ci.fired_annotations(Plan(changes=()), ".") == []


def test_fired_on_a_missing_plan_file_is_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ci.main(["fired", str(tmp_path / "missing.json")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: cannot read the saved plan")
    assert err.count("\n") == 1


def test_a_broken_settings_file_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "accounts" / "desk").mkdir(parents=True)
    (tmp_path / "accounts" / "desk" / "oco-reconcile.yaml").symlink_to(tmp_path / "gone.yaml")
    assert ci.main(["accounts", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "oco-reconcile.yaml: cannot read: a dangling symbolic link" in err
    assert "Traceback" not in err
