"""What an adopter copies (``examples/adopter/``) works on its own: a fresh repository holding only
those files passes actionlint and the GitHub schemas, the callers grant what the reusable
workflows need, this repository's own ``pipeline-*.yml`` are the same files (only the ``uses:``
reference differs), and the plan job says in one line why a fork's pull request cannot plan."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.support.github_checks import actionlint, check_schema, tool
from tests.support.paths import REPO_ROOT
from tests.support.workflow_runner import WORKFLOWS, Runner, job_steps, load_yaml

ADOPTER = REPO_ROOT / "examples" / "adopter"
ADOPTER_WORKFLOWS = ADOPTER / ".github" / "workflows"
REUSABLE = ("plan.yml", "apply.yml", "drift.yml")
ADOPTER_FILES = {
    "oco-reconcile.yaml",
    "brackets/btc.yaml",
    *(f".github/workflows/{name}" for name in REUSABLE),
}
USES = re.compile(r"^    uses: (\S+)\n", re.MULTILINE)
FORK = "github.event.pull_request.head.repo.full_name != github.repository"
LEVELS = {"none": 0, "read": 1, "write": 2}


def release_tag() -> str:
    with (REPO_ROOT / "pyproject.toml").open("rb") as file:
        return "v" + str(tomllib.load(file)["project"]["version"])


def fresh_repository(tmp_path: Path) -> Path:
    repo = tmp_path / "my-brackets"
    shutil.copytree(ADOPTER, repo)
    return repo


def files_of(repo: Path) -> set[str]:
    return {p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file()}


def test_the_adopter_files_are_only_settings_brackets_and_three_workflows() -> None:
    assert files_of(ADOPTER) == ADOPTER_FILES


def test_a_fresh_repository_of_the_adopter_files_passes_actionlint(tmp_path: Path) -> None:
    repo = fresh_repository(tmp_path)
    workflows = sorted((repo / ".github" / "workflows").glob("*.yml"))
    assert len(workflows) == len(REUSABLE)
    result = actionlint(workflows, repo)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_fresh_repository_of_the_adopter_files_passes_the_github_schema(tmp_path: Path) -> None:
    repo = fresh_repository(tmp_path)
    workflows = sorted((repo / ".github" / "workflows").glob("*.yml"))
    result = check_schema("vendor.github-workflows", workflows)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_github_schema_rejects_a_broken_adopter_file(tmp_path: Path) -> None:
    repo = fresh_repository(tmp_path)
    plan = repo / ".github" / "workflows" / "plan.yml"
    plan.write_text(plan.read_text().replace("secrets: inherit", "secrets: everything"))
    assert check_schema("vendor.github-workflows", [plan]).returncode == 1


def test_a_fresh_repository_of_the_adopter_files_validates(tmp_path: Path) -> None:
    done = subprocess.run(
        [tool("oco-reconcile"), "validate"],
        cwd=fresh_repository(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("name", REUSABLE)
def test_adopter_files_call_the_reusable_workflow_by_release_tag(name: str) -> None:
    (uses,) = USES.findall((ADOPTER_WORKFLOWS / name).read_text(encoding="utf-8"))
    assert uses == f"oco-reconcile/oco-reconcile/.github/workflows/{name}@{release_tag()}"


def _without_leading_comment(text: str) -> str:
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "".join(lines)


@pytest.mark.parametrize("name", REUSABLE)
def test_this_repositorys_pipeline_is_the_adopter_file_calling_this_commit(name: str) -> None:
    own = _without_leading_comment((WORKFLOWS / f"pipeline-{name}").read_text(encoding="utf-8"))
    adopter = (ADOPTER_WORKFLOWS / name).read_text(encoding="utf-8")
    assert USES.findall(own) == [f"./.github/workflows/{name}"]
    assert USES.sub("    uses: REF\n", own) == USES.sub("    uses: REF\n", adopter)


def _permissions(level: dict[str, Any]) -> dict[str, str]:
    permissions = level.get("permissions", {})
    assert isinstance(permissions, dict)
    return permissions


@pytest.mark.parametrize("name", REUSABLE)
def test_the_caller_grants_every_permission_the_reusable_workflow_asks(name: str) -> None:
    """GitHub refuses to start a called workflow that asks more than its caller granted."""
    caller = load_yaml(ADOPTER_WORKFLOWS / name)
    granted = _permissions(caller)
    called = load_yaml(WORKFLOWS / name)
    for asked in [_permissions(called), *map(_permissions, called["jobs"].values())]:
        for scope, level in asked.items():
            assert LEVELS[granted.get(scope, "none")] >= LEVELS[level], (name, scope)
    assert caller["jobs"][name.removesuffix(".yml")]["secrets"] == "inherit"


def _credentials_step(tmp_path: Path, fork: str) -> tuple[int, str]:
    """plan.yml's Credentials step for a testnet account, the read-only key secret empty."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "oco-reconcile.yaml").write_text("exchange: testnet\n", encoding="utf-8")
    context = {"matrix.account": ".", "secrets.BINANCE_READ_API_KEY": "", FORK: fork}
    step = job_steps("plan.yml", "plan")["Credentials"]
    done = Runner(repo, tmp_path / "runner", context).run(step)
    return done.code, done.stdout


def test_a_fork_pull_request_gets_one_line_saying_it_has_no_secrets(tmp_path: Path) -> None:
    code, stdout = _credentials_step(tmp_path, "true")
    assert code == 1
    assert stdout == (
        "::error::No plan for .: pull requests from forks get no secrets, so the exchange cannot "
        "be read; a maintainer can push the branch to this repository.\n"
    )


def test_a_missing_secret_on_a_branch_names_the_secrets_to_set(tmp_path: Path) -> None:
    code, stdout = _credentials_step(tmp_path, "false")
    assert code == 1
    assert stdout.count("\n") == 1
    assert "set the secrets BINANCE_READ_API_KEY and BINANCE_READ_API_SECRET" in stdout


def test_the_credentials_check_runs_before_the_plan_needs_them() -> None:
    names = list(job_steps("plan.yml", "plan"))
    assert names.index("Validate") < names.index("Credentials") < names.index("Plan")


COMMENT = "Comment the result on the merged pull request"


def test_the_merged_pull_request_gets_the_result_on_success_and_failure() -> None:
    steps = job_steps("apply.yml", "apply")
    assert steps[COMMENT]["if"].startswith("always() && ")
    assert steps[COMMENT]["env"]["OUTPUT_FILE"] == "${{ steps.apply.outputs.output-file }}"
    assert "python -m oco_reconcile.commands.ci apply-comment" in steps[COMMENT]["run"]
    names = list(steps)
    assert names.index("Apply") < names.index(COMMENT)
    choices = re.findall(r'echo "args=([^"]+)"', steps["Choose what to apply"]["run"])
    assert choices
    assert all(args.endswith("--format json") for args in choices)


def test_an_apply_that_never_ran_still_gets_a_comment(tmp_path: Path) -> None:
    """The choice step refused (no reviewed plan, OCO_STALE_PLAN=fail): the Apply step was
    skipped, so its outputs are empty; the always() comment still says what happened."""
    context = {
        "steps.reviewed.outputs.pr-number": "12",
        "matrix.account": ".",
        "steps.apply.outputs.exit-code": "",
        "steps.apply.outputs.output-file": "",
        "github.token": "not-a-token",
        "github.server_url": "https://github.com",
        "github.repository": "adopter/brackets",
        "github.run_id": "7",
    }
    runner = Runner(tmp_path, tmp_path / "runner", context)
    assert runner.run(job_steps("apply.yml", "apply")[COMMENT]).code == 0
    assert runner.comments.startswith("**oco-reconcile apply `.`: failed, no result (exit ?)**")
    assert "https://github.com/adopter/brackets/actions/runs/7" in runner.comments


def test_a_fork_pull_request_posts_no_comment_its_token_cannot_write() -> None:
    condition = job_steps("plan.yml", "plan")["Sticky pull-request comment"]["if"]
    assert "github.event.pull_request.head.repo.full_name == github.repository" in condition
