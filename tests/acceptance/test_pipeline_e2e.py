"""The GitOps pipeline, locally: exactly the commands plan.yml, apply.yml and drift.yml run, in
their order, for two accounts, against the built-in simulator (one state file per account)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from oco_reconcile.commands import ci
from tests.support.paths import REPO_ROOT

ROOT = REPO_ROOT
WORKFLOWS = ROOT / ".github" / "workflows"
OCO = str(Path(sys.executable).parent / "oco-reconcile")

BRACKETS = {
    "desk-a": """\
brackets:
  - name: btc-exit
    symbol: BTCUSDT
    side: SELL
    quantity: "0.01"
    take_profit: {price: "125000"}
    stop_loss: {stop_price: "98000", price: "97900"}
""",
    "desk-b": """\
brackets:
  - name: eth-entry
    symbol: ETHUSDT
    side: BUY
    quantity: "0.5"
    take_profit: {price: "3600"}
    stop_loss: {stop_price: "4400", price: "4410"}
""",
}


def workflow_steps(name: str) -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    return {
        step["name"]: step
        for job in data["jobs"].values()
        for step in job.get("steps", [])
        if "name" in step
    }


def action_args(workflow: str, step: str) -> list[str]:
    return shlex.split(workflow_steps(workflow)[step]["with"]["args"])


def reviewed_apply_args(on_stale: str) -> list[str]:
    """apply.yml's choice when the reviewed plan was found, with OCO_STALE_PLAN=on_stale."""
    script = workflow_steps("apply.yml")["Choose what to apply"]["run"]
    found = re.search(r'echo "args=(apply --plan [^"]+\$ON_STALE[^"]*)"', script)
    assert found
    return shlex.split(found.group(1).replace("$ON_STALE", on_stale))


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BINANCE_")}
    return subprocess.run(
        [OCO, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def make_repository(root: Path) -> None:
    for account, brackets in BRACKETS.items():
        directory = root / "accounts" / account
        (directory / "brackets").mkdir(parents=True)
        (directory / "oco-reconcile.yaml").write_text("exchange: sim\nowner: ocr\n")
        (directory / "brackets" / "main.yaml").write_text(brackets)


def test_workflow_command_sequence_for_two_accounts(tmp_path: Path) -> None:
    make_repository(tmp_path)
    accounts = ci.find_accounts(tmp_path)
    assert [a.account for a in accounts] == ["accounts/desk-a", "accounts/desk-b"]
    for account in accounts:
        directory = tmp_path / account.account
        validate = run(action_args("plan.yml", "Validate"), directory)
        assert validate.returncode == 0, validate.stderr
        plan = run(action_args("plan.yml", "Plan"), directory)
        assert plan.returncode == 0, plan.stderr
        assert "Plan: 1 to place, 0 to replace, 0 to cancel." in plan.stdout
        assert (directory / "oco-plan.json").is_file()  # the artifact plan.yml uploads

        applied = run(reviewed_apply_args("replan"), directory)
        assert applied.returncode == 0, applied.stdout + applied.stderr

        drift = run(action_args("drift.yml", "Plan"), directory)
        assert drift.returncode == 0, drift.stdout + drift.stderr  # no drift after the apply
        assert (directory / ".oco-reconcile" / "sim.json").is_file()


def test_a_stale_reviewed_plan_is_refused_or_replanned_per_the_setting(tmp_path: Path) -> None:
    make_repository(tmp_path)
    directory = tmp_path / "accounts" / "desk-a"
    assert run(action_args("plan.yml", "Plan"), directory).returncode == 0
    # another merge changed the bracket after the review: the saved plan is stale
    main = directory / "brackets" / "main.yaml"
    main.write_text(main.read_text().replace('"0.01"', '"0.02"'))

    refused = run(reviewed_apply_args("fail"), directory)
    assert refused.returncode == 1
    assert "stale" in refused.stderr.lower()
    assert run(action_args("drift.yml", "Plan"), directory).returncode == 2  # nothing applied

    replanned = run(reviewed_apply_args("replan"), directory)
    assert replanned.returncode == 0, replanned.stdout + replanned.stderr
    assert run(action_args("drift.yml", "Plan"), directory).returncode == 0
