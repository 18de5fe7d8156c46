"""apply.yml's "Find the reviewed plan" step, its own github-script run by node against a fake of
the two GitHub REST calls it makes: the plan applied on a merge is the newest unexpired
``oco-plan-<account>`` artifact of the merged pull request's head commit, and nothing else."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

import pytest

from tests.support.workflow_runner import job_steps

NODE = shutil.which("node")
HEAD = "a" * 40
MERGE = "b" * 40
# github-script runs the script as the body of an async function of (github, context, core, ...).
HARNESS = """
const { script, fake } = JSON.parse(require("fs").readFileSync(0, "utf8"));
const outputs = {};
const core = { setOutput: (name, value) => { outputs[name] = value; } };
const context = { repo: { owner: "adopter", repo: "brackets" }, eventName: fake.eventName,
  sha: fake.sha, runId: 99 };
const github = { rest: {
  repos: { listPullRequestsAssociatedWithCommit: async ({ commit_sha }) =>
    ({ data: fake.pulls[commit_sha] || [] }) },
  actions: { listArtifactsForRepo: async ({ name }) =>
    ({ data: { artifacts: fake.artifacts.filter((a) => a.name === name) } }) },
} };
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
new AsyncFunction("github", "context", "core", "require", script)(github, context, core, require)
  .then(() => process.stdout.write(JSON.stringify(outputs)));
"""


def artifact(run_id: int, head_sha: str, created: str, expired: bool = False) -> dict[str, Any]:
    return {
        "name": "oco-plan-root",
        "expired": expired,
        "created_at": created,
        "workflow_run": {"id": run_id, "head_sha": head_sha},
    }


def find_reviewed_plan(event: str, pulls: dict[str, Any], artifacts: list[Any]) -> dict[str, str]:
    if NODE is None:
        pytest.skip("node (which runs github-script on GitHub's runners) is not installed")
    step = job_steps("apply.yml", "apply")["Find the reviewed plan"]
    fake = {"eventName": event, "sha": MERGE, "pulls": pulls, "artifacts": artifacts}
    done = subprocess.run(
        [NODE, "-e", HARNESS],
        input=json.dumps({"script": step["with"]["script"], "fake": fake}),
        env={**os.environ, "SLUG": "root"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    outputs = json.loads(done.stdout)
    assert isinstance(outputs, dict)
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
