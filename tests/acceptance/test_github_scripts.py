"""The workflows' github-script steps, their own scripts run by node against a fake of the GitHub
REST calls (tests/support/github_script.py): the plan applied on a merge is the newest unexpired
``oco-plan-<account>`` artifact of the merged pull request's head commit, and nothing else; the
plan comment is one per account, updated, never duplicated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.github_script import run_github_script
from tests.support.workflow_runner import job_steps

HEAD = "a" * 40
MERGE = "b" * 40


def artifact(run_id: int, head_sha: str, created: str, expired: bool = False) -> dict[str, Any]:
    return {
        "name": "oco-plan-root",
        "expired": expired,
        "created_at": created,
        "workflow_run": {"id": run_id, "head_sha": head_sha},
    }


def find_reviewed_plan(event: str, pulls: dict[str, Any], artifacts: list[Any]) -> dict[str, str]:
    step = job_steps("apply.yml", "apply")["Find the reviewed plan"]
    fake = {"eventName": event, "sha": MERGE, "pulls": pulls, "artifacts": artifacts}
    outputs, writes = run_github_script(step, fake, {"SLUG": "root"})
    assert writes == []
    return outputs


MERGED = {MERGE: [{"number": 12, "merged_at": "2026-12-01T10:00:00Z", "head": {"sha": HEAD}}]}


def test_the_newest_unexpired_plan_of_the_merged_head_is_applied() -> None:
    artifacts = [
        artifact(5, HEAD, "2026-12-01T08:00:00Z"),
        artifact(6, HEAD, "2026-12-01T09:00:00Z"),
        artifact(7, HEAD, "2026-12-01T09:30:00Z", expired=True),
        artifact(8, "c" * 40, "2026-12-01T09:45:00Z"),  # another pull request's plan
    ]
    outputs = find_reviewed_plan("push", MERGED, artifacts)
    assert outputs == {"pr-number": "12", "name": "oco-plan-root", "run-id": "6"}


def test_a_merged_head_without_a_plan_finds_none() -> None:
    outputs = find_reviewed_plan("push", MERGED, [artifact(8, "c" * 40, "2026-12-01T09:45:00Z")])
    assert outputs == {"pr-number": "12", "name": "oco-plan-root", "run-id": ""}


def test_a_push_that_merged_no_pull_request_finds_none() -> None:
    open_pull = {MERGE: [{"number": 13, "merged_at": None, "head": {"sha": HEAD}}]}
    outputs = find_reviewed_plan("push", open_pull, [artifact(5, HEAD, "2026-12-01T08:00:00Z")])
    assert outputs == {"pr-number": "", "name": "oco-plan-root", "run-id": ""}


def test_a_manual_run_applies_the_plan_its_own_replan_job_saved() -> None:
    outputs = find_reviewed_plan("workflow_dispatch", MERGED, [])
    assert outputs == {"name": "oco-replan-root", "run-id": "99", "pr-number": ""}


def sticky_comment(tmp_path: Path, comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """plan.yml's comment step after a plan that printed ``# Plan``; the writes it made."""
    output = tmp_path / "plan.out"
    output.write_text("# Plan\n\nno changes\n", encoding="utf-8")
    step = job_steps("plan.yml", "plan")["Sticky pull-request comment"]
    fake = {"payload": {"pull_request": {"number": 12}}, "comments": comments}
    env = {"OUTPUT_FILE": str(output), "ACCOUNT": ".", "SLUG": "root"}
    return run_github_script(step, fake, env)[1]


def test_the_first_plan_of_a_pull_request_creates_its_comment(tmp_path: Path) -> None:
    (write,) = sticky_comment(tmp_path, [{"id": 1, "body": "LGTM"}])
    assert (write["kind"], write["issue_number"]) == ("create", 12)
    assert (
        write["body"]
        == "<!-- oco-reconcile:plan:root -->\n**Account `.`**\n\n# Plan\n\nno changes\n"
    )


def test_a_new_plan_updates_the_accounts_comment_and_no_other(tmp_path: Path) -> None:
    comments = [
        {"id": 1, "body": "<!-- oco-reconcile:plan:accounts-desk -->\nold"},
        {"id": 2, "body": "<!-- oco-reconcile:plan:root -->\nold"},
    ]
    (write,) = sticky_comment(tmp_path, comments)
    assert (write["kind"], write["comment_id"]) == ("update", 2)
