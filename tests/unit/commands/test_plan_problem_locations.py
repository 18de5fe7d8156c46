"""``plan`` names the file and line of the bracket every plan problem is about, as ``validate``
names its problems (issue 16), in text, Markdown and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run_main

TYPO = """\
brackets:
  - name: fine
    symbol: BTCUSDT
    side: SELL
    quantity: "0.01"
    take_profit: {price: "125000"}
    stop_loss: {stop_price: "98000"}
  - name: typo
    symbol: BTCUSDTT
    side: SELL
    quantity: "0.01"
    take_profit: {price: "125000"}
    stop_loss: {stop_price: "98000"}
"""


@pytest.fixture
def typo_repo(example_repo: Path) -> Path:
    (example_repo / "brackets" / "typo.yaml").write_text(TYPO, encoding="utf-8")
    settings = example_repo / "oco-reconcile.yaml"
    settings.write_text(
        settings.read_text().replace("BTCUSDT, ETHUSDT", "BTCUSDT, ETHUSDT, BTCUSDTT")
    )
    return example_repo


def test_a_plan_error_names_the_file_and_line_of_its_bracket(
    typo_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["plan"]) == 1
    out = capsys.readouterr().out
    assert (
        "  Error: brackets/typo.yaml:8: bracket.typo: symbol: symbol BTCUSDTT does not exist on "
        "the exchange; did you mean BTCUSDT?" in out
    )


def test_markdown_and_json_carry_the_location_too(
    typo_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["plan", "--format", "markdown"]) == 1
    assert "(brackets/typo.yaml:8)" in capsys.readouterr().out
    assert run_main(["plan", "--format", "json"]) == 1
    (problem,) = json.loads(capsys.readouterr().out)["problems"]
    assert (problem["file"], problem["line"], problem["bracket"]) == (
        "brackets/typo.yaml",
        8,
        "typo",
    )
