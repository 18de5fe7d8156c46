"""`oco-reconcile validate`: exit 0 with a summary on the examples, exit 1 naming file, line and
problem on every file of the hostile corpus, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from oco_reconcile.commands import app as cli
from oco_reconcile.errors import InputError
from tests.support.cli import run_main
from tests.support.paths import REPO_ROOT

REPO = REPO_ROOT
CORPUS = Path("tests") / "corpus"  # relative to REPO, as a user would type it
OK_SUMMARY = "OK: 4 brackets (1 futures) in 3 files (settings: oco-reconcile.yaml)"

# corpus entry -> (file named in the message, line or None, part of the message)
CORPUS_EXPECTATIONS: dict[str, list[tuple[str, int | None, str]]] = {
    "alias_bomb.yaml": [("alias_bomb.yaml", 2, "rejected: aliases expand to more than")],
    "bad_quantities.yaml": [
        ("bad_quantities.yaml", 5, "bracket 'negative': quantity: must be greater than 0"),
        ("bad_quantities.yaml", 11, "bracket 'zero': quantity: must be greater than 0"),
        ("bad_quantities.yaml", 17, "quantity: must be a finite number (got .nan)"),
        ("bad_quantities.yaml", 23, "quantity: must be a finite number (got .inf)"),
        ("bad_quantities.yaml", 29, "quantity: must be a finite number (got 'NaN')"),
        ("bad_quantities.yaml", 35, "quantity: must be a decimal number, not a boolean"),
    ],
    "duplicate_keys.yaml": [
        ("duplicate_keys.yaml", 6, "quantity: duplicate key (first at line 5)")
    ],
    "duplicate_names": [
        ("duplicate_names/b.yaml", 8, "already defined at tests/corpus/duplicate_names/a.yaml:2"),
    ],
    "empty.yaml": [("empty.yaml", None, "empty file: expected a mapping with a 'brackets' list")],
    "float_many_digits.yaml": [
        ("float_many_digits.yaml", 5, "quantity: has 34 decimal places"),
        ("float_many_digits.yaml", 6, "take_profit.price: has 9 decimal places; at most 8"),
    ],
    "invalid_yaml.yaml": [("invalid_yaml.yaml", 7, "invalid YAML")],
    "legs_swapped.yaml": [
        ("legs_swapped.yaml", 7, "take_profit.price: 90000 must be above stop_loss.stop_price"),
        ("legs_swapped.yaml", 14, "above.type: the above leg of a SELL OCO must be one of"),
        ("legs_swapped.yaml", 15, "below.type: the below leg of a SELL OCO must be one of"),
    ],
    "missing_leg_fields.yaml": [
        ("missing_leg_fields.yaml", 6, "above.price: required: a LIMIT_MAKER leg needs a limit"),
        ("missing_leg_fields.yaml", 7, "below.price: required: a STOP_LOSS_LIMIT leg needs"),
        ("missing_leg_fields.yaml", 12, "above.price: not allowed on a STOP_LOSS leg"),
        ("missing_leg_fields.yaml", 12, "above.stop_price: required: a STOP_LOSS leg needs"),
        ("missing_leg_fields.yaml", 13, "below.price: not allowed on a TAKE_PROFIT leg"),
        ("missing_leg_fields.yaml", 13, "below.stop_price: required: a TAKE_PROFIT leg needs"),
        ("missing_leg_fields.yaml", 19, "stop_loss.stop_price: required"),
    ],
    "mixed_forms.yaml": [("mixed_forms.yaml", 2, "mixes the friendly form (take_profit)")],
    "multi_document.yaml": [("multi_document.yaml", 8, "more than one YAML document")],
    "name_illegal_chars.yaml": [
        ("name_illegal_chars.yaml", 2, "bracket 'btc.exit #1': name: must be non-empty")
    ],
    "name_too_long.yaml": [("name_too_long.yaml", 2, "name: is 40 characters; at most 22")],
    "non_utf8.yaml": [("non_utf8.yaml", 2, "not valid UTF-8 (byte 0xe9)")],
    "not_a_mapping.yaml": [
        ("not_a_mapping.yaml", 2, "expected a mapping with a 'brackets' list, found a list")
    ],
    "python_tag.yaml": [
        ("python_tag.yaml", 3, "symbol: YAML tag '!!python/object/apply:os.system' is not allowed")
    ],
    "recursive_alias.yaml": [("recursive_alias.yaml", 1, "an alias refers to itself")],
    "unknown_keys.yaml": [
        (
            "unknown_keys.yaml",
            7,
            "stop_loss.limit_price: unknown field; did you mean 'stop_price'?",
        ),
        ("unknown_keys.yaml", 8, "protekt: unknown field; did you mean 'protect'?"),
        ("unknown_keys.yaml", 9, "comment: unknown field"),
    ],
    "wrong_types.yaml": [
        ("wrong_types.yaml", 2, "brackets[0].name: must be a string, not an integer"),
        ("wrong_types.yaml", 4, "side: must be one of SELL, BUY (got 'sell')"),
        ("wrong_types.yaml", 5, "quantity: must be a decimal number, not a list"),
        ("wrong_types.yaml", 6, "take_profit: must be a mapping, not a string"),
        ("wrong_types.yaml", 7, "trailing_delta: must be an integer, not a string"),
        ("wrong_types.yaml", 8, "protect: must be true or false, not a string"),
        ("wrong_types.yaml", 9, "rev: must be an integer, not a decimal number"),
    ],
}


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(REPO)
    return REPO


def test_every_corpus_entry_has_an_expectation() -> None:
    entries = {path.name for path in (REPO / CORPUS).iterdir() if path.name != "README.md"}
    assert entries == set(CORPUS_EXPECTATIONS)


def test_validate_on_the_examples_exits_zero(
    in_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["validate"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == OK_SUMMARY
    assert captured.err == ""


def test_validate_with_explicit_paths(in_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main(["validate", "brackets/eth.yaml", "oco-reconcile.yaml"]) == 0
    assert (
        capsys.readouterr().out.strip() == "OK: 1 bracket in 1 file (settings: oco-reconcile.yaml)"
    )


def test_validate_through_typers_runner(in_repo: Path) -> None:
    result = CliRunner().invoke(cli.app, ["validate", "brackets", "oco-reconcile.yaml"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == OK_SUMMARY


def test_typers_runner_surfaces_the_input_error(in_repo: Path) -> None:
    result = CliRunner().invoke(cli.app, ["validate", str(CORPUS / "empty.yaml")])
    assert result.exit_code == 1
    assert isinstance(result.exception, InputError)


@pytest.mark.parametrize("entry", sorted(CORPUS_EXPECTATIONS))
def test_each_corpus_entry_fails_with_file_line_and_problem(
    in_repo: Path, capsys: pytest.CaptureFixture[str], entry: str
) -> None:
    assert run_main(["validate", str(CORPUS / entry)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    problem_lines = [line for line in captured.err.splitlines() if not line.startswith("Error: ")]
    expected = CORPUS_EXPECTATIONS[entry]
    assert len(problem_lines) == len(expected), captured.err
    for line, (file, number, message) in zip(problem_lines, expected, strict=True):
        where = f"{CORPUS / file}" + ("" if number is None else f":{number}")
        assert line.startswith(f"{where}: "), line
        assert message in line, line
    count = len(expected)
    assert (
        captured.err.splitlines()[-1] == f"Error: {count} problem{'s' if count != 1 else ''} found"
    )


def test_settings_and_bracket_problems_in_one_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("oco-reconcile.yaml").write_text("exchange: production\n", encoding="utf-8")
    Path("brackets").mkdir()
    Path("brackets/a.yaml").write_text("brackets: [1]\n", encoding="utf-8")
    assert run_main(["validate"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "oco-reconcile.yaml:1: exchange: production trades real money: "
        "set confirm_production: true to allow it",
        "brackets/a.yaml:1: brackets[0]: must be a mapping, not an integer",
        "Error: 2 problems found",
    ]


def test_validate_of_a_missing_path(in_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main(["validate", "no/such/dir"]) == 1
    assert "no/such/dir: no such file or directory" in capsys.readouterr().err


# --- real processes: exit codes through cli.main(), nothing on stderr but the problems ---------


def run_process(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oco_reconcile", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_process_validate_examples_exits_zero() -> None:
    done = run_process("validate")
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, OK_SUMMARY, "")


def test_process_validate_whole_corpus_reports_every_file_at_once() -> None:
    done = run_process("validate", str(CORPUS))
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert "Internal error" not in done.stderr
    for entry, expectations in CORPUS_EXPECTATIONS.items():
        for file, line, message in expectations:
            where = f"{CORPUS / file}" + ("" if line is None else f":{line}")
            assert f"{where}: " in done.stderr, where
            if entry != "duplicate_names":  # across the corpus, the first 'btc-exit' is elsewhere
                assert message in done.stderr, message


@pytest.mark.parametrize("entry", ["alias_bomb.yaml", "python_tag.yaml", "non_utf8.yaml"])
def test_process_hostile_files_exit_one_without_traceback(entry: str) -> None:
    done = run_process("validate", str(CORPUS / entry))
    assert done.returncode == 1
    assert done.stderr.startswith(f"{CORPUS / entry}:")
    assert "Traceback" not in done.stderr


def test_console_script_entry_point(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "oco-reconcile"
    if not script.exists():
        pytest.skip("console script not installed in this environment")
    (tmp_path / "b.yaml").write_text("brackets: []\n", encoding="utf-8")
    done = subprocess.run(
        [str(script), "validate", "b.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout.strip()) == (
        0,
        "OK: 0 brackets in 1 file (settings: defaults)",
    )
