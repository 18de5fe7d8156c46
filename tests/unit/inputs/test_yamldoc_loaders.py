"""libyaml composes, the caps still hold, and the pure-Python fallback reports the same problems.

The hostile cases themselves are in test_yamldoc.py and the corpus test (test_cli_validate.py);
these tests pin what changes with the parser underneath.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from oco_reconcile.errors import InputError
from oco_reconcile.inputs import yamldoc
from tests.support.paths import REPO_ROOT

CORPUS = Path("tests") / "corpus"
# The two parsers word a syntax error differently ("did not find expected ',' or '}'" against
# "expected ',' or '}', but got '<scalar>'"); file, line and the "invalid YAML" start agree.
_SYNTAX_DETAIL = re.compile(r"(: invalid YAML): .*$")
_WITHOUT_LIBYAML = (
    "import sys, yaml\n"
    "del yaml.CSafeLoader\n"
    "from oco_reconcile.commands.app import main\n"
    "main(sys.argv[1:])\n"
)


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML was built without libyaml")
def test_libyaml_parses_when_pyyaml_has_it() -> None:
    assert issubclass(yamldoc._BoundedLoader, yaml.CSafeLoader)


@pytest.mark.parametrize("levels", [41, 999, 1_001, 200_000])
def test_flow_nesting_of_any_depth_is_one_message(tmp_path: Path, levels: int) -> None:
    """libyaml's scanner gives up at 1,000 flow levels before the composer sees level 41."""
    path = tmp_path / "deep.yaml"
    path.write_text("brackets: " + "[" * levels + "]" * levels + "\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        yamldoc.read_document(path)
    (problem,) = raised.value.problems
    assert (problem.line, problem.message) == (1, "rejected: nested deeper than 40 levels")


def _corpus_problems(*python_args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, *python_args, "validate", str(CORPUS)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    return [_SYNTAX_DETAIL.sub(r"\1", line) for line in done.stderr.splitlines()]


def test_without_libyaml_the_corpus_gives_the_same_problems() -> None:
    with_libyaml = _corpus_problems("-m", "oco_reconcile")
    without = _corpus_problems("-c", _WITHOUT_LIBYAML)
    assert without == with_libyaml
    assert any("rejected: aliases expand to more than" in line for line in without)
