"""The GitOps pipeline of an adopter, locally: a temp copy of ``examples/adopter/`` run through the
reusable workflows' own steps (their ``run:`` scripts and the composite action's, read from the
YAML by tests/support/workflow_runner.py) against the built-in simulator: the pull request's plan,
the saved plan as the artifact, the merge applying exactly that plan, the comment on the merged
pull request, the drift check, and a stale reviewed plan refused, recovered, or re-planned."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.paths import REPO_ROOT
from tests.support.workflow_runner import Runner, StepRun, job_steps

ADOPTER = REPO_ROOT / "examples" / "adopter"
PLAN = job_steps("plan.yml", "plan")
REPLAN = job_steps("apply.yml", "replan")
APPLY = job_steps("apply.yml", "apply")
DRIFT = job_steps("drift.yml", "drift")
COMMENT = "Comment the result on the merged pull request"
FORK = "github.event.pull_request.head.repo.full_name != github.repository"
CONTEXT = {
    "inputs.python-version": "3.12",
    "secrets.BINANCE_READ_API_KEY": "",
    "secrets.BINANCE_READ_API_SECRET": "",
    "secrets.BINANCE_API_KEY": "",
    "secrets.BINANCE_API_SECRET": "",
    "github.token": "not-a-token",
    "github.server_url": "https://github.com",
    "github.repository": "adopter/brackets",
    "github.run_id": "7",
    FORK: "false",
}


def matrix_of(repo: Path, temp: Path) -> list[dict[str, str]]:
    """The accounts job of plan.yml: its ``list`` step's matrix output."""
    listed = Runner(repo, temp, CONTEXT).run(job_steps("plan.yml", "accounts")["list"])
    assert listed.code == 0, listed.stderr
    include = json.loads(listed.outputs["matrix"])["include"]
    assert isinstance(include, list)
    return include


@dataclass(frozen=True)
class Adopter:
    """A temp copy of examples/adopter/ and its only account (the matrix entry)."""

    repo: Path
    temp: Path
    entry: dict[str, str]

    @classmethod
    def copy(cls, tmp_path: Path) -> Adopter:
        repo = tmp_path / "repo"
        shutil.copytree(ADOPTER, repo)
        (entry,) = matrix_of(repo, tmp_path / "accounts")
        return cls(repo, tmp_path, entry)

    def runner(self, name: str, **context: str) -> Runner:
        matrix = {f"matrix.{key}": value for key, value in self.entry.items()}
        return Runner(self.repo, self.temp / name, CONTEXT | matrix | context)


def upload(runner: Runner, step: dict[str, Any], store: Path) -> Path:
    """actions/upload-artifact: keep the file under its artifact name."""
    artifact = store / runner.resolve(step["with"]["name"])
    artifact.mkdir(parents=True)
    shutil.copy(runner.workspace / runner.resolve(step["with"]["path"]), artifact)
    return artifact


def download(runner: Runner, artifact: Path, step: dict[str, Any]) -> None:
    """actions/download-artifact: the artifact's files into the step's ``path``."""
    for file in artifact.iterdir():
        shutil.copy(file, runner.workspace / runner.resolve(step["with"]["path"]))


def pull_request_run(adopter: Adopter) -> tuple[Runner, StepRun, Path]:
    """plan.yml for the account: validate, credentials, plan, upload the saved plan."""
    runner = adopter.runner("pr")
    assert runner.action(PLAN["Validate"]).code == 0
    credentials = runner.run(PLAN["Credentials"])
    assert (credentials.code, credentials.stdout) == (0, "")
    plan = runner.action(PLAN["Plan"])
    assert plan.code == 0, plan.stderr
    assert runner.context["steps.plan.outputs.exit-code"] == "0"  # so the upload step runs
    return runner, plan, upload(runner, PLAN["Upload the saved plan"], adopter.temp / "artifacts")


def merge_run(
    adopter: Adopter, name: str, artifact: Path | None, on_stale: str, dispatch: bool = False
) -> tuple[Runner, StepRun, StepRun]:
    """apply.yml's apply job: the reviewed plan downloaded (when found), the choice, the apply,
    the comment on the merged pull request; returns the apply and the job's final step."""
    runner = adopter.runner(
        name,
        **{
            "steps.download.outcome == 'success'": str(artifact is not None).lower(),
            "github.event_name == 'workflow_dispatch'": str(dispatch).lower(),
            "inputs.on-stale || vars.OCO_STALE_PLAN || 'replan'": on_stale,
            "steps.reviewed.outputs.pr-number": "" if dispatch else "12",
        },
    )
    if artifact is not None:
        download(runner, artifact, APPLY["Download the reviewed plan"])
    choice = runner.run(APPLY["Choose what to apply"])
    assert choice.code == 0, choice.stdout
    applied = runner.action(APPLY["Apply"])
    if not dispatch:  # the step's `if:` needs the merged pull request's number
        assert runner.run(APPLY[COMMENT]).code == 0
    return runner, applied, runner.run(APPLY["Fail the job unless the apply succeeded"])


def drift_run(adopter: Adopter, name: str) -> StepRun:
    runner = adopter.runner(name)
    assert runner.action(DRIFT["Plan"]).code == 0
    return runner.run(DRIFT["Report"])


def edit_the_bracket_after_review(repo: Path) -> None:
    bracket = repo / "brackets" / "btc.yaml"
    bracket.write_text(bracket.read_text().replace('"0.05"', '"0.04"'))


def test_the_adopter_matrix_is_the_root_account_on_the_simulator(tmp_path: Path) -> None:
    assert Adopter.copy(tmp_path).entry == {"account": ".", "environment": "sim", "slug": "root"}


def test_the_reviewed_plan_is_applied_on_merge_and_converges(tmp_path: Path) -> None:
    adopter = Adopter.copy(tmp_path)
    pr, plan, artifact = pull_request_run(adopter)
    assert "Plan: 1 to place, 0 to replace, 0 to cancel." in plan.stdout
    assert "### oco-reconcile plan --format markdown" in pr.summary.read_text()

    merge, applied, final = merge_run(adopter, "merge", artifact, "fail")
    assert "--plan oco-plan.json --on-stale fail" in merge.context["steps.args.outputs.args"]
    assert applied.code == 0, applied.stderr
    result = json.loads(applied.stdout)
    assert (result["converged"], result["summary"]["done"]) == (True, 1)
    assert final.code == 0
    assert merge.comments.startswith("**oco-reconcile apply `.`: done, converged**")
    assert "| `bracket.btc-core-exit` | create | done |" in merge.comments
    assert "--repo\nadopter/brackets\n--body-file" in (merge.temp / "gh" / "args").read_text()

    assert drift_run(adopter, "drift").stdout == "No drift.\n"


def test_a_stale_plan_with_fail_is_refused_then_recovered_by_a_manual_run(tmp_path: Path) -> None:
    adopter = Adopter.copy(tmp_path)
    _, _, artifact = pull_request_run(adopter)
    edit_the_bracket_after_review(adopter.repo)

    merge, refused, final = merge_run(adopter, "merge", artifact, "fail")
    assert merge.context["steps.apply.outputs.exit-code"] == "1"
    assert "stale" in refused.stderr.lower()
    assert final.code == 1  # the job fails
    assert merge.comments.startswith("**oco-reconcile apply `.`: failed, no result (exit 1)**")
    assert "Run workflow" in merge.comments
    assert drift_run(adopter, "drift-1").code == 1  # nothing was applied

    # Run workflow: the replan job plans and uploads, the apply job (approved) applies that plan
    replan = adopter.runner("replan")
    assert replan.action(REPLAN["Plan"]).code == 0
    fresh = upload(replan, REPLAN["actions/upload-artifact@v6"], tmp_path / "artifacts")
    _, applied, final = merge_run(adopter, "dispatch", fresh, "fail", dispatch=True)
    assert json.loads(applied.stdout)["converged"] is True
    assert final.code == 0
    assert drift_run(adopter, "drift-2").stdout == "No drift.\n"


def test_a_stale_plan_with_replan_applies_the_merged_files(tmp_path: Path) -> None:
    adopter = Adopter.copy(tmp_path)
    _, _, artifact = pull_request_run(adopter)
    edit_the_bracket_after_review(adopter.repo)

    merge, applied, final = merge_run(adopter, "merge", artifact, "replan")
    assert applied.code == 0, applied.stderr
    assert json.loads(applied.stdout)["converged"] is True
    assert final.code == 0
    assert "done, converged" in merge.comments
    assert drift_run(adopter, "drift").stdout == "No drift.\n"


def test_without_a_reviewed_plan_replan_plans_and_fail_stops(tmp_path: Path) -> None:
    adopter = Adopter.copy(tmp_path)
    for on_stale, code in (("fail", 1), ("replan", 0)):
        runner = adopter.runner(
            f"choose-{on_stale}",
            **{
                "steps.download.outcome == 'success'": "false",
                "github.event_name == 'workflow_dispatch'": "false",
                "inputs.on-stale || vars.OCO_STALE_PLAN || 'replan'": on_stale,
            },
        )
        choice = runner.run(APPLY["Choose what to apply"])
        assert choice.code == code, choice.stdout
    assert choice.outputs == {"args": "apply --auto-approve --format json"}


def test_every_account_directory_gets_its_plan_and_apply(tmp_path: Path) -> None:
    adopter = Adopter.copy(tmp_path)
    desk = adopter.repo / "accounts" / "desk"
    shutil.copytree(adopter.repo / "brackets", desk / "brackets")
    shutil.copy(adopter.repo / "oco-reconcile.yaml", desk)
    entries = matrix_of(adopter.repo, tmp_path / "two")
    assert [entry["account"] for entry in entries] == [".", "accounts/desk"]
    for entry in entries:
        account = Adopter(adopter.repo, tmp_path / entry["slug"], entry)
        _, _, artifact = pull_request_run(account)
        assert artifact.name == f"oco-plan-{entry['slug']}"
        _, applied, final = merge_run(account, "merge", artifact, "fail")
        assert (json.loads(applied.stdout)["converged"], final.code) == (True, 0)
    assert (desk / ".oco-reconcile" / "sim.json").is_file()  # one simulator state per account
