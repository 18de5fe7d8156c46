"""The GitOps pipeline: workflows and the composite action are valid for GitHub, and every command
they run is a documented oco-reconcile command with documented options."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from oco_reconcile.commands import ci
from oco_reconcile.commands.app import app
from tests.support.github_checks import actionlint, check_schema, tool
from tests.support.paths import REPO_ROOT
from tests.support.workflow_runner import TOOL_CHECKOUT

ROOT = REPO_ROOT
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ADOPTER = ROOT / "examples" / "adopter"
ADOPTER_WORKFLOWS = sorted((ADOPTER / ".github" / "workflows").glob("*.yml"))
REUSABLE = ("plan.yml", "apply.yml", "drift.yml")
ACTION = ROOT / "action.yml"


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_pipeline_has_every_workflow() -> None:
    own = {f"pipeline-{name}" for name in REUSABLE}
    assert {p.name for p in WORKFLOWS} == {"ci.yml", *REUSABLE, *own}
    assert {p.name for p in ADOPTER_WORKFLOWS} == set(REUSABLE)


def test_actionlint_passes_on_every_workflow() -> None:
    result = actionlint(WORKFLOWS, ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_a_planted_mistake(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "plan.yml"
    broken.parent.mkdir(parents=True)
    text = (ADOPTER / ".github" / "workflows" / "plan.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace("secrets: inherit", "secrets: inherit\n    runs-on: x"))
    assert actionlint([broken], tmp_path).returncode == 1


@pytest.mark.parametrize(
    ("schema", "paths"),
    [
        ("vendor.github-workflows", WORKFLOWS),
        ("vendor.github-actions", [ACTION]),
    ],
)
def test_github_json_schemas_accept_the_files(schema: str, paths: list[Path]) -> None:
    result = check_schema(schema, paths)
    assert result.returncode == 0, result.stdout + result.stderr


def action_scripts() -> list[str]:
    steps = load(ACTION)["runs"]["steps"]
    return [re.sub(r"\$\{\{[^}]*\}\}", "placeholder", s["run"]) for s in steps if "run" in s]


@pytest.mark.parametrize("script", action_scripts())
def test_the_action_scripts_pass_shellcheck(script: str) -> None:
    result = subprocess.run(
        [tool("shellcheck"), "--shell=bash", "-"],
        input=script,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


def triggers_of(workflow: dict[Any, Any]) -> dict[str, Any]:
    triggers = workflow.get(True) or workflow["on"]  # PyYAML reads the key `on` as True
    assert isinstance(triggers, dict)
    return triggers


def steps_of(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def commands_run_by_workflows() -> list[str]:
    """Every oco-reconcile argument list a workflow passes to the composite action."""
    found = []
    for path in WORKFLOWS:
        for step in steps_of(load(path)):
            if step.get("uses") == TOOL_CHECKOUT:
                found.append(step["with"]["args"])
            found += re.findall(r'echo "args=([^"]+)"', step.get("run", ""))
    return [args for args in found if "${{" not in args]


def documented_options() -> dict[str, set[str]]:
    group = typer.main.get_command(app)
    commands = group.commands  # type: ignore[attr-defined]
    return {
        name: {opt for param in command.params for opt in getattr(param, "opts", [])}
        for name, command in commands.items()
    }


def test_workflows_run_only_documented_commands_and_options() -> None:
    commands = commands_run_by_workflows()
    assert {shlex.split(args)[0] for args in commands} >= {"validate", "plan", "apply"}
    options = documented_options()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for args in commands:
        name, *rest = shlex.split(args)
        assert name in options, f"workflow runs undocumented command {name!r}"
        assert f"`{name}" in readme, f"{name} is not in the README's command table"
        for word in rest:
            if word.startswith("--"):
                assert word in options[name], f"{name} has no option {word}"


def test_apply_is_serialized_per_account_and_never_cancelled() -> None:
    job = load(ROOT / ".github" / "workflows" / "apply.yml")["jobs"]["apply"]
    assert job["concurrency"]["cancel-in-progress"] is False
    assert "matrix.slug" in job["concurrency"]["group"]
    assert job["environment"] == "${{ matrix.environment }}"
    assert job["strategy"]["matrix"] == "${{ fromJSON(needs.accounts.outputs.matrix) }}"


def test_drift_fails_on_changes_present() -> None:
    workflow = load(ROOT / ".github" / "workflows" / "drift.yml")
    triggers = triggers_of(load(ADOPTER / ".github" / "workflows" / "drift.yml"))
    assert "schedule" in triggers
    assert "workflow_dispatch" in triggers
    report = next(s for s in steps_of(workflow) if s.get("name") == "Report")
    assert '2) echo "::error::Drift' in report["run"]
    plan = next(s for s in steps_of(workflow) if s.get("name") == "Plan")
    assert "--out drift-plan.json" in plan["with"]["args"]
    assert 'python -m oco_reconcile.commands.ci fired "$ACCOUNT/drift-plan.json"' in report["run"]


def write_account(directory: Path, exchange: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    lines = [f"exchange: {exchange}"]
    if exchange == "production":
        lines.append("confirm_production: true")
    (directory / "oco-reconcile.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_accounts_matrix_lists_root_and_account_directories(tmp_path: Path) -> None:
    write_account(tmp_path, "sim")
    write_account(tmp_path / "accounts" / "main", "production")
    write_account(tmp_path / "accounts" / "lab", "testnet")
    (tmp_path / "accounts" / "notes").mkdir()  # no settings file: not an account
    matrix = json.loads(ci.matrix_json(tmp_path))
    assert matrix == {
        "include": [
            {"account": ".", "environment": "sim", "slug": "root"},
            {"account": "accounts/lab", "environment": "testnet", "slug": "accounts-lab"},
            {"account": "accounts/main", "environment": "production", "slug": "accounts-main"},
        ]
    }


def test_accounts_command_prints_the_matrix(tmp_path: Path) -> None:
    write_account(tmp_path / "accounts" / "desk", "http://127.0.0.1:8765")
    result = subprocess.run(
        [sys.executable, "-m", "oco_reconcile.commands.ci", "accounts", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout)["include"] == [
        {"account": "accounts/desk", "environment": "custom", "slug": "accounts-desk"}
    ]


def test_pre_commit_hook_runs_validate_on_the_whole_state() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "oco-reconcile-validate")
    assert hook["entry"] == "oco-reconcile validate"
    assert hook["pass_filenames"] is False
    assert re.search(hook["files"], "brackets/btc.yaml")
    assert re.search(hook["files"], "accounts/main/oco-reconcile.yaml")
    assert not re.search(hook["files"], "README.md")
