"""Which files are inputs: directories, repeats, missing paths, the settings file."""

from __future__ import annotations

from pathlib import Path

import pytest

from oco_reconcile.errors import InputError
from oco_reconcile.inputs import desired, discovery
from tests.support.bracket_files import DEFAULTS, bracket_yaml, write

# --- files and directories ------------------------------------------------------------------


def test_directories_recurse_sorted_yaml_and_yml_skipping_hidden_and_settings(
    tmp_path: Path,
) -> None:
    root = tmp_path / "brackets"
    for name, file in [("z", "z.yaml"), ("a", "sub/a.yml"), ("m", "m.yaml")]:
        write(root, file, bracket_yaml(name=name))
    write(root, ".hidden/h.yaml", "not: [valid")
    write(root, ".h.yaml", "not: [valid")
    write(root, "notes.txt", "not yaml")
    write(root, "oco-reconcile.yaml", "exchange: sim\n")
    brackets = desired.load_brackets([root], DEFAULTS)
    assert [b.name for b in brackets] == ["m", "a", "z"]  # m.yaml < sub/a.yml < z.yaml


def test_a_file_given_twice_is_read_once(tmp_path: Path) -> None:
    path = write(tmp_path, "d/b.yaml", bracket_yaml())
    assert len(desired.load_brackets([path, tmp_path / "d", path], DEFAULTS)) == 1


def test_a_missing_path_is_a_problem(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        desired.load_brackets([tmp_path / "nope.yaml"], DEFAULTS)
    (problem,) = raised.value.problems
    assert str(problem) == f"{tmp_path / 'nope.yaml'}: no such file or directory"


def test_problems_from_every_file_come_in_one_error(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", bracket_yaml(name="a", quantity="0"))
    b = write(tmp_path, "b.yaml", bracket_yaml(name="b", side="HOLD"))
    c = write(tmp_path, "c.yaml", "brackets: [")
    with pytest.raises(InputError) as raised:
        desired.load_brackets([a, b, c], DEFAULTS)
    assert [p.file for p in raised.value.problems] == [str(a), str(b), str(c)]


# --- resolve_inputs / load_inputs / validate_paths ----------------------------------------------


def test_resolve_inputs_defaults_to_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert discovery.resolve_inputs([]) == (None, ())
    write(tmp_path, "oco-reconcile.yaml", "exchange: sim\n")
    (tmp_path / "brackets").mkdir()
    assert discovery.resolve_inputs([]) == (Path("oco-reconcile.yaml"), (Path("brackets"),))


def test_resolve_inputs_splits_settings_from_bracket_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "brackets").mkdir()
    settings = write(tmp_path, "conf/oco-reconcile.yml", "exchange: sim\n")
    other = write(tmp_path, "more/x.yaml", "brackets: []\n")
    assert discovery.resolve_inputs([settings]) == (settings, (Path("brackets"),))
    assert discovery.resolve_inputs([other, settings]) == (settings, (other,))


def test_resolve_inputs_reports_missing_paths_and_two_settings_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    one = write(tmp_path, "a/oco-reconcile.yaml", "")
    two = write(tmp_path, "b/oco-reconcile.yaml", "")
    with pytest.raises(InputError) as raised:
        discovery.resolve_inputs([one, two, Path("missing.yaml")])
    messages = [str(problem) for problem in raised.value.problems]
    assert messages == [
        f"{two}: a second settings file (already using {one})",
        "missing.yaml: no such file or directory",
    ]


def test_classify_paths_returns_its_problems_instead_of_raising(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    bracket = write(tmp_path, "x.yaml", "brackets: []\n")
    settings_file, brackets, problems = discovery.classify_paths([bracket, Path("gone")])
    assert (settings_file, brackets) == (None, (bracket,))
    assert [str(problem) for problem in problems] == ["gone: no such file or directory"]


def test_bracket_files_skips_settings_files_and_other_suffixes(tmp_path: Path) -> None:
    for name in ("b.yml", "a.yaml", "oco-reconcile.yml", "c.json", "sub/.d.yaml"):
        write(tmp_path, name, "")
    assert discovery.bracket_files([tmp_path]) == (tmp_path / "a.yaml", tmp_path / "b.yml")
