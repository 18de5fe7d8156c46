"""Runs a workflow's actions/github-script step with node, as the action does (the script is the
body of an async function of ``github``, ``context``, ``core`` and ``require``), against a fake of
the GitHub REST calls the workflows make: the fake answers from the data the test gives and
records every write, so a test sees what the script asked GitHub to do."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

import pytest

NODE = shutil.which("node")
HARNESS = """
const { script, fake } = JSON.parse(require("fs").readFileSync(0, "utf8"));
const outputs = {};
const writes = [];
const core = { setOutput: (name, value) => { outputs[name] = value; } };
const context = { repo: { owner: "adopter", repo: "brackets" }, eventName: fake.eventName,
  sha: fake.sha, runId: 99, payload: fake.payload || {} };
const write = (kind) => async (params) => {
  writes.push({ kind, ...params });
  return { data: {} };
};
const github = {
  paginate: async (method, params) => (await method(params)).data,
  rest: {
    repos: { listPullRequestsAssociatedWithCommit: async ({ commit_sha }) =>
      ({ data: (fake.pulls || {})[commit_sha] || [] }) },
    actions: { listArtifactsForRepo: async ({ name }) =>
      ({ data: { artifacts: (fake.artifacts || []).filter((a) => a.name === name) } }) },
    issues: {
      listComments: async () => ({ data: fake.comments || [] }),
      createComment: write("create"),
      updateComment: write("update"),
    },
  },
};
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
new AsyncFunction("github", "context", "core", "require", script)(github, context, core, require)
  .then(() => process.stdout.write(JSON.stringify({ outputs, writes })));
"""


def run_github_script(
    step: dict[str, Any], fake: dict[str, Any], env: dict[str, str]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The step's outputs and the writes it made; skips where node is not installed."""
    if NODE is None:
        pytest.skip("node (which runs github-script on GitHub's runners) is not installed")
    done = subprocess.run(
        [NODE, "-e", HARNESS],
        input=json.dumps({"script": step["with"]["script"], "fake": fake}),
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result = json.loads(done.stdout)
    return result["outputs"], result["writes"]
