"""Paths that are not regular files, among the bracket files or as the settings file: a dangling
symlink, a symlink loop, a directory, a FIFO. Each is a problem naming the path, never a silent
skip, a silent "defaults" or a read that waits forever (issue 13, "Inputs")."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from oco_reconcile.errors import InputError
from oco_reconcile.inputs import desired
from oco_reconcile.inputs.settings import read_settings
from tests.support.bracket_files import DEFAULTS, bracket_yaml, write
from tests.support.cli import run_main

DANGLING = "a dangling symbolic link (its target does not exist)"
LOOP = "a symbolic link loop"
FIFO = "not a regular file (a FIFO)"
DIRECTORY = "not a regular file (a directory)"


def _dangling(path: Path) -> str:
    path.symlink_to(path.parent / "gone.yaml")
    return DANGLING


def _loop(path: Path) -> str:
    other = path.with_name(path.stem + ".link")  # not a bracket file name: one problem
    path.symlink_to(other)
    other.symlink_to(path)
    return LOOP


def _fifo(path: Path) -> str:
    os.mkfifo(path)
    return FIFO


MAKERS: dict[str, Callable[[Path], str]] = {"dangling": _dangling, "loop": _loop, "fifo": _fifo}
pytestmark = pytest.mark.timeout(20)  # a FIFO that is opened blocks: fail instead of hanging


def _only_problem(paths: list[Path]) -> str:
    with pytest.raises(InputError) as raised:
        desired.load_brackets(paths, DEFAULTS)
    (problem,) = raised.value.problems
    return str(problem)


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_an_odd_entry_in_a_bracket_directory_is_a_problem(tmp_path: Path, kind: str) -> None:
    root = tmp_path / "brackets"
    write(root, "a.yaml", bracket_yaml(name="a"))
    reason = MAKERS[kind](root / "b.yaml")
    message = _only_problem([root])
    assert message == f"{root / 'b.yaml'}: cannot read: {reason}"


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_an_odd_bracket_path_argument_is_a_problem(tmp_path: Path, kind: str) -> None:
    reason = MAKERS[kind](tmp_path / "b.yaml")
    assert _only_problem([tmp_path / "b.yaml"]) == f"{tmp_path / 'b.yaml'}: cannot read: {reason}"


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_an_odd_default_settings_file_is_a_problem_not_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    monkeypatch.chdir(tmp_path)
    reason = MAKERS[kind](tmp_path / "oco-reconcile.yaml")
    _, problems = read_settings(None)
    assert [str(p) for p in problems] == [f"oco-reconcile.yaml: cannot read: {reason}"]


def test_a_directory_as_the_default_settings_file_is_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "oco-reconcile.yaml").mkdir()
    _, problems = read_settings(None)
    assert [str(p) for p in problems] == [f"oco-reconcile.yaml: cannot read: {DIRECTORY}"]


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_an_odd_explicit_settings_file_is_a_problem(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "conf" / "oco-reconcile.yml"
    path.parent.mkdir()
    reason = MAKERS[kind](path)
    _, problems = read_settings(path)
    assert [str(p) for p in problems] == [f"{path}: cannot read: {reason}"]


@pytest.mark.parametrize("command", ["validate", "plan"])
def test_validate_and_plan_refuse_a_dangling_bracket_symlink(
    example_repo: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """Today validate says OK and plan would prune the brackets the link stood for."""
    (example_repo / "brackets" / "moved.yaml").symlink_to(example_repo / "elsewhere.yaml")
    assert run_main([command]) == 1
    err = capsys.readouterr().err
    assert f"{Path('brackets') / 'moved.yaml'}: cannot read: {DANGLING}" in err
    assert "Traceback" not in err


def test_validate_refuses_a_dangling_settings_symlink(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = example_repo / "oco-reconcile.yaml"
    settings.unlink()
    settings.symlink_to(example_repo / "gone.yaml")
    assert run_main(["validate"]) == 1
    assert f"oco-reconcile.yaml: cannot read: {DANGLING}" in capsys.readouterr().err


# --- symlinked directories: followed, never silently skipped, never walked forever ------------


def test_a_symlinked_directory_of_brackets_is_read(tmp_path: Path) -> None:
    write(tmp_path / "shared", "s.yaml", bracket_yaml(name="shared"))
    root = tmp_path / "brackets"
    write(root, "a.yaml", bracket_yaml(name="a"))
    (root / "common").symlink_to(tmp_path / "shared")
    assert [b.name for b in desired.load_brackets([root], DEFAULTS)] == ["a", "shared"]


def test_a_directory_symlink_loop_is_walked_once(tmp_path: Path) -> None:
    root = tmp_path / "brackets"
    write(root, "sub/a.yaml", bracket_yaml(name="a"))
    (root / "sub" / "again").symlink_to(root)  # brackets/sub/again -> brackets
    assert [b.name for b in desired.load_brackets([root], DEFAULTS)] == ["a"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists every directory")
def test_an_unlistable_directory_is_a_problem(tmp_path: Path) -> None:
    root = tmp_path / "brackets"
    write(root, "a.yaml", bracket_yaml(name="a"))
    locked = root / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        message = _only_problem([root])
    finally:
        locked.chmod(0o755)
    assert message == f"{locked}: cannot list: Permission denied"
