"""README "Running in CI" and docs/ci.md say what the adopter files and the workflows do: the
snippets are the files of examples/adopter/ byte for byte, and the setup page names every secret,
environment and setting the workflows read, and quotes the fork line the plan job prints."""

from __future__ import annotations

import re

import pytest

from oco_reconcile.commands import ci
from oco_reconcile.core.settings import Settings
from oco_reconcile.inputs.settings import NAMED_EXCHANGES
from tests.support.paths import REPO_ROOT
from tests.support.workflow_runner import WORKFLOWS, load_yaml

ADOPTER = REPO_ROOT / "examples" / "adopter"
REUSABLE = ("plan.yml", "apply.yml", "drift.yml")
SNIPPET = re.compile(r"\*\*`([^`]+)`\*\*\n\n```yaml\n(.*?)```\n", re.DOTALL)
DOCS_CI = REPO_ROOT / "docs" / "ci.md"


def running_in_ci() -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("\n## Running in CI\n", 1)[1].split("\n## ", 1)[0]


def adopting_repository() -> str:
    return running_in_ci().split("\n### A minimal adopting repository\n", 1)[1]


def docs_ci() -> str:
    return " ".join(DOCS_CI.read_text(encoding="utf-8").split())  # wrapped lines read as one


def test_the_readme_shows_every_adopter_workflow_file() -> None:
    shown = [path for path, _ in SNIPPET.findall(adopting_repository())]
    assert shown == [f".github/workflows/{name}" for name in REUSABLE]


@pytest.mark.parametrize(("path", "text"), SNIPPET.findall(adopting_repository()))
def test_a_readme_snippet_is_the_adopter_file_byte_for_byte(path: str, text: str) -> None:
    assert text == (ADOPTER / path).read_text(encoding="utf-8")


def test_the_readme_no_longer_says_to_copy_this_repositorys_workflows() -> None:
    assert "copy" not in running_in_ci().lower()


def test_running_in_ci_links_the_setup_page() -> None:
    assert "[docs/ci.md](docs/ci.md)" in running_in_ci()
    assert DOCS_CI.is_file()


def declared_secrets() -> set[str]:
    names: set[str] = set()
    for name in REUSABLE:
        triggers = load_yaml(WORKFLOWS / name)[True]  # PyYAML reads the key `on` as True
        names |= set(triggers["workflow_call"]["secrets"])
    return names


def test_the_setup_page_names_every_secret_the_workflows_read() -> None:
    assert declared_secrets() == {
        "BINANCE_API_KEY",
        "BINANCE_API_SECRET",
        "BINANCE_READ_API_KEY",
        "BINANCE_READ_API_SECRET",
    }
    for secret in declared_secrets():
        assert f"`{secret}`" in docs_ci()


def test_the_setup_page_names_every_environment_an_account_can_get() -> None:
    for environment in (*NAMED_EXCHANGES, "custom"):
        assert f"`{environment}`" in docs_ci()


def test_the_setup_page_says_how_to_protect_production() -> None:
    page = docs_ci()
    assert "**Required reviewers**" in page
    assert "**Deployment branches and tags**: *Selected branches and tags*, rule `main`" in page
    assert "`OCO_STALE_PLAN`" in page
    assert "Run workflow" in page


def test_the_setup_page_quotes_the_fork_line_the_plan_job_prints() -> None:
    settings = Settings(exchange="testnet")
    line = ci.missing_credentials_line(
        settings, "`<account>`", {"OCO_FORK_PULL_REQUEST": "true"}, []
    )
    assert line is not None
    assert f'"{line.removeprefix("::error::")}"' in docs_ci()
