"""The documentation issue 16 asked for, checked against the code it describes: ``adopt`` in
docs/file-formats.md (its example validates), the JSON keys it lists are the ones the tool
writes, and docs/testnet.md (linked from the README) names the settings and variables the code
reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from oco_reconcile.apply.results import Outcome
from oco_reconcile.core.settings import CredentialNames
from oco_reconcile.render.apply_report import outcome_key
from oco_reconcile.venues.urls import NAMED_BASE_URLS, NAMED_FUTURES_URLS
from tests.support.cli import run_main
from tests.support.paths import REPO_ROOT

DOCS = REPO_ROOT / "docs"


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n#", start + len(heading))
    return text[start : end if end != -1 else None]


def test_file_formats_documents_adopt_with_an_example_that_validates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    section = _section((DOCS / "file-formats.md").read_text("utf-8"), "### Adopting live lists")
    assert "oco-reconcile import" in section
    (example,) = re.findall(r"```yaml\n(.*?)```", section, re.S)
    assert "adopt:" in example
    (tmp_path / "brackets").mkdir()
    (tmp_path / "brackets" / "adopted.yaml").write_text(example, encoding="utf-8")
    (tmp_path / "oco-reconcile.yaml").write_text("exchange: sim\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run_main(["validate"]) == 0


def test_file_formats_lists_the_json_keys_the_tool_writes() -> None:
    section = _section((DOCS / "file-formats.md").read_text("utf-8"), "## Plan and apply JSON")
    for outcome in Outcome:
        assert f"`{outcome_key(outcome)}`" in section
    for word in ("`state`", "`fired`", "`partly_fired`", "`file`", "`line`", "oco-reconcile-apply"):
        assert word in section


def test_the_testnet_guide_is_linked_and_names_what_the_code_reads() -> None:
    readme = (REPO_ROOT / "README.md").read_text("utf-8")
    more = next(line for line in readme.splitlines() if line.startswith("More:"))
    assert "(docs/testnet.md)" in more
    guide = (DOCS / "testnet.md").read_text("utf-8")
    names = CredentialNames()
    for variable in (
        names.api_key_env,
        names.api_secret_env,
        names.private_key_file_env,
        names.private_key_passphrase_env,
    ):
        assert f"`{variable}`" in guide
    for exchange in ("testnet", "demo"):
        assert f"| `{exchange}` |" in guide
        assert NAMED_BASE_URLS[exchange] in guide
        assert NAMED_FUTURES_URLS[exchange] in guide
    assert "withdrawals" in guide
    assert "IP" in guide
