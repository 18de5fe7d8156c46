"""Desired state: the examples load, names are unique across files, settings and brackets load
together."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from oco_reconcile.core.model import LegType, Side
from oco_reconcile.errors import InputError
from oco_reconcile.inputs import desired
from tests.support.bracket_files import DEFAULTS, bracket_yaml, load_text, problems_of, write
from tests.support.paths import REPO_ROOT

REPO = REPO_ROOT


DESIGN_EXAMPLE = """\
# yaml-language-server: $schema=../schemas/brackets.schema.json
brackets:
  - name: btc-core-exit          # identity: letters, digits, '-', '_'
    symbol: BTCUSDT
    side: SELL                   # protects a long
    quantity: "0.05"
    take_profit:
      price: "125000"            # LIMIT_MAKER above the market
    stop_loss:
      stop_price: "98000"        # STOP_LOSS_LIMIT below the market ...
      price: "97900"             # ... omit price for a STOP_LOSS (market) stop
      time_in_force: GTC         # default GTC where the leg type needs one
  - name: eth-breakout
    symbol: ETHUSDT
    side: BUY
    quantity: 0.5
    take_profit: {price: 3600}                      # LIMIT_MAKER below the market
    stop_loss: {stop_price: 4400, price: 4410}      # STOP_LOSS_LIMIT above the market
  - name: btc-full-form
    symbol: BTCUSDT
    side: SELL
    quantity: "0.01"
    above: {type: TAKE_PROFIT_LIMIT, stop_price: "126000", price: "126100"}
    below: {type: STOP_LOSS, stop_price: "97000"}
    protect: true
"""


def test_the_design_example_loads(tmp_path: Path) -> None:
    core, eth, full = load_text(tmp_path, DESIGN_EXAMPLE)
    assert core.below.type is LegType.STOP_LOSS_LIMIT
    assert (eth.side, eth.quantity, eth.below.type, eth.above.type) == (
        Side.BUY,
        Decimal("0.5"),
        LegType.LIMIT_MAKER,
        LegType.STOP_LOSS_LIMIT,
    )
    assert eth.below.price == Decimal("3600")
    assert (full.above.type, full.below.type, full.protect) == (
        LegType.TAKE_PROFIT_LIMIT,
        LegType.STOP_LOSS,
        True,
    )


def test_the_repository_examples_load() -> None:
    brackets = desired.load_brackets([REPO / "brackets"], DEFAULTS)
    names = [b.name for b in brackets]
    assert names == ["btc-core-exit", "btc-full-form", "eth-breakout"]
    assert {b.symbol for b in brackets} == {"BTCUSDT", "ETHUSDT"}
    assert {b.side for b in brackets} == {Side.SELL, Side.BUY}


def test_empty_bracket_list_is_valid(tmp_path: Path) -> None:
    assert load_text(tmp_path, "brackets: []\n") == ()


def test_no_bracket_files_is_an_empty_desired_set(tmp_path: Path) -> None:
    (tmp_path / "brackets").mkdir()
    assert desired.load_brackets([tmp_path / "brackets"], DEFAULTS) == ()


# --- names across files ---------------------------------------------------------------------


def test_duplicate_names_across_files_name_both_places(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", bracket_yaml())
    second = write(tmp_path, "b.yaml", "# another file\n" + bracket_yaml())
    with pytest.raises(InputError) as raised:
        desired.load_brackets([first, second], DEFAULTS)
    (problem,) = raised.value.problems
    assert (problem.file, problem.line, problem.bracket, problem.field) == (
        str(second),
        3,
        "btc-exit",
        "name",
    )
    assert f"already defined at {first}:2" in problem.message


def test_duplicate_names_in_one_file(tmp_path: Path) -> None:
    one = yaml.safe_load(bracket_yaml())["brackets"][0]
    text = yaml.safe_dump({"brackets": [one, dict(one, quantity="1")]}, sort_keys=False)
    (problem,) = problems_of(tmp_path, text)
    assert "duplicate name" in problem.message
    assert problem.line is not None
    assert problem.line > 2


def test_load_inputs_reports_settings_and_bracket_problems_together(tmp_path: Path) -> None:
    settings = write(tmp_path, "oco-reconcile.yaml", "owner: abcdefghij\nprune: maybe\n")
    brackets = write(tmp_path, "b.yaml", bracket_yaml(name="a" * 16))
    with pytest.raises(InputError) as raised:
        desired.load_inputs([settings, brackets])
    assert [(p.file, p.field) for p in raised.value.problems] == [
        (str(settings), "prune"),
        (str(brackets), "name"),  # the valid owner still sets the name limit (15)
    ]


def test_load_inputs_and_validate_paths_on_the_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    settings, brackets = desired.load_inputs([])
    assert settings.exchange == "sim"
    assert len(brackets) == 3  # Spot; the futures example is the fourth
    summary = desired.validate_paths([])
    assert summary == "OK: 4 brackets (1 futures) in 3 files (settings: oco-reconcile.yaml)"


def test_validate_paths_summary_without_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "b.yaml", bracket_yaml())
    assert (
        desired.validate_paths([Path("b.yaml")]) == "OK: 1 bracket in 1 file (settings: defaults)"
    )
