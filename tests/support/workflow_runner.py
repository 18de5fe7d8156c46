"""A local stand-in for a GitHub runner, so tests execute a workflow's own ``run:`` scripts and the
composite action's scripts (not re-typed copies of them).

A step runs as GitHub runs it: ``bash --noprofile --norc -eo pipefail``, the step's ``env`` and
``with`` expressions (``${{ ... }}``) resolved from a context the test fills in (an expression the
test did not give is a test error, never a silent empty string), ``GITHUB_OUTPUT`` read back into
``steps.<id>.outputs.*``. Other ``uses:`` steps (checkout, artifacts, github-script) are the test's
to emulate; ``if:`` conditions are the test's to follow.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.support.paths import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
ACTION = REPO_ROOT / "action.yml"
TOOL_CHECKOUT = "./.oco-reconcile-tool"  # where the reusable workflows check the tool out
BIN = Path(sys.executable).parent
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
# The action's pip install: the tool is already installed in this virtual environment.
SKIPPED_ACTION_STEPS = frozenset({"Install oco-reconcile"})

FAKE_GH = """#!/bin/sh
# gh stand-in: records the arguments and the --body-file of every call.
printf '%s\\n' "$@" >> "$FAKE_GH_DIR/args"
while [ $# -gt 0 ]; do
  if [ "$1" = "--body-file" ]; then cat "$2" >> "$FAKE_GH_DIR/body"; fi
  shift
done
"""


def load_yaml(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _step_key(step: dict[str, Any]) -> str:
    return str(step.get("name") or step.get("id") or step.get("uses") or step["run"])


def job_steps(workflow: str, job: str) -> dict[str, dict[str, Any]]:
    """The steps of one job of ``.github/workflows/<workflow>``, by name (or id when unnamed)."""
    steps = load_yaml(WORKFLOWS / workflow)["jobs"][job]["steps"]
    return {_step_key(step): step for step in steps}


@dataclass(frozen=True)
class StepRun:
    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]


def _read_outputs(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return dict(line.split("=", 1) for line in lines if "=" in line)


class Runner:
    """One job's runner: a workspace (the checked-out repository), a context, a job summary."""

    def __init__(self, workspace: Path, temp: Path, context: dict[str, str]) -> None:
        self.workspace, self.temp, self.context = workspace, temp, dict(context)
        (temp / "bin").mkdir(parents=True, exist_ok=True)
        (temp / "gh").mkdir(exist_ok=True)
        gh = temp / "bin" / "gh"
        gh.write_text(FAKE_GH, encoding="utf-8")
        gh.chmod(0o755)
        self.summary = temp / "step-summary.md"
        self._steps = 0

    @property
    def comments(self) -> str:
        """Every body the fake ``gh`` was given."""
        body = self.temp / "gh" / "body"
        return body.read_text(encoding="utf-8") if body.exists() else ""

    def resolve(self, text: object, context: dict[str, str] | None = None) -> str:
        values = self.context if context is None else context

        def value(match: re.Match[str]) -> str:
            assert match.group(1) in values, f"the test gives no value for ${{{{ {match[1]} }}}}"
            return values[match.group(1)]

        return EXPRESSION.sub(value, str(text))

    def _environ(self, extra: dict[str, str]) -> dict[str, str]:
        self._steps += 1
        base = {
            k: v for k, v in os.environ.items() if not k.startswith(("BINANCE_", "GITHUB_", "OCO_"))
        }
        return base | {
            "PATH": f"{BIN}{os.pathsep}{self.temp / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "RUNNER_TEMP": str(self.temp),
            "GITHUB_OUTPUT": str(self.temp / f"output-{self._steps}"),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_REPOSITORY": "adopter/brackets",
            "GITHUB_RUN_ID": "7",
            "GITHUB_RUN_ATTEMPT": "1",
            "FAKE_GH_DIR": str(self.temp / "gh"),
            **extra,
        }

    def _bash(self, script: str, env: dict[str, str], cwd: Path, step_id: str | None) -> StepRun:
        environ = self._environ(env)
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=cwd,
            env=environ,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        outputs = _read_outputs(Path(environ["GITHUB_OUTPUT"]))
        if step_id:
            self.context |= {f"steps.{step_id}.outputs.{k}": v for k, v in outputs.items()}
        return StepRun(done.returncode, done.stdout, done.stderr, outputs)

    def run(self, step: dict[str, Any]) -> StepRun:
        """A workflow ``run:`` step, in the workspace."""
        env = {k: self.resolve(v) for k, v in step.get("env", {}).items()}
        return self._bash(step["run"], env, self.workspace, step.get("id"))

    def action(self, step: dict[str, Any]) -> StepRun:
        """A step that uses the composite action: its ``run`` steps, the ``run`` step's result."""
        assert step["uses"] == TOOL_CHECKOUT
        action = load_yaml(ACTION)
        given = {k: self.resolve(v) for k, v in step.get("with", {}).items()}
        inputs = {k: str(spec.get("default", "")) for k, spec in action["inputs"].items()} | given
        local = {f"inputs.{k}": v for k, v in inputs.items()}
        outer_env = {k: self.resolve(v) for k, v in step.get("env", {}).items()}
        result = None
        for inner in action["runs"]["steps"]:
            if "run" not in inner or inner.get("name") in SKIPPED_ACTION_STEPS:
                continue
            env = outer_env | {k: self.resolve(v, local) for k, v in inner.get("env", {}).items()}
            cwd = self.workspace / self.resolve(inner.get("working-directory", "."), local)
            done = self._bash(inner["run"], env, cwd, None)
            if inner.get("id") == "run":
                result = done
                local |= {f"steps.run.outputs.{k}": v for k, v in done.outputs.items()}
        assert result is not None, "action.yml has no step with id run"
        outputs = {k: self.resolve(spec["value"], local) for k, spec in action["outputs"].items()}
        if step.get("id"):
            self.context |= {f"steps.{step['id']}.outputs.{k}": v for k, v in outputs.items()}
        return StepRun(result.code, result.stdout, result.stderr, outputs)
